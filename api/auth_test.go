package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/seismo-dev/seismo"
)

// noIncidents is the smallest Incidents: these tests are about the gate.
type noIncidents struct{}

func (noIncidents) ListIncidents(context.Context, Filter) (IncidentList, error) {
	return IncidentList{}, nil
}

func (noIncidents) Incident(_ context.Context, id string) (seismo.Incident, error) {
	return seismo.Incident{}, seismo.NotFound("no incident " + id)
}

// gated serves the api with the routes the gate must cover beyond the
// built-in ones: a write that reads a body, an endpoint under an admin
// path, and one made admin-only by the helper.
func gated(t *testing.T, cfg Config) *httptest.Server {
	t.Helper()
	cfg.Incidents = noIncidents{}
	s := New(cfg)
	s.mux.HandleFunc("POST /v1/echo", func(w http.ResponseWriter, r *http.Request) {
		var v map[string]any
		if err := readJSON(r, &v); err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, v)
	})
	s.mux.HandleFunc("GET /v1/silences", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"silences": []string{}})
	})
	s.mux.Handle("GET /v1/secrets", s.admin(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"secret": "kept"})
	}))
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv
}

type answer struct {
	status    int
	challenge string
	code      string
	message   string
}

func call(t *testing.T, srv *httptest.Server, method, path, token, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e errorBody
	_ = json.NewDecoder(resp.Body).Decode(&e)
	return answer{resp.StatusCode, resp.Header.Get("WWW-Authenticate"), e.Error.Code, e.Error.Message}
}

const (
	adminToken = "admin-3f9c1e7d2b"
	readToken  = "read-8a6e4c0b5d"
)

func TestAdminToken(t *testing.T) {
	srv := gated(t, Config{AdminToken: adminToken})
	for _, ep := range []struct{ method, path, body string }{
		{"POST", "/v1/echo", `{"a":1}`},
		{"GET", "/v1/silences", ""},
		{"GET", "/v1/secrets", ""},
	} {
		t.Run(ep.method+" "+ep.path, func(t *testing.T) {
			got := call(t, srv, ep.method, ep.path, "", ep.body)
			if got.status != 401 || got.code != seismo.CodeUnauthorized || !strings.HasPrefix(got.challenge, "Bearer") {
				t.Errorf("no token: %+v; want 401 unauthorized with a Bearer challenge", got)
			}
			got = call(t, srv, ep.method, ep.path, "admin-3f9c1e7d2", ep.body) // one byte short
			if got.status != 401 || !strings.Contains(got.challenge, "invalid_token") {
				t.Errorf("wrong token: %+v; want 401 invalid_token", got)
			}
			if strings.Contains(got.message, "admin-3f9c") {
				t.Errorf("the error repeats the token: %q", got.message)
			}
			if got = call(t, srv, ep.method, ep.path, readToken, ep.body); got.status != 401 {
				t.Errorf("a token nobody configured: %+v; want 401", got)
			}
			if got = call(t, srv, ep.method, ep.path, adminToken, ep.body); got.status != 200 {
				t.Errorf("admin token: %+v; want 200", got)
			}
		})
	}
	// Reads stay public without a read token.
	if got := call(t, srv, "GET", "/v1/incidents", "", ""); got.status != 200 {
		t.Errorf("GET /v1/incidents without a read token configured: %+v", got)
	}
	// The scheme is case-insensitive.
	req, _ := http.NewRequest("GET", srv.URL+"/v1/secrets", nil)
	req.Header.Set("Authorization", "bearer "+adminToken)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Errorf("lower-case scheme: %v, %v", resp, err)
	} else {
		resp.Body.Close()
	}
}

func TestAdminDisabled(t *testing.T) {
	srv := gated(t, Config{})
	for _, ep := range []struct{ method, path string }{{"POST", "/v1/echo"}, {"GET", "/v1/silences"}, {"GET", "/v1/secrets"}} {
		got := call(t, srv, ep.method, ep.path, "anything", `{}`)
		if got.status != 403 || got.code != seismo.CodeAdminDisabled || !strings.Contains(got.message, "--admin-token") {
			t.Errorf("%s %s without an admin token configured: %+v; want 403 admin_disabled naming --admin-token", ep.method, ep.path, got)
		}
	}
	// A method no route has stays 405, and a path nobody serves 404:
	// the gate only guards what exists.
	if got := call(t, srv, "DELETE", "/v1/incidents", "", ""); got.status != 405 {
		t.Errorf("DELETE /v1/incidents: %+v; want 405", got)
	}
	if got := call(t, srv, "GET", "/v1/nothing", "", ""); got.status != 404 {
		t.Errorf("GET /v1/nothing: %+v; want 404", got)
	}
}

func TestReadToken(t *testing.T) {
	srv := gated(t, Config{AdminToken: adminToken, ReadToken: readToken})
	for _, path := range []string{"/v1/incidents", "/v1/incidents/x-20240403T1810Z", "/"} {
		if got := call(t, srv, "GET", path, "", ""); got.status != 401 || got.code != seismo.CodeUnauthorized || got.challenge == "" {
			t.Errorf("GET %s without a token: %+v; want 401 with a challenge", path, got)
		}
		if got := call(t, srv, "GET", path, "wrong", ""); got.status != 401 {
			t.Errorf("GET %s with a wrong token: %+v; want 401", path, got)
		}
	}
	if got := call(t, srv, "GET", "/v1/incidents", readToken, ""); got.status != 200 {
		t.Errorf("read token: %+v; want 200", got)
	}
	if got := call(t, srv, "GET", "/v1/incidents", adminToken, ""); got.status != 200 {
		t.Errorf("admin token on a read: %+v; want 200", got)
	}
	if got := call(t, srv, "GET", "/v1/incidents/x-20240403T1810Z", readToken, ""); got.status != 404 {
		t.Errorf("read token, missing incident: %+v; want 404", got)
	}
	// The read token is no admin token.
	if got := call(t, srv, "POST", "/v1/echo", readToken, `{}`); got.status != 401 {
		t.Errorf("read token on a write: %+v; want 401", got)
	}
	if got := call(t, srv, "GET", "/v1/silences", readToken, ""); got.status != 401 {
		t.Errorf("read token on an admin path: %+v; want 401", got)
	}
	// Probes stay open: an orchestrator carries no token.
	for _, path := range []string{"/healthz", "/readyz"} {
		if got := call(t, srv, "GET", path, "", ""); got.status != 200 {
			t.Errorf("GET %s without a token: %+v; want 200", path, got)
		}
	}
	metrics := gated(t, Config{ReadToken: readToken, Metrics: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {})})
	if got := call(t, metrics, "GET", "/metrics", "", ""); got.status != 200 {
		t.Errorf("GET /metrics without a token: %+v; want 200", got)
	}
}

func TestBodyLimit(t *testing.T) {
	srv := gated(t, Config{AdminToken: adminToken})
	if got := call(t, srv, "POST", "/v1/echo", adminToken, `{"a":"`+strings.Repeat("x", maxBody)+`"}`); got.status != 413 || got.code != seismo.CodeTooLarge {
		t.Errorf("body over 1 MiB: %+v; want 413 too_large", got)
	}
	if got := call(t, srv, "POST", "/v1/echo", adminToken, `{"a":"`+strings.Repeat("x", maxBody-16)+`"}`); got.status != 200 {
		t.Errorf("body under 1 MiB: %+v; want 200", got)
	}
	for _, body := range []string{"", "{", `{"a":1} {"b":2}`, "[1]"} {
		if got := call(t, srv, "POST", "/v1/echo", adminToken, body); got.status != 400 || got.code != seismo.CodeInvalid {
			t.Errorf("body %q: %+v; want 400 invalid", body, got)
		}
	}
}
