package detect_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/detect"
)

// A detector commits the opening minute of an outage and then dies, or
// pauses, before it publishes the minute's incidents and events, while
// another detector is loading the group. The minute is published once all
// the same: every incident opens once, under the reference's id, and none
// is left open.
func TestOutboxPublishedOnce(t *testing.T) {
	tr := outage()
	end := tr.end() + 5
	record := func(s *detect.Store) {
		t.Helper()
		for m := 0; m <= end; m++ {
			if err := s.Record(ctxT(t), tr[m]); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The reference: one detector, nothing in its way.
	mr := miniredis.RunT(t)
	rc := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { _ = rc.Close() })
	rs := newStore(t, rc, nil)
	record(rs)
	ref, err := newDetector(t, rs, detect.DefaultConfig()).Advance(ctxT(t), at(end))
	if err != nil || len(ref) == 0 {
		t.Fatalf("reference: %d events, %v", len(ref), err)
	}
	opening := ref[0].Timestamp.Add(-time.Minute) // the minute whose end opened the incident
	summary := func(evs []seismo.Event) []string {
		var out []string
		for _, ev := range evs {
			out = append(out, ev.ID)
		}
		slices.Sort(out)
		return out
	}

	for _, b := range backends {
		for _, mode := range []string{"crash", "pause"} {
			t.Run(b.name+"/"+mode, func(t *testing.T) {
				s := newStore(t, b.open(t), nil)
				record(s)
				ctx := ctxT(t)
				d1 := newDetector(t, s, detect.DefaultConfig())
				if _, err := d1.Advance(ctx, opening); err != nil {
					t.Fatal(err)
				}
				crash := errors.New("crashed between commit and publication")
				committed, release := make(chan struct{}), make(chan struct{})
				detect.SetAfterCommit(d1, func(minute time.Time) error {
					if !minute.Equal(opening) {
						return nil
					}
					if mode == "crash" {
						return crash
					}
					close(committed)
					<-release
					return nil
				})
				d1done := make(chan error, 1)
				d2 := newDetector(t, s, detect.DefaultConfig())
				fired := false
				detect.SetBeforeLoad(d2, func() {
					if fired {
						return
					}
					fired = true
					// d1 commits the opening minute just before d2 reads the
					// group's state.
					if mode == "crash" {
						_, err := d1.Advance(ctx, opening.Add(time.Minute))
						d1done <- err
						return
					}
					go func() {
						_, err := d1.Advance(ctx, opening.Add(time.Minute))
						d1done <- err
					}()
					<-committed
				})
				if _, err := d2.Advance(ctx, at(end)); err != nil {
					t.Fatal(err)
				}
				if mode == "pause" {
					close(release) // d1 publishes its outbox late
				}
				if err := <-d1done; mode == "crash" && !errors.Is(err, crash) || mode == "pause" && err != nil {
					t.Fatalf("d1: %v", err)
				}
				stream, err := s.Events(ctx, "0", 1000, 0)
				if err != nil {
					t.Fatal(err)
				}
				var got []seismo.Event
				for _, se := range stream {
					got = append(got, se.Event)
				}
				if g, w := summary(got), summary(ref); !slices.Equal(g, w) {
					t.Errorf("stream\n got %v\nwant %v", g, w)
				}
				open, err := s.Incidents(ctx, detect.Filter{Status: seismo.StatusOpen})
				if err != nil || len(open) > 0 {
					t.Errorf("incidents left open: %v, %v", open, err)
				}
				all, err := s.Incidents(ctx, detect.Filter{})
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				for _, in := range all {
					ids = append(ids, fmt.Sprintf("%s %s", in.ID, in.Status))
				}
				slices.Sort(ids)
				if len(ids) != 1 || ids[0] != ref[0].Data.ID+" resolved" {
					t.Errorf("incidents %v, want %s resolved", ids, ref[0].Data.ID)
				}
			})
		}
	}
}
