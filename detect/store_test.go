package detect_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/internal/redistest"
)

func TestNewStoreRequiresKey(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer rdb.Close()
	tests := []struct {
		name string
		cfg  detect.StoreConfig
		ok   bool
	}{
		{"no reporter key", detect.StoreConfig{}, false},
		{"brace in prefix", detect.StoreConfig{ReporterKey: []byte("k"), Prefix: "a{b"}, false},
		{"defaults", detect.StoreConfig{ReporterKey: []byte("k")}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := detect.NewStore(rdb, tt.cfg); (err == nil) != tt.ok {
				t.Errorf("NewStore() error = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

// batch is a mix of complaints, recoveries, multi-service and non-counting
// reports over three minutes.
func batch() []seismo.Report {
	var rs []seismo.Report
	for i := range 60 {
		cc := []string{"US", "GB", ""}[i%3]
		r := complaint(fmt.Sprintf("p%d", i), fmt.Sprintf("u%d", i%20), "whatsapp", cc, at(i%3), "messages")
		if i%5 == 0 {
			r.Signal.Services = []string{"whatsapp", "instagram", "whatsapp"}
		}
		if i%7 == 0 {
			r.Signal.Complaint, r.Signal.Recovery, r.Signal.Problem = false, true, ""
		}
		if i%11 == 0 {
			r.Signal.Complaint, r.Signal.Recovery = false, false // mentions only
		}
		rs = append(rs, r)
	}
	return rs
}

// modelTotals counts a batch the slow, obvious way.
func modelTotals(rs []seismo.Report) map[string]totals {
	out := map[string]totals{}
	reporters := map[string]bool{}
	for _, svc := range []string{"whatsapp", "instagram"} {
		for _, cc := range []string{"US", "GB", seismo.UnknownCountry} {
			out[svc+":"+cc] = totals{}
		}
	}
	for _, r := range rs {
		if !r.Signal.Counts() {
			continue
		}
		cc := r.Post.Country
		if cc == "" {
			cc = seismo.UnknownCountry
		}
		done := map[string]bool{}
		for _, svc := range r.Signal.Services {
			if done[svc] {
				continue
			}
			done[svc] = true
			k := svc + ":" + cc
			tot := out[k]
			if r.Signal.Complaint {
				tot.complaints++
				rk := fmt.Sprint(k, r.Post.CreatedAt.Truncate(time.Minute), r.Post.Author)
				if !reporters[rk] {
					reporters[rk] = true
					tot.reporters++
				}
			}
			if r.Signal.Recovery {
				tot.recoveries++
			}
			out[k] = tot
		}
	}
	return out
}

type totals struct{ reporters, complaints, recoveries int64 }

func readTotals(t *testing.T, s *detect.Store) map[string]totals {
	t.Helper()
	out := map[string]totals{}
	for _, svc := range []string{"whatsapp", "instagram"} {
		for _, cc := range []string{"US", "GB", seismo.UnknownCountry} {
			pts, err := s.Series(ctxT(t), svc, cc, at(0), at(3))
			if err != nil {
				t.Fatal(err)
			}
			if len(pts) != 3 {
				t.Fatalf("Series %s:%s returned %d points, want 3", svc, cc, len(pts))
			}
			var tot totals
			for _, p := range pts {
				tot.reporters += p.Reporters
				tot.complaints += p.Complaints
				tot.recoveries += p.Recoveries
			}
			out[svc+":"+cc] = tot
		}
	}
	return out
}

func TestRecordIdempotent(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			rdb := b.open(t)
			s := newStore(t, rdb, nil)
			ctx := ctxT(t)
			if err := s.Record(ctx, batch()); err != nil {
				t.Fatal(err)
			}
			first := readTotals(t, s)
			if want := modelTotals(batch()); fmt.Sprint(first) != fmt.Sprint(want) {
				t.Fatalf("counted %v, want %v", first, want)
			}

			t.Run("same reports again", func(t *testing.T) {
				if err := s.Record(ctx, batch()); err != nil {
					t.Fatal(err)
				}
				if got := readTotals(t, s); fmt.Sprint(got) != fmt.Sprint(first) {
					t.Errorf("after redelivery %v, want %v", got, first)
				}
			})
			t.Run("concurrently", func(t *testing.T) {
				var wg sync.WaitGroup
				errs := make(chan error, 8)
				for range 8 {
					wg.Go(func() {
						if err := s.Record(ctx, batch()); err != nil {
							errs <- err
						}
					})
				}
				wg.Wait()
				close(errs)
				for err := range errs {
					t.Fatal(err)
				}
				if got := readTotals(t, s); fmt.Sprint(got) != fmt.Sprint(first) {
					t.Errorf("after concurrent redelivery %v, want %v", got, first)
				}
			})
			t.Run("after the script cache is flushed", func(t *testing.T) {
				if err := rdb.ScriptFlush(ctx).Err(); err != nil {
					t.Fatal(err)
				}
				more := append(batch(), complaint("new", "someone", "whatsapp", "US", at(1), ""))
				if err := s.Record(ctx, more); err != nil {
					t.Fatal(err)
				}
				got := readTotals(t, s)
				want := first["whatsapp:US"]
				want.reporters++
				want.complaints++
				if got["whatsapp:US"] != want {
					t.Errorf("whatsapp:US = %+v, want %+v", got["whatsapp:US"], want)
				}
			})
		})
	}
}

func TestRecordDistinctReporters(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := newStore(t, b.open(t), nil)
			ctx := ctxT(t)
			var rs []seismo.Report
			for i := range 50 {
				rs = append(rs, complaint(fmt.Sprintf("spam%d", i), "loud", "whatsapp", "BR", at(0), "login"))
			}
			for i := range 3 {
				rs = append(rs, complaint(fmt.Sprintf("anon%d", i), "", "whatsapp", "BR", at(0), ""))
			}
			// Post ids are unique per source only: the same id from another
			// network is another post (by the same reporter here).
			other := complaint("spam0", "loud", "whatsapp", "BR", at(0), "")
			other.Post.Source = "mastodon"
			rs = append(rs, other)
			if err := s.Record(ctx, rs); err != nil {
				t.Fatal(err)
			}
			pts, err := s.Series(ctx, "whatsapp", "BR", at(0), at(1))
			if err != nil {
				t.Fatal(err)
			}
			want := detect.Point{Minute: at(0), Reporters: 1 + 3, Complaints: 54}
			if len(pts) != 1 || pts[0] != want {
				t.Errorf("Series = %+v, want [%+v]", pts, want)
			}
		})
	}
}

// A complaint that only asks whether the service is down too counts apart:
// no reporter, no complaint, no sample, no active series.
func TestRecordCollateralApart(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := newStore(t, b.open(t), nil)
			ctx := ctxT(t)
			var rs []seismo.Report
			for i := range 4 {
				r := complaint(fmt.Sprintf("q%d", i), fmt.Sprintf("asker%d", i), "instagram", "BR", at(0), "total_outage")
				r.Signal.Collateral = true
				rs = append(rs, r)
			}
			rs = append(rs, complaint("c1", "reporter", "instagram", "BR", at(0), "feed"))
			if err := s.Record(ctx, rs); err != nil {
				t.Fatal(err)
			}
			pts, err := s.Series(ctx, "instagram", "BR", at(0), at(1))
			if err != nil {
				t.Fatal(err)
			}
			want := detect.Point{Minute: at(0), Reporters: 1, Complaints: 1, Collateral: 4}
			if len(pts) != 1 || pts[0] != want {
				t.Errorf("Series = %+v, want [%+v]", pts, want)
			}
		})
	}
}

func TestRecordNeverStoresAuthor(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			rdb := b.open(t)
			s := newStore(t, rdb, nil)
			ctx := ctxT(t)
			r := complaint("p1", "secret-author-id", "whatsapp", "US", at(0), "")
			r.Post.Text = strings.Repeat("long text ", 100)
			if err := s.Record(ctx, []seismo.Report{r}); err != nil {
				t.Fatal(err)
			}
			keys := redistest.Keys(t, rdb, "*")
			if len(keys) == 0 {
				t.Fatal("nothing was written")
			}
			for _, k := range keys {
				var content string
				switch typ := rdb.Type(ctx, k).Val(); typ {
				case "string":
					content = rdb.Get(ctx, k).Val()
				case "hash":
					content = fmt.Sprint(rdb.HGetAll(ctx, k).Val())
				case "list":
					content = fmt.Sprint(rdb.LRange(ctx, k, 0, -1).Val())
					if !strings.Contains(content, "…") {
						t.Errorf("sample list %s holds untruncated text", k)
					}
				case "hll": // miniredis's name for a HyperLogLog; registers only
				case "zset":
					content = fmt.Sprint(rdb.ZRangeWithScores(ctx, k, 0, -1).Val())
				default:
					t.Fatalf("key %s has unexpected type %s", k, typ)
				}
				if strings.Contains(k+content, "secret-author-id") {
					t.Errorf("key %s holds the raw author", k)
				}
			}
		})
	}
}

func TestSeriesInvalid(t *testing.T) {
	s := newStore(t, backends[1].open(t), nil)
	tests := []struct {
		name, svc, cc string
		from, to      time.Time
	}{
		{"bad service", "What's App", "US", at(0), at(1)},
		{"bad country", "whatsapp", "XX", at(0), at(1)},
		{"too long", "whatsapp", "US", at(0), at(0).Add(25 * time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Series(ctxT(t), tt.svc, tt.cc, tt.from, tt.to)
			if seismo.ErrorCode(err) != seismo.CodeInvalid {
				t.Errorf("Series error = %v, want code %s", err, seismo.CodeInvalid)
			}
		})
	}
}

func TestIncidentNotFound(t *testing.T) {
	s := newStore(t, backends[0].open(t), nil)
	_, err := s.Incident(ctxT(t), "whatsapp-20240403T1200Z")
	if seismo.ErrorCode(err) != seismo.CodeNotFound {
		t.Errorf("Incident of unknown id: %v, want code %s", err, seismo.CodeNotFound)
	}
	var e *seismo.Error
	if !errors.As(err, &e) {
		t.Errorf("error %T is not a *seismo.Error", err)
	}
}

func late(r seismo.Report) seismo.Report {
	r.Late = true
	return r
}

func recovery(id, author, svc, cc string, ts time.Time) seismo.Report {
	r := complaint(id, author, svc, cc, ts, "")
	r.Signal.Complaint, r.Signal.Recovery = false, true
	return r
}

// Late reports are deduplicated like the others but only counted as late:
// they reach neither the reporters, the counters, the problems, the samples
// nor the series index the detector reads.
func TestRecordLate(t *testing.T) {
	steps := []struct {
		name    string
		reports []seismo.Report
		want    detect.Point
	}{
		{"late complaint and recovery", []seismo.Report{
			late(complaint("p1", "a", "whatsapp", "US", at(0), "login")),
			late(recovery("p2", "b", "whatsapp", "US", at(0))),
		}, detect.Point{Late: 2}},
		{"on time complaint", []seismo.Report{
			complaint("p3", "c", "whatsapp", "US", at(0), "messages"),
		}, detect.Point{Reporters: 1, Complaints: 1, Late: 2}},
		{"the late posts again, on time", []seismo.Report{
			complaint("p1", "a", "whatsapp", "US", at(0), "login"),
			recovery("p2", "b", "whatsapp", "US", at(0)),
		}, detect.Point{Reporters: 1, Complaints: 1, Late: 2}},
		{"the on-time post again, late", []seismo.Report{
			late(complaint("p3", "c", "whatsapp", "US", at(0), "messages")),
		}, detect.Point{Reporters: 1, Complaints: 1, Late: 2}},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			rdb := b.open(t)
			s := newStore(t, rdb, nil)
			ctx := ctxT(t)
			for _, st := range steps {
				if err := s.Record(ctx, st.reports); err != nil {
					t.Fatalf("%s: %v", st.name, err)
				}
				pts, err := s.Series(ctx, "whatsapp", "US", at(0), at(1))
				if err != nil {
					t.Fatal(err)
				}
				want := st.want
				want.Minute = at(0)
				if len(pts) != 1 || pts[0] != want {
					t.Errorf("%s: Series = %+v, want [%+v]", st.name, pts, want)
				}
			}
			minute := fmt.Sprint(at(0).Unix() / 60)
			if p := rdb.HExists(ctx, "seismo:{whatsapp:US}:b:"+minute, "p:login").Val(); p {
				t.Error("a late complaint counted its problem type")
			}
			samples := rdb.LRange(ctx, "seismo:{whatsapp:US}:s:"+minute, 0, -1).Val()
			if len(samples) != 1 || !strings.Contains(samples[0], `"p3"`) {
				t.Errorf("samples = %v, want only p3's", samples)
			}

			t.Run("a late-only series stays out of the index", func(t *testing.T) {
				if err := s.Record(ctx, []seismo.Report{late(complaint("q1", "d", "instagram", "GB", at(-30), ""))}); err != nil {
					t.Fatal(err)
				}
				members := rdb.ZRange(ctx, "seismo:{g:meta}:series", 0, -1).Val()
				// The US series and WhatsApp's global one; no Instagram.
				if !slices.Equal(members, []string{"whatsapp:*", "whatsapp:US"}) {
					t.Errorf("series index = %v, want [whatsapp:* whatsapp:US]", members)
				}
				if first := rdb.ZScore(ctx, "seismo:series:first", "first").Val(); first != float64(at(0).Unix()/60) {
					t.Errorf("first minute = %v, want minute 0 (%d)", first, at(0).Unix()/60)
				}
			})
		})
	}
}

// A post of a minute the detector has evaluated is late even when its
// worker did not say so: it must not change a decided minute.
func TestRecordLateAfterEvaluation(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			rdb := b.open(t)
			s := newStore(t, rdb, nil)
			d := newDetector(t, s, detect.DefaultConfig())
			ctx := ctxT(t)
			tr := traffic{}
			tr.add("bg", "whatsapp", "US", 0, 20, 1)
			live(t, s, d, tr, 0, 20) // evaluated through minute 19
			reports := []seismo.Report{
				complaint("old", "x", "whatsapp", "US", at(10), "login"),  // evaluated
				complaint("edge", "y", "whatsapp", "US", at(19), "login"), // evaluated
				complaint("new", "z", "whatsapp", "US", at(20), "login"),  // not yet
			}
			if err := s.Record(ctx, reports); err != nil {
				t.Fatal(err)
			}
			pts, err := s.Series(ctx, "whatsapp", "US", at(10), at(21))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range pts {
				want := detect.Point{Minute: p.Minute, Reporters: 1, Complaints: 1}
				switch p.Minute {
				case at(10), at(19):
					want.Late = 1
				case at(20):
				default:
					continue
				}
				if p != want {
					t.Errorf("minute %s: %+v, want %+v", p.Minute.Format("15:04"), p, want)
				}
			}
		})
	}
}

// A bucket gets its TTL when it is created, not at every write, so it never
// outlives the dedupe markers of the posts it counted: re-reading the topic
// later cannot count them twice.
func TestRecordBucketTTLSetAtCreation(t *testing.T) {
	const aged = time.Hour
	later := []struct {
		name   string
		report seismo.Report
	}{
		{"complaint", complaint("second", "b", "whatsapp", "US", at(0).Add(30*time.Second), "login")},
		{"late complaint", late(complaint("second", "b", "whatsapp", "US", at(0).Add(30*time.Second), "login"))},
		{"recovery", recovery("second", "b", "whatsapp", "US", at(0).Add(30*time.Second))},
	}
	minute := fmt.Sprint(at(0).Unix() / 60)
	for _, b := range backends {
		for _, tt := range later {
			t.Run(b.name+"/"+tt.name, func(t *testing.T) {
				rdb := b.open(t)
				s := newStore(t, rdb, nil)
				ctx := ctxT(t)
				if err := s.Record(ctx, []seismo.Report{complaint("first", "a", "whatsapp", "US", at(0), "messages")}); err != nil {
					t.Fatal(err)
				}
				// Let an hour pass for every key: the same TTL, an hour less.
				for _, k := range redistest.Keys(t, rdb, "*") {
					if err := rdb.PExpire(ctx, k, rdb.PTTL(ctx, k).Val()-aged).Err(); err != nil {
						t.Fatal(err)
					}
				}
				if err := s.Record(ctx, []seismo.Report{tt.report}); err != nil {
					t.Fatal(err)
				}
				ttl := func(k string) time.Duration {
					t.Helper()
					d, err := rdb.PTTL(ctx, k).Result()
					if err != nil {
						t.Fatal(err)
					}
					if d <= 0 {
						t.Fatalf("key %s has TTL %v", k, d)
					}
					return d
				}
				marker := ttl("seismo:{whatsapp:US}:seen:test:first")
				for _, k := range []string{"r", "b"} {
					key := "seismo:{whatsapp:US}:" + k + ":" + minute
					// A second of slack: the keys are aged one by one, a few
					// milliseconds apart; the defect this guards against is an
					// hour (aged) off.
					if got := ttl(key); got > marker+time.Second {
						t.Errorf("TTL(%s) = %v outlives the first post's marker, %v", key, got, marker)
					}
				}
				if got, max := ttl("seismo:{whatsapp:US}:s:"+minute), 6*time.Hour-aged; got > max {
					t.Errorf("sample list TTL %v was refreshed, want at most %v", got, max)
				}
				if got := ttl("seismo:{whatsapp:US}:seen:test:second"); got < marker-time.Second {
					t.Errorf("the second post's marker expires (%v) before the first's (%v)", got, marker)
				}
			})
		}
	}
}
