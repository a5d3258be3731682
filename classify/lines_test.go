package classify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/seismo-dev/seismo/classify"
)

// Lines writes one line per line in, in order, whatever each line holds,
// across chunk boundaries.
func TestLines(t *testing.T) {
	c, err := classify.New(classify.Config{Languages: []string{"en"}})
	if err != nil {
		t.Fatal(err)
	}
	var in strings.Builder
	const n = 5000 // more than two chunks
	for i := range n {
		switch i % 4 {
		case 0:
			in.WriteString(`{"id":"a","text":"whatsapp is down, messages won't send"}` + "\n")
		case 1:
			in.WriteString(`{"id":"b","text":"lovely day at the beach"}` + "\n")
		case 2:
			in.WriteString("not json\n")
		case 3:
			if i%8 == 3 {
				in.WriteString(`{"id":"d","text":"  "}` + "\n")
			} else {
				in.WriteString(`{"id":"e","text":"\ud800 whatsapp is down"}` + "\n")
			}
		}
	}
	var out bytes.Buffer
	if err := c.Lines(context.Background(), strings.NewReader(in.String()), &out); err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(got) != n {
		t.Fatalf("%d lines out for %d in", len(got), n)
	}
	for i, l := range got {
		var v map[string]any
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("line %d is not JSON: %s", i+1, l)
		}
		switch i % 4 {
		case 0:
			if svcs, _ := v["services"].([]any); v["complaint"] != true || len(svcs) != 1 || svcs[0] != "whatsapp" {
				t.Fatalf("line %d: %s, want a WhatsApp complaint", i+1, l)
			}
		case 1:
			if v["complaint"] == true || v["error"] != nil {
				t.Fatalf("line %d: %s, want no complaint", i+1, l)
			}
		case 2, 3:
			want := map[int]string{2: "bad_json", 6: "bad_json", 3: "missing_text", 7: "invalid_utf8"}[i%8]
			if v["line"] != float64(i+1) || !strings.Contains(v["error"].(string), want) {
				t.Fatalf("line %d: %s, want its number and the reason", i+1, l)
			}
		}
	}
}
