package ingest

import (
	"context"
	"errors"
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

	// HeaderHeadersDropped says how many original headers, of how many
	// bytes, were left out for being over the budget.
	HeaderHeadersDropped = "seismo-dlq-headers-dropped"
	// HeaderMinimal is "true" on a minimal dead letter: no value and no
	// original headers, written because the full one could not be.
	HeaderMinimal = "seismo-dlq-minimal"
)

// dlqMaxBytes bounds one dead-lettered record (key, value and headers) so
// that it fits the broker's default message.max.bytes (1,048,588) and the
// writer's batch limit with room for framing. Anything larger would fail
// forever and wedge the batch.
const dlqMaxBytes = 1_000_000

// maxErrorHeader bounds the error text carried in a header.
const maxErrorHeader = 1024

// maxOriginalHeaders bounds the original headers a dead letter carries:
// beyond it they are all left out, since thousands of headers would make
// the dead letter too large or too slow for any broker.
const maxOriginalHeaders = 64 << 10

// maxMinimalKey is the largest original key a minimal dead letter keeps;
// a post id or an author fits.
const maxMinimalKey = 256

// fullDLQAttempts is how many times the full dead letters of a batch are
// tried before they are replaced by minimal ones: with the retry backoff,
// about 75 s of temporary failures, so a broker blip does not strip values.
// A permanent error replaces them at once.
const fullDLQAttempts = 20

// dlqMessage builds the dead letter for m: the original key and value
// (truncated only if it would not fit), the original headers except ours
// (none if they are over maxOriginalHeaders), and why it was rejected and
// where it came from.
func dlqMessage(m kafka.Message, reason seismo.Reason, errText string) kafka.Message {
	headers := make([]kafka.Header, 0, len(m.Headers)+6)
	for _, h := range m.Headers {
		// A message replayed from the DLQ carries our headers already;
		// drop them so the new ones are the only ones.
		if strings.HasPrefix(h.Key, "seismo-dlq-") || strings.HasPrefix(h.Key, "seismo-source-") {
			continue
		}
		headers = append(headers, h)
	}
	if n := headersSize(headers); n > maxOriginalHeaders {
		headers = append(headers[:0], kafka.Header{Key: HeaderHeadersDropped,
			Value: fmt.Appendf(nil, "headers=%d bytes=%d", len(headers), n)})
	}
	headers = append(headers, ownHeaders(m, reason, errText)...)
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

// minimalDLQMessage is the smallest dead letter for m: no value, no
// original headers, the key only if it is short; why it was rejected and
// where it came from, so the original can still be found.
func minimalDLQMessage(m kafka.Message, reason seismo.Reason, errText string) kafka.Message {
	var key []byte
	if len(m.Key) <= maxMinimalKey {
		key = m.Key
	}
	headers := append(ownHeaders(m, reason, errText), kafka.Header{Key: HeaderMinimal, Value: []byte("true")})
	return kafka.Message{Key: key, Headers: headers}
}

// ownHeaders are the headers every dead letter carries.
func ownHeaders(m kafka.Message, reason seismo.Reason, errText string) []kafka.Header {
	if len(errText) > maxErrorHeader {
		errText = truncateUTF8(errText, maxErrorHeader)
	}
	return []kafka.Header{
		{Key: HeaderReason, Value: []byte(reason)},
		{Key: HeaderError, Value: []byte(errText)},
		{Key: HeaderSourceTopic, Value: []byte(m.Topic)},
		{Key: HeaderSourcePartition, Value: []byte(strconv.Itoa(m.Partition))},
		{Key: HeaderSourceOffset, Value: []byte(strconv.FormatInt(m.Offset, 10))},
	}
}

// dlqWriter is what dead letters need of *kafka.Writer.
type dlqWriter interface {
	WriteMessages(ctx context.Context, msgs ...kafka.Message) error
}

// deadLetters are the dead letters of one batch on their way to the DLQ.
type deadLetters struct {
	msgs     []kafka.Message // not written yet
	srcs     []*item         // the rejected item of each
	failures int             // failed writes of the full letters
	minimal  bool            // msgs are minimal letters
}

func (d *deadLetters) len() int { return len(d.msgs) }

func (d *deadLetters) add(it *item) {
	d.msgs = append(d.msgs, dlqMessage(it.msg, it.reason, it.errMsg))
	d.srcs = append(d.srcs, it)
}

// write writes the letters not written yet. When some of them made it,
// only the others are left for the next try.
func (d *deadLetters) write(ctx context.Context, w dlqWriter) error {
	err := w.WriteMessages(ctx, d.msgs...)
	if err == nil {
		d.msgs, d.srcs = nil, nil
		return nil
	}
	var werrs kafka.WriteErrors
	if errors.As(err, &werrs) && len(werrs) == len(d.msgs) && werrs.Count() > 0 {
		var msgs []kafka.Message
		var srcs []*item
		for i, e := range werrs {
			if e != nil {
				msgs, srcs = append(msgs, d.msgs[i]), append(srcs, d.srcs[i])
			}
		}
		d.msgs, d.srcs = msgs, srcs
	}
	return err
}

// downgrade notes that a write of the full letters failed with err and,
// when err is permanent or the full letters have failed fullDLQAttempts
// times, replaces them with minimal ones. It reports whether it did. A
// failure of the minimal letters changes nothing: they are retried until
// they are written.
func (d *deadLetters) downgrade(err error) bool {
	if d.minimal {
		return false
	}
	d.failures++
	if !permanentWriteError(err) && d.failures < fullDLQAttempts {
		return false
	}
	// A new slice: the writer may still hold the old one after a cancel.
	d.msgs = make([]kafka.Message, len(d.srcs))
	for i, it := range d.srcs {
		d.msgs[i] = minimalDLQMessage(it.msg, it.reason, it.errMsg)
	}
	d.minimal = true
	return true
}

// permanentWriteError reports whether a write that failed with err cannot
// succeed by trying the same messages again: the broker refuses them for
// their size or format, or refuses the writer. Network errors and timeouts
// are not permanent.
func permanentWriteError(err error) bool {
	var werrs kafka.WriteErrors
	if errors.As(err, &werrs) {
		for _, e := range werrs {
			if e != nil && permanentWriteError(e) {
				return true
			}
		}
		return false
	}
	var kerr kafka.Error
	if !errors.As(err, &kerr) {
		return false
	}
	switch kerr {
	case kafka.MessageSizeTooLarge, kafka.InvalidMessage, kafka.InvalidMessageSize,
		kafka.RecordListTooLarge, kafka.InvalidRecord, kafka.InvalidTimestamp:
		return true // InvalidMessage (a corrupt record) calls itself temporary
	}
	return !kerr.Temporary()
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
