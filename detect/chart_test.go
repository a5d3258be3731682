package detect_test

import (
	"math"
	"testing"
	"time"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/detect"
)

// Threshold is the least count that Assess fires on, for sparse and busy
// series, calm and bursty ones.
func TestThreshold(t *testing.T) {
	cfg := detect.DefaultConfig()
	for _, expected := range []float64{0, 0.05, 0.25, 1, 3.7, 20, 150, 4000} {
		for _, spread := range []float64{0, 0.1, 0.5, 4} {
			k := cfg.Threshold(expected, spread)
			if expected == 0 {
				if k != 0 {
					t.Errorf("Threshold(0, %g) = %d, want 0: nothing fires on no expectation", spread, k)
				}
				continue
			}
			if k < cfg.MinReporters {
				t.Fatalf("Threshold(%g, %g) = %d, below MinReporters", expected, spread, k)
			}
			if cfg.Assess(k, expected, spread) == detect.LevelNone {
				t.Errorf("Threshold(%g, %g) = %d, which does not fire", expected, spread, k)
			}
			if cfg.Assess(k-1, expected, spread) != detect.LevelNone {
				t.Errorf("Threshold(%g, %g) = %d, but %d fires already", expected, spread, k, k-1)
			}
		}
	}
}

// The detector keeps a record of every minute it evaluates; Chart rolls
// them up, and shows a burst above the fire line and the quiet minutes
// below it, on both backends.
func TestChart(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			s := newStore(t, be.open(t), nil)
			cfg := detect.DefaultConfig()
			cfg.Warmup = 30 * time.Minute
			d := newDetector(t, s, cfg)
			tr := traffic{}
			tr.add("quiet", "whatsapp", "GB", 0, 90, 1)
			tr.add("burst", "whatsapp", "GB", 60, 75, 20, seismo.ProblemMessages)
			live(t, s, d, tr, 0, 90)
			ctx := ctxT(t)

			pts, err := s.Chart(ctx, "whatsapp", "GB", at(0), at(90), time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if len(pts) != 90 {
				t.Fatalf("%d points, want 90", len(pts))
			}
			for i, p := range pts {
				want := 1
				if i >= 60 && i < 75 {
					want = 21
				}
				if p.Observed != want || !p.T.Equal(at(i)) {
					t.Fatalf("minute %d: %+v, want %d reporters at %s", i, p, want, at(i))
				}
				if p.Expected == nil || p.Upper == nil || *p.Upper <= *p.Expected {
					t.Fatalf("minute %d: expected %v, upper %v: want both, upper above expected", i, p.Expected, p.Upper)
				}
				if i >= 40 && i < 60 && float64(p.Observed) > *p.Upper {
					t.Errorf("quiet minute %d is above the fire line: %+v (upper %g)", i, p, *p.Upper)
				}
				if i >= 62 && i < 75 && (float64(p.Observed) <= *p.Upper || p.Level == "none") {
					t.Errorf("burst minute %d is not above the fire line, or did not fire: %+v (upper %g)", i, p, *p.Upper)
				}
				// The longest window (15 minutes) holds the burst until
				// minute 89.
				if i < 60 && p.Level != "none" {
					t.Errorf("minute %d fired before the burst: %+v", i, p)
				}
			}
			// The baseline does not learn the burst: what was expected
			// after it is what was expected before it.
			if before, after := *pts[59].Expected, *pts[80].Expected; math.Abs(after-before) > 0.3*before {
				t.Errorf("expected %g before the burst and %g after it: the burst was learned", before, after)
			}

			// Steps sum their minutes; a step that starts before the first
			// evaluated minute has fewer of them.
			fives, err := s.Chart(ctx, "whatsapp", "GB", at(2), at(88), 5*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if len(fives) != 18 || !fives[0].T.Equal(at(0)) {
				t.Fatalf("5-minute steps over minutes 2..88: %d from %s, want 18 from %s", len(fives), fives[0].T, at(0))
			}
			for i, p := range fives {
				var sum, exp float64
				for _, q := range pts[i*5 : i*5+5] {
					sum += float64(q.Observed)
					exp += *q.Expected
				}
				if float64(p.Observed) != sum || math.Abs(*p.Expected-exp) > 0.01*exp+0.01 {
					t.Errorf("step %d: %d observed, %g expected; its minutes sum to %g and %g", i, p.Observed, *p.Expected, sum, exp)
				}
			}

			// Before any data, and for a series nobody evaluated: no
			// expectation, no reporters.
			pts, err = s.Chart(ctx, "whatsapp", "FR", at(0), at(10), time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range pts {
				if p.Observed != 0 || p.Expected != nil || p.Upper != nil {
					t.Fatalf("a series never evaluated has %+v", p)
				}
			}
			for _, bad := range []struct {
				from, to time.Time
				step     time.Duration
			}{
				{at(0), at(0).Add(7*24*time.Hour + time.Minute), time.Minute}, // more than seven days
				{at(0), at(10), 7 * time.Minute},                              // does not divide a day
				{at(0), at(10), 90 * time.Second},                             // not whole minutes
			} {
				if _, err := s.Chart(ctx, "whatsapp", "GB", bad.from, bad.to, bad.step); seismo.ErrorCode(err) != seismo.CodeInvalid {
					t.Errorf("Chart(%s, %s, %s): %v, want invalid", bad.from, bad.to, bad.step, err)
				}
			}

			// Seven days that do not start on a step are served whole.
			week, err := s.Chart(ctx, "whatsapp", "GB", at(-7*24*60+1), at(1), 15*time.Minute)
			if err != nil || len(week) != 7*24*4+1 {
				t.Errorf("seven days at 15 minutes, off the steps: %d points, %v; want %d", len(week), err, 7*24*4+1)
			}

			// NowAt shows the last minute of every series: the burst at its
			// height fires, the global series with it.
			d2 := newDetector(t, s, cfg)
			tr2 := traffic{}
			tr2.add("later", "whatsapp", "GB", 90, 100, 30, seismo.ProblemLogin)
			tr2.add("quiet", "instagram", "US", 60, 100, 1)
			live(t, s, d2, tr2, 90, 100)
			at99, ok, err := s.Evaluated(ctx)
			if err != nil || !ok || !at99.Equal(at(100)) {
				t.Fatalf("Evaluated = %s, %v, %v; want %s", at99, ok, err, at(100))
			}
			now, err := s.NowAt(ctx, at(99))
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]seismo.SeriesNow{}
			for _, n := range now {
				got[n.Service+":"+n.Country] = n
			}
			// 150 reporters in the window, counted by HyperLogLog union
			// (0.81% standard error).
			if gb := got["whatsapp:GB"]; gb.Observed < 145 || gb.Observed > 155 || gb.Severity == "" || gb.Expected <= 0 {
				t.Errorf("whatsapp:GB now = %+v, want about 150 reporters in 5 minutes, firing", gb)
			}
			if all := got["whatsapp:*"]; all.Observed < 145 || all.Severity == "" {
				t.Errorf("whatsapp:* now = %+v, want about GB's 150, firing", all)
			}
			if us, ok := got["instagram:US"]; !ok || us.Severity != "" {
				t.Errorf("instagram:US now = %+v (%v), want a quiet series that does not fire", us, ok)
			}
		})
	}
}

// Activity adds up the complaints of a span: problem types, languages, and
// the newest samples first, with their cues.
func TestActivity(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			s := newStore(t, be.open(t), nil)
			ctx := ctxT(t)
			var reports []seismo.Report
			for i, lang := range []string{"en", "en", "pt", "en"} {
				r := complaint("p"+string(rune('a'+i)), "author-"+string(rune('a'+i)), "whatsapp", "GB", at(i), seismo.ProblemMessages)
				r.Signal.Lang = lang
				r.Signal.Cues = []seismo.Cue{{Kind: "service", Match: "whatsapp", Value: "whatsapp"}, {Kind: "outage", Match: "down"}}
				if i == 3 {
					r.Signal.Problem = seismo.ProblemLogin
				}
				reports = append(reports, r)
			}
			if err := s.Record(ctx, reports); err != nil {
				t.Fatal(err)
			}
			act, err := s.Activity(ctx, "whatsapp", "GB", at(0), at(4), 3)
			if err != nil {
				t.Fatal(err)
			}
			if act.Complaints != 4 {
				t.Errorf("%d complaints, want 4", act.Complaints)
			}
			if len(act.Problems) != 2 || act.Problems[0].Problem != seismo.ProblemMessages || act.Problems[0].Complaints != 3 {
				t.Errorf("problems %+v, want messages 3 then login 1", act.Problems)
			}
			if len(act.Languages) != 2 || act.Languages[0] != (seismo.LanguageShare{Lang: "en", Complaints: 3, Share: 0.75}) {
				t.Errorf("languages %+v, want en 3 (0.75) then pt 1", act.Languages)
			}
			if len(act.Samples) != 3 || act.Samples[0].PostID != "pd" || act.Samples[2].PostID != "pb" {
				t.Fatalf("samples %+v, want the newest three, newest first", act.Samples)
			}
			if sm := act.Samples[0]; sm.Problem != seismo.ProblemLogin || len(sm.Cues) != 2 || sm.Cues[1].Match != "down" {
				t.Errorf("the newest sample %+v lacks its problem or cues", sm)
			}
			global, err := s.Activity(ctx, "whatsapp", seismo.AllCountries, at(0), at(4), 0)
			if err != nil || global.Complaints != 4 || len(global.Samples) != 0 {
				t.Errorf("global activity without samples: %+v, %v", global, err)
			}
			if _, err := s.Activity(ctx, "whatsapp", "GB", at(0), at(0).Add(25*time.Hour), 3); seismo.ErrorCode(err) != seismo.CodeInvalid {
				t.Errorf("a span over a day: %v, want invalid", err)
			}
		})
	}
}
