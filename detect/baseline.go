package detect

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// Baseline is the learned normal rate of one series: an exponentially
// weighted moving average of distinct reporters per minute. It is kept small
// and separate so a seasonal (hour-of-week) model can replace it.
//
// A new baseline starts at the floor and learns as a running mean, the floor
// counting as one prior minute, until the moving average's own weight takes
// over; it "warms from the floor" instead of trusting its first minute.
type Baseline struct {
	// Rate is the expected distinct reporters per minute.
	Rate float64
	// N is the number of minutes accounted for, learned or decayed.
	N int64
	// Last is the last unix minute accounted for, learned or skipped.
	Last int64
}

// maxGap is the longest idle gap replayed minute by minute: a year.
const maxGap = 366 * 24 * 60

// newBaseline starts a series first seen at minute m. The minutes since the
// detector started count as observed zeros: the series had no reports then,
// which is evidence that it is quiet.
func newBaseline(m, start int64, cfg Config) Baseline {
	n := max(m-start, 0)
	return Baseline{Rate: cfg.BaselineFloor, N: n, Last: m - 1}
}

// alpha is the moving average's weight of one minute.
func (c Config) alpha() float64 {
	return 1 - math.Exp2(-1/c.BaselineHalfLife.Minutes())
}

// Expected returns the reporters expected over a window of w minutes.
func (b Baseline) Expected(w int64, cfg Config) float64 {
	return float64(w) * max(b.Rate, cfg.BaselineFloor)
}

// catchUp accounts for minutes between Last and m that nobody evaluated: the
// series was idle, so they are zeros. Replaying them one by one gives the
// same value as evaluating every minute, so the result does not depend on
// when the series happened to be active.
func (b *Baseline) catchUp(m int64, cfg Config) {
	if gap := m - 1 - b.Last; gap > maxGap {
		// A baseline this stale is at the floor long before; skip the
		// loop rather than spin on a corrupt or ancient value.
		b.Rate, b.N, b.Last = 0, b.N+gap, m-1
		return
	}
	for b.Last < m-1 {
		b.update(0, cfg)
		b.Last++
	}
}

func (b *Baseline) update(x float64, cfg Config) {
	a := max(cfg.alpha(), 1/float64(b.N+2))
	b.Rate += a * (x - b.Rate)
	b.N++
}

// Learn adds minute m's distinct reporters x. A minute already accounted for
// is ignored, so re-evaluating a minute cannot teach it twice.
func (b *Baseline) Learn(m int64, x float64, cfg Config) {
	if m <= b.Last {
		return
	}
	b.catchUp(m, cfg)
	b.update(x, cfg)
	b.Last = m
}

// Skip accounts for minute m without learning it: the series is part of an
// incident, and outages must not teach the baseline what normal is.
func (b *Baseline) Skip(m int64) {
	if m > b.Last {
		b.Last = m
	}
}

// fields encodes the baseline for the series' base hash. Floats are written
// in their shortest exact form so a replay reads back the same values.
func (b Baseline) fields() []any {
	return []any{
		"rate", strconv.FormatFloat(b.Rate, 'g', -1, 64),
		"n", b.N,
		"last", b.Last,
	}
}

// parseBaseline decodes HMGET rate n last; ok is false when the hash is
// absent.
func parseBaseline(vals []any) (b Baseline, ok bool, err error) {
	if len(vals) != 3 || vals[0] == nil || vals[1] == nil || vals[2] == nil {
		return Baseline{}, false, nil
	}
	str := func(v any) string { s, _ := v.(string); return s }
	if b.Rate, err = strconv.ParseFloat(str(vals[0]), 64); err != nil {
		return Baseline{}, false, fmt.Errorf("baseline rate: %w", err)
	}
	if b.N, err = strconv.ParseInt(str(vals[1]), 10, 64); err != nil {
		return Baseline{}, false, fmt.Errorf("baseline n: %w", err)
	}
	if b.Last, err = strconv.ParseInt(str(vals[2]), 10, 64); err != nil {
		return Baseline{}, false, fmt.Errorf("baseline last: %w", err)
	}
	return b, true, nil
}

// minuteTime converts a unix minute to its start time.
func minuteTime(m int64) time.Time { return time.Unix(m*60, 0).UTC() }

// unixMinute returns the unix minute containing t.
func unixMinute(t time.Time) int64 {
	s := t.Unix()
	if s < 0 && s%60 != 0 {
		return s/60 - 1
	}
	return s / 60
}
