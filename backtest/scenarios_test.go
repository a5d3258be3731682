package backtest_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/backtest"
	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/internal/redistest"
	"github.com/seismo-dev/seismo/simulate"
)

// Targets the detector must meet on every shipped scenario.
const maxMedianLatency = 2 * time.Minute

// TestScenarioTargets replays every shipped scenario through classify,
// record and detect exactly as seismo backtest does (Replay) (on a real Redis, which
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
			// A fixed reporter key makes the HyperLogLog estimates, and so
			// the verdict, the same on every run.
			key := []byte("scenario-targets")
			store, err := detect.NewStore(rdb, detect.StoreConfig{Prefix: "seismo", ReporterKey: key, Groups: detect.GroupsOf(cls.Services())})
			if err != nil {
				t.Fatal(err)
			}
			res, err := backtest.Replay(ctx, posts, backtest.Options{Classifier: cls, Store: store, Config: detect.DefaultConfig(), Flush: time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			truth := s.Truth()
			sc := simulate.Score(truth, res.Events)
			var report bytes.Buffer
			backtest.WriteScore(&report, truth, sc)
			t.Logf("%d posts, %d events, replayed in %s\n%s", len(posts), len(res.Events), time.Since(began).Round(time.Second), report.String())

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
