package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/segmentio/kafka-go"

	"github.com/seismo-dev/seismo"
)

var base = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

func testConsumer(t *testing.T, now time.Time) *Consumer {
	t.Helper()
	c, err := New(Config{Brokers: []string{"127.0.0.1:1"}, Now: func() time.Time { return now }},
		classifierFunc(func(*seismo.Post) seismo.Signal { return seismo.Signal{} }), nopRecorder{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type classifierFunc func(*seismo.Post) seismo.Signal

func (f classifierFunc) Classify(p *seismo.Post) seismo.Signal { return f(p) }

type nopRecorder struct{}

func (nopRecorder) Record(context.Context, []seismo.Report) error { return nil }
func (nopRecorder) ReportProgress(context.Context, seismo.PartitionOwner, []seismo.PartitionProgress) ([]int, error) {
	return nil, nil
}
func (nopRecorder) Resume(context.Context, string, []int) (map[int]seismo.PartitionProgress, error) {
	return nil, nil
}

func msgAt(p int, id string, at time.Time) kafka.Message {
	v, _ := json.Marshal(map[string]string{"id": id, "text": "down", "created_at": at.Format(time.RFC3339)})
	return kafka.Message{Partition: p, Value: v}
}

func TestCheckEventTime(t *testing.T) {
	now := base.Add(24 * time.Hour) // MaxAhead 5m, MaxBehind 48h, Lateness 30s: the defaults
	type step struct {
		p      int
		at     time.Time
		reason seismo.Reason
		late   bool
		errHas string
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"first post sets the mark", []step{{p: 0, at: base}}},
		{"a month old is fine as the first post", []step{{p: 0, at: now.Add(-30 * 24 * time.Hour)}}},
		{"a local time sent as UTC", []step{
			{p: 0, at: now.Add(-time.Minute)},
			{p: 0, at: now.Add(5*time.Hour + 30*time.Minute), reason: seismo.ReasonTimeOutOfRange,
				errHas: "is 5h30m ahead of the clock"},
		}},
		{"two minutes of skew", []step{{p: 0, at: now.Add(2 * time.Minute)}}},
		{"exactly MaxAhead", []step{{p: 0, at: now.Add(5 * time.Minute)}}},
		{"a gap of 7 hours", []step{
			{p: 0, at: base},
			{p: 0, at: base.Add(time.Minute)},
			{p: 0, at: base.Add(7*time.Hour + time.Minute)},
			{p: 0, at: base.Add(7*time.Hour + 2*time.Minute)},
		}},
		{"a replay of two days", []step{
			{p: 0, at: base.Add(-3 * 24 * time.Hour)},
			{p: 0, at: base.Add(-2 * 24 * time.Hour)},
			{p: 0, at: base},
		}},
		{"behind the partition's own mark", []step{
			{p: 0, at: base},
			{p: 0, at: base.Add(-49 * time.Hour), reason: seismo.ReasonTimeOutOfRange,
				errHas: "49h behind the newest post of its partition"},
			{p: 0, at: base.Add(-47 * time.Hour), late: true},
		}},
		{"a lagging partition against its own mark once it has one", []step{
			{p: 0, at: base.Add(20 * time.Hour)},
			{p: 2, at: base.Add(20 * time.Hour)},
			{p: 1, at: base.Add(-20 * time.Hour)},
			{p: 1, at: base.Add(-20*time.Hour + time.Minute)},
			{p: 1, at: base.Add(-20*time.Hour - 47*time.Hour), late: true}, // 67h behind the stream
			{p: 1, at: base.Add(-20*time.Hour - 49*time.Hour), reason: seismo.ReasonTimeOutOfRange,
				errHas: "behind the newest post of its partition"},
		}},
		{"a partition's first post against the stream", []step{
			{p: 0, at: base},
			{p: 1, at: base.Add(-49 * time.Hour), reason: seismo.ReasonTimeOutOfRange,
				errHas: "49h behind the newest post of the stream"},
			{p: 1, at: base.Add(-47 * time.Hour)},
			{p: 1, at: base.Add(-48 * time.Hour), late: true},
		}},
		{"late only before the partition's watermark, not within lateness", []step{
			{p: 0, at: base},
			{p: 0, at: base.Add(-20 * time.Second)},
			{p: 0, at: base.Add(-40 * time.Second), late: true},
		}},
		{"another partition's mark does not make a post late", []step{
			{p: 0, at: base.Add(time.Hour)},
			{p: 1, at: base},
			{p: 1, at: base.Add(-10 * time.Second)},
		}},
		{"a rejected post does not move the mark", []step{
			{p: 0, at: base},
			{p: 0, at: now.Add(6 * time.Hour), reason: seismo.ReasonTimeOutOfRange},
			{p: 0, at: base.Add(-40 * time.Second), late: true},
			{p: 0, at: base.Add(-20 * time.Second)},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testConsumer(t, now)
			for i, s := range tt.steps {
				it := c.check(msgAt(s.p, fmt.Sprint(i), s.at))
				if it.reason != s.reason || it.late != s.late {
					t.Errorf("step %d (%s on p%d): reason %q late %v (%s); want %q late %v",
						i, s.at.Format(time.RFC3339), s.p, it.reason, it.late, it.errMsg, s.reason, s.late)
				}
				if !strings.Contains(it.errMsg, s.errHas) {
					t.Errorf("step %d: error %q does not say %q", i, it.errMsg, s.errHas)
				}
			}
		})
	}
}

// TestLateIsDeterministic feeds the same partitions to check in many
// interleavings: which posts are late must not change.
func TestLateIsDeterministic(t *testing.T) {
	type post struct {
		id string
		at time.Duration // after base
	}
	parts := [][]post{
		{{"a0", 10 * time.Minute}, {"a1", 12 * time.Minute}, {"a2", 11 * time.Minute}, // late
			{"a3", 12*time.Minute - 20*time.Second}, {"a4", 30 * time.Minute}, {"a5", 29 * time.Minute}}, // late
		{{"b0", -5 * time.Hour}, {"b1", -4 * time.Hour}, {"b2", -5 * time.Hour}, // late
			{"b3", 2 * time.Hour}, {"b4", time.Hour}}, // late
		{{"c0", time.Minute}, {"c1", time.Minute - 31*time.Second}, // late
			{"c2", 2 * time.Minute}, {"c3", 3 * time.Minute}},
	}
	want := []string{"a2", "a5", "b2", "b4", "c1"}

	rng := rand.New(rand.NewPCG(1, 2))
	orders := map[string]bool{}
	for run := range 200 {
		// Interleave the partitions at random, each in its own order.
		next := make([]int, len(parts))
		var order, late []string
		c := testConsumer(t, base.Add(24*time.Hour))
		for {
			var open []int
			for p := range parts {
				if next[p] < len(parts[p]) {
					open = append(open, p)
				}
			}
			if len(open) == 0 {
				break
			}
			p := open[rng.IntN(len(open))]
			ps := parts[p][next[p]]
			next[p]++
			order = append(order, ps.id)
			it := c.check(msgAt(p, ps.id, base.Add(ps.at)))
			if it.reason != "" {
				t.Fatalf("run %d: %s rejected: %s", run, ps.id, it.errMsg)
			}
			if it.late {
				late = append(late, ps.id)
			}
		}
		orders[strings.Join(order, ",")] = true
		slices.Sort(late)
		if !slices.Equal(late, want) {
			t.Fatalf("interleaving %v: late %v, want %v", order, late, want)
		}
	}
	if len(orders) < 50 {
		t.Errorf("only %d distinct interleavings tried", len(orders))
	}
}

func TestRoundDuration(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{5*time.Hour + 30*time.Minute, "5h30m"}, {48 * time.Hour, "48h"}, {5 * time.Minute, "5m"},
		{90 * time.Second, "1m30s"}, {time.Hour + 5*time.Second, "1h0m5s"}, {1500 * time.Millisecond, "2s"},
	} {
		if got := roundDuration(tt.d); got != tt.want {
			t.Errorf("roundDuration(%s) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

// check decodes m and checks its event time, as items does for a batch.
func (c *Consumer) check(m kafka.Message) item {
	it := decode(m)
	if it.reason == "" {
		c.checkTime(&it)
	}
	return it
}

func TestClassifyPanicBecomesDeadLetter(t *testing.T) {
	c := testConsumer(t, base)
	c.cls = classifierFunc(func(p *seismo.Post) seismo.Signal {
		if p.ID == "bad" {
			var m map[string]int
			m["boom"]++ // a real runtime panic, not a string
		}
		return seismo.Signal{Services: []string{"x"}, Complaint: true}
	})
	items := c.items([]kafka.Message{
		msgAt(0, "ok1", base), msgAt(0, "bad", base), msgAt(0, "ok2", base),
		{Partition: 0, Value: []byte("{")}, msgAt(0, "bad", base.Add(-100*time.Hour)),
	})
	// The last panics too, but is rejected for its time first, as it was
	// before classification ran in parallel with decoding.
	for i, want := range []seismo.Reason{"", ReasonClassifierPanic, "", seismo.ReasonBadJSON, seismo.ReasonTimeOutOfRange} {
		if items[i].reason != want {
			t.Errorf("item %d reason %q, want %q", i, items[i].reason, want)
		}
	}
	if items[0].signal.PostID != "ok1" || !items[2].signal.Counts() {
		t.Errorf("signals %+v %+v", items[0].signal, items[2].signal)
	}
	if !strings.Contains(items[1].errMsg, "nil map") {
		t.Errorf("panic message %q", items[1].errMsg)
	}
}

func TestDLQMessage(t *testing.T) {
	src := kafka.Message{Topic: "posts", Partition: 2, Offset: 41, Key: []byte("k"), Value: []byte("v"),
		Headers: []kafka.Header{{Key: "trace", Value: []byte("t1")}, {Key: HeaderReason, Value: []byte("old")}}}
	tests := []struct {
		name      string
		value     []byte
		errText   string
		truncated bool
	}{
		{name: "small", value: []byte("v"), errText: "bad"},
		{name: "long error text", value: []byte("v"), errText: strings.Repeat("é", 2000)},
		{name: "value over the limit", value: bytes.Repeat([]byte("x"), 3<<20), errText: "too_large", truncated: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := src
			m.Value = tt.value
			d := dlqMessage(m, seismo.ReasonTooLarge, tt.errText)
			got := map[string][]string{}
			for _, h := range d.Headers {
				got[h.Key] = append(got[h.Key], string(h.Value))
			}
			want := map[string]string{HeaderReason: "too_large", HeaderSourceTopic: "posts",
				HeaderSourcePartition: "2", HeaderSourceOffset: "41", "trace": "t1"}
			for k, v := range want {
				if len(got[k]) != 1 || got[k][0] != v {
					t.Errorf("header %s = %q, want exactly [%q]", k, got[k], v)
				}
			}
			if e := got[HeaderError]; len(e) != 1 || len(e[0]) > maxErrorHeader || !utf8.ValidString(e[0]) {
				t.Errorf("error header %d bytes, valid UTF-8 %v", len(e[0]), utf8.ValidString(e[0]))
			}
			if string(d.Key) != "k" {
				t.Errorf("key %q", d.Key)
			}
			size := len(d.Key) + len(d.Value) + headersSize(d.Headers)
			if size > dlqMaxBytes {
				t.Errorf("dead letter is %d bytes, over %d", size, dlqMaxBytes)
			}
			_, isTrunc := got[HeaderTruncated]
			if isTrunc != tt.truncated {
				t.Errorf("truncated header present %v, want %v", isTrunc, tt.truncated)
			}
			if !tt.truncated && !bytes.Equal(d.Value, tt.value) {
				t.Error("value changed")
			}
			if tt.truncated && !bytes.HasPrefix(tt.value, d.Value) {
				t.Error("truncated value is not a prefix of the original")
			}
		})
	}
}

func TestDLQMessageHeaderBudget(t *testing.T) {
	big := bytes.Repeat([]byte("h"), 1000)
	many := func(n int) []kafka.Header {
		hs := make([]kafka.Header, n)
		for i := range hs {
			hs[i] = kafka.Header{Key: fmt.Sprint("h", i), Value: big}
		}
		return hs
	}
	tests := []struct {
		name        string
		headers     []kafka.Header
		wantKept    int
		wantDropped string
	}{
		{name: "under the budget", headers: many(60), wantKept: 60},
		{name: "over the budget", headers: many(70), wantDropped: "headers=70 bytes=70"},
		{name: "our own headers do not count", headers: append(many(60),
			kafka.Header{Key: HeaderError, Value: bytes.Repeat([]byte("e"), 10_000)}), wantKept: 60},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := dlqMessage(kafka.Message{Topic: "posts", Value: []byte("v"), Headers: tt.headers},
				seismo.ReasonBadJSON, "bad")
			kept := 0
			for _, h := range d.Headers {
				if strings.HasPrefix(h.Key, "h") {
					kept++
				}
			}
			if kept != tt.wantKept {
				t.Errorf("kept %d original headers, want %d", kept, tt.wantKept)
			}
			if got := header(d, HeaderHeadersDropped); !strings.HasPrefix(got, tt.wantDropped) ||
				(tt.wantDropped == "") != (got == "") {
				t.Errorf("dropped header %q, want %q", got, tt.wantDropped)
			}
			if header(d, HeaderReason) != string(seismo.ReasonBadJSON) || header(d, HeaderError) != "bad" {
				t.Errorf("reason %q error %q", header(d, HeaderReason), header(d, HeaderError))
			}
			if n := headersSize(d.Headers); n > maxOriginalHeaders+2*maxErrorHeader {
				t.Errorf("headers are %d bytes", n)
			}
		})
	}
}

func TestMinimalDLQMessage(t *testing.T) {
	src := kafka.Message{Topic: "posts", Partition: 1, Offset: 7, Value: bytes.Repeat([]byte("v"), 5000),
		Headers: []kafka.Header{{Key: "trace", Value: []byte("t")}}}
	tests := []struct {
		name    string
		key     []byte
		wantKey string
	}{
		{"short key kept", []byte("post-1"), "post-1"},
		{"long key dropped", bytes.Repeat([]byte("k"), maxMinimalKey+1), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := src
			m.Key = tt.key
			d := minimalDLQMessage(m, seismo.ReasonTooLarge, strings.Repeat("x", 5000))
			if string(d.Key) != tt.wantKey || d.Value != nil {
				t.Errorf("key %q value %d bytes; want key %q and no value", d.Key, len(d.Value), tt.wantKey)
			}
			want := map[string]string{HeaderReason: "too_large", HeaderSourceTopic: "posts",
				HeaderSourcePartition: "1", HeaderSourceOffset: "7", HeaderMinimal: "true"}
			if len(d.Headers) != len(want)+1 { // and the error
				t.Errorf("headers %v", d.Headers)
			}
			for k, v := range want {
				if got := header(d, k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			if e := header(d, HeaderError); len(e) != maxErrorHeader {
				t.Errorf("error header %d bytes, want %d", len(e), maxErrorHeader)
			}
		})
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

// scriptedWriter fails the writes as told and keeps every call.
type scriptedWriter struct {
	results []func(msgs []kafka.Message) error // one per call; nil or missing: success
	calls   [][]kafka.Message
}

func (w *scriptedWriter) WriteMessages(_ context.Context, msgs ...kafka.Message) error {
	w.calls = append(w.calls, msgs)
	if i := len(w.calls) - 1; i < len(w.results) && w.results[i] != nil {
		return w.results[i](msgs)
	}
	return nil
}

func TestDeadLettersFallBackToMinimal(t *testing.T) {
	fail := func(err error) func([]kafka.Message) error {
		return func([]kafka.Message) error { return err }
	}
	// partial fails the messages whose key is in keys.
	partial := func(err error, keys ...string) func([]kafka.Message) error {
		return func(msgs []kafka.Message) error {
			werr := make(kafka.WriteErrors, len(msgs))
			for i, m := range msgs {
				if slices.Contains(keys, string(m.Key)) {
					werr[i] = err
				}
			}
			return werr
		}
	}
	netErr := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	tooLarge := fail(kafka.MessageSizeTooLarge)
	// Temporary failures: the full letters are tried fullDLQAttempts times,
	// then minimal ones are written.
	var (
		tempResults []func([]kafka.Message) error
		tempCalls   [][]string
		tempMinimal []bool
	)
	for range fullDLQAttempts {
		tempResults = append(tempResults, fail(netErr))
		tempCalls = append(tempCalls, []string{"a", "b"})
		tempMinimal = append(tempMinimal, false)
	}
	tempCalls, tempMinimal = append(tempCalls, []string{"a", "b"}), append(tempMinimal, true)
	tests := []struct {
		name    string
		results []func([]kafka.Message) error
		// per call: the keys written and whether they were minimal
		wantCalls   [][]string
		wantMinimal []bool
	}{
		{name: "written at once",
			wantCalls: [][]string{{"a", "b"}}, wantMinimal: []bool{false}},
		{name: "a temporary error is retried whole",
			results:   []func([]kafka.Message) error{fail(netErr), fail(kafka.NotEnoughReplicas)},
			wantCalls: [][]string{{"a", "b"}, {"a", "b"}, {"a", "b"}}, wantMinimal: []bool{false, false, false}},
		{name: "message too large: minimal at once",
			results:   []func([]kafka.Message) error{tooLarge},
			wantCalls: [][]string{{"a", "b"}, {"a", "b"}}, wantMinimal: []bool{false, true}},
		{name: "message too large from the client",
			results: []func([]kafka.Message) error{func(msgs []kafka.Message) error {
				return kafka.MessageTooLargeError{Message: msgs[0], Remaining: msgs[1:]}
			}},
			wantCalls: [][]string{{"a", "b"}, {"a", "b"}}, wantMinimal: []bool{false, true}},
		{name: "invalid message calls itself temporary but is not",
			results:   []func([]kafka.Message) error{fail(fmt.Errorf("produce: %w", kafka.InvalidMessage))},
			wantCalls: [][]string{{"a", "b"}, {"a", "b"}}, wantMinimal: []bool{false, true}},
		{name: "topic authorization: minimal, then retried until written",
			results: []func([]kafka.Message) error{fail(kafka.TopicAuthorizationFailed),
				fail(kafka.TopicAuthorizationFailed), fail(kafka.TopicAuthorizationFailed)},
			wantCalls:   [][]string{{"a", "b"}, {"a", "b"}, {"a", "b"}, {"a", "b"}},
			wantMinimal: []bool{false, true, true, true}},
		{name: "only what failed is written again",
			results:   []func([]kafka.Message) error{partial(kafka.NotEnoughReplicas, "b")},
			wantCalls: [][]string{{"a", "b"}, {"b"}}, wantMinimal: []bool{false, false}},
		{name: "a permanent error of one message",
			results: []func([]kafka.Message) error{partial(kafka.MessageSizeTooLarge, "a"),
				partial(netErr, "a")},
			wantCalls: [][]string{{"a", "b"}, {"a"}, {"a"}}, wantMinimal: []bool{false, true, true}},
		{name: "minimal after the last temporary failure", results: tempResults, wantCalls: tempCalls, wantMinimal: tempMinimal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items := []item{
				{msg: kafka.Message{Topic: "posts", Offset: 1, Key: []byte("a"), Value: []byte("va"),
					Headers: []kafka.Header{{Key: "trace", Value: []byte("t")}}},
					reason: seismo.ReasonBadJSON, errMsg: "bad a"},
				{msg: kafka.Message{Topic: "posts", Offset: 2, Key: []byte("b"), Value: []byte("vb")},
					reason: seismo.ReasonMissingText, errMsg: "bad b"},
			}
			var d deadLetters
			for i := range items {
				d.add(&items[i])
			}
			w := &scriptedWriter{results: tt.results}
			c := testConsumer(t, base)
			for attempt := 0; d.len() > 0; attempt++ {
				if attempt > fullDLQAttempts+5 {
					t.Fatal("never written")
				}
				_ = c.writeDead(t.Context(), w, &d)
			}
			if len(w.calls) != len(tt.wantCalls) {
				t.Fatalf("%d writes, want %d", len(w.calls), len(tt.wantCalls))
			}
			for i, call := range w.calls {
				var keys []string
				for _, m := range call {
					keys = append(keys, string(m.Key))
					minimal := header(m, HeaderMinimal) == "true"
					if minimal != tt.wantMinimal[i] {
						t.Errorf("write %d of %s: minimal %v, want %v", i, m.Key, minimal, tt.wantMinimal[i])
					}
					if minimal && (m.Value != nil || header(m, "trace") != "") {
						t.Errorf("write %d: minimal letter with value %q, headers %v", i, m.Value, m.Headers)
					}
					if !minimal && len(m.Value) == 0 {
						t.Errorf("write %d: full letter without its value", i)
					}
					src := items[slices.IndexFunc(items, func(it item) bool { return string(it.msg.Key) == string(m.Key) })]
					if header(m, HeaderReason) != string(src.reason) ||
						header(m, HeaderSourceOffset) != fmt.Sprint(src.msg.Offset) {
						t.Errorf("write %d: headers %v do not describe %s", i, m.Headers, m.Key)
					}
				}
				if !slices.Equal(keys, tt.wantCalls[i]) {
					t.Errorf("write %d carried %v, want %v", i, keys, tt.wantCalls[i])
				}
			}
		})
	}
}

func TestPermanentWriteError(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"message too large", kafka.MessageSizeTooLarge, true},
		{"wrapped", fmt.Errorf("write: %w", kafka.RecordListTooLarge), true},
		{"invalid message", kafka.InvalidMessage, true},
		{"topic authorization", kafka.TopicAuthorizationFailed, true},
		{"not enough replicas", kafka.NotEnoughReplicas, false},
		{"leader moved", kafka.NotLeaderForPartition, false},
		{"timeout", context.DeadlineExceeded, false},
		{"network", &net.OpError{Op: "dial", Err: errors.New("refused")}, false},
		{"write errors with one permanent", kafka.WriteErrors{nil, kafka.NotEnoughReplicas, kafka.MessageSizeTooLarge}, true},
		{"write errors all temporary", kafka.WriteErrors{kafka.NotEnoughReplicas, nil}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := permanentWriteError(tt.err); got != tt.want {
				t.Errorf("permanentWriteError(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

// countingHandler counts log records by message.
type countingHandler struct {
	mu sync.Mutex
	n  map[string]int
}

func (h *countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *countingHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.n[r.Message]++
	return nil
}
func (h *countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *countingHandler) WithGroup(string) slog.Handler      { return h }

func TestRetryLogsOnlyFailuresThatAreRetried(t *testing.T) {
	h := &countingHandler{n: map[string]int{}}
	c := testConsumer(t, base)
	c.log = slog.New(h)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	attempts := 0
	err := c.retry(ctx, "record reports", 1, func(context.Context) error {
		attempts++
		if attempts == 3 {
			cancel() // shutdown while the third attempt fails
		}
		return fmt.Errorf("failure %d", attempts)
	})
	if err == nil || !strings.Contains(err.Error(), "failure 3") {
		t.Errorf("retry = %v, want the third failure", err)
	}
	if got := h.n["batch step failed, retrying"]; got != 2 {
		t.Errorf("logged %d failures, want the 2 that were retried", got)
	}
}

func TestTruncateUTF8(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 5, "abc"},
		{"abcdef", 3, "abc"},
		{"aé", 2, "a"}, // é is two bytes
		{"a😀", 4, "a"}, // cut inside a four-byte rune
		{"a😀", 5, "a😀"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q/%d", tt.in, tt.n), func(t *testing.T) {
			if got := truncateUTF8(tt.in, tt.n); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestHighestPerPartition(t *testing.T) {
	batch := []kafka.Message{
		{Topic: "t", Partition: 0, Offset: 5}, {Topic: "t", Partition: 1, Offset: 9},
		{Topic: "t", Partition: 0, Offset: 7}, {Topic: "t", Partition: 0, Offset: 6},
		{Topic: "t", Partition: 1, Offset: 10},
	}
	got := highestPerPartition(batch)
	want := map[int]int64{0: 7, 1: 10}
	if len(got) != len(want) {
		t.Fatalf("got %d messages, want %d", len(got), len(want))
	}
	for _, m := range got {
		if want[m.Partition] != m.Offset {
			t.Errorf("partition %d: offset %d, want %d", m.Partition, m.Offset, want[m.Partition])
		}
	}
}

func TestBackoff(t *testing.T) {
	for _, tt := range []struct {
		attempt int
		want    time.Duration
	}{{1, 100 * time.Millisecond}, {2, 200 * time.Millisecond}, {4, 800 * time.Millisecond}, {7, 5 * time.Second}, {100, 5 * time.Second}} {
		if got := backoff(tt.attempt); got != tt.want {
			t.Errorf("backoff(%d) = %s, want %s", tt.attempt, got, tt.want)
		}
	}
}

func TestGraceContext(t *testing.T) {
	t.Run("outlives the parent by the grace", func(t *testing.T) {
		parent, cancel := context.WithCancel(context.Background())
		ctx, stop := graceContext(parent, 50*time.Millisecond)
		defer stop()
		cancel()
		if ctx.Err() != nil {
			t.Fatal("cancelled together with the parent")
		}
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("not cancelled after the grace")
		}
	})
	t.Run("stop cancels at once", func(t *testing.T) {
		ctx, stop := graceContext(context.Background(), time.Hour)
		stop()
		if ctx.Err() == nil {
			t.Error("stop did not cancel")
		}
	})
}

// TestSnapshot checks the progress derived from what the worker knows of
// each partition, on a wall clock that moves only when told.
func TestSnapshot(t *testing.T) {
	const lateness, idle = 30 * time.Second, 10 * time.Second
	tests := []struct {
		name string
		pt   partition
		want seismo.PartitionProgress // Partition is filled in
	}{
		{name: "behind its end", pt: partition{endAsked: base, next: 3, end: 5, newest: base},
			want: seismo.PartitionProgress{Next: 3, End: 5, Newest: base, Watermark: base.Add(-lateness)}},
		{name: "caught up, first seen now", pt: partition{endAsked: base, next: 5, end: 5, newest: base},
			want: seismo.PartitionProgress{Next: 5, End: 5, Newest: base, Watermark: base.Add(-lateness), IdleIn: idle}},
		{name: "caught up for 4s", pt: partition{endAsked: base, next: 5, end: 5, caughtSince: base.Add(-4 * time.Second)},
			want: seismo.PartitionProgress{Next: 5, End: 5, IdleIn: 6 * time.Second}},
		{name: "idle for a minute", pt: partition{endAsked: base.Add(-3 * time.Second), next: 5, end: 5, caughtSince: base.Add(-idle - time.Minute)},
			want: seismo.PartitionProgress{Next: 5, End: 5, IdleIn: -time.Minute, EndAge: 3 * time.Second}},
		{name: "end seen before the last commit", pt: partition{endAsked: base, next: 7, end: 5},
			want: seismo.PartitionProgress{Next: 7, End: 7, IdleIn: idle}},
		{name: "no post yet: no watermark", pt: partition{endAsked: base, next: 0, end: 2},
			want: seismo.PartitionProgress{Next: 0, End: 2}},
		{name: "fallen behind again: the countdown stops", pt: partition{endAsked: base, next: 5, end: 6, caughtSince: base.Add(-time.Hour)},
			want: seismo.PartitionProgress{Next: 5, End: 6}},
	}
	now := base
	c, err := New(Config{Brokers: []string{"127.0.0.1:1"}, Lateness: lateness, IdleTimeout: idle,
		Now: func() time.Time { return now }}, classifierFunc(func(*seismo.Post) seismo.Signal { return seismo.Signal{} }),
		nopRecorder{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if own, parts := c.snapshot(); own != nil || parts != nil {
		t.Errorf("between generations: %v %v, want nothing", own, parts)
	}
	own := &ownership{parts: map[int]*partition{}}
	for i, tt := range tests {
		pt := tt.pt
		own.parts[i] = &pt
	}
	c.gen = own
	got, parts := c.snapshot()
	if got != own || len(parts) != len(tests) {
		t.Fatalf("snapshot of %d partitions: %v, %d parts", len(tests), got, len(parts))
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.want
			want.Partition = i
			if parts[i] != want {
				t.Errorf("got %+v\nwant %+v", parts[i], want)
			}
		})
	}

	// The countdown runs from when the partition was first seen caught up,
	// and starts again after it was seen behind.
	t.Run("countdown", func(t *testing.T) {
		pt := own.parts[1]
		now = base.Add(3 * time.Second)
		if _, parts := c.snapshot(); parts[1].IdleIn != idle-3*time.Second {
			t.Errorf("3s later: idle in %s, want %s", parts[1].IdleIn, idle-3*time.Second)
		}
		pt.end = 6
		if _, parts := c.snapshot(); parts[1].IdleIn != 0 || parts[1].CaughtUp() {
			t.Errorf("behind: %+v", parts[1])
		}
		pt.next = 6
		now = base.Add(5 * time.Second)
		if _, parts := c.snapshot(); parts[1].IdleIn != idle {
			t.Errorf("caught up again: idle in %s, want %s", parts[1].IdleIn, idle)
		}
	})
}

// progressRecorder refuses the partitions in refuse and keeps every
// report.
type progressRecorder struct {
	nopRecorder
	refuse []int
	calls  [][]seismo.PartitionProgress
}

func (r *progressRecorder) ReportProgress(_ context.Context, _ seismo.PartitionOwner, parts []seismo.PartitionProgress) ([]int, error) {
	r.calls = append(r.calls, slices.Clone(parts))
	return r.refuse, nil
}

func TestReportDropsRefusedPartitions(t *testing.T) {
	rec := &progressRecorder{refuse: []int{1}}
	c := testConsumer(t, base)
	c.rec = rec
	own := &ownership{parts: map[int]*partition{0: {next: 1, end: 1}, 1: {next: 2, end: 2}, 2: {next: 3, end: 4}}}
	c.gen = own
	c.report(t.Context(), own, c.log)
	if len(rec.calls) != 1 || len(rec.calls[0]) != 3 {
		t.Fatalf("reports %v, want one of the 3 partitions", rec.calls)
	}
	if _, ok := own.parts[1]; ok || len(own.parts) != 2 {
		t.Errorf("owned after the refusal: %v, want 0 and 2", slices.Sorted(maps.Keys(own.parts)))
	}
	if got := c.Owned(); len(got) != 2 || got[0].Partition != 0 || got[1].Partition != 2 {
		t.Errorf("Owned %+v, want 0 and 2", got)
	}

	// A report of a generation that ended is not sent: its partitions may
	// be another worker's now.
	c.gen = &ownership{parts: map[int]*partition{}}
	c.report(t.Context(), own, c.log)
	if len(rec.calls) != 1 {
		t.Errorf("reported %v for a generation that ended", rec.calls[1:])
	}
}

// kafka-go's fetch timeouts, which its reader retries at once, are not
// warnings; its other errors are.
func TestKafkaLoggerLevels(t *testing.T) {
	var buf bytes.Buffer
	l := kafkaLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})), slog.LevelWarn)
	l.Printf("the kafka reader got an unknown error reading partition %d of %s at offset %d: %v\n", 0, "seismo.posts", 6663,
		"read tcp 127.0.0.1:47640->127.0.0.1:46111: i/o timeout")
	l.Printf("failed to dial: %v", "connection refused")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "level=INFO") || !strings.Contains(lines[1], "level=WARN") {
		t.Errorf("want the timeout at INFO and the refusal at WARN:\n%s", buf.String())
	}
}
