// Package notify delivers incident events to the outside world. Relay
// copies the event stream to a Kafka topic.
package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/seismo-dev/seismo"
)

// Source is the incident event stream (implemented by *detect.Store).
type Source interface {
	Events(ctx context.Context, after string, count int64, block time.Duration) ([]seismo.StreamEvent, error)
}

// Cursor remembers the last stream id delivered (implemented by
// *detect.RelayCursor). Load returns "0", the start of the stream, before
// anything was saved.
type Cursor interface {
	Load(ctx context.Context) (string, error)
	Save(ctx context.Context, id string) error
}

// Writer is where events go (implemented by *kafka.Writer).
type Writer interface {
	WriteMessages(ctx context.Context, msgs ...kafka.Message) error
}

// Relay copies incident events to Kafka. The cursor moves only after the
// write succeeded, so a crash repeats events rather than losing them; with
// a Tail, the repeats are not written either: each message carries its
// event's stream id (HeaderStreamID), and a relay that starts, or retries
// a write that failed, first reads the last id on every partition and
// leaves out the events a partition holds already. Events are keyed by
// incident and each partition is written in stream order, so an event
// whose id is at most its partition's last is on it. Consumers can still
// drop repeats by event_id, for events relayed without a Tail.
type Relay struct {
	src     Source
	cur     Cursor
	w       Writer
	tail    Tail
	log     *slog.Logger
	block   time.Duration
	timeout time.Duration

	// written is the last stream id on each partition, as the tail said
	// and the relay's own writes since; nil when it must be read again.
	written map[int]string
	parts   []int // the partitions of written, in order
	hash    kafka.Hash
}

// NewRelay returns a relay from src to w. tail may be nil: the relay is
// then at least once.
func NewRelay(src Source, cur Cursor, w Writer, tail Tail, log *slog.Logger) *Relay {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Relay{src: src, cur: cur, w: w, tail: tail, log: log, block: time.Second, timeout: 10 * time.Second}
}

// Run relays until ctx is done, retrying failed reads and writes with
// backoff. It returns nil on cancellation.
func (r *Relay) Run(ctx context.Context) error {
	after := ""
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := r.step(ctx, &after)
		if err == nil {
			backoff = 100 * time.Millisecond
			continue
		}
		if ctx.Err() != nil {
			break
		}
		r.log.Warn("relaying incident events failed; retrying", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
	return nil
}

func (r *Relay) step(ctx context.Context, after *string) error {
	if *after == "" {
		cctx, cancel := context.WithTimeout(ctx, r.timeout)
		id, err := r.cur.Load(cctx)
		cancel()
		if err != nil {
			return fmt.Errorf("load cursor: %w", err)
		}
		*after = id
	}
	evs, err := r.src.Events(ctx, *after, 500, r.block)
	if err != nil || len(evs) == 0 {
		return err
	}
	if err := r.readTail(ctx); err != nil {
		return err
	}
	msgs := make([]kafka.Message, 0, len(evs))
	for _, se := range evs {
		// Keyed by incident, so one incident's events stay in order.
		m := kafka.Message{Key: []byte(se.Event.Data.ID), Headers: []kafka.Header{{Key: HeaderStreamID, Value: []byte(se.ID)}}}
		on, err := r.onTopic(&m, se.ID)
		if err != nil {
			return err
		}
		if on {
			continue
		}
		v, err := json.Marshal(se.Event)
		if err != nil {
			return err
		}
		m.Value = v
		msgs = append(msgs, m)
	}
	if skipped := len(evs) - len(msgs); skipped > 0 {
		r.log.Info("events already on the topic left out", "count", skipped)
	}
	wctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if len(msgs) > 0 {
		if err := r.w.WriteMessages(wctx, msgs...); err != nil {
			r.written = nil // some partitions may have taken theirs
			return fmt.Errorf("write %d events: %w", len(msgs), err)
		}
	}
	if r.written != nil {
		for _, m := range msgs {
			r.written[m.Partition] = string(m.Headers[0].Value)
		}
	}
	last := evs[len(evs)-1].ID
	if err := r.cur.Save(wctx, last); err != nil {
		return fmt.Errorf("save cursor: %w", err)
	}
	*after = last
	return nil
}

// readTail reads the topic's tail when the relay has none.
func (r *Relay) readTail(ctx context.Context) error {
	if r.tail == nil || r.written != nil {
		return nil
	}
	tctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	written, err := r.tail.LastWritten(tctx)
	if err != nil {
		return fmt.Errorf("read what the topic holds: %w", err)
	}
	if len(written) == 0 {
		return errors.New("read what the topic holds: no partitions")
	}
	r.parts = r.parts[:0]
	for p := range written {
		r.parts = append(r.parts, p)
	}
	slices.Sort(r.parts)
	r.written = written
	return nil
}

// onTopic sets m's partition, as the writer's balancer will choose it, and
// reports whether that partition holds the event id already.
func (r *Relay) onTopic(m *kafka.Message, id string) (bool, error) {
	if r.written == nil {
		return false, nil
	}
	m.Partition = r.hash.Balance(*m, r.parts...)
	c, err := compareStreamIDs(id, r.written[m.Partition])
	return c <= 0, err
}
