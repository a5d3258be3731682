package detect

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// keyLease holds the owner of the detector lease.
const keyLease = "lease:detector"

// LeaseConfig configures a Lease.
type LeaseConfig struct {
	// Owner names this instance; it must differ between instances.
	// Required.
	Owner string
	// TTL is how long the lease lives in Redis after its last renewal, and
	// so how long a crashed leader can hold it; default 15s. The leader
	// renews every TTL/3 and steps down TTL/5 before its lease could
	// expire.
	TTL time.Duration
	// Timeout bounds each Redis call of the lease; default TTL/3, at most
	// 5s.
	Timeout time.Duration
	// Name is the lease's key after the prefix; default "lease:detector".
	Name string
	// MayAcquire, when set, is asked before each campaign: false skips
	// it, and the lease is campaigned for again soon (Shards keeps an
	// instance to its fair share with it).
	MayAcquire func() bool
	// Yield, when set, is asked at each renewal while leading: true steps
	// down and releases the lease, for another instance to take.
	Yield func() bool
	// Attempted, when set, is told the outcome of each campaign that
	// MayAcquire allowed: true just before lead starts, false when the
	// lease was not won (or was won too slowly to be trusted).
	Attempted func(won bool)
}

func (c *LeaseConfig) setDefaults() {
	if c.TTL == 0 {
		c.TTL = 15 * time.Second
	}
	if c.Timeout == 0 {
		c.Timeout = min(c.TTL/3, 5*time.Second)
	}
	if c.Name == "" {
		c.Name = keyLease
	}
}

func (c *LeaseConfig) validate() error {
	switch {
	case c.Owner == "":
		return errors.New("detect lease: Owner is required")
	case c.TTL < 100*time.Millisecond:
		return fmt.Errorf("detect lease: TTL %s is below 100ms", c.TTL)
	case c.Timeout <= 0:
		return errors.New("detect lease: Timeout must be positive")
	}
	return nil
}

// Lease elects one leader among instances that share a Store's Redis and
// prefix: the holder of one key with a TTL, renewed by its owner. Run
// campaigns until ctx is done and runs the leader's work while it holds the
// lease. When a leader stops, it keeps the lease until its work has
// returned, then deletes the key, and another instance takes over within
// TTL/3; when it crashes or loses Redis, the key expires and another takes
// over within TTL plus TTL/3.
//
// The leader stops its work before the lease can expire: its lead context is
// cancelled TTL/5 before the earliest moment Redis could let the lease go,
// counted from when the last successful renewal was sent, and the watchdog
// that cancels it does not wait on Redis calls (a hung call is bounded by
// the client's read timeout, not by the context). A new leader can
// therefore not begin while the old one's context is live, unless the old
// process is paused longer than TTL/5 (a stop-the-world pause, a frozen
// VM). Then the Detector's own fencing applies: each minute's write is a
// compare-and-set on the last evaluated minute (group.write), so a write the old
// leader sends late finds the minute taken and applies nothing, and no
// minute, nor its incident events, is applied twice. The event relay is at
// least once anyway. No separate fencing token is needed.
//
// Renewal and release are Lua check-and-sets on the owner, so an instance
// never extends or deletes a lease it no longer holds.
type Lease struct {
	s      *Store
	cfg    LeaseConfig
	log    *slog.Logger
	key    string
	script struct{ acquire, renew, release *redis.Script }

	leading atomic.Bool
	mu      sync.Mutex
	holder  string // last owner seen holding the lease
}

// NewLease returns a lease on s's Redis under s's prefix. Its log lines
// carry the owner; a nil log discards. It does no I/O.
func NewLease(s *Store, cfg LeaseConfig, log *slog.Logger) (*Lease, error) {
	if s == nil {
		return nil, errors.New("detect lease: nil store")
	}
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l := &Lease{s: s, cfg: cfg, log: log.With("owner", cfg.Owner), key: s.key(cfg.Name)}
	l.script.acquire = redis.NewScript(acquireLua)
	l.script.renew = redis.NewScript(renewLua)
	l.script.release = redis.NewScript(releaseLua)
	return l, nil
}

// acquireLua takes the lease when it is free, or keeps it when this owner
// holds it already (a lease it stepped down from but could not release).
// It returns {1} or {0, holder, remaining ms}.
//
// KEYS: lease. ARGV: owner, TTL ms.
const acquireLua = `
local cur = redis.call('GET', KEYS[1])
if not cur then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {1}
end
if cur == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {1}
end
return {0, cur, redis.call('PTTL', KEYS[1])}
`

// renewLua extends the lease only while this owner holds it.
//
// KEYS: lease. ARGV: owner, TTL ms.
const renewLua = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`

// releaseLua deletes the lease only while this owner holds it.
//
// KEYS: lease. ARGV: owner.
const releaseLua = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`

// Leading reports whether this instance holds the lease and its lead
// function runs with a live context.
func (l *Lease) Leading() bool { return l.leading.Load() }

// Holder returns the owner last seen holding the lease, this instance's
// own while it leads, and "" when none was seen. It does no I/O.
func (l *Lease) Holder() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.holder
}

func (l *Lease) setHolder(owner string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if owner != l.holder && owner != l.cfg.Owner && owner != "" {
		l.log.Info("following the detector leader", "leader", owner)
	}
	l.holder = owner
}

// interval is the time between renewals, and between campaigns of a
// follower that does not know when the lease expires.
func (l *Lease) interval() time.Duration { return l.cfg.TTL / 3 }

// margin is how long before the lease could expire its leader steps down.
func (l *Lease) margin() time.Duration { return l.cfg.TTL / 5 }

// Run campaigns for the lease until ctx is done and, each time it wins,
// runs lead with a context that is cancelled when ctx is done or the lease
// is lost or could not be renewed in time. lead must return soon after its
// context ends: Run waits for it, still renewing the lease unless it was
// lost, before it releases the lease or campaigns again, so lead runs at
// most once at a time in this instance, and a successor does not start
// while it winds down. When lead returns, with an error
// (logged) or not, the lease is released and Run campaigns again after
// TTL/3. Redis errors are logged and retried. On ctx's end Run releases
// the lease, so a successor takes over at once, and returns nil.
func (l *Lease) Run(ctx context.Context, lead func(ctx context.Context) error) error {
	var lastErr string
	for ctx.Err() == nil {
		if l.cfg.MayAcquire != nil && !l.cfg.MayAcquire() {
			t := time.NewTimer(l.cfg.TTL / 10)
			select {
			case <-ctx.Done():
			case <-t.C:
			}
			t.Stop()
			continue
		}
		sent := time.Now()
		ok, holder, ttl, err := l.acquire(ctx)
		if (!ok || ctx.Err() != nil) && l.cfg.Attempted != nil {
			l.cfg.Attempted(false)
		}
		if ctx.Err() != nil {
			if ok {
				l.release(ctx, l.log)
			}
			break
		}
		wait := l.interval()
		switch {
		case err != nil:
			if err.Error() != lastErr {
				l.log.Warn("campaign for the detector lease failed; retrying", "err", err)
				lastErr = err.Error()
			}
		case ok:
			lastErr = ""
			l.hold(ctx, sent, lead)
		default:
			lastErr = ""
			l.setHolder(holder)
			// Try again as the lease expires, but no later than a
			// renewal interval: a released lease is gone before then.
			if ttl > 0 {
				wait = min(ttl+time.Millisecond, wait)
			}
		}
		if ctx.Err() != nil {
			break
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
	return nil
}

// acquire runs acquireLua; ttl is the holder's remaining time when another
// instance holds the lease, or -1 when unknown.
func (l *Lease) acquire(ctx context.Context) (ok bool, holder string, ttl time.Duration, err error) {
	ctx, cancel := context.WithTimeout(ctx, l.cfg.Timeout)
	defer cancel()
	res, err := l.script.acquire.Run(ctx, l.s.rdb, []string{l.key}, l.cfg.Owner, l.cfg.TTL.Milliseconds()).Slice()
	if err != nil {
		return false, "", 0, fmt.Errorf("acquire lease: %w", err)
	}
	if len(res) == 1 {
		return true, l.cfg.Owner, 0, nil
	}
	if len(res) != 3 {
		return false, "", 0, fmt.Errorf("acquire lease: unexpected reply %v", res)
	}
	holder, _ = res[1].(string)
	ms, _ := res[2].(int64)
	ttl = -1
	if ms > 0 {
		ttl = time.Duration(ms) * time.Millisecond
	}
	return false, holder, ttl, nil
}

// renewal is the outcome of one renewal attempt.
type renewal struct {
	sent time.Time // when the request left, which bounds its expiry
	held bool
	err  error
}

// hold runs lead while the lease is held, acquired by a request sent at
// sent, and releases the lease when lead, ctx or the lease ends.
func (l *Lease) hold(ctx context.Context, sent time.Time, lead func(ctx context.Context) error) {
	log := l.log
	l.setHolder(l.cfg.Owner)
	// Redis starts the TTL after the request was sent: stepping down TTL -
	// margin after sending it is before the lease can expire.
	deadline := sent.Add(l.cfg.TTL - l.margin())
	if time.Until(deadline) <= 0 {
		// The acquisition itself took too long to be trusted.
		if l.cfg.Attempted != nil {
			l.cfg.Attempted(false)
		}
		l.release(ctx, log)
		return
	}
	if l.cfg.Attempted != nil {
		l.cfg.Attempted(true)
	}
	lctx, cancelLead := context.WithCancel(ctx)
	defer cancelLead()
	l.leading.Store(true)
	log.Info("leading: this instance runs the detector", "ttl", l.cfg.TTL)
	led := make(chan error, 1)
	go func() { led <- lead(lctx) }()

	// The renewer makes the Redis calls, so that the watchdog below never
	// waits on one. It outlives ctx: the lease stays held until lead has
	// returned.
	rctx, stopRenewing := context.WithCancel(context.WithoutCancel(ctx))
	renewals := make(chan renewal, 1)
	var renewer sync.WaitGroup
	renewer.Go(func() { l.renew(rctx, renewals) })

	watchdog := time.NewTimer(time.Until(deadline))
	defer watchdog.Stop()
	var (
		reason  string
		leadErr error
		leadRan bool
		lastErr string
	)
loop:
	for {
		select {
		case leadErr = <-led:
			leadRan = true
			reason = "the detector stopped"
			break loop
		case <-ctx.Done():
			reason = "shutting down"
			break loop
		case <-watchdog.C:
			reason = "the lease could not be renewed in time"
			break loop
		case r := <-renewals:
			switch {
			case r.err != nil:
				if r.err.Error() != lastErr {
					log.Warn("renewing the detector lease failed; retrying", "err", r.err, "steps_down_in", time.Until(deadline).Round(time.Millisecond))
					lastErr = r.err.Error()
				}
				continue
			case !r.held:
				reason = "the lease was lost"
				break loop
			}
			if lastErr != "" {
				log.Info("renewing the detector lease works again")
				lastErr = ""
			}
			deadline = r.sent.Add(l.cfg.TTL - l.margin())
			watchdog.Reset(time.Until(deadline))
			if l.cfg.Yield != nil && l.cfg.Yield() {
				reason = "another instance is due a share"
				break loop
			}
		}
	}
	// Step down before anything else: lead's context ends now, while the
	// lease is still ours.
	l.leading.Store(false)
	cancelLead()
	// Keep renewing until lead has returned, so no successor starts while
	// it winds down, unless the lease is lost already.
	for !leadRan {
		select {
		case leadErr = <-led:
			leadRan = true
		case <-renewals:
		}
	}
	stopRenewing()
	renewer.Wait()
	if leadErr != nil && !errors.Is(leadErr, context.Canceled) {
		log.Warn("stepped down: the detector failed", "err", leadErr)
	} else {
		log.Info("stepped down", "reason", reason)
	}
	l.release(ctx, log)
}

// renew extends the lease every interval, sooner after a failure, and
// reports each attempt until ctx is done or the lease is found lost.
func (l *Lease) renew(ctx context.Context, out chan<- renewal) {
	t := time.NewTimer(l.interval())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		r := renewal{sent: time.Now()}
		cctx, cancel := context.WithTimeout(ctx, l.cfg.Timeout)
		n, err := l.script.renew.Run(cctx, l.s.rdb, []string{l.key}, l.cfg.Owner, l.cfg.TTL.Milliseconds()).Int64()
		cancel()
		r.held = err == nil && n == 1
		if err != nil {
			r.err = fmt.Errorf("renew lease: %w", err)
		}
		select {
		case out <- r:
		case <-ctx.Done():
			return
		}
		if r.err == nil && !r.held {
			return
		}
		next := l.interval()
		if r.err != nil {
			next = l.interval() / 3
		}
		t.Reset(next)
	}
}

// release deletes the lease if this instance still holds it. It runs after
// ctx may have ended, so it has a context of its own.
func (l *Lease) release(ctx context.Context, log *slog.Logger) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.cfg.Timeout)
	defer cancel()
	if err := l.script.release.Run(rctx, l.s.rdb, []string{l.key}, l.cfg.Owner).Err(); err != nil {
		// Not fatal: the lease expires within TTL.
		log.Warn("releasing the detector lease failed; it expires on its own", "err", err)
		return
	}
	l.setHolder("")
}
