package classify

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/seismo-dev/seismo"
)

// FuzzDecodeLoose holds decodeLoose, which takes plain-shaped lines through
// seismo.ScanText, to what encoding/json alone makes of the same line.
func FuzzDecodeLoose(f *testing.F) {
	for _, s := range []string{
		`{"id":"1","text":"whatsapp down","lang":"EN","country":"gb","location":"Leeds"}`,
		`{"id":"1","text":"a \"quoted\" \u00e8 word","author":{"x":1}}`,
		`{"text":null,"id":"2"}`,
		`{"TEXT":"case","text":"last"}`,
		`{"text":"x","text":"twice"}`,
		`{"id":3,"text":"number id"}`,
		`{"text":"x","geo":{"lat":1,"lon":2}}`,
		`[1,2]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		got, gotErr := decodeLoose(line)
		if !utf8.Valid(line) || !seismo.ValidEscapes(line) {
			return // rejected before either decoder runs
		}
		var l looseP
		refErr := json.Unmarshal(line, &l)
		if (gotErr != nil && refErr == nil && got.Text != "" && len(got.Text) <= seismo.MaxTextBytes) ||
			(gotErr == nil && refErr != nil) {
			t.Fatalf("decodeLoose(%q) error %v, encoding/json %v", line, gotErr, refErr)
		}
		if refErr != nil || gotErr != nil {
			return
		}
		if got.ID != l.ID || got.Text != l.Text || got.Location != l.Location {
			t.Fatalf("decodeLoose(%q) = %+v, encoding/json %+v", line, got, l)
		}
	})
}
