// Package bench measures seismo as a user runs it, with the limit set by
// what it reads beside it: a firehose of posts on the repository's broker
// (simulate.Firehose), read by a plain consumer, then counted by a
// `seismo run` process into a real redis-server. `seismo bench` runs it.
package bench

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
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"
	"golang.org/x/sync/errgroup"

	"github.com/seismo-dev/seismo/app"
	"github.com/seismo-dev/seismo/broker"
	"github.com/seismo-dev/seismo/ingest"
	"github.com/seismo-dev/seismo/internal/redisserver"
	"github.com/seismo-dev/seismo/simulate"
)

// Options say what to measure.
type Options struct {
	Posts    int     // posts to produce, >= 1
	Relevant float64 // share of them that name a service, in [0, 1]
	// LangHint is the share of posts that carry their language, as
	// Bluesky's and Mastodon's do; the classifier then skips lingua-go.
	LangHint   float64
	Partitions int // of the posts topic, 1..64
	// RedisAddr is a loopback redis-server to count in, which is flushed
	// first; empty starts redis-server from PATH on a free port.
	RedisAddr string
	// Binary is the seismo binary run as `seismo run`; empty, this
	// process's own executable.
	Binary string
	// ProfileDir, when set, has seismo run write cpu.pprof and heap.pprof
	// there.
	ProfileDir string
	// Log receives progress lines and seismo run's own output.
	Log io.Writer
}

// Validate reports the first bad option.
func (o Options) Validate() error {
	switch {
	case o.Posts < 1 || !(o.Relevant >= 0 && o.Relevant <= 1) || !(o.LangHint >= 0 && o.LangHint <= 1) || o.Partitions < 1 || o.Partitions > 64:
		return errors.New("want posts >= 1, relevant in [0, 1], lang-hint in [0, 1], partitions 1..64")
	}
	return loopbackRedis(o.RedisAddr)
}

// loopbackRedis accepts an empty address or one on this machine: the
// benches flush the Redis they are given.
func loopbackRedis(addr string) error {
	if addr == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
		return fmt.Errorf("redis %q: the bench flushes it, so it must be a loopback address", addr)
	}
	return nil
}

// sayer returns a printer of progress lines to log, which may be nil.
func sayer(log io.Writer) func(format string, args ...any) {
	if log == nil {
		log = io.Discard
	}
	return func(format string, args ...any) { fmt.Fprintf(log, "seismo bench: "+format+"\n", args...) }
}

// lockedWriter serialises writes: a bench's progress lines and its child's
// output, which exec copies from a goroutine of its own, share a writer.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// locked returns w, nil meaning io.Discard, safe for concurrent writes.
func locked(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return &lockedWriter{w: w}
}

// openRedis connects to the loopback Redis at addr, or when addr is empty
// starts a redis-server from PATH without persistence on a free port, and
// flushes it unless keep. close stops what it started.
func openRedis(ctx context.Context, addr string, keep bool) (string, *redis.Client, func(), error) {
	var cleanup []func()
	closeAll := func() {
		for _, f := range slices.Backward(cleanup) {
			f()
		}
	}
	if addr == "" {
		if _, err := exec.LookPath("redis-server"); err != nil {
			return "", nil, nil, errors.New("no redis-server on PATH; install it or give a Redis to flush")
		}
		dir, err := os.MkdirTemp("", "seismo-bench-redis")
		if err != nil {
			return "", nil, nil, err
		}
		cleanup = append(cleanup, func() { os.RemoveAll(dir) })
		srv, err := redisserver.StartFree(dir)
		if err != nil {
			closeAll()
			return "", nil, nil, err
		}
		cleanup = append(cleanup, func() { srv.Stop() })
		addr = srv.Addr
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second})
	cleanup = append(cleanup, func() { rdb.Close() })
	if keep {
		return addr, rdb, closeAll, nil
	}
	if err := rdb.FlushAll(ctx).Err(); err != nil {
		closeAll()
		return "", nil, nil, fmt.Errorf("flush redis at %s: %w", addr, err)
	}
	return addr, rdb, closeAll, nil
}

// Result is what one run measured.
type Result struct {
	Options
	Produced  int64         // posts on the topic
	RedisAddr string        // the Redis counted in
	Plain     time.Duration // the plain consumer's read of them all
	PlainCPU  time.Duration // used in it by the broker and the plain consumer
	runResult
}

// Run produces the firehose, times the plain consumer and then seismo run.
func Run(ctx context.Context, o Options) (Result, error) {
	if err := o.Validate(); err != nil {
		return Result{}, err
	}
	log := locked(o.Log)
	say := sayer(log)
	res := Result{Options: o}
	var rdb *redis.Client
	var closeRedis func()
	var err error
	if res.RedisAddr, rdb, closeRedis, err = openRedis(ctx, o.RedisAddr, false); err != nil {
		return res, err
	}
	defer closeRedis()

	b, err := broker.Start(broker.Config{Addr: "127.0.0.1:0", Partitions: int32(o.Partitions)})
	if err != nil {
		return res, err
	}
	defer b.Close()
	topic := ingest.DefaultConfig().Topic
	sc, err := simulate.Firehose(o.Posts, o.Relevant, 1)
	if err != nil {
		return res, err
	}
	sc.LangHintShare = o.LangHint
	began := time.Now()
	if res.Produced, _, err = app.Produce(ctx, b.Addr(), topic, sc, 0, int64(o.Posts)); err != nil {
		return res, err
	}
	say("produced %d posts (%.0f%% naming a service) in %s", res.Produced, 100*o.Relevant, time.Since(began).Round(time.Millisecond))

	cpu0 := selfCPU()
	if res.Plain, err = plainConsume(ctx, b.Addr(), topic, o.Partitions, res.Produced); err != nil {
		return res, fmt.Errorf("plain consumer: %w", err)
	}
	res.PlainCPU = selfCPU() - cpu0
	say("plain consumer read %d messages in %s", res.Produced, res.Plain.Round(time.Millisecond))

	extra, err := profileFlags(o.ProfileDir)
	if err != nil {
		return res, err
	}
	res.runResult, err = runSeismo(ctx, o.Binary, b.Addr(), res.RedisAddr, rdb, res.Produced, log, extra...)
	return res, err
}

// profileFlags are the flags that have seismo run write its profiles to
// dir, if set.
func profileFlags(dir string) ([]string, error) {
	if dir == "" {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return []string{"--cpuprofile", filepath.Join(dir, "cpu.pprof"), "--memprofile", filepath.Join(dir, "heap.pprof")}, nil
}

// WriteTable writes the figures side by side.
func (r Result) WriteTable(w io.Writer) {
	plainRate := float64(r.Produced) / r.Plain.Seconds()
	rate := float64(r.counted) / r.counting.Seconds()
	fmt.Fprintf(w, "posts %d, %.0f%% naming a service, %.0f%% with a language hint, %d partitions, redis-server %s\n",
		r.Produced, 100*r.Relevant, 100*r.LangHint, r.Partitions, r.RedisAddr)
	fmt.Fprintf(w, "%-34s %12s %14s\n", "", "posts/s", "vs plain")
	fmt.Fprintf(w, "%-34s %12.0f %14s\n", "plain consumer (kafka-go reader)", plainRate, "1.00x")
	fmt.Fprintf(w, "%-34s %12.0f %13.2fx\n", "seismo run, Kafka to Redis", rate, rate/plainRate)
	fmt.Fprintf(w, "seismo run: first post counted %s after start, all %d in %s more; peak RSS %.0f MB; %.2f Redis commands per post\n",
		r.startup.Round(time.Millisecond), r.Produced, r.counting.Round(time.Millisecond), float64(r.maxRSS)/(1<<20),
		float64(r.commands)/float64(r.Produced))
	us := func(d time.Duration, n int64) float64 { return float64(d.Microseconds()) / float64(n) }
	fmt.Fprintf(w, "CPU per post: plain consumer and broker %.2f µs; seismo run %.2f µs, broker %.2f µs, redis-server %.2f µs; %.1f of %d cores busy while counting\n",
		us(r.PlainCPU, r.Produced), us(r.cpu, r.counted), us(r.brokerCPU, r.counted), us(r.redisCPU, r.counted),
		(r.cpu+r.brokerCPU+r.redisCPU).Seconds()/r.counting.Seconds(), runtime.NumCPU())
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
	// CPU used in counting by seismo run, the broker (with the bench's
	// own polling) and redis-server.
	cpu, brokerCPU, redisCPU time.Duration
}

// runSeismo starts `seismo run` on the topic and waits until it has handled
// n messages, by its seismo_ingest_messages_total, then stops it.
func runSeismo(ctx context.Context, binary, brokerAddr, redisAddr string, rdb *redis.Client, n int64, stderr io.Writer, extra ...string) (runResult, error) {
	var res runResult
	before, err := redisCommands(ctx, rdb)
	if err != nil {
		return res, err
	}
	began := time.Now()
	proc, err := startSeismo(binary, brokerAddr, redisAddr, stderr, append([]string{"--group", "bench"}, extra...)...)
	if err != nil {
		return res, err
	}
	cmd, exited, stop, httpAddr := proc.cmd, proc.done, proc.stop, proc.httpAddr
	client := &http.Client{Timeout: 2 * time.Second}
	var first time.Time
	var atFirst int64
	var lastErr error
	type cpuAt struct{ seismo, broker, redis time.Duration }
	readCPU := func() (c cpuAt, err error) {
		c.broker = selfCPU()
		if c.seismo, err = processCPU(cmd.Process.Pid); err != nil {
			return c, fmt.Errorf("CPU of seismo run: %w", err)
		}
		c.redis, err = redisCPU(ctx, rdb)
		return c, err
	}
	var cpuFirst cpuAt
	deadline := time.Now().Add(30 * time.Minute)
	for {
		// Redeliveries count again, but a new group on a still topic
		// has none.
		handled, err := scrapeCounter(ctx, client, "http://"+httpAddr+"/metrics", "seismo_ingest_messages_total")
		lastErr = err
		if err == nil && handled > 0 && first.IsZero() {
			first, atFirst = time.Now(), handled
			if cpuFirst, err = readCPU(); err != nil {
				stop()
				return res, err
			}
		}
		if err == nil && handled >= n {
			break
		}
		select {
		case <-exited:
			return res, fmt.Errorf("seismo run exited before handling every post: %v (last scrape: %v)", proc.err, lastErr)
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
	cpuDone, err := readCPU()
	if err != nil {
		stop()
		return res, err
	}
	res.cpu, res.brokerCPU, res.redisCPU = cpuDone.seismo-cpuFirst.seismo, cpuDone.broker-cpuFirst.broker, cpuDone.redis-cpuFirst.redis
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

// child is a `seismo run` process the bench started.
type child struct {
	cmd      *exec.Cmd
	httpAddr string
	done     chan struct{} // closed when the process has exited
	err      error         // how it exited, once done is closed
	once     sync.Once
}

// startSeismo starts `seismo run` on the broker and Redis with its HTTP
// API on a free loopback port, and extra flags.
func startSeismo(binary, brokerAddr, redisAddr string, stderr io.Writer, extra ...string) (*child, error) {
	port, err := redisserver.FreePort()
	if err != nil {
		return nil, err
	}
	c := &child{httpAddr: fmt.Sprintf("127.0.0.1:%d", port), done: make(chan struct{})}
	if binary, err = self(binary); err != nil {
		return nil, err
	}
	c.cmd = exec.Command(binary, append([]string{"run", "--kafka-brokers", brokerAddr, "--redis-addr", redisAddr,
		"--http-addr", c.httpAddr, "--log-level", "warn"}, extra...)...)
	c.cmd.Env = cleanEnv()
	if stderr == nil {
		stderr = io.Discard
	}
	c.cmd.Stdout, c.cmd.Stderr = stderr, stderr
	if err := c.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

// self returns binary, or when it is empty this process's executable: the
// seismo binary that runs the bench runs what it measures too.
func self(binary string) (string, error) {
	if binary != "" {
		return binary, nil
	}
	return os.Executable()
}

// cleanEnv is this process's environment without SEISMO_*: every setting
// of a process the bench runs is on its command line, and SEISMO_* of the
// caller's environment would change what is measured.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SEISMO_") {
			env = append(env, kv)
		}
	}
	return env
}

// stop ends the process with SIGTERM, or SIGKILL after 30s; it returns
// how the process ended, the same to every call.
func (c *child) stop() error {
	var late error
	c.once.Do(func() {
		c.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-c.done:
		case <-time.After(30 * time.Second):
			c.cmd.Process.Kill()
			<-c.done
			late = errors.New("seismo run did not stop in 30s")
		}
	})
	<-c.done
	return errors.Join(late, c.err)
}

// waitReady waits until the process answers GET /readyz with 200.
func (c *child) waitReady(ctx context.Context, timeout time.Duration) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+c.httpAddr+"/readyz", nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = errors.New(resp.Status)
		}
		last = err
		select {
		case <-c.done:
			return fmt.Errorf("seismo run exited: %v", c.err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("seismo run not ready in %s: %v", timeout, last)
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
	v, err := redisInfo(ctx, rdb, "stats", "total_commands_processed")
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(v[0], 10, 64)
}

// redisCPU is the CPU time, user and system, the server has used so far.
func redisCPU(ctx context.Context, rdb *redis.Client) (time.Duration, error) {
	v, err := redisInfo(ctx, rdb, "cpu", "used_cpu_user", "used_cpu_sys")
	if err != nil {
		return 0, err
	}
	var sum time.Duration
	for _, s := range v {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0, fmt.Errorf("redis INFO cpu: %w", err)
		}
		sum += time.Duration(f * float64(time.Second))
	}
	return sum, nil
}

// redisInfo reads fields of one section of the server's INFO.
func redisInfo(ctx context.Context, rdb *redis.Client, section string, fields ...string) ([]string, error) {
	info, err := rdb.Info(ctx, section).Result()
	if err != nil {
		return nil, err
	}
	vals := make([]string, len(fields))
	for line := range strings.SplitSeq(info, "\r\n") {
		k, v, _ := strings.Cut(line, ":")
		if i := slices.Index(fields, k); i >= 0 {
			vals[i] = v
		}
	}
	if i := slices.Index(vals, ""); i >= 0 {
		return nil, fmt.Errorf("redis INFO %s has no %s", section, fields[i])
	}
	return vals, nil
}
