package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/backtest"
	"github.com/seismo-dev/seismo/classify"
	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/internal/outcome"
	"github.com/seismo-dev/seismo/internal/redisserver"
	"github.com/seismo-dev/seismo/internal/redistest"
)

var full = flag.Bool("chaos.full", false, "run the full fault-injection suite (make chaos), not its short variant")

const (
	reporterKey = "chaos-test-key" // every run hashes authors alike, so counts can agree
	adminToken  = "chaos-admin-token"
	partitions  = 3
	postsTopic  = "seismo.posts"
	eventsTopic = "seismo.incidents"
)

// A fault is injected into a running pair of workers while the stream is
// produced. inject returns after its last injection, having called
// env.recovered as each one ended.
type fault struct {
	name   string
	short  bool // in the short variant CI runs
	inject func(e *env)
}

// row is one line of the suite's table.
type row struct {
	fault          string
	times          int
	posts          int
	countsEqual    bool
	incidentsEqual bool
	eventsEqual    bool
	dupTopic       int // events on seismo.incidents more than once
	dupWebhook     int // events delivered to the webhook as more than one message
	// resent is the webhook messages delivered again under the same id:
	// a sender killed between a receiver's answer and its record of it
	// sends again, and receivers drop repeats by webhook-id, as Standard
	// Webhooks tells them to.
	resent          int
	recovery        time.Duration
	incidents, evts int
}

// TestChaos produces one seeded stream with two outages into the
// repository's broker (a `seismo broker` process with a data dir), read by
// two `seismo run` processes into a redis-server with AOF, through proxies
// that can delay, reset and cut their links; each case injects its fault
// while the stream is produced, waits for the stream to be consumed and
// decided, and holds what the run left in Redis, the events on the event
// topic and the webhook deliveries to the backtest of the same posts.
func TestChaos(t *testing.T) {
	redistest.Require(t, "redis-server")
	posts, err := outcome.Stream(filepath.Join("testdata", "chaos.yaml"), 3)
	if err != nil {
		t.Fatal(err)
	}
	want := reference(t, posts)
	bin := seismoBinary(t)

	// Pace: the stream is produced over this much wall time, so faults
	// land while it flows and while outages open.
	pace := 40 * time.Second
	if *full {
		pace = 90 * time.Second
	}
	// The cases run side by side: each has processes and ports of its
	// own, and they are light (the stream is about a hundred posts a
	// second).
	var cases []fault
	for _, f := range faults(*full) {
		if *full || f.short {
			cases = append(cases, f)
		}
	}
	rows := make([]row, len(cases))
	t.Run("cases", func(t *testing.T) {
		for i, f := range cases {
			t.Run(strings.ReplaceAll(f.name, " ", "_"), func(t *testing.T) {
				t.Parallel()
				rows[i] = runCase(t, bin, posts, want, pace, f)
			})
		}
	})
	var b bytes.Buffer
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "fault\ttimes\tposts\tcounts equal\tincidents equal\tevents equal\tduplicate events (topic/webhook)\twebhook messages resent\trecovery")
	yes := func(ok bool) string {
		if ok {
			return "yes"
		}
		return "NO"
	}
	for _, r := range rows {
		rec := "-"
		if r.times > 0 {
			rec = r.recovery.Round(100 * time.Millisecond).String()
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s (%d)\t%s (%d)\t%d/%d\t%d\t%s\n", r.fault, r.times, r.posts, yes(r.countsEqual),
			yes(r.incidentsEqual), r.incidents, yes(r.eventsEqual), r.evts, r.dupTopic, r.dupWebhook, r.resent, rec)
	}
	tw.Flush()
	t.Logf("fault-injection suite (%s variant):\n%s", map[bool]string{true: "full", false: "short"}[*full], b.String())
}

// faults are the cases, in the order the table lists them.
func faults(full bool) []fault {
	kills, cut := 2, 12*time.Second
	if full {
		kills, cut = 6, 30*time.Second
	}
	return []fault{
		{name: "none", short: true, inject: func(*env) {}},
		{name: "kill -9 worker (leader every other time)", short: true, inject: func(e *env) {
			for i := range kills {
				e.waitProduced(float64(i+1) / float64(kills+2))
				e.waitSettled()
				name := e.otherThanLeader()
				if i%2 == 0 {
					name = e.leader()
				}
				e.logf("kill -9 %s (leader %s)", name, e.leader())
				e.workers[name].kill()
				time.Sleep(time.Second)
				e.startWorker(name)
				e.ended()
			}
		}},
		{name: "kill -9 redis-server, restart from AOF", short: true, inject: func(e *env) {
			n := 1 + kills/3
			for i := range n {
				e.waitProduced(float64(i+1) / float64(n+2))
				e.redis.Stop()
				time.Sleep(2 * time.Second)
				e.startRedis()
				e.ended()
			}
		}},
		{name: "kill -9 broker, restart from its data dir", short: true, inject: func(e *env) {
			n := 1 + kills/3
			for i := range n {
				e.waitProduced(float64(i+1) / float64(n+2))
				e.waitSettled()
				e.stopBroker()
				time.Sleep(2 * time.Second)
				e.startBroker()
				e.ended()
			}
		}},
		{name: "network: latency, resets, cut to Redis", short: true, inject: func(e *env) {
			e.waitProduced(0.15)
			for _, p := range e.proxies() {
				p.SetDelay(20 * time.Millisecond)
			}
			time.Sleep(5 * time.Second)
			for _, p := range e.proxies() {
				p.SetDelay(0)
			}
			e.ended()
			for range 3 {
				for _, p := range e.proxies() {
					p.Reset()
				}
				e.ended()
				time.Sleep(2 * time.Second)
			}
			e.waitProduced(0.5)
			leader := e.leader()
			e.logf("cut %s from Redis for %s", leader, cut)
			e.redisProxy[leader].Cut()
			time.Sleep(cut)
			e.redisProxy[leader].Heal()
			e.ended()
		}},
		{name: fmt.Sprintf("network: cut to the broker for %s", cut), short: true, inject: func(e *env) {
			e.waitProduced(0.4)
			e.brokerProxy.Cut()
			time.Sleep(cut)
			e.brokerProxy.Heal()
			e.ended()
		}},
		{name: "leader killed as an outage opens", short: true, inject: func(e *env) {
			for _, typ := range []string{seismo.EventOpened} {
				e.waitEvent(typ)
				name := e.leader()
				e.logf("kill -9 leader %s at the first %s event", name, typ)
				e.workers[name].kill()
				time.Sleep(time.Second)
				e.startWorker(name)
				e.ended()
			}
		}},
	}
}

func runCase(t *testing.T, bin string, posts []seismo.Post, want outcome.Outcome, pace time.Duration, f fault) row {
	e := newEnv(t, bin)
	e.startWorker("w1")
	e.startWorker("w2")
	e.subscribe()
	e.waitSettled()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.total = len(posts)
	produced := make(chan error, 1)
	go func() { produced <- e.produce(ctx, posts, pace) }()
	var polling sync.WaitGroup
	polling.Go(func() { e.poll(ctx) })
	f.inject(e)
	if err := <-produced; err != nil {
		t.Fatalf("produce: %v", err)
	}
	began := time.Now()
	e.waitDrained(len(posts), 4*time.Minute)
	e.logf("drained %s after the last post was produced", time.Since(began).Round(100*time.Millisecond))
	cancel()
	polling.Wait()

	r := row{fault: f.name, times: len(e.ends), posts: len(posts), recovery: e.recovery()}
	got := e.outcome(posts)
	r.incidents, r.evts = len(got.Incidents), len(got.Events)
	counts := got.CountsDiff(want)
	incidents := got.IncidentsDiff(want)
	var events []string
	for _, d := range got.Diff(want) {
		if strings.HasPrefix(d, "event") {
			events = append(events, d)
		}
	}
	r.countsEqual, r.incidentsEqual, r.eventsEqual = len(counts) == 0, incidents == "", len(events) == 0
	for _, d := range append(append(counts, incidents), events...) {
		if d != "" {
			t.Error(d)
		}
	}
	topic := e.topicEvents()
	r.dupTopic = duplicates(topic)
	r.dupWebhook, r.resent = e.hook.duplicates()
	if r.dupTopic > 0 || r.dupWebhook > 0 {
		t.Errorf("events repeated: %d on %s, %d delivered to the webhook", r.dupTopic, eventsTopic, r.dupWebhook)
	}
	wantIDs := eventIDs(want.Events)
	if got := slices.Sorted(slices.Values(unique(topic))); !slices.Equal(got, wantIDs) {
		t.Errorf("events on %s\n got %v\nwant %v", eventsTopic, got, wantIDs)
	}
	if got := slices.Sorted(slices.Values(unique(e.hook.delivered()))); !slices.Equal(got, wantIDs) {
		t.Errorf("events delivered to the webhook\n got %v\nwant %v", got, wantIDs)
	}
	return r
}

var (
	clsOnce sync.Once
	cls     *classify.Classifier
	clsErr  error
)

func storeConfig(t *testing.T) detect.StoreConfig {
	t.Helper()
	clsOnce.Do(func() { cls, clsErr = classify.New(classify.Config{}) })
	if clsErr != nil {
		t.Fatal(clsErr)
	}
	return detect.StoreConfig{ReporterKey: []byte(reporterKey), Groups: detect.GroupsOf(cls.Services())}
}

// reference is what the backtest's replay of the posts in event time
// leaves in a redis-server: what every run must reproduce.
func reference(t *testing.T, posts []seismo.Post) outcome.Outcome {
	t.Helper()
	srv := redistest.Start(t)
	cfg := storeConfig(t)
	store, err := detect.NewStore(srv.Client(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	sorted := slices.Clone(posts)
	slices.SortStableFunc(sorted, func(a, b seismo.Post) int { return a.CreatedAt.Compare(b.CreatedAt) })
	if _, err := backtest.Replay(context.Background(), sorted, backtest.Options{Classifier: cls, Store: store,
		Config: detect.DefaultConfig()}); err != nil {
		t.Fatal(err)
	}
	from, to := outcome.Span(posts)
	o, err := outcome.Read(context.Background(), srv.Client(t), cfg, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Incidents) < 2 {
		t.Fatalf("the backtest found %d incidents, want the scenario's 2", len(o.Incidents))
	}
	return o
}

// seismoBinary builds the command once for the suite.
func seismoBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "seismo")
	out, err := exec.Command("go", "build", "-o", bin, "../../cmd/seismo").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// env is one case's processes: a broker, a redis-server, two workers, the
// proxies between them and a webhook receiver.
type env struct {
	t   *testing.T
	bin string
	dir string

	brokerPort  int
	broker      *exec.Cmd
	brokerDone  chan struct{}
	brokerProxy *Proxy

	redisPort  int
	redis      *redisserver.Server
	redisProxy map[string]*Proxy // by worker
	rdb        *redis.Client     // direct, for the test's own reads
	store      *detect.Store

	mu      sync.Mutex
	workers map[string]*process

	total    int
	produced atomic.Int64
	hook     *receiver
	began    time.Time
	ends     []mark // of injections
	handled  []mark // samples of the messages handled
}

func newEnv(t *testing.T, bin string) *env {
	t.Helper()
	e := &env{t: t, bin: bin, dir: t.TempDir(), workers: map[string]*process{}, redisProxy: map[string]*Proxy{}, began: time.Now()}
	var err error
	if e.redisPort, err = redisserver.FreePort(); err != nil {
		t.Fatal(err)
	}
	e.startRedis()
	e.rdb = redis.NewClient(&redis.Options{Addr: e.redis.Addr, DialTimeout: 2 * time.Second, ReadTimeout: 5 * time.Second, MaxRetries: -1})
	t.Cleanup(func() { e.rdb.Close() })
	if e.store, err = detect.NewStore(e.rdb, storeConfig(t)); err != nil {
		t.Fatal(err)
	}
	if e.brokerPort, err = redisserver.FreePort(); err != nil {
		t.Fatal(err)
	}
	if e.brokerProxy, err = NewProxy(fmt.Sprintf("127.0.0.1:%d", e.brokerPort)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.brokerProxy.Close() })
	e.startBroker()
	e.hook = newReceiver(t)
	return e
}

func (e *env) logf(format string, args ...any) {
	e.t.Helper()
	e.t.Logf("%6.1fs "+format, append([]any{time.Since(e.began).Seconds()}, args...)...)
}

func (e *env) startRedis() {
	e.t.Helper()
	dir := filepath.Join(e.dir, "redis")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		e.t.Fatal(err)
	}
	// Every write reaches the AOF before its reply: a kill -9 of the
	// process loses nothing that was acknowledged.
	srv, err := redisserver.Start(dir, e.redisPort, "--appendonly", "yes", "--appendfsync", "always")
	if err != nil {
		e.t.Fatal(err)
	}
	e.redis = srv
	e.t.Cleanup(srv.Stop)
}

func (e *env) startBroker() {
	e.t.Helper()
	cmd := exec.Command(e.bin, "broker", "--addr", fmt.Sprintf("127.0.0.1:%d", e.brokerPort),
		"--advertise", e.brokerProxy.Addr(), "--data-dir", filepath.Join(e.dir, "broker"),
		"--partitions", strconv.Itoa(partitions), "--log-level", "warn")
	logf, err := os.OpenFile(filepath.Join(e.dir, "broker.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		e.t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(done) }()
	e.broker, e.brokerDone = cmd, done
	e.t.Cleanup(e.stopBroker)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", e.brokerPort), time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("the broker did not listen within 20s: %s", tail(filepath.Join(e.dir, "broker.log")))
		}
	}
}

// stopBroker kills the broker at once: kill -9.
func (e *env) stopBroker() {
	_ = e.broker.Process.Kill()
	<-e.brokerDone
}

func (e *env) proxies() []*Proxy {
	ps := []*Proxy{e.brokerProxy}
	for _, p := range e.redisProxy {
		ps = append(ps, p)
	}
	return ps
}

// process is one `seismo run`.
type process struct {
	name, http string
	cmd        *exec.Cmd
	done       chan struct{}
}

func (p *process) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

func (e *env) startWorker(name string) {
	e.t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	rp := e.redisProxy[name]
	if rp == nil {
		var err error
		if rp, err = NewProxy(e.redis.Addr); err != nil {
			e.t.Fatal(err)
		}
		e.redisProxy[name] = rp
		e.t.Cleanup(func() { rp.Close() })
	}
	port, err := redisserver.FreePort()
	if err != nil {
		e.t.Fatal(err)
	}
	p := &process{name: name, http: fmt.Sprintf("127.0.0.1:%d", port), done: make(chan struct{})}
	p.cmd = exec.Command(e.bin, "run", "--kafka-brokers", e.brokerProxy.Addr(), "--redis-addr", rp.Addr(),
		"--http-addr", p.http, "--reporter-key", reporterKey, "--instance", name, "--worker-id", name,
		"--partitions", strconv.Itoa(partitions), "--lease-ttl", "3s", "--idle-timeout", "3s", "--log-level", "info",
		"--admin-token", adminToken, "--webhook-allow-net", "127.0.0.0/8", "--webhook-retry-schedule", "1s,2s,4s,8s,16s")
	// Every setting is on the command line.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SEISMO_") {
			p.cmd.Env = append(p.cmd.Env, kv)
		}
	}
	logf, err := os.OpenFile(filepath.Join(e.dir, name+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		e.t.Fatal(err)
	}
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	if err := p.cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); logf.Close(); close(p.done) }()
	e.workers[name] = p
	e.t.Cleanup(func() {
		if e.t.Failed() {
			e.t.Logf("log of %s (last lines):\n%s", name, tail(filepath.Join(e.dir, name+".log")))
		}
	})
	e.t.Cleanup(p.kill)
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	return redisserver.LastLines(string(b), 40)
}

// leader is the worker whose seismo_detector_leader gauge is 1, waiting
// for one.
func (e *env) leader() string {
	e.t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		e.mu.Lock()
		ws := slices.Collect(maps.Values(e.workers))
		e.mu.Unlock()
		for _, w := range ws {
			if gauge(w.http, "seismo_detector_leader") == 1 {
				return w.name
			}
		}
	}
	e.t.Fatal("no worker led within a minute")
	return ""
}

func (e *env) otherThanLeader() string {
	if e.leader() == "w1" {
		return "w2"
	}
	return "w1"
}

// gauge reads one unlabelled gauge from a worker's /metrics; -1 when it
// cannot.
func gauge(addr, name string) int {
	c := &http.Client{Timeout: time.Second}
	resp, err := c.Get("http://" + addr + "/metrics")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err == nil {
				return int(f)
			}
		}
	}
	return -1
}

// waitSettled waits until both workers hold partitions in one generation:
// a member killed half-way through a rebalance can leave the development
// broker's group waiting for it for good.
func (e *env) waitSettled() {
	e.t.Helper()
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		p, err := e.store.Progress(ctx)
		cancel()
		if err == nil && outcome.Settled(p, []string{"w1", "w2"}) {
			return
		}
	}
	e.t.Fatal("the group did not settle with w1 and w2 within 90s")
}

// waitProduced waits until share of the stream is produced.
func (e *env) waitProduced(share float64) {
	for float64(e.produced.Load()) < share*float64(e.total) {
		time.Sleep(20 * time.Millisecond)
	}
}

// waitEvent waits for the first event of type typ in the event stream.
func (e *env) waitEvent(typ string) {
	e.t.Helper()
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		evs, err := e.store.Events(ctx, "0", 100, 0)
		cancel()
		if err != nil {
			continue
		}
		for _, ev := range evs {
			if ev.Event.Type == typ {
				return
			}
		}
	}
	e.t.Fatalf("no %s event within 3 minutes", typ)
}

// waitDrained waits until the stream is consumed and decided.
func (e *env) waitDrained(n int, within time.Duration) {
	e.t.Helper()
	var p detect.Progress
	var err error
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		p, err = e.store.Progress(ctx)
		cancel()
		if err == nil && outcome.Drained(p, n) {
			return
		}
	}
	b, _ := json.MarshalIndent(p, "", "  ")
	e.t.Fatalf("stream not consumed and decided within %s (err %v):\n%s", within, err, b)
}

// ended marks the end of an injection: the recovery time runs from here
// until every post produced so far is handled.
func (e *env) ended() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ends = append(e.ends, mark{at: time.Now(), n: e.produced.Load()})
}

// mark is a count at a moment.
type mark struct {
	at time.Time
	n  int64
}

// poll samples the messages handled over every partition until ctx ends.
func (e *env) poll(ctx context.Context) {
	for ctx.Err() == nil {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		p, err := e.store.Progress(pctx)
		cancel()
		if err == nil {
			e.mu.Lock()
			e.handled = append(e.handled, mark{at: time.Now(), n: outcome.Handled(p)})
			e.mu.Unlock()
		}
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// recovery is the longest time from the end of an injection until the
// workers had handled every post produced before it ended.
func (e *env) recovery() time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	var worst time.Duration
	for _, end := range e.ends {
		i := slices.IndexFunc(e.handled, func(h mark) bool { return h.at.After(end.at) && h.n >= end.n })
		if i < 0 {
			e.t.Errorf("the posts produced before the injection that ended at %s were never all handled", end.at.Format(time.TimeOnly))
			continue
		}
		worst = max(worst, e.handled[i].at.Sub(end.at))
	}
	return worst
}

// produce writes the posts, keyed by id, at an even pace over pace,
// straight to the broker (the proxy's faults are the workers'); a batch
// that fails is written again until it succeeds, as a producer does, and
// the store's idempotence absorbs what that repeats.
func (e *env) produce(ctx context.Context, posts []seismo.Post, pace time.Duration) error {
	direct := fmt.Sprintf("127.0.0.1:%d", e.brokerPort)
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	w := &kafka.Writer{
		Addr:         kafka.TCP(direct),
		Topic:        postsTopic,
		Balancer:     &kafka.Hash{},
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: time.Millisecond,
		WriteTimeout: 5 * time.Second,
		ReadTimeout:  5 * time.Second,
		MaxAttempts:  3,
		Transport: &kafka.Transport{
			// Metadata names the proxy; the producer goes round it.
			Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
				if addr == e.brokerProxy.Addr() {
					addr = direct
				}
				return dialer.DialContext(ctx, network, addr)
			},
		},
	}
	defer w.Close()
	const chunk = 100
	start := time.Now()
	for i := 0; i < len(posts); i += chunk {
		msgs := make([]kafka.Message, 0, chunk)
		for _, p := range posts[i:min(i+chunk, len(posts))] {
			v, err := json.Marshal(p)
			if err != nil {
				return err
			}
			msgs = append(msgs, kafka.Message{Key: []byte(p.ID), Value: v})
		}
		if d := time.Until(start.Add(pace * time.Duration(i) / time.Duration(len(posts)))); d > 0 {
			time.Sleep(d)
		}
		for attempt := 0; ; attempt++ {
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err := w.WriteMessages(wctx, msgs...)
			cancel()
			if err == nil {
				break
			}
			if ctx.Err() != nil || attempt == 60 {
				return fmt.Errorf("posts %d..%d: %w", i, i+len(msgs), err)
			}
			time.Sleep(500 * time.Millisecond)
		}
		e.produced.Add(int64(len(msgs)))
	}
	return nil
}

// outcome reads what the run left in Redis.
func (e *env) outcome(posts []seismo.Post) outcome.Outcome {
	e.t.Helper()
	from, to := outcome.Span(posts)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	o, err := outcome.Read(ctx, e.rdb, storeConfig(e.t), from, to)
	if err != nil {
		e.t.Fatal(err)
	}
	return o
}

// topicEvents reads the id of every event on the event topic.
func (e *env) topicEvents() []string {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client := &kafka.Client{Addr: kafka.TCP(e.brokerProxy.Addr()), Timeout: 10 * time.Second}
	ids := []int{}
	for p := range partitions {
		ids = append(ids, p)
	}
	var reqs []kafka.OffsetRequest
	for _, p := range ids {
		reqs = append(reqs, kafka.LastOffsetOf(p))
	}
	res, err := client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{eventsTopic: reqs}})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, po := range res.Topics[eventsTopic] {
		if po.Error != nil {
			e.t.Fatal(po.Error)
		}
		if po.LastOffset == 0 {
			continue
		}
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{e.brokerProxy.Addr()}, Topic: eventsTopic, Partition: po.Partition, MaxWait: 100 * time.Millisecond})
		for {
			m, err := r.ReadMessage(ctx)
			if err != nil {
				r.Close()
				e.t.Fatal(err)
			}
			var ev seismo.Event
			if err := json.Unmarshal(m.Value, &ev); err != nil {
				e.t.Errorf("event topic message %d/%d: %v", m.Partition, m.Offset, err)
			}
			out = append(out, ev.ID)
			if m.Offset >= po.LastOffset-1 {
				break
			}
		}
		r.Close()
	}
	return out
}

// subscribe registers the receiver for every event, through w1's API.
func (e *env) subscribe() {
	e.t.Helper()
	body, _ := json.Marshal(map[string]any{"url": e.hook.url})
	var created struct {
		Secret string `json:"secret"`
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		req, _ := http.NewRequest(http.MethodPost, "http://"+e.workers["w1"].http+"/v1/webhooks", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+adminToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusCreated {
				if err := json.Unmarshal(b, &created); err != nil {
					e.t.Fatal(err)
				}
				break
			}
			err = fmt.Errorf("%s: %s", resp.Status, b)
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("POST /v1/webhooks: %v", err)
		}
	}
	e.hook.setSecret(created.Secret)
}

// receiver is a webhook endpoint that checks every signature and records
// the events delivered.
type receiver struct {
	t   *testing.T
	url string

	mu     sync.Mutex
	wh     *standardwebhooks.Webhook
	events []string // the event of each message, in order
	msgs   []string // the webhook-id of each message, in order
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{t: t}
	srv := httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(srv.Close)
	r.url = srv.URL + "/hook"
	return r
}

func (r *receiver) setSecret(secret string) {
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		r.t.Fatal(err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.wh = wh
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.wh == nil || r.wh.Verify(body, req.Header) != nil {
		r.t.Errorf("delivery %s does not verify", req.Header.Get("webhook-id"))
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	var ev seismo.Event
	if err := json.Unmarshal(body, &ev); err != nil || ev.ID == "" {
		r.t.Errorf("delivery %s: not an event: %v", req.Header.Get("webhook-id"), err)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	r.events = append(r.events, ev.ID)
	r.msgs = append(r.msgs, req.Header.Get("webhook-id"))
	w.WriteHeader(http.StatusNoContent)
}

// duplicates counts the events delivered as more than one message (under
// more than one webhook-id), which a receiver cannot tell apart, and the
// messages delivered again under an id already seen, which it drops.
func (r *receiver) duplicates() (events, resent int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := map[string]map[string]bool{} // event → webhook-ids
	for i, ev := range r.events {
		if ids[ev] == nil {
			ids[ev] = map[string]bool{}
		}
		if ids[ev][r.msgs[i]] {
			resent++
		}
		ids[ev][r.msgs[i]] = true
	}
	for _, m := range ids {
		if len(m) > 1 {
			events++
		}
	}
	return events, resent
}

func (r *receiver) delivered() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

func duplicates(ids []string) int {
	seen := map[string]int{}
	n := 0
	for _, id := range ids {
		if seen[id]++; seen[id] == 2 {
			n++
		}
	}
	return n
}

func unique(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func eventIDs(evs []seismo.Event) []string {
	var out []string
	for _, ev := range evs {
		out = append(out, ev.ID)
	}
	slices.Sort(out)
	return out
}
