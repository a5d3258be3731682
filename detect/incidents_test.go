package detect_test

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/detect"
)

// putIncidents stores incidents as the detector's publication does: the
// document, the index of all by start and the index of pending and open ones.
func putIncidents(t *testing.T, rdb redis.UniversalClient, ins []seismo.Incident) {
	t.Helper()
	ctx := ctxT(t)
	pipe := rdb.Pipeline()
	for _, in := range ins {
		doc, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		z := redis.Z{Score: float64(in.StartedAt.Unix()), Member: in.ID}
		pipe.Set(ctx, "seismo:{inc}:incident:"+in.ID, doc, 0)
		pipe.ZAdd(ctx, "seismo:{inc}:incidents", z)
		if in.Status != seismo.StatusResolved {
			pipe.ZAdd(ctx, "seismo:{inc}:open", z)
		}
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestIncidentPages walks listings page by page and holds them to the
// whole listing, sorted as the store sorts it: newest started first, ties
// by id descending.
func TestIncidentPages(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			rdb := b.open(t)
			s := newStore(t, rdb, nil)
			ctx := ctxT(t)
			rng := rand.New(rand.NewPCG(7, 9))
			services := []string{"whatsapp", "instagram", "x"}
			statuses := []seismo.Status{seismo.StatusResolved, seismo.StatusResolved, seismo.StatusOpen, seismo.StatusPending}
			t0 := time.Date(2024, 4, 3, 0, 0, 0, 0, time.UTC)
			var all []seismo.Incident
			for i := range 600 {
				svc := services[rng.IntN(len(services))]
				// Starts on 200 minutes only: many incidents share one.
				start := t0.Add(time.Duration(rng.IntN(200)) * time.Minute)
				all = append(all, seismo.Incident{
					ID: fmt.Sprintf("%s-%s-%03d", svc, start.Format("20060102T1504Z"), i), Service: svc,
					Status: statuses[rng.IntN(len(statuses))], StartedAt: start,
				})
			}
			putIncidents(t, rdb, all)
			slices.SortFunc(all, func(a, b seismo.Incident) int {
				return cmp.Or(b.StartedAt.Compare(a.StartedAt), cmp.Compare(b.ID, a.ID))
			})
			for _, f := range []detect.Filter{
				{Limit: 7},
				{Limit: 1},
				{Limit: 1000},
				{Service: "x", Limit: 9},
				{Status: seismo.StatusOpen, Limit: 5},
				{Status: seismo.StatusResolved, Service: "instagram", Limit: 11},
			} {
				t.Run(fmt.Sprintf("%s/%s/%d", f.Status, f.Service, f.Limit), func(t *testing.T) {
					var want []string
					for _, in := range all {
						if (f.Status == "" || in.Status == f.Status) && (f.Service == "" || in.Service == f.Service) {
							want = append(want, in.ID)
						}
					}
					var got []string
					pages := 0
					for {
						p, err := s.IncidentPage(ctx, f)
						if err != nil {
							t.Fatal(err)
						}
						if len(p.Incidents) > f.Limit {
							t.Fatalf("page of %d, limit %d", len(p.Incidents), f.Limit)
						}
						for _, in := range p.Incidents {
							got = append(got, in.ID)
						}
						if pages++; p.Next == "" || pages > len(all)+1 {
							break
						}
						f.Cursor = p.Next
					}
					if !slices.Equal(got, want) {
						t.Errorf("pages of %d gave %d incidents, want %d\n got %v\nwant %v", f.Limit, len(got), len(want), got, want)
					}
					if min := (len(want) + f.Limit - 1) / f.Limit; pages < min || pages > min+1 {
						t.Errorf("%d pages for %d incidents at %d a page", pages, len(want), f.Limit)
					}
				})
			}
			for _, bad := range []string{"!", "bm9jb2xvbg", "eDp3aGF0c2FwcA"} { // not base64, no colon, no number
				if _, err := s.IncidentPage(ctx, detect.Filter{Cursor: bad}); seismo.ErrorCode(err) != seismo.CodeInvalid {
					t.Errorf("cursor %q: %v, want invalid", bad, err)
				}
			}
		})
	}
}

// TestIncidentPageReadsABoundedPart holds one page to a bounded read: a
// filter nothing recent matches answers short pages with a cursor, and the
// cursor leads on to the match. A service filter passes over the other
// services' incidents without reading them.
func TestIncidentPageReadsABoundedPart(t *testing.T) {
	rdb := backends[0].open(t)
	s := newStore(t, rdb, nil)
	ctx := ctxT(t)
	t0 := time.Date(2024, 4, 3, 0, 0, 0, 0, time.UTC)
	var all []seismo.Incident
	for i := range 10_000 {
		in := seismo.Incident{ID: fmt.Sprintf("whatsapp-%05d", i), Service: "whatsapp",
			Status: seismo.StatusOpen, StartedAt: t0.Add(time.Duration(i) * time.Minute)}
		if i == 0 { // the oldest
			in.ID, in.Service, in.Status = "x-00000", "x", seismo.StatusResolved
		}
		all = append(all, in)
	}
	putIncidents(t, rdb, all)
	for _, tt := range []struct {
		f        detect.Filter
		minPages int
		maxPages int
	}{
		{detect.Filter{Status: seismo.StatusResolved}, 3, 4}, // 4,096 incidents read a page
		{detect.Filter{Service: "x"}, 1, 1},
	} {
		f := tt.f
		var found []string
		pages := 0
		for {
			p, err := s.IncidentPage(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, in := range p.Incidents {
				found = append(found, in.ID)
			}
			if p.Next == "" || pages > 10 {
				break
			}
			f.Cursor = p.Next
		}
		if !slices.Equal(found, []string{"x-00000"}) {
			t.Errorf("%+v: found %v, want [x-00000]", tt.f, found)
		}
		if pages < tt.minPages || pages > tt.maxPages {
			t.Errorf("%+v: 10,000 incidents in %d pages, want %d to %d", tt.f, pages, tt.minPages, tt.maxPages)
		}
	}
}
