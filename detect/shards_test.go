package detect_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/internal/redistest"
)

// Instances sharing four shards hold fair shares as they come and go: one
// alone holds all four; three hold two, one and one; a fourth gets one from
// the instance with two; when two stop, the other two hold two each. No
// shard is ever led by two instances at once, and none stays unheld.
func TestShardsFairShare(t *testing.T) {
	const count, ttl = 4, 600 * time.Millisecond
	rdb := redistest.Start(t).Client(t)
	s := newStore(t, rdb, nil)

	var mu sync.Mutex
	leaders := map[int]string{} // shard -> instance leading it
	var overlap []string
	type instance struct {
		sh     *detect.Shards
		cancel context.CancelFunc
		done   chan error
	}
	all := map[string]*instance{}
	start := func(name string) {
		sh, err := detect.NewShards(s, detect.ShardsConfig{Owner: name, Count: count, TTL: ttl}, nil)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(ctxT(t))
		in := &instance{sh: sh, cancel: cancel, done: make(chan error, 1)}
		all[name] = in
		go func() {
			in.done <- sh.Run(ctx, func(ctx context.Context, k int) error {
				mu.Lock()
				if other, ok := leaders[k]; ok {
					overlap = append(overlap, fmt.Sprintf("shard %d led by %s and %s", k, other, name))
				}
				leaders[k] = name
				mu.Unlock()
				<-ctx.Done()
				mu.Lock()
				delete(leaders, k)
				mu.Unlock()
				return nil
			})
		}()
	}
	stop := func(name string) {
		in := all[name]
		in.cancel()
		if err := <-in.done; err != nil {
			t.Errorf("%s: %v", name, err)
		}
		delete(all, name)
	}
	t.Cleanup(func() {
		for name := range all {
			stop(name)
		}
	})
	// shares returns the number of shards each running instance leads, in
	// the order of their names, once every shard is led.
	shares := func() []int {
		mu.Lock()
		defer mu.Unlock()
		if len(leaders) != count {
			return nil
		}
		by := map[string]int{}
		for _, name := range leaders {
			by[name]++
		}
		var names []string
		for name := range all {
			names = append(names, name)
		}
		slices.Sort(names)
		out := make([]int, len(names))
		for i, name := range names {
			out[i] = by[name]
		}
		return out
	}
	settle := func(what string, ok func([]int) bool) {
		t.Helper()
		var got []int
		for deadline := time.Now().Add(20 * ttl); ; time.Sleep(5 * time.Millisecond) {
			if got = shares(); got != nil && ok(got) {
				t.Logf("%s: %v", what, got)
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: shares %v after %s", what, got, 20*ttl)
			}
		}
	}
	sorted := func(want ...int) func([]int) bool {
		return func(got []int) bool {
			g := slices.Clone(got)
			slices.Sort(g)
			return slices.Equal(g, want)
		}
	}

	start("a")
	settle("a alone", sorted(4))
	start("b")
	start("c")
	settle("three instances", sorted(1, 1, 2))
	start("d")
	settle("four instances", sorted(1, 1, 1, 1))
	stop("a")
	stop("b")
	settle("two left", sorted(2, 2))
	for name, in := range all {
		if got := len(in.sh.Held()); got != 2 {
			t.Errorf("%s reports %d shards held, want 2", name, got)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(overlap) > 0 {
		t.Errorf("overlapping leaders: %v", overlap)
	}
}
