package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/broker"
	"github.com/seismo-dev/seismo/classify"
	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/ingest"
	"github.com/seismo-dev/seismo/internal/redistest"
)

var (
	clsOnce sync.Once
	clsErr  error
	sharedC *classify.Classifier
)

// testClassifier builds the real classifier once per test binary: building
// language models takes a while and they are read-only afterwards.
func testClassifier(t *testing.T) *classify.Classifier {
	t.Helper()
	clsOnce.Do(func() { sharedC, clsErr = classify.New(classify.Config{}) })
	if clsErr != nil {
		t.Fatal(clsErr)
	}
	return sharedC
}

func startBroker(t *testing.T) *broker.Broker {
	t.Helper()
	b, err := broker.Start(broker.Config{Addr: "127.0.0.1:0", Partitions: 3})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// outagePosts is an hour of quiet traffic in GB followed by a burst of
// distinct WhatsApp complainers, then quiet again, in event time.
func outagePosts(start time.Time) []seismo.Post {
	var posts []seismo.Post
	add := func(min int, sec int, author, text string) {
		posts = append(posts, seismo.Post{
			ID: fmt.Sprintf("p-%05d", len(posts)), Text: text, Author: author, Country: "GB", Source: "test",
			CreatedAt: start.Add(time.Duration(min)*time.Minute + time.Duration(sec)*time.Second),
		})
	}
	for m := 0; m < 90; m++ {
		add(m, 1, fmt.Sprintf("chatter-%d", m), "good morning everyone, coffee first")
		add(m, 2, fmt.Sprintf("mention-%d", m), "send me the pics on WhatsApp later")
		if m%15 == 0 {
			add(m, 3, fmt.Sprintf("bg-%d", m), "is WhatsApp down for anyone else?")
		}
		if m >= 60 && m < 75 {
			for i := range 8 {
				add(m, 10+i, fmt.Sprintf("burst-%d-%d", m, i), "WhatsApp down?? messages won't send")
			}
		}
	}
	return posts
}

func jsonLines(t *testing.T, posts []seismo.Post) []byte { return encodeLines(t, posts, false) }

// encodeLines writes one post a line; keyed puts the post id and a tab
// first, as kcat -K reads a message key.
func encodeLines(t *testing.T, posts []seismo.Post, keyed bool) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, p := range posts {
		v, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if keyed {
			b.WriteString(p.ID)
			b.WriteByte('\t')
		}
		b.Write(v)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// kcatProduce sends each line of data as one message through librdkafka;
// extra arguments go to kcat (-K to key the messages).
func kcatProduce(t *testing.T, brokerAddr, topic string, data []byte, extra ...string) {
	t.Helper()
	redistest.Require(t, "kcat")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args := append([]string{"-P", "-b", brokerAddr, "-t", topic, "-X", "message.max.bytes=2000000"}, extra...)
	cmd := exec.CommandContext(ctx, "kcat", args...)
	cmd.Stdin = bytes.NewReader(data)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kcat: %v\n%s", err, out)
	}
}

func TestIntegrationKcatToIncidentFeed(t *testing.T) {
	redis := redistest.Start(t)
	b := startBroker(t)
	httpAddr := freeAddr(t)
	start := time.Date(2024, 4, 3, 17, 0, 0, 0, time.UTC)
	kcatProduce(t, b.Addr(), "seismo.posts", jsonLines(t, outagePosts(start)))

	ctx, cancel := context.WithCancel(context.Background())
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"run", "--kafka-brokers", b.Addr(), "--redis-addr", redis.Addr,
			"--http-addr", httpAddr, "--idle-timeout", "1s", "--log-level", "warn"},
			strings.NewReader(""), io.Discard, &syncWriter{w: &stderr})
	}()
	exited := false
	defer func() {
		cancel()
		if exited {
			return
		}
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("seismo run exited %d after interrupt:\n%s", code, stderr.String())
			}
		case <-time.After(30 * time.Second):
			t.Error("seismo run did not stop within 30s of interrupt")
		}
	}()

	var in seismo.Incident
	deadline := time.Now().Add(90 * time.Second)
	for {
		list, err := getIncidents("http://" + httpAddr + "/v1/incidents?service=whatsapp")
		if err == nil && len(list) > 0 && list[0].Status != seismo.StatusPending {
			in = list[0]
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no open WhatsApp incident in the feed after 90s (last err %v, list %+v)", err, list)
		}
		select {
		case code := <-done:
			exited = true
			t.Fatalf("seismo run exited %d:\n%s", code, stderr.String())
		case <-time.After(200 * time.Millisecond):
		}
	}
	gb := in.Country("GB")
	if gb == nil || gb.Reporters < 8 {
		t.Fatalf("incident %s has no GB entry with the burst's reporters: %+v", in.ID, in.Countries)
	}
	burst := start.Add(60 * time.Minute)
	if in.StartedAt.Before(burst) || in.StartedAt.After(burst.Add(5*time.Minute)) {
		t.Errorf("incident started %s, want within 5 minutes of the burst at %s", in.StartedAt, burst)
	}
	// The same incident reaches the incidents topic as an event.
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{b.Addr()}, Topic: "seismo.incidents",
		GroupID: "e2e", StartOffset: kafka.FirstOffset, MaxWait: 100 * time.Millisecond})
	defer r.Close()
	rctx, rcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer rcancel()
	m, err := r.FetchMessage(rctx)
	if err != nil {
		t.Fatalf("read seismo.incidents: %v", err)
	}
	var ev seismo.Event
	if err := json.Unmarshal(m.Value, &ev); err != nil || ev.Type != seismo.EventOpened || ev.Data.ID != in.ID {
		t.Errorf("first event on seismo.incidents = %s (%v), want %s opened", m.Value, err, in.ID)
	}
	var byID seismo.Incident
	if err := getJSON("http://"+httpAddr+"/v1/incidents/"+in.ID, &byID); err != nil || byID.ID != in.ID {
		t.Errorf("GET /v1/incidents/%s = %+v, %v", in.ID, byID.ID, err)
	}
}

func getIncidents(url string) ([]seismo.Incident, error) {
	var body struct {
		Incidents []seismo.Incident `json:"incidents"`
	}
	err := getJSON(url, &body)
	return body.Incidents, err
}

func getJSON(url string, into any) error {
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(into)
}

// syncWriter lets the test read what a goroutine writes.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// consumeAll runs an ingest consumer in group until it has handled n
// messages, then stops it gracefully.
func consumeAll(t *testing.T, brokerAddr, group string, store *detect.Store, n uint64) {
	t.Helper()
	cfg := ingest.DefaultConfig()
	cfg.Brokers, cfg.GroupID = []string{brokerAddr}, group
	cfg.IdleTimeout = time.Second
	c, err := ingest.New(cfg, testClassifier(t), store, nil, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- c.Run(ctx) }()
	deadline := time.Now().Add(60 * time.Second)
	for c.Processed() < n && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("consumer %s: %v", group, err)
	}
	if c.Processed() < n {
		t.Fatalf("consumer %s handled %d of %d messages", group, c.Processed(), n)
	}
}

func seriesTotals(t *testing.T, store *detect.Store, service, country string, from, to time.Time) (reporters, complaints int64) {
	t.Helper()
	pts, err := store.Series(context.Background(), service, country, from, to)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pts {
		reporters += p.Reporters
		complaints += p.Complaints
	}
	return reporters, complaints
}

func TestIntegrationRedeliveryDoesNotDoubleCount(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	b := startBroker(t)
	store, err := detect.NewStore(rdb, detect.StoreConfig{ReporterKey: []byte("test-key"), Groups: detect.GroupsOf(testClassifier(t).Services())})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2024, 4, 3, 17, 0, 0, 0, time.UTC)
	posts := outagePosts(start)
	kcatProduce(t, b.Addr(), "seismo.posts", jsonLines(t, posts))

	end := start.Add(2 * time.Hour)
	consumeAll(t, b.Addr(), "first", store, uint64(len(posts)))
	r1, c1 := seriesTotals(t, store, "whatsapp", "GB", start, end)
	if c1 < 100 || r1 < 100 {
		t.Fatalf("after the first delivery: %d complaints, %d reporter-minutes; want the burst counted", c1, r1)
	}
	// A second consumer group gets every message again: a full redelivery.
	consumeAll(t, b.Addr(), "second", store, uint64(len(posts)))
	r2, c2 := seriesTotals(t, store, "whatsapp", "GB", start, end)
	if r2 != r1 || c2 != c1 {
		t.Fatalf("redelivery changed counts: complaints %d → %d, reporter-minutes %d → %d", c1, c2, r1, r2)
	}
	t.Logf("%d posts delivered twice: %d complaints, %d reporter-minutes both times", len(posts), c1, r1)
}

func TestIntegrationDeadLetters(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	b := startBroker(t)
	store, err := detect.NewStore(rdb, detect.StoreConfig{ReporterKey: []byte("test-key"), Groups: detect.GroupsOf(testClassifier(t).Services())})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2024, 4, 3, 17, 0, 0, 0, time.UTC)
	good := func(i int) string {
		p := seismo.Post{ID: fmt.Sprintf("good-%d", i), Text: "is WhatsApp down for anyone else?", Author: fmt.Sprintf("a%d", i),
			Country: "GB", CreatedAt: start.Add(time.Duration(i) * time.Second)}
		v, _ := json.Marshal(p)
		return string(v)
	}
	bad := []struct{ line, reason string }{
		{`{"id":"x1","text":"whatsapp down"`, "bad_json"},
		{`{"id":"x2","text":"` + strings.Repeat("a", 20_000) + `","created_at":"2024-04-03T17:00:00Z"}`, "text_too_long"},
		{"{\"id\":\"x3\",\"text\":\"whatsapp \xff\xfe down\",\"created_at\":\"2024-04-03T17:00:00Z\"}", "invalid_utf8"},
		{`{"text":"whatsapp down","created_at":"2024-04-03T17:00:00Z"}`, "missing_id"},
		{`{"id":"x5","created_at":"2024-04-03T17:00:00Z"}`, "missing_text"},
		{`{"id":"x6","text":"whatsapp down"}`, "missing_created_at"},
		{`{"id":"x7","text":"whatsapp down","created_at":"yesterday"}`, "bad_created_at"},
		{`{"id":"x8","text":"whatsapp down","created_at":"2190-04-03T17:00:00Z"}`, "time_out_of_range"},
	}
	var lines []string
	want := map[string]int{}
	for i, bd := range bad {
		lines = append(lines, good(2*i), bd.line, good(2*i+1))
		want[bd.reason]++
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "mixed.jsonl")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(file)
	kcatProduce(t, b.Addr(), "seismo.posts", data)
	consumeAll(t, b.Addr(), "dlq-test", store, uint64(len(lines)))

	// Every good post counted: one reporter each, in distinct seconds.
	_, complaints := seriesTotals(t, store, "whatsapp", "GB", start, start.Add(time.Hour))
	if complaints != int64(2*len(bad)) {
		t.Errorf("%d complaints counted, want %d (the good posts)", complaints, 2*len(bad))
	}
	got := readDLQ(t, b.Addr(), len(bad))
	for reason, n := range want {
		if got[reason] != n {
			t.Errorf("DLQ has %d messages with reason %s, want %d (all: %v)", got[reason], reason, n, got)
		}
	}
}

// readDLQ reads n dead letters and counts them by reason header.
func readDLQ(t *testing.T, brokerAddr string, n int) map[string]int {
	t.Helper()
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{brokerAddr}, GroupID: "dlq-reader",
		Topic: "seismo.posts.dlq", StartOffset: kafka.FirstOffset, MaxWait: 200 * time.Millisecond})
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got := map[string]int{}
	for range n {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			t.Fatalf("read DLQ after %v: %v", got, err)
		}
		var reason, detail string
		for _, h := range m.Headers {
			switch h.Key {
			case ingest.HeaderReason:
				reason = string(h.Value)
			case ingest.HeaderError:
				detail = string(h.Value)
			}
		}
		if reason == "" || detail == "" {
			t.Errorf("dead letter at offset %d lacks reason or error headers", m.Offset)
		}
		got[reason]++
	}
	return got
}
