package notify

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/internal/egress"
	"github.com/seismo-dev/seismo/internal/redistest"
	"github.com/seismo-dev/seismo/metrics"
)

// The webhook benchmarks run whole scenarios against a real redis-server
// and real HTTP receivers on 127.0.0.1: one b.N iteration is one scenario
// (tens of seconds to minutes), so run them with -benchtime=1x:
//
//	go test -run '^$' -bench Webhook -benchtime=1x ./notify
//
// Latency is from an event's entry in the stream (the milliseconds of its
// stream id, as the store reads them) to the receiver's 2xx, the first
// time each subscription got each event; repeats are counted apart.
//
//   - burst: every event is in the stream when delivery starts: how fast
//     the queue drains (deliveries/s); latency is queueing.
//   - paced: one event a second, each for every subscription: 1,000
//     deliveries a second offered; latency is what a receiver sees.
//   - refused and blackhole: paced, plus two receivers that have been
//     failing for an hour: one that refuses connections (refused) or
//     accepts them and never answers (blackhole), and one that answers
//     after 9s. The metrics are the healthy receivers'.
//
// -short runs a smaller version of each, to check the harness.

func BenchmarkWebhook(b *testing.B) {
	subs, events, hour := 1000, 100, 3600
	if testing.Short() {
		subs, events, hour = 100, 10, 60
	}
	b.Run("burst", func(b *testing.B) { benchWebhooks(b, scenario{subs: subs, events: events}) })
	b.Run("paced", func(b *testing.B) { benchWebhooks(b, scenario{subs: subs, events: events, every: time.Second}) })
	for _, down := range []string{"refused", "blackhole"} {
		b.Run(down, func(b *testing.B) {
			benchWebhooks(b, scenario{subs: subs, events: events, every: time.Second, sick: []string{down, "slow"}, hour: hour})
		})
	}
}

type scenario struct {
	subs, events int
	// every is the time between two events' entries; 0 enters them all
	// at the start.
	every time.Duration
	// sick adds failing receivers (see seedSick), each with hour
	// events' worth of deliveries queued as an hour of failure leaves
	// them.
	sick []string
	hour int
}

type benchResult struct {
	delivered      int
	dups           int64
	rate           float64 // deliveries/s
	p50, p99, pmax time.Duration
	fanOut         time.Duration // the longest from an event's entry to its fan-out
	conns          int64         // connections the healthy receiver accepted
	// Per delivery: round trips to Redis (a pipeline or a script is
	// one), commands Redis ran (those of scripts included) and the CPU
	// time Redis used.
	trips, commands, cpuUS float64
}

// tripCounter counts the round trips of a Redis client.
type tripCounter struct{ n atomic.Int64 }

func (t *tripCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (t *tripCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { t.n.Add(1); return next(ctx, cmd) }
}

func (t *tripCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { t.n.Add(1); return next(ctx, cmds) }
}

var trips tripCounter

func benchWebhooks(b *testing.B, sc scenario) {
	srv := redistest.Start(b)
	rdb := srv.Client(b)
	rdb.AddHook(&trips)
	var all []benchResult
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if err := rdb.FlushAll(context.Background()).Err(); err != nil {
			b.Fatal(err)
		}
		all = append(all, runScenario(b, rdb, sc))
	}
	mean := func(f func(r benchResult) float64) float64 {
		s := 0.0
		for _, r := range all {
			s += f(r)
		}
		return s / float64(len(all))
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(mean(func(r benchResult) float64 { return r.rate }), "deliveries/s")
	b.ReportMetric(mean(func(r benchResult) float64 { return ms(r.p50) }), "p50-ms")
	b.ReportMetric(mean(func(r benchResult) float64 { return ms(r.p99) }), "p99-ms")
	b.ReportMetric(mean(func(r benchResult) float64 { return ms(r.pmax) }), "max-ms")
	b.ReportMetric(mean(func(r benchResult) float64 { return float64(r.dups) }), "repeats")
	b.ReportMetric(mean(func(r benchResult) float64 { return ms(r.fanOut) }), "fanout-max-ms")
	b.ReportMetric(mean(func(r benchResult) float64 { return float64(r.conns) }), "receiver-conns")
	b.ReportMetric(mean(func(r benchResult) float64 { return r.trips }), "redis-trips/delivery")
	b.ReportMetric(mean(func(r benchResult) float64 { return r.commands }), "redis-cmds/delivery")
	b.ReportMetric(mean(func(r benchResult) float64 { return r.cpuUS }), "redis-cpu-µs/delivery")
}

func runScenario(b *testing.B, rdb *redis.Client, sc scenario) benchResult {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rc := newBenchReceiver(sc.subs, sc.events)
	defer rc.srv.Close()

	guard := egress.NewGuard([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")})
	src, cur := newPacedSource(), &benchCursor{}
	store := NewStore(rdb, StoreConfig{})
	w, err := NewWebhooks(store, WebhooksConfig{
		Source: src, Cursor: cur, Checker: guard,
		Client:  guard.Client(egress.ClientOptions{Timeout: 10 * time.Second, MaxIdleConnsPerHost: idleConns}),
		Timeout: 10 * time.Second, Metrics: metrics.New(),
	})
	if err != nil {
		b.Fatal(err)
	}
	for i := range sc.subs {
		if _, _, err := w.Create(ctx, SubscriptionInput{URL: ptrTo(fmt.Sprintf("%s/r/%d", rc.srv.URL, i))}); err != nil {
			b.Fatal(err)
		}
	}
	if len(sc.sick) > 0 {
		stop := seedSick(ctx, b, w, sc.sick, sc.hour)
		defer stop()
	}

	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	if len(sc.sick) > 0 {
		// The failing receivers have been failing for an hour: what is
		// measured is how the healthy ones fare then, not the first
		// moments of the queue as seeded, which this version may
		// rearrange (it parks the backlog of the busy ones).
		time.Sleep(warmUp)
	}
	before, tripsBefore := redisStats(b, rdb), trips.n.Load()
	start := time.Now()
	src.fill(rc.eventIDs, start, sc.every)
	b.StartTimer()
	deadline := start.Add(time.Duration(sc.events)*sc.every + 10*time.Minute)
	select {
	case <-rc.complete:
	case <-time.After(time.Until(deadline)):
		b.Errorf("%d of %d deliveries after %s", rc.count.Load(), sc.subs*sc.events, time.Since(start))
	}
	b.StopTimer()
	after, tripsAfter := redisStats(b, rdb), trips.n.Load()
	cancel()
	if err := <-done; err != nil {
		b.Error(err)
	}

	// Latencies of first receipts, healthy receivers only.
	var lat []time.Duration
	var last time.Time
	for s := range sc.subs {
		for e := range sc.events {
			ns := rc.first[s*sc.events+e].Load()
			if ns == 0 {
				continue
			}
			got := time.Unix(0, ns)
			lat = append(lat, got.Sub(src.at[e]))
			if got.After(last) {
				last = got
			}
		}
	}
	if len(lat) == 0 {
		b.Fatal("nothing delivered")
	}
	var fanOut time.Duration // the longest from entry to fanned out
	for e, t := range cur.fannedOut(src) {
		if !t.IsZero() {
			fanOut = max(fanOut, t.Sub(src.at[e]))
		}
	}
	slices.Sort(lat)
	q := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	n := float64(len(lat))
	return benchResult{
		delivered: len(lat), dups: rc.dups.Load(), conns: rc.conns.Load(),
		rate: n / last.Sub(start).Seconds(),
		p50:  q(0.50), p99: q(0.99), pmax: lat[len(lat)-1], fanOut: fanOut,
		trips:    float64(tripsAfter-tripsBefore) / n,
		commands: (after.commands - before.commands) / n,
		cpuUS:    (after.cpu - before.cpu) * 1e6 / n,
	}
}

// warmUp is how long delivery runs with the failing receivers before the
// first event.
const warmUp = 5 * time.Second

// idleConns is the client's MaxIdleConnsPerHost, as the process sets it.
var idleConns = DefaultWorkers

func ptrTo[T any](v T) *T { return &v }

// benchReceiver answers 200 to every POST to /r/{subscription} and keeps
// the time each subscription first got each event.
type benchReceiver struct {
	srv      *httptest.Server
	subs     int
	events   int
	eventIDs []string
	index    map[string]int
	first    []atomic.Int64 // unix ns, [sub*events+event]
	count    atomic.Int64
	dups     atomic.Int64
	conns    atomic.Int64 // connections accepted
	complete chan struct{}
}

func newBenchReceiver(subs, events int) *benchReceiver {
	rc := &benchReceiver{subs: subs, events: events, index: map[string]int{},
		first: make([]atomic.Int64, subs*events), complete: make(chan struct{})}
	for e := range events {
		id := fmt.Sprintf("svc%d-20240403T1810Z.updated.20240403T1812Z", e)
		rc.eventIDs = append(rc.eventIDs, id)
		rc.index[id] = e
	}
	rc.srv = httptest.NewUnstartedServer(http.HandlerFunc(rc.serve))
	rc.srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			rc.conns.Add(1)
		}
	}
	rc.srv.Start()
	return rc
}

func (rc *benchReceiver) serve(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	now := time.Now().UnixNano()
	sub, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/r/"))
	e, ok := rc.index[r.Header.Get("webhook-id")]
	if err != nil || !ok || sub < 0 || sub >= rc.subs {
		http.Error(w, "unknown", http.StatusNotFound)
		return
	}
	if rc.first[sub*rc.events+e].CompareAndSwap(0, now) {
		if rc.count.Add(1) == int64(rc.subs*rc.events) {
			close(rc.complete)
		}
	} else {
		rc.dups.Add(1)
	}
	w.WriteHeader(http.StatusNoContent)
}

// pacedSource is the incident event stream, in memory: each event can be
// read from its entry time on, and a read blocks until the next entry,
// as XREAD BLOCK does.
type pacedSource struct {
	mu     sync.Mutex
	events []seismo.StreamEvent
	at     []time.Time
	index  map[string]int
	filled chan struct{}
}

func newPacedSource() *pacedSource { return &pacedSource{filled: make(chan struct{})} }

// fill enters events with ids at start, start+every, ...; a read blocked
// on the empty stream returns them.
func (p *pacedSource) fill(ids []string, start time.Time, every time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	defer close(p.filled)
	p.index = map[string]int{}
	for i, id := range ids {
		at := start.Add(time.Duration(i) * every)
		sid := fmt.Sprintf("%d-%d", at.UnixMilli(), i)
		p.events = append(p.events, seismo.StreamEvent{ID: sid, Event: benchEvent(id, i, at)})
		p.at = append(p.at, time.UnixMilli(at.UnixMilli()))
		p.index[sid] = i
	}
}

func (p *pacedSource) Events(ctx context.Context, after string, count int64, block time.Duration) ([]seismo.StreamEvent, error) {
	deadline := time.Now().Add(block)
	for {
		p.mu.Lock()
		next := 0
		if i, ok := p.index[after]; ok {
			next = i + 1
		}
		var at time.Time
		if next < len(p.events) {
			at = p.at[next]
		}
		var filled <-chan struct{}
		if len(p.events) == 0 {
			filled = p.filled
		}
		if !at.IsZero() && !time.Now().Before(at) {
			end := next
			for end < len(p.events) && end-next < int(count) && !time.Now().Before(p.at[end]) {
				end++
			}
			p.mu.Unlock()
			return p.events[next:end], nil
		}
		p.mu.Unlock()
		wait := time.Until(deadline)
		if !at.IsZero() {
			wait = min(wait, time.Until(at))
		}
		if wait <= 0 {
			return nil, nil
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		case <-filled:
			t.Stop()
		}
	}
}

// benchEvent is an incident event of a usual size: a few countries, the
// global entry, problems and samples (about 2 KB of JSON).
func benchEvent(id string, i int, at time.Time) seismo.Event {
	t := time.Date(2024, 4, 3, 18, 10, 0, 0, time.UTC)
	inc := seismo.Incident{ID: fmt.Sprintf("svc%d-20240403T1810Z", i), Service: fmt.Sprintf("svc%d", i), ServiceName: "Service",
		Status: seismo.StatusOpen, Severity: seismo.SeverityDanger, StartedAt: t, PeakAt: t.Add(2 * time.Minute), UpdatedAt: at.UTC(),
		Related: []string{}}
	for _, c := range []string{"GB", "US", "BR", "IN", "DE"} {
		inc.Countries = append(inc.Countries, seismo.CountryEntry{Country: c, Status: seismo.StatusOpen, Severity: seismo.SeverityDanger,
			Observed: 412, Expected: 21.37, Ratio: 19.3, Reporters: 430, StartedAt: t, PeakAt: t.Add(2 * time.Minute)})
	}
	inc.Global = &seismo.CountryEntry{Country: seismo.AllCountries, Status: seismo.StatusOpen, Severity: seismo.SeverityDanger,
		Observed: 2100, Expected: 110, Ratio: 19.1, Reporters: 2200, StartedAt: t, PeakAt: t.Add(2 * time.Minute)}
	inc.Problems = []seismo.ProblemShare{{Problem: "login", Complaints: 300, Share: 0.61}, {Problem: "app", Complaints: 120, Share: 0.24}}
	for j := range 3 {
		inc.Samples = append(inc.Samples, seismo.Sample{PostID: fmt.Sprintf("p%d", j), Text: "is it down for everyone? cannot log in since ten minutes",
			Lang: "en", Country: "GB", CreatedAt: t.Add(time.Duration(j) * time.Second)})
	}
	return seismo.Event{ID: id, Type: seismo.EventUpdated, Timestamp: t.Add(2 * time.Minute), Data: inc}
}

// benchCursor keeps the fan-out's position in memory, and when it moved
// past each id.
type benchCursor struct {
	mu    sync.Mutex
	id    string
	saved map[string]time.Time
}

func (c *benchCursor) Load(context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.id == "" {
		return "0", nil
	}
	return c.id, nil
}

func (c *benchCursor) Save(_ context.Context, id string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.id = id
	if c.saved == nil {
		c.saved = map[string]time.Time{}
	}
	c.saved[id] = time.Now()
	return nil
}

// fannedOut returns, for each event, when the cursor first moved to or
// past it.
func (c *benchCursor) fannedOut(src *pacedSource) []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]time.Time, len(src.events))
	var next time.Time
	for i := len(src.events) - 1; i >= 0; i-- {
		if t, ok := c.saved[src.events[i].ID]; ok {
			next = t
		}
		out[i] = next
	}
	return out
}

// seedSick subscribes failing receivers of the kinds named, "refused"
// (connections refused), "blackhole" (connections accepted, never an
// answer) and "slow" (answers after 9s), and queues what an hour of
// failure at one event a second leaves: for the one that refuses
// connections, every event attempted on the default schedule up to now
// and due at its next retry; for the one that never answers and the one
// that answers in 9s, which cannot keep up with one event a second with
// their slots, every event due.
func seedSick(ctx context.Context, b *testing.B, w *Webhooks, kinds []string, hour int) (stop func()) {
	refused, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	refusedURL := "http://" + refused.Addr().String() + "/hook"
	refused.Close()

	hole, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	var conns sync.WaitGroup
	holeDone := make(chan struct{})
	go func() {
		for {
			c, err := hole.Accept()
			if err != nil {
				return
			}
			conns.Go(func() {
				go func() { <-holeDone; c.Close() }()
				_, _ = io.Copy(io.Discard, c) // reads, never answers
			})
		}
	}()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		t := time.NewTimer(9 * time.Second)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
		}
	}))

	now := time.Now()
	urls := map[string]string{"refused": refusedURL, "blackhole": "http://" + hole.Addr().String() + "/hook", "slow": slow.URL + "/hook"}
	for _, kind := range kinds {
		sub, _, err := w.Create(ctx, SubscriptionInput{URL: ptrTo(urls[kind])})
		if err != nil {
			b.Fatal(err)
		}
		if kind != "slow" {
			since := now.Add(-time.Duration(hour) * time.Second).UTC()
			if _, err := w.store.updateSub(ctx, sub.ID, func(st *storedSub) error { st.FailingSince = &since; return nil }); err != nil {
				b.Fatal(err)
			}
		}
		for i := range hour {
			at := now.Add(-time.Duration(hour-i) * time.Second).UTC()
			ev := benchEvent(fmt.Sprintf("old%d-20240403T1810Z.updated.20240403T1812Z", i), i, at)
			d, err := w.queueAt(ctx, &sub, ev, at, at)
			if err != nil {
				b.Fatal(err)
			}
			if kind != "refused" {
				continue
			}
			// Attempts so far on the schedule, without jitter.
			t := at
			for round := 0; !t.After(now) && round <= len(DefaultSchedule); round++ {
				d.Attempts = append(d.Attempts, Attempt{At: t, Error: "connection refused"})
				if round == len(DefaultSchedule) {
					d.Status, d.NextAttemptAt = StatusFailed, nil
					break
				}
				t = t.Add(DefaultSchedule[round])
				next := t
				d.NextAttemptAt = &next
			}
			if err := w.store.save(ctx, d); err != nil {
				b.Fatal(err)
			}
		}
	}
	return func() {
		close(holeDone)
		hole.Close()
		conns.Wait()
		slow.Close()
	}
}

type redisCounters struct{ commands, cpu float64 }

// redisStats reads the commands Redis has processed and the CPU seconds
// it has used.
func redisStats(b *testing.B, rdb *redis.Client) redisCounters {
	info, err := rdb.Info(context.Background(), "stats", "cpu").Result()
	if err != nil {
		b.Fatal(err)
	}
	var c redisCounters
	for line := range strings.SplitSeq(info, "\r\n") {
		k, v, _ := strings.Cut(line, ":")
		f, _ := strconv.ParseFloat(v, 64)
		switch k {
		case "total_commands_processed":
			c.commands = f
		case "used_cpu_sys", "used_cpu_user":
			c.cpu += f
		}
	}
	return c
}
