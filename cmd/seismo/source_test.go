package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/source/sourcetest"
)

// sourceProcess is seismo source running as its own process.
type sourceProcess struct {
	cmd  *exec.Cmd
	out  *syncWriter
	buf  *bytes.Buffer
	addr string
	done chan int
}

func startSourceProcess(t *testing.T, args ...string) *sourceProcess {
	t.Helper()
	p := &sourceProcess{addr: freeAddr(t), buf: &bytes.Buffer{}, done: make(chan int, 1)}
	p.out = &syncWriter{w: p.buf}
	p.cmd = exec.Command(seismoBinary(t), append(append([]string{"source"}, args...), "--http-addr", p.addr, "--log-level", "warn")...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = p.cmd.Wait()
		p.done <- p.cmd.ProcessState.ExitCode()
	}()
	t.Cleanup(func() { _ = p.cmd.Process.Kill() })
	return p
}

// stop sends SIGTERM and wants a clean exit.
func (p *sourceProcess) stop(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case code := <-p.done:
		if code != 0 {
			p.out.mu.Lock()
			defer p.out.mu.Unlock()
			t.Fatalf("seismo source exited %d on SIGTERM:\n%s", code, p.buf.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("seismo source did not stop within 30s of SIGTERM")
	}
}

// crash kills the process: nothing is drained.
func (p *sourceProcess) crash() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// waitPosts polls the posts topic until it holds every id of want, and
// returns the posts on it.
func waitPosts(t *testing.T, brokerAddr string, want map[string]bool) []seismo.Post {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		msgs, err := sourcetest.ReadTopic(ctx, brokerAddr, "seismo.posts")
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		var posts []seismo.Post
		have := map[string]bool{}
		for _, m := range msgs {
			p, err := seismo.DecodePost(m.Value)
			if err != nil {
				t.Fatalf("invalid post on the topic: %v", err)
			}
			posts = append(posts, p)
			have[p.ID] = true
		}
		missing := 0
		for id := range want {
			if !have[id] {
				missing++
			}
		}
		if missing == 0 {
			for id := range have {
				if !want[id] {
					t.Errorf("unexpected post %s on the topic", id)
				}
			}
			return posts
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d posts never reached the topic", missing, len(want))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func getBody(t *testing.T, url string) string {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	for range 50 {
		resp, err := c.Get(url)
		if err == nil {
			var b bytes.Buffer
			_, _ = b.ReadFrom(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %s", url, resp.Status)
			}
			return b.String()
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("GET %s: no answer", url)
	return ""
}

// publishBluesky publishes n frames from t0: four posts in five, and a
// deletion; it returns the post ids.
func publishBluesky(js *sourcetest.Jetstream, t0 int64, n int, tag string, want map[string]bool) {
	created := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	var frames []sourcetest.Frame
	for i := range n {
		us := t0 + int64(i)*50_000
		did := fmt.Sprintf("did:plc:%s%03d", tag, i%11)
		rkey := fmt.Sprintf("3m%s%05d", tag, i)
		if i%5 == 4 {
			frames = append(frames, sourcetest.Commit(us, did, "delete", "app.bsky.feed.post", rkey, nil))
			continue
		}
		frames = append(frames, sourcetest.BlueskyPost(us, did, rkey, "is instagram down for anyone? "+rkey, created.Add(time.Duration(i)*time.Second), "en"))
		want["at://"+did+"/app.bsky.feed.post/"+rkey] = true
	}
	js.Publish(frames...)
}

// The acceptance run of seismo source bluesky: against a Jetstream
// stand-in it delivers every post, survives a dropped connection, stops
// cleanly on SIGTERM, and resumes from the topic after a stop and after a
// crash.
func TestSourceBlueskyProcess(t *testing.T) {
	b := startBroker(t)
	js := sourcetest.NewJetstream()
	defer js.Close()
	want := map[string]bool{}
	const t0 = int64(1_765_100_000_000_000)
	publishBluesky(js, t0, 300, "a", want)
	js.DropAfter(97)
	args := []string{"bluesky", "--jetstream-url", js.URL(), "--kafka-brokers", b.Addr(), "--rewind", "2s"}
	p := startSourceProcess(t, args...)
	waitPosts(t, b.Addr(), want)
	if m := getBody(t, "http://"+p.addr+"/metrics"); !strings.Contains(m, `seismo_source_posts_produced_total{source="bluesky"}`) ||
		!strings.Contains(m, `seismo_source_reconnects_total{source="bluesky"} 1`) {
		t.Errorf("metrics lack the posts produced or the reconnect:\n%s", m)
	}
	if h := getBody(t, "http://"+p.addr+"/healthz"); strings.TrimSpace(h) != "ok" {
		t.Errorf("/healthz: %q", h)
	}
	if code, body := getStatus(t, "http://"+p.addr+"/readyz"); code != http.StatusOK {
		t.Errorf("/readyz with the stream open: %d %q", code, body)
	}
	p.stop(t)

	publishBluesky(js, t0+300*50_000, 200, "b", want)
	p = startSourceProcess(t, args...)
	waitPosts(t, b.Addr(), want)
	p.crash()

	publishBluesky(js, t0+500*50_000, 200, "c", want)
	p = startSourceProcess(t, args...)
	posts := waitPosts(t, b.Addr(), want)
	p.stop(t)

	conns := js.Connections()
	if len(conns) != 4 {
		t.Fatalf("%d connections, want 4: the first, after the drop, after the stop, after the crash", len(conns))
	}
	for i, q := range conns[1:] {
		if q.Get("cursor") == "" {
			t.Errorf("connection %d resumed without a cursor", i+1)
		}
	}
	t.Logf("%d posts on the topic for %d ids over 4 connections (a drop, a SIGTERM, a kill)", len(posts), len(want))
	if dups := len(posts) - len(want); dups < 0 || dups > 3*40 {
		// Each resume reads at most the rewind again: 2s of frames 50ms
		// apart, four posts in five.
		t.Errorf("%d posts for %d ids: duplicates beyond the rewound windows", len(posts), len(want))
	}
}

// The acceptance run of seismo source mastodon against its stand-in.
func TestSourceMastodonProcess(t *testing.T) {
	b := startBroker(t)
	ms := sourcetest.NewMastodon("tok3n")
	defer ms.Close()
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("tok3n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	next := 0
	post := func(n int) {
		var sts []sourcetest.Status
		for range n {
			id := fmt.Sprintf("1136%014d", next)
			uri := "https://example.social/users/a" + fmt.Sprint(next%5) + "/statuses/" + id
			sts = append(sts, sourcetest.Status{ID: id, URI: uri, CreatedAt: time.Date(2026, 12, 7, 9, 0, next, 0, time.UTC).Format(time.RFC3339),
				Content: "<p>whatsapp is down?</p>", Account: sourcetest.Author{Acct: fmt.Sprintf("a%d", next%5)}})
			want[uri] = true
			next++
		}
		ms.Post(sts...)
	}
	args := []string{"mastodon", "--instance", ms.URL(), "--token-file", tokenFile, "--kafka-brokers", b.Addr()}
	p := startSourceProcess(t, args...)
	waitOpen := func(opened int) {
		deadline := time.Now().Add(30 * time.Second)
		for o, open := ms.Streams(); o < opened || open == 0; o, open = ms.Streams() {
			if time.Now().After(deadline) {
				t.Fatalf("%d streams opened, %d open, want %d opened", o, open, opened)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitOpen(1)
	ms.DropAfter(0) // the first stream keeps going
	post(30)
	waitPosts(t, b.Addr(), want)
	p.stop(t)

	post(70) // while stopped: the restart catches up through the timeline
	p = startSourceProcess(t, args...)
	waitOpen(2)
	post(10)
	posts := waitPosts(t, b.Addr(), want)
	p.stop(t)
	t.Logf("%d posts on the topic for %d statuses, across a SIGTERM and a catch-up", len(posts), len(want))
	if reqs := ms.Requests(); len(reqs) == 0 || !strings.Contains(reqs[0], "since_id=") {
		t.Errorf("the restart did not catch up from a status id: %v", reqs)
	}

	// A wrong token is logged and retried, never a crash.
	bad := filepath.Join(t.TempDir(), "bad")
	if err := os.WriteFile(bad, []byte("nope"), 0o600); err != nil {
		t.Fatal(err)
	}
	p = startSourceProcess(t, "mastodon", "--instance", ms.URL(), "--token-file", bad, "--kafka-brokers", b.Addr())
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(p.output(), "401 Unauthorized") {
		if time.Now().After(deadline) {
			t.Fatalf("no 401 in the log:\n%s", p.output())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code, body := getStatus(t, "http://"+p.addr+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "no stream connection") {
		t.Errorf("/readyz with the token refused: %d %q", code, body)
	}
	p.stop(t)
}

func (p *sourceProcess) output() string {
	p.out.mu.Lock()
	defer p.out.mu.Unlock()
	return p.buf.String()
}

func getStatus(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}
