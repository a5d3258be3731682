package egress_test

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"

	"github.com/seismo-dev/seismo/internal/egress"
)

var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

// TestClientRefusesAtConnect is DNS rebinding: a host that resolved to a
// public address at registration resolves to loopback at delivery. The
// connection is refused before the server sees a request.
func TestClientRefusesAtConnect(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())

	g := egress.NewGuard(nil, egress.WithResolver(fakeResolver{"localhost": addrs("93.184.215.14")}))
	rebound := "http://localhost:" + port + "/hook"
	if err := g.CheckURL(t.Context(), rebound); err != nil {
		t.Fatalf("CheckURL(%s) with a public answer = %v, want nil", rebound, err)
	}
	c := g.Client(egress.ClientOptions{})
	for _, u := range []string{rebound, srv.URL + "/hook"} {
		resp, err := c.Post(u, "application/json", strings.NewReader(`{}`))
		if err == nil {
			resp.Body.Close()
			t.Errorf("POST %s = %s, want the connection refused", u, resp.Status)
			continue
		}
		if !errors.Is(err, egress.ErrRefused) || !strings.Contains(err.Error(), "is loopback") {
			t.Errorf("POST %s = %v, want a loopback refusal", u, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the server got %d requests, want none", n)
	}
}

// TestClientReachesAllowedAndReuses delivers to an allowed receiver twice;
// ReadBody drains the long response, so the second delivery reuses the
// first connection.
func TestClientReachesAllowedAndReuses(t *testing.T) {
	var (
		mu      sync.Mutex
		remotes []string
	)
	big := bytes.Repeat([]byte("x"), 100<<10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		remotes = append(remotes, r.RemoteAddr)
		mu.Unlock()
		io.Copy(io.Discard, r.Body)
		w.Write(big)
	}))
	defer srv.Close()

	c := egress.NewGuard(loopback).Client(egress.ClientOptions{Timeout: 5 * time.Second})
	for range 2 {
		resp, err := c.Post(srv.URL+"/hook", "application/json", strings.NewReader(`{"type":"incident.opened"}`))
		if err != nil {
			t.Fatalf("POST with 127.0.0.0/8 allowed: %v", err)
		}
		b, truncated, err := egress.ReadBody(resp.Body, 4<<10, 1<<20)
		resp.Body.Close()
		if err != nil || !truncated || len(b) != 4<<10 || resp.StatusCode != http.StatusOK {
			t.Fatalf("got %s, %d bytes, truncated %v, err %v; want 200, 4096 bytes, truncated", resp.Status, len(b), truncated, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(remotes) != 2 || remotes[0] != remotes[1] {
		t.Errorf("requests came from %v, want two over one connection", remotes)
	}
}

func TestClientDoesNotFollowRedirects(t *testing.T) {
	var followed atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/hook", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	})
	mux.HandleFunc("/elsewhere", func(w http.ResponseWriter, r *http.Request) { followed.Add(1) })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	c := egress.NewGuard(loopback).Client(egress.ClientOptions{})
	resp, err := c.Post(srv.URL+"/hook", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/elsewhere" {
		t.Errorf("got %s, Location %q; want the 302 as it is", resp.Status, resp.Header.Get("Location"))
	}
	if n := followed.Load(); n != 0 {
		t.Errorf("the redirect was followed %d times", n)
	}
}

func TestClientTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Proto)
	}))
	defer srv.Close()
	tlsConf := srv.Client().Transport.(*http.Transport).TLSClientConfig

	if _, err := egress.NewGuard(nil).Client(egress.ClientOptions{TLSConfig: tlsConf}).Get(srv.URL); !errors.Is(err, egress.ErrRefused) {
		t.Errorf("GET %s without allow = %v, want refused", srv.URL, err)
	}
	resp, err := egress.NewGuard(loopback).Client(egress.ClientOptions{TLSConfig: tlsConf}).Get(srv.URL)
	if err != nil {
		t.Fatalf("GET %s with allow: %v", srv.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s = %s", srv.URL, resp.Status)
	}
}

func TestClientTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)

	c := egress.NewGuard(loopback).Client(egress.ClientOptions{Timeout: 100 * time.Millisecond})
	start := time.Now()
	_, err := c.Get(srv.URL)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("GET of a stalled receiver = %v, want a timeout", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the 100ms timeout took %v", d)
	}
}

// An environment proxy would connect on the client's behalf, where the
// dialer's check cannot see. (Go ignores HTTP_PROXY for loopback hosts,
// so a request cannot show this.)
func TestClientUsesNoProxy(t *testing.T) {
	c := egress.NewGuard(nil).Client(egress.ClientOptions{})
	tr, ok := c.Transport.(*http.Transport)
	if !ok || tr.Proxy != nil {
		t.Errorf("the client's transport is %T with a proxy function; want *http.Transport without", c.Transport)
	}
	if c.Timeout != 10*time.Second {
		t.Errorf("default timeout %v, want 10s", c.Timeout)
	}
}

func TestReadBody(t *testing.T) {
	for _, tc := range []struct {
		body        string
		keep, drain int64
		want        string
		truncated   bool
		left        int // bytes of the body left unread
	}{
		{"short", 10, 100, "short", false, 0},
		{"exactly10!", 10, 100, "exactly10!", false, 0},
		{"0123456789abcdef", 10, 100, "0123456789", true, 0},
		{"0123456789abcdef", 10, 3, "0123456789", true, 2}, // drained 3 of the 5 over
		{"0123456789abcdef", 0, 100, "", true, 0},
		{"", 10, 100, "", false, 0},
	} {
		r := strings.NewReader(tc.body)
		b, truncated, err := egress.ReadBody(r, tc.keep, tc.drain)
		if err != nil || string(b) != tc.want || truncated != tc.truncated || r.Len() != tc.left {
			t.Errorf("ReadBody(%q, %d, %d) = %q, %v, %v with %d left; want %q, %v, nil with %d left",
				tc.body, tc.keep, tc.drain, b, truncated, err, r.Len(), tc.want, tc.truncated, tc.left)
		}
	}
	broken := io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(io.ErrUnexpectedEOF))
	b, _, err := egress.ReadBody(broken, 10, 100)
	if string(b) != "abc" || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("ReadBody of a broken body = %q, %v; want what came and the error", b, err)
	}
}
