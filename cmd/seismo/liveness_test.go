package main

import (
	"context"
	"encoding/json"
	"hash/crc32"
	"slices"
	"testing"
	"time"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/broker"
	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/ingest"
	"github.com/seismo-dev/seismo/internal/redistest"
)

// steadyBound is how long after a part of the stream is produced the
// detector may take to decide everything the stream lets it decide, while
// its consumers stay: a few report intervals (1s) and detector polls.
const steadyBound = 10 * time.Second

// failoverBound is how long after the detector's leader dies the survivors
// may take to decide the posts produced meanwhile: the lease TTL (15s) and
// a third of it, the bound the lease promises (the dead worker's
// partitions move after the group session timeout, 10s, within it).
const failoverBound = 20 * time.Second

// liveEnv is a broker and a redis-server for one liveness schedule.
type liveEnv struct {
	t        *testing.T
	broker   *broker.Broker
	redis    *redistest.Server
	store    *detect.Store
	parts    int
	produced int
	// newest is the newest post produced to each partition: kcat puts a
	// keyed message on the CRC-32 of its key modulo the partitions.
	newest []time.Time
}

func newLiveEnv(t *testing.T, partitions int) *liveEnv {
	t.Helper()
	b, err := broker.Start(broker.Config{Addr: "127.0.0.1:0", Partitions: int32(partitions)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := ingest.EnsureTopics(ctx, []string{b.Addr()}, partitions, "seismo.posts", "seismo.posts.dlq", "seismo.incidents"); err != nil {
		t.Fatal(err)
	}
	srv := redistest.Start(t)
	store, err := detect.NewStore(srv.Client(t), detect.StoreConfig{ReporterKey: []byte(eventTimeKey), Groups: detect.GroupsOf(testClassifier(t).Services())})
	if err != nil {
		t.Fatal(err)
	}
	return &liveEnv{t: t, broker: b, redis: srv, store: store, parts: partitions, newest: make([]time.Time, partitions)}
}

func (e *liveEnv) produce(ps []seismo.Post) {
	kcatProduce(e.t, e.broker.Addr(), "seismo.posts", encodeLines(e.t, ps, true), "-K", "\t")
	e.produced += len(ps)
	for _, p := range ps {
		i := crc32.ChecksumIEEE([]byte(p.ID)) % uint32(e.parts)
		if p.CreatedAt.After(e.newest[i]) {
			e.newest[i] = p.CreatedAt
		}
	}
}

// watermark is the detector's watermark once everything produced is
// committed and no partition is idle: the least newest post of a
// partition, less the default lateness.
func (e *liveEnv) watermark() time.Time {
	return slices.MinFunc(e.newest, time.Time.Compare).Add(-30 * time.Second)
}

func (e *liveEnv) start(name string) *worker {
	return startWorker(e.t, name, e.broker.Addr(), e.redis.Addr, e.parts)
}

// decided waits until everything produced is handled and the detector
// has evaluated every minute the watermark allows, with the watermark
// where the stream puts it: the detector has caught up with the stream,
// without waiting for any partition to go idle (an idle partition only
// moves the watermark further). It returns how long that took.
func (e *liveEnv) decided(within time.Duration) time.Duration {
	e.t.Helper()
	atLeast := e.watermark()
	start := time.Now()
	var p detect.Progress
	var err error
	for time.Since(start) < within {
		p, err = e.store.Progress(context.Background())
		if err == nil && handled(p) == int64(e.produced) && p.Watermark != nil && !p.Watermark.Before(atLeast) && len(p.Confirming) == 0 &&
			p.Evaluated != nil && p.Evaluated.Equal(p.Watermark.Truncate(time.Minute)) {
			return time.Since(start)
		}
		time.Sleep(50 * time.Millisecond)
	}
	b, _ := json.MarshalIndent(p, "", "  ")
	e.t.Fatalf("detection stalled: %d produced messages not decided through %s within %s (err %v):\n%s",
		e.produced, atLeast.Format(time.RFC3339), within, err, b)
	return 0
}

// owner waits until partition p is held by worker name, and returns its
// generation.
func (e *liveEnv) owner(p int, name string, within time.Duration) int32 {
	e.t.Helper()
	var pr detect.Progress
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var err error
		pr, err = e.store.Progress(context.Background())
		if err == nil && len(pr.Partitions) > p && pr.Partitions[p].Owner == name {
			return pr.Partitions[p].Generation
		}
	}
	b, _ := json.MarshalIndent(pr, "", "  ")
	e.t.Fatalf("partition %d not held by %s within %s:\n%s", p, name, within, b)
	return 0
}

// chunks splits the stream into n parts of about equal size, in the order
// they are produced.
func chunks(posts []seismo.Post, n int) [][]seismo.Post {
	out := make([][]seismo.Post, n)
	for i := range n {
		out[i] = posts[i*len(posts)/n : (i+1)*len(posts)/n]
	}
	return out
}

// A worker that lost its only partition to a newcomer, and lives on, does
// not hold the detector back: the newcomer's progress decides the
// watermark, and detection reaches the end of the stream. (Before the
// watermark was a property of the partitions, the first worker went on
// reporting the newest post it had seen, and the detector stopped there
// for good.)
func TestIntegrationLiveWorkerWithoutPartitions(t *testing.T) {
	redistest.Require(t, "redis-server", "kcat")
	posts := eventTimeStream(t)
	from, to := eventTimeSpan(posts)
	want := eventTimeReference(t, posts)
	e := newLiveEnv(t, 1)

	// The first three fifths of the stream, consumed and decided by w1
	// alone, long enough for its partition to go idle.
	split := len(posts) * 3 / 5
	e.produce(posts[:split])
	w1 := e.start("w1")
	gen := e.owner(0, "w1", time.Minute)
	waitEvaluated(t, e.store, split, 3*time.Minute)

	// w2 joins; the range assignor gives the one partition to the member
	// that sorts last, w2, and w1 stays in the group with none.
	e.start("w2")
	if g := e.owner(0, "w2", time.Minute); g <= gen {
		t.Fatalf("w2 holds partition 0 in generation %d, not after w1's %d", g, gen)
	}
	e.produce(posts[split:])
	p := waitEvaluated(t, e.store, len(posts), 2*time.Minute)
	select {
	case code := <-w1.done:
		t.Fatalf("w1 exited %d; the schedule needs it alive without a partition", code)
	default:
	}
	if last := posts[len(posts)-1].CreatedAt.Truncate(time.Minute); !p.Evaluated.Equal(last) {
		t.Errorf("detection evaluated through %s, want the last post's minute %s", p.Evaluated, last)
	}
	compareOutcomes(t, readOutcome(t, e.redis.Client(t), from, to), want)
}

// Detection keeps up with a live stream, part by part: with more workers
// than partitions, across a rebalance when a worker joins, and when the
// detector's leader dies without a word, in which case it resumes within
// the lease's bound. The result is still the backtest's.
func TestIntegrationDetectionKeepsUp(t *testing.T) {
	redistest.Require(t, "redis-server", "kcat")
	posts := eventTimeStream(t)
	from, to := eventTimeSpan(posts)
	want := eventTimeReference(t, posts)
	parts := chunks(posts, 8)

	t.Run("1 partition, 3 workers", func(t *testing.T) {
		e := newLiveEnv(t, 1)
		for _, n := range []string{"w1", "w2", "w3"} {
			e.start(n)
		}
		for i, part := range parts {
			e.produce(part)
			took := e.decided(steadyBound)
			t.Logf("part %d decided %s after it was produced", i, took.Round(time.Millisecond))
		}
		waitEvaluated(t, e.store, len(posts), 2*time.Minute)
		compareOutcomes(t, readOutcome(t, e.redis.Client(t), from, to), want)
	})

	t.Run("3 partitions, a worker joins, the leader dies", func(t *testing.T) {
		e := newLiveEnv(t, 3)
		// w1, a process that can be killed, takes the lease as the first
		// worker; w2 joins after the first part.
		w1 := startWorkerProcess(t, "w1", e.broker.Addr(), e.redis.Addr, e.parts)
		for deadline := time.Now().Add(time.Minute); gauge(w1.addr, "seismo_detector_leader") != 1; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("w1 did not take the detector lease within a minute")
			}
		}
		for i, part := range parts {
			bound := steadyBound
			switch i {
			case 1:
				e.start("w2")
			case 5:
				w1.kill()
				bound = failoverBound
			}
			began := time.Now()
			e.produce(part)
			e.decided(bound - time.Since(began))
			t.Logf("part %d decided %s after it was produced", i, time.Since(began).Round(time.Millisecond))
		}
		waitEvaluated(t, e.store, len(posts), 2*time.Minute)
		compareOutcomes(t, readOutcome(t, e.redis.Client(t), from, to), want)
	})
}
