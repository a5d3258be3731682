package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/app"
	"github.com/seismo-dev/seismo/broker"
	"github.com/seismo-dev/seismo/classify"
	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/ingest"
	"github.com/seismo-dev/seismo/internal/redistest"
)

// Validate names every bad option, not only the first.
func TestOptionsValidate(t *testing.T) {
	bad := app.Options{LeaseTTL: time.Millisecond, Ingest: ingest.Config{Lateness: -time.Second}}
	err := bad.Validate()
	if err == nil {
		t.Fatal("Validate accepted empty options")
	}
	for _, want := range []string{"Redis", "classifier", "reporter key", "HTTP address", "lease TTL", "brokers", "lateness", "detect config"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate does not mention %q:\n%v", want, err)
		}
	}
	if _, nerr := app.New(bad); nerr == nil || nerr.Error() != err.Error() {
		t.Errorf("New = %v, want the Validate error", nerr)
	}

	d := app.DemoOptions{Speed: -1, Partitions: 65}
	err = d.Validate()
	for _, want := range []string{"scenario", "classifier", "speed", "partitions", "HTTP address", "detect config"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("DemoOptions.Validate does not mention %q:\n%v", want, err)
		}
	}
}

// A whole process started through the package, on a real broker and a
// real redis-server: a burst of complaints consumed from Kafka opens an
// incident that the API lists and the incidents topic carries.
func TestAppOpensIncident(t *testing.T) {
	srv := redistest.Start(t)
	b, err := broker.Start(broker.Config{Addr: "127.0.0.1:0", Partitions: 3})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := ingest.EnsureTopics(ctx, []string{b.Addr()}, 3, "seismo.posts", "seismo.posts.dlq", "seismo.incidents"); err != nil {
		t.Fatal(err)
	}
	cls, err := classify.New(classify.Config{Languages: []string{"en"}})
	if err != nil {
		t.Fatal(err)
	}
	icfg := ingest.DefaultConfig()
	icfg.Brokers = []string{b.Addr()}
	icfg.IdleTimeout = time.Second
	logs := &lockedBuffer{}
	a, err := app.New(app.Options{Redis: srv.Client(t), Classifier: cls, Ingest: icfg, Detect: detect.DefaultConfig(),
		ReporterKey: []byte("test key"), HTTPAddr: "127.0.0.1:0", IncidentsTopic: "seismo.incidents", LeaseTTL: time.Second,
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("Run returned %v after cancel", err)
		}
	})

	w := &kafka.Writer{Addr: kafka.TCP(b.Addr()), Topic: "seismo.posts", Balancer: &kafka.Hash{},
		RequiredAcks: kafka.RequireAll, BatchTimeout: 5 * time.Millisecond, WriteTimeout: 10 * time.Second}
	defer w.Close()
	start := time.Date(2024, 4, 3, 17, 0, 0, 0, time.UTC)
	var msgs []kafka.Message
	add := func(m, s int, author, text string) {
		p := seismo.Post{ID: fmt.Sprintf("p-%05d", len(msgs)), Text: text, Author: author, Country: "GB", Source: "test",
			CreatedAt: start.Add(time.Duration(m)*time.Minute + time.Duration(s)*time.Second)}
		v, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, kafka.Message{Key: []byte(p.ID), Value: v})
	}
	for m := range 90 {
		add(m, 1, fmt.Sprintf("chatter-%d", m), "good morning everyone, coffee first")
		if m%15 == 0 {
			add(m, 3, fmt.Sprintf("bg-%d", m), "is WhatsApp down for anyone else?")
		}
		if m >= 60 && m < 75 {
			for i := range 8 {
				add(m, 10+i, fmt.Sprintf("burst-%d-%d", m, i), "WhatsApp down?? messages won't send")
			}
		}
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}

	var inc seismo.Incident
	for {
		if inc.ID != "" && inc.Status != seismo.StatusPending {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("no incident listed by %s/v1/incidents before the deadline", a.URL())
		}
		time.Sleep(100 * time.Millisecond)
		inc, _ = firstIncident(a.URL() + "/v1/incidents?service=whatsapp")
	}
	if inc.Service != "whatsapp" || inc.Country("GB") == nil {
		t.Errorf("incident %+v, want WhatsApp in GB", inc)
	}

	// The relay carries the opening to the incidents topic.
	opened := false
	for !opened {
		var parts []kafka.Partition
		conn, err := kafka.DialContext(ctx, "tcp", b.Addr())
		if err != nil {
			t.Fatal(err)
		}
		parts, err = conn.ReadPartitions("seismo.incidents")
		conn.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range parts {
			pr := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{b.Addr()}, Topic: "seismo.incidents", Partition: p.ID, MaxWait: 100 * time.Millisecond})
			rctx, rcancel := context.WithTimeout(ctx, time.Second)
			for {
				m, err := pr.ReadMessage(rctx)
				if err != nil {
					break
				}
				var ev seismo.Event
				if json.Unmarshal(m.Value, &ev) == nil && ev.Type == seismo.EventOpened && ev.Data.ID == inc.ID {
					opened = true
				}
			}
			rcancel()
			pr.Close()
		}
		if ctx.Err() != nil {
			t.Fatalf("the incidents topic never carried %s opening", inc.ID)
		}
	}
	if resp, err := http.Get(a.URL() + "/readyz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("GET /readyz of a consuming process = %v, %v; want 200", resp, err)
	} else {
		resp.Body.Close()
	}
	if _, ok := a.Evaluated(); !ok {
		t.Error("Evaluated is false in the process that leads the detector")
	}
	if a.Processed() != int64(len(msgs)) {
		t.Errorf("Processed = %d, want %d", a.Processed(), len(msgs))
	}
	// Every component names itself once per line.
	seen := map[string]bool{}
	for line := range strings.SplitSeq(logs.String(), "\n") {
		if n := strings.Count(line, `"component":`); n > 1 {
			t.Errorf("log line names its component %d times: %s", n, line)
		}
		var rec struct{ Component string }
		if json.Unmarshal([]byte(line), &rec) == nil {
			seen[rec.Component] = true
		}
	}
	for _, c := range []string{"ingest", "lease", "detect"} {
		if !seen[c] {
			t.Errorf("no log line of component %s at debug level", c)
		}
	}
}

// lockedBuffer is a log sink that goroutines share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func firstIncident(url string) (seismo.Incident, error) {
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return seismo.Incident{}, err
	}
	defer resp.Body.Close()
	var body struct {
		Incidents []seismo.Incident `json:"incidents"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return seismo.Incident{}, err
	}
	if len(body.Incidents) == 0 {
		return seismo.Incident{}, errors.New("no incidents")
	}
	return body.Incidents[0], nil
}
