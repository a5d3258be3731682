package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/backtest"
	"github.com/seismo-dev/seismo/broker"
	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/ingest"
	runoutcome "github.com/seismo-dev/seismo/internal/outcome"
	"github.com/seismo-dev/seismo/internal/redistest"
)

// The reporter key every run of the event-time tests hashes authors with:
// distinct-reporter counts are HyperLogLogs of the hashes, so only runs
// with one key can agree to the last reporter.
const eventTimeKey = "event-time-test-key"

// eventTimeStream returns the posts of testdata/eventtime.yaml as
// outcome.Stream orders and jitters them.
func eventTimeStream(t *testing.T) []seismo.Post {
	t.Helper()
	posts, err := runoutcome.Stream(filepath.Join("testdata", "eventtime.yaml"), 1)
	if err != nil {
		t.Fatal(err)
	}
	return posts
}

// eventTimeSpan is the range of minutes an outcome of the stream is read
// over.
func eventTimeSpan(posts []seismo.Post) (from, to time.Time) { return runoutcome.Span(posts) }

// eventTimeReference is what seismo backtest's replay of the posts in
// event time leaves in a real redis-server: the outcome every live run
// must reproduce.
func eventTimeReference(t *testing.T, posts []seismo.Post) outcome {
	t.Helper()
	sorted := slices.Clone(posts)
	slices.SortStableFunc(sorted, func(a, b seismo.Post) int { return a.CreatedAt.Compare(b.CreatedAt) })
	srv := redistest.Start(t)
	store, err := detect.NewStore(srv.Client(t), detect.StoreConfig{Prefix: "seismo", ReporterKey: []byte(eventTimeKey), Groups: detect.GroupsOf(testClassifier(t).Services())})
	if err != nil {
		t.Fatal(err)
	}
	_, err = backtest.Replay(context.Background(), sorted, backtest.Options{Classifier: testClassifier(t), Store: store,
		Config: detect.DefaultConfig(), Flush: 0})
	if err != nil {
		t.Fatal(err)
	}
	from, to := eventTimeSpan(posts)
	want := readOutcome(t, srv.Client(t), from, to)
	if len(want.Incidents) < 2 {
		t.Fatalf("the backtest found %d incidents, want the scenario's 2", len(want.Incidents))
	}
	return want
}

// outcome is what a run left in Redis, in a form to compare.
type outcome = runoutcome.Outcome

func readOutcome(t *testing.T, rdb redis.UniversalClient, from, to time.Time) outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	o, err := runoutcome.Read(ctx, rdb, detect.StoreConfig{ReporterKey: []byte(eventTimeKey), Groups: detect.GroupsOf(testClassifier(t).Services())}, from, to)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// compareOutcomes reports every difference of got from want.
func compareOutcomes(t *testing.T, got, want outcome) {
	t.Helper()
	if len(want.Events) == 0 {
		t.Fatal("the reference opened no incident; the stream tests nothing")
	}
	for _, d := range got.Diff(want) {
		t.Error(d)
	}
}

// worker is one `seismo run` with default flags but for addresses, names
// and the shared reporter key: in this process, or as a child process
// (which a test can kill).
type worker struct {
	name   string
	addr   string
	cancel context.CancelFunc
	done   chan int
	cmd    *exec.Cmd
	out    *syncWriter
	buf    *bytes.Buffer
}

func workerArgs(name, brokerAddr, redisAddr, httpAddr string, partitions int) []string {
	return []string{"run", "--kafka-brokers", brokerAddr, "--redis-addr", redisAddr, "--http-addr", httpAddr,
		"--reporter-key", eventTimeKey, "--instance", name, "--worker-id", name, "--log-level", "info",
		"--partitions", fmt.Sprint(partitions)}
}

func startWorker(t *testing.T, name, brokerAddr, redisAddr string, partitions int) *worker {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &worker{name: name, addr: freeAddr(t), cancel: cancel, done: make(chan int, 1), buf: &bytes.Buffer{}}
	w.out = &syncWriter{w: w.buf}
	go func() {
		w.done <- run(ctx, workerArgs(name, brokerAddr, redisAddr, w.addr, partitions), strings.NewReader(""), io.Discard, w.out)
	}()
	t.Cleanup(func() { w.stop(t) })
	t.Cleanup(func() { w.logIfFailed(t) })
	return w
}

// logIfFailed shows the worker's log when the test failed: which
// generations it saw and which partitions it held.
func (w *worker) logIfFailed(t *testing.T) {
	if !t.Failed() {
		return
	}
	w.out.mu.Lock()
	defer w.out.mu.Unlock()
	t.Logf("log of worker %s:\n%s", w.name, w.buf.String())
}

var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
)

// seismoBinary builds the command once per test binary, for tests that
// must kill a worker without letting it shut down.
func seismoBinary(t *testing.T) string {
	t.Helper()
	binaryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "seismo-bin")
		if err != nil {
			binaryErr = err
			return
		}
		binaryPath = filepath.Join(dir, "seismo")
		out, err := exec.Command("go", "build", "-o", binaryPath, ".").CombinedOutput()
		if err != nil {
			binaryErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binaryErr != nil {
		t.Fatal(binaryErr)
	}
	return binaryPath
}

func startWorkerProcess(t *testing.T, name, brokerAddr, redisAddr string, partitions int, extra ...string) *worker {
	t.Helper()
	w := &worker{name: name, addr: freeAddr(t), done: make(chan int, 1), buf: &bytes.Buffer{}}
	w.out = &syncWriter{w: w.buf}
	w.cmd = exec.Command(seismoBinary(t), append(workerArgs(name, brokerAddr, redisAddr, w.addr, partitions), extra...)...)
	w.cmd.Stdout, w.cmd.Stderr = io.Discard, w.out
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = w.cmd.Wait()
		w.done <- w.cmd.ProcessState.ExitCode()
	}()
	t.Cleanup(func() { w.kill() })
	t.Cleanup(func() { w.logIfFailed(t) })
	return w
}

// kill ends a child process at once: no batch finished, no group left, no
// lease released.
func (w *worker) kill() {
	if w.cmd != nil && w.cmd.Process != nil {
		_ = w.cmd.Process.Kill()
	}
}

// stop interrupts an in-process worker and checks that it exits cleanly.
func (w *worker) stop(t *testing.T) {
	if w.cancel == nil {
		return
	}
	w.cancel()
	w.cancel = nil
	select {
	case code := <-w.done:
		if code != 0 {
			w.out.mu.Lock()
			defer w.out.mu.Unlock()
			t.Errorf("worker %s exited %d:\n%s", w.name, code, w.buf.String())
		}
	case <-time.After(30 * time.Second):
		t.Errorf("worker %s did not stop within 30s", w.name)
	}
}

// waitEvaluated waits until the produced messages of the topic are all
// handled, every partition is idle, and the detector has evaluated every
// minute the watermark allows: the stream produced so far is fully
// consumed and decided.
func waitEvaluated(t *testing.T, store *detect.Store, produced int, within time.Duration) detect.Progress {
	t.Helper()
	deadline := time.Now().Add(within)
	var p detect.Progress
	var err error
	for time.Now().Before(deadline) {
		p, err = store.Progress(context.Background())
		if err == nil && done(p, produced) {
			return p
		}
		time.Sleep(100 * time.Millisecond)
	}
	b, _ := json.MarshalIndent(p, "", "  ")
	t.Fatalf("stream not consumed and evaluated within %s (err %v):\n%s", within, err, b)
	return p
}

// waitHandled waits until the produced messages are all handled, without
// waiting for the partitions to go idle.
func waitHandled(t *testing.T, store *detect.Store, produced int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if p, err := store.Progress(context.Background()); err == nil && handled(p) == int64(produced) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%d messages not handled within %s", produced, within)
}

// waitSettled waits until every partition is reported by a live owner in
// one generation and each of owners holds some.
func waitSettled(t *testing.T, store *detect.Store, owners []string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	var p detect.Progress
	for time.Now().Before(deadline) {
		var err error
		p, err = store.Progress(context.Background())
		if err == nil && settled(p, owners) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b, _ := json.MarshalIndent(p, "", "  ")
	t.Fatalf("the group did not settle with %v within %s:\n%s", owners, within, b)
}

func settled(p detect.Progress, owners []string) bool { return runoutcome.Settled(p, owners) }

func handled(p detect.Progress) int64 { return runoutcome.Handled(p) }

func done(p detect.Progress, produced int) bool { return runoutcome.Drained(p, produced) }

// The same keyed stream gives the same counts, baselines, incidents and
// events whoever consumes it: one or several workers, one or three
// partitions, workers joining and dying mid-stream, and the backtest of the
// same posts. Default flags throughout.
func TestIntegrationSameStreamSameIncidents(t *testing.T) {
	redistest.Require(t, "redis-server", "kcat")
	posts := eventTimeStream(t)
	from, to := eventTimeSpan(posts)
	want := eventTimeReference(t, posts)

	// Three parts of the stream, produced at different moments of a
	// schedule.
	third, twoThirds := len(posts)*2/5, len(posts)*7/10
	parts := [][]seismo.Post{posts[:third], posts[third:twoThirds], posts[twoThirds:]}

	type env struct {
		t      *testing.T
		broker *broker.Broker
		redis  *redistest.Server
		store  *detect.Store
		parts  int
	}
	produce := func(e *env, ps []seismo.Post) {
		// Keyed by post id, so each post's partition is the hash of its id.
		kcatProduce(e.t, e.broker.Addr(), "seismo.posts", encodeLines(e.t, ps, true), "-K", "\t")
	}
	start := func(e *env, name string) *worker {
		return startWorker(e.t, name, e.broker.Addr(), e.redis.Addr, e.parts)
	}
	schedules := []struct {
		name       string
		partitions int
		run        func(e *env)
	}{
		{"1 partition, 1 worker", 1, func(e *env) {
			produce(e, posts)
			start(e, "w1")
			waitEvaluated(e.t, e.store, len(posts), 3*time.Minute)
		}},
		{"1 partition, 2 workers", 1, func(e *env) {
			produce(e, posts)
			start(e, "w1")
			start(e, "w2")
			waitEvaluated(e.t, e.store, len(posts), 3*time.Minute)
		}},
		{"3 partitions, 1 worker", 3, func(e *env) {
			produce(e, posts)
			start(e, "w1")
			waitEvaluated(e.t, e.store, len(posts), 3*time.Minute)
		}},
		{"3 partitions, 3 workers", 3, func(e *env) {
			produce(e, posts)
			for _, n := range []string{"w1", "w2", "w3"} {
				start(e, n)
			}
			waitEvaluated(e.t, e.store, len(posts), 3*time.Minute)
		}},
		{"3 partitions, a worker added and one killed mid-stream", 3, func(e *env) {
			produce(e, parts[0])
			first := startWorkerProcess(e.t, "w1", e.broker.Addr(), e.redis.Addr, e.parts)
			// w2 joins while the second part is being consumed.
			produce(e, parts[1])
			start(e, "w2")
			// Then, before any partition has sat idle (a partition idle
			// for IdleTimeout no longer holds the detector back, and what
			// comes to it afterwards is truly late), w1 dies without a
			// word; w2 takes its partitions (and the detector lease, if
			// w1 held it) and consumes the rest.
			waitHandled(e.t, e.store, len(parts[0])+len(parts[1]), time.Minute)
			// Killed once the group has settled with both: a member that
			// dies half-way through a rebalance can leave the development
			// broker's group waiting for it for good.
			waitSettled(e.t, e.store, []string{"w1", "w2"}, time.Minute)
			first.kill()
			produce(e, parts[2])
			waitEvaluated(e.t, e.store, len(posts), 3*time.Minute)
		}},
	}
	for _, sc := range schedules {
		t.Run(sc.name, func(t *testing.T) {
			b, err := broker.Start(broker.Config{Addr: "127.0.0.1:0", Partitions: int32(sc.partitions)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = b.Close() })
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := ingest.EnsureTopics(ctx, []string{b.Addr()}, sc.partitions, "seismo.posts", "seismo.posts.dlq", "seismo.incidents"); err != nil {
				t.Fatal(err)
			}
			srv := redistest.Start(t)
			store, err := detect.NewStore(srv.Client(t), detect.StoreConfig{ReporterKey: []byte(eventTimeKey), Groups: detect.GroupsOf(testClassifier(t).Services())})
			if err != nil {
				t.Fatal(err)
			}
			e := &env{t: t, broker: b, redis: srv, store: store, parts: sc.partitions}
			sc.run(e)
			compareOutcomes(t, readOutcome(t, srv.Client(t), from, to), want)

			// seismo status tells a user the same: every partition idle
			// with no lag, and the detector at the watermark.
			var out, errOut bytes.Buffer
			if code := run(context.Background(), []string{"status", "--redis-addr", srv.Addr}, strings.NewReader(""), &out, &errOut); code != 0 {
				t.Fatalf("seismo status exited %d: %s", code, errOut.String())
			}
			if n := strings.Count(out.String(), " idle"); n != sc.partitions ||
				!strings.Contains(out.String(), "evaluated  through 2024-10-20T") {
				t.Errorf("seismo status shows %d idle partitions, want %d, and the last evaluated minute:\n%s", n, sc.partitions, out.String())
			}
		})
	}
}
