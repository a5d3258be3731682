package dashboard_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seismo-dev/seismo/dashboard"
)

// The fake API serves fixtures in the shape of the JSON API contract the
// pages are built against (/v1/overview, /v1/series, activity, incidents,
// the event stream), so the pages can be tested without Redis or a
// detector. Its types spell the contract's JSON, not seismo's Go types.

type point struct {
	T        time.Time `json:"t"`
	Observed int       `json:"observed"`
	Expected *float64  `json:"expected"`
	Upper    *float64  `json:"upper"`
}

type cue struct {
	Kind  string `json:"kind"`
	Match string `json:"match"`
	Value string `json:"value,omitempty"`
}

type sample struct {
	ID        string    `json:"id"`
	Text      string    `json:"text"`
	Lang      string    `json:"lang,omitempty"`
	Country   string    `json:"country,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	URL       string    `json:"url,omitempty"`
	Problem   string    `json:"problem,omitempty"`
	Cues      []cue     `json:"cues"`
}

type countryEntry struct {
	Country    string     `json:"country"`
	Status     string     `json:"status"`
	Severity   string     `json:"severity"`
	Observed   int        `json:"observed"`
	Expected   float64    `json:"expected"`
	Ratio      float64    `json:"ratio"`
	Reporters  int        `json:"reporters"`
	StartedAt  time.Time  `json:"started_at"`
	PeakAt     time.Time  `json:"peak_at"`
	ResolvedAt *time.Time `json:"resolved_at"`
}

type share struct {
	Problem    string  `json:"problem,omitempty"`
	Lang       string  `json:"lang,omitempty"`
	Complaints int     `json:"complaints"`
	Share      float64 `json:"share"`
}

type incident struct {
	ID          string         `json:"id"`
	Service     string         `json:"service"`
	ServiceName string         `json:"service_name"`
	Status      string         `json:"status"`
	Severity    string         `json:"severity"`
	StartedAt   time.Time      `json:"started_at"`
	PeakAt      time.Time      `json:"peak_at"`
	ResolvedAt  *time.Time     `json:"resolved_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
	Countries   []countryEntry `json:"countries"`
	Global      *countryEntry  `json:"global"`
	Problems    []share        `json:"problems"`
	Related     []string       `json:"related"`
	Samples     []sample       `json:"samples"`
	SilencedBy  string         `json:"silenced_by,omitempty"`
}

type spark struct {
	Step   string  `json:"step"`
	Points []point `json:"points"`
}

type serviceStatus struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Parent   string    `json:"parent"`
	Status   string    `json:"status"`
	Incident *incident `json:"incident"`
	Spark    spark     `json:"spark"`
}

type countryNow struct {
	Country  string  `json:"country"`
	Service  string  `json:"service"`
	Observed int     `json:"observed"`
	Expected float64 `json:"expected"`
	Ratio    float64 `json:"ratio"`
	Level    string  `json:"level"`
}

type event struct {
	EventID   string    `json:"event_id"`
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      incident  `json:"data"`
}

// hostileText is a sample post that would run script if a page put it
// into the DOM as HTML.
const hostileText = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`

var (
	fakeAt      = time.Date(2024, 4, 3, 22, 59, 0, 0, time.UTC)
	outageStart = time.Date(2024, 4, 3, 22, 0, 0, 0, time.UTC)
)

// fakeAPI is the JSON API over fixtures: WhatsApp has an open danger
// incident in GB and DE since 22:00; Instagram and X are quiet.
type fakeAPI struct {
	mu        sync.Mutex
	services  []serviceStatus
	countries []countryNow
	incidents map[string]*incident
	events    []string // SSE frames, their stream id is index+1
	wake      chan struct{}
	streams   int
	// refuseEvents makes /v1/events answer 503, as an API without a
	// stream would.
	refuseEvents bool
	// token, when set, is the read token every call must carry.
	token       string
	seriesQuery []string
}

func newFakeAPI() *fakeAPI {
	f := &fakeAPI{incidents: map[string]*incident{}, wake: make(chan struct{})}
	wa := f.whatsappIncident()
	f.incidents[wa.ID] = wa
	old := &incident{ID: "whatsapp-20240402T0900Z", Service: "whatsapp", ServiceName: "WhatsApp", Status: "resolved", Severity: "warning",
		StartedAt: time.Date(2024, 4, 2, 9, 0, 0, 0, time.UTC), PeakAt: time.Date(2024, 4, 2, 9, 20, 0, 0, time.UTC),
		ResolvedAt: ptr(time.Date(2024, 4, 2, 10, 5, 0, 0, time.UTC)), UpdatedAt: time.Date(2024, 4, 2, 10, 5, 0, 0, time.UTC),
		Countries: []countryEntry{{Country: "BR", Status: "resolved", Severity: "warning", Observed: 3, Expected: 2, Ratio: 1.5, Reporters: 14,
			StartedAt: time.Date(2024, 4, 2, 9, 0, 0, 0, time.UTC), PeakAt: time.Date(2024, 4, 2, 9, 20, 0, 0, time.UTC),
			ResolvedAt: ptr(time.Date(2024, 4, 2, 10, 5, 0, 0, time.UTC))}},
		Problems: []share{}, Related: []string{}, Samples: []sample{}}
	f.incidents[old.ID] = old
	f.services = []serviceStatus{
		{ID: "whatsapp", Name: "WhatsApp", Parent: "meta", Status: "danger", Incident: wa},
		{ID: "instagram", Name: "Instagram", Parent: "meta", Status: "ok"},
		{ID: "x", Name: "X", Parent: "x", Status: "ok"},
	}
	for i := range f.services {
		f.services[i].Spark = spark{Step: "15m", Points: series(f.services[i].ID, "*", fakeAt.Add(-24*time.Hour), fakeAt, 15*time.Minute)}
	}
	f.countries = []countryNow{
		{Country: "GB", Service: "whatsapp", Observed: 40, Expected: 2.1, Ratio: 19, Level: "danger"},
		{Country: "DE", Service: "whatsapp", Observed: 12, Expected: 2, Ratio: 6, Level: "warning"},
		{Country: "US", Service: "instagram", Observed: 3, Expected: 2.5, Ratio: 1.2, Level: "none"},
		{Country: "BR", Service: "x", Observed: 2, Expected: 2, Ratio: 1, Level: "none"},
	}
	return f
}

func ptr[T any](v T) *T { return &v }

func (f *fakeAPI) whatsappIncident() *incident {
	gb := countryEntry{Country: "GB", Status: "open", Severity: "danger", Observed: 40, Expected: 2.1, Ratio: 19, Reporters: 52,
		StartedAt: outageStart.Add(2 * time.Minute), PeakAt: outageStart.Add(30 * time.Minute)}
	de := countryEntry{Country: "DE", Status: "open", Severity: "warning", Observed: 12, Expected: 2, Ratio: 6, Reporters: 15,
		StartedAt: outageStart.Add(7 * time.Minute), PeakAt: outageStart.Add(31 * time.Minute)}
	global := countryEntry{Country: "*", Status: "open", Severity: "danger", Observed: 60, Expected: 9.5, Ratio: 6.32, Reporters: 75,
		StartedAt: outageStart.Add(2 * time.Minute), PeakAt: outageStart.Add(30 * time.Minute)}
	return &incident{ID: "whatsapp-20240403T2202Z", Service: "whatsapp", ServiceName: "WhatsApp", Status: "open", Severity: "danger",
		StartedAt: outageStart.Add(2 * time.Minute), PeakAt: outageStart.Add(30 * time.Minute), UpdatedAt: fakeAt,
		Countries: []countryEntry{gb, de}, Global: &global,
		Problems: []share{{Problem: "messages", Complaints: 30, Share: 0.6}, {Problem: "connection", Complaints: 12, Share: 0.24}},
		Related:  []string{"instagram-20240403T2205Z"},
		Samples:  samples(), SilencedBy: "sil-maintenance"}
}

func samples() []sample {
	return []sample{
		{ID: "p3", Text: hostileText, Lang: "en", Country: "GB", CreatedAt: fakeAt.Add(-time.Minute), URL: "javascript:alert(1)", Problem: "messages",
			Cues: []cue{{Kind: "service", Match: "whatsapp", Value: "whatsapp"}, {Kind: "outage", Match: "<b>down</b>"}}},
		{ID: "p2", Text: "WhatsApp ist down, keine Nachrichten", Lang: "de", Country: "DE", CreatedAt: fakeAt.Add(-3 * time.Minute),
			URL: "https://example.org/p2", Problem: "messages",
			Cues: []cue{{Kind: "service", Match: "whatsapp", Value: "whatsapp"}, {Kind: "outage", Match: "down"}, {Kind: "problem", Match: "nachrichten", Value: "messages"}}},
		{ID: "p1", Text: "is whatsapp down for anyone else? messages not sending", Lang: "en", Country: "GB", CreatedAt: fakeAt.Add(-5 * time.Minute),
			Cues: []cue{{Kind: "question", Match: "down for anyone"}, {Kind: "symptom", Match: "not sending"}}},
	}
}

// series makes a service's points: a daily rhythm, and for WhatsApp the
// outage from 22:00, far above its upper bound.
func series(service, country string, from, to time.Time, step time.Duration) []point {
	scale := 1.0
	if country != "*" {
		scale = 0.3
	}
	var out []point
	for t := from.Truncate(step); t.Before(to); t = t.Add(step) {
		hour := float64(t.Hour()) + float64(t.Minute())/60
		perMin := scale * (1.2 + math.Sin((hour-6)/24*2*math.Pi))
		exp := perMin * step.Minutes()
		up := exp*2 + 4
		obs := int(math.Round(exp))
		if service == "whatsapp" && !t.Before(outageStart) && (country == "*" || country == "GB" || country == "DE") {
			obs = int(up*3) + 10
		}
		out = append(out, point{T: t, Observed: obs, Expected: ptr(math.Round(exp*100) / 100), Upper: ptr(math.Round(up*100) / 100)})
	}
	return out
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	token := f.token
	f.mu.Unlock()
	if token != "" && r.Header.Get("Authorization") != "Bearer "+token {
		w.Header().Set("WWW-Authenticate", `Bearer realm="seismo"`)
		apiError(w, 401, "unauthorized", "a read token is required")
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/overview", f.overview)
	mux.HandleFunc("GET /v1/series/{service}", f.series)
	mux.HandleFunc("GET /v1/services/{service}/activity", f.activity)
	mux.HandleFunc("GET /v1/incidents", f.listIncidents)
	mux.HandleFunc("GET /v1/incidents/{id}", f.getIncident)
	mux.HandleFunc("GET /v1/events", f.eventStream)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { apiError(w, 404, "not_found", "no such endpoint") })
	mux.ServeHTTP(w, r)
}

func apiError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakeAPI) known(id string) bool {
	for _, s := range f.services {
		if s.ID == id {
			return true
		}
	}
	return false
}

func (f *fakeAPI) overview(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	writeJSON(w, map[string]any{"at": fakeAt, "services": f.services, "countries": f.countries})
}

var steps = map[string]time.Duration{"1m": time.Minute, "5m": 5 * time.Minute, "15m": 15 * time.Minute, "1h": time.Hour}

func (f *fakeAPI) series(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.seriesQuery = append(f.seriesQuery, r.URL.RawQuery)
	known := f.known(r.PathValue("service"))
	f.mu.Unlock()
	if !known {
		apiError(w, 404, "not_found", "unknown service "+r.PathValue("service"))
		return
	}
	q := r.URL.Query()
	country := q.Get("country")
	if country == "" {
		country = "*"
	}
	if country != "*" && (len(country) != 2 || strings.ToUpper(country) != country) {
		apiError(w, 400, "invalid", "country must be * or an ISO code")
		return
	}
	to, from := fakeAt, fakeAt.Add(-24*time.Hour)
	var err error
	if v := q.Get("to"); v != "" {
		if to, err = time.Parse(time.RFC3339, v); err != nil {
			apiError(w, 400, "invalid", "to: "+err.Error())
			return
		}
	}
	if v := q.Get("from"); v != "" {
		if from, err = time.Parse(time.RFC3339, v); err != nil {
			apiError(w, 400, "invalid", "from: "+err.Error())
			return
		}
	} else {
		from = to.Add(-24 * time.Hour)
	}
	stepName := q.Get("step")
	if stepName == "" {
		stepName = "5m"
	}
	step, ok := steps[stepName]
	if !ok || to.Sub(from)/step > 10080 || !from.Before(to) {
		apiError(w, 400, "invalid", "bad step or range")
		return
	}
	writeJSON(w, map[string]any{"service": r.PathValue("service"), "country": country, "step": stepName,
		"from": from, "to": to, "points": series(r.PathValue("service"), country, from, to, step)})
}

func (f *fakeAPI) activity(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	known := f.known(r.PathValue("service"))
	f.mu.Unlock()
	if !known {
		apiError(w, 404, "not_found", "unknown service")
		return
	}
	ss := []sample{}
	if r.PathValue("service") == "whatsapp" {
		ss = samples()
	}
	writeJSON(w, map[string]any{"service": r.PathValue("service"), "country": "*", "from": fakeAt.Add(-time.Hour), "to": fakeAt,
		"complaints": 50,
		"problems":   []share{{Problem: "messages", Complaints: 30, Share: 0.6}, {Problem: "login", Complaints: 5, Share: 0.1}},
		"languages":  []share{{Lang: "en", Complaints: 30, Share: 0.6}, {Lang: "de", Complaints: 20, Share: 0.4}},
		"samples":    ss})
}

func (f *fakeAPI) listIncidents(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	svc := r.URL.Query().Get("service")
	if svc != "" && !f.known(svc) {
		apiError(w, 400, "invalid", "unknown service")
		return
	}
	all := []*incident{}
	for _, in := range f.incidents {
		if svc == "" || in.Service == svc {
			all = append(all, in)
		}
	}
	slices.SortFunc(all, func(a, b *incident) int { return b.StartedAt.Compare(a.StartedAt) })
	// Pages of one incident, the cursor the number listed before: the
	// pages follow the cursor as they must when the store's bounded read
	// answers a short page.
	from, _ := strconv.Atoi(r.URL.Query().Get("cursor"))
	body := map[string]any{"incidents": all[min(from, len(all)):min(from+1, len(all))]}
	if from+1 < len(all) {
		body["next_cursor"] = strconv.Itoa(from + 1)
	}
	writeJSON(w, body)
}

func (f *fakeAPI) getIncident(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	in := f.incidents[r.PathValue("id")]
	if in == nil {
		apiError(w, 404, "not_found", "no incident "+r.PathValue("id"))
		return
	}
	writeJSON(w, in)
}

// eventStream serves the frames after Last-Event-ID (or ?after=), by
// default only those published after the request, as /v1/events does.
func (f *fakeAPI) eventStream(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	if f.refuseEvents {
		f.mu.Unlock()
		apiError(w, 503, "unavailable", "no event stream")
		return
	}
	next := len(f.events)
	after := r.Header.Get("Last-Event-ID")
	if after == "" {
		after = r.URL.Query().Get("after")
	}
	if after != "" {
		n, err := strconv.Atoi(after)
		if err != nil {
			f.mu.Unlock()
			apiError(w, 400, "invalid", "bad id")
			return
		}
		next = min(n, len(f.events))
	}
	f.streams++
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.streams--
		f.mu.Unlock()
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	for {
		f.mu.Lock()
		frames := f.events[next:]
		next = len(f.events)
		wake := f.wake
		f.mu.Unlock()
		for _, fr := range frames {
			if _, err := fmt.Fprint(w, fr); err != nil {
				return
			}
		}
		if len(frames) > 0 {
			if err := rc.Flush(); err != nil {
				return
			}
		}
		select {
		case <-r.Context().Done():
			return
		case <-wake:
		}
	}
}

// publish appends an event to the stream and wakes its readers.
func (f *fakeAPI) publish(typ string, in incident) {
	f.mu.Lock()
	defer f.mu.Unlock()
	data, err := json.Marshal(event{EventID: in.ID + "." + typ, Type: typ, Timestamp: fakeAt, Data: in})
	if err != nil {
		panic(err)
	}
	f.events = append(f.events, fmt.Sprintf("id: %d\nevent: %s\ndata: %s\n\n", len(f.events)+1, typ, data))
	close(f.wake)
	f.wake = make(chan struct{})
}

// openInstagramIncident opens an incident of Instagram in FR and
// announces it on the stream.
func (f *fakeAPI) openInstagramIncident() {
	fr := countryEntry{Country: "FR", Status: "open", Severity: "warning", Observed: 20, Expected: 2, Ratio: 10, Reporters: 20,
		StartedAt: fakeAt.Add(-4 * time.Minute), PeakAt: fakeAt}
	in := &incident{ID: "instagram-20240403T2255Z", Service: "instagram", ServiceName: "Instagram", Status: "open", Severity: "warning",
		StartedAt: fr.StartedAt, PeakAt: fakeAt, UpdatedAt: fakeAt, Countries: []countryEntry{fr},
		Problems: []share{}, Related: []string{}, Samples: []sample{}}
	f.mu.Lock()
	f.incidents[in.ID] = in
	for i := range f.services {
		if f.services[i].ID == "instagram" {
			f.services[i].Status, f.services[i].Incident = "warning", in
		}
	}
	f.countries = append(f.countries, countryNow{Country: "FR", Service: "instagram", Observed: 20, Expected: 2, Ratio: 10, Level: "warning"})
	f.mu.Unlock()
	f.publish("incident.opened", *in)
}

func (f *fakeAPI) openStreams() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.streams
}

func (f *fakeAPI) lastSeriesQuery() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.seriesQuery) == 0 {
		return ""
	}
	return f.seriesQuery[len(f.seriesQuery)-1]
}

// startFake serves the dashboard and the fake API on one origin, as the
// api package will: /v1/ to the API, the rest to the dashboard.
func startFake(tb testing.TB) (*httptest.Server, *fakeAPI) {
	tb.Helper()
	f := newFakeAPI()
	mux := http.NewServeMux()
	mux.Handle("/v1/", f)
	mux.Handle("/", dashboard.New(dashboard.Config{}))
	srv := httptest.NewServer(mux)
	// Open event streams end with the test's server: close them first, or
	// Close waits for them.
	tb.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	return srv, f
}

// startUnreachable serves the dashboard with an API whose every call
// drops the connection, as a proxy in front of a dead API would.
func startUnreachable(tb testing.TB) *httptest.Server {
	tb.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/", func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) })
	mux.Handle("/", dashboard.New(dashboard.Config{}))
	srv := httptest.NewServer(mux)
	srv.Config.ErrorLog = nil
	tb.Cleanup(srv.Close)
	return srv
}
