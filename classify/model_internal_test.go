package classify

import (
	"math"
	"math/rand/v2"
	"testing"
)

// platt learns the slope and offset that make over- or under-confident
// scores honest, and never leaves the loss above that of no slope at all,
// even on scores so large that sigmoid saturates.
func TestPlatt(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name  string
		scale float64 // raw score = scale × true log-odds
	}{
		{"honest", 1}, {"eight times too confident", 8}, {"too timid", 0.25}, {"saturated", 1e4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var zs []float64
			var ys []bool
			for range 4000 {
				logit := rng.NormFloat64() * 2
				zs = append(zs, tc.scale*logit)
				ys = append(ys, rng.Float64() < sigmoid(logit))
			}
			ab := platt(zs, ys)
			before, _ := calibrationLoss(zs, ys, 0, math.Log(0.5/0.5))
			after, ece := calibrationLoss(zs, ys, ab[0], ab[1])
			if math.IsNaN(ab[0]) || math.IsNaN(ab[1]) || after > before {
				t.Fatalf("platt = %v: log loss %.3f, %.3f with no slope", ab, after, before)
			}
			if tc.scale <= 8 {
				if want := 1 / tc.scale; math.Abs(ab[0]-want) > 0.2*want {
					t.Errorf("slope %.3f, want about %.3f", ab[0], want)
				}
				if ece > 0.03 {
					t.Errorf("calibration error %.3f after calibration", ece)
				}
			}
		})
	}
}

// A model whose calibration or weights are not finite numbers is refused:
// NaN compares false with everything and would turn every complaint off.
func TestModelNotFinite(t *testing.T) {
	for name, spoil := range map[string]func(m *model){
		"NaN slope":        func(m *model) { m.cal[headComplaint][0] = math.NaN() },
		"infinite offset":  func(m *model) { m.cal[headRecovery][1] = math.Inf(1) },
		"infinite weight":  func(m *model) { m.bin[7] = float32(math.Inf(-1)) },
		"NaN problem head": func(m *model) { m.prob[3] = float32(math.NaN()) },
	} {
		m := newModel()
		m.bin[2] = 0.5
		spoil(m)
		if err := m.check(); err == nil {
			t.Errorf("%s: check passed", name)
		}
		if data, err := m.marshal(); err == nil {
			if _, err := parseModel(data); err == nil {
				t.Errorf("%s: parsed", name)
			}
		}
	}
}
