package ingest

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/segmentio/kafka-go"

	"github.com/seismo-dev/seismo"
)

// ReasonClassifierPanic marks a post whose classification panicked. It is
// local to ingest: the panic is a bug in the classifier, not a fault of the
// post, but the post still has to leave the batch so the consumer goes on.
const ReasonClassifierPanic seismo.Reason = "classifier_panic"

// Headers of a dead-lettered message.
const (
	HeaderReason          = "seismo-dlq-reason"
	HeaderError           = "seismo-dlq-error"
	HeaderTruncated       = "seismo-dlq-truncated"
	HeaderSourceTopic     = "seismo-source-topic"
	HeaderSourcePartition = "seismo-source-partition"
	HeaderSourceOffset    = "seismo-source-offset"
)

// dlqMaxBytes bounds one dead-lettered record (key, value and headers) so
// that it fits the broker's default message.max.bytes (1,048,588) and the
// writer's batch limit with room for framing. Anything larger would fail
// forever and wedge the batch.
const dlqMaxBytes = 1_000_000

// maxErrorHeader bounds the error text carried in a header.
const maxErrorHeader = 1024

// dlqMessage builds the dead letter for m: the original key and value
// (truncated only if it would not fit), the original headers except ours,
// and why it was rejected and where it came from.
func dlqMessage(m kafka.Message, reason seismo.Reason, errText string) kafka.Message {
	if len(errText) > maxErrorHeader {
		errText = truncateUTF8(errText, maxErrorHeader)
	}
	headers := make([]kafka.Header, 0, len(m.Headers)+6)
	for _, h := range m.Headers {
		// A message replayed from the DLQ carries our headers already;
		// drop them so the new ones are the only ones.
		if strings.HasPrefix(h.Key, "seismo-dlq-") || strings.HasPrefix(h.Key, "seismo-source-") {
			continue
		}
		headers = append(headers, h)
	}
	headers = append(headers,
		kafka.Header{Key: HeaderReason, Value: []byte(reason)},
		kafka.Header{Key: HeaderError, Value: []byte(errText)},
		kafka.Header{Key: HeaderSourceTopic, Value: []byte(m.Topic)},
		kafka.Header{Key: HeaderSourcePartition, Value: []byte(strconv.Itoa(m.Partition))},
		kafka.Header{Key: HeaderSourceOffset, Value: []byte(strconv.FormatInt(m.Offset, 10))},
	)
	key, value := m.Key, m.Value
	size := len(key) + len(value) + headersSize(headers)
	if size > dlqMaxBytes {
		const truncHeaderRoom = 64
		budget := max(dlqMaxBytes-headersSize(headers)-truncHeaderRoom, 0)
		if len(key) > budget/2 {
			key = key[:budget/2]
		}
		if len(value) > budget-len(key) {
			value = value[:budget-len(key)]
		}
		headers = append(headers, kafka.Header{Key: HeaderTruncated,
			Value: fmt.Appendf(nil, "key=%d value=%d", len(m.Key), len(m.Value))})
	}
	return kafka.Message{Key: key, Value: value, Headers: headers}
}

func headersSize(hs []kafka.Header) int {
	n := 0
	for _, h := range hs {
		n += len(h.Key) + len(h.Value) + 8 // varint lengths and framing, generously
	}
	return n
}

// truncateUTF8 cuts s to at most n bytes without splitting a rune.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	// Drop the bytes of a rune cut in half (at most UTFMax-1 of them).
	for range utf8.UTFMax - 1 {
		r, size := utf8.DecodeLastRuneInString(s)
		if r != utf8.RuneError || size != 1 {
			break
		}
		s = s[:len(s)-1]
	}
	return s
}
