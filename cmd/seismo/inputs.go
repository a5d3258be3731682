package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// openInput opens the named file, or returns stdin for "-". The caller
// closes what it returns.
func openInput(name string, stdin io.Reader) (io.ReadCloser, error) {
	if name == "-" {
		return io.NopCloser(stdin), nil
	}
	return os.Open(name)
}

// scratchRedis returns a Redis for a backtest to count in: a client of
// addr, or with no addr an in-process one on a free loopback port; done
// closes what it opened.
func scratchRedis(addr string) (rdb redis.UniversalClient, done func(), err error) {
	if addr != "" {
		c := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 5 * time.Second,
			ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second})
		return c, func() { c.Close() }, nil
	}
	mr := miniredis.NewMiniRedis()
	if err := mr.StartAddr("127.0.0.1:0"); err != nil {
		return nil, nil, fmt.Errorf("embedded redis: %w", err)
	}
	c := redis.NewClient(&redis.Options{Addr: mr.Addr(), DialTimeout: 5 * time.Second,
		ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second})
	return c, func() { c.Close(); mr.Close() }, nil
}
