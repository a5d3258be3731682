package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/internal/redistest"
)

// Two `seismo run` processes share Redis and the consumer group: one leads
// the detector, and when it stops the other takes over, runs the detector
// and opens the incident once.
func TestIntegrationDetectorLeaseFailover(t *testing.T) {
	srv := redistest.Start(t)
	b := startBroker(t)

	type proc struct {
		addr   string
		cancel context.CancelFunc
		done   chan int
		stderr *syncWriter
		buf    *bytes.Buffer
		once   sync.Once
	}
	launch := func(instance string) *proc {
		ctx, cancel := context.WithCancel(context.Background())
		p := &proc{addr: freeAddr(t), cancel: cancel, done: make(chan int, 1), buf: &bytes.Buffer{}}
		p.stderr = &syncWriter{w: p.buf}
		go func() {
			p.done <- run(ctx, []string{"run", "--kafka-brokers", b.Addr(), "--redis-addr", srv.Addr,
				"--http-addr", p.addr, "--idle-timeout", "1s", "--log-level", "warn",
				"--instance", instance, "--worker-id", instance, "--lease-ttl", "600ms"},
				strings.NewReader(""), io.Discard, p.stderr)
		}()
		return p
	}
	stop := func(p *proc) {
		p.once.Do(func() {
			p.cancel()
			select {
			case code := <-p.done:
				if code != 0 {
					p.stderr.mu.Lock()
					defer p.stderr.mu.Unlock()
					t.Errorf("seismo run exited %d after interrupt:\n%s", code, p.buf.String())
				}
			case <-time.After(30 * time.Second):
				t.Error("seismo run did not stop within 30s of interrupt")
			}
		})
	}
	waitGauge := func(p *proc, want int) {
		t.Helper()
		for deadline := time.Now().Add(60 * time.Second); gauge(p.addr, "seismo_detector_leader") != want; {
			if time.Now().After(deadline) {
				t.Fatalf("seismo_detector_leader at %s is %d, want %d", p.addr, gauge(p.addr, "seismo_detector_leader"), want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	a := launch("a")
	t.Cleanup(func() { stop(a) })
	waitGauge(a, 1)
	bp := launch("b")
	t.Cleanup(func() { stop(bp) })
	waitGauge(bp, 0)
	if g := gauge(a.addr, "seismo_detector_leader"); g != 1 {
		t.Fatalf("a's leader gauge is %d once b runs, want 1", g)
	}

	stop(a)
	waitGauge(bp, 1)

	// The posts come after the takeover: a worker that has seen no post
	// has no watermark, so what a consumed before it stopped would wait
	// for new posts to be evaluated.
	start := time.Date(2024, 4, 3, 17, 0, 0, 0, time.UTC)
	kcatProduce(t, b.Addr(), "seismo.posts", jsonLines(t, outagePosts(start)))

	for deadline := time.Now().Add(90 * time.Second); ; {
		list, err := getIncidents("http://" + bp.addr + "/v1/incidents?service=whatsapp")
		if err == nil && len(list) > 0 && list[0].Status != seismo.StatusPending {
			break
		}
		if time.Now().After(deadline) {
			var status any
			serr := getJSON("http://"+bp.addr+"/v1/status", &status)
			bp.stderr.mu.Lock()
			logs := bp.buf.String()
			bp.stderr.mu.Unlock()
			t.Fatalf("no open WhatsApp incident after 90s (last err %v, list %+v)\nstatus (err %v): %+v\nb's log:\n%s", err, list, serr, status, logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	store, err := detect.NewStore(srv.Client(t), detect.StoreConfig{ReporterKey: []byte("read only"), Groups: detect.GroupsOf(testClassifier(t).Services())})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	evs, err := store.Events(ctx, "0", 1000, 0)
	if err != nil {
		t.Fatal(err)
	}
	opened := map[string]int{}
	for _, se := range evs {
		if se.Event.Type == seismo.EventOpened {
			opened[se.Event.Data.ID]++
		}
	}
	if len(opened) != 1 {
		t.Errorf("opened events by incident = %v, want one incident opened once", opened)
	}
	for id, n := range opened {
		if n != 1 {
			t.Errorf("incident %s opened %d times", id, n)
		}
	}
}
