package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/segmentio/kafka-go"

	"github.com/seismo-dev/seismo"
)

var base = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

func TestWorkerWatermark(t *testing.T) {
	type obs struct {
		p     int
		event time.Duration // after base
		wall  time.Duration // after base
	}
	tests := []struct {
		name   string
		expect []int // partitions of the topic, expected from time 0
		obs    []obs
		now    time.Duration
		want   time.Duration // after base, minus lateness applied
		wantOK bool
	}{
		{name: "nothing seen", now: 0},
		{name: "one partition", obs: []obs{{0, 10 * time.Minute, 0}}, now: time.Second,
			want: 10*time.Minute - 30*time.Second, wantOK: true},
		{name: "min over active partitions",
			obs:  []obs{{0, 10 * time.Minute, 0}, {1, 4 * time.Minute, 0}, {2, 7 * time.Minute, 0}},
			now:  time.Second,
			want: 4*time.Minute - 30*time.Second, wantOK: true},
		{name: "newest per partition, not latest",
			obs:  []obs{{0, 10 * time.Minute, 0}, {0, 2 * time.Minute, time.Second}},
			now:  2 * time.Second,
			want: 10*time.Minute - 30*time.Second, wantOK: true},
		{name: "idle partition stops holding back",
			obs:  []obs{{0, 10 * time.Minute, 20 * time.Second}, {1, 4 * time.Minute, 0}},
			now:  25 * time.Second, // partition 1 idle for 25s > 10s
			want: 10*time.Minute - 30*time.Second, wantOK: true},
		{name: "all idle: the maximum",
			obs:  []obs{{0, 10 * time.Minute, 0}, {1, 4 * time.Minute, 0}},
			now:  time.Minute,
			want: 10*time.Minute - 30*time.Second, wantOK: true},
		{name: "expected partition not heard from holds it",
			expect: []int{0, 1}, obs: []obs{{0, 10 * time.Minute, 0}}, now: time.Second},
		{name: "expected partition stops holding it once idle",
			expect: []int{0, 1}, obs: []obs{{0, 10 * time.Minute, 15 * time.Second}}, now: 15 * time.Second,
			want: 10*time.Minute - 30*time.Second, wantOK: true},
		{name: "every expected partition heard from",
			expect: []int{0, 1}, obs: []obs{{0, 10 * time.Minute, 0}, {1, 5 * time.Minute, 0}}, now: time.Second,
			want: 5*time.Minute - 30*time.Second, wantOK: true},
		{name: "idle exactly at the timeout",
			obs:  []obs{{0, 10 * time.Minute, 10 * time.Second}, {1, 4 * time.Minute, 0}},
			now:  10 * time.Second,
			want: 10*time.Minute - 30*time.Second, wantOK: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWatermarks(30*time.Second, 10*time.Second)
			w.expect(tt.expect, base)
			for _, o := range tt.obs {
				w.observe(o.p, base.Add(o.event), base.Add(o.wall))
			}
			got, ok := w.worker(base.Add(tt.now))
			if ok != tt.wantOK || (ok && !got.Equal(base.Add(tt.want))) {
				t.Errorf("worker watermark = %v, %v; want %v, %v", got, ok, base.Add(tt.want), tt.wantOK)
			}
			// The clone is independent.
			c := w.clone()
			c.observe(9, base.Add(-time.Hour), base.Add(tt.now))
			if got2, ok2 := w.worker(base.Add(tt.now)); ok2 != ok || !got2.Equal(got) {
				t.Error("observing on a clone changed the original")
			}
		})
	}
}

func testConsumer(t *testing.T, now time.Time) *Consumer {
	t.Helper()
	c, err := New(Config{Brokers: []string{"127.0.0.1:1"}, Now: func() time.Time { return now },
		MaxAhead: time.Hour, MaxBehind: 48 * time.Hour},
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
func (nopRecorder) PublishWatermark(context.Context, string, time.Time) error {
	return nil
}

func msgAt(p int, id string, at time.Time) kafka.Message {
	v, _ := json.Marshal(map[string]string{"id": id, "text": "down", "created_at": at.Format(time.RFC3339)})
	return kafka.Message{Partition: p, Value: v}
}

func TestCheckEventTime(t *testing.T) {
	now := base.Add(24 * time.Hour)
	type step struct {
		p      int
		at     time.Time
		reason seismo.Reason
		late   bool
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"first post sets the watermark", []step{{0, base, "", false}}},
		{"a month old is fine with no watermark", []step{{0, now.Add(-30 * 24 * time.Hour), "", false}}},
		{"ahead of the clock", []step{{0, now.Add(61 * time.Minute), seismo.ReasonTimeOutOfRange, false}}},
		{"within MaxAhead of the clock", []step{{0, now.Add(59 * time.Minute), "", false}}},
		{"ahead of the partition watermark", []step{
			{0, base, "", false},
			{0, base.Add(2 * time.Hour), seismo.ReasonTimeOutOfRange, false},
			{0, base.Add(30 * time.Minute), "", false},
		}},
		{"behind the partition watermark", []step{
			{0, base, "", false},
			{0, base.Add(-49 * time.Hour), seismo.ReasonTimeOutOfRange, false},
			{0, base.Add(-47 * time.Hour), "", true},
		}},
		{"new partition checked against the worker watermark", []step{
			{0, base, "", false},
			{1, base.Add(3 * time.Hour), seismo.ReasonTimeOutOfRange, false},
			{1, base.Add(-time.Minute), "", true},
		}},
		{"late only before the watermark, not within lateness", []step{
			{0, base, "", false},
			{0, base.Add(-20 * time.Second), "", false},
			{0, base.Add(-40 * time.Second), "", true},
		}},
		{"bad post does not move the watermark", []step{
			{0, base, "", false},
			{0, base.Add(3 * time.Hour), seismo.ReasonTimeOutOfRange, false},
			{0, base.Add(59 * time.Minute), "", false},
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
			}
		})
	}
}

func TestCheckResetsWatermarkAfterRunOfPostsAhead(t *testing.T) {
	now := base.Add(24 * time.Hour)
	c := testConsumer(t, now)
	// One stale post heads the partition; the stream after it is a day on.
	if it := c.check(msgAt(0, "stale", base.Add(-20*time.Hour))); it.reason != "" {
		t.Fatalf("stale head rejected: %s", it.errMsg)
	}
	rejected := 0
	for i := range resetAheadAfter + 5 {
		it := c.check(msgAt(0, fmt.Sprint(i), base.Add(time.Duration(i)*time.Second)))
		if it.reason != "" {
			rejected++
		}
	}
	if rejected != resetAheadAfter-1 {
		t.Errorf("rejected %d posts before the reset, want %d", rejected, resetAheadAfter-1)
	}
	wm, _ := c.wm.partition(0)
	if want := base.Add(time.Duration(resetAheadAfter+4)*time.Second - 30*time.Second); !wm.Equal(want) {
		t.Errorf("watermark after reset %v, want %v", wm, want)
	}
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
	items := []item{
		c.check(msgAt(0, "ok1", base)), c.check(msgAt(0, "bad", base)), c.check(msgAt(0, "ok2", base)),
		{reason: seismo.ReasonBadJSON},
	}
	c.classifyAll(items)
	for i, want := range []seismo.Reason{"", ReasonClassifierPanic, "", seismo.ReasonBadJSON} {
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
