package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"
	"golang.org/x/sync/errgroup"

	"github.com/seismo-dev/seismo/app"
	"github.com/seismo-dev/seismo/broker"
	"github.com/seismo-dev/seismo/ingest"
	"github.com/seismo-dev/seismo/simulate"
)

// runBench measures the whole process as a user runs it: a firehose of
// posts on the repository's broker, read by a plain consumer and then
// consumed by a `seismo run` process into a real redis-server, side by
// side in one run.
func runBench(ctx context.Context, args []string, sio stdio) error {
	fs := newFlagSet("bench", "bench [--posts N] [--relevant SHARE] [--flush-redis-addr ADDR] [flags]", sio.err)
	posts := fs.Int("posts", 600_000, "posts to produce")
	relevant := fs.Float64("relevant", 0.02, "share of the posts that name a service (a third of those complain)")
	partitions := fs.Int("partitions", 3, "partitions of the posts topic")
	// Not --redis-addr: SEISMO_REDIS_ADDR of a shell set up for seismo run
	// would name a Redis to flush.
	redisAddr := fs.String("flush-redis-addr", "", "a redis-server on this machine (loopback) to count in, which is FLUSHED first\n(empty: start redis-server from PATH on a free port)")
	binary := fs.String("seismo", "", "the seismo binary to run (default: this one)")
	profiles := fs.String("profile-dir", "", "have seismo run write cpu.pprof and heap.pprof (allocations since start) here")
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	if *posts < 1 || !(*relevant >= 0 && *relevant <= 1) || *partitions < 1 || *partitions > 64 {
		return fmt.Errorf("%w: want --posts >= 1, --relevant in [0, 1], --partitions 1..64", errUsage)
	}
	if *binary == "" {
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		*binary = exe
	}
	say := func(format string, args ...any) { fmt.Fprintf(sio.err, "seismo bench: "+format+"\n", args...) }

	addr := *redisAddr
	if addr != "" {
		host, _, err := net.SplitHostPort(addr)
		if ip := net.ParseIP(host); err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
			return fmt.Errorf("%w: --flush-redis-addr %q: the bench flushes it, so it must be a loopback address", errUsage, addr)
		}
	}
	if addr == "" {
		srv, err := startRedisServer(ctx)
		if err != nil {
			return err
		}
		defer srv.stop()
		addr = srv.addr
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second})
	defer rdb.Close()
	if err := rdb.FlushAll(ctx).Err(); err != nil {
		return fmt.Errorf("flush redis at %s: %w", addr, err)
	}

	b, err := broker.Start(broker.Config{Addr: "127.0.0.1:0", Partitions: int32(*partitions)})
	if err != nil {
		return err
	}
	defer b.Close()
	topic := ingest.DefaultConfig().Topic
	sc, err := simulate.Firehose(*posts, *relevant, 1)
	if err != nil {
		return err
	}
	began := time.Now()
	n, _, err := app.Produce(ctx, b.Addr(), topic, sc, 0, int64(*posts))
	if err != nil {
		return err
	}
	say("produced %d posts (%.0f%% naming a service) in %s", n, 100**relevant, time.Since(began).Round(time.Millisecond))

	plain, err := plainConsume(ctx, b.Addr(), topic, *partitions, n)
	if err != nil {
		return fmt.Errorf("plain consumer: %w", err)
	}
	say("plain consumer read %d messages in %s", n, plain.Round(time.Millisecond))

	var extra []string
	if *profiles != "" {
		if err := os.MkdirAll(*profiles, 0o755); err != nil {
			return err
		}
		extra = []string{"--cpuprofile", filepath.Join(*profiles, "cpu.pprof"), "--memprofile", filepath.Join(*profiles, "heap.pprof")}
	}
	res, err := benchRun(ctx, *binary, b.Addr(), addr, rdb, n, sio.err, extra...)
	if err != nil {
		return err
	}
	plainRate := float64(n) / plain.Seconds()
	rate := float64(res.counted) / res.counting.Seconds()
	w := sio.out
	fmt.Fprintf(w, "posts %d, %.0f%% naming a service, %d partitions, redis-server %s\n", n, 100**relevant, *partitions, addr)
	fmt.Fprintf(w, "%-34s %12s %14s\n", "", "posts/s", "vs plain")
	fmt.Fprintf(w, "%-34s %12.0f %14s\n", "plain consumer (kafka-go reader)", plainRate, "1.00x")
	fmt.Fprintf(w, "%-34s %12.0f %13.2fx\n", "seismo run, Kafka to Redis", rate, rate/plainRate)
	fmt.Fprintf(w, "seismo run: first post counted %s after start, all %d in %s more; peak RSS %.0f MB; %.2f Redis commands per post\n",
		res.startup.Round(time.Millisecond), n, res.counting.Round(time.Millisecond), float64(res.maxRSS)/(1<<20),
		float64(res.commands)/float64(n))
	return nil
}

// plainConsume reads every partition of topic from its first message to
// its end with one kafka-go reader each, as the baseline of what reading
// the topic costs, and returns how long that took.
func plainConsume(ctx context.Context, brokerAddr, topic string, partitions int, total int64) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	began := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	counts := make([]int64, partitions)
	for p := range partitions {
		g.Go(func() error {
			conn, err := kafka.DialLeader(gctx, "tcp", brokerAddr, topic, p)
			if err != nil {
				return err
			}
			conn.SetDeadline(time.Now().Add(10 * time.Second))
			end, err := conn.ReadLastOffset()
			conn.Close()
			if err != nil {
				return err
			}
			// The fetch settings ingest's readers use.
			r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{brokerAddr}, Topic: topic, Partition: p,
				MinBytes: 1, MaxBytes: 4 << 20, MaxWait: 500 * time.Millisecond, ReadLagInterval: -1,
				Dialer: &kafka.Dialer{Timeout: 10 * time.Second}})
			defer r.Close()
			for counts[p] < end {
				m, err := r.ReadMessage(gctx)
				if err != nil {
					return err
				}
				counts[p]++
				if m.Offset+1 >= end {
					break
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return 0, err
	}
	var n int64
	for _, c := range counts {
		n += c
	}
	if n != total {
		return 0, fmt.Errorf("read %d messages, want %d", n, total)
	}
	return time.Since(began), nil
}

// runResult is what one `seismo run` process did.
type runResult struct {
	startup  time.Duration // from start to the first message handled
	counting time.Duration // from then to the last
	counted  int64         // messages handled in counting
	maxRSS   int64         // bytes
	commands int64         // Redis commands while it ran
}

// benchRun starts `seismo run` on the topic and waits until it has handled
// n messages, by its seismo_ingest_messages_total, then stops it.
func benchRun(ctx context.Context, binary, brokerAddr, redisAddr string, rdb *redis.Client, n int64, stderr io.Writer, extra ...string) (runResult, error) {
	var res runResult
	httpAddr, err := freePort()
	if err != nil {
		return res, err
	}
	before, err := redisCommands(ctx, rdb)
	if err != nil {
		return res, err
	}
	cmd := exec.Command(binary, append([]string{"run", "--kafka-brokers", brokerAddr, "--redis-addr", redisAddr,
		"--http-addr", httpAddr, "--group", "bench", "--log-level", "warn"}, extra...)...)
	// Every setting is on the command line: SEISMO_* of the caller's
	// environment would change what is measured.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SEISMO_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Stdout, cmd.Stderr = stderr, stderr
	began := time.Now()
	if err := cmd.Start(); err != nil {
		return res, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() error {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			return err
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			return errors.Join(errors.New("seismo run did not stop in 30s"), <-exited)
		}
	}
	client := &http.Client{Timeout: 2 * time.Second}
	var first time.Time
	var atFirst int64
	var lastErr error
	deadline := time.Now().Add(30 * time.Minute)
	for {
		// Redeliveries count again, but a new group on a still topic
		// has none.
		handled, err := scrapeCounter(ctx, client, "http://"+httpAddr+"/metrics", "seismo_ingest_messages_total")
		lastErr = err
		if err == nil && handled > 0 && first.IsZero() {
			first, atFirst = time.Now(), handled
		}
		if err == nil && handled >= n {
			break
		}
		select {
		case err := <-exited:
			return res, fmt.Errorf("seismo run exited before handling every post: %v (last scrape: %v)", err, lastErr)
		case <-ctx.Done():
			stop()
			return res, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			stop()
			return res, fmt.Errorf("seismo run did not handle every post in 30 minutes (last scrape: %v)", lastErr)
		}
	}
	done := time.Now()
	// Read while it runs: /proc forgets an exited process.
	res.maxRSS, err = peakRSS(cmd.Process.Pid)
	if err != nil {
		stop()
		return res, fmt.Errorf("peak RSS of seismo run: %w", err)
	}
	after, err := redisCommands(ctx, rdb)
	if err != nil {
		stop()
		return res, err
	}
	if err := stop(); err != nil {
		return res, fmt.Errorf("seismo run: %w", err)
	}
	res.startup, res.counting, res.counted = first.Sub(began), done.Sub(first), n-atFirst
	res.commands = after - before
	return res, nil
}

// scrapeCounter reads one unlabelled counter from a Prometheus text page.
func scrapeCounter(ctx context.Context, client *http.Client, url, name string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("%s: %s", url, resp.Status)
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return int64(f), err
		}
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("%s: %w", url, err)
	}
	return 0, fmt.Errorf("%s: no %s", url, name)
}

// redisCommands is the server's count of commands processed so far.
func redisCommands(ctx context.Context, rdb *redis.Client) (int64, error) {
	info, err := rdb.Info(ctx, "stats").Result()
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "total_commands_processed:"); ok {
			return strconv.ParseInt(v, 10, 64)
		}
	}
	return 0, errors.New("redis INFO stats has no total_commands_processed")
}

// redisServer is a redis-server the bench started.
type redisServer struct {
	addr string
	cmd  *exec.Cmd
	dir  string
}

// startRedisServer starts redis-server from PATH on a free loopback port,
// without persistence.
func startRedisServer(ctx context.Context) (*redisServer, error) {
	path, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("%w: no redis-server on PATH; install it or give --flush-redis-addr", errUsage)
	}
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	_, port, _ := net.SplitHostPort(addr)
	dir, err := os.MkdirTemp("", "seismo-bench-redis")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", dir, "--logfile", filepath.Join(dir, "redis.log"))
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s := &redisServer{addr: addr, cmd: cmd, dir: dir}
	rdb := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: time.Second})
	defer rdb.Close()
	for deadline := time.Now().Add(10 * time.Second); ; {
		if rdb.Ping(ctx).Err() == nil {
			return s, nil
		}
		if ctx.Err() != nil {
			s.stop()
			return nil, ctx.Err()
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
			s.stop()
			return nil, fmt.Errorf("redis-server on %s did not answer in 10s; its log:\n%s", addr, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *redisServer) stop() {
	s.cmd.Process.Kill()
	s.cmd.Wait()
	os.RemoveAll(s.dir)
}

// freePort returns a loopback address nobody listens on right now.
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
