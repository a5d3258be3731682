// Package redistest starts a real redis-server for tests, the way httptest
// starts an HTTP server, and a Redis Cluster of three masters on loopback.
// Without redis-server (and redis-cli for a cluster) on PATH the test is
// skipped, except under CI=true, where a missing dependency fails the run.
package redistest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/seismo-dev/seismo/internal/redisserver"
)

// Server is a running redis-server owned by one test.
type Server struct {
	Addr string
	srv  *redisserver.Server
}

// Require fails (under CI=true) or skips the test when the named programs
// are not on PATH.
func Require(tb testing.TB, programs ...string) {
	tb.Helper()
	for _, p := range programs {
		if _, err := exec.LookPath(p); err != nil {
			if os.Getenv("CI") == "true" {
				tb.Fatalf("%s is not installed; the test command (make test) installs it", p)
			}
			tb.Skipf("%s is not installed; run make test to install it", p)
		}
	}
}

// Start runs redis-server on a free loopback port until the test ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	Require(tb, "redis-server")
	srv, err := redisserver.StartFree(tb.TempDir())
	if err != nil {
		tb.Fatalf("start redis-server: %v", err)
	}
	s := &Server{Addr: srv.Addr, srv: srv}
	tb.Cleanup(s.stop)
	return s
}

// start runs a redis-server on port for a cluster node.
func start(dir string, port int, extra ...string) (*Server, error) {
	srv, err := redisserver.Start(dir, port, extra...)
	if err != nil {
		return nil, err
	}
	return &Server{Addr: srv.Addr, srv: srv}, nil
}

func (s *Server) stop() { s.srv.Stop() }

// Client returns a go-redis client for the server, closed when the test ends.
func (s *Server) Client(tb testing.TB) *redis.Client {
	tb.Helper()
	c := redis.NewClient(&redis.Options{Addr: s.Addr, DialTimeout: 2 * time.Second,
		ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second})
	tb.Cleanup(func() { _ = c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		tb.Fatalf("ping redis at %s: %v", s.Addr, err)
	}
	return c
}
