package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/seismo-dev/seismo"
)

// access is what a request needs to be served.
type access int

const (
	accessOpen  access = iota // probes and metrics: orchestrators and scrapers carry no token
	accessRead                // the read token, when one is set, or the admin token
	accessAdmin               // the admin token
)

// maxBody bounds every request body; readJSON turns going over it into
// 413.
const maxBody = 1 << 20

// adminPaths hold endpoints that are for the admin whatever the method:
// webhooks carry their receivers' secrets, silences decide what is
// notified.
var adminPaths = []string{"/v1/webhooks", "/v1/silences"}

// openPaths answer GET without a token, whatever the read token.
var openPaths = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// tokens holds the SHA-256 of the configured tokens: comparing digests of
// equal length in constant time tells nothing of a token's length or of
// how much of it a guess got right.
type tokens struct {
	admin, read *[sha256.Size]byte // nil: not configured
}

func newTokens(admin, read string) tokens {
	var t tokens
	if admin != "" {
		h := sha256.Sum256([]byte(admin))
		t.admin = &h
	}
	if read != "" {
		h := sha256.Sum256([]byte(read))
		t.read = &h
	}
	return t
}

// gate limits the request body and checks the request's credentials
// against what its route needs, then serves it. A request no route takes
// goes to notFound unchecked, which tells nothing beyond 404 or 405.
func (s *Server) gate(w http.ResponseWriter, r *http.Request) {
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	}
	if _, pattern := s.mux.Handler(r); pattern != "" && pattern != "/" {
		if !s.authorize(w, r, accessOf(r)) {
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

// accessOf says what r needs: every write, and anything under an admin
// path, needs the admin token; the probes and metrics nothing; the rest is
// a read.
func accessOf(r *http.Request) access {
	read := r.Method == http.MethodGet || r.Method == http.MethodHead
	switch {
	case !read:
		return accessAdmin
	case openPaths[r.URL.Path], isPage(r):
		return accessOpen
	}
	for _, p := range adminPaths {
		if r.URL.Path == p || strings.HasPrefix(r.URL.Path, p+"/") {
			return accessAdmin
		}
	}
	return accessRead
}

// admin wraps h so that only requests with the admin token reach it, for
// routes that are for the admin whatever their method or path:
//
//	s.mux.Handle("GET /v1/things", s.admin(s.listThings))
//
// Writes and the paths in adminPaths need no wrapping: gate checks them.
func (s *Server) admin(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.authorize(w, r, accessAdmin) {
			h(w, r)
		}
	})
}

// authorize reports whether r may be served at level need; when not, it
// has written the answer: 403 admin_disabled when no admin token is
// configured, else 401 with a Bearer challenge.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, need access) bool {
	switch {
	case need == accessOpen:
		return true
	case need == accessRead && s.tokens.read == nil:
		return true
	case need == accessAdmin && s.tokens.admin == nil:
		s.writeError(w, r, &seismo.Error{Code: seismo.CodeAdminDisabled, Message: "admin endpoints are disabled: " +
			"start seismo with --admin-token or --admin-token-file to enable them"})
		return false
	}
	given, ok := bearer(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="seismo"`)
		what := "the admin token"
		if need == accessRead {
			what = "the read token"
		}
		s.writeError(w, r, &seismo.Error{Code: seismo.CodeUnauthorized,
			Message: r.URL.Path + " needs Authorization: Bearer with " + what})
		return false
	}
	sum := sha256.Sum256([]byte(given))
	match := s.tokens.admin != nil && subtle.ConstantTimeCompare(sum[:], s.tokens.admin[:]) == 1
	if need == accessRead {
		match = match || subtle.ConstantTimeCompare(sum[:], s.tokens.read[:]) == 1
	}
	if !match {
		w.Header().Set("WWW-Authenticate", `Bearer realm="seismo", error="invalid_token"`)
		s.writeError(w, r, &seismo.Error{Code: seismo.CodeUnauthorized,
			Message: "the bearer token is not valid for " + r.URL.Path})
		return false
	}
	return true
}

// bearer returns the token of an Authorization: Bearer header; the scheme
// is case-insensitive (RFC 9110).
func bearer(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
}

// isPage reports whether r asks for the dashboard's pages or assets, which
// hold no data.
func isPage(r *http.Request) bool {
	p := r.URL.Path
	return p == "/" && wantsHTML(r) || strings.HasPrefix(p, "/assets/") ||
		strings.HasPrefix(p, "/services/") || strings.HasPrefix(p, "/incidents/")
}

// wantsHTML reports whether the client prefers HTML to JSON, as a browser
// navigating to the address does.
func wantsHTML(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case "text/html", "application/xhtml+xml":
			return true
		case "application/json":
			return false
		}
	}
	return false
}
