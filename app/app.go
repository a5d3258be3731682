// Package app wires seismo's stages into one process: the ingest worker,
// the detector under its lease, the incident event relay and the HTTP API,
// over one Redis. It is the composition root that `seismo run` and `seismo
// demo` start, and that tests start without the command.
package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"time"
	"unicode"

	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"
	"golang.org/x/sync/errgroup"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/api"
	"github.com/seismo-dev/seismo/classify"
	"github.com/seismo-dev/seismo/dashboard"
	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/ingest"
	"github.com/seismo-dev/seismo/internal/egress"
	"github.com/seismo-dev/seismo/metrics"
	"github.com/seismo-dev/seismo/notify"
)

// Options configure one seismo process.
type Options struct {
	// Redis holds the counts, the detector's state, the incidents and the
	// event stream; required.
	Redis redis.UniversalClient
	// Classifier decides which posts are complaints; required.
	Classifier *classify.Classifier
	// Ingest configures the consumer; zero fields take ingest's defaults,
	// but Brokers is required.
	Ingest ingest.Config
	// Detect configures the detector; start from detect.DefaultConfig().
	Detect detect.Config
	// ReporterKey is the HMAC key reporters are hashed with; every process
	// of a deployment must share it (see detect.SharedReporterKey);
	// required.
	ReporterKey []byte
	// HTTPAddr is where the API listens; required (":0" picks a port).
	HTTPAddr string
	// IncidentsTopic receives every incident event; "" turns that off.
	IncidentsTopic string
	// NoDetector runs ingest and the API only: this process does not even
	// campaign for the detector lease.
	NoDetector bool
	// Instance names this process in the detector lease; "" picks
	// host-pid-random, so a restarted process is a new owner.
	Instance string
	// LeaseTTL is the detector leases' TTL; 0 is detect's default.
	LeaseTTL time.Duration
	// DetectShards splits the detection groups into this many shards, each
	// with a lease of its own (detect.Shards); 0 or 1 is one shard, the
	// whole detector under one lease. Every process must use the same.
	DetectShards int
	// AdminToken is the bearer token that the API's writes and admin
	// endpoints (webhooks, silences) need; "" turns those off.
	AdminToken string
	// ReadToken, when set, is the bearer token the API's reads need too;
	// the probes and /metrics stay open.
	ReadToken string
	// PublicURL is the base URL of the links in the API's feeds
	// ("https://status.example.com"); "" derives it from each request.
	PublicURL string
	// Webhooks configures webhook delivery.
	Webhooks WebhookOptions
	// Logger receives the process's logs; nil discards them.
	Logger *slog.Logger
}

// WebhookOptions configure webhook delivery; the zero value is the
// default.
type WebhookOptions struct {
	// AllowNets opens address ranges the SSRF guard refuses (loopback,
	// private, link-local...), for development and tests.
	AllowNets []netip.Prefix
	// Schedule is the wait before each retry; nil is
	// notify.DefaultSchedule.
	Schedule []time.Duration
	// Timeout bounds one attempt; 0 is 10s.
	Timeout time.Duration
}

// Validate reports every bad option at once.
func (o Options) Validate() error {
	var errs []error
	if o.Redis == nil {
		errs = append(errs, errors.New("no Redis client"))
	}
	if o.Classifier == nil {
		errs = append(errs, errors.New("no classifier"))
	}
	if len(o.ReporterKey) == 0 {
		errs = append(errs, errors.New("no reporter key"))
	}
	if o.HTTPAddr == "" {
		errs = append(errs, errors.New("no HTTP address"))
	}
	if o.DetectShards < 0 || o.DetectShards > 1024 {
		errs = append(errs, fmt.Errorf("detect shards %d: must be in 1..1024", o.DetectShards))
	}
	if o.LeaseTTL < 0 || o.LeaseTTL > 0 && o.LeaseTTL < 100*time.Millisecond {
		errs = append(errs, fmt.Errorf("lease TTL %s: must be at least 100ms", o.LeaseTTL))
	}
	errs = append(errs, validateAPI(o.AdminToken, o.ReadToken, o.PublicURL))
	if err := o.Ingest.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("ingest: %w", err))
	}
	if err := o.Detect.Validate(); err != nil {
		errs = append(errs, err)
	}
	for _, d := range o.Webhooks.Schedule {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("webhook retry schedule: %s is not a positive wait", d))
		}
	}
	if o.Webhooks.Timeout < 0 {
		errs = append(errs, errors.New("webhook timeout must not be negative"))
	}
	return errors.Join(errs...)
}

// validateAPI checks the API's tokens, without ever repeating them, and
// its public URL.
func validateAPI(adminToken, readToken, publicURL string) error {
	var errs []error
	for _, t := range []struct{ name, token string }{{"admin token", adminToken}, {"read token", readToken}} {
		// A token goes in an Authorization header as one word.
		if strings.IndexFunc(t.token, func(c rune) bool { return unicode.IsSpace(c) || unicode.IsControl(c) }) >= 0 {
			errs = append(errs, fmt.Errorf("%s: must not contain spaces or control characters", t.name))
		}
	}
	if readToken != "" && readToken == adminToken {
		errs = append(errs, errors.New("read token: must differ from the admin token, or readers could write"))
	}
	if publicURL != "" {
		if u, err := url.Parse(publicURL); err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" ||
			u.RawQuery != "" || u.Fragment != "" {
			errs = append(errs, fmt.Errorf("public URL %q: want an absolute http or https URL without query or fragment", publicURL))
		}
	}
	return errors.Join(errs...)
}

// App is one seismo process: ingest, the detector while this process holds
// its lease, the event relay and the HTTP API.
type App struct {
	log       *slog.Logger
	reg       *metrics.Registry
	store     *detect.Store
	consumer  *ingest.Consumer
	detectors []*detect.Detector // one per shard
	relay     *notify.Relay
	shards    *detect.Shards
	leader    metrics.Gauge
	held      metrics.Gauge
	evaluated metrics.Gauge
	eventsW   *kafka.Writer
	webhooks  *notify.Webhooks
	listener  net.Listener
	server    *http.Server
}

// New builds a process from o and binds its HTTP listener, so URL is known
// before Run. It validates o first.
func New(o Options) (*App, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &App{log: log, reg: metrics.New()}
	var err error
	a.store, err = detect.NewStore(o.Redis, detect.StoreConfig{ReporterKey: o.ReporterKey, Topic: o.Ingest.Topic,
		Groups: detect.GroupsOf(o.Classifier.Services())})
	if err != nil {
		return nil, err
	}
	// ingest.New names its own component in the logs.
	a.consumer, err = ingest.New(o.Ingest, o.Classifier, a.store, a.reg, log)
	if err != nil {
		return nil, err
	}
	det, err := detect.NewDetector(a.store, o.Detect, o.Classifier.Services(), log.With("component", "detect"))
	if err != nil {
		return nil, err
	}
	n := max(o.DetectShards, 1)
	for k := range n {
		d := det
		if n > 1 {
			if d, err = det.Shard(k, n); err != nil {
				return nil, err
			}
		}
		a.detectors = append(a.detectors, d)
	}
	// Every process shows them, so the sums over processes are the number
	// of leaders (1, or 0 during a takeover) and of shards held.
	a.leader = a.reg.Gauge("seismo_detector_leader", "1 while this process holds the lease of detector shard 0 and runs it, the event relay and webhook delivery, else 0.")
	a.held = a.reg.Gauge("seismo_detector_shards_held", "Detector shards whose lease this process holds and whose groups it evaluates.")
	a.evaluated = a.reg.Gauge("seismo_detector_evaluated_seconds", "End of the last minute the detector evaluated in every group, unix seconds of event time; shown by the leader.")
	if !o.NoDetector {
		instance := o.Instance
		if instance == "" {
			instance = instanceID()
		}
		a.shards, err = detect.NewShards(a.store, detect.ShardsConfig{Owner: instance, Count: n, TTL: o.LeaseTTL,
			Held: func(n int) { a.held.Set(float64(n)) }}, log.With("component", "lease"))
		if err != nil {
			return nil, err
		}
	}
	if o.IncidentsTopic != "" && !o.NoDetector {
		a.eventsW = &kafka.Writer{
			Addr: kafka.TCP(o.Ingest.Brokers...), Topic: o.IncidentsTopic, Balancer: &kafka.Hash{},
			RequiredAcks: kafka.RequireAll, BatchTimeout: 10 * time.Millisecond,
			WriteTimeout: 10 * time.Second, ReadTimeout: 10 * time.Second,
		}
		cur := a.store.RelayCursor(o.IncidentsTopic)
		tail := &notify.TopicTail{Brokers: o.Ingest.Brokers, Topic: o.IncidentsTopic}
		a.relay = notify.NewRelay(a.store, cur, a.eventsW, tail, log.With("component", "relay"))
	}
	guard := egress.NewGuard(o.Webhooks.AllowNets)
	var services []string
	for _, sv := range o.Classifier.Services() {
		services = append(services, sv.ID)
	}
	a.webhooks, err = notify.NewWebhooks(notify.NewStore(o.Redis, notify.StoreConfig{}), notify.WebhooksConfig{
		Source: a.store, Cursor: a.store.RelayCursor("webhooks"), Checker: guard,
		Client:   guard.Client(egress.ClientOptions{Timeout: o.Webhooks.Timeout, MaxIdleConnsPerHost: notify.DefaultWorkers}),
		Services: services, Schedule: o.Webhooks.Schedule, Timeout: o.Webhooks.Timeout,
		DashboardURL: o.PublicURL, Metrics: a.reg, Logger: log.With("component", "webhooks"),
	})
	if err != nil {
		return nil, err
	}
	a.listener, err = net.Listen("tcp", o.HTTPAddr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", o.HTTPAddr, err)
	}
	rdb := o.Redis
	handler := api.New(api.Config{
		Incidents: incidentFeed{a.store, a.webhooks},
		Webhooks:  a.webhooks,
		Services:  o.Classifier.Services(),
		Ready: func(ctx context.Context) error {
			var errs []error
			if err := rdb.Ping(ctx).Err(); err != nil {
				errs = append(errs, fmt.Errorf("redis: %w", err))
			}
			return errors.Join(append(errs, a.consumer.Ready())...)
		},
		Status:     func(ctx context.Context) (any, error) { return a.store.Progress(ctx) },
		AdminToken: o.AdminToken,
		ReadToken:  o.ReadToken,
		Events:     a.store,
		Charts:     a.store,
		Pages:      dashboard.New(dashboard.Config{Logger: log.With("component", "dashboard")}),
		PublicURL:  o.PublicURL,
		Registry:   a.reg,
		Metrics:    a.reg.Handler(),
		Logger:     log.With("component", "api"),
	})
	a.server = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	// Event streams do not end of themselves; Shutdown would wait out its
	// deadline on them.
	a.server.RegisterOnShutdown(handler.Shutdown)
	return a, nil
}

// URL is the base URL of the API.
func (a *App) URL() string {
	addr := a.listener.Addr().(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "localhost"
	}
	return fmt.Sprintf("http://%s", net.JoinHostPort(host, fmt.Sprint(addr.Port)))
}

// Store is the process's view of Redis: counts, incidents, events and
// progress.
func (a *App) Store() *detect.Store { return a.store }

// Processed is how many messages this process's consumer has handled.
func (a *App) Processed() int64 { return int64(a.consumer.Processed()) }

// Evaluated is the end of the last minute the detector evaluated in this
// process, in every shard it ran, false before its first or while other
// processes lead.
func (a *App) Evaluated() (time.Time, bool) {
	var low time.Time
	found := false
	for _, d := range a.detectors {
		if at, ok := d.Evaluated(); ok && (!found || at.Before(low)) {
			low, found = at, true
		}
	}
	return low, found
}

// Run supervises the consumer, the detector lease and the HTTP server until
// ctx is done or one of them fails. While this process holds the lease, it
// runs the detector loop and the event relay (see lead). On shutdown the
// consumer finishes its batch and commits, the detector and relay stop
// between steps and the lease is released, and HTTP drains within a
// bounded time. Run is called once.
func (a *App) Run(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return a.consumer.Run(gctx) })
	if a.shards != nil {
		g.Go(func() error { return a.shards.Run(gctx, a.lead) })
	}
	g.Go(func() error {
		if err := a.server.Serve(a.listener); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return a.server.Shutdown(sctx)
	})
	err := g.Wait()
	if a.eventsW != nil {
		// Closed once, after every term of the relay that wrote to it.
		if cerr := a.eventsW.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close incidents writer: %w", cerr)
		}
	}
	return err
}

// lead runs the detector loop of one shard for one term of its lease, and
// with shard 0 the event relay and webhook delivery: until ctx ends (the
// lease is lost or given up, or the process stops) or the relay fails,
// which gives the lease up. The detector retries a failed tick itself and
// never returns an error.
func (a *App) lead(ctx context.Context, shard int) error {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return a.detectors[shard].Run(gctx) })
	if shard != 0 {
		return g.Wait()
	}
	a.leader.Set(1)
	defer a.leader.Set(0)
	defer a.evaluated.Set(0)
	// Webhooks fan out and deliver from the queue in Redis, where a
	// successor resumes.
	g.Go(func() error { return a.webhooks.Run(gctx) })
	g.Go(func() error {
		// The detector's position over every group, whichever process
		// evaluates it, for dashboards and for telling when a replay is
		// fully evaluated.
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			rctx, cancel := context.WithTimeout(gctx, 5*time.Second)
			at, ok, err := a.store.Evaluated(rctx)
			cancel()
			if err == nil && ok {
				a.evaluated.Set(float64(at.Unix()))
			}
			select {
			case <-gctx.Done():
				return nil
			case <-t.C:
			}
		}
	})
	if a.relay != nil {
		// The relay resumes from its cursor in Redis each term.
		g.Go(func() error { return a.relay.Run(gctx) })
	}
	return g.Wait()
}

// instanceID names this process in the detector lease: host, pid and a
// random suffix, so a restarted process on the same host is a new owner.
func instanceID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "seismo"
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}

// ReporterKey returns the HMAC key reporters are hashed with: configured,
// or else the key every process of a deployment shares through Redis.
// Processes must share it, or one account would count once per process;
// the first one stores a random key, the others read it.
func ReporterKey(ctx context.Context, rdb redis.UniversalClient, configured string) ([]byte, error) {
	if configured != "" {
		return []byte(configured), nil
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return nil, err
	}
	// A store that would hash with a fresh key offers it.
	store, err := detect.NewStore(rdb, detect.StoreConfig{ReporterKey: []byte(hex.EncodeToString(buf))})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return store.SharedReporterKey(ctx)
}

// incidentFeed adapts the store to what the api reads, and marks the
// incidents a silence holds.
type incidentFeed struct {
	s  *detect.Store
	wh *notify.Webhooks
}

func (f incidentFeed) ListIncidents(ctx context.Context, fl api.Filter) (api.IncidentList, error) {
	page, err := f.s.IncidentPage(ctx, detect.Filter{Status: fl.Status, Service: fl.Service, Limit: fl.Limit, Cursor: fl.Cursor})
	list := api.IncidentList{Incidents: page.Incidents, NextCursor: page.Next}
	if err != nil || len(list.Incidents) == 0 {
		return list, err
	}
	sls, err := f.wh.Silences(ctx)
	if err != nil {
		return api.IncidentList{}, err
	}
	for i := range list.Incidents {
		list.Incidents[i].SilencedBy = notify.SilencedBy(sls, &list.Incidents[i], time.Now())
	}
	return list, nil
}

func (f incidentFeed) Incident(ctx context.Context, id string) (seismo.Incident, error) {
	inc, err := f.s.Incident(ctx, id)
	if err != nil {
		return inc, err
	}
	inc.SilencedBy, err = f.wh.SilencedBy(ctx, &inc)
	return inc, err
}
