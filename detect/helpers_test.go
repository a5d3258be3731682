package detect_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/internal/redistest"
)

// t0 is the start of every scenario: minute offsets count from here.
var t0 = time.Date(2024, 4, 3, 12, 0, 0, 0, time.UTC)

func at(minute int) time.Time { return t0.Add(time.Duration(minute) * time.Minute) }

func TestMain(m *testing.M) {
	code := m.Run()
	redistest.StopSharedCluster()
	os.Exit(code)
}

// backend is a Redis to run a test against.
type backend struct {
	name string
	open func(testing.TB) redis.UniversalClient
}

// backends are a real redis-server, a Redis Cluster of three masters, on
// which every multi-key command and script must stay in one slot, and
// miniredis, which the embedded demo uses, so the Lua and commands must
// work on all three.
var backends = []backend{
	{"redis-server", func(tb testing.TB) redis.UniversalClient { return redistest.Start(tb).Client(tb) }},
	{"redis-cluster", func(tb testing.TB) redis.UniversalClient { return redistest.SharedCluster(tb).Client(tb) }},
	{"miniredis", func(tb testing.TB) redis.UniversalClient {
		m := miniredis.RunT(tb)
		c := redis.NewClient(&redis.Options{Addr: m.Addr()})
		tb.Cleanup(func() { _ = c.Close() })
		return c
	}},
}

// testServices are the services the tests' detectors know.
var testServices = []seismo.Service{
	{ID: "whatsapp", Name: "WhatsApp", Parent: "meta"},
	{ID: "instagram", Name: "Instagram", Parent: "meta"},
}

// clock is a settable wall clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newStore(tb testing.TB, rdb redis.UniversalClient, now func() time.Time) *detect.Store {
	tb.Helper()
	s, err := detect.NewStore(rdb, detect.StoreConfig{ReporterKey: []byte("test key"), Now: now, Groups: detect.GroupsOf(testServices)})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// storeWith returns a store with cfg.
func storeWith(tb testing.TB, rdb redis.UniversalClient, cfg detect.StoreConfig) *detect.Store {
	tb.Helper()
	s, err := detect.NewStore(rdb, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func ctxT(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	tb.Cleanup(cancel)
	return ctx
}

func complaint(id, author, svc, cc string, ts time.Time, problem seismo.Problem) seismo.Report {
	return seismo.Report{
		Post: seismo.Post{ID: id, Text: "is " + svc + " down? " + string(problem), CreatedAt: ts,
			Source: "test", Author: author, Country: cc, Lang: "en"},
		Signal: seismo.Signal{PostID: id, Services: []string{svc}, Complaint: true, Problem: problem, Lang: "en"},
	}
}

// traffic is a scenario: reports by minute offset.
type traffic map[int][]seismo.Report

// add puts perMin distinct reporters a minute on a series for minutes
// [from, to). Each reporter is new, so a window of w minutes has w*perMin.
func (tr traffic) add(tag, svc, cc string, from, to, perMin int, problems ...seismo.Problem) {
	for m := from; m < to; m++ {
		for j := range perMin {
			var p seismo.Problem
			if len(problems) > 0 {
				p = problems[j%len(problems)]
			}
			id := fmt.Sprintf("%s-%s-%s-%d-%d", tag, svc, cc, m, j)
			ts := at(m).Add(time.Duration(j%60) * time.Second)
			tr[m] = append(tr[m], complaint(id, "a-"+id, svc, cc, ts, p))
		}
	}
}

func (tr traffic) end() int {
	end := 0
	for m := range tr {
		end = max(end, m+1)
	}
	return end
}

// live records each minute just before the detector evaluates it, like a
// running system with a watermark one minute behind.
func live(tb testing.TB, s *detect.Store, d *detect.Detector, tr traffic, from, to int) []seismo.Event {
	tb.Helper()
	ctx := ctxT(tb)
	var events []seismo.Event
	for m := from; m < to; m++ {
		if err := s.Record(ctx, tr[m]); err != nil {
			tb.Fatalf("record minute %d: %v", m, err)
		}
		evs, err := d.Advance(ctx, at(m+1).Add(5*time.Second))
		if err != nil {
			tb.Fatalf("advance to minute %d: %v", m+1, err)
		}
		events = append(events, evs...)
	}
	return events
}

func newDetector(tb testing.TB, s *detect.Store, cfg detect.Config) *detect.Detector {
	tb.Helper()
	d, err := detect.NewDetector(s, cfg, testServices, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// setWatermark makes wm the detector's watermark: it reports a topic of one
// partition, not caught up, whose watermark is wm.
func setWatermark(tb testing.TB, s *detect.Store, wm time.Time) {
	tb.Helper()
	owner := seismo.PartitionOwner{Topic: "seismo.posts", Worker: "w1", Generation: 1, Partitions: 1, StaleAfter: time.Hour, FreshFor: time.Hour}
	refused, err := s.ReportProgress(context.Background(), owner,
		[]seismo.PartitionProgress{{Partition: 0, Next: 1, End: 2, Newest: wm, Watermark: wm}})
	if err != nil || len(refused) > 0 {
		tb.Fatalf("ReportProgress: refused %v, %v", refused, err)
	}
}
