package detect

import (
	"math"

	"github.com/seismo-dev/seismo"
)

// LogPoissonTail returns ln P(X >= k) for X ~ Poisson(lambda). It works in
// log space so that tails far below the smallest float64 (a burst of 300
// reporters where 10 are expected) still compare correctly.
func LogPoissonTail(k int, lambda float64) float64 {
	switch {
	case k <= 0:
		return 0
	case lambda <= 0 || math.IsNaN(lambda):
		return math.Inf(-1)
	case math.IsInf(lambda, 1):
		return 0
	}
	if float64(k) > lambda {
		// Sum the upper tail from its largest term, term(k); later terms
		// shrink by lambda/j < 1, so the sum converges and loses nothing.
		logTerm := logPoissonPMF(k, lambda)
		sum, t := 1.0, 1.0
		for j := k + 1; ; j++ {
			t *= lambda / float64(j)
			sum += t
			if t < sum*1e-17 {
				break
			}
		}
		return logTerm + math.Log(sum)
	}
	// The tail is at least about one half here: compute the lower tail
	// P(X <= k-1) from its largest term, term(k-1), downwards, and take the
	// complement with log1p, which stays accurate when the lower tail is
	// tiny.
	logTerm := logPoissonPMF(k-1, lambda)
	sum, t := 1.0, 1.0
	for j := k - 1; j > 0; j-- {
		t *= float64(j) / lambda
		sum += t
		if t < sum*1e-17 {
			break
		}
	}
	lower := math.Exp(logTerm + math.Log(sum))
	if lower >= 1 {
		return math.Inf(-1)
	}
	return math.Log1p(-lower)
}

// PoissonTail returns P(X >= k) for X ~ Poisson(lambda). It underflows to 0
// for extreme tails; compare LogPoissonTail values when that matters.
func PoissonTail(k int, lambda float64) float64 {
	return math.Exp(LogPoissonTail(k, lambda))
}

func logPoissonPMF(k int, lambda float64) float64 {
	lg, _ := math.Lgamma(float64(k) + 1)
	return -lambda + float64(k)*math.Log(lambda) - lg
}

// Level is how far a window's count stands above what was expected.
type Level int8

// Levels, in increasing order.
const (
	LevelNone Level = iota
	LevelWarning
	LevelDanger
)

// String returns the level's name.
func (l Level) String() string {
	switch l {
	case LevelWarning:
		return string(seismo.SeverityWarning)
	case LevelDanger:
		return string(seismo.SeverityDanger)
	}
	return "none"
}

// severity maps a firing level to the incident vocabulary.
func (l Level) severity() seismo.Severity {
	if l >= LevelDanger {
		return seismo.SeverityDanger
	}
	return seismo.SeverityWarning
}

func levelOf(s seismo.Severity) Level {
	switch s {
	case seismo.SeverityDanger:
		return LevelDanger
	case seismo.SeverityWarning:
		return LevelWarning
	}
	return LevelNone
}

// Assess grades observed distinct reporters in a window against the
// expected count. A level needs enough reporters, a large enough ratio and a
// small enough Poisson tail together, because each alone misfires: a count
// threshold on busy series, a ratio on sparse ones (2 where 0.25 was
// expected), a tail probability on small relative wobbles of huge ones.
func (c Config) Assess(observed int, expected float64) Level {
	if observed < c.MinReporters || expected <= 0 {
		return LevelNone
	}
	ratio := float64(observed) / expected
	if ratio < c.MinRatio {
		return LevelNone
	}
	logP := LogPoissonTail(observed, expected)
	if logP > math.Log(c.MaxP) {
		return LevelNone
	}
	if ratio >= c.DangerRatio && observed >= c.DangerReporters && logP <= math.Log(c.DangerP) {
		return LevelDanger
	}
	return LevelWarning
}
