package detect_test

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/internal/redistest"
)

const leaseKey = "seismo:lease:detector"

func newLease(tb testing.TB, s *detect.Store, owner string, ttl time.Duration) *detect.Lease {
	tb.Helper()
	l, err := detect.NewLease(s, detect.LeaseConfig{Owner: owner, TTL: ttl}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

// dial returns a client of addr whose blocking reads end after
// readTimeout, whatever the context says, as go-redis clients do by
// default. It does not retry, so a failure shows at once.
func dial(tb testing.TB, addr string, readTimeout time.Duration) *redis.Client {
	tb.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: time.Second,
		ReadTimeout: readTimeout, WriteTimeout: readTimeout, MaxRetries: -1})
	tb.Cleanup(func() { _ = c.Close() })
	return c
}

// running is one Lease.Run in the background.
type running struct {
	cancel context.CancelFunc
	done   chan error
}

// start runs l until stop or the end of the test.
func start(tb testing.TB, l *detect.Lease, lead func(ctx context.Context) error) *running {
	ctx, cancel := context.WithCancel(ctxT(tb))
	r := &running{cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- l.Run(ctx, lead) }()
	tb.Cleanup(func() { r.stop(tb) })
	return r
}

// stop cancels Run and waits for it; it may be called more than once.
func (r *running) stop(tb testing.TB) {
	tb.Helper()
	r.cancel()
	select {
	case err, ok := <-r.done:
		if ok && err != nil {
			tb.Errorf("Run returned %v, want nil", err)
		}
		if ok {
			close(r.done)
		}
	case <-time.After(10 * time.Second):
		tb.Fatal("Run did not return after its context ended")
	}
}

// waitFor polls cond until it holds, failing the test after limit.
func waitFor(tb testing.TB, limit time.Duration, what string, cond func() bool) {
	tb.Helper()
	for deadline := time.Now().Add(limit); !cond(); {
		if time.Now().After(deadline) {
			tb.Fatalf("%s: not within %s", what, limit)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestNewLeaseValidates(t *testing.T) {
	s := newStore(t, dial(t, "127.0.0.1:1", time.Second), nil)
	tests := []struct {
		name  string
		store *detect.Store
		cfg   detect.LeaseConfig
		ok    bool
	}{
		{"defaults", s, detect.LeaseConfig{Owner: "a"}, true},
		{"no store", nil, detect.LeaseConfig{Owner: "a"}, false},
		{"no owner", s, detect.LeaseConfig{}, false},
		{"TTL too short", s, detect.LeaseConfig{Owner: "a", TTL: 10 * time.Millisecond}, false},
		{"negative timeout", s, detect.LeaseConfig{Owner: "a", Timeout: -time.Second}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := detect.NewLease(tt.store, tt.cfg, nil)
			if (err == nil) != tt.ok {
				t.Errorf("NewLease error = %v, want ok %v", err, tt.ok)
			}
		})
	}
}

// One instance takes a free lease, holds it with a TTL and releases it when
// stopped, on both backends (the demo runs on miniredis).
func TestLeaseSingle(t *testing.T) {
	const ttl = 400 * time.Millisecond
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			rdb := b.open(t)
			l := newLease(t, newStore(t, rdb, nil), "a", ttl)
			var ended atomic.Bool
			leading := make(chan struct{})
			r := start(t, l, func(ctx context.Context) error {
				close(leading)
				<-ctx.Done()
				ended.Store(true)
				return ctx.Err()
			})
			select {
			case <-leading:
			case <-time.After(5 * time.Second):
				t.Fatal("a free lease was not taken")
			}
			if !l.Leading() || l.Holder() != "a" {
				t.Errorf("Leading %v, Holder %q; want true, a", l.Leading(), l.Holder())
			}
			ctx := ctxT(t)
			if owner, err := rdb.Get(ctx, leaseKey).Result(); err != nil || owner != "a" {
				t.Errorf("lease key holds %q, %v; want a", owner, err)
			}
			if p := rdb.PTTL(ctx, leaseKey).Val(); p <= 0 || p > ttl {
				t.Errorf("lease key TTL %v, want in (0, %v]", p, ttl)
			}
			// Past several renewals it is still held.
			time.Sleep(ttl)
			if !l.Leading() || rdb.Exists(ctx, leaseKey).Val() != 1 {
				t.Errorf("after %v: Leading %v, key exists %d", ttl, l.Leading(), rdb.Exists(ctx, leaseKey).Val())
			}
			r.stop(t)
			if !ended.Load() || l.Leading() {
				t.Errorf("after Run: lead ended %v, Leading %v", ended.Load(), l.Leading())
			}
			if n := rdb.Exists(ctx, leaseKey).Val(); n != 0 {
				t.Error("the lease was not released")
			}
		})
	}
}

// Two instances hand the lease back and forth: lead never runs in both at
// once, and neither reports leading while the other's lead runs.
func TestLeaseExclusive(t *testing.T) {
	const ttl = 300 * time.Millisecond
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			rdb := b.open(t)
			s := newStore(t, rdb, nil)
			ls := []*detect.Lease{newLease(t, s, "a", ttl), newLease(t, s, "b", ttl)}
			var active atomic.Int32
			var terms [2]atomic.Int32
			var violations sync.Map
			for i, l := range ls {
				other := ls[1-i]
				start(t, l, func(ctx context.Context) error {
					if n := active.Add(1); n != 1 {
						violations.Store("lead runs in both instances", n)
					}
					defer active.Add(-1)
					if !l.Leading() || other.Leading() {
						violations.Store("Leading at the start of a term", [2]bool{l.Leading(), other.Leading()})
					}
					terms[i].Add(1)
					// Hold a while, then give the lease up.
					select {
					case <-ctx.Done():
					case <-time.After(40 * time.Millisecond):
					}
					if other.Leading() {
						violations.Store("the other leads during a term", true)
					}
					return nil
				})
			}
			waitFor(t, 10*time.Second, "each instance leading three times", func() bool {
				return terms[0].Load() >= 3 && terms[1].Load() >= 3
			})
			violations.Range(func(k, v any) bool {
				t.Errorf("%s: %v", k, v)
				return true
			})
		})
	}
}

// When the leader stops, it holds the lease until its lead has returned,
// however long that takes, then releases it, and the other takes over
// without waiting for the lease to expire.
func TestLeaseTakeover(t *testing.T) {
	const ttl = 600 * time.Millisecond
	rdb := redistest.Start(t).Client(t)
	s := newStore(t, rdb, nil)
	a, b := newLease(t, s, "a", ttl), newLease(t, s, "b", ttl)
	var aEnded, bSawEnded atomic.Bool
	aLeads := make(chan struct{})
	ra := start(t, a, func(ctx context.Context) error {
		close(aLeads)
		<-ctx.Done()
		// Winding down takes longer than the TTL: a keeps the lease
		// meanwhile.
		time.Sleep(ttl + ttl/2)
		aEnded.Store(true)
		return nil
	})
	<-aLeads
	bLeads := make(chan time.Time, 1)
	start(t, b, func(ctx context.Context) error {
		bSawEnded.Store(aEnded.Load())
		bLeads <- time.Now()
		<-ctx.Done()
		return nil
	})
	waitFor(t, 5*time.Second, "b sees a as the holder", func() bool { return b.Holder() == "a" })
	if b.Leading() {
		t.Fatal("b leads while a holds the lease")
	}
	stopped := time.Now()
	ra.stop(t)
	select {
	case at := <-bLeads:
		t.Logf("b took over %v after a was told to stop (TTL %v)", at.Sub(stopped).Round(time.Millisecond), ttl)
	case <-time.After(3 * ttl):
		t.Fatalf("b did not take over within %v of a stopping", 3*ttl)
	}
	if !bSawEnded.Load() {
		t.Error("b began leading before a's lead returned")
	}
	if owner := rdb.Get(ctxT(t), leaseKey).Val(); owner != "b" || b.Holder() != "b" || !b.Leading() {
		t.Errorf("lease key %q, b.Holder %q, b.Leading %v; want b's", owner, b.Holder(), b.Leading())
	}
}

// proxy forwards TCP to a target and can hold all traffic, like a network
// partition or a frozen process: bytes already sent wait, and arrive when
// the partition heals.
type proxy struct {
	ln     net.Listener
	target string
	wg     sync.WaitGroup

	mu    sync.Mutex
	gate  chan struct{} // non-nil while partitioned; closed to heal
	conns []net.Conn
}

func startProxy(tb testing.TB, target string) *proxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	p.wg.Go(p.accept)
	tb.Cleanup(p.close)
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

func (p *proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.DialTimeout("tcp", p.target, time.Second)
		if err != nil {
			_ = c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		p.wg.Go(func() { p.pipe(s, c) })
		p.wg.Go(func() { p.pipe(c, s) })
	}
}

func (p *proxy) pipe(dst, src net.Conn) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			gate := p.gate
			p.mu.Unlock()
			if gate != nil {
				<-gate
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *proxy) partition() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gate == nil {
		p.gate = make(chan struct{})
	}
}

func (p *proxy) heal() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gate != nil {
		close(p.gate)
		p.gate = nil
	}
}

// close heals, then closes the listener and every connection.
func (p *proxy) close() {
	p.heal()
	_ = p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// A leader that stops renewing without stopping (its connection closed, or
// hung longer than the TTL) has its lead context cancelled before the lease
// expires, and the other instance leads only after the lease expired.
func TestLeaseCrashedLeader(t *testing.T) {
	const ttl = 600 * time.Millisecond
	tests := []struct {
		name  string
		crash func(c *redis.Client, p *proxy)
	}{
		{"client closed", func(c *redis.Client, _ *proxy) { _ = c.Close() }},
		// The hung calls outlast the TTL: go-redis waits out its read
		// timeout, whatever the context says.
		{"network partitioned", func(_ *redis.Client, p *proxy) { p.partition() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := redistest.Start(t)
			rdb := srv.Client(t)
			px := startProxy(t, srv.Addr)
			ca := dial(t, px.addr(), 4*ttl)
			a := newLease(t, newStore(t, ca, nil), "a", ttl)
			b := newLease(t, newStore(t, rdb, nil), "b", ttl)

			var aCancelled atomic.Bool
			aLeads := make(chan struct{})
			start(t, a, func(ctx context.Context) error {
				close(aLeads)
				<-ctx.Done() // a blocked evaluation: it ends only with ctx
				aCancelled.Store(true)
				return nil
			})
			<-aLeads
			type seen struct {
				at                time.Time
				aCancelled, aLead bool
			}
			bLeads := make(chan seen, 1)
			start(t, b, func(ctx context.Context) error {
				bLeads <- seen{time.Now(), aCancelled.Load(), a.Leading()}
				<-ctx.Done()
				return nil
			})
			waitFor(t, 5*time.Second, "b sees a as the holder", func() bool { return b.Holder() == "a" })
			time.Sleep(ttl) // a few renewals first

			tt.crash(ca, px)
			// The lease cannot expire before now + its remaining TTL.
			before := time.Now()
			left, err := rdb.PTTL(ctxT(t), leaseKey).Result()
			if err != nil || left <= 0 {
				t.Fatalf("lease TTL after the crash: %v, %v", left, err)
			}
			var got seen
			select {
			case got = <-bLeads:
			case <-time.After(10 * time.Second):
				t.Fatal("b never took over")
			}
			if early := before.Add(left - 2*time.Millisecond).Sub(got.at); early > 0 {
				t.Errorf("b leads %v before the crashed lease could expire", early)
			}
			if !got.aCancelled || got.aLead {
				t.Errorf("when b began: a's lead context cancelled %v, a.Leading %v; want true, false", got.aCancelled, got.aLead)
			}
			t.Logf("b took over %v after the crash (lease had %v left, TTL %v)",
				got.at.Sub(before).Round(time.Millisecond), left, ttl)
			px.close() // a's hung calls fail now, so it stops promptly
		})
	}
}

// Two full detectors, each under its own lease on its own connection, over
// the outage scenario: the leader is lost while it evaluates the minute that
// opens the incident, the other takes over, and the event stream is that of
// one detector alone, with one opened event.
func TestLeaseDetectors(t *testing.T) {
	const ttl = 600 * time.Millisecond
	tr := outage()
	end := tr.end() + 5
	record := func(t *testing.T, s *detect.Store) {
		t.Helper()
		for m := 0; m <= end; m++ {
			if err := s.Record(ctxT(t), tr[m]); err != nil {
				t.Fatal(err)
			}
		}
	}
	refStore := newStore(t, backends[0].open(t), nil)
	record(t, refStore)
	ref, err := newDetector(t, refStore, pendingConfig()).Advance(ctxT(t), at(end))
	if err != nil || len(ref) != 4 || ref[0].Type != seismo.EventOpened || !ref[0].Timestamp.Equal(at(62)) {
		t.Fatalf("reference run: %v, %v; want 4 events, opened at minute 62", keys(ref), err)
	}
	opening := at(61) // the minute whose evaluation opens the incident

	// Each way of losing leader a is applied just before a writes the
	// opening minute; heal, when set, runs once b has evaluated it.
	type loss struct {
		stopA func() // stops a's Run
		px    *proxy
		ca    *redis.Client
	}
	tests := []struct {
		name string
		lose func(l loss)
		heal func(l loss)
		// mayApply: a may still apply the minute it was writing (its
		// write can win the compare-and-set; then b goes on after it).
		mayApply bool
	}{
		{"leader stops", func(l loss) { l.stopA() }, nil, true},
		{"leader's connection closes", func(l loss) { _ = l.ca.Close() }, nil, false},
		// a freezes with the write sent but not yet arrived; it arrives
		// after b has applied the minute, and must apply nothing.
		{"leader paused mid-write", func(l loss) { l.px.partition() }, func(l loss) { l.px.heal() }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := redistest.Start(t)
			rdb := srv.Client(t)
			px := startProxy(t, srv.Addr)
			ca := dial(t, px.addr(), 10*ttl)
			sa, sb := newStore(t, ca, nil), newStore(t, rdb, nil)
			record(t, sb)
			setWatermark(t, sb, at(end))
			cfg := pendingConfig()
			cfg.Poll = 10 * time.Millisecond
			da, db := newDetector(t, sa, cfg), newDetector(t, sb, cfg)
			la, lb := newLease(t, sa, "a", ttl), newLease(t, sb, "b", ttl)

			var ra *running
			lost := make(chan struct{})
			var once sync.Once
			detect.SetBeforeWrite(da, func(minute time.Time) {
				if minute.Equal(opening) {
					once.Do(func() {
						tt.lose(loss{stopA: func() { ra.cancel() }, px: px, ca: ca})
						close(lost)
					})
				}
			})
			ra = start(t, la, da.Run)
			waitFor(t, 5*time.Second, "a leads", la.Leading)
			start(t, lb, db.Run)

			select {
			case <-lost:
			case <-time.After(10 * time.Second):
				t.Fatal("a never reached the opening minute")
			}
			waitFor(t, 10*time.Second, "b evaluates the opening minute", func() bool {
				done, ok := db.Evaluated()
				return ok && done.After(opening)
			})
			if tt.heal != nil {
				tt.heal(loss{px: px, ca: ca})
			}
			waitFor(t, 10*time.Second, "b evaluates every minute", func() bool {
				done, ok := db.Evaluated()
				return ok && !done.Before(at(end))
			})
			if done, ok := da.Evaluated(); !ok || !done.Equal(opening) && !(tt.mayApply && done.Equal(at(62))) {
				t.Errorf("a evaluated up to %v, %v; want %v", done, ok, opening)
			}
			if la.Leading() || !lb.Leading() {
				t.Errorf("a leads %v, b leads %v; want b only", la.Leading(), lb.Leading())
			}
			px.close()
			ra.stop(t)

			stream, err := rdb.XLen(ctxT(t), "seismo:{inc}:events").Result()
			if err != nil {
				t.Fatal(err)
			}
			evs, err := sb.Events(ctxT(t), "0", 100, 0)
			if err != nil {
				t.Fatal(err)
			}
			got := make([]seismo.Event, len(evs))
			opened := 0
			for i, se := range evs {
				got[i] = se.Event
				if se.Event.Type == seismo.EventOpened {
					opened++
				}
			}
			if opened != 1 || stream != int64(len(ref)) {
				t.Errorf("stream has %d events, %d opened; want %d, 1 opened", stream, opened, len(ref))
			}
			if a, b := mustJSON(t, got), mustJSON(t, ref); a != b {
				t.Errorf("stream:\n got %v\nwant %v", keys(got), keys(ref))
			}
		})
	}
}
