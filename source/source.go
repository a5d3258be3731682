// Package source brings public posts from open networks onto seismo's posts
// topic: Bluesky through Jetstream (Bluesky) and Mastodon through its
// streaming API (Mastodon).
//
// The topic is a source's only state. Every record carries headers that
// say which source and stream wrote it, the stream cursor of its event and
// the cursor up to which its stream was written when it was (Producer);
// ResumeCursor reads the newest of those back at start. Jetstream resumes
// from the newest event cursor less a rewind that covers a half-written
// batch; Mastodon catches up from the newest resume cursor. Writes are batched and bounded:
// when Kafka is slower than the stream, Send blocks and the source stops
// reading from the network until the producer catches up.
package source

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seismo-dev/seismo/metrics"
)

// Record headers.
const (
	// HeaderSource names the source that wrote a record: bluesky, mastodon.
	HeaderSource = "seismo-source"
	// HeaderStream names the stream within the source: a Mastodon
	// instance's address; empty for Bluesky, whose Jetstream instances
	// share one cursor.
	HeaderStream = "seismo-source-stream"
	// HeaderCursor is the stream cursor of the record's event: Jetstream's
	// time_us, a Mastodon status id.
	HeaderCursor = "seismo-source-cursor"
	// HeaderResume is the cursor up to which every event was on the topic
	// when the record was written: a restart resumes from the newest one
	// and loses nothing, even when a batch was written only in part.
	HeaderResume = "seismo-source-resume"
)

// Metrics counts what a source does, and keeps what Ready reports. Use
// NewMetrics; a nil *Metrics counts nothing.
type Metrics struct {
	reg *metrics.Registry
	// open counts the stream connections open now.
	open atomic.Int64
	// failingSince is when writes to Kafka started failing (unix
	// nanoseconds), 0 while they succeed.
	failingSince atomic.Int64
}

// readyFailing is how long writes may fail before a source is not ready.
const readyFailing = 30 * time.Second

// Ready reports whether the source is doing its job: a stream connection
// is open and writes to Kafka have not been failing for 30 seconds. The
// reason says what is wrong.
func (m *Metrics) Ready() (bool, string) {
	if m == nil {
		return true, ""
	}
	if since := m.failingSince.Load(); since != 0 && time.Since(time.Unix(0, since)) > readyFailing {
		return false, fmt.Sprintf("writes to Kafka have failed for %s", time.Since(time.Unix(0, since)).Round(time.Second))
	}
	if m.open.Load() == 0 {
		return false, "no stream connection is open"
	}
	return true, ""
}

// Handler serves a source process's probes beside its metrics: GET /metrics
// (the given handler), /healthz (alive) and /readyz (Ready, 503 with the
// reason when not).
func (m *Metrics) Handler(metrics http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if ok, why := m.Ready(); !ok {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, why)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	return mux
}

// Serve serves Handler(metrics) on addr from now on, for probes that must
// be answered while the source starts. The returned stop shuts the server
// down and reports how it ended.
func (m *Metrics) Serve(addr string, metrics http.Handler, log *slog.Logger) (stop func() error, err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: m.Handler(metrics), ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info("metrics listening", "addr", ln.Addr().String())
	return func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := srv.Shutdown(ctx)
		if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
			err = errors.Join(err, serr)
		}
		return err
	}, nil
}

func (m *Metrics) streamOpen(delta int64) {
	if m != nil {
		m.open.Add(delta)
	}
}

func (m *Metrics) wrote(ok bool) {
	if m == nil {
		return
	}
	if ok {
		m.failingSince.Store(0)
	} else {
		m.failingSince.CompareAndSwap(0, time.Now().UnixNano())
	}
}

// NewMetrics returns metrics registered in reg (nil: none).
func NewMetrics(reg *metrics.Registry) *Metrics { return &Metrics{reg: reg} }

func (m *Metrics) event(source, kind string) {
	if m != nil && m.reg != nil {
		m.reg.Counter("seismo_source_events_total", "events read from the stream, by kind", "source", source, "kind", kind).Inc()
	}
}

func (m *Metrics) skipped(source, reason string) {
	if m != nil && m.reg != nil {
		m.reg.Counter("seismo_source_skipped_total", "events and records not turned into posts, by reason", "source", source, "reason", reason).Inc()
	}
}

func (m *Metrics) produced(source string, n int) {
	if m != nil && m.reg != nil {
		m.reg.Counter("seismo_source_posts_produced_total", "posts written to the topic", "source", source).Add(uint64(n))
	}
}

func (m *Metrics) reconnect(source string) {
	if m != nil && m.reg != nil {
		m.reg.Counter("seismo_source_reconnects_total", "connection attempts after the first, failed ones included", "source", source).Inc()
	}
}

func (m *Metrics) lag(source string, behind time.Duration) {
	if m != nil && m.reg != nil {
		m.reg.Gauge("seismo_source_lag_seconds", "how far the newest event read is behind the wall clock (Jetstream: its time_us; Mastodon: the status's created_at)", "source", source).Set(behind.Seconds())
	}
}

func (m *Metrics) writeFailed(source string) {
	if m != nil && m.reg != nil {
		m.reg.Counter("seismo_source_write_failures_total", "batch writes to Kafka that failed and were retried", "source", source).Inc()
	}
}

func (m *Metrics) gap(source string) {
	if m != nil && m.reg != nil {
		m.reg.Counter("seismo_source_gaps_total", "catch-ups that failed or stopped at their page limit: statuses are missing", "source", source).Inc()
	}
}

// backoff returns the wait before attempt n (1-based): exponential from
// base, capped at max, with full jitter so that many sources restarting
// together do not reconnect in step.
func backoff(n int, base, max time.Duration) time.Duration {
	d := base
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	d = min(d, max)
	return d/2 + rand.N(d/2+1)
}

// sleep waits d or until ctx ends, and reports whether it waited.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// logLimiter logs one line per key and interval, and says how many it
// held back since: a stream of malformed frames must not flood the log.
type logLimiter struct {
	every time.Duration
	mu    sync.Mutex
	last  map[string]time.Time
	held  map[string]int
}

func newLogLimiter(every time.Duration) *logLimiter {
	return &logLimiter{every: every, last: map[string]time.Time{}, held: map[string]int{}}
}

func (l *logLimiter) warn(log *slog.Logger, key, msg string, args ...any) {
	l.mu.Lock()
	now := time.Now()
	if t, ok := l.last[key]; ok && now.Sub(t) < l.every {
		l.held[key]++
		l.mu.Unlock()
		return
	}
	held := l.held[key]
	l.last[key], l.held[key] = now, 0
	l.mu.Unlock()
	if held > 0 {
		args = append(args, "suppressed", held)
	}
	log.Warn(msg, args...)
}

// cursorLess orders cursors: decimal numbers (Jetstream's time_us,
// Mastodon's ids) by value, fixed-width ids (other ActivityPub servers'
// flake ids) by their bytes. The empty cursor is the least.
func cursorLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// formatMicros writes a Jetstream cursor.
func formatMicros(us int64) string { return strconv.FormatInt(us, 10) }

// Reader reads a stream and sends its posts to a producer until ctx ends:
// *Jetstream, *Mastodon.
type Reader interface {
	Run(ctx context.Context, p *Producer) error
}

// Pipe runs r into p until ctx ends, then gives p up to drain to write
// what r had sent; what it could not write is read again on the next
// start, from the cursors on the topic.
func Pipe(ctx context.Context, r Reader, p *Producer, drain time.Duration) error {
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- p.Run(wctx) }()
	rerr := r.Run(ctx, p)
	p.Close()
	t := time.AfterFunc(drain, cancel)
	defer t.Stop()
	return errors.Join(rerr, <-done)
}
