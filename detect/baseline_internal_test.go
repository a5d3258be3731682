package detect

import (
	"math"
	"testing"
)

// Reference values from mpmath at 50 digits: ln I_q(k, r), the regularised
// incomplete beta function, which is P(X >= k) for the negative binomial
// with r = 1/a and q = mu/(r+mu).
func TestLogNegBinomTail(t *testing.T) {
	tests := []struct {
		name string
		k    int
		mu   float64
		a    float64
		logP float64
	}{
		{"poisson-like small a", 10, 2.0, 0.01, -9.700726043173343},
		{"bursty busy series", 300, 150.0, 0.1, -5.0963733381863515},
		{"bursty at the mean", 150, 150.0, 0.1, -0.77229837055442969},
		{"below the mean", 100, 150.0, 0.1, -0.15567442538363114},
		{"sparse", 5, 0.25, 0.5, -9.2915271659066897},
		{"huge excess", 2000, 150.0, 0.1, -98.332305559125973},
		{"large a", 50, 10.0, 2.0, -3.5910415384167496},
		{"tiny r", 3, 5.0, 20.0, -1.9218694921991515},
		{"just above mode", 11, 10.0, 0.05, -0.87889764639951605},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := LogNegBinomTail(tt.k, tt.mu, tt.a)
			if rel := math.Abs(got-tt.logP) / math.Abs(tt.logP); rel > 1e-9 {
				t.Errorf("LogNegBinomTail(%d, %g, %g) = %.17g, want %.17g (rel err %.2g)", tt.k, tt.mu, tt.a, got, tt.logP, rel)
			}
		})
	}
	t.Run("a of zero is the Poisson tail", func(t *testing.T) {
		if got, want := LogNegBinomTail(20, 5, 0), LogPoissonTail(20, 5); got != want {
			t.Errorf("got %g, want %g", got, want)
		}
	})
	t.Run("more spread never makes a burst rarer", func(t *testing.T) {
		prev := LogNegBinomTail(60, 20, 0)
		for _, a := range []float64{0.01, 0.1, 0.5, 1, 4} {
			got := LogNegBinomTail(60, 20, a)
			if got < prev {
				t.Errorf("a=%g: ln P = %g, below %g at less spread", a, got, prev)
			}
			prev = got
		}
	})
}

// slotSteps must agree with counting one step at a time.
func TestSlotSteps(t *testing.T) {
	grids := []struct {
		name string
		g    grid
	}{
		{"minutes", minuteGrid},
		{"five minutes off the hour", grid{origin: 1424986973, step: 300}},
		{"negative origin", grid{origin: -7 * 3600, step: 120}},
		{"two hours", grid{origin: 0, step: 7200}},
	}
	for _, gg := range grids {
		t.Run(gg.name, func(t *testing.T) {
			for _, n := range []int64{hoursPerDay, hoursPerWeek} {
				for _, span := range []int64{0, 1, 2, 59, 61, 1439, 1500, 10081, 25000} {
					for _, b := range []int64{1000, 123457, 5_000_000} {
						a := b - span
						want := countSlot(gg.g, a+1, b-1, n, gg.g.slot(b, n))
						got := gg.g.slotSteps(a, b, n)
						if got != want {
							t.Errorf("n=%d (%d, %d): got %d, want %d", n, a, b, got, want)
						}
					}
				}
			}
		})
	}
}

func TestEstimateZerosClosedForm(t *testing.T) {
	for _, k := range []int64{1, 7, 300} {
		a := Estimate{Mean: 3, Weight: 12}
		b := a
		for range k {
			a.add(0, 0.99)
		}
		b.addZeros(k, 0.99)
		if math.Abs(a.Mean-b.Mean) > 1e-9*a.Mean || math.Abs(a.Weight-b.Weight) > 1e-9*a.Weight {
			t.Errorf("k=%d: stepwise %+v, closed form %+v", k, a, b)
		}
	}
}

func TestBaselineLearn(t *testing.T) {
	md := newModel(DefaultConfig(), minuteGrid)
	const start = 1_000_000 * 60
	tests := []struct {
		name    string
		rate    float64 // per minute fed for an hour
		skipAll bool
		want    float64
		tol     float64
	}{
		{"warms to a steady rate", 4, false, 4, 0.15},
		{"quiet stays at the floor", 0, false, 0.05, 1e-9},
		{"skipped minutes teach nothing", 40, true, 0.05, 1e-9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := md.fresh(start, start)
			for m := int64(start); m < start+60; m++ {
				if tt.skipAll {
					md.skip(&b, m)
					continue
				}
				md.learn(&b, m, tt.rate, int(tt.rate), md.expected(b))
				md.learn(&b, m, 1000, 1000, 1) // same minute again: ignored
			}
			if got := md.rate(b); math.Abs(got-tt.want) > tt.tol {
				t.Errorf("expected per minute = %g, want %g±%g", got, tt.want, tt.tol)
			}
			if b.Level.Last != start+59 {
				t.Errorf("Last = %d, want %d", b.Level.Last, start+59)
			}
		})
	}
}

// slotStore keeps the seasonal slots outside the Baseline, as Redis does,
// and loads the two of each step the way parseBaseline does.
type slotStore struct {
	md        model
	b         Baseline
	day, week map[int64]Estimate
}

func newSlotStore(md model, start int64) *slotStore {
	return &slotStore{md: md, b: md.fresh(start, start), day: map[int64]Estimate{}, week: map[int64]Estimate{}}
}

func (s *slotStore) load(m int64) {
	get := func(slots map[int64]Estimate, k int64) Estimate {
		if e, ok := slots[k]; ok {
			return e
		}
		return Estimate{Last: s.b.Level.Last}
	}
	s.b.Day = get(s.day, s.md.g.slot(m, hoursPerDay))
	s.b.Week = get(s.week, s.md.g.slot(m, hoursPerWeek))
	s.md.catchUp(&s.b, m)
}

func (s *slotStore) learn(m int64, x float64) {
	s.load(m)
	s.md.learn(&s.b, m, x, int(float64(s.md.window)*x), s.md.expected(s.b))
	s.day[s.md.g.slot(m, hoursPerDay)], s.week[s.md.g.slot(m, hoursPerWeek)] = s.b.Day, s.b.Week
}

// A series busy by day and quiet by night must expect each in its hour
// after two weeks, although its recent level is in between.
func TestBaselineSeasonal(t *testing.T) {
	md := newModel(DefaultConfig(), minuteGrid)
	rate := func(m int64) float64 {
		if h := (m / 60) % 24; h >= 8 && h < 20 {
			return 10
		}
		return 1
	}
	start := int64(20_000 * 1440) // a midnight
	s := newSlotStore(md, start)
	for m := start; m < start+14*1440; m++ {
		s.learn(m, rate(m))
	}
	for _, h := range []int64{3, 10, 22} {
		m := start + 14*1440 + h*60
		s.load(m)
		want := rate(m)
		if got := md.rate(s.b); math.Abs(got-want) > 0.1*want {
			t.Errorf("%02d:00: expected %g per minute, want %g", h, got, want)
		}
	}
	if a := s.b.Spread.Mean; a > 0.05 {
		t.Errorf("a steady series learned spread %g", a)
	}
}

// A series idle for days expects less in the slots it missed, exactly as if
// it had been evaluated with zeros through the silence.
func TestBaselineIdleCatchUp(t *testing.T) {
	md := newModel(DefaultConfig(), minuteGrid)
	start := int64(20_000*1440 + 13*60)
	through, lazy := newSlotStore(md, start), newSlotStore(md, start)
	for m := start; m < start+3*60; m++ {
		through.learn(m, 3)
		lazy.learn(m, 3)
	}
	end := start + 9*1440 + 30
	for m := start + 3*60; m < end; m++ {
		through.learn(m, 0)
	}
	through.load(end)
	lazy.load(end)
	a, b := through.b, lazy.b
	if math.Abs(md.rate(a)-md.rate(b)) > 1e-9*md.rate(a) || math.Abs(a.Day.Weight-b.Day.Weight) > 1e-9*a.Day.Weight ||
		math.Abs(a.Week.Mean-b.Week.Mean) > 1e-9*a.Week.Mean {
		t.Errorf("evaluated through: %+v\ncaught up: %+v", a, b)
	}
	if md.rate(b) >= 3*0.5 {
		t.Errorf("after nine idle days the rate is still %g", md.rate(b))
	}
}

// A young hour slot of a sparse series holds little evidence: a few quiet
// minutes at the start of an hour must not swing the expected rate, while
// a busy series' slot, whose minutes say more, may move it.
func TestSeasonPriorEvents(t *testing.T) {
	for _, tc := range []struct {
		name   string
		level  float64 // per minute
		events float64
		// lowest is the least share of the level the rate may keep
		// after ten quiet minutes in a new slot.
		lowest, highest float64
	}{
		{"sparse series keeps its level", 0.1, 20, 0.9, 1},
		{"sparse series without the events prior", 0.1, 0, 0, 0.8},
		{"busy series learns its slot", 5, 20, 0, 0.8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.SeasonPriorEvents = tc.events
			md := newModel(cfg, minuteGrid)
			b := Baseline{Level: Estimate{Mean: tc.level, Weight: 500}}
			for range 10 {
				b.Day.add(0, md.dayDecay)
				b.Week.add(0, md.weekDecay)
			}
			if got := md.rate(b) / tc.level; got < tc.lowest || got > tc.highest {
				t.Errorf("rate is %.3f of the level, want [%g, %g]", got, tc.lowest, tc.highest)
			}
		})
	}
}
