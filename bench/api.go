package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/backtest"
	"github.com/seismo-dev/seismo/broker"
	"github.com/seismo-dev/seismo/classify"
	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/simulate"
)

// APIOptions say how to load the HTTP API.
type APIOptions struct {
	Clients  int           // concurrent clients, each with its own connection
	Duration time.Duration // of the measured load, after a warm-up
	// Days of drawn scenarios (four days each, twelve countries, seeds 1
	// on) replayed into the store first, one after the other.
	Scenarios int
	// Scenario, when set, names a built-in scenario (simulate.Builtin)
	// replayed instead of drawn ones: a smaller store, for quick runs.
	Scenario string
	// Reuse keeps the store of an earlier run at RedisAddr when it was
	// filled with as many scenarios, instead of flushing and filling it.
	Reuse bool
	// RedisAddr, Binary, ProfileDir and Log as in Options.
	RedisAddr  string
	Binary     string
	ProfileDir string
	Log        io.Writer
}

// Validate reports the first bad option.
func (o APIOptions) Validate() error {
	switch {
	case o.Clients < 1 || o.Clients > 10_000:
		return errors.New("want clients in 1..10000")
	case o.Duration < time.Second:
		return errors.New("want a duration of at least 1s")
	case o.Scenarios < 1 || o.Scenarios > 50:
		return errors.New("want scenarios in 1..50")
	case o.Scenario != "" && !slices.Contains(simulate.BuiltinNames(), o.Scenario):
		return fmt.Errorf("no built-in scenario %q (there are %s)", o.Scenario, strings.Join(simulate.BuiltinNames(), ", "))
	case o.Reuse && o.RedisAddr == "":
		return errors.New("reusing a store needs the address of its Redis")
	}
	return loopbackRedis(o.RedisAddr)
}

// APIResult is what one load run measured.
type APIResult struct {
	APIOptions
	Incidents int // in the store
	Keys      int // in the store
	Posts     int // replayed into it
	Elapsed   time.Duration
	Endpoints []EndpointStats
	CPU       time.Duration // of seismo run in the measured load
	RedisCPU  time.Duration // of redis-server in it
	MaxRSS    int64
}

// EndpointStats are the latencies of one kind of request.
type EndpointStats struct {
	Name      string
	Requests  int
	Errors    int
	Bytes     int64
	Latencies []time.Duration // sorted
	FirstErr  string
}

// Quantile returns the latency below which q of the requests finished.
func (e *EndpointStats) Quantile(q float64) time.Duration {
	if len(e.Latencies) == 0 {
		return 0
	}
	i := int(q*float64(len(e.Latencies))+0.5) - 1
	return e.Latencies[min(max(i, 0), len(e.Latencies)-1)]
}

// RunAPI fills a store with drawn scenarios, starts `seismo run` on it and
// loads its HTTP API with Clients concurrent clients for Duration.
func RunAPI(ctx context.Context, o APIOptions) (APIResult, error) {
	res := APIResult{APIOptions: o}
	if err := o.Validate(); err != nil {
		return res, err
	}
	log := locked(o.Log)
	say := sayer(log)
	redisAddr, rdb, closeRedis, err := openRedis(ctx, o.RedisAddr, o.Reuse)
	if err != nil {
		return res, err
	}
	defer closeRedis()
	cls, err := classify.New(classify.Config{})
	if err != nil {
		return res, err
	}
	const key = "bench reporter key"
	store, err := detect.NewStore(rdb, detect.StoreConfig{ReporterKey: []byte(key), Groups: detect.GroupsOf(cls.Services())})
	if err != nil {
		return res, err
	}
	var targets loadTargets
	scs, what := o.scenarios()
	filled := what
	if mark, _ := rdb.Get(ctx, fillMark).Result(); o.Reuse && strings.HasPrefix(mark, filled+",") {
		say("reusing the store: %s", mark)
		res.Posts, _ = strconv.Atoi(strings.TrimPrefix(mark, filled+", posts "))
	} else {
		if o.Reuse {
			if err := rdb.FlushAll(ctx).Err(); err != nil {
				return res, err
			}
		}
		began := time.Now()
		if res.Posts, err = fill(ctx, store, cls, scs); err != nil {
			return res, err
		}
		if err := rdb.Set(ctx, fillMark, fmt.Sprintf("%s, posts %d", filled, res.Posts), 0).Err(); err != nil {
			return res, err
		}
		say("replayed %d posts of %s into the store in %s", res.Posts, what, time.Since(began).Round(time.Second))
	}
	for _, sc := range scs {
		for _, out := range sc.Outages {
			for svc, byCountry := range out.Reporters {
				targets.services = append(targets.services, svc)
				for cc := range byCountry {
					targets.countries = append(targets.countries, cc)
				}
			}
		}
	}
	for f := (detect.Filter{Limit: 1000}); ; {
		p, err := store.IncidentPage(ctx, f)
		if err != nil {
			return res, err
		}
		for _, in := range p.Incidents {
			targets.incidents = append(targets.incidents, in.ID)
		}
		if f.Cursor = p.Next; f.Cursor == "" {
			break
		}
	}
	res.Incidents = len(targets.incidents)
	if n, err := rdb.DBSize(ctx).Result(); err == nil {
		res.Keys = int(n)
	}

	b, err := broker.Start(broker.Config{Addr: "127.0.0.1:0", Partitions: 3})
	if err != nil {
		return res, err
	}
	defer b.Close()
	// The API of a worker that consumes an idle topic: the detector is
	// off, so the load is the API's alone, and the store stays as filled.
	extra, err := profileFlags(o.ProfileDir)
	if err != nil {
		return res, err
	}
	proc, err := startSeismo(o.Binary, b.Addr(), redisAddr, log, append(extra, "--detect=false", "--reporter-key", key)...)
	if err != nil {
		return res, err
	}
	defer proc.stop()
	if err := proc.waitReady(ctx, time.Minute); err != nil {
		return res, err
	}
	base := "http://" + proc.httpAddr
	reqs := targets.requests()
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: o.Clients, MaxIdleConnsPerHost: o.Clients, IdleConnTimeout: time.Minute}}
	defer client.CloseIdleConnections()

	say("warming up: %d clients for 2s", o.Clients)
	load(ctx, client, base, reqs, o.Clients, 2*time.Second)
	cpu0, err := processCPU(proc.cmd.Process.Pid)
	if err != nil {
		return res, err
	}
	rcpu0, err := redisCPU(ctx, rdb)
	if err != nil {
		return res, err
	}
	say("loading: %d clients for %s", o.Clients, o.Duration)
	t0 := time.Now()
	res.Endpoints = load(ctx, client, base, reqs, o.Clients, o.Duration)
	res.Elapsed = time.Since(t0)
	cpu1, err := processCPU(proc.cmd.Process.Pid)
	if err != nil {
		return res, err
	}
	rcpu1, err := redisCPU(ctx, rdb)
	if err != nil {
		return res, err
	}
	res.CPU, res.RedisCPU = cpu1-cpu0, rcpu1-rcpu0
	if res.MaxRSS, err = peakRSS(proc.cmd.Process.Pid); err != nil {
		return res, err
	}
	if err := proc.stop(); err != nil {
		return res, fmt.Errorf("seismo run: %w", err)
	}
	return res, ctx.Err()
}

// fillMark is the key that says what filled a bench's store.
const fillMark = "seismo-bench:filled"

// scenarios are the scenarios that fill the store, and what to call them.
func (o APIOptions) scenarios() ([]*simulate.Scenario, string) {
	if o.Scenario != "" {
		sc, _ := simulate.Builtin(o.Scenario) // Validate checked the name
		return []*simulate.Scenario{sc}, "scenario " + o.Scenario
	}
	var scs []*simulate.Scenario
	for i := range o.Scenarios {
		scs = append(scs, simulate.Draw(uint64(i+1)))
	}
	return scs, fmt.Sprintf("%d drawn scenarios", o.Scenarios)
}

// fill replays the scenarios into the store, each following the one
// before in event time, and returns the posts replayed.
func fill(ctx context.Context, store *detect.Store, cls *classify.Classifier, scs []*simulate.Scenario) (int, error) {
	var posts []seismo.Post
	var shift time.Duration
	for _, sc := range scs {
		if err := sc.Generate(func(p seismo.Post) error {
			p.CreatedAt = p.CreatedAt.Add(shift)
			posts = append(posts, p)
			return nil
		}); err != nil {
			return 0, err
		}
		shift += sc.End.Sub(sc.Start)
	}
	_, err := backtest.Replay(ctx, posts, backtest.Options{Classifier: cls, Store: store, Config: detect.DefaultConfig(), Flush: time.Hour})
	if err != nil {
		return 0, fmt.Errorf("fill the store: %w", err)
	}
	return len(posts), nil
}

// loadTargets are what the requests ask about: services and countries
// with outages, and incidents.
type loadTargets struct {
	services, countries, incidents []string
}

// request is one kind of request, with the paths it cycles through.
type request struct {
	name  string
	paths []string
}

// requests are the reads the API's users make: the listings and feeds
// that pollers and feed readers fetch, one incident, the dashboard's
// overview, and its charts.
func (t loadTargets) requests() []request {
	svcs := dedupe(t.services)
	ccs := dedupe(t.countries)
	var (
		byService, incident, world, country []string
	)
	for _, s := range svcs {
		byService = append(byService, "/v1/incidents?status=resolved&service="+url.QueryEscape(s))
		world = append(world, "/v1/series/"+url.PathEscape(s))
		for _, cc := range ccs {
			country = append(country, "/v1/series/"+url.PathEscape(s)+"?step=1m&country="+cc)
		}
	}
	for _, id := range t.incidents {
		incident = append(incident, "/v1/incidents/"+url.PathEscape(id))
	}
	return []request{
		{"GET /v1/incidents", []string{"/v1/incidents"}},
		{"GET /v1/incidents?limit=1000", []string{"/v1/incidents?limit=1000"}},
		{"GET /v1/incidents?status=resolved&service=S", byService},
		{"GET /v1/incidents/{id}", incident},
		{"GET /v1/series/{service} (world, 1 day)", world},
		{"GET /v1/series/{service}?country=CC&step=1m", country},
		{"GET /v1/overview", []string{"/v1/overview"}},
		{"GET /v1/feed.json", []string{"/v1/feed.json"}},
		{"GET /v1/feed.atom", []string{"/v1/feed.atom"}},
	}
}

func dedupe(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// load has clients request the kinds of requests in turn, each client
// starting at another, for d, and returns the latencies per kind.
func load(ctx context.Context, client *http.Client, base string, reqs []request, clients int, d time.Duration) []EndpointStats {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var mu sync.Mutex
	stats := make([]EndpointStats, len(reqs))
	for i, r := range reqs {
		stats[i].Name = r.name
	}
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			mine := make([]EndpointStats, len(reqs))
			buf := make([]byte, 32<<10)
			for n := c; ctx.Err() == nil; n++ {
				k := n % len(reqs)
				paths := reqs[k].paths
				if len(paths) == 0 {
					continue
				}
				path := paths[(n/len(reqs))%len(paths)]
				t0 := time.Now()
				size, err := fetch(ctx, client, base+path, buf)
				lat := time.Since(t0)
				if ctx.Err() != nil {
					break // cut off by the end of the run, not slow
				}
				e := &mine[k]
				e.Requests++
				e.Bytes += size
				e.Latencies = append(e.Latencies, lat)
				if err != nil {
					e.Errors++
					if e.FirstErr == "" {
						e.FirstErr = path + ": " + err.Error()
					}
				}
			}
			mu.Lock()
			defer mu.Unlock()
			for k := range mine {
				s := &stats[k]
				s.Requests += mine[k].Requests
				s.Errors += mine[k].Errors
				s.Bytes += mine[k].Bytes
				s.Latencies = append(s.Latencies, mine[k].Latencies...)
				if s.FirstErr == "" {
					s.FirstErr = mine[k].FirstErr
				}
			}
		})
	}
	wg.Wait()
	for i := range stats {
		slices.Sort(stats[i].Latencies)
	}
	return stats
}

// fetch GETs target and reads the whole body, as a client does; any status
// but 200 is an error.
func fetch(ctx context.Context, client *http.Client, target string, buf []byte) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.CopyBuffer(io.Discard, resp.Body, buf)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = errors.New(resp.Status)
	}
	return n, err
}

// WriteTable writes the latencies per kind of request.
func (r APIResult) WriteTable(w io.Writer) {
	total, errs := 0, 0
	all := EndpointStats{Name: "all"}
	for _, e := range r.Endpoints {
		total += e.Requests
		errs += e.Errors
		all.Requests += e.Requests
		all.Errors += e.Errors
		all.Bytes += e.Bytes
		all.Latencies = append(all.Latencies, e.Latencies...)
	}
	slices.Sort(all.Latencies)
	_, what := r.scenarios()
	fmt.Fprintf(w, "store: %d posts of %s, %d incidents, %d keys; %d clients for %s\n",
		r.Posts, what, r.Incidents, r.Keys, r.Clients, r.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "%-46s %9s %7s %9s %9s %9s %9s %9s\n", "request", "requests", "errors", "KB each", "p50", "p90", "p99", "max")
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }
	for _, e := range append(slices.Clone(r.Endpoints), all) {
		kb := 0.0
		if e.Requests > 0 {
			kb = float64(e.Bytes) / float64(e.Requests) / 1024
		}
		fmt.Fprintf(w, "%-46s %9d %7d %9.1f %9s %9s %9s %9s\n", e.Name, e.Requests, e.Errors, kb,
			ms(e.Quantile(0.5)), ms(e.Quantile(0.9)), ms(e.Quantile(0.99)), ms(e.Quantile(1)))
	}
	fmt.Fprintf(w, "%.0f requests/s; seismo run %.2f ms CPU per request, peak RSS %.0f MB; redis-server %.2f ms CPU per request; %d cores\n",
		float64(total)/r.Elapsed.Seconds(), float64(r.CPU.Microseconds())/1000/float64(max(total, 1)),
		float64(r.MaxRSS)/(1<<20), float64(r.RedisCPU.Microseconds())/1000/float64(max(total, 1)), runtime.NumCPU())
	for _, e := range r.Endpoints {
		if e.FirstErr != "" {
			fmt.Fprintf(w, "first error of %s: %s\n", e.Name, strings.TrimSpace(e.FirstErr))
		}
	}
}

// Errors is the number of failed requests.
func (r APIResult) Errors() int {
	n := 0
	for _, e := range r.Endpoints {
		n += e.Errors
	}
	return n
}
