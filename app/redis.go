package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisOptions say how to reach Redis: one server, or a Redis Cluster
// through any of its nodes.
type RedisOptions struct {
	// Addrs are the server's address, or seed nodes of a cluster.
	Addrs    []string
	Password string
	// DB is the database number; a cluster has 0 only.
	DB int
	// Cluster asks for the cluster client; it is also used with several
	// Addrs, or when the one server says it runs in cluster mode.
	Cluster bool
}

// ErrClusterDB reports a database other than 0 asked of a Redis Cluster.
var ErrClusterDB = errors.New("Redis Cluster has database 0 only")

// OpenRedis connects to Redis and returns a cluster client when asked to,
// when given several seeds, or when the server reports cluster mode (INFO
// cluster); else a client of the one server. A cluster client has pinged
// every master: a key of any slot may be needed.
func OpenRedis(ctx context.Context, o RedisOptions) (redis.UniversalClient, error) {
	if len(o.Addrs) == 0 {
		return nil, errors.New("no Redis address")
	}
	where := strings.Join(o.Addrs, ",")
	if !o.Cluster && len(o.Addrs) == 1 {
		single := func(db int) *redis.Client {
			return redis.NewClient(&redis.Options{
				Addr: o.Addrs[0], Password: o.Password, DB: db,
				DialTimeout: 5 * time.Second, ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second,
			})
		}
		// The probe stays on database 0: a cluster node refuses SELECT.
		probe := single(0)
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		info, err := probe.Info(pctx, "cluster").Result()
		cancel()
		probe.Close()
		if err != nil {
			return nil, fmt.Errorf("redis at %s: %w", where, err)
		}
		if !strings.Contains(info, "cluster_enabled:1") {
			return single(o.DB), nil
		}
	}
	if o.DB != 0 {
		return nil, fmt.Errorf("database %d: %w", o.DB, ErrClusterDB)
	}
	c := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs: o.Addrs, Password: o.Password,
		DialTimeout: 5 * time.Second, ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second,
	})
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := c.ForEachMaster(pctx, func(ctx context.Context, m *redis.Client) error { return m.Ping(ctx).Err() }); err != nil {
		c.Close()
		return nil, fmt.Errorf("redis cluster at %s: %w", where, err)
	}
	return c, nil
}
