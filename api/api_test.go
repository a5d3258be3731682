package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/api"
	"github.com/seismo-dev/seismo/notify"
)

// fakeIncidents filters an in-memory list the way the store does.
type fakeIncidents struct {
	list []seismo.Incident
	err  error
	last api.Filter
	// block makes a listing wait for its context's end, as a store does
	// that is slow to answer.
	block bool
}

// Its cursor is the number of matching incidents already listed.
func (f *fakeIncidents) ListIncidents(ctx context.Context, flt api.Filter) (api.IncidentList, error) {
	f.last = flt
	if f.err != nil {
		return api.IncidentList{}, f.err
	}
	if f.block {
		<-ctx.Done()
		return api.IncidentList{}, fmt.Errorf("list incidents: %w", ctx.Err())
	}
	skip := 0
	if flt.Cursor != "" {
		var err error
		if skip, err = strconv.Atoi(flt.Cursor); err != nil {
			return api.IncidentList{}, seismo.Invalid("bad cursor")
		}
	}
	var out api.IncidentList
	n := 0
	for _, in := range f.list {
		if (flt.Status == "" || in.Status == flt.Status) && (flt.Service == "" || in.Service == flt.Service) {
			if n++; n <= skip {
				continue
			}
			if len(out.Incidents) == flt.Limit {
				out.NextCursor = strconv.Itoa(n - 1)
				break
			}
			out.Incidents = append(out.Incidents, in)
		}
	}
	return out, nil
}

func (f *fakeIncidents) Incident(_ context.Context, id string) (seismo.Incident, error) {
	for _, in := range f.list {
		if in.ID == id {
			return in, nil
		}
	}
	return seismo.Incident{}, seismo.NotFound("no incident " + id)
}

func newServer(t *testing.T, store *fakeIncidents) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(api.New(api.Config{
		Incidents: store,
		Services:  []seismo.Service{{ID: "whatsapp"}, {ID: "instagram"}},
	}))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string, into any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	if into != nil {
		if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
			t.Fatalf("decode %s: %v", url, err)
		}
	}
	return resp.StatusCode
}

func TestIncidents(t *testing.T) {
	t0 := time.Date(2024, 4, 3, 19, 0, 0, 0, time.UTC)
	store := &fakeIncidents{list: []seismo.Incident{
		{ID: "whatsapp-20240403T1902Z", Service: "whatsapp", Status: seismo.StatusOpen, StartedAt: t0.Add(2 * time.Minute),
			Countries: []seismo.CountryEntry{{Country: "GB"}, {Country: "BR"}}},
		{ID: "instagram-20240403T1900Z", Service: "instagram", Status: seismo.StatusResolved, StartedAt: t0},
	}}
	srv := newServer(t, store)

	tests := []struct {
		query  string
		status int
		ids    []string
	}{
		{"", 200, []string{"whatsapp-20240403T1902Z", "instagram-20240403T1900Z"}},
		{"?status=open", 200, []string{"whatsapp-20240403T1902Z"}},
		{"?service=instagram", 200, []string{"instagram-20240403T1900Z"}},
		{"?service=instagram&status=open", 200, nil},
		{"?status=broken", 400, nil},
		{"?service=myspace", 400, nil},
		{"?limit=0", 400, nil},
		{"?limit=abc", 400, nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var body struct {
				Incidents []seismo.Incident `json:"incidents"`
				Error     *struct{ Code, Message string }
			}
			if got := get(t, srv.URL+"/v1/incidents"+tt.query, &body); got != tt.status {
				t.Fatalf("status = %d, want %d", got, tt.status)
			}
			if tt.status != 200 {
				if body.Error == nil || body.Error.Code != seismo.CodeInvalid || body.Error.Message == "" {
					t.Fatalf("error body = %+v", body.Error)
				}
				return
			}
			if body.Incidents == nil {
				t.Fatal("incidents is null, want a list")
			}
			var ids []string
			for _, in := range body.Incidents {
				ids = append(ids, in.ID)
			}
			if strings.Join(ids, ",") != strings.Join(tt.ids, ",") {
				t.Fatalf("ids = %v, want %v", ids, tt.ids)
			}
		})
	}
	get(t, srv.URL+"/v1/incidents?limit=7", nil)
	if store.last.Limit != 7 {
		t.Errorf("limit passed = %d, want 7", store.last.Limit)
	}
}

// TestIncidentPagesFollowLinks follows next_cursor and the Link header
// from the first page to the last, and the feeds' next links.
func TestIncidentPagesFollowLinks(t *testing.T) {
	t0 := time.Date(2024, 4, 3, 19, 0, 0, 0, time.UTC)
	store := &fakeIncidents{}
	for i := range 7 {
		store.list = append(store.list, seismo.Incident{ID: "whatsapp-" + strconv.Itoa(i), Service: "whatsapp",
			Status: seismo.StatusResolved, StartedAt: t0.Add(-time.Duration(i) * time.Minute)})
	}
	srv := newServer(t, store)
	next := "/v1/incidents?limit=3&service=whatsapp"
	var ids []string
	for pages := 0; next != "" && pages < 10; pages++ {
		resp, err := http.Get(srv.URL + next)
		if err != nil {
			t.Fatal(err)
		}
		var body api.IncidentList
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d, %v", next, resp.StatusCode, err)
		}
		for _, in := range body.Incidents {
			ids = append(ids, in.ID)
		}
		link := resp.Header.Get("Link")
		if (link == "") != (body.NextCursor == "") {
			t.Fatalf("Link %q with next_cursor %q", link, body.NextCursor)
		}
		next = ""
		if link != "" {
			u, ok := strings.CutPrefix(link, "<")
			u, ok2 := strings.CutSuffix(u, `>; rel="next"`)
			if !ok || !ok2 || !strings.Contains(u, "cursor="+body.NextCursor) || !strings.Contains(u, "service=whatsapp") || !strings.Contains(u, "limit=3") {
				t.Fatalf("Link = %q, want the same query with cursor=%s", link, body.NextCursor)
			}
			next = u
		}
	}
	if got := strings.Join(ids, ","); got != "whatsapp-0,whatsapp-1,whatsapp-2,whatsapp-3,whatsapp-4,whatsapp-5,whatsapp-6" {
		t.Errorf("pages gave %s", got)
	}

	var feed api.JSONFeed
	get2 := func(path string) string {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if err := json.Unmarshal([]byte(get2("/v1/feed.json?limit=5")), &feed); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(feed.NextURL, "/v1/feed.json?cursor=5&limit=5") || len(feed.Items) != 5 {
		t.Errorf("JSON feed: %d items, next_url %q", len(feed.Items), feed.NextURL)
	}
	if atom := get2("/v1/feed.atom?limit=5"); !strings.Contains(atom, `<link rel="next" type="application/atom+xml" href="`+srv.URL+`/v1/feed.atom?cursor=5&amp;limit=5">`) {
		t.Errorf("Atom feed has no next link:\n%s", atom)
	}
	feed = api.JSONFeed{}
	if err := json.Unmarshal([]byte(get2("/v1/feed.json?limit=7")), &feed); err != nil || feed.NextURL != "" {
		t.Errorf("the last page's next_url = %q, %v", feed.NextURL, err)
	}
}

func TestIncidentByID(t *testing.T) {
	store := &fakeIncidents{list: []seismo.Incident{{ID: "whatsapp-20240403T1902Z", Service: "whatsapp",
		Countries: []seismo.CountryEntry{{Country: "GB"}}}}}
	srv := newServer(t, store)
	var in seismo.Incident
	if got := get(t, srv.URL+"/v1/incidents/whatsapp-20240403T1902Z", &in); got != 200 {
		t.Fatalf("status = %d", got)
	}
	if in.Service != "whatsapp" || len(in.Countries) != 1 || in.Countries[0].Country != "GB" {
		t.Fatalf("incident = %+v", in)
	}
	var e struct{ Error struct{ Code string } }
	if got := get(t, srv.URL+"/v1/incidents/nope", &e); got != 404 || e.Error.Code != seismo.CodeNotFound {
		t.Fatalf("missing incident: status %d, code %q", got, e.Error.Code)
	}
}

func TestInternalErrorsAreNotLeaked(t *testing.T) {
	store := &fakeIncidents{err: errors.New("dial tcp 10.0.0.7:6379: connection refused")}
	srv := newServer(t, store)
	var e struct {
		Error struct{ Code, Message string }
	}
	if got := get(t, srv.URL+"/v1/incidents", &e); got != 500 {
		t.Fatalf("status = %d, want 500", got)
	}
	if e.Error.Code != seismo.CodeInternal || strings.Contains(e.Error.Message, "10.0.0.7") {
		t.Fatalf("error body leaks internals: %+v", e.Error)
	}
}

func TestHealthz(t *testing.T) {
	ready := errors.New("redis down")
	srv := httptest.NewServer(api.New(api.Config{Incidents: &fakeIncidents{},
		Ready: func(context.Context) error { return ready }}))
	defer srv.Close()
	if got := get(t, srv.URL+"/readyz", nil); got != http.StatusServiceUnavailable {
		t.Fatalf("unready: /readyz status = %d", got)
	}
	// Alive all the same: a restart would not bring Redis back.
	var body map[string]string
	if got := get(t, srv.URL+"/healthz", &body); got != 200 || body["status"] != "ok" {
		t.Fatalf("unready: /healthz status = %d body %v", got, body)
	}
	ready = nil
	if got := get(t, srv.URL+"/readyz", &body); got != 200 || body["status"] != "ok" {
		t.Fatalf("ready: /readyz status = %d body %v", got, body)
	}
	if got := get(t, srv.URL+"/nowhere", nil); got != 404 {
		t.Fatalf("unknown path: status = %d", got)
	}
	resp, err := http.Post(srv.URL+"/v1/incidents", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") == "" {
		t.Fatalf("POST /v1/incidents: status %d, Allow %q; want 405 with Allow", resp.StatusCode, resp.Header.Get("Allow"))
	}
}

func TestStatus(t *testing.T) {
	fail := errors.New("redis down")
	var err error
	srv := httptest.NewServer(api.New(api.Config{Incidents: &fakeIncidents{},
		Status: func(context.Context) (any, error) {
			return map[string]any{"topic": "seismo.posts", "evaluated": "2024-04-03T18:16:00Z"}, err
		}}))
	defer srv.Close()
	var body map[string]string
	if got := get(t, srv.URL+"/v1/status", &body); got != 200 || body["topic"] != "seismo.posts" || body["evaluated"] == "" {
		t.Fatalf("status = %d body %v", got, body)
	}
	err = fail
	if got := get(t, srv.URL+"/v1/status", nil); got != http.StatusInternalServerError {
		t.Fatalf("failing store: status = %d, want 500", got)
	}
	// Without a Status source the endpoint does not exist.
	bare := httptest.NewServer(api.New(api.Config{Incidents: &fakeIncidents{}}))
	defer bare.Close()
	if got := get(t, bare.URL+"/v1/status", nil); got != 404 {
		t.Fatalf("no status source: status = %d, want 404", got)
	}
}

// A store error is logged once, as the store words it: the handler adds
// the request, not a second name for the operation.
func TestStoreErrorLoggedOnce(t *testing.T) {
	var logs bytes.Buffer
	store := &fakeIncidents{err: errors.New("list incidents: dial tcp 127.0.0.1:6379: connection refused")}
	srv := httptest.NewServer(api.New(api.Config{Incidents: store,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))}))
	defer srv.Close()
	if got := get(t, srv.URL+"/v1/incidents", nil); got != http.StatusInternalServerError {
		t.Fatalf("status = %d, want 500", got)
	}
	if n := strings.Count(logs.String(), "list incidents"); n != 1 {
		t.Errorf("the log names the operation %d times, want once:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "path=/v1/incidents") {
		t.Errorf("the log does not name the request:\n%s", logs.String())
	}
}

// A client that goes away is no failure of the server: nothing is logged
// as an error. A store that runs out of the request's time is one.
func TestAbandonedRequestIsNotAnError(t *testing.T) {
	for _, tt := range []struct {
		name      string
		client    time.Duration // the client's patience
		wantError bool
	}{
		{"client gone", 50 * time.Millisecond, false},
		{"store timed out", 10 * time.Second, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			h := api.New(api.Config{Incidents: &fakeIncidents{block: true}, Timeout: 300 * time.Millisecond,
				Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			served := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				defer close(served)
				h.ServeHTTP(w, r)
			}))
			defer srv.Close()
			client := &http.Client{Timeout: tt.client}
			resp, err := client.Get(srv.URL + "/v1/incidents")
			if err == nil {
				resp.Body.Close()
			}
			<-served
			if got := strings.Contains(logs.String(), "level=ERROR"); got != tt.wantError {
				t.Errorf("error logged: %v, want %v:\n%s", got, tt.wantError, logs.String())
			}
		})
	}
}

// A method a path does not take answers 405 with every method it does
// take, whichever they are; a path nothing serves answers 404.
func TestMethodNotAllowed(t *testing.T) {
	// A typed nil registers the webhook routes; no handler runs.
	srv := httptest.NewServer(api.New(api.Config{Incidents: &fakeIncidents{}, Webhooks: (*notify.Webhooks)(nil)}))
	defer srv.Close()
	for _, tt := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{"POST", "/v1/incidents", 405, "GET, HEAD"},
		{"DELETE", "/v1/webhooks", 405, "GET, HEAD, POST"},
		{"PUT", "/v1/webhooks/wh_1", 405, "GET, HEAD, PATCH, DELETE"},
		{"GET", "/v1/webhooks/wh_1/test", 405, "POST"},
		{"GET", "/v1/silences/sil_1", 405, "DELETE"},
		{"GET", "/v1/nowhere", 404, ""},
	} {
		req, err := http.NewRequest(tt.method, srv.URL+tt.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status || resp.Header.Get("Allow") != tt.allow {
			t.Errorf("%s %s: %d, Allow %q; want %d, Allow %q", tt.method, tt.path, resp.StatusCode, resp.Header.Get("Allow"), tt.status, tt.allow)
		}
	}
}

// Bulky answers are gzipped for clients that take gzip, and only for them.
func TestGzip(t *testing.T) {
	var list []seismo.Incident
	for i := range 50 {
		list = append(list, seismo.Incident{ID: strings.Repeat("x", 10) + string(rune('a'+i%26)), Service: "whatsapp",
			Status: seismo.StatusOpen, Severity: seismo.SeverityDanger})
	}
	srv := httptest.NewServer(api.New(api.Config{Incidents: &fakeIncidents{list: list}}))
	defer srv.Close()
	get := func(enc string) (*http.Response, []byte) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/incidents", nil)
		if enc != "" {
			req.Header.Set("Accept-Encoding", enc)
		}
		// A transport of its own does not decompress what it did not ask for.
		resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(resp.Body); err != nil {
			t.Fatal(err)
		}
		return resp, buf.Bytes()
	}
	plainResp, plain := get("")
	if plainResp.Header.Get("Content-Encoding") != "" || !json.Valid(plain) {
		t.Fatalf("without Accept-Encoding: %q encoded, valid JSON %v", plainResp.Header.Get("Content-Encoding"), json.Valid(plain))
	}
	zResp, z := get("br, gzip;q=0.8")
	if zResp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(zResp.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("with gzip accepted: Content-Encoding %q, Vary %q", zResp.Header.Get("Content-Encoding"), zResp.Header.Get("Vary"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		t.Fatal(err)
	}
	var unzipped bytes.Buffer
	if _, err := unzipped.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(unzipped.Bytes(), plain) || len(z) >= len(plain)/4 {
		t.Errorf("gzipped answer: %d bytes for %d, same content %v", len(z), len(plain), bytes.Equal(unzipped.Bytes(), plain))
	}
	if r, _ := get("gzip;q=0"); r.Header.Get("Content-Encoding") != "" {
		t.Error("gzip;q=0 was answered with gzip")
	}
}
