package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/metrics"
)

// EventStream is the incident event stream GET /v1/events serves from;
// *detect.Store satisfies it. Every replica reads the one stream, so a
// client may reconnect to any of them and resume where it was.
type EventStream interface {
	// Events returns up to count events after stream id after ("0": from
	// the start), blocking up to block for the first (0: not at all); none
	// and no error when none came. A malformed id is a seismo.Invalid
	// error.
	Events(ctx context.Context, after string, count int64, block time.Duration) ([]seismo.StreamEvent, error)
	// LastEventID returns the id of the newest event, "0" when there is
	// none: the position "only new events" starts after.
	LastEventID(ctx context.Context) (string, error)
}

const (
	// eventBatch is how many events a stream reads at a time.
	eventBatch = 500
	// tailBlock bounds one blocking read of the tail, and so how long the
	// tail outlives its last stream.
	tailBlock = 5 * time.Second
	// writeWait is how long one write to a stream may take before the
	// client counts as gone. Each write moves the connection's write
	// deadline, which http.Server set once for the whole response.
	writeWait = 10 * time.Second
)

// streams are the open event streams of a Server. One tail per process
// blocks on the Redis stream and wakes them when events come; each stream
// then reads from its own position without blocking. So N clients hold no
// N Redis connections in a blocking read, and none of them can miss an
// event the tail saw, since each reads the stream itself.
type streams struct {
	src       EventStream
	log       *slog.Logger
	heartbeat time.Duration
	timeout   time.Duration
	clients   metrics.Gauge
	// ctx ends with the server (shutdown): every stream returns.
	ctx  context.Context
	stop context.CancelFunc

	mu      sync.Mutex
	wake    map[chan struct{}]bool
	tailing bool
	n       int
}

func newStreams(cfg Config) *streams {
	ctx, stop := context.WithCancel(context.Background())
	hb := cfg.Heartbeat
	if hb <= 0 {
		hb = 15 * time.Second
	}
	return &streams{src: cfg.Events, log: cfg.Logger, heartbeat: hb, timeout: cfg.Timeout, ctx: ctx, stop: stop,
		clients: cfg.Registry.Gauge("seismo_sse_clients", "Clients connected to the incident event stream (GET /v1/events) of this process."),
		wake:    map[chan struct{}]bool{}}
}

// Shutdown ends every event stream and refuses new ones. An http.Server
// waits in Shutdown for its handlers to return, which a stream does not do
// of itself: register this with http.Server.RegisterOnShutdown.
func (s *Server) Shutdown() { s.streams.stop() }

// subscribe registers a stream for wake-ups, starting the tail if it is
// not running; the returned func unregisters it.
func (ss *streams) subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	ss.mu.Lock()
	ss.wake[ch] = true
	ss.n++
	ss.clients.Set(float64(ss.n))
	if !ss.tailing {
		ss.tailing = true
		go ss.tail()
	}
	ss.mu.Unlock()
	return ch, func() {
		ss.mu.Lock()
		delete(ss.wake, ch)
		ss.n--
		ss.clients.Set(float64(ss.n))
		ss.mu.Unlock()
	}
}

// wakeAll tells every stream that events may have come; a stream that has
// a wake-up pending needs no second one.
func (ss *streams) wakeAll() {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for ch := range ss.wake {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// tail blocks on the event stream and wakes the streams whenever it moves,
// until no stream is left or the server shuts down. It starts from the
// newest event.
func (ss *streams) tail() {
	after := ""
	var failing string
	for {
		ss.mu.Lock()
		if len(ss.wake) == 0 || ss.ctx.Err() != nil {
			ss.tailing = false
			ss.mu.Unlock()
			return
		}
		ss.mu.Unlock()
		var moved bool
		var err error
		if after == "" {
			ctx, cancel := context.WithTimeout(ss.ctx, ss.timeout)
			var id string
			id, err = ss.src.LastEventID(ctx)
			cancel()
			// Streams that subscribed before the tail knew where it starts
			// may have read before an event it will not see.
			if err == nil {
				after, moved = id, true
			}
		} else {
			var evs []seismo.StreamEvent
			evs, err = ss.src.Events(ss.ctx, after, eventBatch, tailBlock)
			if len(evs) > 0 {
				after, moved = evs[len(evs)-1].ID, true
			}
		}
		switch {
		case err != nil && ss.ctx.Err() != nil:
			continue
		case err != nil:
			// Logged when it starts and when it changes, not every second.
			if err.Error() != failing {
				ss.log.Warn("event stream unreadable; retrying", "err", err)
				failing = err.Error()
			}
			select {
			case <-ss.ctx.Done():
			case <-time.After(time.Second):
			}
			continue
		case failing != "":
			ss.log.Info("event stream readable again")
			failing = ""
		}
		if moved {
			ss.wakeAll()
		}
	}
}

// events serves GET /v1/events: every incident event as Server-Sent
// Events, after the Last-Event-ID header or ?after= (a stream id; "0" from
// the start), by default only the events that come after the request.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	ss := s.streams
	after := r.Header.Get("Last-Event-ID")
	if after == "" {
		after = r.URL.Query().Get("after")
	}
	wake, unsubscribe := ss.subscribe()
	defer unsubscribe()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(ss.ctx, cancel)
	defer stop()

	// The start is read before the response begins, so that a bad id or a
	// store that fails is an HTTP error rather than an empty stream.
	rctx, rcancel := context.WithTimeout(ctx, ss.timeout)
	var evs []seismo.StreamEvent
	var err error
	if after == "" || after == "$" {
		after, err = ss.src.LastEventID(rctx)
	} else {
		evs, err = ss.src.Events(rctx, after, eventBatch, 0)
	}
	rcancel()
	if err != nil {
		s.writeError(w, r, err)
		return
	}

	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx would hold events back otherwise
	w.WriteHeader(http.StatusOK)
	send := func(b []byte) error {
		if err := rc.SetWriteDeadline(time.Now().Add(writeWait)); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return err
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
		return rc.Flush()
	}
	if err := send(nil); err != nil { // the headers, so the client knows it is connected
		return
	}
	ping := time.NewTicker(ss.heartbeat)
	defer ping.Stop()
	for {
		for len(evs) > 0 {
			var b bytes.Buffer
			for _, se := range evs {
				if err := writeEvent(&b, se); err != nil {
					ss.log.Error("encode event", "id", se.ID, "err", err)
					return
				}
			}
			if err := send(b.Bytes()); err != nil {
				return
			}
			after = evs[len(evs)-1].ID
			if len(evs) < eventBatch {
				break
			}
			if evs, err = ss.read(ctx, after); err != nil {
				return
			}
		}
		evs = nil
		select {
		case <-ctx.Done():
			return
		case <-ping.C:
			if err := send([]byte(": ping\n\n")); err != nil {
				return
			}
		case <-wake:
			if evs, err = ss.read(ctx, after); err != nil {
				return
			}
		}
	}
}

// read reads what came after a stream's position. A failure ends the
// stream: the client reconnects with the last id it got.
func (ss *streams) read(ctx context.Context, after string) ([]seismo.StreamEvent, error) {
	rctx, cancel := context.WithTimeout(ctx, ss.timeout)
	defer cancel()
	evs, err := ss.src.Events(rctx, after, eventBatch, 0)
	if err != nil && ctx.Err() == nil {
		ss.log.Warn("event stream read failed; ending the stream", "after", after, "err", err)
	}
	return evs, err
}

// writeEvent frames one event. The data is the event as JSON, which
// escapes every line break inside strings, so text from posts stays inside
// its one data line and cannot start a field of its own.
func writeEvent(b *bytes.Buffer, se seismo.StreamEvent) error {
	data, err := json.Marshal(se.Event)
	if err != nil {
		return err
	}
	fmt.Fprintf(b, "id: %s\n", se.ID)
	if typ := se.Event.Type; typ != "" && !strings.ContainsAny(typ, "\r\n") {
		fmt.Fprintf(b, "event: %s\n", typ)
	}
	fmt.Fprintf(b, "data: %s\n\n", data)
	return nil
}
