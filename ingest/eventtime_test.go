package ingest_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/broker"
	"github.com/seismo-dev/seismo/ingest"
	"github.com/seismo-dev/seismo/metrics"
)

// outcome is what should become of a post.
type outcome int

const (
	recorded outcome = iota // recorded, not late
	late                    // recorded, late
	dead                    // dead-lettered for its event time
)

func (o outcome) String() string { return [...]string{"recorded", "late", "dead"}[o] }

// timedPost is a post of a partition at an event time.
type timedPost struct {
	p    int
	id   string
	at   time.Time
	want outcome
}

func (tp timedPost) msg() kafka.Message {
	return kafka.Message{Partition: tp.p, Key: []byte(tp.id), Value: postJSON(tp.id, tp.at, "whatsapp is down")}
}

// lateness reports, per recorded post id, whether it was marked late.
func (r *fakeRecorder) lateness() map[string]bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]bool, len(r.reports))
	for _, rep := range r.reports {
		out[rep.Post.ID] = rep.Late
	}
	return out
}

func TestEventTimeChecks(t *testing.T) {
	now0 := t0.Add(4 * 24 * time.Hour) // the wall clock; Lateness 30s, MaxAhead 5m, MaxBehind 48h
	const idle = 10 * time.Second
	type stage struct {
		advance time.Duration // of the wall clock, before the stage
		posts   []timedPost
		// wantNewest is, after the stage, the newest event time of each
		// partition listed; a partition's watermark must be that minus
		// the lateness.
		wantNewest map[int]time.Time
	}
	tests := []struct {
		name   string
		stages []stage
		errHas map[string]string // post id: text its dead letter's error must have
	}{
		{
			name: "a lone post from the future",
			stages: []stage{
				{posts: []timedPost{{0, "a0", t0, recorded}, {1, "b0", t0.Add(-time.Minute), recorded},
					{2, "c0", t0.Add(-2 * time.Minute), recorded}},
					wantNewest: map[int]time.Time{0: t0, 1: t0.Add(-time.Minute), 2: t0.Add(-2 * time.Minute)}},
				// The others go idle; a local time sent as UTC, 5h30 ahead,
				// must not drag its partition's watermark along.
				{advance: idle + time.Second,
					posts:      []timedPost{{0, "future", now0.Add(idle + time.Second + 5*time.Hour + 30*time.Minute), dead}},
					wantNewest: map[int]time.Time{0: t0}},
				{posts: []timedPost{{0, "skew", now0.Add(idle + time.Second + 2*time.Minute), recorded}},
					wantNewest: map[int]time.Time{0: now0.Add(idle + time.Second + 2*time.Minute)}},
			},
			errHas: map[string]string{"future": "is 5h30m ahead of the clock"},
		},
		{
			name: "a gap of 7 hours in a partition",
			stages: []stage{
				{posts: []timedPost{{0, "a0", t0, recorded}, {0, "a1", t0.Add(time.Minute), recorded},
					{1, "b0", t0, recorded}, {2, "c0", t0, recorded}}},
				{posts: []timedPost{{0, "a2", t0.Add(7*time.Hour + time.Minute), recorded},
					{0, "a3", t0.Add(7*time.Hour + 2*time.Minute), recorded}, {1, "b1", t0.Add(time.Second), recorded}},
					wantNewest: map[int]time.Time{0: t0.Add(7*time.Hour + 2*time.Minute), 1: t0.Add(time.Second), 2: t0}},
			},
		},
		{
			name: "a partition hours behind the others",
			stages: []stage{
				{posts: []timedPost{{0, "a0", t0.Add(40 * time.Hour), recorded},
					{2, "c0", t0.Add(40 * time.Hour), recorded}}},
				{posts: []timedPost{{1, "b0", t0, recorded}, {1, "b1", t0.Add(time.Minute), recorded},
					{1, "b2", t0.Add(2 * time.Minute), recorded}, {1, "b3", t0.Add(-time.Minute), late},
					{1, "b4", t0.Add(-49 * time.Hour), dead}},
					// Neither the late post nor the dead one moves it back.
					wantNewest: map[int]time.Time{0: t0.Add(40 * time.Hour), 1: t0.Add(2 * time.Minute),
						2: t0.Add(40 * time.Hour)}},
			},
			errHas: map[string]string{"b4": "49h2m behind the newest post of its partition"},
		},
		{
			// A partition's first post has no mark of its own to be behind:
			// it is held to the stream's newest post, and so is every post
			// after it until one sets the partition's mark.
			name: "a partition's first posts days behind the stream",
			stages: []stage{
				{posts: []timedPost{{0, "a0", t0.Add(3 * 24 * time.Hour), recorded}}},
				{posts: []timedPost{{1, "b0", t0, dead}, {1, "b1", t0.Add(time.Minute), dead},
					{1, "b2", t0.Add(3*24*time.Hour - 47*time.Hour), recorded},
					{1, "b3", t0.Add(3*24*time.Hour - 48*time.Hour), late}},
					wantNewest: map[int]time.Time{0: t0.Add(3 * 24 * time.Hour), 1: t0.Add(3*24*time.Hour - 47*time.Hour)}},
			},
			errHas: map[string]string{"b0": "72h behind the newest post of the stream",
				"b1": "71h59m behind the newest post of the stream"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := startBroker(t)
			clock := newClock(now0)
			rec := &fakeRecorder{}
			cfg := testConfig(addr, "g", clock)
			cfg.IdleTimeout = idle
			c := newConsumer(t, cfg, rec, nil)
			run(t, c)

			sent := map[int]int64{}
			var all []timedPost
			for i, s := range tt.stages {
				clock.Advance(s.advance)
				var msgs []kafka.Message
				for _, tp := range s.posts {
					msgs = append(msgs, tp.msg())
					sent[tp.p]++
				}
				all = append(all, s.posts...)
				produce(t, addr, msgs...)
				owned := waitHandled(t, c, sent)
				for p, newest := range s.wantNewest {
					pp := owned[p]
					if !pp.Newest.Equal(newest) || !pp.Watermark.Equal(newest.Add(-30*time.Second)) {
						t.Errorf("after stage %d: partition %d newest %v watermark %v; want %v and %v",
							i, p, pp.Newest, pp.Watermark, newest, newest.Add(-30*time.Second))
					}
				}
			}

			got := rec.lateness()
			var nDead int
			for _, tp := range all {
				isLate, isRecorded := got[tp.id]
				switch {
				case tp.want == dead && isRecorded:
					t.Errorf("%s recorded, want it dead-lettered", tp.id)
				case tp.want == dead:
					nDead++
				case !isRecorded:
					t.Errorf("%s not recorded, want %s", tp.id, tp.want)
				case isLate != (tp.want == late):
					t.Errorf("%s late %v, want %s", tp.id, isLate, tp.want)
				}
			}
			for _, m := range readDLQ(t, addr, nDead) {
				id := string(m.Key)
				i := slices.IndexFunc(all, func(tp timedPost) bool { return tp.id == id })
				if i < 0 || all[i].want != dead {
					t.Errorf("unexpected dead letter %s: %s", id, header(m, ingest.HeaderError))
					continue
				}
				if r := header(m, ingest.HeaderReason); r != string(seismo.ReasonTimeOutOfRange) {
					t.Errorf("%s dead-lettered for %q", id, r)
				}
				if want := tt.errHas[id]; !strings.Contains(header(m, ingest.HeaderError), want) {
					t.Errorf("%s: error %q does not say %q", id, header(m, ingest.HeaderError), want)
				}
			}
		})
	}
}

// TestLateMarkingIsDeterministic consumes the same partitions in different
// interleavings: the late posts must be the same.
func TestLateMarkingIsDeterministic(t *testing.T) {
	parts := [][]timedPost{
		{{0, "a0", t0.Add(10 * time.Minute), recorded}, {0, "a1", t0.Add(12 * time.Minute), recorded},
			{0, "a2", t0.Add(11 * time.Minute), late}, {0, "a3", t0.Add(12*time.Minute - 20*time.Second), recorded},
			{0, "a4", t0.Add(30 * time.Minute), recorded}, {0, "a5", t0.Add(29 * time.Minute), late}},
		{{1, "b0", t0.Add(-5 * time.Hour), recorded}, {1, "b1", t0.Add(-4 * time.Hour), recorded},
			{1, "b2", t0.Add(-5 * time.Hour), late}, {1, "b3", t0.Add(2 * time.Hour), recorded},
			{1, "b4", t0.Add(time.Hour), late}},
		{{2, "c0", t0.Add(time.Minute), recorded}, {2, "c1", t0.Add(time.Minute - 31*time.Second), late},
			{2, "c2", t0.Add(2 * time.Minute), recorded}, {2, "c3", t0.Add(3 * time.Minute), recorded}},
	}
	var want []string
	for _, ps := range parts {
		for _, tp := range ps {
			if tp.want == late {
				want = append(want, tp.id)
			}
		}
	}
	slices.Sort(want)
	tests := []struct {
		name  string
		order [][]int // partitions produced together, each group consumed before the next
	}{
		{"all together", [][]int{{0, 1, 2}}},
		{"one after another", [][]int{{0}, {1}, {2}}},
		{"the other way round", [][]int{{2}, {1}, {0}}},
		{"the slow one last", [][]int{{0, 2}, {1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := startBroker(t)
			rec := &fakeRecorder{}
			c := newConsumer(t, testConfig(addr, "g", newClock(t0.Add(24*time.Hour))), rec, nil)
			run(t, c)
			var sent uint64
			for _, group := range tt.order {
				var msgs []kafka.Message
				for _, p := range group {
					for _, tp := range parts[p] {
						msgs = append(msgs, tp.msg())
					}
				}
				produce(t, addr, msgs...)
				sent += uint64(len(msgs))
				waitFor(t, "the group's posts", func() bool { return c.Processed() == sent })
			}
			var got []string
			for id, isLate := range rec.lateness() {
				if isLate {
					got = append(got, id)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("late %v, want %v", got, want)
			}
		})
	}
}

// A dead letter the broker refuses for its size is replaced by a minimal
// one instead of blocking the partition forever.
func TestDLQPermanentErrorFallsBackToMinimal(t *testing.T) {
	b, err := broker.Start(broker.Config{Addr: "127.0.0.1:0", Partitions: partitions,
		Topics: []string{topic}, Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("start broker: %v", err)
	}
	t.Cleanup(func() { _ = b.Close() })
	addr := b.Addr()
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	defer cancel()
	cl := &kafka.Client{Addr: kafka.TCP(addr), Timeout: 5 * time.Second}
	resp, err := cl.CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{{
		Topic: dlqTopic, NumPartitions: 1, ReplicationFactor: 1,
		ConfigEntries: []kafka.ConfigEntry{{ConfigName: "max.message.bytes", ConfigValue: "4096"}},
	}}})
	if err != nil {
		t.Fatalf("create DLQ topic: %v", err)
	}
	if err := resp.Errors[dlqTopic]; err != nil {
		t.Fatalf("create DLQ topic: %v", err)
	}

	big := []byte(`{"id":"big","text":"` + strings.Repeat("x", 8000)) // bad JSON, too big for the DLQ
	produce(t, addr,
		kafka.Message{Partition: 0, Key: []byte("g1"), Value: postJSON("g1", t0, "down")},
		kafka.Message{Partition: 0, Key: []byte("big"), Value: big,
			Headers: []kafka.Header{{Key: "trace", Value: []byte("t1")}}},
		kafka.Message{Partition: 0, Key: []byte("g2"), Value: postJSON("g2", t0.Add(time.Second), "down")})

	rec := &fakeRecorder{}
	reg := metrics.New()
	c := newConsumer(t, testConfig(addr, "g", newClock(t0.Add(time.Hour))), rec, reg)
	run(t, c)
	waitFor(t, "all three messages", func() bool { return c.Processed() == 3 })

	if got := rec.recordedIDs(); !slices.Equal(got, []string{"g1", "g2"}) {
		t.Errorf("recorded %v, want [g1 g2]", got)
	}
	if off := committed(t, addr, "g")[0]; off != 3 {
		t.Errorf("partition 0 committed offset %d, want 3", off)
	}
	letters := readDLQ(t, addr, 1)
	m := letters[0]
	want := map[string]string{ingest.HeaderMinimal: "true", ingest.HeaderReason: string(seismo.ReasonBadJSON),
		ingest.HeaderSourceTopic: topic, ingest.HeaderSourcePartition: "0", ingest.HeaderSourceOffset: "1", "trace": ""}
	for k, v := range want {
		if got := header(m, k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	if header(m, ingest.HeaderError) == "" || len(m.Value) != 0 || string(m.Key) != "big" {
		t.Errorf("minimal letter: key %q, value %d bytes, error %q", m.Key, len(m.Value), header(m, ingest.HeaderError))
	}
	if got := reg.Counter("seismo_ingest_dlq_minimal_total", "").Value(); got != 1 {
		t.Errorf("dlq_minimal_total = %d, want 1", got)
	}
}
