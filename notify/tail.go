package notify

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
)

// HeaderStreamID carries, on every message the relay writes, the id of the
// event in the incident event stream: what a relay that takes over reads
// back to know what is on the topic already.
const HeaderStreamID = "seismo-stream-id"

// Tail tells what a topic holds already: for each of its partitions, the
// stream id of the last event written to it ("" when it holds none, or
// none the relay marked).
type Tail interface {
	LastWritten(ctx context.Context) (map[int]string, error)
}

// TopicTail reads the last message of every partition of a Kafka topic.
type TopicTail struct {
	Brokers []string
	Topic   string
}

// LastWritten implements Tail.
func (t *TopicTail) LastWritten(ctx context.Context) (map[int]string, error) {
	client := &kafka.Client{Addr: kafka.TCP(t.Brokers...), Timeout: 10 * time.Second}
	meta, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{t.Topic}})
	if err != nil {
		return nil, fmt.Errorf("metadata of %s: %w", t.Topic, err)
	}
	if len(meta.Topics) != 1 || meta.Topics[0].Error != nil {
		var terr error
		if len(meta.Topics) == 1 {
			terr = meta.Topics[0].Error
		}
		return nil, fmt.Errorf("metadata of %s: %v", t.Topic, terr)
	}
	var reqs []kafka.OffsetRequest
	for _, p := range meta.Topics[0].Partitions {
		reqs = append(reqs, kafka.FirstOffsetOf(p.ID), kafka.LastOffsetOf(p.ID))
	}
	offs, err := client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{t.Topic: reqs}})
	if err != nil {
		return nil, fmt.Errorf("offsets of %s: %w", t.Topic, err)
	}
	last := map[int]string{}
	for _, po := range offs.Topics[t.Topic] {
		if po.Error != nil {
			return nil, fmt.Errorf("offsets of %s/%d: %w", t.Topic, po.Partition, po.Error)
		}
		last[po.Partition] = ""
		if po.LastOffset <= po.FirstOffset {
			continue
		}
		id, err := t.lastID(ctx, po.Partition, po.LastOffset-1)
		if err != nil {
			return nil, err
		}
		last[po.Partition] = id
	}
	return last, nil
}

// lastID reads the stream id of the message at offset of partition p.
func (t *TopicTail) lastID(ctx context.Context, p int, offset int64) (string, error) {
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: t.Brokers, Topic: t.Topic, Partition: p,
		MaxWait: 100 * time.Millisecond, MaxAttempts: 1})
	defer r.Close()
	if err := r.SetOffset(offset); err != nil {
		return "", err
	}
	m, err := r.ReadMessage(ctx)
	if err != nil {
		return "", fmt.Errorf("last message of %s/%d: %w", t.Topic, p, err)
	}
	for _, h := range m.Headers {
		if h.Key == HeaderStreamID {
			return string(h.Value), nil
		}
	}
	return "", nil
}

// compareStreamIDs orders two Redis stream ids ("ms-seq"); "" is before
// every id.
func compareStreamIDs(a, b string) (int, error) {
	pa, err := parseStreamID(a)
	if err != nil {
		return 0, err
	}
	pb, err := parseStreamID(b)
	if err != nil {
		return 0, err
	}
	for i := range pa {
		switch {
		case pa[i] < pb[i]:
			return -1, nil
		case pa[i] > pb[i]:
			return 1, nil
		}
	}
	return 0, nil
}

func parseStreamID(id string) ([2]uint64, error) {
	if id == "" {
		return [2]uint64{}, nil
	}
	ms, seq, ok := strings.Cut(id, "-")
	a, err1 := strconv.ParseUint(ms, 10, 64)
	b, err2 := strconv.ParseUint(seq, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return [2]uint64{}, errors.New("not a stream id: " + strconv.Quote(id))
	}
	return [2]uint64{a, b + 1}, nil // "" sorts before "0-0"
}
