package detect_test

import (
	"math"
	"testing"

	"github.com/seismo-dev/seismo/detect"
)

// Reference values computed with mpmath at 50 digits as the regularised
// lower incomplete gamma function P(k, lambda) = P(X >= k).
func TestLogPoissonTail(t *testing.T) {
	tests := []struct {
		name   string
		k      int
		lambda float64
		logP   float64
	}{
		{"one event at mean one", 1, 1, -0.45867514538708189},
		{"mild excess", 5, 2, -2.9440317325720809},
		{"ten where one expected", 10, 1, -16.009909825202022},
		{"min reporters on the floor", 5, 0.25, -11.926668153761849},
		{"at the mean", 10, 10, -0.61235960785375469},
		{"just above the mean", 11, 10, -0.87476438593077844},
		{"large burst", 50, 10, -43.131379314082428},
		{"huge burst", 100, 10, -143.37672310061887},
		{"underflows float64", 300, 10, -734.09653895773933},
		{"far below float64", 1000, 1, -5913.1271789888283},
		{"sparse series", 20, 0.05, -102.29787839928074},
		{"big mean at the mean", 1000, 1000, -0.68477186329031015},
		{"big mean above", 1100, 1000, -6.9458410143652124},
		{"big mean below", 900, 1000, -0.00062279167875856679},
		{"far below the mean", 3, 100, -1.8976107553741788e-40},
		{"very big mean", 100000, 100000, -0.69230648981872485},
		{"tiny mean", 5, 1e-6, -73.86504536593674},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := detect.LogPoissonTail(tt.k, tt.lambda)
			if rel := math.Abs(got-tt.logP) / math.Abs(tt.logP); rel > 1e-9 {
				t.Errorf("LogPoissonTail(%d, %g) = %.17g, want %.17g (rel err %.2g)", tt.k, tt.lambda, got, tt.logP, rel)
			}
		})
	}
}

func TestPoissonTailEdges(t *testing.T) {
	tests := []struct {
		name   string
		k      int
		lambda float64
		want   float64
	}{
		{"zero events is certain", 0, 3, 1},
		{"negative k is certain", -2, 3, 1},
		{"zero mean never fires", 1, 0, 0},
		{"negative mean never fires", 4, -1, 0},
		{"extreme tail underflows to zero", 1000, 1, 0},
		{"one at mean one", 1, 1, 1 - math.Exp(-1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := detect.PoissonTail(tt.k, tt.lambda); math.Abs(got-tt.want) > 1e-15 {
				t.Errorf("PoissonTail(%d, %g) = %g, want %g", tt.k, tt.lambda, got, tt.want)
			}
		})
	}
}

func TestLogPoissonTailMonotone(t *testing.T) {
	for _, lambda := range []float64{0.05, 1, 7.5, 40, 5000} {
		prev := 0.0
		for k := 0; k < 400; k++ {
			got := detect.LogPoissonTail(k, lambda)
			if got > prev+1e-12 || math.IsNaN(got) {
				t.Fatalf("lambda %g: log tail at k=%d is %g, above k-1's %g", lambda, k, got, prev)
			}
			prev = got
		}
	}
}

func TestAssess(t *testing.T) {
	cfg := detect.DefaultConfig()
	tests := []struct {
		name     string
		observed int
		expected float64
		want     detect.Level
	}{
		{"nothing", 0, 5, detect.LevelNone},
		{"normal", 5, 5, detect.LevelNone},
		{"too few reporters despite huge ratio", 4, 0.25, detect.LevelNone},
		{"min reporters on the floor", 5, 0.25, detect.LevelWarning},
		{"ratio below min", 14, 5, detect.LevelNone},
		{"ratio met but not significant", 8, 2.5, detect.LevelNone},
		{"warning", 45, 5, detect.LevelWarning},
		{"danger", 85, 5, detect.LevelDanger},
		{"danger needs its reporters", 9, 0.25, detect.LevelWarning},
		{"busy series wobble", 1150, 1000, detect.LevelNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cfg.Assess(tt.observed, tt.expected, 0); got != tt.want {
				t.Errorf("Assess(%d, %g) = %s, want %s", tt.observed, tt.expected, got, tt.want)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*detect.Config)
		ok     bool
	}{
		{"default", func(*detect.Config) {}, true},
		{"no warm-up", func(c *detect.Config) { c.Warmup = 0 }, true},
		{"zero window", func(c *detect.Config) { c.Window = 0 }, false},
		{"window not whole minutes", func(c *detect.Config) { c.Window = 90 * 1e9 }, false},
		{"negative quiet", func(c *detect.Config) { c.QuietFor = -60 * 1e9 }, false},
		{"no poll", func(c *detect.Config) { c.Poll = 0 }, false},
		{"ratio below one", func(c *detect.Config) { c.MinRatio = 0.5 }, false},
		{"p out of range", func(c *detect.Config) { c.MaxP = 1 }, false},
		{"danger easier than warning", func(c *detect.Config) { c.DangerP = 0.1 }, false},
		{"no floor", func(c *detect.Config) { c.BaselineFloor = 0 }, false},
		{"too many samples", func(c *detect.Config) { c.Samples = 500 }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := detect.DefaultConfig()
			tt.change(&c)
			if err := c.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}
