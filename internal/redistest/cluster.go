package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/seismo-dev/seismo/internal/redisserver"
)

// Cluster is a Redis Cluster of three masters, without replicas, on
// loopback ports.
type Cluster struct {
	// Addrs are the masters' addresses, any of which seeds a client.
	Addrs []string
	nodes []*Server
	dir   string
}

// StartCluster starts three redis-server processes in cluster mode, joins
// them with redis-cli --cluster create (16384 slots split in three) and
// waits until every node reports the cluster ok. The cluster is the test's
// own and stops when it ends.
func StartCluster(tb testing.TB) *Cluster {
	tb.Helper()
	Require(tb, "redis-server", "redis-cli")
	c, err := startCluster(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.stop)
	return c
}

var shared struct {
	sync.Mutex
	c   *Cluster
	err error
}

// SharedCluster returns the cluster every test of the package shares,
// started by the first that asks and emptied (FLUSHALL on every master) for
// each that asks after it; a cluster takes seconds to form, and a package
// may have a hundred tests that want one. Tests that use it must not run
// in parallel with each other. The package's TestMain must call
// StopSharedCluster after m.Run.
func SharedCluster(tb testing.TB) *Cluster {
	tb.Helper()
	Require(tb, "redis-server", "redis-cli")
	shared.Lock()
	defer shared.Unlock()
	if shared.c == nil && shared.err == nil {
		dir, err := os.MkdirTemp("", "redistest-cluster-")
		if err == nil {
			shared.c, err = startCluster(dir)
			if err != nil {
				os.RemoveAll(dir)
			}
		}
		shared.err = err
	}
	if shared.err != nil {
		tb.Fatal(shared.err)
	}
	shared.c.flush(tb)
	return shared.c
}

// StopSharedCluster stops the shared cluster, if one was started.
func StopSharedCluster() {
	shared.Lock()
	defer shared.Unlock()
	if shared.c != nil {
		shared.c.stop()
		shared.c = nil
	}
}

func startCluster(dir string) (*Cluster, error) {
	c := &Cluster{dir: dir}
	for i := range 3 {
		dir := filepath.Join(dir, fmt.Sprint(i))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			c.stop()
			return nil, err
		}
		var lastErr error
		started := false
		for range 10 {
			port, err := redisserver.FreePort()
			if err != nil {
				c.stop()
				return nil, err
			}
			// The cluster bus listens 10000 above the port.
			if port+10000 > 65535 || !portFree(port+10000) {
				continue
			}
			s, err := start(dir, port, "--cluster-enabled", "yes",
				"--cluster-config-file", filepath.Join(dir, "nodes.conf"), "--cluster-node-timeout", "5000")
			if err != nil {
				lastErr = err
				continue
			}
			c.nodes = append(c.nodes, s)
			c.Addrs = append(c.Addrs, s.Addr)
			started = true
			break
		}
		if !started {
			c.stop()
			return nil, fmt.Errorf("start cluster node %d: %v", i, lastErr)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args := append([]string{"--cluster", "create"}, c.Addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.CommandContext(ctx, "redis-cli", args...).CombinedOutput(); err != nil {
		c.stop()
		return nil, fmt.Errorf("redis-cli --cluster create: %v: %s", err, redisserver.LastLines(string(out), 5))
	}
	for _, addr := range c.Addrs {
		n := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 2 * time.Second})
		for {
			info, err := n.ClusterInfo(ctx).Result()
			if err == nil && strings.Contains(info, "cluster_state:ok") {
				break
			}
			if ctx.Err() != nil {
				n.Close()
				c.stop()
				return nil, fmt.Errorf("cluster node %s never reported cluster_state:ok: %v %s", addr, err, info)
			}
			time.Sleep(100 * time.Millisecond)
		}
		n.Close()
	}
	return c, nil
}

func (c *Cluster) stop() {
	for _, n := range c.nodes {
		n.stop()
	}
	if c.dir != "" && strings.Contains(c.dir, "redistest-cluster-") {
		os.RemoveAll(c.dir)
	}
}

// flush empties every master and drops the scripts they cached.
func (c *Cluster) flush(tb testing.TB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, addr := range c.Addrs {
		n := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 2 * time.Second})
		err := n.FlushAll(ctx).Err()
		n.Close()
		if err != nil {
			tb.Fatalf("flush cluster node %s: %v", addr, err)
		}
	}
}

// Client returns a go-redis cluster client seeded with every master,
// closed when the test ends.
func (c *Cluster) Client(tb testing.TB) *redis.ClusterClient {
	tb.Helper()
	cl := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs, DialTimeout: 2 * time.Second,
		ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second})
	tb.Cleanup(func() { _ = cl.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := cl.ForEachShard(ctx, func(ctx context.Context, shard *redis.Client) error {
		return shard.Ping(ctx).Err()
	}); err != nil {
		tb.Fatalf("ping the cluster at %v: %v", c.Addrs, err)
	}
	return cl
}

func portFree(port int) bool {
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// Keys returns the keys matching pattern on every master of rdb: KEYS on
// a cluster client asks one node only.
func Keys(tb testing.TB, rdb redis.UniversalClient, pattern string) []string {
	tb.Helper()
	ctx := context.Background()
	cl, ok := rdb.(*redis.ClusterClient)
	if !ok {
		keys, err := rdb.Keys(ctx, pattern).Result()
		if err != nil {
			tb.Fatal(err)
		}
		return keys
	}
	var mu sync.Mutex
	var keys []string
	err := cl.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
		ks, err := m.Keys(ctx, pattern).Result()
		mu.Lock()
		defer mu.Unlock()
		keys = append(keys, ks...)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return keys
}
