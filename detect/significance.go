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

// LogNegBinomTail returns ln P(X >= k) for a negative binomial X with mean
// mu and variance mu + a*mu². a = 0 is the Poisson tail. Bursty series,
// whose volume swings with the news of the day, need the extra variance:
// the Poisson tail would call every swing of a busy series an outage.
func LogNegBinomTail(k int, mu, a float64) float64 {
	switch {
	case a <= 1e-12 || math.IsNaN(a):
		return LogPoissonTail(k, mu)
	case k <= 0:
		return 0
	case mu <= 0 || math.IsNaN(mu):
		return math.Inf(-1)
	case math.IsInf(mu, 1):
		return 0
	}
	r := 1 / a
	q := mu / (r + mu) // success probability of the per-trial odds
	logPMF := func(j int) float64 {
		lgjr, _ := math.Lgamma(float64(j) + r)
		lgr, _ := math.Lgamma(r)
		lgj, _ := math.Lgamma(float64(j) + 1)
		return lgjr - lgr - lgj + r*math.Log1p(-q) + float64(j)*math.Log(q)
	}
	// The pmf rises while (j+r)q/(j+1) > 1 and falls after its mode.
	mode := 0.0
	if r > 1 {
		mode = math.Floor((r - 1) * q / (1 - q))
	}
	if float64(k) > mode {
		// Upper tail from its largest term, term(k). The ratio of
		// successive terms falls towards q < 1; once it is below one the
		// rest is bounded by a geometric series with that ratio.
		sum, t := 1.0, 1.0
		for j := k; ; j++ {
			rho := (float64(j) + r) / float64(j+1) * q
			t *= rho
			sum += t
			if t < sum*1e-17 || (rho < 1 && t*rho/(1-rho) < sum*1e-15) || j-k > 1e7 {
				if rho < 1 {
					sum += t * rho / (1 - rho)
				}
				break
			}
		}
		return logPMF(k) + math.Log(sum)
	}
	// At or below the mode the tail is large: take the complement of the
	// lower tail, summed from term(k-1) downwards.
	sum, t := 1.0, 1.0
	for j := k - 1; j > 0; j-- {
		t *= float64(j) / ((float64(j) - 1 + r) * q)
		sum += t
		if t < sum*1e-17 {
			break
		}
	}
	lower := math.Exp(logPMF(k-1) + math.Log(sum))
	if lower >= 1 {
		return math.Inf(-1)
	}
	return math.Log1p(-lower)
}

// Assess grades observed distinct reporters in a window against the
// expected count, for a series with overdispersion spread (see
// LogNegBinomTail). A level needs enough reporters, a large enough ratio and
// a small enough tail probability together, because each alone misfires: a
// count threshold on busy series, a ratio on sparse ones (2 where 0.25 was
// expected), a tail probability on small relative wobbles of huge ones.
func (c Config) Assess(observed int, expected, spread float64) Level {
	if observed < c.MinReporters || expected <= 0 {
		return LevelNone
	}
	ratio := float64(observed) / expected
	if ratio < c.MinRatio {
		return LevelNone
	}
	logP := LogNegBinomTail(observed, expected, spread)
	if logP > math.Log(c.MaxP) {
		return LevelNone
	}
	if ratio >= c.DangerRatio && observed >= c.DangerReporters && logP <= math.Log(c.DangerP) {
		return LevelDanger
	}
	return LevelWarning
}

// Threshold returns the fewest distinct reporters in a window that Assess
// grades at least a warning, given the expected count and spread: the line
// a chart draws as "fires above". Assess is monotone in the count, so the
// answer is found by doubling and then halving; 0 means nothing would fire
// (an expected count of zero or a bound beyond any real window).
func (c Config) Threshold(expected, spread float64) int {
	if expected <= 0 || math.IsNaN(expected) || math.IsInf(expected, 0) {
		return 0
	}
	fires := func(k int) bool { return c.Assess(k, expected, spread) > LevelNone }
	lo := max(c.MinReporters, int(math.Ceil(c.MinRatio*expected)), 1)
	if fires(lo) {
		// The ratio's ceiling can round up past the exact line.
		for lo > 1 && fires(lo-1) {
			lo--
		}
		return lo
	}
	const limit = 1 << 30
	hi := lo * 2
	for !fires(hi) {
		if hi >= limit {
			return 0
		}
		lo, hi = hi, min(hi*2, limit)
	}
	for hi-lo > 1 { // lo does not fire, hi does
		mid := lo + (hi-lo)/2
		if fires(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}
