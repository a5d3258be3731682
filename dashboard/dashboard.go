// Package dashboard provides the analyst dashboard: the HTML pages of the
// overview, a service and an incident, and the embedded scripts, styles
// and vendored libraries they load. The pages are shells; the scripts
// fetch everything they show from the JSON API (/v1/...), so the handler
// needs no store and the API stays the one source of truth.
package dashboard

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
)

// contentSecurityPolicy forbids inline script and style, eval and any
// origin but ours: post text is hostile, and the pages render it, so a
// slip in a script must not be able to run anything.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
	"frame-ancestors 'none'; form-action 'self'"

//go:embed assets
var embedded embed.FS

//go:embed shell.html
var shellHTML string

// Config configures the dashboard handler.
type Config struct {
	// Logger receives what the handler has to say; nil discards it.
	Logger *slog.Logger
}

// New returns the dashboard handler. It serves full request paths:
//
//	GET /                  the overview
//	GET /services/{id}     a service
//	GET /incidents/{id}    an incident
//	GET /assets/...        embedded scripts, styles and libraries
//
// Which ids exist is the API's to say: a page of an unknown id loads and
// shows the API's 404.
func New(cfg Config) http.Handler {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := loadAssets()
	log.Debug("dashboard assets", "version", a.version, "files", len(a.files), "bytes", a.size)
	shell := template.Must(template.New("shell").Parse(shellHTML))
	page := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			var b bytes.Buffer
			if err := shell.Execute(&b, struct{ Page, Assets string }{name, "/assets/" + a.version}); err != nil {
				log.Error("render dashboard page", "page", name, "err", err)
				http.Error(w, "internal error", http.StatusInternalServerError)
				return
			}
			h := w.Header()
			secure(h)
			h.Set("Content-Type", "text/html; charset=utf-8")
			// The shell names the asset version, which changes with every
			// release: a cached shell would load yesterday's scripts.
			h.Set("Cache-Control", "no-cache")
			_, _ = w.Write(b.Bytes())
		}
	}
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", page("overview"))
	mux.Handle("GET /services/{id}", page("service"))
	mux.Handle("GET /incidents/{id}", page("incident"))
	mux.HandleFunc("GET /assets/", a.serve)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		secure(w.Header())
		http.Error(w, "not found", http.StatusNotFound)
	})
	return mux
}

// secure sets the headers every response of the dashboard carries.
func secure(h http.Header) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}

// asset is one embedded file, ready to serve.
type asset struct {
	body, gzipped []byte // gzipped is nil when it would not be smaller
	etag, ctype   string
}

// assets are the embedded files by path under assets/. version hashes
// them all: the shell loads /assets/<version>/..., so a URL names one
// content for good and can be cached for a year, while relative imports
// between scripts stay plain.
type assets struct {
	files   map[string]*asset
	version string
	size    int
}

func loadAssets() *assets {
	a := &assets{files: map[string]*asset{}}
	all := sha256.New()
	err := fs.WalkDir(embedded, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := embedded.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "assets/")
		sum := sha256.Sum256(body)
		all.Write([]byte(name))
		all.Write(sum[:])
		f := &asset{body: body, etag: `"` + hex.EncodeToString(sum[:12]) + `"`, ctype: contentType(name)}
		if compressible(f.ctype) {
			f.gzipped = compress(body)
		}
		a.files[name] = f
		a.size += len(body)
		return nil
	})
	if err != nil {
		// The files are compiled in: failing to walk them is a broken build.
		panic("dashboard: embedded assets: " + err.Error())
	}
	a.version = hex.EncodeToString(all.Sum(nil)[:6])
	return a
}

// serve answers GET /assets/[<version>/]<path>. The current version is
// cached for good; an old version (a page loaded before a release) gets
// today's file, revalidated on every use, as does a path with no version.
func (a *assets) serve(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/assets/")
	immutable := false
	if v, rest, ok := strings.Cut(name, "/"); ok && isVersion(v) {
		name, immutable = rest, v == a.version
	}
	f := a.files[name]
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	if f == nil || name != path.Clean(name) {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	h.Set("Content-Type", f.ctype)
	if immutable {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	body, etag := f.body, f.etag
	if f.gzipped != nil {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			// Each encoding is its own representation, with its own tag.
			h.Set("Content-Encoding", "gzip")
			body, etag = f.gzipped, strings.TrimSuffix(f.etag, `"`)+`-gz"`
		}
	}
	h.Set("ETag", etag)
	if matchesETag(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func isVersion(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// contentTypes are set here rather than taken from the system's MIME
// table, which varies between machines (and nosniff makes a wrong one
// fatal for scripts).
var contentTypes = map[string]string{
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".json": "application/json",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".html": "text/html; charset=utf-8",
	".md":   "text/plain; charset=utf-8",
}

func contentType(name string) string {
	if t, ok := contentTypes[path.Ext(name)]; ok {
		return t
	}
	return "text/plain; charset=utf-8" // LICENSE files
}

func compressible(ctype string) bool {
	return !strings.HasPrefix(ctype, "image/png")
}

func compress(b []byte) []byte {
	var z bytes.Buffer
	w, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	_, _ = w.Write(b)
	_ = w.Close()
	if z.Len() >= len(b) {
		return nil
	}
	return z.Bytes()
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			q, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q=")
			if !ok {
				return true
			}
			v, err := strconv.ParseFloat(q, 64)
			return err == nil && v > 0
		}
	}
	return false
}

// matchesETag reports whether an If-None-Match header lists etag (weak
// comparison, as RFC 9110 asks for If-None-Match).
func matchesETag(header, etag string) bool {
	if header == "" {
		return false
	}
	if strings.TrimSpace(header) == "*" {
		return true
	}
	return slices.ContainsFunc(strings.Split(header, ","), func(t string) bool {
		return strings.TrimPrefix(strings.TrimSpace(t), "W/") == etag
	})
}
