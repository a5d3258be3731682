package detect

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// keyMembers holds the instances that campaign for detector shards: owner
// -> "<heartbeat ms> <shards held>".
const keyMembers = "detectors"

// ShardsConfig configures Shards.
type ShardsConfig struct {
	// Owner names this instance; it must differ between instances.
	// Required.
	Owner string
	// Count is the number of shards (--detect-shards); default 1. Every
	// instance of a deployment must use the same.
	Count int
	// TTL and Timeout are each shard lease's (LeaseConfig).
	TTL, Timeout time.Duration
	// Held, when set, is told how many shards this instance leads each
	// time that changes (a gauge).
	Held func(n int)
}

// Shards campaigns for the shards of the detector (Detector.Shard), each
// under a lease of its own, and keeps this instance to its fair share while
// others campaign too: with n instances alive it holds at most ceil(Count/n)
// shards, and gives one up while it holds more than floor(Count/n) and
// another instance holds fewer. Instances announce themselves and what they
// hold in a hash (a heartbeat every TTL/5, stamped with the Redis server's
// clock); one silent for TTL/2 is taken for gone, before its leases can
// expire, so the others may take its shards as soon as they do: within TTL
// of its last renewal. With Count 1 the one lease is the detector lease
// that Lease has always used.
//
// Safety does not rest on this: a lease keeps two instances from running a
// shard at once but for a pause, and each group's compare-and-set on its
// minute (see Detector) keeps them from applying a minute twice.
type Shards struct {
	s      *Store
	cfg    ShardsConfig
	log    *slog.Logger
	leases []*Lease
	script *redis.Script

	mu sync.Mutex
	// held are the shards this instance won and leads.
	held map[int]bool
	// campaigning is the shard whose campaign is under way, or -1: one at
	// a time, so that campaigns do not all pass the share test at once.
	campaigning int
	// alive is the instances seen at the last heartbeat, with what each
	// holds; this instance's own count is always its live one.
	alive map[string]int
	// beat is when a heartbeat last succeeded; freeSince, since when the
	// heartbeats have shown fewer shards held than there are (zero: none
	// free).
	beat, freeSince time.Time
}

// NewShards returns the shard leases of s's Redis under its prefix. It does
// no I/O.
func NewShards(s *Store, cfg ShardsConfig, log *slog.Logger) (*Shards, error) {
	if cfg.Count == 0 {
		cfg.Count = 1
	}
	if cfg.Count < 1 || cfg.Count > 1024 {
		return nil, fmt.Errorf("detect shards: count %d is not in 1..1024", cfg.Count)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	sh := &Shards{s: s, cfg: cfg, log: log, held: map[int]bool{}, alive: map[string]int{},
		script: redis.NewScript(heartbeatLua), campaigning: -1}
	for k := range cfg.Count {
		name := keyLease
		if cfg.Count > 1 {
			name = keyLease + ":" + strconv.Itoa(k) + "/" + strconv.Itoa(cfg.Count)
		}
		l, err := NewLease(s, LeaseConfig{Owner: cfg.Owner, TTL: cfg.TTL, Timeout: cfg.Timeout, Name: name,
			MayAcquire: func() bool { return sh.mayAcquire(k) },
			Attempted:  func(won bool) { sh.attempted(k, won) },
			Yield:      func() bool { return sh.yield(k) },
		}, log.With("shard", k))
		if err != nil {
			return nil, err
		}
		sh.leases = append(sh.leases, l)
	}
	return sh, nil
}

// Count is the number of shards.
func (sh *Shards) Count() int { return sh.cfg.Count }

// Held returns the shards this instance leads, in order.
func (sh *Shards) Held() []int {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	var out []int
	for k := range sh.held {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Leading reports whether this instance leads shard k.
func (sh *Shards) Leading(k int) bool { return k >= 0 && k < len(sh.leases) && sh.leases[k].Leading() }

// shares returns the least and most shards an instance should hold.
func (sh *Shards) shares() (floor, ceil int) {
	n := max(len(sh.alive), 1)
	return sh.cfg.Count / n, (sh.cfg.Count + n - 1) / n
}

// starved reports whether another live instance holds fewer than floor.
func (sh *Shards) starved(floor int) bool {
	for owner, n := range sh.alive {
		if owner != sh.cfg.Owner && n < floor {
			return true
		}
	}
	return false
}

// mayAcquire lets shard k campaign when this instance is below its share,
// one campaign at a time. With more than one shard it needs a recent
// heartbeat: without one it cannot know the others.
func (sh *Shards) mayAcquire(k int) bool {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.held[k] || sh.campaigning >= 0 && sh.campaigning != k {
		return sh.held[k]
	}
	ttl := sh.leases[0].cfg.TTL
	if sh.cfg.Count > 1 && time.Since(sh.beat) > ttl/2 {
		return false
	}
	floor, ceil := sh.shares()
	n := len(sh.held)
	// A shard left free for a lease's life by an instance that does not
	// take it (it cannot reach the lease's node, say) is anyone's up to
	// the ceiling.
	longFree := !sh.freeSince.IsZero() && time.Since(sh.freeSince) > ttl
	ok := n < floor || n < ceil && (!sh.starved(floor) || longFree)
	if ok {
		sh.campaigning = k
	}
	return ok
}

// attempted ends the campaign of shard k.
func (sh *Shards) attempted(k int, won bool) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.campaigning == k {
		sh.campaigning = -1
	}
	if won {
		sh.held[k] = true
		if sh.cfg.Held != nil {
			sh.cfg.Held(len(sh.held))
		}
	}
}

// yield gives up the highest shard held while this instance holds more
// than its share, and only while every shard is held: a free shard is
// there for a starved instance to take already.
func (sh *Shards) yield(k int) bool {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	floor, ceil := sh.shares()
	n := len(sh.held)
	if n <= floor || n <= ceil && !sh.starved(floor) || !sh.freeSince.IsZero() {
		return false
	}
	for j := range sh.held {
		if j > k {
			return false
		}
	}
	return true
}

// heartbeatLua records an instance and what it holds, drops those silent
// for longer than the limit, and returns the server's time in ms and the
// others: {now, owner, value, ...}.
//
// KEYS: members. ARGV: owner, held, stale after ms, key TTL ms; a held
// count of -1 removes the owner.
const heartbeatLua = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[2] == '-1' then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return {now}
end
redis.call('HSET', KEYS[1], ARGV[1], now .. ' ' .. ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
local out = {now}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local ms = tonumber(string.match(all[i+1], '^(%d+)'))
  if not ms or now - ms > tonumber(ARGV[3]) then
    redis.call('HDEL', KEYS[1], all[i])
  else
    table.insert(out, all[i])
    table.insert(out, all[i+1])
  end
end
return out
`

// heartbeat announces this instance and reads who else is alive.
func (sh *Shards) heartbeat(ctx context.Context, leaving bool) error {
	sh.mu.Lock()
	held := len(sh.held)
	sh.mu.Unlock()
	if leaving {
		held = -1
	}
	ttl := sh.leases[0].cfg.TTL
	ctx, cancel := context.WithTimeout(ctx, sh.leases[0].cfg.Timeout)
	defer cancel()
	res, err := sh.script.Run(ctx, sh.s.rdb, []string{sh.s.key(keyMembers)}, sh.cfg.Owner, held,
		(ttl / 2).Milliseconds(), (10 * ttl).Milliseconds()).Slice()
	if err != nil || leaving {
		return err
	}
	alive := map[string]int{}
	for i := 1; i+1 < len(res); i += 2 {
		owner, _ := res[i].(string)
		v, _ := res[i+1].(string)
		_, count, _ := strings.Cut(v, " ")
		n, _ := strconv.Atoi(count)
		alive[owner] = n
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	alive[sh.cfg.Owner] = len(sh.held)
	sh.alive, sh.beat = alive, time.Now()
	total := 0
	for _, n := range alive {
		total += n
	}
	switch {
	case total >= sh.cfg.Count:
		sh.freeSince = time.Time{}
	case sh.freeSince.IsZero():
		sh.freeSince = time.Now()
	}
	return nil
}

// Run campaigns for every shard until ctx is done and, for each shard it
// wins, runs lead with the shard's number and a context that ends when the
// shard's lease is lost, given up or ctx is done (see Lease.Run). It
// returns nil when ctx is done, after every lead has returned and the
// leases are released.
func (sh *Shards) Run(ctx context.Context, lead func(ctx context.Context, shard int) error) error {
	if sh.cfg.Count > 1 {
		// Announce this instance before campaigning, so the first to start
		// does not take every shard from instances starting beside it.
		if err := sh.heartbeat(ctx, false); err != nil {
			sh.log.Warn("detector shards: heartbeat failed; retrying", "err", err)
		}
	}
	var wg sync.WaitGroup
	hctx, stopBeat := context.WithCancel(ctx)
	defer stopBeat()
	if sh.cfg.Count > 1 {
		wg.Go(func() { sh.beatLoop(hctx) })
	}
	var leads sync.WaitGroup
	for k, l := range sh.leases {
		leads.Go(func() {
			_ = l.Run(ctx, func(ctx context.Context) error {
				// attempted marked it held before lead began.
				defer sh.setHeld(k, false)
				return lead(ctx, k)
			})
		})
	}
	leads.Wait()
	stopBeat()
	wg.Wait()
	if sh.cfg.Count > 1 {
		// Leave at once, so the others' fair share grows now.
		if err := sh.heartbeat(context.WithoutCancel(ctx), true); err != nil {
			sh.log.Warn("detector shards: leaving failed; the others see this instance gone within the lease TTL", "err", err)
		}
	}
	return nil
}

func (sh *Shards) setHeld(k int, held bool) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if held {
		sh.held[k] = true
	} else {
		delete(sh.held, k)
	}
	if sh.cfg.Held != nil {
		sh.cfg.Held(len(sh.held))
	}
}

func (sh *Shards) beatLoop(ctx context.Context) {
	t := time.NewTicker(sh.leases[0].cfg.TTL / 5)
	defer t.Stop()
	var lastErr string
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := sh.heartbeat(ctx, false)
		switch {
		case err != nil && ctx.Err() == nil && err.Error() != lastErr:
			sh.log.Warn("detector shards: heartbeat failed; retrying", "err", err)
			lastErr = err.Error()
		case err == nil:
			lastErr = ""
		}
	}
}
