// Package api serves seismo's HTTP surface: the incidents as JSON, as a
// stream of their events and as feeds, health and metrics, behind bearer
// tokens (auth.go). routes.go registers every route.
package api

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/metrics"
)

// Filter selects incidents for the feed.
type Filter struct {
	Status  seismo.Status // "" = any
	Service string        // "" = any
	Limit   int
	// Cursor continues a listing: the NextCursor of the page before.
	Cursor string
}

// Incidents is what the api reads incidents from.
type Incidents interface {
	// ListIncidents returns a page of the incidents that match, newest
	// started first, with the cursor of the next page when there is one.
	ListIncidents(ctx context.Context, f Filter) (IncidentList, error)
	Incident(ctx context.Context, id string) (seismo.Incident, error)
}

// Config wires the handler's dependencies.
type Config struct {
	Incidents Incidents
	// Services is the catalog, used to validate the service filter.
	Services []seismo.Service
	// Ready reports whether the process can do its work (its stores and
	// brokers answer), for GET /readyz; nil means always ready.
	Ready func(ctx context.Context) error
	// Status, when not nil, reports how far the stream has been consumed
	// and evaluated (per partition: owner, offsets, event time; the
	// detector's position); GET /v1/status serves its result as JSON.
	Status func(ctx context.Context) (any, error)
	// AdminToken is the bearer token that every write and every admin
	// endpoint (webhooks, silences) needs; "" turns those off (403
	// admin_disabled).
	AdminToken string
	// ReadToken, when set, is the bearer token reads need too (the admin
	// token also serves); /healthz, /readyz and /metrics stay open.
	ReadToken string
	// Charts serves the series, activity and overview endpoints the
	// dashboard draws; nil leaves them out.
	Charts Charts
	// Pages serves the dashboard: GET / for browsers (Accept: text/html),
	// /services/{id}, /incidents/{id} and /assets/; nil leaves it out.
	// The pages hold no data, so they need no token: their scripts read
	// the API with the one the viewer gives.
	Pages http.Handler
	// Webhooks serves the webhook and silence endpoints (admin only); nil
	// leaves them out.
	Webhooks Webhooks
	// Events is the incident event stream GET /v1/events serves; nil
	// leaves the endpoint out.
	Events EventStream
	// Heartbeat is how often an event stream sends a comment, so proxies
	// and clients see it alive; default 15s.
	Heartbeat time.Duration
	// PublicURL is the base URL of links in the feeds
	// ("https://status.example.com"); "" derives it from each request.
	PublicURL string
	// Registry receives the api's own metrics (seismo_sse_clients); nil
	// counts nowhere.
	Registry *metrics.Registry
	// Metrics serves /metrics when not nil.
	Metrics http.Handler
	Logger  *slog.Logger
	// Timeout bounds the store calls of one request, default 5s.
	Timeout time.Duration
}

// Server is the http.Handler for the api.
type Server struct {
	cfg       Config
	services  map[string]bool
	mux       *routeMux
	tokens    tokens
	streams   *streams
	overviews overviewCache
}

// New returns the handler.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	s := &Server{cfg: cfg, services: map[string]bool{}, mux: &routeMux{ServeMux: http.NewServeMux()},
		tokens: newTokens(cfg.AdminToken, cfg.ReadToken)}
	s.streams = newStreams(cfg)
	for _, sv := range cfg.Services {
		s.services[sv.ID] = true
	}
	s.routes()
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.gate(w, r) }

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

var codeStatus = map[string]int{
	seismo.CodeInvalid:  http.StatusBadRequest,
	seismo.CodeNotFound: http.StatusNotFound,
	seismo.CodeInternal: http.StatusInternalServerError,

	seismo.CodeUnauthorized:  http.StatusUnauthorized,
	seismo.CodeAdminDisabled: http.StatusForbidden,
	seismo.CodeTooLarge:      http.StatusRequestEntityTooLarge,
}

// writeError maps an application error to a status and a safe message; only
// internal errors are logged, since the others are the client's business.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		// The client went away: nothing failed here, and nobody reads
		// the answer. A store call that runs out of its own time still
		// counts below.
		s.cfg.Logger.Debug("request abandoned by the client", "method", r.Method, "path", r.URL.Path, "err", err)
		return
	}
	code := seismo.ErrorCode(err)
	if code == seismo.CodeInternal {
		s.cfg.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	var body errorBody
	body.Error.Code = code
	body.Error.Message = seismo.ErrorMessage(err)
	status, ok := codeStatus[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	writeJSON(w, status, body)
}

// writeBulkJSON is writeJSON for answers that run to hundreds of KB (the
// listings, the dashboard's series and overview): not indented, since
// indenting was a sixth of the CPU of a loaded API, and gzipped for a
// client that takes it, which shrinks them about tenfold.
func writeBulkJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	writeBulk(w, r, status, "application/json; charset=utf-8", func(w io.Writer) error {
		return json.NewEncoder(w).Encode(v)
	})
}

// writeBulk writes a large answer of a content type, gzipped for a client
// that takes it.
func writeBulk(w http.ResponseWriter, r *http.Request, status int, contentType string, write func(io.Writer) error) {
	w.Header().Add("Vary", "Accept-Encoding")
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-store")
	if !acceptsGzip(r) {
		w.WriteHeader(status)
		_ = write(w)
		return
	}
	w.Header().Set("Content-Encoding", "gzip")
	w.WriteHeader(status)
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(w)
	_ = write(zw)
	_ = zw.Close()
	zw.Reset(io.Discard) // not to hold on to the response
	gzipWriters.Put(zw)
}

// gzipWriters are reused: a new writer's compressor state, about 800 KB,
// was a tenth of the CPU of a loaded API in allocation and clearing.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return zw
}}

// acceptsGzip reports whether the request's Accept-Encoding takes gzip.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
