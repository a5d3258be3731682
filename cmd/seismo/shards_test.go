package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/backtest"
	"github.com/seismo-dev/seismo/broker"
	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/ingest"
	"github.com/seismo-dev/seismo/internal/redistest"
	"github.com/seismo-dev/seismo/simulate"
)

// gauge reads an unlabelled gauge from a process's /metrics; -1 when it
// cannot be read.
func gauge(httpAddr, name string) int {
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get("http://" + httpAddr + "/metrics")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		var v float64
		if _, err := fmt.Sscanf(sc.Text(), name+" %g", &v); err == nil {
			return int(v)
		}
	}
	return -1
}

// The WhatsApp scenario through three `seismo run` processes on a real
// Redis Cluster of three masters with --detect-shards 3 gives the same
// events, incidents, counts and baselines as the backtest's replay on one
// redis-server, though the process that leads the shard of the outage's
// services is killed (SIGKILL) in the middle of the outage: its shards go
// to the others, and no incident is lost or announced twice.
func TestIntegrationShardedCluster(t *testing.T) {
	redistest.Require(t, "redis-server", "redis-cli", "kcat")
	sc, err := simulate.Builtin("whatsapp-2024-04-03")
	if err != nil {
		t.Fatal(err)
	}
	var posts []seismo.Post
	if err := sc.Generate(func(p seismo.Post) error { posts = append(posts, p); return nil }); err != nil {
		t.Fatal(err)
	}
	slices.SortStableFunc(posts, func(a, b seismo.Post) int { return a.CreatedAt.Compare(b.CreatedAt) })
	// A quiet post two hours on, past the lateness, lets every run
	// evaluate past the end of the outage.
	last := posts[len(posts)-1].CreatedAt.Add(2 * time.Hour).Truncate(time.Minute).Add(45 * time.Second)
	posts = append(posts, seismo.Post{ID: "last", Text: "good night everyone", CreatedAt: last,
		Source: "test", Author: "last", Country: "GB"})
	from, to := eventTimeSpan(posts)

	// The reference: the backtest on one redis-server.
	ref := redistest.Start(t)
	refStore, err := detect.NewStore(ref.Client(t), detect.StoreConfig{ReporterKey: []byte(eventTimeKey),
		Groups: detect.GroupsOf(testClassifier(t).Services())})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := backtest.Replay(context.Background(), posts, backtest.Options{Classifier: testClassifier(t),
		Store: refStore, Config: detect.DefaultConfig()}); err != nil {
		t.Fatal(err)
	}
	want := readOutcome(t, ref.Client(t), from, to)
	if len(want.Incidents) < 2 {
		t.Fatalf("the backtest found %d incidents, want WhatsApp's and Instagram's", len(want.Incidents))
	}

	cluster := redistest.StartCluster(t)
	rdb := cluster.Client(t)
	const partitions = 3
	b, err := broker.Start(broker.Config{Addr: "127.0.0.1:0", Partitions: partitions})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := ingest.EnsureTopics(ctx, []string{b.Addr()}, partitions, "seismo.posts", "seismo.posts.dlq", "seismo.incidents"); err != nil {
		t.Fatal(err)
	}
	store, err := detect.NewStore(rdb, detect.StoreConfig{ReporterKey: []byte(eventTimeKey),
		Groups: detect.GroupsOf(testClassifier(t).Services())})
	if err != nil {
		t.Fatal(err)
	}

	const ttl = 3 * time.Second
	seeds := strings.Join(cluster.Addrs, ",")
	procs := map[string]*worker{}
	for _, name := range []string{"w1", "w2", "w3"} {
		procs[name] = startWorkerProcess(t, name, b.Addr(), seeds, partitions,
			"--detect-shards", "3", "--lease-ttl", ttl.String())
	}
	held := func(names ...string) []int {
		var out []int
		for _, n := range names {
			out = append(out, gauge(procs[n].addr, "seismo_detector_shards_held"))
		}
		return out
	}
	// Each takes its fair share: one shard.
	for began := time.Now(); !slices.Equal(held("w1", "w2", "w3"), []int{1, 1, 1}); time.Sleep(20 * time.Millisecond) {
		if time.Since(began) > time.Minute {
			t.Fatalf("shards held by w1, w2, w3: %v after a minute, want one each", held("w1", "w2", "w3"))
		}
	}

	// The process that leads Meta's shard dies in the middle of the
	// outage, with its incidents open.
	metaShard := detect.ShardOf(detect.GroupsOf(testClassifier(t).Services())["whatsapp"], 3)
	outage := time.Date(2024, 4, 3, 18, 40, 0, 0, time.UTC)
	cut, _ := slices.BinarySearchFunc(posts, outage, func(p seismo.Post, at time.Time) int { return p.CreatedAt.Compare(at) })
	produce := func(ps []seismo.Post) {
		kcatProduce(t, b.Addr(), "seismo.posts", encodeLines(t, ps, true), "-K", "\t")
	}
	produce(posts[:cut])
	waitEvaluated(t, store, cut, 3*time.Minute)
	open, err := store.Incidents(ctx, detect.Filter{Status: seismo.StatusOpen})
	if err != nil || len(open) == 0 {
		t.Fatalf("no open incident when the leader of Meta's shard is killed: %v, %v", open, err)
	}
	owner, err := rdb.Get(ctx, fmt.Sprintf("seismo:lease:detector:%d/3", metaShard)).Result()
	if err != nil {
		t.Fatalf("the lease of shard %d: %v", metaShard, err)
	}
	procs[owner].kill()
	var rest []string
	for _, n := range []string{"w1", "w2", "w3"} {
		if n != owner {
			rest = append(rest, n)
		}
	}
	slices.Sort(rest)
	began := time.Now()
	for {
		h := held(rest...)
		if h[0]+h[1] == 3 && h[0] <= 2 && h[1] <= 2 {
			break
		}
		if time.Since(began) > 2*ttl {
			t.Fatalf("after %s killed, %v hold %v shards, want 3 between them", owner, rest, h)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("%s (shard %d, Meta's) killed; %v hold %v shards %s later (lease TTL %s)", owner, metaShard, rest,
		held(rest...), time.Since(began).Round(time.Millisecond), ttl)

	produce(posts[cut:])
	waitEvaluated(t, store, len(posts), 3*time.Minute)
	got := readOutcome(t, rdb, from, to)
	compareOutcomes(t, got, want)
	opened := map[string]int{}
	for _, ev := range got.Events {
		if ev.Type == seismo.EventOpened {
			opened[ev.Data.ID]++
		}
	}
	for id, n := range opened {
		if n != 1 {
			t.Errorf("incident %s opened %d times", id, n)
		}
	}
	t.Logf("%d events, %d incidents (%d opened), the same as the backtest on one redis-server", len(got.Events), len(got.Incidents), len(opened))

	// The keys spread over every master.
	err = rdb.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
		n, err := m.DBSize(ctx).Result()
		if err == nil && n == 0 {
			err = fmt.Errorf("master %s holds no key", m.Options().Addr)
		}
		if err == nil {
			t.Logf("master %s holds %d keys", m.Options().Addr, n)
		}
		return err
	})
	if err != nil {
		t.Error(err)
	}
}
