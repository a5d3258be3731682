package source

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/seismo-dev/seismo"
)

// stalledWriter is a Kafka that takes nothing until released, then fails
// its first write.
type stalledWriter struct {
	release chan struct{}
	mu      sync.Mutex
	calls   int
	written []kafka.Message
}

func (w *stalledWriter) WriteMessages(ctx context.Context, msgs ...kafka.Message) error {
	select {
	case <-w.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls++
	if w.calls == 1 {
		return errors.New("leader not available")
	}
	w.written = append(w.written, msgs...)
	return nil
}

func (w *stalledWriter) Close() error { return nil }

// When Kafka is slower than the stream, Send blocks once the queue and the
// batch in hand are full: the source stops reading instead of buffering.
// What was queued is written, in order, once Kafka takes it, a failed
// write retried.
func TestProducerBackpressure(t *testing.T) {
	w := &stalledWriter{release: make(chan struct{})}
	cfg := ProducerConfig{Source: "test", BatchSize: 4, Queue: 8, Linger: time.Millisecond}
	p := newProducer(cfg, w)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()

	post := func(i int) seismo.Post {
		return seismo.Post{ID: "p" + string(rune('a'+i)), Author: "a", Text: "x", CreatedAt: time.Unix(1_765_000_000, 0)}
	}
	sent := 0
	for ; sent < 100; sent++ {
		sctx, scancel := context.WithTimeout(ctx, 200*time.Millisecond)
		err := p.Send(sctx, post(sent), "", string(rune('a'+sent)))
		scancel()
		if err != nil {
			break
		}
	}
	t.Logf("Send accepted %d posts before blocking", sent)
	// One batch in the writer's hands and a full queue: 12 at most.
	if sent > cfg.Queue+cfg.BatchSize || sent < cfg.Queue {
		t.Fatalf("Send accepted %d posts with Kafka stalled; want the queue (%d) and one batch (%d) at most", sent, cfg.Queue, cfg.BatchSize)
	}
	close(w.release)
	p.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(w.written) != sent {
		t.Fatalf("%d of %d posts written", len(w.written), sent)
	}
	for i, m := range w.written {
		cursor := ""
		for _, x := range m.Headers {
			if x.Key == HeaderCursor {
				cursor = string(x.Value)
			}
		}
		if want := string(rune('a' + i)); cursor != want {
			t.Fatalf("record %d has cursor %q, want %q: out of order", i, cursor, want)
		}
	}
}

// Ready says what is wrong: no stream open, or Kafka failing for a while;
// a write that succeeds again clears the failure.
func TestReady(t *testing.T) {
	m := NewMetrics(nil)
	if ok, why := m.Ready(); ok || why != "no stream connection is open" {
		t.Errorf("nothing open: ready %v (%q)", ok, why)
	}
	m.streamOpen(1)
	if ok, why := m.Ready(); !ok {
		t.Errorf("a stream open: not ready (%q)", why)
	}
	m.wrote(false)
	if ok, _ := m.Ready(); !ok {
		t.Error("one failed write made the source not ready")
	}
	m.failingSince.Store(time.Now().Add(-time.Minute).UnixNano())
	if ok, why := m.Ready(); ok || !strings.HasPrefix(why, "writes to Kafka have failed for 1m") {
		t.Errorf("failing for a minute: ready %v (%q)", ok, why)
	}
	m.wrote(true)
	if ok, why := m.Ready(); !ok {
		t.Errorf("after a write that succeeded: not ready (%q)", why)
	}
	m.streamOpen(-1)
	if ok, _ := m.Ready(); ok {
		t.Error("ready with the stream closed")
	}
}
