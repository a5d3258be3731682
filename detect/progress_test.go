package detect_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/detect"
)

// part is the progress of one partition whose newest post is at minute
// newest, watermark 30s before it; next and end are offsets.
func part(p, next, end int, newest int) seismo.PartitionProgress {
	pp := seismo.PartitionProgress{Partition: p, Next: int64(next), End: int64(end)}
	if newest >= 0 {
		pp.Newest = at(newest)
		pp.Watermark = at(newest).Add(-30 * time.Second)
	}
	return pp
}

func TestProgressWatermark(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			rdb := b.open(t)
			clk := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			s := newStore(t, rdb, clk.Now)
			ctx := ctxT(t)
			owner := func(worker string, gen int32) seismo.PartitionOwner {
				return seismo.PartitionOwner{Topic: "seismo.posts", Worker: worker, Generation: gen,
					Partitions: 3, StaleAfter: 10 * time.Second, FreshFor: 10 * time.Second}
			}
			report := func(o seismo.PartitionOwner, parts ...seismo.PartitionProgress) []int {
				t.Helper()
				refused, err := s.ReportProgress(ctx, o, parts)
				if err != nil {
					t.Fatal(err)
				}
				return refused
			}
			wm := func() (time.Time, bool) {
				t.Helper()
				w, ok, err := s.Watermark(ctx)
				if err != nil {
					t.Fatal(err)
				}
				return w, ok
			}
			want := func(step string, minute int, wantOK bool) {
				t.Helper()
				got, ok := wm()
				w := time.Time{}
				if wantOK {
					w = at(minute).Add(-30 * time.Second)
				}
				if ok != wantOK || !got.Equal(w) {
					t.Errorf("%s: Watermark = %v, %v; want %v, %v", step, got, ok, w, wantOK)
				}
			}
			want("nothing reported", 0, false)

			a, bw := owner("a", 1), owner("b", 1)
			report(a, part(0, 10, 100, 30), part(1, 10, 100, 20))
			want("partition 2 never reported", 0, false)
			report(bw, part(2, 0, 100, -1))
			want("partition 2 has no post yet", 0, false)
			report(bw, part(2, 5, 100, 25))
			want("minimum over partitions", 20, true)

			// Partition 1 catches up; it still holds the watermark until
			// it has been caught up for the idle timeout.
			p1 := part(1, 100, 100, 40)
			p1.IdleIn = 10 * time.Second
			report(a, part(0, 10, 100, 30), p1)
			want("caught up, not idle yet", 25, true)
			clk.Add(5 * time.Second)
			report(bw, part(2, 50, 100, 60))
			want("still not idle", 30, true)
			clk.Add(5 * time.Second)
			p1.IdleIn = 0 // an owner reports all its partitions each time
			report(a, part(0, 20, 100, 70), p1)
			want("partition 1 idle, minimum of the others", 60, true)

			// Every partition caught up and idle: the newest of all.
			p0, p2 := part(0, 100, 100, 70), part(2, 100, 100, 65)
			p1.IdleIn, p0.IdleIn, p2.IdleIn = -time.Minute, 0, 0
			clk.Add(time.Second) // a process notes the stream at most every 100ms
			report(a, p0, p1)
			report(bw, p2)
			want("all idle", 70, true)

			// b stops reporting. Its caught-up partition is not idle on
			// the word of a gone owner.
			clk.Add(11 * time.Second)
			report(a, p0, p1)
			want("b gone: its partition holds again", 65, true)

			// A rebalance moves partition 2 to a (generation 2); b, back
			// in generation 1, is refused while a is alive.
			a2 := owner("a", 2)
			p2.Next, p2.End = 100, 120
			report(a2, p0, p1, p2)
			if refused := report(bw, part(2, 200, 200, 99)); len(refused) != 1 || refused[0] != 2 {
				t.Errorf("old generation's report of partition 2: refused %v, want [2]", refused)
			}
			want("the old owner's report changed nothing", 65, true)
			pr, err := s.Progress(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := pr.Partitions[2]; got.Owner != "a" || got.Generation != 2 || got.Lag != 20 {
				t.Errorf("partition 2 status %+v, want owner a, generation 2, lag 20", got)
			}
			if pr.HeldBy == nil || *pr.HeldBy != 2 {
				t.Errorf("HeldBy = %v, want partition 2", pr.HeldBy)
			}
			// Once a is gone too, an older generation may report again
			// (a group that was deleted starts counting generations anew).
			clk.Add(11 * time.Second)
			if refused := report(bw, part(2, 200, 200, 99)); len(refused) != 0 {
				t.Errorf("report after the newer owner is gone: refused %v", refused)
			}

			// Resume returns what the last owner left.
			got, err := s.Resume(ctx, "seismo.posts", []int{0, 2, 7})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || got[2].Next != 200 || !got[2].Newest.Equal(at(99)) || !got[0].Newest.Equal(at(70)) {
				t.Errorf("Resume = %+v", got)
			}
			if _, err := s.ReportProgress(ctx, seismo.PartitionOwner{Topic: "t"}, nil); seismo.ErrorCode(err) != seismo.CodeInvalid {
				t.Errorf("report without a worker: %v, want invalid", err)
			}
		})
	}
}

// Reports are stamped with the Redis server's clock, not the worker's.
func TestProgressUsesRedisClock(t *testing.T) {
	m := miniredis.RunT(t)
	serverNow := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC) // far from this machine's clock
	m.SetTime(serverNow)
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr()})
	t.Cleanup(func() { rdb.Close() })
	s, err := detect.NewStore(rdb, detect.StoreConfig{ReporterKey: []byte("k")})
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	o := seismo.PartitionOwner{Topic: "seismo.posts", Worker: "w", Generation: 1, Partitions: 1, StaleAfter: 10 * time.Second, FreshFor: 10 * time.Second}
	p := part(0, 5, 5, 5)
	if _, err := s.ReportProgress(ctx, o, []seismo.PartitionProgress{p}); err != nil {
		t.Fatal(err)
	}
	v := rdb.HGet(ctx, "seismo:progress:seismo.posts", "0").Val()
	if !strings.HasPrefix(v, fmt.Sprintf("1 %d %d 10000 ", serverNow.UnixMilli(), serverNow.UnixMilli())) {
		t.Errorf("record %q: want generation 1, reported and idle at the server's clock, stale after 10000 ms", v)
	}
	pr, err := s.Progress(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !pr.Partitions[0].Idle || !pr.Partitions[0].Alive {
		t.Errorf("by the server's clock the owner is alive and the partition idle: %+v", pr.Partitions[0])
	}
	m.SetTime(serverNow.Add(time.Minute))
	if pr, err = s.Progress(ctx); err != nil || pr.Partitions[0].Alive {
		t.Errorf("a minute later by the server's clock the owner is gone: %+v, %v", pr.Partitions, err)
	}
}

// The status for people names each partition's state and who holds the
// watermark back.
func TestProgressWriteText(t *testing.T) {
	now := time.Date(2024, 10, 20, 12, 0, 0, 0, time.UTC)
	wm, held := now.Add(-2*time.Minute), 1
	p := detect.Progress{Topic: "seismo.posts", Now: now, Watermark: &wm, HeldBy: &held,
		Partitions: []detect.PartitionStatus{
			{Partition: 0},
			{Partition: 1, Owner: "w1", Alive: true, Lag: 3, Watermark: &wm, ReportedAt: now.Add(-4 * time.Second)},
			{Partition: 2, Owner: "w2", Alive: true, Idle: true, ReportedAt: now},
			{Partition: 3, Owner: "w3", ReportedAt: now.Add(-time.Minute)},
		}}
	var b strings.Builder
	if err := p.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"topic seismo.posts, 4 partitions", "never reported", "consuming, holds the watermark",
		" idle ", "owner gone", "watermark  2024-10-20T11:58:00Z", "evaluated  nothing yet"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("status lacks %q:\n%s", want, b.String())
		}
	}
}

// An idle partition's word covers only what was produced before its end
// offset was asked for: posts recorded elsewhere since then may have
// company on it that nobody has read yet.
func TestProgressIdleWordAges(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			rdb := b.open(t)
			clk := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			s := newStore(t, rdb, clk.Now)
			ctx := ctxT(t)
			o := seismo.PartitionOwner{Topic: "seismo.posts", Worker: "a", Generation: 1,
				Partitions: 2, StaleAfter: time.Minute, FreshFor: time.Minute}
			report := func(parts ...seismo.PartitionProgress) {
				t.Helper()
				if _, err := s.ReportProgress(ctx, o, parts); err != nil {
					t.Fatal(err)
				}
			}
			want := func(s *detect.Store, step string, minute int, wantOK bool) {
				t.Helper()
				p, err := s.Progress(ctx)
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case !wantOK && p.Watermark != nil:
					t.Errorf("%s: watermark %v, want none", step, *p.Watermark)
				case !wantOK && !strings.Contains(p.Waiting, "partition 1 is idle"):
					t.Errorf("%s: waiting %q, want partition 1's word awaited", step, p.Waiting)
				case wantOK && (p.Watermark == nil || !p.Watermark.Equal(at(minute).Add(-30*time.Second))):
					t.Errorf("%s: watermark %v (waiting %q), want minute %d less 30s", step, p.Watermark, p.Waiting, minute)
				}
			}
			idle := func(pp seismo.PartitionProgress, age time.Duration) seismo.PartitionProgress {
				pp.EndAge = age
				return pp
			}
			// Both caught up and idle; partition 1 has never had a post.
			report(idle(part(0, 10, 10, 30), 0), idle(part(1, 0, 0, -1), 0))
			want(s, "all idle", 30, true)

			// A burst lands on partition 0 and is recorded; partition 1
			// still reports what it was told before the burst.
			clk.Add(5 * time.Second)
			report(idle(part(0, 50, 50, 90), 0), idle(part(1, 0, 0, -1), 5*time.Second))
			want(s, "partition 1's word predates the burst", 30, true)

			// Asked again after the burst was seen, it is still empty.
			clk.Add(time.Second)
			report(idle(part(0, 50, 50, 90), time.Second), idle(part(1, 0, 0, -1), 0))
			want(s, "partition 1 asked after the burst", 90, true)

			// A process that has just started has seen nothing of the
			// stream: it waits for partition 1's next report.
			fresh := newStore(t, rdb, clk.Now)
			clk.Add(time.Second)
			report(idle(part(0, 50, 50, 90), 2*time.Second), idle(part(1, 0, 0, -1), 500*time.Millisecond))
			want(fresh, "a new process", 0, false)
			clk.Add(time.Second)
			report(idle(part(0, 50, 50, 90), 3*time.Second), idle(part(1, 0, 0, -1), 0))
			want(fresh, "a new process after the next report", 90, true)

			// ConfirmedProgress reads again until the next report comes.
			third := newStore(t, rdb, clk.Now)
			clk.Add(time.Second)
			report(idle(part(0, 50, 50, 90), time.Second), idle(part(1, 0, 0, -1), 500*time.Millisecond))
			reported := make(chan struct{})
			go func() {
				defer close(reported)
				time.Sleep(700 * time.Millisecond)
				clk.Add(time.Second)
				if _, err := s.ReportProgress(ctx, o, []seismo.PartitionProgress{part(0, 50, 50, 90), part(1, 0, 0, -1)}); err != nil {
					t.Error(err)
				}
			}()
			p, err := third.ConfirmedProgress(ctx, 10*time.Second)
			<-reported
			if err != nil || p.Watermark == nil || !p.Watermark.Equal(at(90).Add(-30*time.Second)) || len(p.Confirming) > 0 {
				t.Errorf("ConfirmedProgress = watermark %v, confirming %v, err %v; want minute 90 less 30s, none", p.Watermark, p.Confirming, err)
			}
		})
	}
}
