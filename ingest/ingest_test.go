package ingest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/broker"
	"github.com/seismo-dev/seismo/ingest"
	"github.com/seismo-dev/seismo/metrics"
)

// t0 is the event time the tests' posts are written around.
var t0 = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

const (
	topic      = "posts"
	dlqTopic   = "posts.dlq"
	partitions = 3
	waitLimit  = 20 * time.Second
)

// fakeClock is an injectable wall clock.
type fakeClock struct{ ns atomic.Int64 }

func newClock(t time.Time) *fakeClock {
	c := &fakeClock{}
	c.Set(t)
	return c
}
func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *fakeClock) Set(t time.Time)         { c.ns.Store(t.UnixNano()) }
func (c *fakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// fakeClassifier calls every post a WhatsApp complaint, except texts with
// "neutral" (no signal) and "PANIC" (the classifier panics).
type fakeClassifier struct{}

func (fakeClassifier) Classify(p *seismo.Post) seismo.Signal {
	if strings.Contains(p.Text, "PANIC") {
		panic("classifier bug on " + p.ID)
	}
	if strings.Contains(p.Text, "neutral") {
		return seismo.Signal{PostID: p.ID}
	}
	return seismo.Signal{PostID: p.ID, Services: []string{"whatsapp"}, Complaint: true}
}

// recordCall is one call of Record, successful or not.
type recordCall struct {
	seq int // order among all calls of the recorder
	ids []string
	err error
}

// fakeRecorder keeps what it is given; it fails the first failFirst calls
// of Record, and every call while failing is set. Like the store, it keeps
// the last progress reported for each partition, refuses a report on a
// partition whose stored progress comes from a later consumer-group
// generation, and resumes from what it keeps.
type fakeRecorder struct {
	failing atomic.Bool

	mu        sync.Mutex
	failFirst int
	delay     time.Duration
	calls     []recordCall
	reports   []seismo.Report // from successful calls, in order
	progress  []progressCall
	stored    map[int]storedProgress
	resumed   [][]int // the partitions of each Resume call
	seq       int     // calls of Record and ReportProgress so far
}

// progressCall is one call of ReportProgress, with copies of what it was
// given and what it refused.
type progressCall struct {
	seq     int // order among all calls of the recorder
	owner   seismo.PartitionOwner
	parts   []seismo.PartitionProgress
	refused []int
}

// storedProgress is what the fake keeps of a partition: the last accepted
// report and its owner.
type storedProgress struct {
	owner    seismo.PartitionOwner
	progress seismo.PartitionProgress
}

func (r *fakeRecorder) Record(ctx context.Context, reports []seismo.Report) error {
	if r.delay > 0 {
		select {
		case <-time.After(r.delay):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := make([]string, len(reports))
	for i, rep := range reports {
		ids[i] = rep.Post.ID
	}
	var err error
	if len(r.calls) < r.failFirst || r.failing.Load() {
		err = fmt.Errorf("injected failure %d", len(r.calls)+1)
	} else {
		r.reports = append(r.reports, reports...)
	}
	r.seq++
	r.calls = append(r.calls, recordCall{seq: r.seq, ids: ids, err: err})
	return err
}

func (r *fakeRecorder) ReportProgress(_ context.Context, owner seismo.PartitionOwner, parts []seismo.PartitionProgress) ([]int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stored == nil {
		r.stored = map[int]storedProgress{}
	}
	var refused []int
	for _, pp := range parts {
		if cur, ok := r.stored[pp.Partition]; ok && cur.owner.Generation > owner.Generation {
			refused = append(refused, pp.Partition)
			continue
		}
		r.stored[pp.Partition] = storedProgress{owner: owner, progress: pp}
	}
	r.seq++
	r.progress = append(r.progress, progressCall{seq: r.seq, owner: owner, parts: slices.Clone(parts),
		refused: slices.Clone(refused)})
	return refused, nil
}

func (r *fakeRecorder) Resume(_ context.Context, topic string, partitions []int) (map[int]seismo.PartitionProgress, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.resumed = append(r.resumed, slices.Clone(partitions))
	out := map[int]seismo.PartitionProgress{}
	for _, p := range partitions {
		if s, ok := r.stored[p]; ok && s.owner.Topic == topic {
			out[p] = s.progress
		}
	}
	return out, nil
}

// store puts progress in the fake as if owner had reported it.
func (r *fakeRecorder) store(owner seismo.PartitionOwner, pp seismo.PartitionProgress) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stored == nil {
		r.stored = map[int]storedProgress{}
	}
	r.stored[pp.Partition] = storedProgress{owner: owner, progress: pp}
}

// progressCalls returns every ReportProgress call so far.
func (r *fakeRecorder) progressCalls() []progressCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.progress)
}

// kept returns the progress kept for each partition.
func (r *fakeRecorder) kept() map[int]seismo.PartitionProgress {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[int]seismo.PartitionProgress{}
	for p, s := range r.stored {
		out[p] = s.progress
	}
	return out
}

func (r *fakeRecorder) recordedIDs() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := make([]string, len(r.reports))
	for i, rep := range r.reports {
		ids[i] = rep.Post.ID
	}
	return ids
}

func (r *fakeRecorder) callLog() []recordCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

func startBroker(t *testing.T) string {
	t.Helper()
	b, err := broker.Start(broker.Config{Addr: "127.0.0.1:0", Partitions: partitions,
		Topics: []string{topic, dlqTopic}, Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("start broker: %v", err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b.Addr()
}

// testLogger shows warnings and errors with -v, or everything with
// INGEST_TEST_DEBUG=1.
func testLogger(t *testing.T) *slog.Logger {
	level := slog.LevelWarn
	if os.Getenv("INGEST_TEST_DEBUG") != "" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: level}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func testConfig(addr, group string, clock *fakeClock) ingest.Config {
	return ingest.Config{
		Brokers: []string{addr}, Topic: topic, DLQTopic: dlqTopic, GroupID: group, WorkerID: "worker-1",
		BatchSize: 50, BatchWait: 20 * time.Millisecond, Concurrency: 4,
		HeartbeatInterval: 200 * time.Millisecond, SessionTimeout: 3 * time.Second, RebalanceTimeout: 2 * time.Second,
		PublishInterval: 100 * time.Millisecond, ShutdownTimeout: 5 * time.Second, OpTimeout: 5 * time.Second,
		Now: clock.Now,
	}
}

// postJSON encodes a valid post.
func postJSON(id string, created time.Time, text string) []byte {
	b, err := json.Marshal(map[string]any{
		"id": id, "text": text, "created_at": created.Format(time.RFC3339Nano),
		"author": "a-" + id, "source": "test", "country": "BR",
	})
	if err != nil {
		panic(err)
	}
	return b
}

// produce writes msgs, each to the partition set in its Partition field.
func produce(t *testing.T, addr string, msgs ...kafka.Message) {
	t.Helper()
	w := &kafka.Writer{
		Addr: kafka.TCP(addr), Topic: topic, RequiredAcks: kafka.RequireAll,
		Balancer:     kafka.BalancerFunc(func(m kafka.Message, _ ...int) int { return m.Partition }),
		BatchTimeout: 5 * time.Millisecond, BatchSize: 1000, BatchBytes: 4 << 20,
		WriteTimeout: 5 * time.Second, ReadTimeout: 5 * time.Second,
	}
	defer w.Close()
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	defer cancel()
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatalf("produce %d messages: %v", len(msgs), err)
	}
}

// goodPosts makes n valid posts per partition, ids p<partition>-<seq>,
// event time increasing by a second per post.
func goodPosts(prefix string, n int) []kafka.Message {
	var msgs []kafka.Message
	for i := range n {
		for p := range partitions {
			id := fmt.Sprintf("%sp%d-%04d", prefix, p, i)
			msgs = append(msgs, kafka.Message{Partition: p, Key: []byte(id),
				Value: postJSON(id, t0.Add(time.Duration(i)*time.Second), "whatsapp is down again")})
		}
	}
	return msgs
}

// run starts c and returns a stop function that cancels it and checks
// that Run returned nil. Stop runs at cleanup if the test did not call it.
func run(t *testing.T, c *ingest.Consumer) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run returned %v after cancel, want nil", err)
				}
			case <-time.After(waitLimit):
				t.Errorf("Run did not return within %s of cancel", waitLimit)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func newConsumer(t *testing.T, cfg ingest.Config, rec ingest.Recorder, reg *metrics.Registry) *ingest.Consumer {
	t.Helper()
	c, err := ingest.New(cfg, fakeClassifier{}, rec, reg, testLogger(t))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", waitLimit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// byPartition indexes parts by partition.
func byPartition(parts []seismo.PartitionProgress) map[int]seismo.PartitionProgress {
	out := make(map[int]seismo.PartitionProgress, len(parts))
	for _, pp := range parts {
		out[pp.Partition] = pp
	}
	return out
}

// waitHandled waits until c owns every partition of next and has handled
// each up to its offset there, and returns what c owns then. Processed
// alone is not enough: it counts a batch before its progress is noted.
func waitHandled(t *testing.T, c *ingest.Consumer, next map[int]int64) map[int]seismo.PartitionProgress {
	t.Helper()
	var owned map[int]seismo.PartitionProgress
	waitFor(t, fmt.Sprintf("partitions handled up to %v", next), func() bool {
		owned = byPartition(c.Owned())
		for p, n := range next {
			if pp, ok := owned[p]; !ok || pp.Next != n {
				return false
			}
		}
		return true
	})
	return owned
}

// committed returns the group's committed offset per partition (-1: none).
func committed(t *testing.T, addr, group string) map[int]int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	cl := &kafka.Client{Addr: kafka.TCP(addr), Timeout: 5 * time.Second}
	resp, err := cl.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: group,
		Topics: map[string][]int{topic: {0, 1, 2}}})
	if err != nil {
		t.Fatalf("offset fetch: %v", err)
	}
	if resp.Error != nil {
		t.Fatalf("offset fetch: %v", resp.Error)
	}
	out := map[int]int64{}
	for _, p := range resp.Topics[topic] {
		out[p.Partition] = p.CommittedOffset
	}
	return out
}

// assertPartitionOrder checks that ids of each partition (p<n>-<seq>)
// appear with increasing sequence numbers.
func assertPartitionOrder(t *testing.T, ids []string) {
	t.Helper()
	last := map[string]int{}
	for _, id := range ids {
		i := strings.LastIndexByte(id, '-')
		part, seq := id[:i], id[i+1:]
		n, err := strconv.Atoi(seq)
		if err != nil {
			t.Fatalf("post id %q has no sequence", id)
		}
		if prev, ok := last[part]; ok && n <= prev {
			t.Errorf("partition %s: %s recorded after sequence %d", part, id, prev)
		}
		last[part] = n
	}
}

func TestRecordsCommitsAndKeepsPartitionOrder(t *testing.T) {
	addr := startBroker(t)
	msgs := goodPosts("", 40) // 120 posts, more than two batches
	produce(t, addr, msgs...)

	rec := &fakeRecorder{}
	reg := metrics.New()
	c := newConsumer(t, testConfig(addr, "g", newClock(t0.Add(time.Hour))), rec, reg)
	stop := run(t, c)
	waitFor(t, "all posts processed", func() bool { return c.Processed() == uint64(len(msgs)) })
	stop()

	ids := rec.recordedIDs()
	if len(ids) != len(msgs) {
		t.Errorf("recorded %d posts, want %d", len(ids), len(msgs))
	}
	want := map[string]bool{}
	for _, m := range msgs {
		want[string(m.Key)] = true
	}
	for _, id := range ids {
		if !want[id] {
			t.Errorf("recorded unknown post %q", id)
		}
	}
	assertPartitionOrder(t, ids)

	for p, off := range committed(t, addr, "g") {
		if off != 40 {
			t.Errorf("partition %d committed offset %d, want 40", p, off)
		}
	}
	if got := reg.Counter("seismo_ingest_messages_total", "").Value(); got != uint64(len(msgs)) {
		t.Errorf("messages_total = %d, want %d", got, len(msgs))
	}
	if got := reg.Counter("seismo_ingest_reports_total", "").Value(); got != uint64(len(msgs)) {
		t.Errorf("reports_total = %d, want %d", got, len(msgs))
	}

	// A new consumer in the group sees only what is new.
	rec2 := &fakeRecorder{}
	c2 := newConsumer(t, testConfig(addr, "g", newClock(t0.Add(time.Hour))), rec2, nil)
	run(t, c2)
	produce(t, addr, kafka.Message{Partition: 1, Key: []byte("new"), Value: postJSON("new", t0.Add(time.Minute), "down")})
	waitFor(t, "the new post", func() bool { return c2.Processed() >= 1 })
	if got := rec2.recordedIDs(); !slices.Equal(got, []string{"new"}) {
		t.Errorf("second consumer recorded %v, want only [new]", got)
	}
}

func TestDeadLettersPoisonAndGoesOn(t *testing.T) {
	addr := startBroker(t)
	clock := newClock(t0.Add(time.Hour))
	poison := []struct {
		name   string
		value  []byte
		reason seismo.Reason
	}{
		{"malformed JSON", []byte(`{"id": "x", "text": `), seismo.ReasonBadJSON},
		{"not JSON at all", []byte("hello"), seismo.ReasonBadJSON},
		{"oversize body", []byte(`{"id":"big","created_at":"2026-03-02T12:00:00Z","text":"` +
			strings.Repeat("a", seismo.MaxPostBytes) + `"}`), seismo.ReasonTooLarge},
		{"non-UTF-8 bytes", []byte("{\"id\":\"u\",\"created_at\":\"2026-03-02T12:00:00Z\",\"text\":\"\xff\xfe\"}"), seismo.ReasonInvalidUTF8},
		{"lone surrogate escape", []byte(`{"id":"ls","created_at":"2026-03-02T12:00:00Z","text":"\ud800 whatsapp down"}`), seismo.ReasonInvalidUTF8},
		{"missing id", []byte(`{"text":"down","created_at":"2026-03-02T12:00:00Z"}`), seismo.ReasonMissingID},
		{"missing text", []byte(`{"id":"nt","created_at":"2026-03-02T12:00:00Z"}`), seismo.ReasonMissingText},
		{"missing created_at", []byte(`{"id":"nc","text":"down"}`), seismo.ReasonMissingTime},
		{"bad timestamp", []byte(`{"id":"bt","text":"down","created_at":"yesterday"}`), seismo.ReasonBadTime},
		{"absurd timestamp", []byte(`{"id":"ab","text":"down","created_at":"1970-01-01T00:00:00Z"}`), seismo.ReasonTimeOutOfRange},
		{"far ahead of the clock", postJSON("fa", t0.Add(30*time.Hour), "down"), seismo.ReasonTimeOutOfRange},
		{"classifier panic", postJSON("cp", t0, "PANIC please"), ingest.ReasonClassifierPanic},
	}

	// Every poison message goes to partition 0, between good posts, so its
	// offset is known: good posts at even offsets, poison at odd.
	var msgs []kafka.Message
	wantGood := map[string]bool{}
	type deadWant struct {
		name   string
		value  []byte
		reason seismo.Reason
	}
	wantDead := map[int64]deadWant{}
	for i, pm := range poison {
		id := fmt.Sprintf("good-%02d", i)
		wantGood[id] = true
		msgs = append(msgs, kafka.Message{Partition: 0, Key: []byte(id), Value: postJSON(id, t0.Add(time.Duration(i)*time.Second), "down")})
		wantDead[int64(len(msgs))] = deadWant{pm.name, pm.value, pm.reason}
		msgs = append(msgs, kafka.Message{Partition: 0, Key: []byte("poison-" + strconv.Itoa(i)), Value: pm.value,
			Headers: []kafka.Header{{Key: "origin", Value: []byte("test")}}})
	}
	produce(t, addr, msgs...)

	rec := &fakeRecorder{}
	reg := metrics.New()
	c := newConsumer(t, testConfig(addr, "g", clock), rec, reg)
	run(t, c)
	waitFor(t, "first round processed", func() bool { return c.Processed() == uint64(len(msgs)) })

	// A local time sent as UTC, ahead of the clock by more than the skew;
	// and a post behind the partition's newest (t0+10s) by more than
	// MaxBehind. Then more good posts: the consumer goes on.
	behind := postJSON("fb", t0.Add(-49*time.Hour), "down")
	second := []kafka.Message{
		{Partition: 0, Key: []byte("fw"), Value: postJSON("fw", clock.Now().Add(5*time.Hour+30*time.Minute), "down")},
		{Partition: 0, Key: []byte("fb"), Value: behind},
		{Partition: 0, Key: []byte("after"), Value: postJSON("after", t0.Add(20*time.Second), "down")},
	}
	wantDead[int64(len(msgs))] = deadWant{"a local time sent as UTC", second[0].Value, seismo.ReasonTimeOutOfRange}
	wantDead[int64(len(msgs)+1)] = deadWant{"far behind the partition", second[1].Value, seismo.ReasonTimeOutOfRange}
	wantGood["after"] = true
	produce(t, addr, second...)
	total := len(msgs) + len(second)
	waitFor(t, "second round processed", func() bool { return c.Processed() == uint64(total) })

	got := map[string]bool{}
	for _, id := range rec.recordedIDs() {
		got[id] = true
	}
	for id := range wantGood {
		if !got[id] {
			t.Errorf("good post %s was not recorded", id)
		}
	}
	if len(got) != len(wantGood) {
		t.Errorf("recorded %d distinct posts, want %d", len(got), len(wantGood))
	}

	dead := readDLQ(t, addr, len(wantDead))
	for _, m := range dead {
		off, err := strconv.ParseInt(header(m, ingest.HeaderSourceOffset), 10, 64)
		if err != nil {
			t.Errorf("dead letter without a source offset: %v", m.Headers)
			continue
		}
		w, ok := wantDead[off]
		if !ok {
			t.Errorf("unexpected dead letter from offset %d (reason %s)", off, header(m, ingest.HeaderReason))
			continue
		}
		delete(wantDead, off)
		t.Run(w.name, func(t *testing.T) {
			if got := header(m, ingest.HeaderReason); got != string(w.reason) {
				t.Errorf("reason %q, want %q (error %q)", got, w.reason, header(m, ingest.HeaderError))
			}
			if header(m, ingest.HeaderError) == "" {
				t.Error("no error header")
			}
			if got := header(m, ingest.HeaderSourceTopic); got != topic {
				t.Errorf("source topic %q, want %q", got, topic)
			}
			if got := header(m, ingest.HeaderSourcePartition); got != "0" {
				t.Errorf("source partition %q, want 0", got)
			}
			if string(m.Value) != string(w.value) {
				t.Errorf("value changed on the way to the DLQ: %.60q", m.Value)
			}
			if !strings.HasPrefix(string(m.Key), "poison-") && string(m.Key) != "fw" && string(m.Key) != "fb" {
				t.Errorf("key %q is not the original", m.Key)
			}
			if strings.HasPrefix(string(m.Key), "poison-") && header(m, "origin") != "test" {
				t.Error("original header lost")
			}
		})
	}
	for off, w := range wantDead {
		t.Errorf("%s (offset %d) did not reach the DLQ", w.name, off)
	}
	for _, r := range []seismo.Reason{seismo.ReasonBadJSON, seismo.ReasonTimeOutOfRange, ingest.ReasonClassifierPanic} {
		if reg.Counter("seismo_ingest_rejected_total", "", "reason", string(r)).Value() == 0 {
			t.Errorf("rejected_total{reason=%q} is 0", r)
		}
	}
}

func header(m kafka.Message, key string) string {
	for _, h := range m.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

// readDLQ reads n dead letters from all partitions of the DLQ topic, then
// checks for a short while that no more arrive.
func readDLQ(t *testing.T, addr string, n int) []kafka.Message {
	t.Helper()
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers: []string{addr}, Topic: dlqTopic, GroupID: "dlq-reader", StartOffset: kafka.FirstOffset,
		MaxWait: 100 * time.Millisecond, HeartbeatInterval: 200 * time.Millisecond,
		SessionTimeout: 3 * time.Second, RebalanceTimeout: 2 * time.Second,
		Dialer: &kafka.Dialer{Timeout: 5 * time.Second},
	})
	defer r.Close()
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	defer cancel()
	var out []kafka.Message
	for len(out) < n {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			t.Fatalf("read DLQ after %d of %d: %v", len(out), n, err)
		}
		out = append(out, m)
	}
	extra, cancelExtra := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancelExtra()
	if m, err := r.FetchMessage(extra); err == nil {
		t.Errorf("unexpected extra dead letter: reason %s offset %s", header(m, ingest.HeaderReason),
			header(m, ingest.HeaderSourceOffset))
	}
	return out
}

func TestCommitsOnlyAfterRecord(t *testing.T) {
	addr := startBroker(t)
	msgs := goodPosts("", 5)
	produce(t, addr, msgs...)

	const failures = 3
	rec := &fakeRecorder{failFirst: failures}
	reg := metrics.New()
	cfg := testConfig(addr, "g", newClock(t0.Add(time.Hour)))
	cfg.BatchSize = 1000
	cfg.BatchWait = 300 * time.Millisecond // one batch for all
	c := newConsumer(t, cfg, rec, reg)
	run(t, c)

	waitFor(t, "the recorder to fail twice", func() bool { return len(rec.callLog()) >= 2 })
	for p, off := range committed(t, addr, "g") {
		if off >= 0 {
			t.Errorf("partition %d committed offset %d while the recorder fails", p, off)
		}
	}
	if c.Processed() != 0 {
		t.Errorf("Processed = %d while the recorder fails, want 0", c.Processed())
	}
	waitFor(t, "all posts processed", func() bool { return c.Processed() == uint64(len(msgs)) })

	calls := rec.callLog()
	if len(calls) != failures+1 {
		t.Fatalf("Record called %d times, want %d failures and one success", len(calls), failures+1)
	}
	for i, call := range calls[:failures] {
		if call.err == nil {
			t.Errorf("call %d succeeded, want an injected failure", i)
		}
		if !slices.Equal(call.ids, calls[failures].ids) {
			t.Errorf("failed call %d carried %v, the retry %v: the batch changed between tries", i, call.ids, calls[failures].ids)
		}
	}
	ids := rec.recordedIDs()
	if len(ids) != len(msgs) {
		t.Errorf("recorded %d posts, want each of the %d once", len(ids), len(msgs))
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Errorf("post %s recorded twice", id)
		}
		seen[id] = true
	}
	for p, off := range committed(t, addr, "g") {
		if off != 5 {
			t.Errorf("partition %d committed offset %d, want 5", p, off)
		}
	}
	if got := reg.Counter("seismo_ingest_batch_errors_total", "").Value(); got != failures {
		t.Errorf("batch_errors_total = %d, want %d", got, failures)
	}
}

func TestShutdownMidStreamLosesNothing(t *testing.T) {
	addr := startBroker(t)
	msgs := goodPosts("", 100) // 300 posts
	produce(t, addr, msgs...)

	cfg := testConfig(addr, "g", newClock(t0.Add(time.Hour)))
	cfg.BatchSize = 10
	rec1 := &fakeRecorder{delay: 10 * time.Millisecond}
	c1 := newConsumer(t, cfg, rec1, nil)
	stop1 := run(t, c1)
	waitFor(t, "the first worker to get going", func() bool { return c1.Processed() >= 50 })
	stop1()
	done1 := c1.Processed()
	if done1 >= uint64(len(msgs)) {
		t.Fatalf("the first worker finished everything (%d) before the shutdown; the test proves nothing", done1)
	}

	rec2 := &fakeRecorder{}
	c2 := newConsumer(t, cfg, rec2, nil)
	run(t, c2)
	all := map[string]bool{}
	waitFor(t, "every post recorded", func() bool {
		clear(all)
		for _, id := range rec1.recordedIDs() {
			all[id] = true
		}
		for _, id := range rec2.recordedIDs() {
			all[id] = true
		}
		return len(all) == len(msgs)
	})
	for _, m := range msgs {
		if !all[string(m.Key)] {
			t.Errorf("post %s lost", m.Key)
		}
	}
	// The second worker resumed from the commits, not from the start.
	if n := len(rec2.recordedIDs()); n > len(msgs)-int(done1) {
		t.Errorf("second worker recorded %d posts, but only %d were uncommitted", n, len(msgs)-int(done1))
	}
	assertPartitionOrder(t, rec1.recordedIDs())
	assertPartitionOrder(t, rec2.recordedIDs())
}

func TestEnsureTopics(t *testing.T) {
	addr := startBroker(t)
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	defer cancel()
	for _, step := range []string{"create", "again, existing"} {
		t.Run(step, func(t *testing.T) {
			if err := ingest.EnsureTopics(ctx, []string{addr}, 2, "fresh", topic); err != nil {
				t.Fatalf("EnsureTopics: %v", err)
			}
			conn, err := kafka.DialContext(ctx, "tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
			for name, want := range map[string]int{"fresh": 2, topic: partitions} {
				parts, err := conn.ReadPartitions(name)
				if err != nil {
					t.Fatalf("partitions of %s: %v", name, err)
				}
				if len(parts) != want {
					t.Errorf("%s has %d partitions, want %d", name, len(parts), want)
				}
			}
		})
	}
	t.Run("unreachable", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if err := ingest.EnsureTopics(ctx, []string{"127.0.0.1:1"}, 1, "x"); err == nil {
			t.Error("EnsureTopics against a closed port succeeded")
		}
	})
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(*ingest.Config)
		wantErr string
	}{
		{"defaults with brokers", func(*ingest.Config) {}, ""},
		{"no brokers", func(c *ingest.Config) { c.Brokers = nil }, "no brokers"},
		{"empty broker", func(c *ingest.Config) { c.Brokers = []string{""} }, "empty broker"},
		{"DLQ is the topic", func(c *ingest.Config) { c.Topic, c.DLQTopic = "posts", "posts" }, "DLQ topic"},
		{"negative batch", func(c *ingest.Config) { c.BatchSize = -1 }, "batch size"},
		{"negative lateness", func(c *ingest.Config) { c.Lateness = -time.Second }, "lateness"},
		{"heartbeat too slow", func(c *ingest.Config) { c.HeartbeatInterval = time.Minute }, "heartbeat"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ingest.Config{Brokers: []string{"127.0.0.1:9092"}}
			tt.mutate(&cfg)
			err := cfg.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Validate: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Validate = %v, want an error about %q", err, tt.wantErr)
			}
			_, nerr := ingest.New(cfg, fakeClassifier{}, &fakeRecorder{}, nil, nil)
			if (nerr == nil) != (tt.wantErr == "") {
				t.Errorf("New error %v disagrees with Validate %v", nerr, err)
			}
		})
	}
}

func TestDefaultConfig(t *testing.T) {
	d := ingest.DefaultConfig()
	if d.Topic != "seismo.posts" || d.GroupID != "seismo-ingest" || d.DLQTopic != "seismo.posts.dlq" {
		t.Errorf("names %q %q %q", d.Topic, d.GroupID, d.DLQTopic)
	}
	if d.BatchSize != 500 || d.BatchWait != 50*time.Millisecond || d.Lateness != 30*time.Second ||
		d.IdleTimeout != 10*time.Second || d.MaxAhead != 5*time.Minute || d.MaxBehind != 48*time.Hour {
		t.Errorf("defaults %+v", d)
	}
	if d.WorkerID == "" || d.Concurrency < 1 || d.Now == nil {
		t.Errorf("worker %q concurrency %d now %v", d.WorkerID, d.Concurrency, d.Now != nil)
	}
}

func TestRunTwice(t *testing.T) {
	addr := startBroker(t)
	c := newConsumer(t, testConfig(addr, "g", newClock(t0.Add(time.Hour))), &fakeRecorder{}, nil)
	run(t, c)
	produce(t, addr, kafka.Message{Partition: 0, Key: []byte("x"), Value: postJSON("x", t0, "down")})
	waitFor(t, "the first Run to consume", func() bool { return c.Processed() == 1 })
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	if err := c.Run(ctx); err == nil || errors.Is(err, io.EOF) {
		t.Errorf("second Run = %v, want an error", err)
	}
}

func TestShutdownWhileRecorderFailsIsBounded(t *testing.T) {
	addr := startBroker(t)
	produce(t, addr, goodPosts("", 2)...)
	rec := &fakeRecorder{failFirst: 1 << 30}
	cfg := testConfig(addr, "g", newClock(t0.Add(time.Hour)))
	cfg.ShutdownTimeout = 500 * time.Millisecond
	c := newConsumer(t, cfg, rec, nil)

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	waitFor(t, "the recorder to fail", func() bool { return len(rec.callLog()) >= 2 })
	cancel()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "will be redelivered") {
			t.Errorf("Run = %v, want an error saying the batch will be redelivered", err)
		}
	case <-time.After(waitLimit):
		t.Fatal("Run did not return while the recorder kept failing")
	}
	for p, off := range committed(t, addr, "g") {
		if off >= 0 {
			t.Errorf("partition %d committed offset %d though nothing was recorded", p, off)
		}
	}
	if c.Processed() != 0 {
		t.Errorf("Processed = %d, want 0", c.Processed())
	}
}

func TestTwoWorkersShareTheTopic(t *testing.T) {
	addr := startBroker(t)
	clock := newClock(t0.Add(time.Hour))
	cfg1 := testConfig(addr, "g", clock)
	cfg2 := cfg1
	cfg2.WorkerID = "worker-2"
	rec1, rec2 := &fakeRecorder{}, &fakeRecorder{}
	c1 := newConsumer(t, cfg1, rec1, nil)
	c2 := newConsumer(t, cfg2, rec2, nil)
	run(t, c1)
	run(t, c2)

	// Produce in rounds until both workers have work: the second one gets
	// partitions only once the group has rebalanced.
	var msgs []kafka.Message
	round := 0
	waitFor(t, "both workers to record posts", func() bool {
		var batch []kafka.Message
		for p := range partitions {
			id := fmt.Sprintf("p%d-%04d", p, round)
			batch = append(batch, kafka.Message{Partition: p, Key: []byte(id), Value: postJSON(id, t0.Add(time.Duration(round)*time.Second), "down")})
		}
		produce(t, addr, batch...)
		msgs = append(msgs, batch...)
		round++
		time.Sleep(50 * time.Millisecond)
		return len(rec1.recordedIDs()) > 0 && len(rec2.recordedIDs()) > 0
	})
	all := map[string]bool{}
	waitFor(t, "every post recorded by one of the workers", func() bool {
		clear(all)
		for _, id := range append(rec1.recordedIDs(), rec2.recordedIDs()...) {
			all[id] = true
		}
		return len(all) == len(msgs)
	})
	// No order check here: a rebalance redelivers from the last commit,
	// so a worker may see a post again after later ones.
	for p, off := range committed(t, addr, "g") {
		if off != int64(round) {
			t.Errorf("partition %d committed offset %d, want %d", p, off, round)
		}
	}
}

// Ready answers what a readiness probe asks: not before the worker joined
// its group, yes while it consumes, and no once the brokers stop answering
// about the partitions it owns.
func TestReady(t *testing.T) {
	b, err := broker.Start(broker.Config{Addr: "127.0.0.1:0", Partitions: partitions,
		Topics: []string{topic, dlqTopic}, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	cfg := testConfig(b.Addr(), "ready", newClock(t0))
	cfg.OpTimeout = time.Second
	c := newConsumer(t, cfg, &fakeRecorder{}, metrics.New())
	if err := c.Ready(); err == nil || !strings.Contains(err.Error(), "not yet in consumer group ready") {
		t.Fatalf("Ready before Run = %v, want not yet in the group", err)
	}
	run(t, c)
	waitFor(t, "the worker to be ready", func() bool { return c.Ready() == nil })
	msgs := goodPosts("r", 10)
	produce(t, b.Addr(), msgs...)
	waitFor(t, "the posts to be handled", func() bool { return c.Processed() == uint64(len(msgs)) })
	if err := c.Ready(); err != nil {
		t.Fatalf("Ready while consuming = %v", err)
	}
	_ = b.Close()
	waitFor(t, "the worker to be unready without its broker", func() bool { return c.Ready() != nil })
	if err := c.Ready(); !strings.Contains(err.Error(), "Kafka") && !strings.Contains(err.Error(), "consumer group") {
		t.Errorf("Ready = %v, want it to say what is wrong", err)
	}
}
