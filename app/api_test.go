package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/app"
	"github.com/seismo-dev/seismo/broker"
	"github.com/seismo-dev/seismo/classify"
	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/ingest"
	"github.com/seismo-dev/seismo/internal/redistest"
)

func TestOptionsValidateAPI(t *testing.T) {
	for _, tt := range []struct {
		o    app.Options
		want string
	}{
		{app.Options{AdminToken: "tab\tbed"}, "admin token: must not contain spaces"},
		{app.Options{ReadToken: "new\nline"}, "read token: must not contain spaces"},
		{app.Options{AdminToken: "same", ReadToken: "same"}, "read token: must differ from the admin token"},
		{app.Options{PublicURL: "status.example.com"}, "public URL"},
		{app.Options{PublicURL: "https://status.example.com/?x=1"}, "public URL"},
	} {
		err := tt.o.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Validate(%+v) does not say %q:\n%v", tt.o, tt.want, err)
			continue
		}
		for _, tok := range []string{tt.o.AdminToken, tt.o.ReadToken} {
			if tok != "" && strings.Contains(err.Error(), tok) {
				t.Errorf("Validate repeats the token %q:\n%v", tok, err)
			}
		}
	}
	ok := app.Options{AdminToken: "a-token", ReadToken: "r-token", PublicURL: "https://status.example.com/seismo"}
	if err := ok.Validate(); err != nil && (strings.Contains(err.Error(), "token") || strings.Contains(err.Error(), "public URL")) {
		t.Errorf("Validate rejects good API options: %v", err)
	}
}

// The API of a whole process: tokens, feeds and the event stream are
// wired, and shutting down does not wait on an open stream.
func TestAppAPI(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	b, err := broker.Start(broker.Config{Addr: "127.0.0.1:0", Partitions: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := ingest.EnsureTopics(ctx, []string{b.Addr()}, 1, "seismo.posts", "seismo.posts.dlq"); err != nil {
		t.Fatal(err)
	}
	cls, err := classify.New(classify.Config{Languages: []string{"en"}})
	if err != nil {
		t.Fatal(err)
	}
	icfg := ingest.DefaultConfig()
	icfg.Brokers = []string{b.Addr()}
	const adminToken, readToken = "admin-6b1f0e", "read-90c2d4"
	a, err := app.New(app.Options{Redis: rdb, Classifier: cls, Ingest: icfg, Detect: detect.DefaultConfig(),
		ReporterKey: []byte("test key"), HTTPAddr: "127.0.0.1:0", NoDetector: true,
		AdminToken: adminToken, ReadToken: readToken, PublicURL: "https://status.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx) }()
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			stop()
			<-done
		}
	})

	do := func(path, token string) *http.Response {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, "GET", a.URL()+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	status := func(path, token string) int {
		t.Helper()
		resp := do(path, token)
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := status("/healthz", ""); got != 200 {
		t.Errorf("/healthz without a token: %d", got)
	}
	if got := status("/v1/incidents", ""); got != 401 {
		t.Errorf("/v1/incidents without the read token: %d, want 401", got)
	}
	if got := status("/v1/incidents", readToken); got != 200 {
		t.Errorf("/v1/incidents with the read token: %d, want 200", got)
	}
	resp := do("/v1/feed.json", adminToken)
	var feed struct {
		FeedURL string `json:"feed_url"`
	}
	err = json.NewDecoder(resp.Body).Decode(&feed)
	resp.Body.Close()
	if err != nil || feed.FeedURL != "https://status.example.com/v1/feed.json" {
		t.Errorf("feed_url = %q (%v), want it under the public URL", feed.FeedURL, err)
	}

	stream := do("/v1/events?after=0", readToken)
	defer stream.Body.Close()
	if stream.StatusCode != 200 || stream.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("/v1/events: %d %s", stream.StatusCode, stream.Header.Get("Content-Type"))
	}
	ev := seismo.NewEvent(seismo.EventOpened, time.Date(2024, 4, 3, 18, 12, 0, 0, time.UTC),
		seismo.Incident{ID: "whatsapp-20240403T1810Z", Service: "whatsapp", Status: seismo.StatusOpen})
	raw, _ := json.Marshal(ev)
	if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: "seismo:{inc}:events", Values: []any{"event", raw}}).Err(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stream.Body)
	for lines.Scan() && !strings.HasPrefix(lines.Text(), "data: ") {
	}
	var got seismo.Event
	if err := json.Unmarshal([]byte(strings.TrimPrefix(lines.Text(), "data: ")), &got); err != nil || got.ID != ev.ID {
		t.Fatalf("stream carried %q (%v), want event %s", lines.Text(), err, ev.ID)
	}
	resp = do("/metrics", "")
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(metrics), "\nseismo_sse_clients 1\n") {
		t.Errorf("/metrics with one stream open lacks seismo_sse_clients 1:\n%s", metrics)
	}

	// The server's shutdown ends the stream rather than waiting out its
	// deadline on it.
	start := time.Now()
	stop()
	stopped = true
	if err := <-done; err != nil {
		t.Errorf("Run = %v after cancel with a stream open", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Run took %s to return with a stream open", d)
	}
	for lines.Scan() {
	}
}
