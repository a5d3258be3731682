package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/internal/redistest"
	"github.com/seismo-dev/seismo/simulate"
)

// Targets the detector must meet on every shipped scenario.
const maxMedianLatency = 2 * time.Minute

// TestScenarioTargets replays every shipped scenario through classify,
// record and detect exactly as seismo backtest does (on a real Redis, which
// the race detector does not slow down) and holds the result to the
// targets: every outage found in every affected country, a median detection
// latency of at most two minutes of event time after onset, no false
// incident, and no incident from a spam or news burst. The latency of an
// outage is from its onset to the incident.opened event of its service
// (the moment the feed announces it); the median is over the outages of all
// shipped scenarios together, eight of them.
func TestScenarioTargets(t *testing.T) {
	if testing.Short() {
		t.Skip("replays days of traffic; skipped with -short")
	}
	cls := testClassifier(t)
	var latencies []time.Duration
	for _, name := range simulate.BuiltinNames() {
		t.Run(name, func(t *testing.T) {
			s, err := simulate.Builtin(name)
			if err != nil {
				t.Fatal(err)
			}
			var posts []seismo.Post
			if err := s.Generate(func(p seismo.Post) error { posts = append(posts, p); return nil }); err != nil {
				t.Fatal(err)
			}
			rdb := redistest.Start(t).Client(t)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			began := time.Now()
			var sum backtestSummary
			// A fixed reporter key makes the HyperLogLog estimates, and so
			// the verdict, the same on every run.
			key := []byte("scenario-targets")
			if err := detectPosts(ctx, posts, cls, detect.DefaultConfig(), rdb, "seismo", key, time.Hour, func([]seismo.Event) error { return nil }, &sum); err != nil {
				t.Fatal(err)
			}
			truth := s.Truth()
			sc := simulate.Score(truth, sum.log)
			var report bytes.Buffer
			writeScore(&report, truth, sc)
			t.Logf("%d posts, %d events, replayed in %s\n%s", len(posts), len(sum.log), time.Since(began).Round(time.Second), report.String())

			latencies = append(latencies, sc.Latencies...)
			for _, r := range sc.Outages {
				if !r.Detected {
					t.Errorf("%s outage %s not detected", r.Outage.Service, r.Outage.Outage)
				}
				for _, c := range r.Countries {
					if !c.Found {
						t.Errorf("%s outage %s: %s missed (%d reporters)", r.Outage.Service, r.Outage.Outage, c.Country, r.Outage.Reporters[c.Country])
					}
				}
			}
			for _, op := range sc.False {
				t.Errorf("false opening: %s %s at %s", op.Incident, op.Country, op.OpenedAt.Format(time.RFC3339))
			}
			for _, id := range sc.FalseIncidents {
				t.Errorf("false incident %s", id)
			}
			for _, op := range sc.BurstOpenings {
				b := truth.Bursts[op.Burst]
				t.Errorf("%s burst (%d posts from %s) opened %s %s at %s", b.Kind, b.Posts, b.Start.Format(time.RFC3339),
					op.Incident, op.Country, op.OpenedAt.Format(time.RFC3339))
			}
		})
	}
	if t.Failed() && len(latencies) < 8 {
		return // a scenario failed to run; its latencies are missing
	}
	if m := simulate.Median(latencies); m > maxMedianLatency {
		t.Errorf("median detection latency over %d outages %s, want at most %s (all: %v)", len(latencies), m, maxMedianLatency, latencies)
	} else {
		t.Logf("median detection latency over %d outages: %s (all: %v)", len(latencies), m, latencies)
	}
}

// TestNewsTextsAreNotComplaints classifies every text a news burst can post:
// sharing an article about a past outage is no live complaint. A failing
// template is reported once, with the variants that failed.
func TestNewsTextsAreNotComplaints(t *testing.T) {
	cls := testClassifier(t)
	names := map[string][]string{"ar": {"واتساب", "انستغرام", "فيسبوك"}}
	for _, lang := range simulate.Languages() {
		t.Run(lang, func(t *testing.T) {
			services := names[lang]
			if services == nil {
				services = []string{"WhatsApp", "Instagram", "Facebook"}
			}
			templates := simulate.NewsTexts(lang, "{svc}", "{url}", 2021)
			if len(templates) == 0 {
				t.Fatalf("no news texts in %s", lang)
			}
			for i, tpl := range templates {
				var failed []string
				var cues []seismo.Cue
				for _, svc := range services {
					text := simulate.NewsTexts(lang, svc, "https://news.example/tech/outage", 2021)[i]
					// Posts carry the platform's language hint or none.
					for _, hint := range []string{lang, ""} {
						sig := cls.Classify(&seismo.Post{ID: "n", Text: text, Lang: hint})
						if sig.Complaint {
							failed = append(failed, fmt.Sprintf("%s/hint %q", svc, hint))
							cues = sig.Cues
						}
					}
				}
				if len(failed) > 0 {
					t.Errorf("counted as a complaint: %q (%s); cues %v", tpl, strings.Join(failed, ", "), cues)
				}
			}
		})
	}
}

// scenarioYAML is a short scenario for the command tests: half a day of
// warm-up and an outage no detector could miss.
const scenarioYAML = `
name: cmd-test
seed: 5
start: 2024-05-01T00:00:00Z
end: 2024-05-01T14:00:00Z
services:
  whatsapp: {baseline: 0.05}
countries:
  GB: {tz: Europe/London, langs: {en: 1}, chatter: 3}
  BR: {tz: America/Sao_Paulo, langs: {pt: 1}, chatter: 3}
outages:
  - name: big
    start: 2024-05-01T12:00:00Z
    duration: 30m
    ramp: 2m
    reporters:
      whatsapp: {GB: 600, BR: 600}
spam:
  - {country: GB, service: whatsapp, start: 2024-05-01T09:00:00Z, duration: 30m, posts: 200}
`

func TestSimulateScenarioFileAndBacktestTruth(t *testing.T) {
	dir := t.TempDir()
	scenario := filepath.Join(dir, "scenario.yaml")
	truthFile := filepath.Join(dir, "truth.json")
	posts := filepath.Join(dir, "posts.jsonl")
	if err := os.WriteFile(scenario, []byte(scenarioYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code, stdout, stderr := runSeismo(t, ctx, "", "simulate", "--scenario", scenario, "--truth", truthFile)
	if code != 0 {
		t.Fatalf("simulate exited %d:\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	for _, l := range lines {
		if _, err := seismo.DecodePost([]byte(l)); err != nil {
			t.Fatalf("simulate wrote %q: %v", l, err)
		}
	}
	data, err := os.ReadFile(truthFile)
	if err != nil {
		t.Fatal(err)
	}
	var truth simulate.Truth
	if err := json.Unmarshal(data, &truth); err != nil {
		t.Fatal(err)
	}
	if len(truth.Outages) != 1 || strings.Join(truth.Outages[0].Countries, ",") != "BR,GB" || len(truth.Bursts) != 1 {
		t.Errorf("truth = %s", data)
	}
	if err := os.WriteFile(posts, []byte(stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runSeismo(t, ctx, "", "backtest", "--posts", posts, "--truth", truthFile)
	if code != 0 {
		t.Fatalf("backtest exited %d:\n%s", code, stderr)
	}
	for _, want := range []string{"truth: outage big, whatsapp, 2024-05-01T12:00:00Z to 2024-05-01T12:30:00Z",
		"  BR found, latency ", "  GB found, latency ", "truth: 1/1 outages detected", "countries found 2/2 (100%)",
		"incidents from spam or news bursts",
		"after start)"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("backtest summary lacks %q:\n%s", want, stderr)
		}
	}
}

func TestSimulateErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	badField := write("bad-field.yaml", strings.Replace(scenarioYAML, "ramp: 2m", "ramp: 2m\n    peek: 3", 1))
	badService := write("bad-service.yaml", strings.Replace(scenarioYAML, "whatsapp: {GB: 600", "myspace: {GB: 600", 1))
	badTruth := write("truth.json", `{"outages": [{"service": "whatsapp"}]}`)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"unknown scenario", []string{"simulate", "--scenario", "nope"}, []string{"neither a built-in scenario", "quiet-week"}},
		{"unknown field", []string{"simulate", "--scenario", badField}, []string{"outages[0].peek: unknown field", "line 16"}},
		{"service not in the catalog", []string{"simulate", "--scenario", badService}, []string{`outages[0].reporters.myspace: "myspace" is not a service of the catalog`}},
		{"bad truth", []string{"backtest", "--posts", badField, "--truth", badTruth}, []string{"truth: outages[0]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runSeismo(t, context.Background(), "", tt.args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2:\n%s", code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
}

func TestSimulateBuiltinByName(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code, stdout, stderr := runSeismo(t, ctx, "", "simulate", "--scenario", "italy-evening-short")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	first, _, _ := strings.Cut(stdout, "\n")
	p, err := seismo.DecodePost([]byte(first))
	if err != nil || !p.CreatedAt.Truncate(time.Minute).Equal(time.Date(2024, 10, 19, 18, 0, 0, 0, time.UTC)) {
		t.Errorf("first post %q (%v): want one from the scenario's first minute", first, err)
	}
	if n := strings.Count(stdout, "\n"); n < 10_000 {
		t.Errorf("%d posts", n)
	}
}
