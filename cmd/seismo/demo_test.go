package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seismo-dev/seismo"
)

// TestDemoOnce plays the built-in scenario through the embedded broker and
// Redis exactly as `seismo demo --once` does, and checks what the press saw:
// a WhatsApp incident in the UK, Brazil, India and the US, and none from the
// spam account of the day before.
func TestDemoOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	code, stdout, stderr := runSeismo(t, ctx, "", "demo", "--once", "--http-addr", "127.0.0.1:0")
	if code != 0 {
		t.Fatalf("demo --once exited %d:\n%s", code, stderr)
	}
	outage := time.Date(2024, 4, 3, 18, 10, 0, 0, time.UTC)
	countries := map[string]bool{}
	types := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(stdout))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var ev seismo.Event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("event line is not JSON: %v\n%s", err, sc.Text())
		}
		types[ev.Type]++
		if ev.Data.Service != "whatsapp" {
			continue
		}
		if ev.Data.StartedAt.Before(outage) {
			t.Errorf("WhatsApp incident %s started %s, before the outage: spam or ordinary traffic fired",
				ev.Data.ID, ev.Data.StartedAt)
		}
		for _, c := range ev.Data.Countries {
			countries[c.Country] = true
		}
	}
	for _, c := range []string{"GB", "BR", "IN", "US"} {
		if !countries[c] {
			t.Errorf("no WhatsApp incident event covers %s (covered: %v)", c, countries)
		}
	}
	if types[seismo.EventOpened] == 0 || types[seismo.EventResolved] == 0 {
		t.Errorf("event types %v: want incidents opened and resolved", types)
	}
	if !strings.Contains(stderr, "/v1/incidents") {
		t.Errorf("demo did not print the feed URL:\n%s", stderr)
	}
	// A clean run alarms nobody: at the demo's default level any warning
	// would show.
	if strings.Contains(stderr, "level=WARN") || strings.Contains(stderr, "level=ERROR") {
		t.Errorf("a clean demo logged warnings or errors:\n%s", stderr)
	}
	// The summary names every incident, not only the scenario's service.
	for _, want := range []string{"WhatsApp whatsapp-20240403T", "Instagram instagram-"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the summary lacks %q:\n%s", want, stderr)
		}
	}
}

func TestBacktest(t *testing.T) {
	dir := t.TempDir()
	posts := filepath.Join(dir, "posts.jsonl")
	data := string(jsonLines(t, outagePosts(time.Date(2024, 4, 3, 17, 0, 0, 0, time.UTC))))
	// Unsorted input and lines that are not posts must not matter.
	lines := strings.Split(strings.TrimSpace(data), "\n")
	lines[0], lines[len(lines)-1] = lines[len(lines)-1], lines[0]
	lines = append(lines, `{"id":"no-time","text":"whatsapp down"}`, `garbage`)
	if err := os.WriteFile(posts, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code, stdout, stderr := runSeismo(t, ctx, "", "backtest", "--posts", posts)
	if code != 0 {
		t.Fatalf("backtest exited %d:\n%s", code, stderr)
	}
	var events []seismo.Event
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var ev seismo.Event
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("event line %q: %v", l, err)
		}
		if ev.Type == "" || ev.Timestamp.IsZero() || ev.Data.ID == "" || ev.Data.Countries == nil {
			t.Fatalf("incomplete event %q", l)
		}
		events = append(events, ev)
	}
	if len(events) < 2 || events[0].Type != seismo.EventOpened || events[len(events)-1].Type != seismo.EventResolved {
		t.Fatalf("events = %v, want opened ... resolved", stdout)
	}
	if e := events[0].Data; e.Service != "whatsapp" || e.Country("GB") == nil {
		t.Errorf("first event %+v, want WhatsApp in GB", e)
	}
	for _, want := range []string{"2 invalid", "bad_json 1", "missing_created_at 1", "1 incidents"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("summary lacks %q:\n%s", want, stderr)
		}
	}
	// The same input gives the same events: event time, not wall time.
	_, again, _ := runSeismo(t, ctx, "", "backtest", "--posts", posts)
	if again != stdout {
		t.Error("a second backtest of the same file gave different events")
	}
}
