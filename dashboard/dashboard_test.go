package dashboard_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/seismo-dev/seismo/dashboard"
)

const wantCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

func get(t *testing.T, h http.Handler, path string, header ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPages(t *testing.T) {
	h := dashboard.New(dashboard.Config{})
	for _, tc := range []struct{ path, page string }{
		{"/", "overview"},
		{"/services/whatsapp", "service"},
		{"/services/whatsapp?country=GB&range=7d", "service"},
		{"/incidents/whatsapp-20240403T1702Z", "incident"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			res := get(t, h, tc.path, "Accept", "text/html")
			b := body(t, res)
			if res.StatusCode != 200 {
				t.Fatalf("status %d", res.StatusCode)
			}
			for k, want := range map[string]string{
				"Content-Type":            "text/html; charset=utf-8",
				"Content-Security-Policy": wantCSP,
				"X-Content-Type-Options":  "nosniff",
				"Referrer-Policy":         "no-referrer",
				"Cache-Control":           "no-cache",
			} {
				if got := res.Header.Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			if !strings.Contains(b, `data-page="`+tc.page+`"`) {
				t.Errorf("page does not name itself %q:\n%s", tc.page, b)
			}
		})
	}
}

func TestNotFound(t *testing.T) {
	h := dashboard.New(dashboard.Config{})
	for _, path := range []string{
		"/nope", "/services/", "/services/a/b", "/assets/", "/assets/js/nope.js", "/assets/000000000000/js/nope.js",
		"/assets/js", "/assets/vendor/uplot/", "/assets/..%2fdashboard.go",
	} {
		res := get(t, h, path)
		if res.StatusCode != 404 {
			t.Errorf("GET %s: %d, want 404", path, res.StatusCode)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no nosniff", path)
		}
	}
	req := httptest.NewRequest("POST", "/", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code == 200 {
		t.Errorf("POST /: 200, want a refusal")
	}
}

// assetURLs are the /assets/ URLs the shell loads.
func assetURLs(t *testing.T, h http.Handler) []string {
	t.Helper()
	b := body(t, get(t, h, "/"))
	var urls []string
	for _, m := range regexp.MustCompile(`(?:src|href)="(/assets/[^"]+)"`).FindAllStringSubmatch(b, -1) {
		urls = append(urls, m[1])
	}
	if len(urls) < 5 {
		t.Fatalf("the shell loads %d assets: %v", len(urls), urls)
	}
	return urls
}

func TestShellAssets(t *testing.T) {
	h := dashboard.New(dashboard.Config{})
	want := map[string]string{
		".js":  "text/javascript; charset=utf-8",
		".css": "text/css; charset=utf-8",
		".svg": "image/svg+xml",
	}
	for _, u := range assetURLs(t, h) {
		res := get(t, h, u)
		body(t, res)
		if res.StatusCode != 200 {
			t.Errorf("%s: status %d", u, res.StatusCode)
			continue
		}
		ext := u[strings.LastIndex(u, "."):]
		if got := res.Header.Get("Content-Type"); got != want[ext] {
			t.Errorf("%s: Content-Type %q, want %q", u, got, want[ext])
		}
		if got := res.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
			t.Errorf("%s: Cache-Control %q; a versioned asset is cached for good", u, got)
		}
		if res.Header.Get("ETag") == "" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: headers %v", u, res.Header)
		}
	}
}

func TestAssetCaching(t *testing.T) {
	h := dashboard.New(dashboard.Config{})
	var versioned string
	for _, u := range assetURLs(t, h) {
		if strings.HasSuffix(u, "/js/main.js") {
			versioned = u
		}
	}
	plain := "/assets/js/main.js"
	old := "/assets/0123456789ab/js/main.js"

	a := get(t, h, versioned)
	want := body(t, a)
	for _, u := range []string{plain, old} {
		res := get(t, h, u)
		if got := body(t, res); got != want {
			t.Errorf("%s serves other content than %s", u, versioned)
		}
		if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("%s: Cache-Control %q, want no-cache (not the current version)", u, cc)
		}
		if res.Header.Get("ETag") != a.Header.Get("ETag") {
			t.Errorf("%s: ETag differs from %s", u, versioned)
		}
	}
	res := get(t, h, plain, "If-None-Match", a.Header.Get("ETag"))
	if res.StatusCode != 304 || body(t, res) != "" {
		t.Errorf("If-None-Match with the ETag: %d, want 304 with no body", res.StatusCode)
	}
	res = get(t, h, plain, "If-None-Match", `"other"`)
	if res.StatusCode != 200 {
		t.Errorf("If-None-Match with another ETag: %d, want 200", res.StatusCode)
	}
}

func TestAssetTypes(t *testing.T) {
	h := dashboard.New(dashboard.Config{})
	for path, ctype := range map[string]string{
		"/assets/vendor/uplot/uPlot.iife.min.js":                "text/javascript; charset=utf-8",
		"/assets/vendor/uplot/uPlot.min.css":                    "text/css; charset=utf-8",
		"/assets/vendor/world-atlas/countries-110m.json":        "application/json",
		"/assets/vendor/i18n-iso-countries/countries.json":      "application/json",
		"/assets/vendor/topojson-client/topojson-client.min.js": "text/javascript; charset=utf-8",
		"/assets/vendor/uplot/LICENSE":                          "text/plain; charset=utf-8",
		"/assets/img/icon.svg":                                  "image/svg+xml",
	} {
		res := get(t, h, path)
		body(t, res)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != ctype {
			t.Errorf("%s: %d %q, want 200 %q", path, res.StatusCode, res.Header.Get("Content-Type"), ctype)
		}
	}
}

func TestAssetGzip(t *testing.T) {
	h := dashboard.New(dashboard.Config{})
	const path = "/assets/vendor/world-atlas/countries-110m.json"
	plain := body(t, get(t, h, path))
	res := get(t, h, path, "Accept-Encoding", "gzip, br")
	if res.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("headers %v, want gzip and Vary", res.Header)
	}
	z, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(z)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, []byte(plain)) {
		t.Error("the gzipped body is not the file")
	}
	plainTag, gzTag := get(t, h, path).Header.Get("ETag"), res.Header.Get("ETag")
	if plainTag == gzTag || gzTag == "" {
		t.Errorf("ETags %s (plain) and %s (gzip): each representation needs its own", plainTag, gzTag)
	}
	if res := get(t, h, path, "Accept-Encoding", "gzip", "If-None-Match", gzTag); res.StatusCode != 304 {
		t.Errorf("If-None-Match with the gzip tag: %d, want 304", res.StatusCode)
	}
	if res := get(t, h, path, "Accept-Encoding", "gzip;q=0"); res.Header.Get("Content-Encoding") != "" {
		t.Error("gzip;q=0 refuses gzip, yet it was sent")
	}
}

// TestNoInlineCode checks the assets for what the CSP would refuse, and
// for ways of putting API data into the DOM as HTML: a failure here would
// otherwise show only as a broken page or a hole.
func TestNoInlineCode(t *testing.T) {
	h := dashboard.New(dashboard.Config{})
	shell := body(t, get(t, h, "/"))
	if regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]`).MatchString(shell) {
		t.Error("the shell has an inline script")
	}
	if regexp.MustCompile(`(?i)\son[a-z]+=|\sstyle=`).MatchString(shell) {
		t.Error("the shell has an inline handler or style")
	}
	forbidden := regexp.MustCompile(`innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|setAttribute\(['"]on|\.on[a-z]+ = `)
	for _, u := range assetURLs(t, h) {
		if !strings.Contains(u, "/js/main.js") {
			continue
		}
		base := strings.TrimSuffix(u, "main.js")
		for _, name := range []string{"main.js", "api.js", "live.js", "dom.js", "chart.js", "map.js", "parts.js", "overview.js", "service.js", "incident.js"} {
			src := body(t, get(t, h, base+name))
			if src == "" || strings.HasPrefix(src, "not found") {
				t.Errorf("%s: missing", name)
			}
			if m := forbidden.FindString(src); m != "" {
				t.Errorf("%s uses %q", name, m)
			}
		}
	}
}
