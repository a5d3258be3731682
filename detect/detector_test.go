package detect_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/detect"
)

// outage is the main scenario: two countries of whatsapp with one reporter a
// minute, a US burst at minute 60 and a GB burst at minute 65, and a quiet
// instagram series that must stay out of it.
func outage() traffic {
	tr := traffic{}
	tr.add("quiet", "whatsapp", "US", 0, 130, 1)
	tr.add("quiet", "whatsapp", "GB", 0, 130, 1)
	tr.add("quiet", "instagram", "US", 0, 130, 2)
	tr.add("burst", "whatsapp", "US", 60, 80, 40, "messages", "messages", "messages", "connection")
	tr.add("burst", "whatsapp", "GB", 65, 85, 30, "messages", "login")
	return tr
}

// pendingConfig is the default configuration with the lifecycle of its
// simplest form: one window, and every series pending for PendingFor
// whatever its level. The lifecycle tests pin exact minutes with it; the
// scenario backtests hold the defaults themselves to account.
func pendingConfig() detect.Config {
	c := detect.DefaultConfig()
	c.DangerPendingFor, c.ExtraWindows = c.PendingFor, nil
	return c
}

type eventKey struct {
	Type      string
	ID        string
	Timestamp time.Time
	Status    seismo.Status
	Severity  seismo.Severity
	Countries string
}

func keys(evs []seismo.Event) []eventKey {
	out := make([]eventKey, len(evs))
	for i, ev := range evs {
		cs := ""
		for _, c := range ev.Data.Countries {
			cs += fmt.Sprintf("%s:%s ", c.Country, c.Status)
		}
		out[i] = eventKey{ev.Type, ev.Data.ID, ev.Timestamp, ev.Data.Status, ev.Data.Severity, cs}
	}
	return out
}

func TestDetectorLifecycle(t *testing.T) {
	const id = "whatsapp-20240403T1300Z"
	want := []eventKey{
		{seismo.EventOpened, id, at(62), seismo.StatusOpen, seismo.SeverityDanger, "US:open "},
		{seismo.EventUpdated, id, at(67), seismo.StatusOpen, seismo.SeverityDanger, "US:open GB:open "},
		{seismo.EventUpdated, id, at(94), seismo.StatusOpen, seismo.SeverityDanger, "US:resolved GB:open "},
		{seismo.EventResolved, id, at(99), seismo.StatusResolved, seismo.SeverityDanger, "US:resolved GB:resolved "},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := newStore(t, b.open(t), nil)
			d := newDetector(t, s, pendingConfig())
			ctx := ctxT(t)
			tr := outage()

			events := live(t, s, d, tr, 0, 61)
			if len(events) != 0 {
				t.Fatalf("events before the incident opened: %v", keys(events))
			}
			t.Run("pending is stored without an event", func(t *testing.T) {
				in, err := s.Incident(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if in.Status != seismo.StatusPending || len(in.Countries) != 1 || in.Countries[0].Status != seismo.StatusPending {
					t.Errorf("pending incident = %+v", in)
				}
				pending, err := s.Incidents(ctx, detect.Filter{Status: seismo.StatusPending})
				if err != nil || len(pending) != 1 {
					t.Errorf("Incidents(pending) = %d, %v; want 1", len(pending), err)
				}
			})
			before, _, err := s.Baseline(ctx, "whatsapp", "US", at(60))
			if err != nil {
				t.Fatal(err)
			}

			events = append(events, live(t, s, d, tr, 61, tr.end()+5)...)
			if got := keys(events); !slices.Equal(got, want) {
				t.Fatalf("events:\n got %v\nwant %v", got, want)
			}

			t.Run("event contents", func(t *testing.T) {
				opened := events[0].Data
				if opened.ServiceName != "WhatsApp" || !opened.StartedAt.Equal(at(60)) || opened.ResolvedAt != nil {
					t.Errorf("opened incident header = %+v", opened)
				}
				if opened.Related == nil || len(opened.Related) != 0 {
					t.Errorf("Related = %#v, want empty and non-nil", opened.Related)
				}
				us := opened.Country("US")
				if us.Expected < 4.5 || us.Expected > 5.5 || us.Observed < 80 || us.Ratio < 10 {
					t.Errorf("US entry at opening = %+v", us)
				}
				final := events[3].Data
				if final.ResolvedAt == nil || !final.ResolvedAt.Equal(at(99)) || !final.UpdatedAt.Equal(at(99)) {
					t.Errorf("resolved incident times: resolved %v updated %v", final.ResolvedAt, final.UpdatedAt)
				}
				// The US peaked with five burst minutes in the window: 205
				// reporters, give or take the HyperLogLog's error.
				us = final.Country("US")
				if math.Abs(float64(us.Reporters)-205) > 4 || us.PeakAt.Before(at(64)) || us.PeakAt.After(at(79)) ||
					!us.StartedAt.Equal(at(60)) || !us.ResolvedAt.Equal(at(94)) {
					t.Errorf("final US entry = %+v", us)
				}
				if final.Countries[0].Country != "US" {
					t.Errorf("countries not by reporters: %+v", final.Countries)
				}
				// The global aggregate sums US and GB: its peak is the
				// incident's, when both were loud together.
				g := final.Global
				if g == nil || g.Country != seismo.AllCountries || g.Status != seismo.StatusResolved ||
					g.Reporters < us.Reporters || !final.PeakAt.Equal(g.PeakAt) || g.PeakAt.Before(at(65)) {
					t.Errorf("global entry %+v, incident peak %v", g, final.PeakAt)
				}
				if len(final.Problems) != 3 || final.Problems[0].Problem != "messages" {
					t.Fatalf("problems = %+v", final.Problems)
				}
				var share float64
				for i, p := range final.Problems {
					share += p.Share
					if i > 0 && p.Complaints > final.Problems[i-1].Complaints {
						t.Errorf("problems not by count: %+v", final.Problems)
					}
				}
				if share > 1+1e-9 || share < 0.9 {
					t.Errorf("problem shares add up to %g", share)
				}
				if len(final.Samples) != 5 {
					t.Fatalf("%d samples, want 5", len(final.Samples))
				}
				for i, sm := range final.Samples {
					if i > 0 && sm.CreatedAt.After(final.Samples[i-1].CreatedAt) {
						t.Errorf("samples not newest first: %+v", final.Samples)
					}
				}
				stored, err := s.Incident(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if a, b := mustJSON(t, stored), mustJSON(t, final); a != b {
					t.Errorf("stored incident differs from the resolved event:\n%s\n%s", a, b)
				}
			})

			t.Run("baseline does not learn the outage", func(t *testing.T) {
				after, ok, err := s.Baseline(ctx, "whatsapp", "US", at(tr.end()+4))
				if err != nil || !ok {
					t.Fatalf("Baseline = %v, %v", ok, err)
				}
				// Traffic is one reporter a minute; the outage had 40.
				if after.Level.Mean > before.Level.Mean+0.05 || after.Level.Mean > 1.05 || after.Level.Mean < 0.9 {
					t.Errorf("baseline level went from %g to %g across the outage", before.Level.Mean, after.Level.Mean)
				}
				if after.Level.Last != int64(at(tr.end()+4).Unix()/60) {
					t.Errorf("baseline last minute %d, want the last evaluated minute", after.Level.Last)
				}
			})

			t.Run("stream holds the events", func(t *testing.T) {
				got, err := s.Events(ctx, "0", 100, 0)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(events) {
					t.Fatalf("stream has %d events, want %d", len(got), len(events))
				}
				for i := range got {
					if a, b := mustJSON(t, got[i].Event), mustJSON(t, events[i]); a != b {
						t.Errorf("stream event %d:\n%s\nwant\n%s", i, a, b)
					}
				}
			})
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDetectorQuietNeverFires(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := newStore(t, b.open(t), nil)
			d := newDetector(t, s, detect.DefaultConfig())
			rng := rand.New(rand.NewPCG(1, 2))
			tr := traffic{}
			// Poisson-ish noise around steady rates, sparse to busy.
			rates := map[string]float64{"AR": 0.2, "BR": 1, "DE": 4, "IN": 15}
			for cc, rate := range rates {
				for m := range 240 {
					n := 0
					for range 4 * int(math.Ceil(rate)) {
						if rng.Float64() < rate/(4*math.Ceil(rate)) {
							n++
						}
					}
					tr.add(fmt.Sprint("q", m), "whatsapp", cc, m, m+1, n)
				}
			}
			events := live(t, s, d, tr, 0, 240)
			if len(events) != 0 {
				t.Errorf("quiet traffic produced events: %v", keys(events))
			}
			all, err := s.Incidents(ctxT(t), detect.Filter{})
			if err != nil || len(all) != 0 {
				t.Errorf("quiet traffic left incidents: %d, %v", len(all), err)
			}
		})
	}
}

func TestDetectorBlipIsDiscarded(t *testing.T) {
	tests := []struct {
		name   string
		change func(*detect.Config)
	}{
		// A danger-level minute opens at once unless DangerPendingFor says
		// otherwise; these blips test pending.
		{"pending outlasts the window", func(c *detect.Config) {
			c.PendingFor, c.DangerPendingFor, c.ExtraWindows = 6*time.Minute, 6*time.Minute, nil
		}},
		{"one-minute window", func(c *detect.Config) {
			c.Window, c.DangerPendingFor, c.ExtraWindows = time.Minute, c.PendingFor, nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t, backends[0].open(t), nil)
			cfg := detect.DefaultConfig()
			tt.change(&cfg)
			d := newDetector(t, s, cfg)
			ctx := ctxT(t)
			tr := traffic{}
			tr.add("quiet", "whatsapp", "US", 0, 80, 1)
			tr.add("blip", "whatsapp", "US", 60, 61, 30)
			events := live(t, s, d, tr, 0, 61)
			if in, err := s.Incident(ctx, "whatsapp-20240403T1300Z"); err != nil || in.Status != seismo.StatusPending {
				t.Fatalf("blip did not make a pending incident: %+v, %v", in, err)
			}
			events = append(events, live(t, s, d, tr, 61, 80)...)
			if len(events) != 0 {
				t.Errorf("blip produced events: %v", keys(events))
			}
			if _, err := s.Incident(ctx, "whatsapp-20240403T1300Z"); seismo.ErrorCode(err) != seismo.CodeNotFound {
				t.Errorf("discarded incident still readable: %v", err)
			}
			if all, err := s.Incidents(ctx, detect.Filter{}); err != nil || len(all) != 0 {
				t.Errorf("Incidents after the blip = %d, %v", len(all), err)
			}
		})
	}
}

func TestDetectorRestartContinues(t *testing.T) {
	tr := outage()
	end := tr.end() + 5
	ref := func(t *testing.T) []seismo.Event {
		s := newStore(t, backends[0].open(t), nil)
		return live(t, s, newDetector(t, s, detect.DefaultConfig()), tr, 0, end)
	}(t)
	if len(ref) != 4 {
		t.Fatalf("reference run has %d events, want 4", len(ref))
	}
	// Restart while pending, just after opening, while open and after the
	// first country resolved.
	for _, cut := range []int{61, 62, 70, 95} {
		t.Run(fmt.Sprint("restart at minute ", cut), func(t *testing.T) {
			s := newStore(t, backends[0].open(t), nil)
			events := live(t, s, newDetector(t, s, detect.DefaultConfig()), tr, 0, cut)
			d2 := newDetector(t, s, detect.DefaultConfig())
			// The same watermark again: nothing to do.
			again, err := d2.Advance(ctxT(t), at(cut).Add(5*time.Second))
			if err != nil || len(again) != 0 {
				t.Fatalf("re-advancing to the same watermark: %v, %v", keys(again), err)
			}
			events = append(events, live(t, s, d2, tr, cut, end)...)
			if a, b := mustJSON(t, events), mustJSON(t, ref); a != b {
				t.Errorf("events with a restart differ:\n got %v\nwant %v", keys(events), keys(ref))
			}
			stream, err := s.Events(ctxT(t), "0", 100, 0)
			if err != nil || len(stream) != len(ref) {
				t.Errorf("stream has %d events (%v), want %d", len(stream), err, len(ref))
			}
		})
	}
}

func TestDetectorReplayIsDeterministic(t *testing.T) {
	tr := outage()
	end := tr.end() + 5
	// Each backend against itself: redis-server and miniredis estimate
	// HyperLogLogs differently, so reporter counts may differ between them.
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := newStore(t, b.open(t), nil)
			ref := live(t, s, newDetector(t, s, detect.DefaultConfig()), tr, 0, end)
			if len(ref) != 4 {
				t.Fatalf("reference run has %d events, want 4", len(ref))
			}
			t.Run("again into a fresh redis", func(t *testing.T) {
				s := newStore(t, b.open(t), nil)
				got := live(t, s, newDetector(t, s, detect.DefaultConfig()), tr, 0, end)
				if a, b := mustJSON(t, got), mustJSON(t, ref); a != b {
					t.Errorf("replay differs:\n got %s\nwant %s", a, b)
				}
			})
			t.Run("everything recorded first, one advance", func(t *testing.T) {
				s := newStore(t, b.open(t), nil)
				ctx := ctxT(t)
				// Newest minutes first, as a multi-partition replay might.
				for m := end; m >= 0; m-- {
					if err := s.Record(ctx, tr[m]); err != nil {
						t.Fatal(err)
					}
				}
				got, err := newDetector(t, s, detect.DefaultConfig()).Advance(ctx, at(end))
				if err != nil {
					t.Fatal(err)
				}
				if a, b := mustJSON(t, got), mustJSON(t, ref); a != b {
					t.Errorf("replay differs:\n got %s\nwant %s", a, b)
				}
			})
		})
	}
}

func TestIncidentsFilter(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			rdb := b.open(t)
			s := newStore(t, rdb, nil)
			d := newDetector(t, s, pendingConfig())
			ctx := ctxT(t)
			tr := traffic{}
			tr.add("quiet", "whatsapp", "US", 0, 120, 1)
			tr.add("quiet", "instagram", "BR", 0, 120, 1)
			tr.add("quiet", "x", "JP", 0, 120, 1)
			tr.add("burst", "whatsapp", "US", 40, 45, 40) // resolved by the end
			tr.add("burst", "instagram", "BR", 100, 120, 40)
			tr.add("burst", "x", "JP", 119, 120, 40) // pending at the end
			live(t, s, d, tr, 0, 120)
			ids := func(ins []seismo.Incident) []string {
				var out []string
				for _, in := range ins {
					out = append(out, in.ID+"/"+string(in.Status))
				}
				return out
			}
			tests := []struct {
				name string
				f    detect.Filter
				want []string
			}{
				{"all newest first", detect.Filter{}, []string{"x-20240403T1359Z/pending", "instagram-20240403T1340Z/open", "whatsapp-20240403T1240Z/resolved"}},
				{"open", detect.Filter{Status: seismo.StatusOpen}, []string{"instagram-20240403T1340Z/open"}},
				{"resolved", detect.Filter{Status: seismo.StatusResolved}, []string{"whatsapp-20240403T1240Z/resolved"}},
				{"by service", detect.Filter{Service: "instagram"}, []string{"instagram-20240403T1340Z/open"}},
				{"service and status", detect.Filter{Service: "instagram", Status: seismo.StatusResolved}, nil},
				{"limit", detect.Filter{Limit: 2}, []string{"x-20240403T1359Z/pending", "instagram-20240403T1340Z/open"}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					got, err := s.Incidents(ctx, tt.f)
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(ids(got), tt.want) {
						t.Errorf("Incidents(%+v) = %v, want %v", tt.f, ids(got), tt.want)
					}
				})
			}
			t.Run("pending and open ones are indexed apart", func(t *testing.T) {
				got := rdb.ZRange(ctx, "seismo:{inc}:open", 0, -1).Val()
				if want := []string{"instagram-20240403T1340Z", "x-20240403T1359Z"}; !slices.Equal(got, want) {
					t.Errorf("open index = %v, want %v", got, want)
				}
			})
			if _, err := s.Incidents(ctx, detect.Filter{Status: "burning"}); seismo.ErrorCode(err) != seismo.CodeInvalid {
				t.Errorf("unknown status: %v, want invalid", err)
			}
		})
	}
}

func TestEvents(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := newStore(t, b.open(t), nil)
			d := newDetector(t, s, pendingConfig())
			ctx := ctxT(t)
			if id, err := s.LastEventID(ctx); err != nil || id != "0" {
				t.Errorf("LastEventID of no stream = %q, %v; want 0", id, err)
			}
			tr := outage()
			live(t, s, d, tr, 0, 80)
			all, err := s.Events(ctx, "0", 0, 0)
			if err != nil || len(all) != 2 {
				t.Fatalf("Events from the start = %d, %v; want 2", len(all), err)
			}
			t.Run("last id", func(t *testing.T) {
				// What "$" stands for: reading after it finds nothing yet.
				id, err := s.LastEventID(ctx)
				if err != nil || id != all[1].ID {
					t.Errorf("LastEventID = %q, %v; want %s", id, err, all[1].ID)
				}
			})
			t.Run("count", func(t *testing.T) {
				got, err := s.Events(ctx, "0", 1, 0)
				if err != nil || len(got) != 1 || got[0].ID != all[0].ID {
					t.Errorf("Events count 1 = %v, %v", got, err)
				}
			})
			t.Run("after an id", func(t *testing.T) {
				got, err := s.Events(ctx, all[0].ID, 10, 0)
				if err != nil || len(got) != 1 || got[0].Event.Type != seismo.EventUpdated {
					t.Errorf("Events after the first = %v, %v", got, err)
				}
			})
			t.Run("nothing new, no block", func(t *testing.T) {
				got, err := s.Events(ctx, all[1].ID, 10, 0)
				if err != nil || len(got) != 0 {
					t.Errorf("Events after the last = %v, %v", got, err)
				}
			})
			t.Run("nothing new, short block", func(t *testing.T) {
				got, err := s.Events(ctx, "$", 10, 50*time.Millisecond)
				if err != nil || len(got) != 0 {
					t.Errorf("blocking Events = %v, %v", got, err)
				}
			})
			t.Run("blocked reader wakes on a new event", func(t *testing.T) {
				type result struct {
					evs []seismo.StreamEvent
					err error
				}
				done := make(chan result, 1)
				go func() {
					evs, err := s.Events(ctx, all[1].ID, 10, 20*time.Second)
					done <- result{evs, err}
				}()
				live(t, s, d, tr, 80, 100) // resolves the US, then the incident
				r := <-done
				if r.err != nil || len(r.evs) == 0 || r.evs[0].Event.Type != seismo.EventUpdated {
					t.Errorf("woken reader got %v, %v", r.evs, r.err)
				}
			})
			t.Run("bad id", func(t *testing.T) {
				if _, err := s.Events(ctx, "yesterday", 10, 0); seismo.ErrorCode(err) != seismo.CodeInvalid {
					t.Errorf("Events with a bad id: %v, want invalid", err)
				}
			})
		})
	}
}

func TestEveryKeyHasTTL(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			rdb := b.open(t)
			s := newStore(t, rdb, nil)
			d := newDetector(t, s, detect.DefaultConfig())
			ctx := ctxT(t)
			tr := outage()
			tr.add("recovered", "whatsapp", "US", 90, 91, 3)
			for _, r := range tr[90] {
				r.Signal.Complaint, r.Signal.Recovery = false, true
			}
			live(t, s, d, tr, 0, 100) // the incident is open at the end
			setWatermark(t, s, at(100))
			var n int
			iter := rdb.Scan(ctx, 0, "*", 1000).Iterator()
			for iter.Next(ctx) {
				n++
				if ttl := rdb.PTTL(ctx, iter.Val()).Val(); ttl <= 0 {
					t.Errorf("key %s has TTL %v", iter.Val(), ttl)
				}
			}
			if err := iter.Err(); err != nil {
				t.Fatal(err)
			}
			if n < 100 {
				t.Errorf("scanned only %d keys", n)
			}
		})
	}
}

// A baseline key's TTL must be refreshed while its series lives, also by a
// detector whose cache stays warm for weeks: at the hour its slots come
// from the read-ahead, not from a fresh read of the key.
func TestBaselineTTLRefreshedHourly(t *testing.T) {
	rdb := backends[0].open(t)
	s := newStore(t, rdb, nil)
	d := newDetector(t, s, detect.DefaultConfig())
	ctx := ctxT(t)
	tr := traffic{}
	tr.add("bg", "whatsapp", "US", 0, 130, 2)
	live(t, s, d, tr, 0, 5)
	key := "seismo:{g:meta}:base:whatsapp:US"
	if err := rdb.Expire(ctx, key, 1000*time.Second).Err(); err != nil {
		t.Fatal(err)
	}
	live(t, s, d, tr, 5, 130) // two hour boundaries, the cache warm throughout
	if ttl := rdb.TTL(ctx, key).Val(); ttl < time.Hour {
		t.Errorf("baseline TTL %v after two hours: not refreshed", ttl)
	}
}

// An incident's severity only rises: when its danger entries resolve while
// a warning entry stays open, it still reads danger.
func TestSeverityOnlyRises(t *testing.T) {
	rdb := backends[0].open(t)
	s := newStore(t, rdb, nil)
	d := newDetector(t, s, detect.DefaultConfig())
	tr := traffic{}
	tr.add("bg", "whatsapp", "US", 0, 130, 1)
	tr.add("bg", "whatsapp", "GB", 0, 130, 2)
	tr.add("bg", "whatsapp", "DE", 0, 130, 20)
	tr.add("out", "whatsapp", "US", 60, 70, 300) // short and loud: danger, resolves first
	tr.add("out", "whatsapp", "GB", 60, 120, 12) // long and thin: warning, stays open
	evs := live(t, s, d, tr, 0, 130)
	worst := map[string]seismo.Severity{}
	var sawDanger, sawWarningEntryAfter bool
	for _, ev := range evs {
		inc := ev.Data
		if inc.Severity == seismo.SeverityDanger {
			sawDanger = true
		}
		if sawDanger {
			if e := inc.Country("GB"); e != nil && e.Status == seismo.StatusOpen && e.Severity == seismo.SeverityWarning {
				if us := inc.Country("US"); us != nil && us.Status == seismo.StatusResolved {
					sawWarningEntryAfter = true
				}
			}
		}
		if worst[inc.ID] == seismo.SeverityDanger && inc.Severity != seismo.SeverityDanger {
			t.Errorf("%s %s at %s: severity %s after danger", ev.Type, inc.ID, ev.Timestamp.Format("15:04"), inc.Severity)
		}
		if inc.Severity == seismo.SeverityDanger {
			worst[inc.ID] = inc.Severity
		}
	}
	if !sawDanger || !sawWarningEntryAfter {
		t.Fatalf("scenario did not happen: danger %v, GB open at warning after US resolved %v (%d events)", sawDanger, sawWarningEntryAfter, len(evs))
	}
}

// An entry's observed and peak reporters are the distinct reporters of the
// primary window, also when a series opens on another window: the sum of
// the minutes would count each of the ten accounts that post every minute
// five times.
func TestEntryCountsDistinctReporters(t *testing.T) {
	rdb := backends[0].open(t)
	s := newStore(t, rdb, nil)
	d := newDetector(t, s, detect.DefaultConfig())
	tr := traffic{}
	for m := range 70 {
		for j := range 10 {
			id := fmt.Sprintf("steady-%d-%d", m, j)
			tr[m] = append(tr[m], complaint(id, fmt.Sprintf("steady-%d", j), "whatsapp", "US", at(m).Add(time.Duration(j)*time.Second), ""))
		}
	}
	// Two minutes of 35 new reporters each: the one-minute window fires
	// (45 where 10 are usual), the five-minute one does not (120 summed
	// where 50 are usual, 80 distinct).
	tr.add("burst", "whatsapp", "US", 60, 62, 35)
	evs := live(t, s, d, tr, 0, 70)
	if len(evs) == 0 {
		t.Fatal("no incident opened")
	}
	const most = 10 + 2*35 // distinct reporters in any five minutes
	for _, ev := range evs {
		e := ev.Data.Country("US")
		if e == nil {
			continue
		}
		if e.Reporters > most+1 || e.Observed > most+1 { // HyperLogLog is within 1% here
			t.Errorf("%s at %s: reporters %d, observed %d; at most %d distinct reporters posted in five minutes",
				ev.Type, ev.Timestamp.Format("15:04"), e.Reporters, e.Observed, most)
		}
	}
}

// The incident index forgets incidents whose keys have expired, and only
// those: an old incident still stored stays listed.
func TestIncidentIndexIsPruned(t *testing.T) {
	rdb := backends[0].open(t)
	s := newStore(t, rdb, nil)
	d := newDetector(t, s, detect.DefaultConfig())
	ctx := ctxT(t)
	old := float64(at(0).Add(-200 * 24 * time.Hour).Unix())
	// Two incidents of long ago: one expired, one still stored.
	for _, id := range []string{"whatsapp-expired", "whatsapp-kept"} {
		for _, idx := range []string{"seismo:{inc}:incidents", "seismo:{inc}:open"} {
			if err := rdb.ZAdd(ctx, idx, redis.Z{Score: old, Member: id}).Err(); err != nil {
				t.Fatal(err)
			}
		}
	}
	kept := `{"id":"whatsapp-kept","service":"whatsapp","status":"open","started_at":"2023-09-16T12:00:00Z"}`
	if err := rdb.Set(ctx, "seismo:{inc}:incident:whatsapp-kept", kept, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	live(t, s, d, outage(), 0, 70) // passes the hour at minute 60
	for _, idx := range []string{"seismo:{inc}:incidents", "seismo:{inc}:open"} {
		ids, err := rdb.ZRange(ctx, idx, 0, -1).Result()
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(ids, "whatsapp-expired") || !slices.Contains(ids, "whatsapp-kept") ||
			!slices.Contains(ids, "whatsapp-20240403T1300Z") {
			t.Errorf("%s holds %v: want the expired incident gone, the kept one and the new one listed", idx, ids)
		}
	}
}

// A service added to the catalog after the detector has run for a day
// starts from its own first data: its steady traffic is not an outage
// against a day of zeros, and it is watched once it has a baseline.
func TestNewServiceIsNotAnOutage(t *testing.T) {
	rdb := backends[0].open(t)
	s := newStore(t, rdb, nil)
	d := newDetector(t, s, detect.DefaultConfig())
	const day = 24 * 60
	tr := traffic{}
	tr.add("bg", "whatsapp", "US", 0, day+240, 2)
	tr.add("new", "instagram", "BR", day, day+240, 10)
	tr.add("new", "instagram", "US", day, day+240, 6)
	tr.add("burst", "instagram", "BR", day+180, day+200, 80)
	evs := live(t, s, d, tr, 0, day+240)
	var opened []string
	for _, ev := range evs {
		if ev.Type == seismo.EventOpened {
			opened = append(opened, ev.Data.ID+" at "+ev.Timestamp.Format("01-02 15:04"))
		}
	}
	want := "instagram-" + at(day+180).Format("20060102T1504Z")
	if len(opened) != 1 || !strings.HasPrefix(opened[0], want) {
		t.Errorf("opened %v; want only the burst's incident, %s", opened, want)
	}
}

func TestRun(t *testing.T) {
	s := newStore(t, backends[0].open(t), nil)
	cfg := detect.DefaultConfig()
	cfg.Poll = 5 * time.Millisecond
	d := newDetector(t, s, cfg)
	ctx, cancel := context.WithCancel(ctxT(t))
	defer cancel()
	tr := outage()
	for m := range 70 {
		if err := s.Record(ctx, tr[m]); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	setWatermark(t, s, at(70))
	// Wait (bounded) for the detector to catch up and open the incident.
	var got []seismo.StreamEvent
	for deadline := time.Now().Add(20 * time.Second); len(got) < 2 && time.Now().Before(deadline); {
		evs, err := s.Events(ctx, "0", 10, 100*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		got = evs
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run returned %v on cancellation, want nil", err)
	}
	if len(got) != 2 || got[0].Event.Type != seismo.EventOpened {
		t.Errorf("Run produced %d events, want opened and updated", len(got))
	}
}

func TestDetectorMaxCatchUp(t *testing.T) {
	s := newStore(t, backends[0].open(t), nil)
	cfg := detect.DefaultConfig()
	cfg.MaxCatchUp = 30 * time.Minute
	d := newDetector(t, s, cfg)
	ctx := ctxT(t)
	tr := outage()
	for m := range 90 {
		if err := s.Record(ctx, tr[m]); err != nil {
			t.Fatal(err)
		}
	}
	// Evaluation starts at minute 60, not 0, and warms up until 90: the
	// burst that began at 60 is part of what it learns first.
	evs, err := d.Advance(ctx, at(90))
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 0 {
		t.Errorf("catch-up limited to 30 minutes still produced %v", keys(evs))
	}
	b, ok, err := s.Baseline(ctx, "whatsapp", "US", at(89))
	if err != nil || !ok || b.Level.Last != at(89).Unix()/60 || b.Level.Weight < 29 || b.Level.Weight > 30 {
		t.Errorf("baseline after catch-up = %+v, %v, %v; want 30 minutes (weight 29.2 after decay) ending at minute 89", b, ok, err)
	}
}

// A detector with state that falls behind, as it does when a replay at full
// speed outruns it, catches up on every minute instead of skipping, however
// far behind it is: the incidents are those of living through the data.
func TestDetectorCatchUpNeverSkips(t *testing.T) {
	tr := outage()
	end := tr.end() + 5
	cfg := detect.DefaultConfig()
	cfg.MaxCatchUp = 30 * time.Minute
	s := newStore(t, backends[0].open(t), nil)
	ref := live(t, s, newDetector(t, s, cfg), tr, 0, end)
	if len(ref) != 4 {
		t.Fatalf("reference run has %d events, want 4", len(ref))
	}

	s = newStore(t, backends[0].open(t), nil)
	d := newDetector(t, s, cfg)
	got := live(t, s, d, tr, 0, 10)
	ctx := ctxT(t)
	for m := 10; m <= end; m++ {
		if err := s.Record(ctx, tr[m]); err != nil {
			t.Fatal(err)
		}
	}
	// Far more than MaxCatchUp in one step.
	evs, err := d.Advance(ctx, at(end))
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, evs...)
	if a, b := mustJSON(t, got), mustJSON(t, ref); a != b {
		t.Errorf("catching up changed the events:\n got %v\nwant %v", keys(got), keys(ref))
	}
}

func TestDetectorSurvivesVanishedIncident(t *testing.T) {
	rdb := backends[0].open(t)
	s := newStore(t, rdb, nil)
	d := newDetector(t, s, pendingConfig())
	ctx := ctxT(t)
	tr := outage()
	if evs := live(t, s, d, tr, 0, 63); len(evs) != 1 {
		t.Fatalf("want the opened event, got %v", keys(evs))
	}
	// As if the incident key had expired while no detector ran.
	if err := rdb.Del(ctx, "seismo:{inc}:incident:whatsapp-20240403T1300Z").Err(); err != nil {
		t.Fatal(err)
	}
	// The bursts go on, so a new incident opens; the lost one is not
	// resurrected.
	evs := live(t, s, newDetector(t, s, pendingConfig()), tr, 63, 66)
	if len(evs) != 1 || evs[0].Type != seismo.EventOpened || evs[0].Data.ID != "whatsapp-20240403T1303Z" {
		t.Errorf("after losing the incident: %v", keys(evs))
	}
}

func TestDetectorLevelShiftEnds(t *testing.T) {
	tests := []struct {
		name    string
		relearn time.Duration
		ends    bool
	}{
		{"relearns after a while", time.Hour, true},
		{"never relearns", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t, backends[0].open(t), nil)
			cfg := detect.DefaultConfig()
			cfg.RelearnAfter = tt.relearn
			cfg.BaselineHalfLife = 30 * time.Minute
			d := newDetector(t, s, cfg)
			tr := traffic{}
			tr.add("before", "whatsapp", "US", 0, 60, 1)
			tr.add("after", "whatsapp", "US", 60, 480, 12) // the new normal
			evs := live(t, s, d, tr, 0, 480)
			if len(evs) == 0 || evs[0].Type != seismo.EventOpened {
				t.Fatalf("the shift did not open an incident: %v", keys(evs))
			}
			last := evs[len(evs)-1]
			if ended := last.Type == seismo.EventResolved; ended != tt.ends {
				t.Errorf("incident resolved = %v, want %v; events %v", ended, tt.ends, keys(evs))
			}
		})
	}
}

func TestDetectorIgnoresOneLoudAccount(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := newStore(t, b.open(t), nil)
			d := newDetector(t, s, detect.DefaultConfig())
			tr := traffic{}
			tr.add("quiet", "whatsapp", "US", 0, 260, 1)
			tr.add("once", "whatsapp", "GB", 0, 1, 1) // GB is known and quiet
			// One account posts five complaints a minute for half an hour:
			// it is one reporter, however many minutes of the window it
			// fills.
			for m := 200; m < 230; m++ {
				for j := range 5 {
					id := fmt.Sprintf("spam-%d-%d", m, j)
					tr[m] = append(tr[m], complaint(id, "spammer", "whatsapp", "GB", at(m).Add(time.Duration(j)*time.Second), "login"))
				}
			}
			if evs := live(t, s, d, tr, 0, 260); len(evs) != 0 {
				t.Errorf("one account opened an incident: %v", keys(evs))
			}
			if all, err := s.Incidents(ctxT(t), detect.Filter{}); err != nil || len(all) != 0 {
				t.Errorf("one account left incidents: %d, %v", len(all), err)
			}
		})
	}
}

func TestDetectorEscalatesWithoutFlapping(t *testing.T) {
	s := newStore(t, backends[0].open(t), nil)
	d := newDetector(t, s, detect.DefaultConfig())
	tr := traffic{}
	tr.add("quiet", "whatsapp", "US", 0, 120, 1)
	tr.add("start", "whatsapp", "US", 60, 63, 12) // a warning first
	tr.add("full", "whatsapp", "US", 63, 80, 60)  // then danger
	// Then a lower level that still fires must not bring the severity
	// down and up again.
	for m := 80; m < 100; m++ {
		tr.add("hover", "whatsapp", "US", m, m+1, 2+m%2*2)
	}
	evs := live(t, s, d, tr, 0, 130)
	const id = "whatsapp-20240403T1300Z"
	if len(evs) != 3 {
		t.Fatalf("events %v, want opened, updated, resolved", keys(evs))
	}
	want := []eventKey{
		{seismo.EventOpened, id, at(62), seismo.StatusOpen, seismo.SeverityWarning, "US:open "},
		{seismo.EventUpdated, id, at(64), seismo.StatusOpen, seismo.SeverityDanger, "US:open "},
	}
	if got := keys(evs[:2]); !slices.Equal(got, want) {
		t.Errorf("events:\n got %v\nwant %v", got, want)
	}
	if last := evs[2]; last.Type != seismo.EventResolved || last.Data.Severity != seismo.SeverityDanger {
		t.Errorf("last event %v, want resolved at danger", keys(evs[2:]))
	}
}

// Late posts never feed detection: a burst that arrives entirely late
// opens nothing, and is visible only as late counts.
func TestDetectorIgnoresLatePosts(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := newStore(t, b.open(t), nil)
			d := newDetector(t, s, detect.DefaultConfig())
			tr := traffic{}
			tr.add("quiet", "whatsapp", "US", 0, 100, 1)
			tr.add("burst", "whatsapp", "US", 60, 80, 40, "messages")
			for m := 60; m < 80; m++ {
				for i, r := range tr[m] {
					if r.Post.ID != fmt.Sprintf("quiet-whatsapp-US-%d-0", m) {
						tr[m][i].Late = true
					}
				}
			}
			if evs := live(t, s, d, tr, 0, 100); len(evs) != 0 {
				t.Errorf("late posts opened an incident: %v", keys(evs))
			}
			pts, err := s.Series(ctxT(t), "whatsapp", "US", at(70), at(71))
			if err != nil {
				t.Fatal(err)
			}
			if want := (detect.Point{Minute: at(70), Reporters: 1, Complaints: 1, Late: 40}); len(pts) != 1 || pts[0] != want {
				t.Errorf("Series = %+v, want [%+v]", pts, want)
			}
		})
	}
}

// Two detectors may overlap (a leader paused past its lease). Each minute's
// write is a compare-and-set on the last evaluated minute, so every event is
// emitted exactly once in total, whichever detector wins each minute.
func TestDetectorsOverlap(t *testing.T) {
	tr := outage()
	end := tr.end() + 5
	recordAll := func(t *testing.T, s *detect.Store) {
		t.Helper()
		for m := 0; m <= end; m++ {
			if err := s.Record(ctxT(t), tr[m]); err != nil {
				t.Fatal(err)
			}
		}
	}
	// byTime merges the events two detectors returned; events of one
	// minute come from one detector, in its order.
	byTime := func(a, b []seismo.Event) []seismo.Event {
		all := append(slices.Clone(a), b...)
		slices.SortStableFunc(all, func(x, y seismo.Event) int { return x.Timestamp.Compare(y.Timestamp) })
		return all
	}
	checkStream := func(t *testing.T, s *detect.Store, want []seismo.Event) {
		t.Helper()
		stream, err := s.Events(ctxT(t), "0", 100, 0)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]seismo.Event, len(stream))
		for i, se := range stream {
			got[i] = se.Event
		}
		if a, b := mustJSON(t, got), mustJSON(t, want); a != b {
			t.Errorf("stream:\n got %v\nwant %v", keys(got), keys(want))
		}
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := newStore(t, b.open(t), nil)
			recordAll(t, s)
			ref, err := newDetector(t, s, detect.DefaultConfig()).Advance(ctxT(t), at(end))
			if err != nil || len(ref) != 4 {
				t.Fatalf("reference run: %d events, %v; want 4", len(ref), err)
			}

			// The other detector applies minute m while the first one is
			// about to write it: the first must lose, not apply it again.
			for _, m := range []int{0, 61, 66, 98} {
				t.Run(fmt.Sprint("the other wins minute ", m), func(t *testing.T) {
					s := newStore(t, b.open(t), nil)
					recordAll(t, s)
					ctx := ctxT(t)
					d1 := newDetector(t, s, detect.DefaultConfig())
					d2 := newDetector(t, s, detect.DefaultConfig())
					var won []seismo.Event
					raced := false
					detect.SetBeforeWrite(d1, func(minute time.Time) {
						if raced || !minute.Equal(at(m)) {
							return
						}
						raced = true
						evs, err := d2.Advance(ctx, at(m+1))
						if err != nil {
							t.Errorf("the other detector: %v", err)
						}
						won = evs
					})
					lost, err := d1.Advance(ctx, at(end))
					if err != nil {
						t.Fatal(err)
					}
					if !raced {
						t.Fatal("the other detector never ran")
					}
					var wantWon []seismo.Event
					for _, ev := range ref {
						if ev.Timestamp.Equal(at(m + 1)) {
							wantWon = append(wantWon, ev)
						}
					}
					if a, b := mustJSON(t, won), mustJSON(t, wantWon); a != b {
						t.Errorf("the winner emitted %v, want %v", keys(won), keys(wantWon))
					}
					if got := byTime(lost, won); mustJSON(t, got) != mustJSON(t, ref) {
						t.Errorf("events together:\n got %v\nwant %v", keys(got), keys(ref))
					}
					if done, ok := d1.Evaluated(); !ok || !done.Equal(at(end)) {
						t.Errorf("the loser evaluated up to %v, %v; want %v", done, ok, at(end))
					}
					checkStream(t, s, ref)
				})
			}

			steps := []struct {
				name string
				run  func(ctx context.Context, d1, d2 *detect.Detector) (e1, e2 []seismo.Event, err error)
			}{
				{"alternately", func(ctx context.Context, d1, d2 *detect.Detector) (e1, e2 []seismo.Event, err error) {
					for m := 1; m <= end; m++ {
						d, evs := d1, &e1
						if m%2 == 0 {
							d, evs = d2, &e2
						}
						got, err := d.Advance(ctx, at(m))
						if err != nil {
							return nil, nil, err
						}
						*evs = append(*evs, got...)
					}
					return e1, e2, nil
				}},
				{"concurrently", func(ctx context.Context, d1, d2 *detect.Detector) (e1, e2 []seismo.Event, err error) {
					var g errgroup.Group
					for _, w := range []struct {
						d   *detect.Detector
						evs *[]seismo.Event
					}{{d1, &e1}, {d2, &e2}} {
						g.Go(func() error {
							for m := 1; m <= end; m++ {
								got, err := w.d.Advance(ctx, at(m))
								if err != nil {
									return err
								}
								*w.evs = append(*w.evs, got...)
							}
							return nil
						})
					}
					return e1, e2, g.Wait()
				}},
			}
			for _, st := range steps {
				t.Run(st.name, func(t *testing.T) {
					s := newStore(t, b.open(t), nil)
					recordAll(t, s)
					e1, e2, err := st.run(ctxT(t), newDetector(t, s, detect.DefaultConfig()), newDetector(t, s, detect.DefaultConfig()))
					if err != nil {
						t.Fatal(err)
					}
					if got := byTime(e1, e2); mustJSON(t, got) != mustJSON(t, ref) {
						t.Errorf("events together:\n got %v\nwant %v", mustJSON(t, got), mustJSON(t, ref))
					}
					checkStream(t, s, ref)
				})
			}
		})
	}
}

// The content of an incident counts each minute of a series once, and
// forgets what a pending country that never opened brought.
func TestDetectorIncidentContent(t *testing.T) {
	const id = "whatsapp-20240403T1300Z"
	problem := func(in seismo.Incident, p seismo.Problem) int {
		for _, ps := range in.Problems {
			if ps.Problem == p {
				return ps.Complaints
			}
		}
		return 0
	}
	t.Run("a country firing again within the window", func(t *testing.T) {
		s := newStore(t, backends[0].open(t), nil)
		cfg := detect.DefaultConfig()
		cfg.QuietFor = time.Minute
		d := newDetector(t, s, cfg)
		tr := traffic{}
		tr.add("quiet", "whatsapp", "US", 0, 130, 1)
		tr.add("quiet", "whatsapp", "GB", 0, 130, 1)
		tr.add("burst", "whatsapp", "GB", 60, 100, 30, "login") // holds the incident open
		tr.add("a", "whatsapp", "US", 60, 66, 40, "messages")
		// Five calls complaints in the minutes the US resolves in; the
		// second burst's window reaches back over them.
		tr.add("between", "whatsapp", "US", 66, 71, 1, "calls")
		tr.add("b", "whatsapp", "US", 71, 80, 40, "messages")
		evs := live(t, s, d, tr, 0, 130)
		var usStates []string
		for _, ev := range evs {
			if ev.Data.ID != id {
				t.Fatalf("unexpected incident %s", ev.Data.ID)
			}
			if us := ev.Data.Country("US"); us != nil {
				usStates = append(usStates, string(us.Status))
			}
		}
		if !slices.Contains(usStates, "resolved") || usStates[len(usStates)-1] != "resolved" ||
			slices.Index(usStates, "resolved") == len(usStates)-1 {
			t.Fatalf("the US did not resolve and open again: %v (%v)", usStates, keys(evs))
		}
		final := evs[len(evs)-1].Data
		if final.Status != seismo.StatusResolved {
			t.Fatalf("final event %v", keys(evs[len(evs)-1:]))
		}
		if got := problem(final, "calls"); got != 5 {
			t.Errorf("calls counted %d times, want 5 (one per post)", got)
		}
	})
	t.Run("a discarded pending country", func(t *testing.T) {
		s := newStore(t, backends[0].open(t), nil)
		cfg := detect.DefaultConfig()
		// Longer than the window: the blip stays pending (danger included).
		cfg.PendingFor, cfg.DangerPendingFor, cfg.ExtraWindows = 6*time.Minute, 6*time.Minute, nil
		d := newDetector(t, s, cfg)
		ctx := ctxT(t)
		tr := traffic{}
		tr.add("quiet", "whatsapp", "GB", 0, 95, 1)
		tr.add("burst", "whatsapp", "GB", 60, 90, 30, "login")
		tr.add("quiet", "whatsapp", "IN", 0, 130, 1)
		tr.add("blip", "whatsapp", "IN", 93, 94, 30, "payments")
		countries := func(in seismo.Incident) map[string]int {
			out := map[string]int{}
			for _, sm := range in.Samples {
				out[sm.Country]++
			}
			return out
		}
		live(t, s, d, tr, 0, 95)
		pending, err := s.Incident(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if countries(pending)["IN"] == 0 || problem(pending, "payments") == 0 {
			t.Fatalf("while pending, IN shows no samples or problems: %+v", pending)
		}
		live(t, s, d, tr, 95, 100)
		after, err := s.Incident(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if after.Status != seismo.StatusOpen || after.Country("IN") != nil {
			t.Fatalf("incident after the blip = %+v", after)
		}
		if n := countries(after)["IN"]; n != 0 || len(after.Samples) != 5 {
			t.Errorf("samples after the blip was discarded: %d from IN of %d, want 0 of 5", n, len(after.Samples))
		}
		if n := problem(after, "payments"); n != 0 {
			t.Errorf("the discarded blip's problem counts %d", n)
		}
	})
}

// The minutes a series is evaluated at, and so its baseline, depend only on
// its data up to the minute, not on how far ingest has got beyond it: a
// replay whose ingest runs hours ahead of the detector learns the same
// baselines and opens the same incidents as a live run.
func TestBaselinesDoNotDependOnIngestLead(t *testing.T) {
	tr := traffic{}
	for m := 0; m < 120; m += 20 {
		tr.add(fmt.Sprintf("sparse%d", m), "whatsapp", "GB", m, m+1, 1)
	}
	// Four hours of silence on whatsapp:GB, longer than ActiveFor, then
	// data again, and an outage later on.
	for m := 360; m < 600; m += 10 {
		tr.add(fmt.Sprintf("back%d", m), "whatsapp", "GB", m, m+1, 1)
	}
	tr.add("outage", "whatsapp", "GB", 500, 520, 6)
	tr.add("busy", "instagram", "US", 0, 600, 2)
	end := tr.end() + 30

	type result struct {
		events []seismo.Event
		bases  map[string]detect.Baseline
	}
	run := func(t *testing.T, b backend, lead int) result {
		s := newStore(t, b.open(t), nil)
		d := newDetector(t, s, detect.DefaultConfig())
		ctx := ctxT(t)
		var res result
		// Ingest runs lead minutes ahead of the detector.
		recorded := 0
		for m := 0; m < end; m++ {
			for ; recorded < min(m+1+lead, end); recorded++ {
				if err := s.Record(ctx, tr[recorded]); err != nil {
					t.Fatal(err)
				}
			}
			evs, err := d.Advance(ctx, at(m+1))
			if err != nil {
				t.Fatal(err)
			}
			res.events = append(res.events, evs...)
		}
		res.bases = map[string]detect.Baseline{}
		for _, sr := range [][2]string{{"whatsapp", "GB"}, {"whatsapp", "*"}, {"instagram", "US"}, {"instagram", "*"}} {
			base, ok, err := s.Baseline(ctx, sr[0], sr[1], at(end))
			if err != nil || !ok {
				t.Fatalf("baseline of %v: %v, %v", sr, ok, err)
			}
			res.bases[sr[0]+":"+sr[1]] = base
		}
		return res
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			want := run(t, b, 0)
			if len(want.events) == 0 {
				t.Fatal("the live run opened no incident; the scenario tests nothing")
			}
			for _, lead := range []int{30, 300, end} {
				got := run(t, b, lead)
				for k, wb := range want.bases {
					if gb := got.bases[k]; gb != wb {
						t.Errorf("ingest %d minutes ahead: baseline of %s\n got %+v\nwant %+v", lead, k, gb, wb)
					}
				}
				if !reflect.DeepEqual(eventKeys(got.events), eventKeys(want.events)) {
					t.Errorf("ingest %d minutes ahead: events %v, want %v", lead, eventKeys(got.events), eventKeys(want.events))
				}
			}
		})
	}
}

func eventKeys(evs []seismo.Event) []string {
	var out []string
	for _, ev := range evs {
		out = append(out, ev.ID)
	}
	return out
}
