package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/segmentio/kafka-go"
	"golang.org/x/sync/errgroup"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/broker"
	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/ingest"
	"github.com/seismo-dev/seismo/simulate"
)

func runDemo(ctx context.Context, args []string, sio stdio) error {
	fs := newFlagSet("demo", "demo [--once] [flags]", sio.err)
	once := fs.Bool("once", false, "exit after the scenario: status 0 only if incidents opened for WhatsApp")
	httpAddr := fs.String("http-addr", "127.0.0.1:8080", "address of the HTTP API (a free port is used if this one is taken)")
	speed := fs.Float64("speed", 0, "event-time seconds played per wall-clock second (0: as fast as possible)")
	partitions := fs.Int("partitions", 3, "partitions of the embedded posts topic")
	var knobs knobFlags
	fs.Var(&knobs, "knob", knobUsage)
	var cf classifierFlags
	cf.register(fs)
	lf := logFlags{}
	lf.register(fs)
	fs.Lookup("log-level").DefValue, lf.level = "warn", "warn"
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	if *speed < 0 {
		return fmt.Errorf("%w: --speed must not be negative", errUsage)
	}
	dcfg, err := knobs.detectConfig(detect.DefaultConfig())
	if err != nil {
		return err
	}
	if *partitions < 1 || *partitions > 64 {
		return fmt.Errorf("%w: --partitions must be 1..64", errUsage)
	}
	log, err := lf.logger(sio.err)
	if err != nil {
		return err
	}
	say := func(format string, args ...any) { fmt.Fprintf(sio.err, "seismo demo: "+format+"\n", args...) }

	b, err := broker.Start(broker.Config{Addr: "127.0.0.1:0", Partitions: int32(*partitions), Logger: log.With("component", "broker")})
	if err != nil {
		return err
	}
	defer b.Close()
	mr, rdb, err := embeddedRedis()
	if err != nil {
		return err
	}
	defer mr.Close()
	defer rdb.Close()

	say("loading the classifier")
	cls, err := cf.build()
	if err != nil {
		return err
	}
	icfg := ingest.DefaultConfig()
	icfg.Brokers = []string{b.Addr()}
	// Caught-up partitions should stop holding the watermark back quickly,
	// or the end of the scenario waits on the default idle timeout.
	icfg.IdleTimeout = 2 * time.Second
	addr := *httpAddr
	if l, err := net.Listen("tcp", addr); err != nil {
		if !errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("listen on %s: %w", addr, err)
		}
		say("%s is taken, using a free port", addr)
		addr = "127.0.0.1:0"
	} else {
		l.Close()
	}
	p, err := newPipeline(pipelineConfig{ingest: icfg, detect: dcfg,
		reporterKey: []byte(randomHex(32)), httpAddr: addr, incidentsTopic: "seismo.incidents"}, rdb, cls, log)
	if err != nil {
		return err
	}

	scenario := simulate.WhatsApp2024()
	say("broker %s, embedded redis %s, incident feed %s/v1/incidents", b.Addr(), mr.Addr(), p.url())
	say("playing %q: %s to %s (event time) through Kafka topic %s",
		scenario.Name, scenario.Start.Format(time.RFC3339), scenario.End.Format(time.RFC3339), icfg.Topic)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return p.run(gctx) })
	// Events are printed from the Redis stream, as any consumer reads them.
	printed := make(chan error, 1)
	printCtx, stopPrinting := context.WithCancel(context.Background())
	defer stopPrinting()
	go func() { printed <- printEvents(printCtx, p.store, sio.out) }()
	var produced int64
	g.Go(func() error {
		n, last, err := produce(gctx, b.Addr(), icfg.Topic, scenario, *speed)
		if err != nil {
			return err
		}
		produced = n
		say("produced %d posts; waiting for ingest and detector to catch up", n)
		if err := waitCaughtUp(gctx, p, n, last.Add(-icfg.Lateness)); err != nil {
			return err
		}
		if *once {
			cancel()
			return nil
		}
		say("scenario done; the feed stays up at %s/v1/incidents until interrupted", p.url())
		return nil
	})
	err = g.Wait()
	stopPrinting()
	if perr := <-printed; perr != nil && err == nil {
		err = perr
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	if !*once {
		return nil
	}
	// The pipeline is stopped; read the verdict from Redis.
	vctx, vcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer vcancel()
	incidents, err := p.store.Incidents(vctx, detect.Filter{Service: "whatsapp", Limit: 100})
	if err != nil {
		return err
	}
	summarize(sio.err, produced, incidents)
	for _, in := range incidents {
		if in.Status != seismo.StatusPending {
			return nil
		}
	}
	return errors.New("no WhatsApp incident opened")
}

// produce writes the scenario's posts to the topic, keyed by author so one
// account's posts stay in order, paced to speed when it is positive.
func produce(ctx context.Context, addr, topic string, s *simulate.Scenario, speed float64) (int64, time.Time, error) {
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
		if len(msgs) == batch || (speed > 0 && len(msgs) >= 200) {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	return n, last, err
}

// waitCaughtUp waits until ingest has handled n messages and the detector
// has evaluated up to the final watermark.
func waitCaughtUp(ctx context.Context, p *pipeline, n int64, final time.Time) error {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		done, ok := p.detector.Evaluated()
		if int64(p.consumer.Processed()) >= n && ok && !done.Before(final.Truncate(time.Minute)) {
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

func summarize(w io.Writer, produced int64, incidents []seismo.Incident) {
	fmt.Fprintf(w, "seismo demo: %d posts played; %d WhatsApp incident(s)\n", produced, len(incidents))
	for _, in := range incidents {
		fmt.Fprintf(w, "  %s %s %s", in.ID, in.Status, in.Severity)
		for _, c := range in.Countries {
			fmt.Fprintf(w, " %s:%d", c.Country, c.Reporters)
		}
		fmt.Fprintln(w)
	}
}
