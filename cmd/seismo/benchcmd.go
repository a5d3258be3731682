package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/seismo-dev/seismo/bench"
)

// runBench measures the whole process as a user runs it (package bench):
// Kafka to Redis by default, `seismo bench api` for the HTTP API.
func runBench(ctx context.Context, args []string, sio stdio) error {
	if len(args) > 0 {
		switch args[0] {
		case "api":
			return runBenchAPI(ctx, args[1:], sio)
		case "classify":
			return runBenchClassify(ctx, args[1:], sio)
		case "soak":
			return runBenchSoak(ctx, args[1:], sio)
		}
	}
	fs := newFlagSet("bench", "bench [--posts N] [--relevant SHARE] [--flush-redis-addr ADDR] [flags]\n\n"+
		"Kafka to Redis: produces a firehose to the embedded broker, times a plain consumer reading it,\n"+
		"then a seismo run process counting it into redis-server. The other benches:\n"+
		"  seismo bench classify   seismo classify against decoding only and a regexp + lingua-go peer\n"+
		"  seismo bench api        the HTTP API under concurrent clients\n"+
		"  seismo bench soak       seismo run fed at a steady rate for long: its lag and memory", sio.err)
	o := bench.Options{Log: sio.err}
	fs.IntVar(&o.Posts, "posts", 600_000, "posts to produce")
	fs.Float64Var(&o.Relevant, "relevant", 0.02, "share of the posts that name a service (a third of those complain)")
	fs.Float64Var(&o.LangHint, "lang-hint", 0, "share of the posts that carry their language, as Bluesky and Mastodon posts do")
	fs.IntVar(&o.Partitions, "partitions", 3, "partitions of the posts topic")
	benchTargetFlags(fs, &o.RedisAddr, &o.Binary)
	fs.StringVar(&o.ProfileDir, "profile-dir", "", "have seismo run write cpu.pprof and heap.pprof (allocations since start) here")
	_, err := runBenchOf(ctx, fs, args, sio, &o, bench.Run)
	return err
}

// runBenchClassify times seismo classify against its references.
func runBenchClassify(ctx context.Context, args []string, sio stdio) error {
	fs := newFlagSet("bench classify", "bench classify [--posts N] [--relevant SHARE] [flags]\n\n"+
		"Writes a firehose of posts as JSON lines to a file and reads it five ways: decoding only, with\n"+
		"encoding/json and with seismo's decoder; with a regexp + lingua-go peer, asking lingua about every\n"+
		"post and only about posts that name a service; and with a seismo classify process, its start-up\n"+
		"included. Prints posts/s and CPU per post of each.", sio.err)
	o := bench.ClassifyOptions{Log: sio.err}
	fs.IntVar(&o.Posts, "posts", 600_000, "posts in the file")
	fs.Float64Var(&o.Relevant, "relevant", 0.02, "share of the posts that name a service (a third of those complain)")
	fs.StringVar(&o.Binary, "seismo", "", "the seismo binary to run (default: this one)")
	_, err := runBenchOf(ctx, fs, args, sio, &o, bench.RunClassify)
	return err
}

// runBenchSoak feeds seismo run at a steady rate for long.
func runBenchSoak(ctx context.Context, args []string, sio stdio) error {
	fs := newFlagSet("bench soak", "bench soak [--rate N] [--duration D] [flags]\n\n"+
		"Produces a firehose at a steady rate to the embedded broker, whose partitions keep a bounded\n"+
		"backlog as production topics do, while a seismo run process counts it into redis-server; samples\n"+
		"its lag and resident memory. Fails when it does not handle every post.", sio.err)
	o := bench.SoakOptions{Log: sio.err}
	fs.IntVar(&o.Rate, "rate", 100_000, "posts produced per second")
	fs.DurationVar(&o.Duration, "duration", 10*time.Minute, "how long to produce")
	fs.Float64Var(&o.Relevant, "relevant", 0.02, "share of the posts that name a service (a third of those complain)")
	fs.Int64Var(&o.RetentionBytes, "retention-bytes", 256<<20, "bytes each of the 3 partitions keeps: a seismo run further behind loses posts")
	fs.DurationVar(&o.Every, "every", 10*time.Second, "how often to sample lag and memory")
	benchTargetFlags(fs, &o.RedisAddr, &o.Binary)
	_, err := runBenchOf(ctx, fs, args, sio, &o, bench.Soak)
	return err
}

// runBenchAPI loads the HTTP API of a seismo run process.
func runBenchAPI(ctx context.Context, args []string, sio stdio) error {
	fs := newFlagSet("bench api", "bench api [--clients N] [--duration D] [--scenarios N] [flags]\n\n"+
		"Replays drawn scenarios into a Redis, starts seismo run on it (detector off, idle topic)\n"+
		"and has concurrent clients read its API: the incident listings, one incident, the series,\n"+
		"the overview and the feeds. Prints the latency quantiles of each.", sio.err)
	o := bench.APIOptions{Log: sio.err}
	fs.IntVar(&o.Clients, "clients", 200, "concurrent clients, each with its own connection")
	fs.DurationVar(&o.Duration, "duration", 30*time.Second, "how long to load the API, after a 2s warm-up")
	fs.IntVar(&o.Scenarios, "scenarios", 3, "drawn scenarios (four days, twelve countries each) replayed into the store first")
	fs.StringVar(&o.Scenario, "scenario", "", "a built-in scenario to replay instead of drawn ones (a smaller store, for quick runs)")
	benchTargetFlags(fs, &o.RedisAddr, &o.Binary)
	fs.StringVar(&o.ProfileDir, "profile-dir", "", "have seismo run write cpu.pprof and heap.pprof here")
	fs.BoolVar(&o.Reuse, "reuse", false, "keep the store at --flush-redis-addr when an earlier run filled it with as many scenarios")
	res, err := runBenchOf(ctx, fs, args, sio, &o, bench.RunAPI)
	if err != nil {
		return err
	}
	if n := res.Errors(); n > 0 {
		return fmt.Errorf("%d requests failed", n)
	}
	return nil
}

// runBenchOf parses a bench's flags into o, validates o, runs the bench and
// prints its table.
func runBenchOf[O interface{ Validate() error }, R interface{ WriteTable(io.Writer) }](ctx context.Context, fs *flag.FlagSet,
	args []string, sio stdio, o *O, run func(context.Context, O) (R, error)) (R, error) {
	var res R
	if err := parse(fs, args, getenv); err != nil {
		return res, err
	}
	if err := (*o).Validate(); err != nil {
		return res, fmt.Errorf("%w: %v", errUsage, err)
	}
	res, err := run(ctx, *o)
	if err != nil {
		return res, err
	}
	res.WriteTable(sio.out)
	return res, nil
}

// benchTargetFlags registers the flags every bench has: the Redis and the
// binary it runs.
func benchTargetFlags(fs *flag.FlagSet, redisAddr, binary *string) {
	// Not --redis-addr: SEISMO_REDIS_ADDR of a shell set up for seismo run
	// would name a Redis to flush.
	fs.StringVar(redisAddr, "flush-redis-addr", "", "a redis-server on this machine (loopback) to use, which is FLUSHED first\n(empty: start redis-server from PATH on a free port)")
	fs.StringVar(binary, "seismo", "", "the seismo binary to run (default: this one)")
}
