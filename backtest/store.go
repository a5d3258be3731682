package backtest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/detect"
)

// OpenStore returns a store for one replay to count in, and a func that
// closes what it opened. With addr empty the store is on an in-process
// Redis of its own on a free loopback port; otherwise on the Redis at addr
// under a key prefix no other run uses, so a backtest never touches live
// data. name goes into that prefix. An empty key is replaced by a random
// one: reporters are then hashed as no live pipeline hashes them. services
// are the catalog's, whose parents give the detection groups (GroupsOf).
func OpenStore(addr, name string, key []byte, services []seismo.Service) (*detect.Store, func(), error) {
	if len(key) == 0 {
		key = []byte(randomHex(32))
	}
	prefix := "seismo"
	var rdb *redis.Client
	done := func() {}
	if addr != "" {
		rdb = redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 5 * time.Second,
			ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second})
		done = func() { rdb.Close() }
		prefix = fmt.Sprintf("seismo-%s-%s", name, randomHex(4))
	} else {
		mr := miniredis.NewMiniRedis()
		if err := mr.StartAddr("127.0.0.1:0"); err != nil {
			return nil, nil, fmt.Errorf("embedded redis: %w", err)
		}
		rdb = redis.NewClient(&redis.Options{Addr: mr.Addr(), DialTimeout: 5 * time.Second,
			ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second})
		done = func() { rdb.Close(); mr.Close() }
	}
	s, err := detect.NewStore(rdb, detect.StoreConfig{Prefix: prefix, ReporterKey: key, Groups: detect.GroupsOf(services)})
	if err != nil {
		done()
		return nil, nil, err
	}
	return s, done, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}
