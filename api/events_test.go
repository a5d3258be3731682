package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/api"
	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/internal/redistest"
	"github.com/seismo-dev/seismo/metrics"
)

// eventServer serves the api over a detect.Store on a real redis-server;
// edit adjusts the config and the http.Server before it starts.
type eventServer struct {
	*httptest.Server
	rdb *redis.Client
	api *api.Server
	reg *metrics.Registry
}

func newEventServer(t *testing.T, edit func(*api.Config, *http.Server)) *eventServer {
	t.Helper()
	rdb := redistest.Start(t).Client(t)
	store, err := detect.NewStore(rdb, detect.StoreConfig{ReporterKey: []byte("test key")})
	if err != nil {
		t.Fatal(err)
	}
	reg := metrics.New()
	cfg := api.Config{Incidents: &fakeIncidents{}, Events: store, Registry: reg, Heartbeat: time.Hour}
	srv := httptest.NewUnstartedServer(nil)
	if edit != nil {
		edit(&cfg, srv.Config)
	}
	h := api.New(cfg)
	srv.Config.Handler = h
	srv.Config.RegisterOnShutdown(h.Shutdown)

	srv.Start()
	t.Cleanup(srv.Close)
	return &eventServer{Server: srv, rdb: rdb, api: h, reg: reg}
}

// add appends an event about incident id to the stream as the detector
// does, and returns its stream id.
func (s *eventServer) add(t *testing.T, id, typ, sample string) string {
	t.Helper()
	ev := seismo.NewEvent(typ, time.Date(2024, 4, 3, 18, 16, 0, 0, time.UTC), seismo.Incident{ID: id, Service: "whatsapp",
		Status: seismo.StatusOpen, Samples: []seismo.Sample{{PostID: "p1", Text: sample}}})
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	sid, err := s.rdb.XAdd(context.Background(), &redis.XAddArgs{Stream: "seismo:{inc}:events", Values: []any{"event", b}}).Result()
	if err != nil {
		t.Fatal(err)
	}
	return sid
}

// frame is one dispatched SSE event, or one comment.
type frame struct {
	id, event, data, comment string
}

// sse reads a stream as an EventSource does (the WHATWG parsing rules),
// into frames.
type sse struct {
	resp   *http.Response
	frames chan frame
}

func openSSE(t *testing.T, url string, header http.Header) *sse {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type = %q", ct)
	}
	s := &sse{resp: resp, frames: make(chan frame, 100)}
	go func() {
		defer close(s.frames)
		sc := bufio.NewScanner(resp.Body)
		var f frame
		var data []string
		for sc.Scan() {
			line := sc.Text()
			if line == "" {
				if data != nil {
					f.data = strings.Join(data, "\n")
					s.frames <- f
				}
				f, data = frame{}, nil
				continue
			}
			field, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			switch field {
			case "":
				s.frames <- frame{comment: value}
			case "id":
				f.id = value
			case "event":
				f.event = value
			case "data":
				data = append(data, value)
			}
		}
	}()
	return s
}

// next returns the next event, skipping comments; ok is false when the
// stream ended or nothing came within wait.
func (s *sse) next(t *testing.T, wait time.Duration) (frame, bool) {
	t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case f, ok := <-s.frames:
			if !ok {
				return frame{}, false
			}
			if f.comment != "" {
				continue
			}
			return f, true
		case <-deadline:
			return frame{}, false
		}
	}
}

func (s *sse) want(t *testing.T, ids ...string) {
	t.Helper()
	for _, id := range ids {
		f, ok := s.next(t, 5*time.Second)
		if !ok {
			t.Fatalf("no event %s on the stream", id)
		}
		if f.id != id {
			t.Fatalf("event id %s, want %s", f.id, id)
		}
		var ev seismo.Event
		if err := json.Unmarshal([]byte(f.data), &ev); err != nil || f.event != ev.Type || ev.Type == "" {
			t.Fatalf("event %s: type %q, data %q: %v", f.id, f.event, f.data, err)
		}
	}
}

func (s *sse) wantNothing(t *testing.T, wait time.Duration) {
	t.Helper()
	if f, ok := s.next(t, wait); ok {
		t.Fatalf("unexpected event %+v", f)
	}
}

func TestEventsResume(t *testing.T) {
	s := newEventServer(t, nil)
	e1 := s.add(t, "whatsapp-20240403T1810Z", seismo.EventOpened, "down")
	e2 := s.add(t, "whatsapp-20240403T1810Z", seismo.EventUpdated, "still down")
	e3 := s.add(t, "instagram-20240403T1814Z", seismo.EventOpened, "insta down")

	t.Run("Last-Event-ID", func(t *testing.T) {
		st := openSSE(t, s.URL+"/v1/events", http.Header{"Last-Event-ID": {e1}})
		st.want(t, e2, e3)
		st.wantNothing(t, 200*time.Millisecond)
		e4 := s.add(t, "whatsapp-20240403T1810Z", seismo.EventResolved, "back")
		st.want(t, e4)
	})
	t.Run("after", func(t *testing.T) {
		// The header wins over the query, as EventSource sends it on
		// reconnecting to the URL it first had.
		st := openSSE(t, s.URL+"/v1/events?after=0", http.Header{"Last-Event-ID": {e2}})
		st.want(t, e3)
		st = openSSE(t, s.URL+"/v1/events?after="+e2, nil)
		st.want(t, e3)
	})
	t.Run("from the start", func(t *testing.T) {
		st := openSSE(t, s.URL+"/v1/events?after=0", nil)
		st.want(t, e1, e2, e3)
	})
	t.Run("only new ones by default", func(t *testing.T) {
		st := openSSE(t, s.URL+"/v1/events", nil)
		st.wantNothing(t, 200*time.Millisecond)
		e5 := s.add(t, "x-20240403T1900Z", seismo.EventOpened, "x down")
		st.want(t, e5)
	})
	t.Run("many streams, many events", func(t *testing.T) {
		// Every stream gets every event, in order, however the tail's
		// wake-ups fall.
		last, err := s.rdb.XRevRangeN(context.Background(), "seismo:{inc}:events", "+", "-", 1).Result()
		if err != nil {
			t.Fatal(err)
		}
		var sts []*sse
		for range 5 {
			sts = append(sts, openSSE(t, s.URL+"/v1/events?after="+last[0].ID, nil))
		}
		var ids []string
		for i := range 30 {
			ids = append(ids, s.add(t, fmt.Sprintf("svc%d-20240403T1900Z", i), seismo.EventOpened, "down"))
		}
		for _, st := range sts {
			st.want(t, ids...)
		}
	})
	t.Run("bad id", func(t *testing.T) {
		resp, err := http.Get(s.URL + "/v1/events?after=yesterday")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("after=yesterday: status %d, want 400", resp.StatusCode)
		}
	})
}

// A post's text is data inside the event's JSON: line breaks in it cannot
// end the data line or start fields.
func TestEventsFraming(t *testing.T) {
	s := newEventServer(t, nil)
	st := openSSE(t, s.URL+"/v1/events", nil)
	text := "whatsapp down\n\ndata: x\r\nid: 9\revent: incident.resolved\n\n: ping\u2028"
	id := s.add(t, "whatsapp-20240403T1810Z", seismo.EventOpened, text)
	after := s.add(t, "whatsapp-20240403T1810Z", seismo.EventUpdated, "plain")
	f, ok := st.next(t, 5*time.Second)
	if !ok || f.id != id || f.event != seismo.EventOpened {
		t.Fatalf("first event %+v, want %s %s", f, id, seismo.EventOpened)
	}
	var ev seismo.Event
	if err := json.Unmarshal([]byte(f.data), &ev); err != nil {
		t.Fatalf("data is not the event's JSON: %v\n%q", err, f.data)
	}
	if len(ev.Data.Samples) != 1 || ev.Data.Samples[0].Text != text {
		t.Fatalf("sample text %q, want %q", ev.Data.Samples, text)
	}
	// The next event is the next one added: nothing in the text made one.
	st.want(t, after)
}

func TestEventsHeartbeat(t *testing.T) {
	s := newEventServer(t, func(c *api.Config, _ *http.Server) { c.Heartbeat = 50 * time.Millisecond })
	st := openSSE(t, s.URL+"/v1/events", nil)
	pings := 0
	deadline := time.After(5 * time.Second)
	for pings < 3 {
		select {
		case f, ok := <-st.frames:
			if !ok {
				t.Fatal("stream ended")
			}
			if f.comment != "ping" {
				t.Fatalf("frame %+v, want the comment ping", f)
			}
			pings++
		case <-deadline:
			t.Fatalf("%d pings in 5s at a 50ms heartbeat", pings)
		}
	}
}

// A stream outlives the server's read and write timeouts: the write
// deadline, set once for the whole response, would cut it.
func TestEventsOutliveServerTimeouts(t *testing.T) {
	s := newEventServer(t, func(c *api.Config, hs *http.Server) {
		c.Heartbeat = 100 * time.Millisecond
		hs.ReadTimeout, hs.WriteTimeout = 300*time.Millisecond, 300*time.Millisecond
	})
	st := openSSE(t, s.URL+"/v1/events", nil)
	time.Sleep(time.Second)
	id := s.add(t, "whatsapp-20240403T1810Z", seismo.EventOpened, "down")
	st.want(t, id)
}

// Shutdown ends open streams, so http.Server.Shutdown does not wait on
// them; the gauge counts the streams open.
func TestEventsShutdownAndGauge(t *testing.T) {
	s := newEventServer(t, nil)
	gauge := func() string {
		var b strings.Builder
		_, _ = s.reg.WriteTo(&b)
		for line := range strings.SplitSeq(b.String(), "\n") {
			if v, ok := strings.CutPrefix(line, "seismo_sse_clients "); ok {
				return v
			}
		}
		return "absent"
	}
	a := openSSE(t, s.URL+"/v1/events", nil)
	b := openSSE(t, s.URL+"/v1/events?after=0", nil)
	if g := gauge(); g != "2" {
		t.Errorf("seismo_sse_clients = %s with two streams open, want 2", g)
	}
	b.resp.Body.Close()
	for deadline := time.Now().Add(5 * time.Second); gauge() != "1"; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("seismo_sse_clients = %s after one stream closed, want 1", gauge())
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if err := s.Config.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown with a stream open: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Shutdown took %s with a stream open", d)
	}
	if _, ok := a.next(t, 5*time.Second); ok {
		t.Error("the stream got an event after shutdown")
	}
	for deadline := time.Now().Add(5 * time.Second); gauge() != "0"; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("seismo_sse_clients = %s after shutdown, want 0", gauge())
		}
	}
}

func TestEventsReadToken(t *testing.T) {
	s := newEventServer(t, func(c *api.Config, _ *http.Server) { c.ReadToken = "r-5e1d" })
	resp, err := http.Get(s.URL + "/v1/events")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("no token: status %d, want 401", resp.StatusCode)
	}
	st := openSSE(t, s.URL+"/v1/events?after=0", http.Header{"Authorization": {"Bearer r-5e1d"}})
	id := s.add(t, "whatsapp-20240403T1810Z", seismo.EventOpened, "down")
	st.want(t, id)
}
