package app_test

import (
	"context"
	"errors"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/seismo-dev/seismo/app"
	"github.com/seismo-dev/seismo/internal/redistest"
)

// OpenRedis gives a single server's client for a server, and the cluster
// client for a cluster node without being told; a cluster has database 0
// only.
func TestOpenRedis(t *testing.T) {
	ctx := context.Background()
	single := redistest.Start(t)
	c, err := app.OpenRedis(ctx, app.RedisOptions{Addrs: []string{single.Addr}, DB: 2})
	if err != nil {
		t.Fatal(err)
	}
	if sc, ok := c.(*redis.Client); !ok || sc.Options().DB != 2 {
		t.Errorf("a single server gave %T, not a client of database 2", c)
	}
	c.Close()

	cluster := redistest.StartCluster(t)
	c, err = app.OpenRedis(ctx, app.RedisOptions{Addrs: cluster.Addrs[:1]})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.(*redis.ClusterClient); !ok {
		t.Errorf("a cluster node gave %T", c)
	}
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Error(err)
	}
	c.Close()
	if _, err := app.OpenRedis(ctx, app.RedisOptions{Addrs: cluster.Addrs[:1], DB: 1}); !errors.Is(err, app.ErrClusterDB) {
		t.Errorf("database 1 of a cluster: %v, want ErrClusterDB", err)
	}
}
