package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"
	"golang.org/x/sync/errgroup"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/api"
	"github.com/seismo-dev/seismo/classify"
	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/ingest"
	"github.com/seismo-dev/seismo/metrics"
	"github.com/seismo-dev/seismo/notify"
)

// pipeline is ingest, detector and API wired together over one Redis.
type pipeline struct {
	log        *slog.Logger
	reg        *metrics.Registry
	rdb        redis.UniversalClient
	cls        *classify.Classifier
	store      *detect.Store
	consumer   *ingest.Consumer
	detector   *detect.Detector
	relay      *notify.Relay
	lease      *detect.Lease
	leader     metrics.Gauge
	evaluated  metrics.Gauge
	noDetector bool
	eventsW    *kafka.Writer
	listener   net.Listener
	server     *http.Server
}

type pipelineConfig struct {
	ingest      ingest.Config
	detect      detect.Config
	reporterKey []byte
	httpAddr    string
	// incidentsTopic receives every incident event; "" turns that off.
	incidentsTopic string
	// noDetector runs ingest and API only: this process does not even
	// campaign for the detector lease.
	noDetector bool
	poll       time.Duration
	// instance names this process in the detector lease; "" picks
	// host-pid-random.
	instance string
	// leaseTTL is the detector lease's TTL; 0 is the default.
	leaseTTL time.Duration
}

func newPipeline(cfg pipelineConfig, rdb redis.UniversalClient, cls *classify.Classifier, log *slog.Logger) (*pipeline, error) {
	p := &pipeline{log: log, reg: metrics.New(), rdb: rdb, cls: cls, noDetector: cfg.noDetector}
	var err error
	p.store, err = detect.NewStore(rdb, detect.StoreConfig{ReporterKey: cfg.reporterKey, Topic: cfg.ingest.Topic})
	if err != nil {
		return nil, err
	}
	p.consumer, err = ingest.New(cfg.ingest, cls, p.store, p.reg, log.With("component", "ingest"))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	p.detector, err = detect.NewDetector(p.store, cfg.detect, cls.Services(), log.With("component", "detect"))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	if !cfg.noDetector {
		instance := cfg.instance
		if instance == "" {
			instance = instanceID()
		}
		p.lease, err = detect.NewLease(p.store, detect.LeaseConfig{Owner: instance, TTL: cfg.leaseTTL},
			log.With("component", "lease"))
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
	}
	// Every process shows it, so the sum over processes is the number of
	// leaders: 1, or 0 during a takeover.
	p.leader = p.reg.Gauge("seismo_detector_leader", "1 while this process holds the detector lease and runs the detector and the event relay, else 0.")
	p.evaluated = p.reg.Gauge("seismo_detector_evaluated_seconds", "End of the last minute the detector evaluated, unix seconds of event time; shown by the leader.")
	if cfg.incidentsTopic != "" && !cfg.noDetector {
		p.eventsW = &kafka.Writer{
			Addr: kafka.TCP(cfg.ingest.Brokers...), Topic: cfg.incidentsTopic, Balancer: &kafka.Hash{},
			RequiredAcks: kafka.RequireAll, BatchTimeout: 10 * time.Millisecond,
			WriteTimeout: 10 * time.Second, ReadTimeout: 10 * time.Second,
		}
		cur := p.store.RelayCursor(cfg.incidentsTopic)
		p.relay = notify.NewRelay(p.store, cur, p.eventsW, log.With("component", "relay"))
	}
	p.listener, err = net.Listen("tcp", cfg.httpAddr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.httpAddr, err)
	}
	handler := api.New(api.Config{
		Incidents: incidentFeed{p.store},
		Services:  cls.Services(),
		Ready:     func(ctx context.Context) error { return rdb.Ping(ctx).Err() },
		Status:    func(ctx context.Context) (any, error) { return p.store.Progress(ctx) },
		Metrics:   p.reg.Handler(),
		Logger:    log.With("component", "api"),
	})
	p.server = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	return p, nil
}

// url is the base URL of the API.
func (p *pipeline) url() string {
	addr := p.listener.Addr().(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "localhost"
	}
	return fmt.Sprintf("http://%s", net.JoinHostPort(host, fmt.Sprint(addr.Port)))
}

// run supervises the consumer, the detector lease and the HTTP server until
// ctx is done or one of them fails. While this process holds the lease, it
// runs the detector loop and the event relay (see lead). On shutdown the
// consumer finishes its batch and commits, the detector and relay stop
// between steps and the lease is released, and HTTP drains within a
// bounded time.
func (p *pipeline) run(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return p.consumer.Run(gctx) })
	if p.lease != nil {
		g.Go(func() error { return p.lease.Run(gctx, p.lead) })
	}
	g.Go(func() error {
		if err := p.server.Serve(p.listener); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return p.server.Shutdown(sctx)
	})
	err := g.Wait()
	if p.eventsW != nil {
		// Closed once, after every term of the relay that wrote to it.
		if cerr := p.eventsW.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close incidents writer: %w", cerr)
		}
	}
	return err
}

// lead runs the detector loop and the event relay for one term of the
// detector lease: until ctx ends (the lease is lost or the process stops)
// or the relay fails, which gives the lease up. The detector retries a
// failed tick itself and never returns an error.
func (p *pipeline) lead(ctx context.Context) error {
	p.leader.Set(1)
	defer p.leader.Set(0)
	defer p.evaluated.Set(0)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return p.detector.Run(gctx) })
	g.Go(func() error {
		// The detector's position, for dashboards and for telling when
		// a replay is fully evaluated.
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			if at, ok := p.detector.Evaluated(); ok {
				p.evaluated.Set(float64(at.Unix()))
			}
			select {
			case <-gctx.Done():
				return nil
			case <-t.C:
			}
		}
	})
	if p.relay != nil {
		// The relay resumes from its cursor in Redis each term.
		g.Go(func() error { return p.relay.Run(gctx) })
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

// incidentFeed adapts the store to what the api reads.
type incidentFeed struct{ s *detect.Store }

func (f incidentFeed) ListIncidents(ctx context.Context, fl api.Filter) ([]seismo.Incident, error) {
	return f.s.Incidents(ctx, detect.Filter{Status: fl.Status, Service: fl.Service, Limit: fl.Limit})
}

func (f incidentFeed) Incident(ctx context.Context, id string) (seismo.Incident, error) {
	return f.s.Incident(ctx, id)
}

// sharedReporterKey returns the HMAC key for reporter hashing. Every worker
// must use the same key or one account would count once per worker, so
// without a configured key the first worker stores a random one in Redis and
// the others read it. Its TTL is renewed at every start.
func sharedReporterKey(ctx context.Context, rdb redis.UniversalClient, configured string) ([]byte, error) {
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
