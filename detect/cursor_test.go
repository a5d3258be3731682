package detect_test

import (
	"testing"
	"time"

	"github.com/seismo-dev/seismo/detect"
)

// A relay's cursor starts at the start of the stream, keeps what is saved
// under the store's prefix, and lives as long as the events.
func TestRelayCursor(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx, rdb := ctxT(t), b.open(t)
			s := storeWith(t, rdb, detect.StoreConfig{ReporterKey: []byte("k"), IncidentTTL: 48 * time.Hour})
			cur := s.RelayCursor("seismo.incidents")
			if id, err := cur.Load(ctx); err != nil || id != "0" {
				t.Fatalf("new cursor Load = %q, %v; want the start of the stream", id, err)
			}
			if err := cur.Save(ctx, "1700000000000-3"); err != nil {
				t.Fatal(err)
			}
			// Another process (the next leader) reads it back.
			if id, err := s.RelayCursor("seismo.incidents").Load(ctx); err != nil || id != "1700000000000-3" {
				t.Fatalf("Load after Save = %q, %v", id, err)
			}
			// The key deployed relays already resume from.
			const key = "seismo:relay:seismo.incidents"
			if ttl := rdb.TTL(ctx, key).Val(); ttl <= 47*time.Hour || ttl > 48*time.Hour {
				t.Errorf("TTL of %s = %v, want IncidentTTL", key, ttl)
			}
			for _, other := range []*detect.RelayCursor{
				s.RelayCursor("elsewhere"),
				storeWith(t, rdb, detect.StoreConfig{Prefix: "other", ReporterKey: []byte("k")}).RelayCursor("seismo.incidents"),
			} {
				if id, err := other.Load(ctx); err != nil || id != "0" {
					t.Errorf("another relay's cursor Load = %q, %v; want its own, at the start", id, err)
				}
			}
		})
	}
}
