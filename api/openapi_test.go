package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	valerrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/redis/go-redis/v9"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/api"
	"github.com/seismo-dev/seismo/dashboard"
	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/internal/egress"
	"github.com/seismo-dev/seismo/internal/redistest"
	"github.com/seismo-dev/seismo/metrics"
	"github.com/seismo-dev/seismo/notify"
)

// contract is the OpenAPI document as the server serves it, parsed by
// libopenapi, with a libopenapi-validator over it.
type contract struct {
	raw   []byte
	doc   libopenapi.Document
	model *v3.Document
	v     validator.Validator
	// lax validates without strict mode, for the one response whose
	// schema is open on purpose: the document itself.
	lax validator.Validator
}

// serveDocument fetches GET /openapi.json from a bare server.
func serveDocument(t *testing.T) []byte {
	t.Helper()
	srv := httptest.NewServer(api.New(api.Config{Incidents: &fakeIncidents{}}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /openapi.json: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return b
}

func loadContract(t *testing.T) *contract {
	t.Helper()
	raw := serveDocument(t)
	doc, err := libopenapi.NewDocument(raw)
	if err != nil {
		t.Fatalf("libopenapi cannot read the document: %v", err)
	}
	if info := doc.GetSpecInfo(); info.Version != "3.1.0" || info.VersionNumeric != 3.1 {
		t.Fatalf("document is OpenAPI %q (%v), want 3.1.0", info.Version, info.VersionNumeric)
	}
	m, err := doc.BuildV3Model()
	if err != nil {
		t.Fatalf("libopenapi cannot build the 3.1 model: %v", err)
	}
	// Strict mode reports properties, query parameters and headers the
	// document does not declare, though the schemas allow more (a client
	// must tolerate new fields): every field the server sends is
	// documented. Format assertions check date-times and URIs.
	v := validator.NewValidatorFromV3Model(&m.Model, config.WithStrictMode(), config.WithFormatAssertions())
	lax := validator.NewValidatorFromV3Model(&m.Model, config.WithFormatAssertions())
	return &contract{raw: raw, doc: doc, model: &m.Model, v: v, lax: lax}
}

func describe(errs []*valerrors.ValidationError) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "\n  %s: %s", e.Message, e.Reason)
		for _, f := range e.SchemaValidationErrors {
			fmt.Fprintf(&b, "\n    %s %s: %s", f.FieldPath, f.KeywordLocation, f.Reason)
		}
	}
	return b.String()
}

// The document is OpenAPI 3.1 that libopenapi reads without error and
// that libopenapi-validator finds valid against the 3.1 schema.
func TestOpenAPIDocument(t *testing.T) {
	c := loadContract(t)
	// ValidateDocument needs the document, not only its model.
	dv, errs := validator.NewValidator(c.doc)
	if len(errs) > 0 {
		t.Fatalf("validator: %v", errs)
	}
	if ok, verrs := dv.ValidateDocument(); !ok {
		t.Fatalf("not valid OpenAPI 3.1:%s", describe(verrs))
	}
	if errs := c.model.Index.GetReferenceIndexErrors(); len(errs) > 0 {
		t.Errorf("references that do not resolve: %v", errs)
	}
	// The webhooks sent are the event types the code sends.
	var got []string
	for name := range c.model.Webhooks.KeysFromOldest() {
		got = append(got, name)
	}
	want := []string{seismo.EventOpened, seismo.EventUpdated, seismo.EventResolved, notify.EventTest}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("webhooks documented %v, want %v", got, want)
	}
}

// operations lists the document's operations as "METHOD /path".
func (c *contract) operations() []string {
	var out []string
	for path, item := range c.model.Paths.PathItems.FromOldest() {
		for method := range item.GetOperations().KeysFromOldest() {
			out = append(out, strings.ToUpper(method)+" "+path)
		}
	}
	slices.Sort(out)
	return out
}

// Every route the server registers is documented, and every documented
// operation is a route: the contract cannot drift from the mux. The index
// lists every read endpoint.
func TestOpenAPIRoutes(t *testing.T) {
	c := loadContract(t)
	// Typed nils make the optional routes register; only the patterns are
	// looked at.
	s := api.New(api.Config{Incidents: &fakeIncidents{}, Webhooks: (*notify.Webhooks)(nil), Events: (*detect.Store)(nil),
		Charts: (*detect.Store)(nil), Pages: http.NotFoundHandler(),
		Status: func(context.Context) (any, error) { return nil, nil }, Metrics: http.NotFoundHandler()})
	var routes []string
	for _, p := range api.Routes(s) {
		if p == "/" {
			continue // the catch-all that answers 404 and 405
		}
		if p == "GET /assets/" {
			p = "GET /assets/{path}" // a subtree, which the document can only name by a parameter
		}
		routes = append(routes, strings.Replace(p, "{$}", "", 1))
	}
	slices.Sort(routes)
	if docs := c.operations(); !slices.Equal(routes, docs) {
		for _, r := range routes {
			if !slices.Contains(docs, r) {
				t.Errorf("route %q is not in the document", r)
			}
		}
		for _, d := range docs {
			if !slices.Contains(routes, d) {
				t.Errorf("the document has %q, which no route serves", d)
			}
		}
	}

	srv := httptest.NewServer(s)
	defer srv.Close()
	var index struct{ Endpoints []string }
	if code := get(t, srv.URL+"/", &index); code != http.StatusOK {
		t.Fatalf("GET /: %d", code)
	}
	for path, item := range c.model.Paths.PathItems.FromOldest() {
		op := item.Get
		if op == nil || path == "/" || strings.HasPrefix(path, "/v1/webhooks") || strings.HasPrefix(path, "/v1/silences") {
			continue
		}
		if !slices.ContainsFunc(index.Endpoints, func(e string) bool {
			return strings.HasPrefix(e, "GET "+path+" ") || strings.HasPrefix(e, "GET "+path+"?") || e == "GET "+path
		}) {
			t.Errorf("GET / does not list GET %s", path)
		}
	}
}

// exchange is one request to the live server and the status it must get.
type exchange struct {
	method, path, token string
	header              http.Header
	body                string
	status              int
	// breaks: the request breaks the contract on purpose, so the
	// contract's request validation must reject it too; the response is
	// validated all the same.
	breaks bool
	// lax: validate the response without strict mode.
	lax bool
}

// liveAPI is the api over real dependencies: a redis-server with
// incidents, events and stream progress written by detect, and webhooks
// and silences kept by notify, delivering to a local receiver.
type liveAPI struct {
	t       *testing.T
	c       *contract
	srv     *httptest.Server
	rdb     *redis.Client
	store   *detect.Store
	wh      *notify.Webhooks
	events  []seismo.Event
	secrets []string        // of the webhooks created
	checked map[string]bool // "METHOD /path status" validated
}

const (
	liveAdmin = "admin-5c0f2a9e71"
	liveRead  = "read-3d8b6e1f04"
)

var liveServices = []seismo.Service{
	{ID: "whatsapp", Name: "WhatsApp", Parent: "meta"},
	{ID: "instagram", Name: "Instagram", Parent: "meta"},
}

// feed adapts the store to what the api reads and marks the incidents a
// silence holds, as the process does (app.incidentFeed).
type feed struct {
	s  *detect.Store
	wh *notify.Webhooks
}

func (f feed) ListIncidents(ctx context.Context, fl api.Filter) (api.IncidentList, error) {
	page, err := f.s.IncidentPage(ctx, detect.Filter{Status: fl.Status, Service: fl.Service, Limit: fl.Limit, Cursor: fl.Cursor})
	list := api.IncidentList{Incidents: page.Incidents, NextCursor: page.Next}
	if err != nil || len(list.Incidents) == 0 {
		return list, err
	}
	sls, err := f.wh.Silences(ctx)
	if err != nil {
		return api.IncidentList{}, err
	}
	for i := range list.Incidents {
		list.Incidents[i].SilencedBy = notify.SilencedBy(sls, &list.Incidents[i], time.Now())
	}
	return list, nil
}

func (f feed) Incident(ctx context.Context, id string) (seismo.Incident, error) {
	inc, err := f.s.Incident(ctx, id)
	if err != nil {
		return inc, err
	}
	inc.SilencedBy, err = f.wh.SilencedBy(ctx, &inc)
	return inc, err
}

var t0 = time.Date(2024, 4, 3, 12, 0, 0, 0, time.UTC)

func minute(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }

// traffic is complaints by minute.
type traffic map[int][]seismo.Report

// add puts n complaints a minute about svc in cc for minutes [from, to),
// each by a new reporter.
func (tr traffic) add(tag, svc, cc string, from, to, n int, problems ...seismo.Problem) {
	for m := from; m < to; m++ {
		for j := range n {
			var p seismo.Problem
			if len(problems) > 0 {
				p = problems[j%len(problems)]
			}
			id := fmt.Sprintf("%s-%s-%s-%d-%d", tag, svc, cc, m, j)
			tr[m] = append(tr[m], seismo.Report{
				Post: seismo.Post{ID: id, Text: "is " + svc + " down? " + string(p), CreatedAt: minute(m).Add(time.Duration(j%60) * time.Second),
					Source: "test", Author: "a-" + id, Country: cc, Lang: "en", URL: "https://posts.example/" + id},
				Signal: seismo.Signal{PostID: id, Services: []string{svc}, Complaint: true, Problem: p, Lang: "en",
					Cues: []seismo.Cue{{Kind: "service", Match: svc, Value: svc}, {Kind: "question", Match: "is down?"}}},
			})
		}
	}
}

// detectIncidents runs the real detector over two outages: WhatsApp in
// the US and GB, opened and resolved, and Instagram in the US, still
// open, which overlap (related incidents).
func (l *liveAPI) detectIncidents() {
	t := l.t
	ctx := context.Background()
	d, err := detect.NewDetector(l.store, detect.DefaultConfig(), liveServices, nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := traffic{}
	tr.add("quiet", "whatsapp", "US", 0, 115, 1)
	tr.add("quiet", "whatsapp", "GB", 0, 115, 1)
	tr.add("quiet", "instagram", "US", 0, 115, 1)
	tr.add("burst", "whatsapp", "US", 60, 80, 40, seismo.ProblemMessages, seismo.ProblemMessages, seismo.ProblemConnection)
	tr.add("burst", "whatsapp", "GB", 65, 85, 30, seismo.ProblemMessages, seismo.ProblemLogin)
	tr.add("burst", "instagram", "US", 75, 115, 30, seismo.ProblemFeed)
	for m := range 115 {
		if err := l.store.Record(ctx, tr[m]); err != nil {
			t.Fatal(err)
		}
		evs, err := d.Advance(ctx, minute(m+1).Add(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		l.events = append(l.events, evs...)
	}
	var types []string
	for _, ev := range l.events {
		types = append(types, ev.Type)
	}
	for _, want := range []string{seismo.EventOpened, seismo.EventUpdated, seismo.EventResolved} {
		if !slices.Contains(types, want) {
			t.Fatalf("the detector made no %s event: %v", want, types)
		}
	}
}

// reportProgress reports two partitions of the posts topic as ingest
// does, one behind its end, which holds the watermark.
func (l *liveAPI) reportProgress() {
	owner := seismo.PartitionOwner{Topic: "seismo.posts", Worker: "w1", Generation: 3, Partitions: 2,
		StaleAfter: time.Hour, FreshFor: time.Hour}
	wm := minute(115)
	refused, err := l.store.ReportProgress(context.Background(), owner, []seismo.PartitionProgress{
		{Partition: 0, Next: 900, End: 1000, Newest: wm.Add(30 * time.Second), Watermark: wm},
		{Partition: 1, Next: 800, End: 800, Newest: wm, Watermark: wm.Add(-30 * time.Second)},
	})
	if err != nil || len(refused) > 0 {
		l.t.Fatalf("ReportProgress: refused %v, %v", refused, err)
	}
}

func newLiveAPI(t *testing.T, c *contract) *liveAPI {
	rdb := redistest.Start(t).Client(t)
	store, err := detect.NewStore(rdb, detect.StoreConfig{ReporterKey: []byte("test key"), Groups: detect.GroupsOf(liveServices)})
	if err != nil {
		t.Fatal(err)
	}
	guard := egress.NewGuard([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")})
	reg := metrics.New()
	wh, err := notify.NewWebhooks(notify.NewStore(rdb, notify.StoreConfig{}), notify.WebhooksConfig{
		Source: store, Cursor: store.RelayCursor("webhooks"), Checker: guard,
		Client:   guard.Client(egress.ClientOptions{Timeout: 2 * time.Second}),
		Services: []string{"whatsapp", "instagram"}, Timeout: 2 * time.Second,
		Schedule: []time.Duration{50 * time.Millisecond, 100 * time.Millisecond},
		Metrics:  reg, DashboardURL: "https://status.example.com",
	})
	if err != nil {
		t.Fatal(err)
	}
	h := api.New(api.Config{
		Incidents: feed{store, wh}, Services: liveServices, Webhooks: wh, Events: store, Charts: store,
		Pages:      dashboard.New(dashboard.Config{}),
		Ready:      func(ctx context.Context) error { return rdb.Ping(ctx).Err() },
		Status:     func(ctx context.Context) (any, error) { return store.Progress(ctx) },
		AdminToken: liveAdmin, ReadToken: liveRead, Heartbeat: time.Hour,
		Registry: reg, Metrics: reg.Handler(),
	})
	srv := httptest.NewServer(h)
	srv.Config.RegisterOnShutdown(h.Shutdown)
	t.Cleanup(srv.Close)
	return &liveAPI{t: t, c: c, srv: srv, rdb: rdb, store: store, wh: wh, checked: map[string]bool{}}
}

// do sends x to srv and validates the request and the response against
// the contract; it returns the response body.
func (l *liveAPI) do(srv *httptest.Server, x exchange) []byte {
	t := l.t
	t.Helper()
	req, err := http.NewRequest(x.method, srv.URL+x.path, strings.NewReader(x.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range x.header {
		req.Header[k] = v
	}
	if x.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if x.token != "" {
		req.Header.Set("Authorization", "Bearer "+x.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	name := x.method + " " + x.path
	if resp.StatusCode != x.status {
		t.Fatalf("%s: status %d, want %d: %s", name, resp.StatusCode, x.status, body)
	}
	l.validate(name, x, resp, body)
	return body
}

// validate checks one exchange: the request against the contract
// (rejected, if it breaks it on purpose), the response always.
func (l *liveAPI) validate(name string, x exchange, resp *http.Response, body []byte) {
	t := l.t
	t.Helper()
	vreq := httptest.NewRequest(x.method, x.path, strings.NewReader(x.body))
	for k, v := range x.header {
		vreq.Header[k] = v
	}
	if x.body != "" {
		vreq.Header.Set("Content-Type", "application/json")
	}
	if x.token != "" {
		vreq.Header.Set("Authorization", "Bearer "+x.token)
	}
	ok, errs := l.c.v.ValidateHttpRequestSync(vreq)
	switch {
	case x.breaks && ok:
		t.Errorf("%s: the server refuses it with %d, but the contract allows the request", name, resp.StatusCode)
	case !x.breaks && !ok:
		t.Errorf("%s: the request does not follow the contract:%s", name, describe(errs))
	}
	vreq = httptest.NewRequest(x.method, x.path, strings.NewReader(x.body))
	vresp := *resp
	vresp.Body = io.NopCloser(bytes.NewReader(body))
	v := l.c.v
	if x.lax {
		v = l.c.lax
	}
	if ok, errs := v.ValidateHttpResponse(vreq, &vresp); !ok {
		t.Errorf("%s: the %d response does not follow the contract:%s\n%s", name, resp.StatusCode, describe(errs), body)
	}
	path, _, _ := strings.Cut(x.path, "?")
	l.checked[fmt.Sprintf("%s %s %d", x.method, path, resp.StatusCode)] = true
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

// receiver is a webhook endpoint that keeps every request.
type receiver struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []*http.Request
	raw [][]byte
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, r.Clone(context.Background()))
		rc.raw = append(rc.raw, body)
		rc.mu.Unlock()
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.got)
}

// Live answers of the real handlers over real stores follow the
// contract: every JSON endpoint, its errors (400, 401, 403, 404, 413,
// 500, 503), the event stream's events, and the webhooks seismo sends.
func TestOpenAPILive(t *testing.T) {
	redistest.Require(t, "redis-server")
	c := loadContract(t)
	l := newLiveAPI(t, c)
	l.detectIncidents()
	srv := l.srv
	adm, rd := liveAdmin, liveRead
	get := func(path, token string, status int) []byte {
		return l.do(srv, exchange{method: http.MethodGet, path: path, token: token, status: status})
	}

	// Reads.
	get("/", rd, 200)
	// The dashboard's pages and assets hold no data: they need no token.
	html := http.Header{"Accept": {"text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}}
	if b := l.do(srv, exchange{method: "GET", path: "/", header: html, status: 200}); !bytes.Contains(b, []byte("<html")) {
		t.Errorf("GET / for a browser is not the dashboard: %.200s", b)
	}
	l.do(srv, exchange{method: "GET", path: "/services/whatsapp", status: 200})
	l.do(srv, exchange{method: "GET", path: "/incidents/whatsapp-20240403T1300Z", status: 200})
	// One path segment for the document's {path}; the server decodes it.
	l.do(srv, exchange{method: "GET", path: "/assets/css%2Fapp.css", status: 200})
	// Strict mode would want every key of the document declared; the
	// document is held to the OpenAPI schema by TestOpenAPIDocument.
	if b := l.do(srv, exchange{method: "GET", path: "/openapi.json", token: rd, status: 200, lax: true}); !bytes.Equal(b, c.raw) {
		t.Error("GET /openapi.json with a token serves another document")
	}
	get("/healthz", "", 200)
	get("/readyz", "", 200)
	get("/metrics", "", 200)
	list := decode[api.IncidentList](t, get("/v1/incidents", rd, 200)).Incidents
	var wa, ig seismo.Incident
	for _, in := range list {
		switch in.Service {
		case "whatsapp":
			wa = in
		case "instagram":
			ig = in
		}
	}
	if wa.Status != seismo.StatusResolved || ig.Status != seismo.StatusOpen || len(wa.Related) == 0 || wa.Global == nil {
		t.Fatalf("the detector's incidents are not the ones this test covers (a resolved WhatsApp incident with a "+
			"global entry, related to an open Instagram one): %+v", list)
	}
	get("/v1/incidents?status=open", adm, 200)
	get("/v1/incidents?status=resolved&service=whatsapp&limit=1", rd, 200)
	get("/v1/incidents/"+wa.ID, rd, 200)
	get("/v1/incidents/"+ig.ID, rd, 200)
	if st := decode[detect.Progress](t, get("/v1/status", rd, 200)); st.Waiting == "" {
		t.Errorf("/v1/status before any progress was reported: %+v", st)
	}
	l.reportProgress()
	st := decode[detect.Progress](t, get("/v1/status", rd, 200))
	if len(st.Partitions) != 2 || st.Watermark == nil || st.HeldBy == nil || st.Evaluated == nil {
		t.Errorf("/v1/status does not show the progress reported: %+v", st)
	}
	l.dashboard()
	get("/v1/feed.json", rd, 200)
	get("/v1/feed.json?service=instagram&status=open&limit=5", rd, 200)
	get("/v1/feed.atom", rd, 200)
	get("/v1/feed.atom?service=whatsapp", rd, 200)
	l.eventStream()

	// Read errors.
	l.do(srv, exchange{method: "GET", path: "/v1/incidents?status=bogus", token: rd, status: 400, breaks: true})
	l.do(srv, exchange{method: "GET", path: "/v1/incidents?limit=0", token: rd, status: 400, breaks: true})
	get("/v1/incidents?service=nosuch", rd, 400) // the catalog is not in the contract
	l.do(srv, exchange{method: "GET", path: "/v1/incidents/" + strings.Repeat("x", 129), token: rd, status: 400, breaks: true})
	get("/v1/incidents/nosuch-20240403T1200Z", rd, 404)
	get("/v1/incidents", "", 401) // the read token is optional in the contract
	get("/v1/incidents", "wrong", 401)
	get("/v1/status", "", 401)
	l.do(srv, exchange{method: "GET", path: "/v1/feed.json?status=bogus", token: rd, status: 400, breaks: true})
	l.do(srv, exchange{method: "GET", path: "/v1/feed.atom?limit=5000", token: rd, status: 400, breaks: true})
	l.do(srv, exchange{method: "GET", path: "/v1/events", token: rd, status: 400, breaks: true,
		header: http.Header{"Last-Event-Id": {"not-an-id"}}})

	// Webhooks.
	rc := newReceiver(t)
	create := func(body string) notify.Subscription {
		b := l.do(srv, exchange{method: "POST", path: "/v1/webhooks", token: adm, body: body, status: 201})
		created := decode[struct {
			notify.Subscription
			Secret string
		}](t, b)
		l.secrets = append(l.secrets, created.Secret)
		return created.Subscription
	}
	std := create(fmt.Sprintf(`{"url": %q, "description": "all events"}`, rc.srv.URL+"/std"))
	slack := create(fmt.Sprintf(`{"url": %q, "format": "slack", "services": ["whatsapp"], "countries": ["US", "*"],
		"events": ["incident.opened", "incident.resolved"], "min_severity": "warning"}`, rc.srv.URL+"/slack"))
	l.do(srv, exchange{method: "POST", path: "/v1/webhooks", body: `{"url": "http://127.0.0.1/x"}`, status: 401, breaks: true})
	l.do(srv, exchange{method: "POST", path: "/v1/webhooks", token: rd, body: `{"url": "http://127.0.0.1/x"}`, status: 401})
	l.do(srv, exchange{method: "POST", path: "/v1/webhooks", token: adm, body: `{"urll": "http://127.0.0.1/x"}`, status: 400, breaks: true})
	l.do(srv, exchange{method: "POST", path: "/v1/webhooks", token: adm, body: `{"url": "http://127.0.0.1/x"`, status: 400, breaks: true})
	l.do(srv, exchange{method: "POST", path: "/v1/webhooks", token: adm, body: `{"url": "http://127.0.0.1/x", "services": ["nosuch"]}`, status: 400})
	// OpenAPI cannot bound a body's size: the request follows the contract.
	l.do(srv, exchange{method: "POST", path: "/v1/webhooks", token: adm, status: 413,
		body: `{"url": "http://127.0.0.1/x", "description": "` + strings.Repeat("x", 1<<20) + `"}`})
	get("/v1/webhooks", adm, 200)
	get("/v1/webhooks", rd, 401)
	get("/v1/webhooks/"+std.ID, adm, 200)
	get("/v1/webhooks/wh_nosuch", adm, 404)
	l.do(srv, exchange{method: "PATCH", path: "/v1/webhooks/" + slack.ID, token: adm, body: `{"description": "Slack", "disabled": false}`, status: 200})
	l.do(srv, exchange{method: "PATCH", path: "/v1/webhooks/wh_nosuch", token: adm, body: `{"disabled": true}`, status: 404})
	l.do(srv, exchange{method: "PATCH", path: "/v1/webhooks/" + slack.ID, token: adm, body: `{"format": "xml"}`, status: 400, breaks: true})

	// Deliveries: the incident events fan out to both subscriptions as
	// their filters say, and a test event to each.
	want := 2
	for _, ev := range l.events {
		want++
		if (ev.Type == seismo.EventOpened || ev.Type == seismo.EventResolved) && ev.Data.Service == "whatsapp" {
			want++
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.wh.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("webhooks: %v", err)
		}
	}()
	l.do(srv, exchange{method: "POST", path: "/v1/webhooks/" + std.ID + "/test", token: adm, status: 202})
	l.do(srv, exchange{method: "POST", path: "/v1/webhooks/" + slack.ID + "/test", token: adm, status: 202})
	l.do(srv, exchange{method: "POST", path: "/v1/webhooks/wh_nosuch/test", token: adm, status: 404})
	for deadline := time.Now().Add(30 * time.Second); rc.count() < want; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d webhook requests, want %d", rc.count(), want)
		}
	}
	ds := decode[struct{ Deliveries []notify.Delivery }](t, get("/v1/webhooks/"+std.ID+"/deliveries", adm, 200)).Deliveries
	if len(ds) != len(l.events)+1 {
		t.Fatalf("%d deliveries to the standard webhook, want %d", len(ds), len(l.events)+1)
	}
	get("/v1/webhooks/"+slack.ID+"/deliveries?limit=2", adm, 200)
	l.do(srv, exchange{method: "GET", path: "/v1/webhooks/" + std.ID + "/deliveries?limit=0", token: adm, status: 400, breaks: true})
	get("/v1/webhooks/wh_nosuch/deliveries", adm, 404)
	l.do(srv, exchange{method: "POST", path: "/v1/webhooks/" + std.ID + "/deliveries/" + ds[0].ID + "/retry", token: adm, status: 202})
	l.do(srv, exchange{method: "POST", path: "/v1/webhooks/" + slack.ID + "/deliveries/" + ds[0].ID + "/retry", token: adm, status: 404})
	b := l.do(srv, exchange{method: "POST", path: "/v1/webhooks/" + std.ID + "/rotate-secret", token: adm, status: 200})
	_ = decode[map[string]string](t, b)
	l.do(srv, exchange{method: "POST", path: "/v1/webhooks/wh_nosuch/rotate-secret", token: adm, status: 404})
	l.webhookRequests(rc)

	// Silences. The overview, held for a second for every dashboard,
	// shows a silence at once.
	silencedInOverview := func() string {
		t.Helper()
		for _, sv := range decode[api.OverviewBody](t, get("/v1/overview", rd, 200)).Services {
			if sv.ID == "instagram" && sv.Incident != nil {
				return sv.Incident.SilencedBy
			}
		}
		t.Fatal("the overview shows no Instagram incident")
		return ""
	}
	if got := silencedInOverview(); got != "" {
		t.Fatalf("overview: silenced_by %q before any silence", got)
	}
	ends := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	sl := decode[notify.Silence](t, l.do(srv, exchange{method: "POST", path: "/v1/silences", token: adm, status: 201,
		body: fmt.Sprintf(`{"service": "instagram", "ends_at": %q, "comment": "known: vendor incident"}`, ends)}))
	if got := silencedInOverview(); got != sl.ID {
		t.Errorf("overview right after the silence: silenced_by %q, want %q", got, sl.ID)
	}
	l.do(srv, exchange{method: "POST", path: "/v1/silences", token: adm, status: 201,
		body: fmt.Sprintf(`{"service": "whatsapp", "countries": ["GB"], "starts_at": %q, "ends_at": %q}`,
			time.Now().Add(time.Minute).UTC().Format(time.RFC3339), ends)})
	l.do(srv, exchange{method: "POST", path: "/v1/silences", token: adm, status: 400, breaks: true, body: `{"service": "instagram"}`})
	l.do(srv, exchange{method: "POST", path: "/v1/silences", token: adm, status: 400,
		body: `{"service": "instagram", "ends_at": "2020-01-01T00:00:00Z"}`})
	get("/v1/silences", adm, 200)
	if in := decode[seismo.Incident](t, get("/v1/incidents/"+ig.ID, rd, 200)); in.SilencedBy != sl.ID {
		t.Errorf("silenced_by = %q, want %q", in.SilencedBy, sl.ID)
	}
	get("/v1/incidents?service=instagram", rd, 200)
	l.do(srv, exchange{method: "DELETE", path: "/v1/silences/" + sl.ID, token: adm, status: 204})
	if got := silencedInOverview(); got != "" {
		t.Errorf("overview right after the silence ended: silenced_by %q", got)
	}
	l.do(srv, exchange{method: "DELETE", path: "/v1/silences/" + sl.ID, token: adm, status: 404})
	l.do(srv, exchange{method: "DELETE", path: "/v1/webhooks/" + slack.ID, token: adm, status: 204})
	l.do(srv, exchange{method: "DELETE", path: "/v1/webhooks/" + slack.ID, token: adm, status: 404})

	// A process without an admin token, whose readiness and status fail.
	off := httptest.NewServer(api.New(api.Config{
		Incidents: feed{l.store, l.wh}, Services: liveServices, Webhooks: l.wh, Events: l.store,
		Ready:  func(context.Context) error { return fmt.Errorf("redis: %w", context.DeadlineExceeded) },
		Status: func(context.Context) (any, error) { return nil, fmt.Errorf("read progress: %w", redis.ErrClosed) },
	}))
	defer off.Close()
	l.do(off, exchange{method: "GET", path: "/v1/webhooks", token: "anything", status: 403})
	l.do(off, exchange{method: "POST", path: "/v1/silences", token: "anything", status: 403,
		body: fmt.Sprintf(`{"service": "instagram", "ends_at": %q}`, ends)})
	l.do(off, exchange{method: "GET", path: "/readyz", status: 503})
	l.do(off, exchange{method: "GET", path: "/v1/status", status: 500})

	l.coverage()
}

// coverage checks that every documented operation was called at least
// once with a success, and lists which documented responses were seen.
func (l *liveAPI) coverage() {
	t := l.t
	for _, op := range l.c.operations() {
		method, path, _ := strings.Cut(op, " ")
		pattern := pathPattern(path)
		seen := false
		for k := range l.checked {
			m, rest, _ := strings.Cut(k, " ")
			p, code, _ := strings.Cut(rest, " ")
			if m == method && pattern(p) && code[0] == '2' {
				seen = true
			}
		}
		if !seen {
			t.Errorf("%s: no successful call was validated", op)
		}
	}
}

// pathPattern returns a matcher of concrete paths for an OpenAPI path
// template.
func pathPattern(tmpl string) func(string) bool {
	want := strings.Split(tmpl, "/")
	return func(p string) bool {
		got := strings.Split(p, "/")
		if len(got) != len(want) {
			return false
		}
		for i := range want {
			if !strings.HasPrefix(want[i], "{") && want[i] != got[i] {
				return false
			}
		}
		return true
	}
}

// eventStream reads every event from GET /v1/events and checks the
// response and each event's data against the contract's Event schema.
func (l *liveAPI) eventStream() {
	t := l.t
	x := exchange{method: "GET", path: "/v1/events?after=0", token: liveRead, status: 200}
	req, err := http.NewRequest(x.method, l.srv.URL+x.path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+liveRead)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /v1/events: %d", resp.StatusCode)
	}
	// The stream does not end: read the events there are, then stop.
	var read bytes.Buffer
	sc := bufio.NewScanner(io.TeeReader(resp.Body, &read))
	sc.Buffer(nil, 1<<20)
	eventSchema := l.c.model.Components.Schemas.GetOrZero("Event").Schema()
	sv := schema_validation.NewSchemaValidator(config.WithFormatAssertions())
	var typ string
	n := 0
	for n < len(l.events) && sc.Scan() {
		field, value, _ := strings.Cut(sc.Text(), ": ")
		switch field {
		case "event":
			typ = value
		case "data":
			if ok, errs := sv.ValidateSchemaString(eventSchema, value); !ok {
				t.Errorf("event %d of /v1/events is not an Event:%s\n%s", n, describe(errs), value)
			}
			if ev := decode[seismo.Event](t, []byte(value)); ev.Type != typ || ev.ID != l.events[n].ID {
				t.Errorf("event %d: event: %q, data %s %q; want %s %q", n, typ, ev.ID, ev.Type, l.events[n].ID, l.events[n].Type)
			}
			n++
		}
	}
	if n < len(l.events) {
		t.Fatalf("/v1/events sent %d events, want %d: %v", n, len(l.events), sc.Err())
	}
	l.validate("GET /v1/events", x, resp, read.Bytes())
}

// webhookRequests checks every request the receiver got against the
// contract's webhooks: its headers and body by the operation of its event
// type (libopenapi-validator validates paths, so each is given the
// webhook's path item), and its signature with the Standard Webhooks
// library.
func (l *liveAPI) webhookRequests(rc *receiver) {
	t := l.t
	types := map[string]string{}
	for _, ev := range l.events {
		types[ev.ID] = ev.Type
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	seen := map[string]bool{}
	for i, r := range rc.got {
		id := r.Header.Get("webhook-id")
		typ, ok := types[id]
		if strings.HasPrefix(id, "test_") {
			typ, ok = notify.EventTest, true
		}
		if !ok {
			t.Errorf("webhook request with webhook-id %q, which is no event's", id)
			continue
		}
		seen[typ+" "+r.URL.Path] = true
		item := l.c.model.Webhooks.GetOrZero(typ)
		if item == nil {
			t.Errorf("no webhook %s in the document", typ)
			continue
		}
		vreq := httptest.NewRequest(r.Method, r.URL.Path, bytes.NewReader(rc.raw[i]))
		vreq.Header = r.Header.Clone()
		if ok, errs := l.c.v.ValidateHttpRequestSyncWithPathItem(vreq, item, typ); !ok {
			t.Errorf("webhook %s to %s does not follow the contract:%s\n%s", typ, r.URL.Path, describe(errs), rc.raw[i])
		}
		verified := false
		for _, s := range l.secrets {
			if wh, err := standardwebhooks.NewWebhook(s); err == nil && wh.Verify(rc.raw[i], r.Header) == nil {
				verified = true
			}
		}
		if !verified {
			t.Errorf("webhook %s %s: the signature does not verify with the subscription's secret", typ, id)
		}
	}
	for _, typ := range []string{seismo.EventOpened, seismo.EventUpdated, seismo.EventResolved, notify.EventTest} {
		if !seen[typ+" /std"] {
			t.Errorf("no %s webhook in the standard format was checked", typ)
		}
	}
	if !seen[seismo.EventOpened+" /slack"] || !seen[notify.EventTest+" /slack"] {
		t.Error("no Slack webhook was checked")
	}
}

// dashboard calls the endpoints the dashboard draws from, and checks that
// they show the bursts detectIncidents recorded.
func (l *liveAPI) dashboard() {
	t, rd := l.t, liveRead
	get := func(path string, status int) []byte {
		return l.do(l.srv, exchange{method: http.MethodGet, path: path, token: rd, status: status})
	}
	ov := decode[api.OverviewBody](t, get("/v1/overview", 200))
	if ov.At == nil || !ov.At.Equal(minute(115)) {
		t.Errorf("overview at %v, want the end of the last evaluated minute %s", ov.At, minute(115))
	}
	if len(ov.Services) == 0 || ov.Services[0].ID != "instagram" || ov.Services[0].Incident == nil {
		t.Errorf("the overview does not put the open Instagram incident first: %+v", ov.Services)
	}
	for _, sv := range ov.Services {
		if n := len(sv.Spark.Points); n < 96 || n > 97 { // the last step may be partial
			t.Errorf("%s: %d spark points, want a day of 15 minutes", sv.ID, len(sv.Spark.Points))
		}
	}
	var us *api.CountryNow
	for i := range ov.Countries {
		if ov.Countries[i].Country == "US" {
			us = &ov.Countries[i]
		}
	}
	if us == nil || us.Service != "instagram" || us.Level == "none" || us.Ratio < 3 {
		t.Errorf("the overview's US is not Instagram's burst, firing: %+v", ov.Countries)
	}

	from, to := minute(55).Format(time.RFC3339), minute(90).Format(time.RFC3339)
	sr := decode[api.SeriesBody](t, get("/v1/series/whatsapp?country=US&step=5m&from="+from+"&to="+to, 200))
	if len(sr.Points) != 7 {
		t.Fatalf("%d points from minute 55 to 90 at 5m, want 7", len(sr.Points))
	}
	above := 0
	for _, p := range sr.Points {
		if p.Expected == nil || p.Upper == nil {
			t.Fatalf("point %s of an evaluated series has no expected or upper: %+v", p.T, p)
		}
		if p.T.Before(minute(60)) && float64(p.Observed) > *p.Upper {
			t.Errorf("point %s before the burst is above the fire line: %+v", p.T, p)
		}
		if !p.T.Before(minute(60)) && p.T.Before(minute(80)) && float64(p.Observed) > *p.Upper {
			above++
		}
	}
	if above < 3 {
		t.Errorf("%d points of the burst above the fire line, want every one of its whole steps: %+v", above, sr.Points)
	}
	get("/v1/series/whatsapp", 200)
	get("/v1/series/instagram?country=*&step=1h", 200)
	// Exactly seven days, off the 15-minute steps, as the dashboard asks.
	get("/v1/series/whatsapp?step=15m&from="+minute(59).Add(-7*24*time.Hour).Format(time.RFC3339)+"&to="+minute(59).Format(time.RFC3339), 200)
	l.do(l.srv, exchange{method: "GET", path: "/v1/series/whatsapp?step=2m", token: rd, status: 400, breaks: true})
	l.do(l.srv, exchange{method: "GET", path: "/v1/series/whatsapp?country=USA", token: rd, status: 400, breaks: true})
	get("/v1/series/whatsapp?step=1m&from=2024-01-01T00:00:00Z&to=2024-01-09T00:00:00Z", 400)
	get("/v1/series/nosuch", 404)

	act := decode[api.ActivityBody](t, get("/v1/services/whatsapp/activity?country=US&from="+from+"&to="+to, 200))
	if act.Complaints == 0 || len(act.Problems) == 0 || act.Problems[0].Problem != seismo.ProblemMessages ||
		len(act.Languages) == 0 || len(act.Samples) == 0 || len(act.Samples[0].Cues) == 0 {
		t.Errorf("the activity of WhatsApp's US burst lacks complaints, problems, languages or samples with cues: %+v", act)
	}
	get("/v1/services/instagram/activity", 200)
	get("/v1/services/whatsapp/activity?from=2024-01-01T00:00:00Z&to=2024-01-03T00:00:00Z", 400)
	get("/v1/series/whatsapp", 200)
}
