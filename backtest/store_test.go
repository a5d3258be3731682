package backtest_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/backtest"
	"github.com/seismo-dev/seismo/internal/redistest"
)

// A backtest on a real Redis writes under a prefix of its own, never the
// live pipeline's, and two runs under the same name do not share one.
func TestOpenStorePrefix(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	rdb := srv.Client(t)
	report := seismo.Report{
		Post: seismo.Post{ID: "p1", Author: "a", Source: "test", Text: "whatsapp down", Country: "BR",
			CreatedAt: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)},
		Signal: seismo.Signal{PostID: "p1", Services: []string{"whatsapp"}, Complaint: true},
	}
	prefixes := map[string]bool{}
	for range 2 {
		before, err := rdb.Keys(ctx, "*").Result()
		if err != nil {
			t.Fatal(err)
		}
		store, done, err := backtest.OpenStore(srv.Addr, "draw-7", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		err = store.Record(ctx, []seismo.Report{report})
		done()
		if err != nil {
			t.Fatal(err)
		}
		after, err := rdb.Keys(ctx, "*").Result()
		if err != nil {
			t.Fatal(err)
		}
		if len(after) <= len(before) {
			t.Fatalf("recording wrote no key (%d before, %d after)", len(before), len(after))
		}
		for _, k := range after {
			p, _, _ := strings.Cut(k, ":")
			if !strings.HasPrefix(p, "seismo-draw-7-") {
				t.Errorf("key %q: want every key under a prefix seismo-draw-7-…", k)
			}
			prefixes[p] = true
		}
	}
	if len(prefixes) != 2 {
		t.Errorf("two runs wrote under %d prefixes %v, want 2", len(prefixes), prefixes)
	}
}

// EventLines writes one JSON line per event, in order.
func TestEventLines(t *testing.T) {
	var b strings.Builder
	emit := backtest.EventLines(&b)
	evs := []seismo.Event{{Type: seismo.EventOpened, Data: seismo.Incident{ID: "a"}}, {Type: seismo.EventResolved, Data: seismo.Incident{ID: "a"}}}
	if err := emit(evs[:1]); err != nil {
		t.Fatal(err)
	}
	if err := emit(evs[1:]); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2:\n%s", len(lines), b.String())
	}
	for i, l := range lines {
		var ev seismo.Event
		if err := json.Unmarshal([]byte(l), &ev); err != nil || ev.Type != evs[i].Type || ev.Data.ID != "a" {
			t.Errorf("line %d %q: decoded %+v, %v; want %s of a", i, l, ev, err, evs[i].Type)
		}
	}
}
