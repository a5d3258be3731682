package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Cluster is a Redis Cluster of three masters, without replicas, on
// loopback ports, owned by one test.
type Cluster struct {
	// Addrs are the masters' addresses, any of which seeds a client.
	Addrs []string
}

// StartCluster starts three redis-server processes in cluster mode, joins
// them with redis-cli --cluster create (16384 slots split in three) and
// waits until every node reports the cluster ok.
func StartCluster(tb testing.TB) *Cluster {
	tb.Helper()
	Require(tb, "redis-server", "redis-cli")
	c := &Cluster{}
	for i := range 3 {
		dir := filepath.Join(tb.TempDir(), fmt.Sprint(i))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			tb.Fatal(err)
		}
		var lastErr error
		started := false
		for range 10 {
			port, err := freePort()
			if err != nil {
				tb.Fatal(err)
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
			tb.Cleanup(s.stop)
			c.Addrs = append(c.Addrs, s.Addr)
			started = true
			break
		}
		if !started {
			tb.Fatalf("start cluster node %d: %v", i, lastErr)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args := append([]string{"--cluster", "create"}, c.Addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.CommandContext(ctx, "redis-cli", args...).CombinedOutput(); err != nil {
		tb.Fatalf("redis-cli --cluster create: %v: %s", err, lastLines(string(out), 5))
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
				tb.Fatalf("cluster node %s never reported cluster_state:ok: %v %s", addr, err, info)
			}
			time.Sleep(100 * time.Millisecond)
		}
		n.Close()
	}
	return c
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
