package source

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/seismo-dev/seismo"
)

// ProducerConfig says where a source writes its posts.
type ProducerConfig struct {
	Brokers []string
	// Topic is the posts topic, default seismo.posts.
	Topic string
	// Source names the source in every record's HeaderSource.
	Source string
	// Resume holds, by stream, the cursor read back at start (ResumeCursor):
	// records carry it until the first batch is written.
	Resume map[string]string
	// Split, when set, reports whether a post at cursor next must not
	// share a batch with the one at first: it bounds a batch's span in
	// stream time, and so what a restart from the newest cursor must read
	// again (Jetstream.Split).
	Split func(first, next string) bool
	// BatchSize is the most posts written at once, default 500.
	BatchSize int
	// Linger is how long a batch waits for more posts, default 100ms.
	Linger time.Duration
	// Queue is how many posts wait for the writer before Send blocks,
	// default four batches.
	Queue int
	// WriteTimeout bounds one write to Kafka, default 10s.
	WriteTimeout time.Duration
	Log          *slog.Logger
	Metrics      *Metrics
}

// batchWriter is what the producer needs of *kafka.Writer.
type batchWriter interface {
	WriteMessages(ctx context.Context, msgs ...kafka.Message) error
	Close() error
}

// Producer writes posts to the topic in batches, keyed by author so that
// one author's posts stay in order in one partition. Batches are written
// one after the other and retried until they succeed, so every record's
// HeaderResume names a cursor before which everything is on the topic.
type Producer struct {
	cfg       ProducerConfig
	w         batchWriter
	q         chan queued
	closeOnce sync.Once
	// committed is, by stream, the newest cursor of the batches written;
	// only Run touches it.
	committed map[string]string
}

type queued struct {
	post           seismo.Post
	stream, cursor string
}

// NewProducer returns a producer; Run writes what Send queues.
func NewProducer(cfg ProducerConfig) (*Producer, error) {
	if len(cfg.Brokers) == 0 {
		return nil, errors.New("source: no Kafka brokers")
	}
	if cfg.Source == "" {
		return nil, errors.New("source: the producer needs the source's name")
	}
	cfg.defaults()
	w := &kafka.Writer{
		Addr:         kafka.TCP(cfg.Brokers...),
		Topic:        cfg.Topic,
		Balancer:     &kafka.Hash{},
		RequiredAcks: kafka.RequireAll,
		// Run hands over whole batches: flush each at once.
		BatchTimeout: time.Millisecond,
		BatchSize:    cfg.BatchSize,
		BatchBytes:   16 << 20,
		// Run retries with backoff and logs; a few attempts here absorb a
		// leader move.
		MaxAttempts:  3,
		ReadTimeout:  cfg.WriteTimeout,
		WriteTimeout: cfg.WriteTimeout,
		Transport: &kafka.Transport{
			DialTimeout: 10 * time.Second,
			IdleTimeout: time.Minute,
			ClientID:    "seismo-source-" + cfg.Source,
		},
	}
	return newProducer(cfg, w), nil
}

func (cfg *ProducerConfig) defaults() {
	if cfg.Topic == "" {
		cfg.Topic = "seismo.posts"
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 500
	}
	if cfg.Linger <= 0 {
		cfg.Linger = 100 * time.Millisecond
	}
	if cfg.Queue <= 0 {
		cfg.Queue = 4 * cfg.BatchSize
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 10 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
}

func newProducer(cfg ProducerConfig, w batchWriter) *Producer {
	cfg.defaults()
	p := &Producer{cfg: cfg, w: w, q: make(chan queued, cfg.Queue), committed: map[string]string{}}
	for s, c := range cfg.Resume {
		p.committed[s] = c
	}
	return p
}

// Send queues one post read at cursor of stream. It blocks while the
// queue is full, which slows the reading of the stream to Kafka's pace,
// and fails only when ctx ends. Sending after Close panics.
func (p *Producer) Send(ctx context.Context, post seismo.Post, stream, cursor string) error {
	select {
	case p.q <- queued{post: post, stream: stream, cursor: cursor}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close ends the queue: Run writes what is in it and returns. Call it once
// nothing sends any more.
func (p *Producer) Close() { p.closeOnce.Do(func() { close(p.q) }) }

// Run writes batches until Close has been called and the queue is empty,
// or until ctx ends (a drain that took too long). It closes the writer.
func (p *Producer) Run(ctx context.Context) error {
	defer p.w.Close()
	batch := make([]queued, 0, p.cfg.BatchSize)
	msgs := make([]kafka.Message, 0, p.cfg.BatchSize)
	linger := time.NewTimer(p.cfg.Linger)
	defer linger.Stop()
	var carry *queued // the post that opened a new batch by Split
	for {
		batch = batch[:0]
		if carry != nil {
			batch = append(batch, *carry)
			carry = nil
		} else {
			select {
			case it, ok := <-p.q:
				if !ok {
					return nil
				}
				batch = append(batch, it)
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		linger.Reset(p.cfg.Linger)
		open := true
	fill:
		for len(batch) < p.cfg.BatchSize {
			select {
			case it, ok := <-p.q:
				if !ok {
					open = false
					break fill
				}
				if p.cfg.Split != nil && it.stream == batch[0].stream && p.cfg.Split(batch[0].cursor, it.cursor) {
					carry = &it
					break fill
				}
				batch = append(batch, it)
			case <-linger.C:
				break fill
			}
		}
		msgs = p.messages(batch, msgs[:0])
		if err := p.write(ctx, msgs); err != nil {
			return err
		}
		for _, it := range batch {
			if cursorLess(p.committed[it.stream], it.cursor) {
				p.committed[it.stream] = it.cursor
			}
		}
		p.cfg.Metrics.produced(p.cfg.Source, len(batch))
		if !open && carry == nil {
			return nil
		}
	}
}

// messages encodes a batch. Every record carries the resume cursor of its
// stream as it stood before the batch: if the batch is only partly
// written, a restart reads the batch again. A stream's first batch ever,
// with nothing before it, carries its own oldest cursor.
func (p *Producer) messages(batch []queued, out []kafka.Message) []kafka.Message {
	for _, it := range batch {
		if c, ok := p.committed[it.stream]; !ok || c == "" {
			p.committed[it.stream] = it.cursor
		}
	}
	for _, it := range batch {
		value, err := json.Marshal(&it.post)
		if err != nil {
			// A Post always encodes; keep the producer alive regardless.
			p.cfg.Log.Error("encode post", "id", it.post.ID, "err", err)
			continue
		}
		key := it.post.Author
		if key == "" {
			key = it.post.ID
		}
		out = append(out, kafka.Message{
			Key:   []byte(key),
			Value: value,
			Headers: []kafka.Header{
				{Key: HeaderSource, Value: []byte(p.cfg.Source)},
				{Key: HeaderStream, Value: []byte(it.stream)},
				{Key: HeaderCursor, Value: []byte(it.cursor)},
				{Key: HeaderResume, Value: []byte(p.committed[it.stream])},
			},
		})
	}
	return out
}

// write retries a batch until it is on the topic or ctx ends. Records
// written by a failed attempt are written again: ingest counts a post id
// once.
func (p *Producer) write(ctx context.Context, msgs []kafka.Message) error {
	for attempt := 1; ; attempt++ {
		err := p.w.WriteMessages(ctx, msgs...)
		p.cfg.Metrics.wrote(err == nil)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("source: write %d posts: %w", len(msgs), ctx.Err())
		}
		p.cfg.Metrics.writeFailed(p.cfg.Source)
		p.cfg.Log.Warn("write to Kafka failed, retrying", "posts", len(msgs), "attempt", attempt, "err", shortErr(err))
		if !sleep(ctx, backoff(attempt, 200*time.Millisecond, 10*time.Second)) {
			return fmt.Errorf("source: write %d posts: %w", len(msgs), ctx.Err())
		}
	}
}

// shortErr keeps a kafka.WriteErrors of hundreds of records to one line.
func shortErr(err error) string {
	var we kafka.WriteErrors
	if errors.As(err, &we) {
		for _, e := range we {
			if e != nil {
				return fmt.Sprintf("%d of %d records failed, first: %v", we.Count(), len(we), e)
			}
		}
	}
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i > 0 {
		s = s[:i]
	}
	return s
}
