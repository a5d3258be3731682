package api

import (
	_ "embed"
	"net/http"
)

// openAPI is the OpenAPI 3.1 contract of the API. openapi_test.go holds it
// to the routes registered and to live answers of the handlers, so it
// cannot drift from them.
//
//go:embed openapi.json
var openAPI []byte

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(openAPI)
}

// routeMux is an http.ServeMux that keeps the patterns registered on it,
// so that a test can compare the routes served with the document.
type routeMux struct {
	*http.ServeMux
	patterns []string
}

func (m *routeMux) Handle(pattern string, h http.Handler) {
	m.ServeMux.Handle(pattern, h)
	m.patterns = append(m.patterns, pattern)
}

func (m *routeMux) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	m.Handle(pattern, http.HandlerFunc(h))
}
