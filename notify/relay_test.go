package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/broker"
	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/notify"
)

// What seismo run relays with.
var (
	_ notify.Source = (*detect.Store)(nil)
	_ notify.Cursor = (*detect.RelayCursor)(nil)
)

// fakeSource serves a fixed stream.
type fakeSource struct{ events []seismo.StreamEvent }

func (f *fakeSource) Events(ctx context.Context, after string, count int64, block time.Duration) ([]seismo.StreamEvent, error) {
	for i, e := range f.events {
		if after == "0" || e.ID > after {
			return f.events[i:min(len(f.events), i+int(count))], nil
		}
	}
	select {
	case <-ctx.Done():
	case <-time.After(block):
	}
	return nil, nil
}

// memCursor is a cursor in memory; detect tests the one in Redis.
type memCursor struct {
	mu sync.Mutex
	id string
}

func (c *memCursor) Load(context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.id == "" {
		return "0", nil
	}
	return c.id, nil
}

func (c *memCursor) Save(_ context.Context, id string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.id = id
	return nil
}

// flakyWriter fails its first writes, then records.
type flakyWriter struct {
	mu    sync.Mutex
	fails int
	got   []kafka.Message
}

func (w *flakyWriter) WriteMessages(_ context.Context, msgs ...kafka.Message) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fails > 0 {
		w.fails--
		return errors.New("broker unavailable")
	}
	w.got = append(w.got, msgs...)
	return nil
}

func (w *flakyWriter) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.got)
}

func stream(n int) []seismo.StreamEvent {
	var out []seismo.StreamEvent
	for i := range n {
		out = append(out, seismo.StreamEvent{ID: fmt.Sprintf("1700000000000-%d", i), Event: seismo.Event{
			Type: seismo.EventOpened, Timestamp: time.Date(2024, 4, 3, 18, 13, 0, 0, time.UTC),
			Data: seismo.Incident{ID: fmt.Sprintf("whatsapp-%d", i), Service: "whatsapp"}}})
	}
	return out
}

// The relay's waits (its retry backoff, the source's block) run on the
// fake clock of a synctest bubble: synctest.Wait returns once the relay
// has done all it can and sits waiting, so the test checks what it sent
// then, and that nothing more comes, without sleeping.
func TestRelayRetriesAndResumes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cur := &memCursor{}
		src := &fakeSource{events: stream(5)}
		w := &flakyWriter{fails: 2}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- notify.NewRelay(src, cur, w, nil, nil).Run(ctx) }()
		// Two failures cost at most a few backoffs of fake time.
		time.Sleep(time.Minute)
		synctest.Wait()
		if w.count() != 5 {
			t.Fatalf("relayed %d events after two failed writes, want 5", w.count())
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if id, _ := cur.Load(context.Background()); id != src.events[4].ID {
			t.Fatalf("cursor = %q, want the last id", id)
		}
		// A new relay on the same cursor sends only what is new.
		src.events = stream(7)
		w2 := &flakyWriter{}
		ctx, cancel = context.WithCancel(context.Background())
		go func() { done <- notify.NewRelay(src, cur, w2, nil, nil).Run(ctx) }()
		time.Sleep(time.Minute)
		synctest.Wait()
		cancel()
		<-done
		if w2.count() != 2 || string(w2.got[0].Key) != "whatsapp-5" {
			t.Fatalf("resumed relay sent %d events, want the 2 new ones", w2.count())
		}
	})
}

func TestRelayToKafka(t *testing.T) {
	b, err := broker.Start(broker.Config{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	w := &kafka.Writer{Addr: kafka.TCP(b.Addr()), Topic: "seismo.incidents", RequiredAcks: kafka.RequireAll,
		WriteTimeout: 10 * time.Second, BatchTimeout: time.Millisecond}
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- notify.NewRelay(&fakeSource{events: stream(3)}, &memCursor{}, w, nil, nil).Run(ctx)
	}()
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{b.Addr()}, Topic: "seismo.incidents", GroupID: "t",
		StartOffset: kafka.FirstOffset, MaxWait: 100 * time.Millisecond})
	defer r.Close()
	rctx, rcancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer rcancel()
	for i := range 3 {
		m, err := r.FetchMessage(rctx)
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		var ev seismo.Event
		if err := json.Unmarshal(m.Value, &ev); err != nil || ev.Type != seismo.EventOpened || ev.Data.Service != "whatsapp" {
			t.Fatalf("message %s is not an incident event: %v", m.Value, err)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// A relay that takes over from one that crashed after writing but before
// saving its cursor, or that retries a write some partitions took, reads
// the topic's tail and writes each event once.
func TestRelayWritesEachEventOnce(t *testing.T) {
	b, err := broker.Start(broker.Config{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	const topic = "seismo.incidents"
	newWriter := func() *kafka.Writer {
		return &kafka.Writer{Addr: kafka.TCP(b.Addr()), Topic: topic, Balancer: &kafka.Hash{}, RequiredAcks: kafka.RequireAll,
			WriteTimeout: 10 * time.Second, BatchTimeout: time.Millisecond}
	}
	tail := &notify.TopicTail{Brokers: []string{b.Addr()}, Topic: topic}
	relay := func(src *fakeSource, cur notify.Cursor, w notify.Writer, want int) {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- notify.NewRelay(src, cur, w, tail, nil).Run(ctx) }()
		for deadline := time.Now().Add(20 * time.Second); topicIDs(t, b.Addr(), topic).len() < want; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the topic holds %d events, want %d", topicIDs(t, b.Addr(), topic).len(), want)
			}
		}
		time.Sleep(500 * time.Millisecond) // time to write what it should not
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	w1 := newWriter()
	defer w1.Close()
	relay(&fakeSource{events: stream(4)}, &memCursor{}, w1, 4)
	// The cursor was lost: a new relay starts from the stream's start.
	w2 := newWriter()
	defer w2.Close()
	relay(&fakeSource{events: stream(9)}, &memCursor{}, w2, 9)
	// A write that half failed: the relay retries it from the tail.
	w3 := &partialWriter{w: newWriter(), fail: 1}
	defer w3.w.Close()
	relay(&fakeSource{events: stream(15)}, &memCursor{}, w3, 15)
	ids := topicIDs(t, b.Addr(), topic)
	if ids.len() != 15 || ids.repeated() != 0 {
		t.Fatalf("the topic holds %d events, %d of them more than once; want 15, each once", ids.len(), ids.repeated())
	}
}

// partialWriter writes only the first half of a batch, fail times, and
// reports an error, as a write some partitions refused does.
type partialWriter struct {
	w    *kafka.Writer
	fail int
}

func (p *partialWriter) WriteMessages(ctx context.Context, msgs ...kafka.Message) error {
	if p.fail > 0 && len(msgs) > 1 {
		p.fail--
		if err := p.w.WriteMessages(ctx, msgs[:len(msgs)/2]...); err != nil {
			return err
		}
		return errors.New("some partitions refused the write")
	}
	return p.w.WriteMessages(ctx, msgs...)
}

type eventIDs map[string]int

func (e eventIDs) len() int {
	n := 0
	for _, c := range e {
		n += c
	}
	return n
}

func (e eventIDs) repeated() int {
	n := 0
	for _, c := range e {
		if c > 1 {
			n++
		}
	}
	return n
}

// topicIDs counts the incident ids of the events on every partition.
func topicIDs(t *testing.T, addr, topic string) eventIDs {
	t.Helper()
	ids := eventIDs{}
	for p := range 3 {
		conn, err := kafka.DialLeader(context.Background(), "tcp", addr, topic, p)
		if err != nil {
			t.Fatal(err)
		}
		last, err := conn.ReadLastOffset()
		if err != nil {
			t.Fatal(err)
		}
		conn.Close()
		if last == 0 {
			continue
		}
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{addr}, Topic: topic, Partition: p, MaxWait: 50 * time.Millisecond})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		for {
			m, err := r.ReadMessage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var ev seismo.Event
			if err := json.Unmarshal(m.Value, &ev); err != nil {
				t.Fatal(err)
			}
			ids[ev.Data.ID]++
			if m.Offset == last-1 {
				break
			}
		}
		cancel()
		r.Close()
	}
	return ids
}
