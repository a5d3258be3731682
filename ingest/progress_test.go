package ingest_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/ingest"
	"github.com/seismo-dev/seismo/metrics"
)

// post is a valid post of partition p created at at.
func post(p int, id string, at time.Time) kafka.Message {
	return kafka.Message{Partition: p, Key: []byte(id), Value: postJSON(id, at, "whatsapp is down")}
}

// partitionIDs returns the partitions of parts, sorted.
func partitionIDs(parts []seismo.PartitionProgress) []int {
	ids := make([]int, 0, len(parts))
	for _, pp := range parts {
		ids = append(ids, pp.Partition)
	}
	slices.Sort(ids)
	return ids
}

// waitReport waits for a ReportProgress call of worker that satisfies ok
// and returns the first such call.
func waitReport(t *testing.T, rec *fakeRecorder, worker, what string, ok func(progressCall) bool) progressCall {
	t.Helper()
	var found progressCall
	waitFor(t, what, func() bool {
		for _, call := range rec.progressCalls() {
			if call.owner.Worker == worker && ok(call) {
				found = call
				return true
			}
		}
		return false
	})
	return found
}

// holds polls violation for d and fails the test with the first
// violation it returns: a bounded wait that something does not happen,
// for when there is no event to wait for instead.
func holds(t *testing.T, d time.Duration, violation func() string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if v := violation(); v != "" {
			t.Fatal(v)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// exposition returns the registry in the Prometheus text format.
func exposition(t *testing.T, reg *metrics.Registry) string {
	t.Helper()
	var b strings.Builder
	if _, err := reg.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// Workers of one group report only the partitions the group assigned them
// in the generation they name, so the store never hears of a partition
// from two owners of one generation, and between them they report every
// partition of the topic.
func TestReportsOnlyOwnedPartitions(t *testing.T) {
	addr := startBroker(t)
	clock := newClock(t0.Add(time.Hour))
	rec := &fakeRecorder{} // shared, as the store is
	workers := []string{"worker-1", "worker-2"}
	cs := map[string]*ingest.Consumer{}
	regs := map[string]*metrics.Registry{}
	for _, w := range workers {
		cfg := testConfig(addr, "g", clock)
		cfg.WorkerID = w
		regs[w] = metrics.New()
		cs[w] = newConsumer(t, cfg, rec, regs[w])
		run(t, cs[w])
	}
	// shared reports whether each worker owns partitions and the topic's
	// are split between them.
	shared := func(owned map[string][]seismo.PartitionProgress) bool {
		seen, total := map[int]bool{}, 0
		for _, w := range workers {
			if len(owned[w]) == 0 {
				return false
			}
			for _, pp := range owned[w] {
				seen[pp.Partition] = true
				total++
			}
		}
		return len(seen) == partitions && total == partitions
	}
	waitFor(t, "the group to split the partitions between both workers", func() bool {
		return shared(map[string][]seismo.PartitionProgress{workers[0]: cs[workers[0]].Owned(), workers[1]: cs[workers[1]].Owned()})
	})

	const n = 10
	produce(t, addr, goodPosts("", n)...)
	var final map[string][]seismo.PartitionProgress
	waitFor(t, "every partition handled by its owner", func() bool {
		final = map[string][]seismo.PartitionProgress{}
		for _, w := range workers {
			final[w] = cs[w].Owned()
			for _, pp := range final[w] {
				if pp.Next != n {
					return false
				}
			}
		}
		return shared(final)
	})
	for p, off := range committed(t, addr, "g") {
		if off != n {
			t.Errorf("partition %d committed offset %d, want %d", p, off, n)
		}
	}

	// Both workers are in the same generation, and the broker's assignment
	// is what they say they own.
	gen := int32(regs[workers[0]].Gauge("seismo_ingest_generation", "").Value())
	if g2 := int32(regs[workers[1]].Gauge("seismo_ingest_generation", "").Value()); gen <= 0 || g2 != gen {
		t.Fatalf("generations %d and %d, want the same one", gen, g2)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	cl := &kafka.Client{Addr: kafka.TCP(addr), Timeout: 5 * time.Second}
	desc, err := cl.DescribeGroups(ctx, &kafka.DescribeGroupsRequest{GroupIDs: []string{"g"}})
	if err != nil || len(desc.Groups) != 1 || desc.Groups[0].Error != nil {
		t.Fatalf("describe group: %v %+v", err, desc)
	}
	var assigned [][]int
	for _, m := range desc.Groups[0].Members {
		var ids []int
		for _, tp := range m.MemberAssignments.Topics {
			if tp.Topic == topic {
				ids = append(ids, tp.Partitions...)
			}
		}
		slices.Sort(ids)
		assigned = append(assigned, ids)
	}
	owned := [][]int{partitionIDs(final[workers[0]]), partitionIDs(final[workers[1]])}
	cmp := func(a, b []int) int { return slices.Compare(a, b) }
	slices.SortFunc(assigned, cmp)
	slices.SortFunc(owned, cmp)
	if !slices.EqualFunc(assigned, owned, slices.Equal) {
		t.Errorf("the broker assigned %v, the workers own %v", assigned, owned)
	}

	// Each worker reports what it owns now, under the current generation,
	// with the committed offsets.
	for _, w := range workers {
		want := partitionIDs(final[w])
		waitReport(t, rec, w, w+" reporting its partitions handled", func(call progressCall) bool {
			if call.owner.Generation != gen || !slices.Equal(partitionIDs(call.parts), want) {
				return false
			}
			for _, pp := range call.parts {
				if pp.Next != n {
					return false
				}
			}
			return true
		})
	}

	// No call ever named a partition another worker reported in the same
	// generation, nor changed what a worker owns within a generation.
	type workerGen struct {
		worker string
		gen    int32
	}
	owners := map[int32]map[int]string{}
	sets := map[workerGen][]int{}
	for _, call := range rec.progressCalls() {
		o := call.owner
		if o.Topic != topic || !slices.Contains(workers, o.Worker) || o.Partitions != partitions ||
			o.StaleAfter != 3*time.Second || o.Generation <= 0 {
			t.Errorf("report from owner %+v", o)
		}
		if len(call.refused) > 0 {
			t.Errorf("%s refused %v in generation %d", o.Worker, call.refused, o.Generation)
		}
		ids := partitionIDs(call.parts)
		k := workerGen{o.Worker, o.Generation}
		if prev, ok := sets[k]; ok && !slices.Equal(prev, ids) {
			t.Errorf("%s reported %v, then %v in generation %d", o.Worker, prev, ids, o.Generation)
		}
		sets[k] = ids
		if owners[o.Generation] == nil {
			owners[o.Generation] = map[int]string{}
		}
		for _, p := range ids {
			if other, ok := owners[o.Generation][p]; ok && other != o.Worker {
				t.Errorf("partition %d reported by %s and %s in generation %d", p, other, o.Worker, o.Generation)
			}
			owners[o.Generation][p] = o.Worker
		}
	}
	if got := owners[gen]; len(got) != partitions {
		t.Errorf("generation %d: reported partitions %v, want all %d", gen, got, partitions)
	}
	kept := rec.kept()
	for p := range partitions {
		if kept[p].Next != n {
			t.Errorf("stored progress of partition %d: next %d, want %d", p, kept[p].Next, n)
		}
	}
}

// The progress reported after a batch says how far the partition is
// committed and where its event time stands, and a caught-up partition
// counts down to idle on the wall clock, in reports sent while nothing
// arrives.
func TestProgressAfterBatches(t *testing.T) {
	addr := startBroker(t)
	clock := newClock(t0.Add(time.Hour))
	rec := &fakeRecorder{}
	reg := metrics.New()
	cfg := testConfig(addr, "g", clock)
	cfg.Lateness = 30 * time.Second
	cfg.IdleTimeout = 10 * time.Second
	c := newConsumer(t, cfg, rec, reg)
	stop := run(t, c)

	// The newest post of partition 0 is not its last; the last of
	// partition 1 is before its watermark; partition 2 has only a dead
	// letter, so no event time.
	produce(t, addr,
		post(0, "a0", t0.Add(time.Minute)), post(0, "a1", t0.Add(3*time.Minute)),
		post(0, "a2", t0.Add(3*time.Minute-20*time.Second)),
		post(1, "b0", t0.Add(5*time.Minute)), post(1, "b1", t0.Add(5*time.Minute+10*time.Second)),
		post(1, "b2", t0.Add(5*time.Minute-30*time.Second)),
		kafka.Message{Partition: 2, Key: []byte("bad"), Value: []byte("not json")})
	wantNext := map[int]int64{0: 3, 1: 3, 2: 1}
	wantNewest := map[int]time.Time{0: t0.Add(3 * time.Minute), 1: t0.Add(5*time.Minute + 10*time.Second)}

	// caughtUp reports whether call has every partition handled and
	// caught up, idle in idleIn.
	caughtUp := func(idleIn time.Duration) func(progressCall) bool {
		return func(call progressCall) bool {
			got := byPartition(call.parts)
			for p, next := range wantNext {
				if pp, ok := got[p]; !ok || pp.Next != next || !pp.CaughtUp() || pp.IdleIn != idleIn {
					return false
				}
			}
			return len(got) == partitions
		}
	}
	call := waitReport(t, rec, "worker-1", "a report with every partition handled", caughtUp(cfg.IdleTimeout))
	if o := call.owner; o.Topic != topic || o.Partitions != partitions || o.StaleAfter != cfg.SessionTimeout || o.Generation <= 0 {
		t.Errorf("owner %+v", o)
	}
	offsets := committed(t, addr, "g")
	for _, pp := range call.parts {
		p := pp.Partition
		if pp.Next != offsets[p] {
			t.Errorf("partition %d: next %d, committed %d", p, pp.Next, offsets[p])
		}
		if pp.End != pp.Next {
			t.Errorf("partition %d: end %d, want %d: nothing else was produced", p, pp.End, pp.Next)
		}
		want := wantNewest[p]
		wantWM := time.Time{}
		if !want.IsZero() {
			wantWM = want.Add(-cfg.Lateness)
		}
		if !pp.Newest.Equal(want) || !pp.Watermark.Equal(wantWM) {
			t.Errorf("partition %d: newest %v watermark %v, want %v and %v", p, pp.Newest, pp.Watermark, want, wantWM)
		}
	}
	late := rec.lateness()
	for id, want := range map[string]bool{"a0": false, "a1": false, "a2": false, "b0": false, "b1": false, "b2": true} {
		if got, ok := late[id]; !ok || got != want {
			t.Errorf("%s: recorded %v, late %v; want late %v", id, ok, got, want)
		}
	}
	if got := reg.Counter("seismo_ingest_late_total", "").Value(); got != 1 {
		t.Errorf("late_total = %d, want 1", got)
	}
	// Along the way, no report went back or said more was handled than
	// the partition held.
	last := map[int]int64{}
	for _, call := range rec.progressCalls() {
		for _, pp := range call.parts {
			if pp.End < pp.Next || pp.Next < last[pp.Partition] || pp.Next > wantNext[pp.Partition] {
				t.Errorf("call %d, partition %d: next %d end %d after next %d", call.seq, pp.Partition, pp.Next, pp.End, last[pp.Partition])
			}
			last[pp.Partition] = pp.Next
		}
	}

	// Nothing arrives: the reports go on and count down to idle.
	clock.Advance(4 * time.Second)
	waitReport(t, rec, "worker-1", "a report idle in 6s", caughtUp(6*time.Second))
	clock.Advance(7 * time.Second)
	waitReport(t, rec, "worker-1", "a report idle for a second", caughtUp(-time.Second))
	if got := byPartition(c.Owned()); got[0].IdleIn != -time.Second || !got[0].Watermark.Equal(wantNewest[0].Add(-cfg.Lateness)) {
		t.Errorf("Owned partition 0: %+v", got[0])
	}

	if got := reg.Gauge("seismo_ingest_partitions_owned", "").Value(); got != partitions {
		t.Errorf("partitions_owned = %v, want %d", got, partitions)
	}
	if got := int32(reg.Gauge("seismo_ingest_generation", "").Value()); got != call.owner.Generation {
		t.Errorf("generation gauge %d, want %d", got, call.owner.Generation)
	}
	for p := range partitions {
		if got := reg.Gauge("seismo_ingest_lag_messages", "", "partition", fmt.Sprint(p)).Value(); got != 0 {
			t.Errorf("lag of partition %d = %v, want 0", p, got)
		}
	}
	if got, want := reg.Gauge("seismo_ingest_watermark_seconds", "", "partition", "1").Value(),
		float64(wantNewest[1].Add(-cfg.Lateness).Unix()); got != want {
		t.Errorf("watermark gauge of partition 1 = %v, want %v", got, want)
	}
	if exp := exposition(t, reg); strings.Contains(exp, `seismo_ingest_watermark_seconds{partition="2"}`) {
		t.Errorf("a watermark gauge for partition 2, which has no event time:\n%s", exp)
	}

	// Leaving the group gives the partitions up, and their gauges.
	stop()
	if got := c.Owned(); len(got) != 0 {
		t.Errorf("Owned after Run returned: %+v", got)
	}
	if exp := exposition(t, reg); strings.Contains(exp, "seismo_ingest_lag_messages{") ||
		strings.Contains(exp, "seismo_ingest_watermark_seconds{") {
		t.Errorf("per-partition gauges still exposed after leaving:\n%s", exp)
	}
	if got := reg.Gauge("seismo_ingest_generation", "").Value(); got != 0 {
		t.Errorf("generation gauge %v after leaving, want 0", got)
	}
}

// A partition that delivers a post is not silent: once it is handled, its
// idle countdown starts again.
func TestDeliveryRestartsIdleCountdown(t *testing.T) {
	addr := startBroker(t)
	clock := newClock(t0.Add(time.Hour))
	rec := &fakeRecorder{}
	cfg := testConfig(addr, "g", clock)
	cfg.IdleTimeout = 10 * time.Second
	// Only the reports after each batch: which progress a timer's report
	// happens to see must not decide the countdown.
	cfg.PublishInterval = time.Hour
	c := newConsumer(t, cfg, rec, nil)
	run(t, c)

	produce(t, addr, post(1, "b0", t0))
	waitHandled(t, c, map[int]int64{1: 1})
	clock.Advance(cfg.IdleTimeout + time.Second)
	if pp := byPartition(c.Owned())[1]; pp.IdleIn != -time.Second {
		t.Fatalf("partition 1 idle in %s after %s silent, want -1s", pp.IdleIn, cfg.IdleTimeout+time.Second)
	}

	produce(t, addr, post(1, "b1", t0.Add(time.Second)))
	call := waitReport(t, rec, "worker-1", "the report after the second post", func(call progressCall) bool {
		return byPartition(call.parts)[1].Next == 2
	})
	if pp := byPartition(call.parts)[1]; !pp.CaughtUp() || pp.IdleIn != cfg.IdleTimeout {
		t.Errorf("partition 1 just delivered b1: caught up %v, idle in %s; want idle in %s",
			pp.CaughtUp(), pp.IdleIn, cfg.IdleTimeout)
	}
}

// A worker stops reading a partition the store refused it, because a later
// generation's owner reported it: whatever it would still record there is
// the new owner's to record.
func TestRefusedPartitionIsNoLongerRead(t *testing.T) {
	const refusedP = 1
	tests := []struct {
		name string
		// claimFirst claims the partition for a later generation before
		// the worker starts, instead of once it is running.
		claimFirst bool
	}{
		{name: "refused at the first report", claimFirst: true},
		{name: "refused while running"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := startBroker(t)
			rec := &fakeRecorder{}
			reg := metrics.New()
			c := newConsumer(t, testConfig(addr, "g", newClock(t0.Add(time.Hour))), rec, reg)
			claim := func(gen int32) {
				rec.store(seismo.PartitionOwner{Topic: topic, Worker: "worker-9", Generation: gen,
					Partitions: partitions, StaleAfter: time.Minute},
					seismo.PartitionProgress{Partition: refusedP})
			}
			if tt.claimFirst {
				claim(1 << 30)
			}
			run(t, c)

			before := map[int]int64{0: 0, 2: 0}
			if !tt.claimFirst {
				produce(t, addr, post(0, "p0-0000", t0), post(1, "p1-0000", t0), post(2, "p2-0000", t0))
				before = map[int]int64{0: 1, 1: 1, 2: 1}
				waitHandled(t, c, before)
				call := waitReport(t, rec, "worker-1", "a report of everything handled", func(call progressCall) bool {
					return byPartition(call.parts)[refusedP].Next == 1
				})
				claim(call.owner.Generation + 1)
			}
			refusal := waitReport(t, rec, "worker-1", "the refusal", func(call progressCall) bool {
				return slices.Equal(call.refused, []int{refusedP})
			})
			waitFor(t, "the partition to leave Owned", func() bool {
				_, ok := byPartition(c.Owned())[refusedP]
				return !ok
			})

			// The refused partition's posts first, so its reader would have
			// them before the others' are done.
			produce(t, addr, post(1, "p1-0001", t0.Add(time.Second)), post(1, "p1-0002", t0.Add(2*time.Second)))
			produce(t, addr, post(0, "p0-0001", t0.Add(time.Second)), post(2, "p2-0001", t0.Add(time.Second)))
			waitHandled(t, c, map[int]int64{0: before[0] + 1, 2: before[2] + 1})
			holds(t, time.Second, func() string {
				if _, owned := byPartition(c.Owned())[refusedP]; owned {
					return "Owned lists the refused partition again"
				}
				for _, call := range rec.callLog() {
					if call.seq > refusal.seq && slices.ContainsFunc(call.ids, func(id string) bool {
						return strings.HasPrefix(id, fmt.Sprintf("p%d-", refusedP))
					}) {
						return fmt.Sprintf("posts %v of the refused partition given to Record after the refusal", call.ids)
					}
				}
				return ""
			})
			wantCommit := before[refusedP]
			if tt.claimFirst {
				wantCommit = -1 // never committed
			}
			if off := committed(t, addr, "g")[refusedP]; off != wantCommit {
				t.Errorf("refused partition committed at %d, want %d as before the refusal", off, wantCommit)
			}
			for _, call := range rec.progressCalls() {
				if call.seq > refusal.seq && call.owner.Worker == "worker-1" &&
					slices.Contains(partitionIDs(call.parts), refusedP) {
					t.Errorf("reported the refused partition again: %+v", call.parts)
				}
			}
			if got := reg.Gauge("seismo_ingest_partitions_owned", "").Value(); got != partitions-1 {
				t.Errorf("partitions_owned = %v, want %d", got, partitions-1)
			}
		})
	}
}

// The gauges of a refused partition go with it: another worker exposes
// them now.
func TestRefusedPartitionDropsItsGauges(t *testing.T) {
	addr := startBroker(t)
	rec := &fakeRecorder{}
	rec.store(seismo.PartitionOwner{Topic: topic, Worker: "worker-9", Generation: 1 << 30, Partitions: partitions,
		StaleAfter: time.Minute}, seismo.PartitionProgress{Partition: 1})
	reg := metrics.New()
	c := newConsumer(t, testConfig(addr, "g", newClock(t0.Add(time.Hour))), rec, reg)
	stop := run(t, c)
	produce(t, addr, post(0, "p0-0000", t0))
	waitHandled(t, c, map[int]int64{0: 1})
	waitReport(t, rec, "worker-1", "a report after the post", func(call progressCall) bool {
		return byPartition(call.parts)[0].Next == 1
	})
	for _, step := range []string{"while running", "after leaving"} {
		if step == "after leaving" {
			stop()
		}
		if exp := exposition(t, reg); strings.Contains(exp, `{partition="1"}`) {
			t.Errorf("%s: gauges of the refused partition 1 exposed:\n%s", step, exp)
		}
	}
}

// A worker that takes a partition over goes on with the event time where
// the last owner left it, so a post that was late for the last owner is
// late for it too; but only if the stored progress is exactly where the
// worker starts, since otherwise the mark belongs to another place in the
// partition.
func TestResumesEventTimeWhereTheLastOwnerLeftIt(t *testing.T) {
	newest := t0.Add(10 * time.Minute)
	seed := func(next int64) func(*testing.T, string, *fakeRecorder) {
		return func(_ *testing.T, _ string, rec *fakeRecorder) {
			rec.store(seismo.PartitionOwner{Topic: topic, Worker: "gone", Partitions: partitions, StaleAfter: time.Minute},
				seismo.PartitionProgress{Partition: 0, Next: next, End: next, Newest: newest,
					Watermark: newest.Add(-30 * time.Second)})
		}
	}
	tests := []struct {
		name    string
		before  func(t *testing.T, addr string, rec *fakeRecorder)
		resumed bool
	}{
		{name: "the last owner stopped gracefully", resumed: true,
			before: func(t *testing.T, addr string, rec *fakeRecorder) {
				c := newConsumer(t, testConfig(addr, "g", newClock(t0.Add(time.Hour))), rec, nil)
				stop := run(t, c)
				produce(t, addr, post(0, "first-0", newest.Add(-2*time.Minute)), post(0, "first-1", newest))
				waitFor(t, "the first owner's progress stored", func() bool {
					pp := rec.kept()[0]
					return pp.Next == 2 && pp.Newest.Equal(newest)
				})
				stop()
			}},
		{name: "stored where the worker starts", before: seed(0), resumed: true},
		{name: "stored at another offset", before: seed(5), resumed: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := startBroker(t)
			rec := &fakeRecorder{}
			tt.before(t, addr, rec)
			start := rec.kept()[0].Next
			if !tt.resumed {
				start = 0
			}

			cfg := testConfig(addr, "g", newClock(t0.Add(time.Hour)))
			cfg.WorkerID = "worker-2"
			c := newConsumer(t, cfg, rec, nil)
			run(t, c)
			first := waitReport(t, rec, "worker-2", "the new owner's first report", func(call progressCall) bool {
				_, ok := byPartition(call.parts)[0]
				return ok
			})
			rec.mu.Lock()
			asked := rec.resumed[len(rec.resumed)-1]
			rec.mu.Unlock()
			if !slices.Equal(asked, []int{0, 1, 2}) {
				t.Errorf("the new owner resumed %v, want the partitions it was assigned, [0 1 2]", asked)
			}
			pp := byPartition(first.parts)[0]
			wantNewest, wantWM := time.Time{}, time.Time{}
			if tt.resumed {
				wantNewest, wantWM = newest, newest.Add(-30*time.Second)
			}
			if pp.Next != start || !pp.Newest.Equal(wantNewest) || !pp.Watermark.Equal(wantWM) {
				t.Errorf("first report of partition 0: %+v; want next %d, newest %v, watermark %v", pp, start, wantNewest, wantWM)
			}

			// A minute behind the last owner's newest post, then within the
			// lateness of it.
			produce(t, addr, post(0, "old", newest.Add(-time.Minute)), post(0, "close", newest.Add(-20*time.Second)))
			owned := waitHandled(t, c, map[int]int64{0: start + 2})
			got := rec.lateness()
			if late, ok := got["old"]; !ok || late != tt.resumed {
				t.Errorf("old: recorded %v, late %v; want late %v", ok, late, tt.resumed)
			}
			if late, ok := got["close"]; !ok || late {
				t.Errorf("close: recorded %v, late %v; want not late", ok, late)
			}
			wantNewest = newest.Add(-20 * time.Second)
			if tt.resumed {
				wantNewest = newest
			}
			if !owned[0].Newest.Equal(wantNewest) {
				t.Errorf("partition 0 newest %v, want %v", owned[0].Newest, wantNewest)
			}
		})
	}
}

// While the recorder fails, the batch in hand is not committed and the
// progress reported does not move past it, however long it lasts: the
// partition is behind its end and holds the detector's watermark back,
// while the caught-up partitions go idle.
func TestFailingRecorderHoldsProgress(t *testing.T) {
	addr := startBroker(t)
	clock := newClock(t0.Add(time.Hour))
	rec := &fakeRecorder{}
	cfg := testConfig(addr, "g", clock)
	cfg.IdleTimeout = 10 * time.Second
	c := newConsumer(t, cfg, rec, nil)
	run(t, c)

	// Partition 0 at 12:00, partition 1 at 10:00, partition 2 at 11:00.
	produce(t, addr, post(0, "p0-0", t0), post(1, "p1-0", t0.Add(-2*time.Hour)), post(2, "p2-0", t0.Add(-time.Hour)))
	waitHandled(t, c, map[int]int64{0: 1, 1: 1, 2: 1})

	rec.failing.Store(true)
	produce(t, addr, post(1, "p1-1", t0.Add(-2*time.Hour+5*time.Minute)),
		post(1, "p1-2", t0.Add(-2*time.Hour+6*time.Minute)), post(1, "p1-3", t0.Add(-2*time.Hour+7*time.Minute)))
	waitFor(t, "the recorder to fail twice", func() bool {
		failed := 0
		for _, call := range rec.callLog() {
			if call.err != nil {
				failed++
			}
		}
		return failed >= 2
	})
	clock.Advance(cfg.IdleTimeout + time.Second)
	from := len(rec.progressCalls())
	waitFor(t, "reports while the recorder fails", func() bool { return len(rec.progressCalls()) >= from+5 })
	calls := rec.progressCalls()
	lastCall := byPartition(calls[len(calls)-1].parts)
	if pp := lastCall[1]; pp.Next != 1 || pp.End != 4 || pp.CaughtUp() || pp.IdleIn != 0 {
		t.Errorf("partition 1 while its batch fails: %+v; want next 1, end 4, not caught up", pp)
	}
	for _, p := range []int{0, 2} {
		if pp := lastCall[p]; pp.Next != 1 || !pp.CaughtUp() || pp.IdleIn != -time.Second {
			t.Errorf("partition %d while partition 1 fails: %+v; want caught up, idle for a second", p, pp)
		}
	}
	if off := committed(t, addr, "g")[1]; off != 1 {
		t.Errorf("partition 1 committed at %d while its batch fails, want 1", off)
	}

	// The store heals.
	rec.failing.Store(false)
	waitHandled(t, c, map[int]int64{0: 1, 1: 4, 2: 1})
	healed := slices.IndexFunc(rec.callLog(), func(call recordCall) bool {
		return call.err == nil && slices.Contains(call.ids, "p1-1")
	})
	if healed < 0 {
		t.Fatal("p1-1 never recorded")
	}
	healedSeq := rec.callLog()[healed].seq
	for _, call := range rec.progressCalls() {
		if pp, ok := byPartition(call.parts)[1]; ok && call.seq < healedSeq && pp.Next > 1 {
			t.Errorf("reported partition 1 at %d before p1-1..3 were recorded", pp.Next)
		}
	}
	call := waitReport(t, rec, "worker-1", "partition 1 moving on", func(call progressCall) bool {
		return byPartition(call.parts)[1].Next == 4
	})
	if pp := byPartition(call.parts)[1]; !pp.Newest.Equal(t0.Add(-2*time.Hour+7*time.Minute)) || !pp.CaughtUp() {
		t.Errorf("partition 1 after healing: %+v", pp)
	}
	if off := committed(t, addr, "g")[1]; off != 4 {
		t.Errorf("partition 1 committed at %d after healing, want 4", off)
	}
}

// TestFirstPostOfAPartitionIsHeldToTheStream checks that a partition's
// first post, which has no mark of its own to be behind, is dead-lettered
// when it arrives while the worker reads and is more than MaxBehind older
// than the other partitions' marks, read or resumed. With no reference at
// all (a new stream), or as the first of a backlog (a replay whose
// partitions start days apart), it is counted.
func TestFirstPostOfAPartitionIsHeldToTheStream(t *testing.T) {
	tests := []struct {
		name   string
		before func(t *testing.T, addr string, rec *fakeRecorder) (produced uint64)
		dead   bool
		// backlog: the partition's posts wait on the topic before the
		// worker starts, as in a replay or a new group, rather than
		// arriving while it reads.
		backlog bool
	}{
		{name: "another partition read first", dead: true, before: func(t *testing.T, addr string, _ *fakeRecorder) uint64 {
			produce(t, addr, post(0, "now", t0))
			return 1
		}},
		{name: "another partition's progress, resumed", dead: true, before: func(_ *testing.T, _ string, rec *fakeRecorder) uint64 {
			rec.store(seismo.PartitionOwner{Topic: topic, Worker: "gone", Partitions: partitions, StaleAfter: time.Minute},
				seismo.PartitionProgress{Partition: 2, Next: 0, End: 0, Newest: t0, Watermark: t0.Add(-30 * time.Second)})
			return 0
		}},
		{name: "another partition's progress at another offset", dead: false, before: func(_ *testing.T, _ string, rec *fakeRecorder) uint64 {
			// After a reset of the group's offsets the stored mark belongs
			// to another place in the partition, and says nothing.
			rec.store(seismo.PartitionOwner{Topic: topic, Worker: "gone", Partitions: partitions, StaleAfter: time.Minute},
				seismo.PartitionProgress{Partition: 2, Next: 7, End: 7, Newest: t0, Watermark: t0.Add(-30 * time.Second)})
			return 0
		}},
		{name: "no post anywhere yet", dead: false, before: func(*testing.T, string, *fakeRecorder) uint64 { return 0 }},
		{name: "a backlog whose partitions start days apart", dead: false, backlog: true,
			before: func(t *testing.T, addr string, _ *fakeRecorder) uint64 {
				produce(t, addr, post(0, "now", t0))
				return 1
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := startBroker(t)
			rec := &fakeRecorder{}
			before := tt.before(t, addr, rec)
			old := []kafka.Message{post(1, "old", t0.Add(-49*time.Hour)), post(1, "next", t0.Add(-49*time.Hour+time.Minute))}
			if tt.backlog {
				produce(t, addr, old...)
			}
			c := newConsumer(t, testConfig(addr, "g", newClock(t0.Add(time.Hour))), rec, nil)
			run(t, c)
			if !tt.backlog {
				// Produced once the worker owns its partitions, and so
				// knows where their backlogs end: before that the posts
				// would be part of the backlog. The other partition's
				// post first, so that its mark is set.
				waitFor(t, "the generation", func() bool { return len(c.Owned()) > 0 })
				waitFor(t, "the posts before", func() bool { return c.Processed() == before })
				produce(t, addr, old...)
			}
			waitFor(t, "the partition's posts", func() bool { return c.Processed() == before+2 })
			got := map[string]bool{}
			for _, id := range rec.recordedIDs() {
				got[id] = true
			}
			if got["old"] == tt.dead {
				t.Errorf("the old first post recorded: %v, want %v", got["old"], !tt.dead)
			}
			if !tt.dead {
				if !got["next"] {
					t.Error("the post after it was not recorded")
				}
				return
			}
			// The post after it is just as far behind the stream, and its
			// partition still has no mark: it goes the same way.
			if got["next"] {
				t.Error("the next post, also 49h behind the stream, was recorded")
			}
			for _, m := range readDLQ(t, addr, 2) {
				if r := header(m, ingest.HeaderReason); r != string(seismo.ReasonTimeOutOfRange) {
					t.Errorf("dead letter %s: reason %q, want %q", m.Key, r, seismo.ReasonTimeOutOfRange)
				}
				if e := header(m, ingest.HeaderError); !strings.Contains(e, "behind the newest post of the stream") {
					t.Errorf("dead letter %s: error %q does not say what it is behind", m.Key, e)
				}
			}
		})
	}
}
