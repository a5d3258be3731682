package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/seismo-dev/seismo/metrics"
	"github.com/seismo-dev/seismo/source"
)

const sourceUsage = `Usage: seismo source <network> [flags]

Networks:
  bluesky   all public Bluesky posts, from Jetstream
  mastodon  the public timelines of Mastodon instances, from their streaming API

Run "seismo source <network> --help" for its flags.
`

func runSource(ctx context.Context, args []string, sio stdio) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if asksHelp(args) {
			fmt.Fprint(sio.err, sourceUsage)
			return flag.ErrHelp
		}
		fmt.Fprint(sio.err, sourceUsage)
		return errFlagsReported
	}
	switch args[0] {
	case "bluesky":
		return runBluesky(ctx, args[1:], sio)
	case "mastodon":
		return runMastodon(ctx, args[1:], sio)
	}
	return fmt.Errorf("%w: unknown network %q: want bluesky or mastodon", errUsage, args[0])
}

// sourceFlags are the flags both sources have.
type sourceFlags struct {
	brokers, topic, httpAddr string
	scan                     int64
	drain, resumeTimeout     time.Duration
	log                      logFlags
}

func (s *sourceFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.brokers, "kafka-brokers", "localhost:9092", "Kafka bootstrap brokers, comma-separated")
	fs.StringVar(&s.topic, "topic", "seismo.posts", "topic the posts go to")
	fs.StringVar(&s.httpAddr, "http-addr", ":9465", "address of /metrics, /healthz and /readyz (empty: none)")
	fs.Int64Var(&s.scan, "resume-scan", 100_000, "records read back per partition at start, newest first, to find where the source stopped")
	fs.DurationVar(&s.resumeTimeout, "resume-timeout", 2*time.Minute, "how long the read-back at start may take")
	fs.DurationVar(&s.drain, "drain-timeout", 10*time.Second, "on SIGTERM, how long the posts already read may take to reach Kafka")
	s.log.register(fs)
}

func (s *sourceFlags) check() error {
	if len(list(s.brokers)) == 0 {
		return fmt.Errorf("%w: --kafka-brokers is empty", errUsage)
	}
	if s.topic == "" {
		return fmt.Errorf("%w: --topic is empty", errUsage)
	}
	if s.scan < 1 {
		return fmt.Errorf("%w: --resume-scan must be positive", errUsage)
	}
	if err := durationPositive("resume-timeout", s.resumeTimeout); err != nil {
		return err
	}
	return durationPositive("drain-timeout", s.drain)
}

func (s *sourceFlags) resume(ctx context.Context, name string, streams []string) (map[string]source.Position, error) {
	pos, err := source.ResumeCursor(ctx, source.ResumeConfig{Brokers: list(s.brokers), Topic: s.topic, Source: name,
		Streams: streams, Scan: s.scan, Timeout: s.resumeTimeout})
	if err != nil {
		return nil, fmt.Errorf("find where the source stopped: %w", err)
	}
	return pos, nil
}

// serveHTTP serves /metrics, /healthz (alive) and /readyz (a stream
// connection is open and Kafka takes the writes) on --http-addr (none when
// empty) from before the read-back at start, so that a liveness probe is
// answered while it runs.
func (s *sourceFlags) serveHTTP(log *slog.Logger, reg *metrics.Registry, m *source.Metrics) (stop func() error, err error) {
	if s.httpAddr == "" {
		return func() error { return nil }, nil
	}
	stop, err = m.Serve(s.httpAddr, reg.Handler(), log)
	if err != nil {
		return nil, fmt.Errorf("listen on --http-addr: %w", err)
	}
	return stop, nil
}

func runBluesky(ctx context.Context, args []string, sio stdio) error {
	fs := newFlagSet("source bluesky", "source bluesky [flags]", sio.err)
	var sf sourceFlags
	sf.register(fs)
	urls := fs.String("jetstream-url", strings.Join(source.DefaultJetstreamURLs(), ","),
		"Jetstream subscribe endpoints, comma-separated: a failed connection moves to the next")
	rewind := fs.Duration("rewind", 5*time.Second, "how far before the newest post on the topic a restart resumes")
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	if err := sf.check(); err != nil {
		return err
	}
	if err := durationPositive("rewind", *rewind); err != nil {
		return err
	}
	log, err := sf.log.logger(sio.err)
	if err != nil {
		return err
	}
	reg := metrics.New()
	m := source.NewMetrics(reg)
	stopHTTP, err := sf.serveHTTP(log, reg, m)
	if err != nil {
		return err
	}
	pos, err := sf.resume(ctx, source.BlueskySource, []string{""})
	if err != nil {
		return errors.Join(err, stopHTTP())
	}
	j, err := source.NewJetstream(source.JetstreamConfig{URLs: list(*urls), Cursor: pos[""].Cursor, Rewind: *rewind, Log: log, Metrics: m})
	if err != nil {
		return errors.Join(fmt.Errorf("%w: %v", errUsage, err), stopHTTP())
	}
	p, err := source.NewProducer(source.ProducerConfig{Brokers: list(sf.brokers), Topic: sf.topic, Source: source.BlueskySource,
		Split: j.Split, Log: log, Metrics: m})
	if err != nil {
		return errors.Join(err, stopHTTP())
	}
	log.Info("bluesky source started", "jetstream", list(*urls), "topic", sf.topic, "resume_cursor", pos[""].Cursor)
	err = source.Pipe(ctx, j, p, sf.drain)
	log.Info("source stopped")
	return errors.Join(err, stopHTTP())
}

func runMastodon(ctx context.Context, args []string, sio stdio) error {
	fs := newFlagSet("source mastodon", "source mastodon --instance https://HOST [flags]", sio.err)
	var sf sourceFlags
	sf.register(fs)
	var instances []string
	fs.Func("instance", "instance to read, https://HOST; repeat it or separate several with commas", func(v string) error {
		for _, in := range list(v) {
			instances = append(instances, strings.TrimRight(in, "/"))
		}
		return nil
	})
	tokenFile := fs.String("token-file", "", "file that holds the access token most instances ask for (read scope)")
	local := fs.Bool("local", false, "read each instance's local timeline (its own accounts) instead of the federated one")
	pages := fs.Int("catch-up-pages", 100, "most pages of 40 statuses read, newest first, through the REST timeline after a disconnection")
	rewind := fs.Duration("rewind", 10*time.Minute, "how far before the newest status read a catch-up starts: statuses that reach the\ninstance late carry the id of when they were written")
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	if err := sf.check(); err != nil {
		return err
	}
	if len(instances) == 0 {
		return fmt.Errorf("%w: --instance is required", errUsage)
	}
	if *pages < 1 {
		return fmt.Errorf("%w: --catch-up-pages must be positive", errUsage)
	}
	if err := durationPositive("rewind", *rewind); err != nil {
		return err
	}
	var token string
	if *tokenFile != "" {
		b, err := os.ReadFile(*tokenFile)
		if err != nil {
			return fmt.Errorf("%w: --token-file: %v", errUsage, err)
		}
		token = strings.TrimSpace(string(b))
	}
	log, err := sf.log.logger(sio.err)
	if err != nil {
		return err
	}
	reg := metrics.New()
	m := source.NewMetrics(reg)
	mcfg := source.MastodonConfig{Instances: instances, Local: *local, Token: token, CatchUpPages: *pages, Rewind: *rewind, Log: log, Metrics: m}
	r, err := source.NewMastodon(mcfg)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	stopHTTP, err := sf.serveHTTP(log, reg, m)
	if err != nil {
		return err
	}
	instances = r.Instances()
	pos, err := sf.resume(ctx, source.MastodonSource, instances)
	if err != nil {
		return errors.Join(err, stopHTTP())
	}
	cursors := map[string]string{}
	for s, p := range pos {
		cursors[s] = p.Resume
	}
	for _, in := range instances {
		if cursors[in] == "" {
			log.Info("no cursor on the topic for this instance: reading from now on", "instance", in)
		}
	}
	r.Resume(cursors)
	p, err := source.NewProducer(source.ProducerConfig{Brokers: list(sf.brokers), Topic: sf.topic, Source: source.MastodonSource,
		Resume: cursors, Log: log, Metrics: m})
	if err != nil {
		return errors.Join(err, stopHTTP())
	}
	log.Info("mastodon source started", "instances", instances, "local", *local, "topic", sf.topic, "cursors", cursors)
	err = source.Pipe(ctx, r, p, sf.drain)
	log.Info("source stopped")
	return errors.Join(err, stopHTTP())
}
