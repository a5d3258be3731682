package detect_test

import (
	"testing"
	"time"

	"github.com/seismo-dev/seismo/detect"
)

// The first store to ask shares its key; later ones, whatever their own,
// get that one, and each asking renews it. The key name is what deployed
// workers already share, so it must not change.
func TestSharedReporterKey(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx, rdb := ctxT(t), b.open(t)
			ask := func(prefix, own string) string {
				t.Helper()
				key, err := storeWith(t, rdb, detect.StoreConfig{Prefix: prefix, ReporterKey: []byte(own)}).SharedReporterKey(ctx)
				if err != nil {
					t.Fatal(err)
				}
				return string(key)
			}
			if got := ask("", "first"); got != "first" {
				t.Fatalf("first worker got %q, want its own key", got)
			}
			if err := rdb.Expire(ctx, "seismo:reporter-key", time.Minute).Err(); err != nil {
				t.Fatal(err)
			}
			if got := ask("", "second"); got != "first" {
				t.Fatalf("second worker got %q, want the first worker's key", got)
			}
			if ttl := rdb.TTL(ctx, "seismo:reporter-key").Val(); ttl < 399*24*time.Hour {
				t.Errorf("TTL after a later start = %v, want it renewed to 400 days", ttl)
			}
			if got := ask("other", "third"); got != "third" {
				t.Errorf("a store under another prefix got %q, want its own key", got)
			}
			if v := rdb.Get(ctx, "other:reporter-key").Val(); v != "third" {
				t.Errorf("other:reporter-key = %q, want the key shared under that prefix", v)
			}
		})
	}
}
