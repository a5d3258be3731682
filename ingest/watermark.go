package ingest

import (
	"maps"
	"time"
)

// partitionMark is what one partition has shown of event time.
type partitionMark struct {
	newest time.Time // newest created_at accepted
	seen   time.Time // wall clock of the last accepted post
	// aheadRun counts posts rejected in a row for being too far ahead of
	// this partition's watermark; see resetAheadAfter.
	aheadRun int
}

// resetAheadAfter is how many posts in a row a partition may reject for
// being too far ahead of its watermark before the watermark itself is taken
// to be wrong (set by a stale outlier that happened to come first) and is
// moved to the next post. Without it one old post at the head of a
// partition would dead-letter everything after it.
const resetAheadAfter = 100

// watermarks tracks event time per partition. It is not safe for concurrent
// use: the processing loop owns one, and the committed copy is read under
// the consumer's lock.
type watermarks struct {
	lateness time.Duration
	idle     time.Duration
	parts    map[int]*partitionMark
	// pending holds partitions of the topic that have not shown a post
	// yet, with the wall-clock time we started waiting for them. Until
	// they show one or go idle the worker has no watermark: otherwise the
	// first partition to deliver would set it, and the posts of slower
	// partitions would all arrive late.
	pending map[int]time.Time
}

func newWatermarks(lateness, idle time.Duration) *watermarks {
	return &watermarks{lateness: lateness, idle: idle, parts: map[int]*partitionMark{}, pending: map[int]time.Time{}}
}

func (w *watermarks) clone() *watermarks {
	c := &watermarks{lateness: w.lateness, idle: w.idle,
		parts: make(map[int]*partitionMark, len(w.parts)), pending: maps.Clone(w.pending)}
	for p, m := range maps.All(w.parts) {
		cp := *m
		c.parts[p] = &cp
	}
	return c
}

// expect notes partitions that may deliver posts, as of now. Those already
// seen are ignored.
func (w *watermarks) expect(partitions []int, now time.Time) {
	for _, p := range partitions {
		if _, seen := w.parts[p]; !seen {
			w.pending[p] = now
		}
	}
}

// observe notes an accepted post of partition p.
func (w *watermarks) observe(p int, eventTime, now time.Time) {
	m := w.parts[p]
	if m == nil {
		m = &partitionMark{}
		w.parts[p] = m
	}
	if eventTime.After(m.newest) {
		m.newest = eventTime
	}
	m.seen = now
	m.aheadRun = 0
	delete(w.pending, p)
}

// partition returns the watermark of partition p.
func (w *watermarks) partition(p int) (time.Time, bool) {
	m := w.parts[p]
	if m == nil {
		return time.Time{}, false
	}
	return m.newest.Add(-w.lateness), true
}

// worker returns the worker's watermark at wall-clock time now: the minimum
// over partitions that had a post within the idle timeout, or, when every
// partition is idle (caught up), the maximum over all of them. There is none
// while an expected partition has shown nothing for less than the idle
// timeout.
func (w *watermarks) worker(now time.Time) (time.Time, bool) {
	for _, since := range w.pending {
		if now.Sub(since) < w.idle {
			return time.Time{}, false
		}
	}
	var lowActive, highAll time.Time
	var active, any bool
	for _, m := range w.parts {
		wm := m.newest.Add(-w.lateness)
		if !any || wm.After(highAll) {
			highAll = wm
		}
		any = true
		if now.Sub(m.seen) < w.idle {
			if !active || wm.Before(lowActive) {
				lowActive = wm
			}
			active = true
		}
	}
	switch {
	case active:
		return lowActive, true
	case any:
		return highAll, true
	}
	return time.Time{}, false
}

// reference is the watermark a post of partition p is checked against: the
// partition's own, or the worker's while the partition has none.
func (w *watermarks) reference(p int, now time.Time) (time.Time, bool) {
	if wm, ok := w.partition(p); ok {
		return wm, true
	}
	return w.worker(now)
}

// rejectedAhead notes a post of p rejected for being too far ahead of p's
// watermark and reports whether the run is long enough to reset it.
func (w *watermarks) rejectedAhead(p int) bool {
	m := w.parts[p]
	if m == nil {
		return false
	}
	m.aheadRun++
	return m.aheadRun >= resetAheadAfter
}

// reset forgets partition p's event time, so its next post defines it anew.
func (w *watermarks) reset(p int) {
	delete(w.parts, p)
}
