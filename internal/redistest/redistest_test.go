package redistest_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/seismo-dev/seismo/internal/redistest"
)

func TestStart(t *testing.T) {
	c := redistest.Start(t).Client(t)
	ctx := context.Background()
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if got := c.Get(ctx, "k").Val(); got != "v" {
		t.Fatalf("GET k = %q, want v", got)
	}
}

// The cluster is a real one: keys spread over the three masters, a
// multi-key command across slots is refused, and keys that share a hash
// tag share a slot.
func TestStartCluster(t *testing.T) {
	c := redistest.StartCluster(t)
	if len(c.Addrs) != 3 {
		t.Fatalf("%d masters", len(c.Addrs))
	}
	cl := c.Client(t)
	ctx := context.Background()
	var masters atomic.Int32 // ForEachMaster calls fn on every master at once
	if err := cl.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
		masters.Add(1)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n := masters.Load(); n != 3 {
		t.Errorf("%d masters answer, want 3", n)
	}
	nodes := map[string]bool{}
	for i := range 30 {
		key := fmt.Sprintf("k%d", i)
		if err := cl.Set(ctx, key, i, time.Minute).Err(); err != nil {
			t.Fatal(err)
		}
		slot, err := cl.ClusterKeySlot(ctx, key).Result()
		if err != nil {
			t.Fatal(err)
		}
		nodes[fmt.Sprint(slot*3/16384)] = true
	}
	if len(nodes) != 3 {
		t.Errorf("30 keys fell in %d thirds of the slots, want 3", len(nodes))
	}
	if err := cl.Do(ctx, "MSET", "a", "1", "b", "2").Err(); err == nil || !strings.Contains(err.Error(), "CROSSSLOT") {
		t.Errorf("MSET across slots: %v, want CROSSSLOT", err)
	}
	if err := cl.Do(ctx, "MSET", "{t}a", "1", "{t}b", "2").Err(); err != nil {
		t.Errorf("MSET in one hash tag: %v", err)
	}
}
