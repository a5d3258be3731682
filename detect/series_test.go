package detect_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/detect"
)

// poisson draws a Poisson count: Knuth's product of uniforms for small
// means, the rounded normal approximation for large ones.
func poisson(rng *rand.Rand, mean float64) float64 {
	if mean > 50 {
		return max(0, math.Round(mean+math.Sqrt(mean)*rng.NormFloat64()))
	}
	l, k, p := math.Exp(-mean), 0.0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// seriesRun feeds values at step from t0 and returns every result.
func seriesRun(t *testing.T, cfg detect.Config, step time.Duration, values []float64) []detect.SeriesResult {
	t.Helper()
	sd, err := detect.NewSeriesDetector(cfg, t0, step)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]detect.SeriesResult, len(values))
	for i, v := range values {
		if out[i], err = sd.Observe(t0.Add(time.Duration(i)*step), v); err != nil {
			t.Fatalf("bucket %d: %v", i, err)
		}
	}
	return out
}

func opened(rs []detect.SeriesResult) []int {
	var at []int
	for i, r := range rs {
		if r.Opened {
			at = append(at, i)
		}
	}
	return at
}

func resolved(rs []detect.SeriesResult) []int {
	var at []int
	for i, r := range rs {
		if r.Resolved {
			at = append(at, i)
		}
	}
	return at
}

// fiveMin is the bucket of the tweet series the series profile is for.
const fiveMin = 5 * time.Minute

func TestSeriesDetector(t *testing.T) {
	const day = 288 // five-minute buckets
	rng := rand.New(rand.NewPCG(3, 4))
	noisy := func(n int, mean func(i int) float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = poisson(rng, mean(i))
		}
		return v
	}
	flat := func(int) float64 { return 40 }
	// Ten times busier at 14:00 than at 02:00, with a weekday rhythm's
	// smooth rise and fall.
	rhythm := func(i int) float64 {
		phase := 2 * math.Pi * float64(i%day-14*12) / day
		return 55 + 45*math.Cos(phase)
	}
	spike := noisy(5*day, flat)
	spikeAt := 3 * day
	for i := spikeAt; i < spikeAt+6; i++ { // half an hour of twenty times the rate
		spike[i] = poisson(rng, 800)
	}
	cfg := detect.SeriesConfig()
	quiet, window := int(cfg.QuietFor/fiveMin), int(cfg.Window/fiveMin)
	tests := []struct {
		name     string
		values   []float64
		opened   []int
		resolved []int
		from     int // buckets before this are the series' first days, not checked
	}{
		{"flat series opens nothing", noisy(4*day, flat), nil, nil, 0},
		{"zeros open nothing", make([]float64, day), nil, nil, 0},
		{"daily rhythm is not an incident", noisy(10*day, rhythm), nil, nil, 2 * day},
		// It fires from the spike's first bucket until the spike has left
		// the window, and resolves QuietFor later.
		{"spike opens once and resolves after QuietFor", spike, []int{spikeAt}, []int{spikeAt + 5 + window - 1 + quiet}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := seriesRun(t, cfg, fiveMin, tt.values)[tt.from:]
			if got := opened(rs); !equalInts(got, tt.opened) {
				t.Errorf("opened at %v, want %v", got, tt.opened)
			}
			if got := resolved(rs); !equalInts(got, tt.resolved) {
				t.Errorf("resolved at %v, want %v", got, tt.resolved)
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// While a series is part of an incident its baseline does not learn, so a
// long outage is still measured against the normal before it; with
// RelearnAfter it learns again and a lasting change of level ends.
func TestSeriesDetectorLearning(t *testing.T) {
	tests := []struct {
		name    string
		relearn time.Duration
		ends    bool
	}{
		{"paused while in the incident", 0, false},
		{"relearns after RelearnAfter", 2 * time.Hour, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := detect.DefaultConfig()
			cfg.RelearnAfter = tt.relearn
			cfg.BaselineHalfLife = 30 * time.Minute
			values := make([]float64, 600)
			for i := range values {
				values[i] = 1
				if i >= 120 {
					values[i] = 12 // the new normal
				}
			}
			rs := seriesRun(t, cfg, time.Minute, values)
			if got := opened(rs); len(got) != 1 {
				t.Fatalf("opened at %v, want once", got)
			}
			if ended := len(resolved(rs)) > 0; ended != tt.ends {
				t.Errorf("resolved = %v, want %v", ended, tt.ends)
			}
			// Learning was paused through the first RelearnAfter (or
			// forever): the baseline still expects the old level then.
			check := 119 + 60
			if got := rs[check].Expected; got > 3*5 {
				t.Errorf("an hour into the incident it expects %.1f in the window, want the old ~5", got)
			}
			if !tt.ends && rs[len(rs)-1].Status != seismo.StatusOpen {
				t.Errorf("status at the end = %q, want open", rs[len(rs)-1].Status)
			}
		})
	}
}

// Nothing fires during the warm-up, however large.
func TestSeriesDetectorWarmup(t *testing.T) {
	cfg := detect.DefaultConfig()
	values := make([]float64, 90)
	for i := range values {
		values[i] = 1
		if i >= 10 && i < 20 {
			values[i] = 500
		}
	}
	rs := seriesRun(t, cfg, time.Minute, values)
	for i, r := range rs[:int(cfg.Warmup/time.Minute)] {
		if r.Level != detect.LevelNone || r.Status != "" {
			t.Fatalf("minute %d fired during the warm-up: %+v", i, r)
		}
	}
	if got := opened(rs); len(got) != 0 {
		t.Errorf("opened at %v after the warm-up on a series back to normal", got)
	}
}

// A series detector over the counts of one series opens and resolves at
// the same minutes as the Redis detector over the posts behind them.
func TestSeriesDetectorMatchesDetector(t *testing.T) {
	perMinute := make([]int, 300)
	for m := range perMinute {
		perMinute[m] = 1 + m%3
		if m >= 150 && m < 170 {
			perMinute[m] = 15
		}
	}
	cfg := detect.DefaultConfig()
	s := newStore(t, backends[1].open(t), nil)
	d := newDetector(t, s, cfg)
	tr := traffic{}
	for m, n := range perMinute {
		tr.add("p", "whatsapp", "US", m, m+1, n)
	}
	var wantOpen, wantResolve []int
	for _, ev := range live(t, s, d, tr, 0, len(perMinute)) {
		m := int(ev.Timestamp.Sub(t0)/time.Minute) - 1 // the event comes at the minute's end
		switch ev.Type {
		case seismo.EventOpened:
			wantOpen = append(wantOpen, m)
		case seismo.EventResolved:
			wantResolve = append(wantResolve, m)
		}
	}
	if len(wantOpen) == 0 {
		t.Fatal("the Redis detector opened nothing; the scenario tests nothing")
	}
	values := make([]float64, len(perMinute))
	for m, n := range perMinute {
		values[m] = float64(n)
	}
	rs := seriesRun(t, cfg, time.Minute, values)
	if got := opened(rs); !equalInts(got, wantOpen) {
		t.Errorf("series detector opened at %v, the Redis detector at %v", got, wantOpen)
	}
	if got := resolved(rs); !equalInts(got, wantResolve) {
		t.Errorf("series detector resolved at %v, the Redis detector at %v", got, wantResolve)
	}
}

func TestSeriesDetectorErrors(t *testing.T) {
	t.Run("step must tile the hour or the week", func(t *testing.T) {
		for _, step := range []time.Duration{7 * time.Minute, 25 * time.Minute, 1500 * time.Millisecond, 5 * time.Hour, 0} {
			if _, err := detect.NewSeriesDetector(detect.SeriesConfig(), t0, step); err == nil {
				t.Errorf("step %s accepted", step)
			}
		}
	})
	t.Run("config is validated", func(t *testing.T) {
		cfg := detect.SeriesConfig()
		cfg.SpreadClip = 0
		if _, err := detect.NewSeriesDetector(cfg, t0, fiveMin); err == nil || !strings.Contains(err.Error(), "SpreadClip") {
			t.Errorf("err = %v, want SpreadClip named", err)
		}
	})
	tests := []struct {
		name  string
		t     time.Time
		value float64
		want  string
	}{
		{"off the grid", t0.Add(fiveMin + time.Minute), 1, "not on the grid"},
		{"a gap", t0.Add(2 * fiveMin), 1, "want the bucket at"},
		{"the same bucket again", t0, 1, "want the bucket at"},
		{"negative", t0.Add(fiveMin), -1, "not negative"},
		{"NaN", t0.Add(fiveMin), math.NaN(), "finite"},
		{"infinite", t0.Add(fiveMin), math.Inf(1), "finite"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sd, err := detect.NewSeriesDetector(detect.SeriesConfig(), t0, fiveMin)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := sd.Observe(t0, 3); err != nil {
				t.Fatal(err)
			}
			_, err = sd.Observe(tt.t, tt.value)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to say %q", err, tt.want)
			}
			// A refused bucket changes nothing: the next one is still due.
			if _, err := sd.Observe(t0.Add(fiveMin), 3); err != nil {
				t.Errorf("after a refused bucket: %v", err)
			}
		})
	}
}

// An outage that builds up opens at its first firing minute, because the
// minute before already stood out (OnsetP); a jump out of nothing waits
// PendingFor. The Redis detector agrees with the series detector, also
// when a new detector, with nothing cached, takes over between the minute
// that stood out and the one that fires.
func TestOnset(t *testing.T) {
	const quiet = 180
	background := func(m int) int {
		if m%10 == 0 {
			return 1
		}
		return 0
	}
	buildUp := []int{1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6}
	jump := []int{8, 0, 0, 0}
	for _, tc := range []struct {
		name   string
		burst  []int
		onsetP float64
		// wait is how many minutes after its first firing minute the
		// series opens.
		wait int
	}{
		{"build-up opens at once", buildUp, 1e-2, 0},
		{"build-up without OnsetP waits", buildUp, 0, 1},
		{"jump waits", jump, 1e-2, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := detect.DefaultConfig()
			cfg.OnsetP = tc.onsetP
			perMinute := make([]int, quiet+len(tc.burst)+5)
			for m := range perMinute {
				perMinute[m] = background(m)
			}
			copy(perMinute[quiet:], tc.burst)
			values := make([]float64, len(perMinute))
			for m, n := range perMinute {
				values[m] = float64(n)
			}
			rs := seriesRun(t, cfg, time.Minute, values)
			firing := -1
			for m, r := range rs {
				if r.Level > detect.LevelNone {
					firing = m
					break
				}
			}
			if firing < quiet {
				t.Fatalf("first firing minute %d, want one at or after %d", firing, quiet)
			}
			if got, want := opened(rs), []int{firing + tc.wait}; !equalInts(got, want) {
				t.Fatalf("series detector opened at %v, want %v (first firing minute %d)", got, want, firing)
			}
			tr := traffic{}
			for m, n := range perMinute {
				tr.add("p", "whatsapp", "US", m, m+1, n)
			}
			// The takeover comes just before the first firing minute.
			s := newStore(t, backends[1].open(t), nil)
			events := live(t, s, newDetector(t, s, cfg), tr, 0, firing)
			events = append(events, live(t, s, newDetector(t, s, cfg), tr, firing, len(perMinute))...)
			var got []int
			for _, ev := range events {
				if ev.Type == seismo.EventOpened {
					got = append(got, int(ev.Timestamp.Sub(t0)/time.Minute)-1)
				}
			}
			if want := opened(rs); !equalInts(got, want) {
				t.Errorf("Redis detector opened at %v, the series detector at %v", got, want)
			}
		})
	}
}
