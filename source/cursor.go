package source

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
)

// ResumeConfig says where to look for a source's cursors.
type ResumeConfig struct {
	Brokers []string
	Topic   string
	Source  string
	// Streams are the streams the source will read; the read-back of a
	// partition goes on until it has found each. None: the first record
	// of the source ends it.
	Streams []string
	// Scan is the most records read back per partition, newest first,
	// looking for one of the source's; default 100,000. A partition whose
	// newest Scan records are all another source's gives no cursor.
	Scan int64
	// Timeout bounds the whole read-back, default 2 minutes.
	Timeout time.Duration
}

// Position is where a stream stands on the topic.
type Position struct {
	// Cursor is the newest event cursor written (HeaderCursor).
	Cursor string
	// Resume is the newest resume cursor written (HeaderResume): every
	// event up to it is on the topic.
	Resume string
}

// ResumeCursor reads the topic back and returns, by stream, the newest
// cursors of the source's records. A topic without the source's records
// gives an empty map.
func ResumeCursor(ctx context.Context, cfg ResumeConfig) (map[string]Position, error) {
	if cfg.Scan <= 0 {
		cfg.Scan = 100_000
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	client := &kafka.Client{Addr: kafka.TCP(cfg.Brokers...), Timeout: cfg.Timeout}
	meta, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{cfg.Topic}})
	if err != nil {
		return nil, fmt.Errorf("source: metadata of %s: %w", cfg.Topic, err)
	}
	var parts []int
	for _, t := range meta.Topics {
		if t.Name != cfg.Topic {
			continue
		}
		if t.Error != nil {
			return nil, fmt.Errorf("source: metadata of %s: %w", cfg.Topic, t.Error)
		}
		for _, p := range t.Partitions {
			parts = append(parts, p.ID)
		}
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("source: topic %s has no partitions", cfg.Topic)
	}
	reqs := make([]kafka.OffsetRequest, 0, 2*len(parts))
	for _, p := range parts {
		reqs = append(reqs, kafka.FirstOffsetOf(p), kafka.LastOffsetOf(p))
	}
	res, err := client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{cfg.Topic: reqs}})
	if err != nil {
		return nil, fmt.Errorf("source: offsets of %s: %w", cfg.Topic, err)
	}
	out := map[string]Position{}
	for _, po := range res.Topics[cfg.Topic] {
		if po.Error != nil {
			return nil, fmt.Errorf("source: offsets of %s/%d: %w", cfg.Topic, po.Partition, po.Error)
		}
		if err := scanPartition(ctx, cfg, po, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// scanPartition reads one partition back from its end in windows, and
// stops once it has seen a record of every stream wanted: records are
// written in order, so the newest record of a stream in a partition
// carries that partition's newest cursors for it.
func scanPartition(ctx context.Context, cfg ResumeConfig, po kafka.PartitionOffsets, out map[string]Position) error {
	const window = 1000
	first, end := po.FirstOffset, po.LastOffset
	floor := max(first, end-cfg.Scan)
	if end <= floor {
		return nil
	}
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:   cfg.Brokers,
		Topic:     cfg.Topic,
		Partition: po.Partition,
		MaxWait:   500 * time.Millisecond,
		MaxBytes:  8 << 20,
	})
	defer r.Close()
	seen := map[string]bool{}
	for hi := end; hi > floor; hi -= window {
		lo := max(floor, hi-window)
		if err := r.SetOffset(lo); err != nil {
			return fmt.Errorf("source: read %s/%d back: %w", cfg.Topic, po.Partition, err)
		}
		if err := readRange(ctx, cfg, r, hi, out, seen); err != nil {
			return fmt.Errorf("source: read %s/%d back: %w", cfg.Topic, po.Partition, err)
		}
		done := len(seen) > 0
		for _, s := range cfg.Streams {
			done = done && seen[s]
		}
		if done {
			return nil
		}
	}
	return nil
}

// readRange reads a partition from the reader's offset up to hi and keeps
// the newest cursors of each of the source's streams.
func readRange(ctx context.Context, cfg ResumeConfig, r *kafka.Reader, hi int64, out map[string]Position, seen map[string]bool) error {
	for {
		// Offsets without a record (transaction markers, compaction)
		// never come: a read that waits this long has passed the last.
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		m, err := r.ReadMessage(rctx)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("%w (raise the timeout or lower the scan)", ctx.Err())
			}
			if errors.Is(err, context.DeadlineExceeded) {
				return nil
			}
			return err
		}
		if m.Offset >= hi {
			return nil
		}
		var src, stream, cursor, resume string
		for _, h := range m.Headers {
			switch h.Key {
			case HeaderSource:
				src = string(h.Value)
			case HeaderStream:
				stream = string(h.Value)
			case HeaderCursor:
				cursor = string(h.Value)
			case HeaderResume:
				resume = string(h.Value)
			}
		}
		if src == cfg.Source {
			seen[stream] = true
			pos := out[stream]
			if cursorLess(pos.Cursor, cursor) {
				pos.Cursor = cursor
			}
			if cursorLess(pos.Resume, resume) {
				pos.Resume = resume
			}
			out[stream] = pos
		}
		if m.Offset+1 >= hi {
			return nil
		}
	}
}
