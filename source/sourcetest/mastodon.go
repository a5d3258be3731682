package sourcetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Status is the part of a Mastodon status the stand-in serves.
type Status struct {
	ID          string  `json:"id"`
	URI         string  `json:"uri"`
	URL         string  `json:"url,omitempty"`
	CreatedAt   string  `json:"created_at"`
	Content     string  `json:"content"`
	SpoilerText string  `json:"spoiler_text"`
	Sensitive   bool    `json:"sensitive"`
	Language    string  `json:"language,omitempty"`
	Reblog      *Status `json:"reblog"`
	Account     Author  `json:"account"`
}

// Author is a status's account.
type Author struct {
	ID     string  `json:"id"`
	Acct   string  `json:"acct"`
	Fields []Field `json:"fields,omitempty"`
}

// Field is a profile field: a name and an HTML value.
type Field struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// sse is one stream event.
type sse struct{ event, data string }

// Mastodon is a Mastodon stand-in: GET /api/v1/streaming/public (and
// /public/local) as Server-Sent Events, from the moment of connection on,
// with a heartbeat; GET /api/v1/timelines/public with since_id, max_id and
// min_id paging. Both
// ask for the bearer token when one is set.
type Mastodon struct {
	srv   *httptest.Server
	token string

	mu       sync.Mutex
	statuses []Status // the timeline, oldest first
	events   []sse
	changed  chan struct{}
	drops    map[int]int
	streams  int
	live     int // streams open now
	requests []string
}

// NewMastodon starts a stand-in that wants token ("" wants none).
func NewMastodon(token string) *Mastodon {
	m := &Mastodon{token: token, changed: make(chan struct{}), drops: map[int]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/streaming/public", m.stream)
	mux.HandleFunc("GET /api/v1/streaming/public/local", m.stream)
	mux.HandleFunc("GET /api/v1/timelines/public", m.timeline)
	m.srv = httptest.NewServer(m.auth(mux))
	return m
}

// URL is the instance's address, http://127.0.0.1:PORT.
func (m *Mastodon) URL() string { return m.srv.URL }

// Close stops the server and ends every stream.
func (m *Mastodon) Close() {
	m.srv.CloseClientConnections()
	m.srv.Close()
}

// Post adds statuses to the timeline and sends them as update events to
// the streams open now.
func (m *Mastodon) Post(statuses ...Status) {
	for _, st := range statuses {
		data, err := json.Marshal(st)
		if err != nil {
			panic(fmt.Sprintf("sourcetest: %v", err))
		}
		m.mu.Lock()
		m.statuses = append(m.statuses, st)
		m.mu.Unlock()
		m.Send("update", string(data))
	}
}

// Send sends one event to the streams open now, without touching the
// timeline: deletes, edits, or anything malformed.
func (m *Mastodon) Send(event, data string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.events = append(m.events, sse{event, data})
	close(m.changed)
	m.changed = make(chan struct{})
}

// DropAfter makes the next streams end abruptly after n[0], n[1]...
// events; 0 never drops.
func (m *Mastodon) DropAfter(n ...int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, d := range n {
		m.drops[m.streams+i] = d
	}
}

// Streams says how many streams were opened so far and how many are open.
func (m *Mastodon) Streams() (opened, open int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.streams, m.live
}

// Requests returns the path and query of every timeline request so far.
func (m *Mastodon) Requests() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.requests)
}

func (m *Mastodon) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if m.token != "" && r.Header.Get("Authorization") != "Bearer "+m.token {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"The access token is invalid"}`)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (m *Mastodon) stream(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "no flusher", http.StatusInternalServerError)
		return
	}
	m.mu.Lock()
	n := m.streams
	m.streams++
	m.live++
	drop := m.drops[n]
	next := len(m.events) // a stream carries what happens from now on
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		m.live--
		m.mu.Unlock()
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, ":)\n")
	fl.Flush()
	heartbeat := time.NewTicker(200 * time.Millisecond)
	defer heartbeat.Stop()
	sent := 0
	for {
		m.mu.Lock()
		pending := m.events[next:]
		changed := m.changed
		m.mu.Unlock()
		for _, e := range pending {
			if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.event, e.data); err != nil {
				return
			}
			fl.Flush()
			next++
			sent++
			if drop > 0 && sent >= drop {
				panic(http.ErrAbortHandler) // ends the connection abruptly
			}
		}
		select {
		case <-r.Context().Done():
			return
		case <-changed:
		case <-heartbeat.C:
			if _, err := fmt.Fprint(w, ":thump\n"); err != nil {
				return
			}
			fl.Flush()
		}
	}
}

// timeline pages as Mastodon does: since_id and max_id bound the ids
// (newer than since_id, older than max_id) and the newest of them come
// first; min_id asks for the ones just after it instead, still newest
// first.
func (m *Mastodon) timeline(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 20
	if l, err := strconv.Atoi(q.Get("limit")); err == nil && l > 0 {
		limit = min(l, 40)
	}
	minID, sinceID, maxID := q.Get("min_id"), q.Get("since_id"), q.Get("max_id")
	m.mu.Lock()
	m.requests = append(m.requests, r.URL.RequestURI())
	var page []Status
	for _, st := range m.statuses {
		if (minID == "" || idLess(minID, st.ID)) && (sinceID == "" || idLess(sinceID, st.ID)) && (maxID == "" || idLess(st.ID, maxID)) {
			page = append(page, st)
		}
	}
	m.mu.Unlock()
	if minID != "" {
		page = page[:min(len(page), limit)]
	} else {
		page = page[max(0, len(page)-limit):]
	}
	slices.Reverse(page)
	w.Header().Set("Content-Type", "application/json")
	if page == nil {
		page = []Status{}
	}
	json.NewEncoder(w).Encode(page)
}

func idLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}
