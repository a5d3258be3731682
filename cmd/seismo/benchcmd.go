package main

import (
	"context"
	"fmt"
	"os"

	"github.com/seismo-dev/seismo/bench"
)

// runBench measures the whole process as a user runs it (package bench).
func runBench(ctx context.Context, args []string, sio stdio) error {
	fs := newFlagSet("bench", "bench [--posts N] [--relevant SHARE] [--flush-redis-addr ADDR] [flags]", sio.err)
	o := bench.Options{Log: sio.err}
	fs.IntVar(&o.Posts, "posts", 600_000, "posts to produce")
	fs.Float64Var(&o.Relevant, "relevant", 0.02, "share of the posts that name a service (a third of those complain)")
	fs.IntVar(&o.Partitions, "partitions", 3, "partitions of the posts topic")
	// Not --redis-addr: SEISMO_REDIS_ADDR of a shell set up for seismo run
	// would name a Redis to flush.
	fs.StringVar(&o.RedisAddr, "flush-redis-addr", "", "a redis-server on this machine (loopback) to count in, which is FLUSHED first\n(empty: start redis-server from PATH on a free port)")
	fs.StringVar(&o.Binary, "seismo", "", "the seismo binary to run (default: this one)")
	fs.StringVar(&o.ProfileDir, "profile-dir", "", "have seismo run write cpu.pprof and heap.pprof (allocations since start) here")
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	if o.Binary == "" {
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		o.Binary = exe
	}
	if err := o.Validate(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	res, err := bench.Run(ctx, o)
	if err != nil {
		return err
	}
	res.WriteTable(sio.out)
	return nil
}
