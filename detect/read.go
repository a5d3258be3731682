package detect

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// readCache keeps what the detector read and wrote for its last minute, so
// that the next minute reads only what is new: one HyperLogLog count per
// series, and its baseline only when the hour (and so the seasonal slot)
// changes. A minute's counts are final once the watermark has passed it
// (late posts are counted apart), so they never go stale. The cache is used
// only for the minute right after the one it holds, and only if the state
// in Redis was last written by that minute, which is to say by this
// detector; anything else (another detector won a minute, an error) drops
// it.
type readCache struct {
	valid  bool
	minute int64
	// series holds what is known of every series read at minute, those
	// left quiet included.
	series map[string]cachedSeries
	// next holds the seasonal slots of the coming hour (hour of day, hour
	// of week), read ahead a tenth of the series at a time in the last ten
	// minutes of the hour, so that the first minute of the hour does not
	// read every baseline at once. A slot is not written before its hour,
	// so what was read ahead is still what Redis holds.
	next     map[string][2]any
	nextHour int64
}

// cachedSeries is one series as the last minute left it.
type cachedSeries struct {
	counts []int // distinct reporters of the longest window's minutes, oldest first
	// base is the baseline as written (or, for a series left quiet, as
	// read); hasBase is false for a series that has none, which only this
	// detector could have written since.
	base    Baseline
	hasBase bool
	// seen is the last minute with data up to the cached one; hasSeen is
	// false when the series never had any that the detector knows of.
	seen    int64
	hasSeen bool
	// elevated: the series was elevated at the cached minute (see
	// model.grade).
	elevated bool
}

// prefetchMinutes is how many minutes before the hour the next hour's slots
// are read ahead, a share of the series each minute.
const prefetchMinutes = 10

// read gathers the candidate series, their counts and baselines, and grades
// each that is active. It costs one round trip for the counts and baselines
// of all series, and a second one for the exact window union of the few
// series that could fire or are in an incident.
//
// A series is evaluated at minute m while it had data in the ActiveFor up
// to m (or is in an incident); a series left quiet is caught up when it
// is next evaluated (see model.catchUp). Which minutes a series is
// evaluated at depends only on its data up to m, never on how far ingest
// has got beyond m: the series index only names candidates (its score is
// the newest minute with data, which may be ahead of m), and each series'
// last minute with data up to m (seen) decides.
func (d *group) read(ctx context.Context, st *state, run *minuteRun) error {
	m := run.m
	if st.index == nil {
		// Read once per Advance: the scores of series with data up to the
		// watermark are final, so the list serves every minute it covers.
		zs, err := d.s.rdb.ZRangeWithScores(ctx, d.s.indexKey(d.name), 0, -1).Result()
		if err != nil {
			return fmt.Errorf("list active series: %w", err)
		}
		st.index = make([]indexEntry, 0, len(zs))
		for _, z := range zs {
			member, _ := z.Member.(string)
			st.index = append(st.index, indexEntry{member, int64(z.Score)})
		}
	}
	set := make(map[string]bool, len(st.index)+len(st.series))
	for _, e := range st.index {
		if e.newest >= m-d.cfg.activeMinutes()+1 {
			set[e.member] = true
		}
	}
	for member := range st.series {
		set[member] = true
	}
	members := slices.Sorted(maps.Keys(set))

	w := d.md.span // counts kept: the longest window's
	c := &d.cache
	warmCache := c.valid && c.minute == m-1 && st.hasLast && st.last == m-1
	sameHour := warmCache && minuteGrid.slot(m, hoursPerWeek) == minuteGrid.slot(m-1, hoursPerWeek)
	type cmds struct {
		cached     cachedSeries
		warm       bool            // cached holds the series as of minute m-1
		counts     []*redis.IntCmd // the window's minutes not cached, oldest first
		base       *redis.SliceCmd
		next       *redis.SliceCmd // the next hour's slots, read ahead
		recoveries []*redis.StringCmd
	}
	all := make([]cmds, 0, len(members))
	run.readings = make([]reading, 0, len(members))
	pipe := d.s.rdb.Pipeline()
	for _, member := range members {
		sr, ok := parseSeries(member)
		if !ok {
			continue
		}
		var cm cmds
		cm.cached, cm.warm = c.series[member]
		cm.warm = cm.warm && warmCache
		from := m - w + 1
		if cm.warm {
			from = m
		}
		for k := from; k <= m; k++ {
			cm.counts = append(cm.counts, pipe.PFCount(ctx, d.s.minuteKey(sr, "r", k)))
		}
		cached := cm.warm && cm.cached.hasBase
		_, ahead := c.next[member]
		ahead = ahead && cached && c.nextHour == floorDiv(m, 60)
		// A series known to have no baseline has none yet: only this
		// detector writes them.
		if !(cm.warm && !cm.cached.hasBase) && (!sameHour || !cached) && !ahead {
			cm.base = pipe.HMGet(ctx, d.s.baseKey(sr), append(baselineFields(minuteGrid, m), fieldSeen, fieldOnset)...)
		}
		if into := floorMod(m, 60) - (60 - prefetchMinutes); cached && into >= 0 &&
			int64(memberShard(member, prefetchMinutes)) == into {
			next := (floorDiv(m, 60) + 1) * 60
			cm.next = pipe.HMGet(ctx, d.s.baseKey(sr), dayField(minuteGrid, next), weekField(minuteGrid, next))
		}
		if st.series[member] != nil {
			for k := m - w + 1; k <= m; k++ {
				cm.recoveries = append(cm.recoveries, pipe.HGet(ctx, d.s.minuteKey(sr, "b", k), "recoveries"))
			}
		}
		all = append(all, cm)
		run.readings = append(run.readings, reading{sr: sr, member: member})
	}
	if len(all) == 0 {
		return nil
	}
	if err := execPipeline(ctx, pipe); err != nil {
		return fmt.Errorf("read %d series: %w", len(all), err)
	}

	warm := m-st.start >= d.cfg.warmupMinutes()
	activeFrom := m - d.cfg.activeMinutes() + 1
	var jobs []unionJob
	for i := range run.readings {
		r, cm := &run.readings[i], &all[i]
		counts := make([]int, 0, w)
		if cm.warm {
			counts = append(counts, cm.cached.counts[1:]...)
		}
		for _, pc := range cm.counts {
			counts = append(counts, int(pc.Val()))
		}
		r.window = counts
		r.current = counts[len(counts)-1]
		total := 0
		for j, n := range counts {
			total += n
			if j >= len(counts)-int(d.md.window) {
				r.sum += n
			}
		}
		for _, rc := range cm.recoveries {
			n, _ := rc.Int()
			r.recoveries += n
		}
		if cm.next != nil {
			if v := cm.next.Val(); len(v) == 2 {
				r.next, r.hasNext = [2]any{v[0], v[1]}, true
			}
		}
		// The last minute with data up to m: what the series knew, then
		// the minutes read now.
		r.seen, r.hasSeen = cm.cached.seen, cm.warm && cm.cached.hasSeen
		if cm.base != nil {
			r.seen, r.hasSeen = parseSeen(cm.base.Val())
		}
		// Elevated the minute before: the cache knows it when it holds
		// that minute, else the hash's onset field does.
		if cm.warm {
			r.primed = cm.cached.elevated
		} else if cm.base != nil {
			onset, ok := parseMinuteField(cm.base.Val(), 5)
			r.primed = ok && onset == m-1
		}
		for j, n := range counts {
			if k := m - int64(len(counts)-1-j); n > 0 && (!r.hasSeen || k > r.seen) {
				r.seen, r.hasSeen = k, true
			}
		}
		var b Baseline
		var err error
		hasBase := true
		switch {
		case cm.base == nil && !cm.cached.hasBase:
			hasBase = false
		case cm.base == nil && !sameHour:
			// The hour's slots were read ahead; level and spread are
			// the cached ones, which is what Redis holds.
			b = cm.cached.base
			nx := c.next[r.member]
			if b, err = withSlots(b, nx[0], nx[1]); err != nil {
				return fmt.Errorf("series %s: %w", r.member, err)
			}
			r.refresh = true
		case cm.base == nil:
			b = cm.cached.base
		default:
			if b, hasBase, err = parseBaseline(cm.base.Val()[:4]); err != nil {
				return fmt.Errorf("series %s: %w", r.member, err)
			}
			r.refresh = true
		}
		r.hasBase = hasBase
		inIncident := st.series[r.member] != nil
		switch {
		case !hasBase && total == 0:
			// No baseline and no data in the window: left alone, so that
			// a series' baseline starts at its first data.
			r.idle = true
			continue
		case !hasBase:
			b, r.hasBase = d.md.fresh(m, zerosFrom(st, r.sr.service)), true
		case !inIncident && (!r.hasSeen || r.seen < activeFrom):
			// Quiet for ActiveFor: not evaluated until its next data.
			r.idle, r.base = true, b
			continue
		}
		d.md.catchUp(&b, m)
		r.base = b
		r.expected = d.md.expected(b)
		// Each window's count starts as the sum of its minutes. The union
		// is at most that, so a window whose sum cannot fire cannot fire
		// on the union either and needs no union. A one-minute window's
		// sum is its union. Series in an incident show their primary
		// window's union, and so does a series where any window could
		// fire: the primary window's count becomes the entry's observed
		// and peak reporters, and a sum counts a repeat poster twice.
		rate := d.md.rate(b)
		r.rate, r.spread = rate, d.md.spread(b)
		r.byWindow = make([]int, len(d.md.windows))
		anyCould := false
		for k, wk := range d.md.windows {
			for _, n := range counts[len(counts)-int(wk):] {
				r.byWindow[k] += n
			}
			could := warm && r.byWindow[k] >= d.md.fewest() && float64(r.byWindow[k]) >= d.cfg.MinRatio*float64(wk)*rate
			anyCould = anyCould || could
			if wk > 1 && k > 0 && could {
				jobs = append(jobs, unionJob{i, k})
			}
		}
		if d.md.windows[0] > 1 && (anyCould || inIncident) {
			jobs = append(jobs, unionJob{i, 0})
		}
	}
	if len(jobs) > 0 {
		if err := d.readUnions(ctx, run, jobs); err != nil {
			return err
		}
	}
	for i := range run.readings {
		r := &run.readings[i]
		if r.idle {
			continue
		}
		r.observed = r.byWindow[0]
		// A series is graded once its baseline holds Warmup of evidence:
		// one that starts with its service has seen nothing yet.
		if warm && d.md.trusted(r.base) {
			r.level, r.elevated = d.md.grade(r.byWindow, r.base)
		}
	}
	return nil
}

// Fields of a series' baseline hash besides the baseline: seen is the
// last minute with data that the detector evaluated, which decides whether
// the series is active; onset is the last minute at which the series was
// elevated (see model.grade).
const (
	fieldSeen  = "seen"
	fieldOnset = "onset"
)

// parseSeen decodes the seen field, the fifth of a baseline read.
func parseSeen(vals []any) (int64, bool) { return parseMinuteField(vals, 4) }

// parseMinuteField decodes the minute in field k of a baseline read.
func parseMinuteField(vals []any, k int) (int64, bool) {
	if len(vals) <= k {
		return 0, false
	}
	str, ok := vals[k].(string)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(str, 10, 64)
	return n, err == nil
}

// zerosFrom returns the minute from which a series of service that is new
// to the detector counts as quiet: the detector's start, but not before
// the service had any data, since a service just added to the catalog was
// not quiet before, only not classified.
func zerosFrom(st *state, service string) int64 {
	if f, ok := st.firsts[service]; ok {
		return max(st.start, f)
	}
	return st.start
}

// unionJob is one window of one reading whose exact union is needed.
type unionJob struct{ i, k int }

// readUnions sets each job's window count to the distinct reporters of
// the whole window, one script per window (unionLua), all in one
// pipeline: each touches the keys of one series, so one slot of Redis
// Cluster.
func (d *group) readUnions(ctx context.Context, run *minuteRun, jobs []unionJob) error {
	pipe := d.s.rdb.Pipeline()
	counts := make([]*redis.Cmd, len(jobs))
	for j, job := range jobs {
		sr := run.readings[job.i].sr
		w := d.md.windows[job.k]
		keys := make([]string, w+1)
		keys[0] = d.s.seriesKey(sr, "scratch")
		for k := range w {
			keys[k+1] = d.s.minuteKey(sr, "r", run.m-w+1+k)
		}
		counts[j] = d.s.union.EvalSha(ctx, pipe, keys)
	}
	_, err := pipe.Exec(ctx)
	if redis.HasErrorPrefix(err, "NOSCRIPT") {
		if err = d.s.union.Load(ctx, d.s.rdb).Err(); err == nil {
			return d.readUnions(ctx, run, jobs)
		}
	}
	if err != nil {
		return fmt.Errorf("read %d window unions: %w", len(jobs), err)
	}
	for j, job := range jobs {
		n, _ := counts[j].Int64()
		run.readings[job.i].byWindow[job.k] = int(n)
	}
	return nil
}

// unionLua counts the distinct reporters of a window: PFMERGE into a
// scratch key, PFCOUNT, DEL, in one atomic step, so the scratch key never
// outlives it. (A multi-key PFCOUNT would do on Redis, but miniredis, the
// embedded mode, sums the keys' counts instead of taking the union, and one
// account posting every minute would count once per minute.)
//
// KEYS: scratch, then the window's HyperLogLogs.
const unionLua = `
redis.call('PFMERGE', unpack(KEYS))
local n = redis.call('PFCOUNT', KEYS[1])
redis.call('DEL', KEYS[1])
return n
`

// remember keeps the minute's counts, baselines and last minutes with data
// for the next, those of series left quiet included.
func (d *group) remember(run *minuteRun) {
	c := &d.cache
	series := make(map[string]cachedSeries, len(run.readings))
	for i := range run.readings {
		r := &run.readings[i]
		series[r.member] = cachedSeries{counts: r.window, base: r.base, hasBase: r.hasBase,
			seen: r.seen, hasSeen: r.hasSeen, elevated: r.elevated}
	}
	hour := floorDiv(run.m, 60)
	if c.nextHour != hour+1 {
		c.next, c.nextHour = map[string][2]any{}, hour+1
	}
	for i := range run.readings {
		if r := &run.readings[i]; r.hasNext {
			c.next[r.member] = r.next
		}
	}
	c.series, c.minute, c.valid = series, run.m, true
}

// memberShard spreads series over n shards, the same way every time.
func memberShard(member string, n int) int {
	h := uint32(2166136261) // FNV-1a
	for i := 0; i < len(member); i++ {
		h ^= uint32(member[i])
		h *= 16777619
	}
	return int(h % uint32(n))
}
