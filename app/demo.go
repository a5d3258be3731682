package app

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"syscall"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"
	"golang.org/x/sync/errgroup"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/broker"
	"github.com/seismo-dev/seismo/classify"
	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/ingest"
	"github.com/seismo-dev/seismo/simulate"
)

// DemoOptions configure Demo.
type DemoOptions struct {
	// Scenario is played through Kafka in event time; required.
	Scenario *simulate.Scenario
	// Classifier builds the classifier, once the options are known to be
	// valid (loading it takes seconds); required.
	Classifier func() (*classify.Classifier, error)
	// Detect is as in Options.
	Detect detect.Config
	// HTTPAddr is where the API listens; a free port is used when it is
	// taken.
	HTTPAddr string
	// Speed is event-time seconds played per wall-clock second; 0 plays as
	// fast as possible.
	Speed float64
	// Partitions of the embedded posts topic, 1 to 64.
	Partitions int
	// Once stops the demo when the scenario is consumed and evaluated;
	// otherwise the API stays up until ctx ends.
	Once bool
	// Events receives every incident event as a JSON line, read from the
	// Redis stream as any consumer reads them; nil discards them.
	Events io.Writer
	// Say receives progress lines for a person; nil discards them.
	Say func(format string, args ...any)
	// Logger receives the logs of the broker and the pipeline; nil
	// discards them.
	Logger *slog.Logger
	// AdminToken, ReadToken and PublicURL are as in Options.
	AdminToken, ReadToken, PublicURL string
	// Webhooks is as in Options.
	Webhooks WebhookOptions
	// Started, when set, is called once the broker and the API listen,
	// before the scenario plays: a program (or a test) can then produce
	// posts of its own and open the dashboard while the outage unfolds.
	Started func(DemoAddrs)
	// Played, when set, is called once the scenario is consumed and
	// evaluated, with the last event time the detector has evaluated.
	Played func(evaluated time.Time)
}

// DemoAddrs are where a running demo can be reached.
type DemoAddrs struct {
	// Broker is the embedded Kafka broker's address, Topic the posts topic.
	Broker, Topic string
	// URL is the API and dashboard's base URL.
	URL string
}

// Validate reports every bad option at once.
func (o DemoOptions) Validate() error {
	var errs []error
	if o.Scenario == nil {
		errs = append(errs, errors.New("no scenario"))
	}
	if o.Classifier == nil {
		errs = append(errs, errors.New("no classifier loader"))
	}
	if o.Speed < 0 {
		errs = append(errs, errors.New("speed must not be negative"))
	}
	if o.Partitions < 1 || o.Partitions > 64 {
		errs = append(errs, fmt.Errorf("partitions %d: must be 1..64", o.Partitions))
	}
	if o.HTTPAddr == "" {
		errs = append(errs, errors.New("no HTTP address"))
	}
	errs = append(errs, validateAPI(o.AdminToken, o.ReadToken, o.PublicURL))
	if err := o.Detect.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// DemoResult is what a demo played: how many posts, and every incident it
// left, newest first.
type DemoResult struct {
	Produced  int64
	Incidents []seismo.Incident
}

// WriteSummary lists every incident the demo left, one line each with the
// reporters of each of its countries, as seismo demo --once prints them.
func (r DemoResult) WriteSummary(w io.Writer) {
	fmt.Fprintf(w, "seismo demo: %d posts played; %d incident(s)\n", r.Produced, len(r.Incidents))
	for _, in := range r.Incidents {
		fmt.Fprintf(w, "  %s %s %s %s", in.ServiceName, in.ID, in.Status, in.Severity)
		for _, c := range in.Countries {
			fmt.Fprintf(w, " %s:%d", c.Country, c.Reporters)
		}
		fmt.Fprintln(w)
	}
}

// Demo plays a scenario through the whole pipeline on an embedded Kafka
// broker and an embedded Redis: the posts go to the posts topic, one
// process consumes, counts and detects them, and the incident events are
// written to o.Events. With o.Once it returns when the scenario is fully
// evaluated; otherwise when ctx ends, with the result read before the
// pipeline stopped.
func Demo(ctx context.Context, o DemoOptions) (DemoResult, error) {
	if err := o.Validate(); err != nil {
		return DemoResult{}, err
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	say := o.Say
	if say == nil {
		say = func(string, ...any) {}
	}
	out := o.Events
	if out == nil {
		out = io.Discard
	}

	say("loading the classifier")
	cls, err := o.Classifier()
	if err != nil {
		return DemoResult{}, err
	}
	b, err := broker.Start(broker.Config{Addr: "127.0.0.1:0", Partitions: int32(o.Partitions), Logger: log})
	if err != nil {
		return DemoResult{}, err
	}
	defer b.Close()
	mr := miniredis.NewMiniRedis()
	if err := mr.StartAddr("127.0.0.1:0"); err != nil {
		return DemoResult{}, fmt.Errorf("embedded redis: %w", err)
	}
	defer mr.Close()
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr(), DialTimeout: 5 * time.Second,
		ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second})
	defer rdb.Close()

	icfg := ingest.DefaultConfig()
	icfg.Brokers = []string{b.Addr()}
	// Caught-up partitions should stop holding the watermark back quickly,
	// or the end of the scenario waits on the default idle timeout.
	icfg.IdleTimeout = 2 * time.Second
	addr := o.HTTPAddr
	if l, err := net.Listen("tcp", addr); err != nil {
		if !errors.Is(err, syscall.EADDRINUSE) {
			return DemoResult{}, fmt.Errorf("listen on %s: %w", addr, err)
		}
		say("%s is taken, using a free port", addr)
		addr = "127.0.0.1:0"
	} else {
		l.Close()
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return DemoResult{}, err
	}
	a, err := New(Options{Redis: rdb, Classifier: cls, Ingest: icfg, Detect: o.Detect,
		ReporterKey: key, HTTPAddr: addr, IncidentsTopic: "seismo.incidents", Logger: log,
		AdminToken: o.AdminToken, ReadToken: o.ReadToken, PublicURL: o.PublicURL, Webhooks: o.Webhooks})
	if err != nil {
		return DemoResult{}, err
	}

	sc := o.Scenario
	say("broker %s, embedded redis %s, incident feed %s/v1/incidents", b.Addr(), mr.Addr(), a.URL())
	say("dashboard: open %s/ in a browser", a.URL())
	say("playing %q: %s to %s (event time) through Kafka topic %s",
		sc.Name, sc.Start.Format(time.RFC3339), sc.End.Format(time.RFC3339), icfg.Topic)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return a.Run(gctx) })
	printed := make(chan error, 1)
	printCtx, stopPrinting := context.WithCancel(context.Background())
	defer stopPrinting()
	go func() { printed <- printEvents(printCtx, a.store, out) }()
	if o.Started != nil {
		o.Started(DemoAddrs{Broker: b.Addr(), Topic: icfg.Topic, URL: a.URL()})
	}
	var res DemoResult
	g.Go(func() error {
		n, last, err := Produce(gctx, b.Addr(), icfg.Topic, sc, o.Speed, 0)
		if err != nil {
			return err
		}
		res.Produced = n
		say("produced %d posts; waiting for ingest and detector to catch up", n)
		if err := waitCaughtUp(gctx, a, n, last.Add(-icfg.Lateness)); err != nil {
			return err
		}
		if o.Once {
			cancel()
			return nil
		}
		say("scenario done; the dashboard stays up at %s/ until interrupted", a.URL())
		if o.Played != nil {
			at, _, err := a.store.Evaluated(gctx)
			if err != nil {
				return err
			}
			o.Played(at)
		}
		return nil
	})
	err = g.Wait()
	stopPrinting()
	if perr := <-printed; perr != nil && err == nil {
		err = perr
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return res, err
	}
	// The pipeline is stopped; read what it left from Redis.
	vctx, vcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer vcancel()
	res.Incidents, err = a.store.Incidents(vctx, detect.Filter{Limit: 1000})
	return res, err
}

// Produce writes the scenario's posts to the topic, keyed by author so one
// account's posts stay in order, paced to speed when it is positive, and
// stops after limit posts if limit is positive. It returns how many it
// wrote and the event time of the last.
func Produce(ctx context.Context, addr, topic string, s *simulate.Scenario, speed float64, limit int64) (int64, time.Time, error) {
	w := &kafka.Writer{
		Addr:         kafka.TCP(addr),
		Topic:        topic,
		Balancer:     &kafka.Hash{},
		BatchSize:    1000,
		BatchTimeout: 5 * time.Millisecond,
		RequiredAcks: kafka.RequireAll,
		WriteTimeout: 10 * time.Second,
		ReadTimeout:  10 * time.Second,
	}
	defer w.Close()
	const batch = 5000
	msgs := make([]kafka.Message, 0, batch)
	var n int64
	var last time.Time
	wallStart := time.Now()
	flush := func() error {
		if len(msgs) == 0 {
			return nil
		}
		if speed > 0 {
			due := wallStart.Add(time.Duration(float64(last.Sub(s.Start)) / speed))
			select {
			case <-time.After(time.Until(due)):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := w.WriteMessages(wctx, msgs...); err != nil {
			return fmt.Errorf("produce: %w", err)
		}
		msgs = msgs[:0]
		return nil
	}
	err := s.Generate(func(p seismo.Post) error {
		v, err := json.Marshal(p)
		if err != nil {
			return err
		}
		msgs = append(msgs, kafka.Message{Key: []byte(p.Author), Value: v})
		n++
		last = p.CreatedAt
		if len(msgs) == batch || (speed > 0 && len(msgs) >= 200) || n == limit {
			if err := flush(); err != nil {
				return err
			}
		}
		if n == limit {
			return errEnough
		}
		return nil
	})
	if errors.Is(err, errEnough) {
		err = nil
	}
	if err == nil {
		err = flush()
	}
	return n, last, err
}

// errEnough stops a scenario's generation at Produce's limit.
var errEnough = errors.New("enough posts")

// waitCaughtUp waits until ingest has handled n messages and the detector
// has evaluated up to the final watermark.
func waitCaughtUp(ctx context.Context, a *App, n int64, final time.Time) error {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		done, ok := a.Evaluated()
		if a.Processed() >= n && ok && !done.Before(final.Truncate(time.Minute)) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// printEvents writes every event of the stream as a JSON line until ctx is
// done, and then what is left, so nothing the detector wrote is missed.
func printEvents(ctx context.Context, store *detect.Store, w io.Writer) error {
	enc := json.NewEncoder(w)
	after := "0"
	for {
		block := 200 * time.Millisecond
		if ctx.Err() != nil {
			block = 0
		}
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		evs, err := store.Events(rctx, after, 500, block)
		cancel()
		if err != nil {
			return fmt.Errorf("read events: %w", err)
		}
		for _, se := range evs {
			if err := enc.Encode(se.Event); err != nil {
				return err
			}
			after = se.ID
		}
		if len(evs) == 0 && ctx.Err() != nil {
			return nil
		}
	}
}
