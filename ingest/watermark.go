package ingest

import (
	"time"

	"github.com/segmentio/kafka-go"
)

// Event time is tracked in two places. The processing loop keeps marks, the
// newest accepted created_at of each partition including the batch in hand:
// they decide which posts are late or too far behind. The tracker holds the
// marks as of the last committed batch together with what the fetcher has
// seen of each partition: it decides the worker's watermark, so that the
// watermark never counts posts that are not recorded yet.

// partitionState is what the tracker knows of one partition.
type partitionState struct {
	// marked is false until a post of the partition was committed; newest
	// is then the newest created_at committed.
	marked bool
	newest time.Time

	// fetched is the offset of the last message fetched (-1 before any),
	// highWater the partition's high-water mark when it was fetched and
	// fetchedAt the wall clock of that fetch.
	fetched   int64
	highWater int64
	fetchedAt time.Time
	// committed is the offset of the last message committed, -1 before any.
	committed int64
}

// inFlight reports whether messages of the partition were fetched but not
// committed yet.
func (s *partitionState) inFlight() bool { return s.fetched > s.committed }

// caughtUp reports whether the last fetched message was the partition's
// last one when it was fetched.
func (s *partitionState) caughtUp() bool { return s.fetched >= 0 && s.fetched+1 >= s.highWater }

// tracker decides the worker's watermark. It is not safe for concurrent
// use; the consumer guards it with its lock.
type tracker struct {
	lateness time.Duration
	idle     time.Duration
	// since is the wall clock of the start or of the last rebalance: a
	// partition that has delivered nothing since is either not assigned to
	// this worker or not started yet.
	since time.Time
	parts map[int]*partitionState
}

func newTracker(lateness, idle time.Duration, now time.Time) *tracker {
	return &tracker{lateness: lateness, idle: idle, since: now, parts: map[int]*partitionState{}}
}

func (t *tracker) state(p int) *partitionState {
	s := t.parts[p]
	if s == nil {
		s = &partitionState{fetched: -1, committed: -1}
		t.parts[p] = s
	}
	return s
}

// expect notes partitions that may deliver posts. Until they deliver, or
// IdleTimeout after the start, the worker has no watermark: otherwise the
// first partition to deliver would set it alone and the posts of slower
// ones would all pass under it.
func (t *tracker) expect(partitions []int) {
	for _, p := range partitions {
		t.state(p)
	}
}

// rebalanced notes a new consumer-group generation at wall-clock time now.
// The partitions of the last one may have gone to other workers; those
// that deliver nothing in the new one stop holding the watermark back
// after IdleTimeout, as at the start.
func (t *tracker) rebalanced(now time.Time) { t.since = now }

// fetched notes a message handed out by the reader at wall-clock time now.
func (t *tracker) fetched(m kafka.Message, now time.Time) {
	s := t.state(m.Partition)
	s.fetched, s.highWater, s.fetchedAt = m.Offset, m.HighWaterMark, now
}

// commit notes a committed batch: the highest committed offset of each of
// its partitions, and the loop's marks, which include the batch.
func (t *tracker) commit(offsets map[int]int64, marks map[int]time.Time) {
	for p, off := range offsets {
		s := t.state(p)
		s.committed = max(s.committed, off)
	}
	for p, newest := range marks {
		s := t.state(p)
		s.marked, s.newest = true, newest
	}
}

// idleAt reports whether partition s may stop holding the watermark back
// at wall-clock time now. Silence alone is not enough: a partition whose
// batch is stuck retrying a store outage is silent too, with its posts
// unrecorded. So a partition is idle only when nothing of it is in flight
// and it is caught up and has been silent for IdleTimeout, or when it has
// delivered nothing for IdleTimeout since the start or the last rebalance
// (not assigned here, or not started).
func (t *tracker) idleAt(s *partitionState, now time.Time) bool {
	switch {
	case s.inFlight():
		return false
	case s.caughtUp():
		return now.Sub(s.fetchedAt) >= t.idle
	case s.fetched < 0 || s.fetchedAt.Before(t.since):
		return now.Sub(t.since) >= t.idle
	}
	return false // behind its high-water mark: more is coming
}

// worker returns the worker's watermark at wall-clock time now: the
// minimum over the partitions that are not idle of their committed mark
// minus the lateness, or, when all are idle (caught up), the maximum over
// all. There is none while a partition that is not idle has no committed
// post yet.
func (t *tracker) worker(now time.Time) (time.Time, bool) {
	var low, high time.Time
	var active, any bool
	for _, s := range t.parts {
		if s.marked {
			wm := s.newest.Add(-t.lateness)
			if !any || wm.After(high) {
				high = wm
			}
			any = true
		}
		if t.idleAt(s, now) {
			continue
		}
		if !s.marked {
			return time.Time{}, false
		}
		if wm := s.newest.Add(-t.lateness); !active || wm.Before(low) {
			low = wm
		}
		active = true
	}
	switch {
	case active:
		return low, true
	case any:
		return high, true
	}
	return time.Time{}, false
}
