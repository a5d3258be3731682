// Package notify delivers incident events to the outside world. Relay
// copies the event stream to a Kafka topic.
package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
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

// Relay copies incident events to Kafka at least once: the cursor moves
// only after the write succeeded, so a crash repeats events rather than
// losing them. Consumers can drop repeats by (data.id, type, timestamp).
type Relay struct {
	src     Source
	cur     Cursor
	w       Writer
	log     *slog.Logger
	block   time.Duration
	timeout time.Duration
}

// NewRelay returns a relay from src to w.
func NewRelay(src Source, cur Cursor, w Writer, log *slog.Logger) *Relay {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Relay{src: src, cur: cur, w: w, log: log, block: time.Second, timeout: 10 * time.Second}
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
	msgs := make([]kafka.Message, len(evs))
	for i, se := range evs {
		v, err := json.Marshal(se.Event)
		if err != nil {
			return err
		}
		// Keyed by incident, so one incident's events stay in order.
		msgs[i] = kafka.Message{Key: []byte(se.Event.Data.ID), Value: v}
	}
	wctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if err := r.w.WriteMessages(wctx, msgs...); err != nil {
		return fmt.Errorf("write %d events: %w", len(msgs), err)
	}
	last := evs[len(evs)-1].ID
	if err := r.cur.Save(wctx, last); err != nil {
		return fmt.Errorf("save cursor: %w", err)
	}
	*after = last
	return nil
}
