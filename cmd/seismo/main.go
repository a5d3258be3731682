// Command seismo detects outages of online services from public posts.
//
// Usage:
//
//	seismo <command> [flags]
//
// Run `seismo help` for the commands and `seismo <command> --help` for flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/redis/go-redis/v9"
)

func main() {
	// go-redis logs through a process-wide logger; route it to slog at
	// debug level so its retries do not interleave unstructured lines with
	// the commands' own messages, which already report failures.
	redis.SetLogger(redisLogger{})
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// command is one subcommand. Run returns errUsage-wrapped errors for bad
// flags, which map to exit status 2.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, io stdio) error
}

type stdio struct {
	in       io.Reader
	out, err io.Writer
}

var errUsage = errors.New("usage")

// errFlagsReported is a usage error the flag package has printed itself.
var errFlagsReported = fmt.Errorf("%w: bad flags", errUsage)

type redisLogger struct{}

func (redisLogger) Printf(ctx context.Context, format string, v ...any) {
	slog.DebugContext(ctx, fmt.Sprintf(format, v...), "component", "redis")
}

func commands() []command {
	return []command{
		{"demo", "run the whole pipeline on an embedded broker and Redis and play the WhatsApp outage of 3 April 2024", runDemo},
		{"run", "run ingest, detector, API and dashboard against Kafka and Redis", runServe},
		{"status", "show how far the stream is consumed: each partition's owner, offsets and watermark,\n            and the detector's position", runStatus},
		{"source", "read public posts from Bluesky (Jetstream) or Mastodon onto the posts topic:\n            seismo source bluesky, seismo source mastodon --instance https://HOST", runSource},
		{"broker", "run a single-node Kafka-protocol broker for development", runBroker},
		{"classify", "classify Post JSON lines from stdin, one Signal JSON line out per line in", runClassify},
		{"backtest", "detect over a file of posts in event time (incident events to stdout, scored with --truth),\n            or over a count series (--series)", runBacktest},
		{"simulate", "write the posts of a scenario (built in, or a YAML file) as JSON lines, and its truth", runSimulate},
		{"nab", "run the detector on NAB count series and score its alerts as NAB does", runNAB},
		{"eval", "score the classifier on labelled posts: precision, recall and F1 per language", runEval},
		{"train", "train the classifier's learned stage on labelled posts and write its model file", runTrain},
		{"bench", "measure the whole process as it is run: a firehose on the embedded broker, read by a plain\n            consumer, then counted by a seismo run process into redis-server", runBench},
		{"healthcheck", "ask a running seismo whether it is alive (GET /healthz): exit status 0 if so,\n            for container health checks", runHealthcheck},
		{"version", "print the module version, VCS revision and time and Go version of this binary\n            (also --version)", runVersion},
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `seismo detects outages of online services from public posts.

Usage:
  seismo <command> [flags]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run "seismo <command> --help" for a command's flags. Every flag can also be set
through the environment: --kafka-brokers is SEISMO_KAFKA_BROKERS, and so on.
`)
}

// asksHelp tells whether the command line asks for a command's help. The
// commands take no arguments but flags, so any help flag counts.
func asksHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help", "--h":
			return true
		}
	}
	return false
}

// run is main without the process: tests call it directly.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	name := args[0]
	if name == "--version" || name == "-version" {
		name = "version"
	}
	if name == "help" || name == "-h" || name == "--help" || name == "-help" {
		usage(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		sio := stdio{in: stdin, out: stdout, err: stderr}
		if asksHelp(args[1:]) {
			// Help that was asked for is the command's output: it goes to
			// stdout, as `seismo help` does, so it pipes into a pager.
			sio.err = stdout
		}
		err := c.run(ctx, args[1:], sio)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errFlagsReported):
			return 2
		case errors.Is(err, errUsage):
			fmt.Fprintf(stderr, "seismo %s: %v\n", name, err)
			return 2
		default:
			fmt.Fprintf(stderr, "seismo %s: %v\n", name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "seismo: unknown command %q\n\n", name)
	usage(stderr)
	return 2
}
