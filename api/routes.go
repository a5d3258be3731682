package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/seismo-dev/seismo"
)

func (s *Server) routes() {
	s.mux.HandleFunc("GET /v1/incidents", s.listIncidents)
	s.mux.HandleFunc("GET /v1/incidents/{id}", s.getIncident)
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)
	if s.cfg.Status != nil {
		s.mux.HandleFunc("GET /v1/status", s.status)
	}
	if s.cfg.Events != nil {
		s.mux.HandleFunc("GET /v1/events", s.events)
	}
	if s.cfg.Webhooks != nil {
		s.webhookRoutes()
	}
	if s.cfg.Charts != nil {
		s.mux.HandleFunc("GET /v1/series/{service}", s.series)
		s.mux.HandleFunc("GET /v1/services/{service}/activity", s.activity)
		s.mux.HandleFunc("GET /v1/overview", s.overview)
	}
	if s.cfg.Pages != nil {
		s.mux.Handle("GET /services/{id}", s.cfg.Pages)
		s.mux.Handle("GET /incidents/{id}", s.cfg.Pages)
		s.mux.Handle("GET /assets/", s.cfg.Pages)
	}
	s.mux.HandleFunc("GET /v1/feed.json", s.jsonFeed)
	s.mux.HandleFunc("GET /v1/feed.atom", s.atomFeed)
	if s.cfg.Metrics != nil {
		s.mux.Handle("GET /metrics", s.cfg.Metrics)
	}
	s.mux.HandleFunc("GET /openapi.json", s.openapi)
	s.mux.HandleFunc("GET /{$}", s.index)
	s.mux.HandleFunc("/", s.notFound)
}

// notFound answers what no route took: 405 with the methods the path
// takes (RFC 9110 wants them all in Allow) when it takes any, 404
// otherwise, both as JSON errors.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.WithContext(r.Context()) // a shallow copy
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "/" && pattern != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		var body errorBody
		body.Error.Code, body.Error.Message = "method_not_allowed", r.Method+" is not allowed on "+r.URL.Path
		writeJSON(w, http.StatusMethodNotAllowed, body)
		return
	}
	s.writeError(w, r, seismo.NotFound("no such endpoint: "+r.Method+" "+r.URL.Path))
}

// IncidentList is the body of GET /v1/incidents: a page of the listing.
type IncidentList struct {
	Incidents []seismo.Incident `json:"incidents"`
	// NextCursor, when set, asks for the next page as ?cursor=; the
	// response's Link header (rel="next") holds that URL too. A page may
	// hold fewer than the limit and still have a next one: a page reads a
	// bounded part of the store.
	NextCursor string `json:"next_cursor,omitempty"`
}

const maxLimit = 1000

// filter reads the incident filters of a request: status, service, limit
// (default 100) and cursor.
func (s *Server) filter(r *http.Request) (Filter, error) {
	q := r.URL.Query()
	f := Filter{Status: seismo.Status(q.Get("status")), Service: q.Get("service"), Limit: 100, Cursor: q.Get("cursor")}
	if f.Status != "" && !f.Status.Valid() {
		return f, seismo.Invalid(fmt.Sprintf("status must be pending, open or resolved, not %q", f.Status))
	}
	if f.Service != "" && len(s.services) > 0 && !s.services[f.Service] {
		return f, seismo.Invalid(fmt.Sprintf("unknown service %q", f.Service))
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxLimit {
			return f, seismo.Invalid(fmt.Sprintf("limit must be an integer from 1 to %d", maxLimit))
		}
		f.Limit = n
	}
	return f, nil
}

func (s *Server) listIncidents(w http.ResponseWriter, r *http.Request) {
	f, err := s.filter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.Timeout)
	defer cancel()
	page, err := s.cfg.Incidents.ListIncidents(ctx, f)
	if err != nil {
		s.writeError(w, r, err) // the store names what failed
		return
	}
	if page.Incidents == nil {
		page.Incidents = []seismo.Incident{}
	}
	if page.NextCursor != "" {
		w.Header().Set("Link", "<"+nextURL(r, page.NextCursor)+`>; rel="next"`)
	}
	writeBulkJSON(w, r, http.StatusOK, page)
}

// nextURL is the request's path and query with the cursor of the next page.
func nextURL(r *http.Request, cursor string) string {
	q := r.URL.Query()
	q.Set("cursor", cursor)
	return r.URL.Path + "?" + q.Encode()
}

func (s *Server) getIncident(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if len(id) > 128 {
		s.writeError(w, r, seismo.Invalid("incident id too long"))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.Timeout)
	defer cancel()
	in, err := s.cfg.Incidents.Incident(ctx, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, in)
}

// healthz answers while the process serves HTTP at all: a liveness probe,
// which restarts the process when it fails, must not fail because Redis or
// Kafka is away, since a restart does not bring them back.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers whether the process can do its work now: a readiness
// probe, which takes it out of service until it can.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), s.cfg.Timeout)
		defer cancel()
		if err := s.cfg.Ready(ctx); err != nil {
			s.cfg.Logger.Warn("not ready", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// index is the dashboard for a browser and the list of endpoints for
// everyone else.
func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Pages != nil && wantsHTML(r) {
		s.cfg.Pages.ServeHTTP(w, r)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"name": "seismo",
		"endpoints": []string{
			"GET /v1/incidents?status=pending|open|resolved&service=ID&limit=N&cursor=C (next page: next_cursor, Link rel=next)",
			"GET /v1/incidents/{id}",
			"GET /v1/status",
			"GET /v1/overview (every service now, for the dashboard)",
			"GET /v1/series/{service}?country=CC|*&from=RFC3339&to=RFC3339&step=1m|5m|15m|1h",
			"GET /v1/services/{service}/activity?country=CC|*&from=RFC3339&to=RFC3339",
			"GET /v1/events (Server-Sent Events; Last-Event-ID or after=ID, after=0 replays all)",
			"GET /v1/feed.json?status=...&service=ID&limit=N (JSON Feed 1.1)",
			"GET /v1/feed.atom?status=...&service=ID&limit=N (Atom 1.0)",
			"GET /healthz",
			"GET /readyz",
			"GET /metrics",
			"GET /openapi.json (this API as OpenAPI 3.1)",
			"GET / with Accept: text/html (the dashboard)",
			"GET /services/{id} (dashboard page)",
			"GET /incidents/{id} (dashboard page)",
			"GET /assets/{path} (the dashboard's scripts, styles and map)",
		},
	})
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.Timeout)
	defer cancel()
	st, err := s.cfg.Status(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}
