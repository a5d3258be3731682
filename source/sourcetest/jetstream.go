// Package sourcetest provides stand-ins for the networks the sources read,
// for tests that have no internet: a Jetstream server speaking its
// documented event format over a WebSocket, and a Mastodon server with
// the streaming and timeline endpoints. Both can drop connections on cue.
package sourcetest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Frame is one Jetstream message: its time_us, which orders the stream
// and answers cursors, and the bytes sent.
type Frame struct {
	TimeUS int64
	Data   []byte
}

// Jetstream is a Jetstream stand-in. A connection without a cursor starts
// at the first frame published, one with a cursor at the first frame
// whose time_us is not before it; both then follow what is published.
type Jetstream struct {
	srv *httptest.Server

	mu      sync.Mutex
	frames  []Frame
	changed chan struct{} // closed when frames grow
	drops   map[int]int   // connection i is dropped after drops[i] frames
	conns   []url.Values
}

// NewJetstream starts a stand-in on a loopback port.
func NewJetstream() *Jetstream {
	j := &Jetstream{changed: make(chan struct{}), drops: map[int]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/subscribe", j.subscribe)
	j.srv = httptest.NewServer(mux)
	return j
}

// URL is the subscribe endpoint, ws://127.0.0.1:PORT/subscribe.
func (j *Jetstream) URL() string { return "ws" + strings.TrimPrefix(j.srv.URL, "http") + "/subscribe" }

// Close stops the server and ends every connection.
func (j *Jetstream) Close() {
	j.srv.CloseClientConnections()
	j.srv.Close()
}

// Publish appends frames to the stream; they must not go back in time.
func (j *Jetstream) Publish(frames ...Frame) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.frames = append(j.frames, frames...)
	close(j.changed)
	j.changed = make(chan struct{})
}

// DropAfter makes the next connections end abruptly, without a close
// frame, after sending n[0], n[1]... frames; 0 never drops.
func (j *Jetstream) DropAfter(n ...int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for i, d := range n {
		j.drops[len(j.conns)+i] = d
	}
}

// Connections returns the query of every connection so far, in order.
func (j *Jetstream) Connections() []url.Values {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.conns)
}

func (j *Jetstream) subscribe(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	j.mu.Lock()
	n := len(j.conns)
	j.conns = append(j.conns, q)
	drop := j.drops[n]
	start := 0
	if c := q.Get("cursor"); c != "" {
		us, err := strconv.ParseInt(c, 10, 64)
		if err != nil {
			j.mu.Unlock()
			http.Error(w, "bad cursor", http.StatusBadRequest)
			return
		}
		start, _ = slices.BinarySearchFunc(j.frames, us, func(f Frame, us int64) int {
			switch {
			case f.TimeUS < us:
				return -1
			case f.TimeUS > us:
				return 1
			}
			return 0
		})
	}
	j.mu.Unlock()
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer conn.CloseNow()
	ctx := conn.CloseRead(r.Context())
	sent := 0
	for i := start; ; i++ {
		j.mu.Lock()
		for i >= len(j.frames) {
			changed := j.changed
			j.mu.Unlock()
			select {
			case <-ctx.Done():
				return
			case <-changed:
			}
			j.mu.Lock()
		}
		f := j.frames[i]
		j.mu.Unlock()
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := conn.Write(wctx, websocket.MessageText, f.Data)
		cancel()
		if err != nil {
			return
		}
		sent++
		if drop > 0 && sent >= drop {
			return // CloseNow: the TCP connection ends without a close frame
		}
	}
}

// BlueskyPost is the frame of a new post, as Jetstream sends it.
func BlueskyPost(timeUS int64, did, rkey, text string, createdAt time.Time, langs ...string) Frame {
	record := map[string]any{
		"$type":     "app.bsky.feed.post",
		"text":      text,
		"createdAt": createdAt.UTC().Format("2006-01-02T15:04:05.000Z"),
	}
	if len(langs) > 0 {
		record["langs"] = langs
	}
	return Commit(timeUS, did, "create", "app.bsky.feed.post", rkey, record)
}

// Commit is the frame of a commit event; record nil leaves it out, as
// deletes do.
func Commit(timeUS int64, did, operation, collection, rkey string, record any) Frame {
	commit := map[string]any{
		"rev": "3l3qo2vutsw2b", "operation": operation, "collection": collection, "rkey": rkey,
	}
	if record != nil {
		commit["record"] = record
		commit["cid"] = "bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi"
	}
	return event(timeUS, map[string]any{"did": did, "time_us": timeUS, "kind": "commit", "commit": commit})
}

// Identity is the frame of an identity event.
func Identity(timeUS int64, did string) Frame {
	return event(timeUS, map[string]any{"did": did, "time_us": timeUS, "kind": "identity",
		"identity": map[string]any{"did": did, "handle": "someone.bsky.social", "seq": 1409752997, "time": "2024-09-05T06:11:04.870Z"}})
}

// Account is the frame of an account event.
func Account(timeUS int64, did string) Frame {
	return event(timeUS, map[string]any{"did": did, "time_us": timeUS, "kind": "account",
		"account": map[string]any{"active": true, "did": did, "seq": 1409753013, "time": "2024-09-05T06:11:04.870Z"}})
}

func event(timeUS int64, v any) Frame {
	data, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("sourcetest: %v", err))
	}
	return Frame{TimeUS: timeUS, Data: data}
}
