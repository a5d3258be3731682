package detect

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/seismo-dev/seismo"
)

// Detector evaluates completed minutes of the event-time watermark and runs
// the incident lifecycle. All of its state is in Redis, one detection group
// at a time (see GroupsOf): each group's series lifecycles, baselines, chart
// records and incidents' working state are written in one transaction per
// minute under the group's hash tag, a compare-and-set on the group's last
// evaluated minute, so detectors that overlap (a leader paused past its
// lease) apply every minute of a group once and emit its events once,
// whichever of them wins it. The incidents and events a minute produced are
// committed with it (the group's outbox) and then published to the incident
// keys and the event stream by a script that applies each incident's
// minute once (see publish.go), so a crash between the two publishes them
// later, never twice.
//
// A Detector evaluates every group, or with Shard only the groups of one
// shard; what it caches of a group's last minute (see readCache) it uses
// only while it is the one advancing that group.
type Detector struct {
	s     *Store
	cfg   Config
	md    model
	names map[string]string
	// parents maps a service to its parent company, for related incidents.
	parents map[string]string
	log     *slog.Logger
	// shard and shards select the groups this detector evaluates.
	shard, shards int

	// testHookBeforeWrite, when set by a test, runs before each minute's
	// write, so a test can make another detector win the minute.
	testHookBeforeWrite func(minute time.Time)
	// testHookBeforeLoad runs before a group's state is read, and
	// testHookAfterCommit after a minute is committed, before its outbox is
	// published (an error stands for a crash there).
	testHookBeforeLoad  func()
	testHookAfterCommit func(minute time.Time) error

	mu sync.Mutex // serialises Advance and guards what follows
	// done is the last minute this detector saw evaluated by all of its
	// groups, so a poll with no new whole minute costs no round trip.
	done    int64
	hasDone bool
	groups  map[string]*group
}

// group is the evaluation of one detection group, and what the detector
// caches of it between minutes.
type group struct {
	*Detector
	name string
	// done is the last minute evaluated, from the group's state.
	done    int64
	hasDone bool
	// cache is what the last minute read and wrote (see read.go).
	cache readCache
	// uppers remembers chart fire lines by (rate, spread) (see upper).
	uppers map[[2]float32]float64
	// charts are the chart keys of the day whose expiry is set.
	charts chartDay
}

// NewDetector returns a detector over s, of every group. services give
// incidents their display names; series of other services are still
// evaluated. A nil log discards.
func NewDetector(s *Store, cfg Config, services []seismo.Service, log *slog.Logger) (*Detector, error) {
	if s == nil {
		return nil, errors.New("detect: nil store")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	names := make(map[string]string, len(services))
	parents := make(map[string]string, len(services))
	for _, sv := range services {
		names[sv.ID] = sv.Name
		if sv.Parent != "" {
			parents[sv.ID] = sv.Parent
			// Related incidents are linked within a group's transaction.
			if g := s.group(sv.ID); g != groupName(sv.Parent) {
				return nil, fmt.Errorf("detect: service %s of %s is in detection group %q of the store, want %q: give the store GroupsOf the same services",
					sv.ID, sv.Parent, g, groupName(sv.Parent))
			}
		}
	}
	return &Detector{s: s, cfg: cfg, md: newModel(cfg, minuteGrid), names: names, parents: parents, log: log,
		shards: 1, groups: map[string]*group{}}, nil
}

// Shard returns a detector like d that evaluates only the groups of shard
// k of n (ShardOf), with caches of its own.
func (d *Detector) Shard(k, n int) (*Detector, error) {
	if n < 1 || k < 0 || k >= n {
		return nil, fmt.Errorf("detect: shard %d of %d", k, n)
	}
	return &Detector{s: d.s, cfg: d.cfg, md: d.md, names: d.names, parents: d.parents,
		log: d.log.With("shard", k), shard: k, shards: n, groups: map[string]*group{},
		testHookBeforeWrite: d.testHookBeforeWrite, testHookBeforeLoad: d.testHookBeforeLoad,
		testHookAfterCommit: d.testHookAfterCommit}, nil
}

// Evaluated returns the end of the last minute this detector has
// evaluated in all of its groups, and false before its first evaluation.
func (d *Detector) Evaluated() (time.Time, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return minuteTime(d.done + 1), d.hasDone
}

// Run polls the watermark every Poll and advances to it until ctx is done,
// then returns nil. Redis errors are logged and retried at the next poll.
func (d *Detector) Run(ctx context.Context) error {
	t := time.NewTicker(d.cfg.Poll)
	defer t.Stop()
	var lastErr string
	for {
		err := d.tick(ctx)
		if ctx.Err() != nil {
			return nil
		}
		switch {
		case err != nil && err.Error() != lastErr:
			// Logged once per distinct error, not every poll.
			d.log.Warn("detector tick failed; retrying", "err", err)
			lastErr = err.Error()
		case err == nil && lastErr != "":
			d.log.Info("detector recovered")
			lastErr = ""
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (d *Detector) tick(ctx context.Context) error {
	wctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	wm, ok, err := d.s.Watermark(wctx)
	cancel()
	if err != nil || !ok {
		return err
	}
	events, err := d.advance(ctx, wm, tickMinutes)
	for _, ev := range events {
		d.log.Info("incident event", "type", ev.Type, "incident_id", ev.Data.ID,
			"service", ev.Data.Service, "severity", ev.Data.Severity,
			"countries", len(ev.Data.Countries), "at", ev.Timestamp)
	}
	return err
}

// groupParallelism bounds the groups a detector evaluates at once: each
// waits on Redis most of the time.
const groupParallelism = 16

// tickMinutes bounds the minutes a group evaluates in one tick of Run, so
// that a group catching up (new, or taken over far behind) does not hold
// the next minute of the others back until it is done.
const tickMinutes = 60

// Advance evaluates, in order and once, every whole minute [m, m+1min) with
// m+1min <= wm that has not been evaluated yet, in every group of the
// detector; groups are independent and are evaluated concurrently. The
// last evaluated minute of each group is kept in Redis, and a group with
// state catches up on every minute however far behind it is. A group
// without state starts at its first minute with data, and never more than
// MaxCatchUp behind wm if that is set. The events produced are returned,
// ordered by minute and service, and have also been appended to the event
// stream, with the incidents written, when Advance returns; on error, the
// events of the minutes completed before it. A minute that another
// detector applied first is not applied again and its events are not
// returned (the other detector emitted them); the group reloads its state
// and goes on from there.
func (d *Detector) Advance(ctx context.Context, wm time.Time) ([]seismo.Event, error) {
	return d.advance(ctx, wm, 0)
}

// advance is Advance with each group evaluating at most limit minutes (0:
// no limit).
func (d *Detector) advance(ctx context.Context, wm time.Time, limit int) ([]seismo.Event, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	hi := unixMinute(wm) - 1
	if d.hasDone && hi <= d.done {
		return nil, nil
	}
	lctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	firsts, err := d.s.readFirsts(lctx)
	cancel()
	if err != nil || !firsts.ok {
		return nil, err
	}
	var names []string
	for name, f := range firsts.groups {
		if f <= hi && ShardOf(name, d.shards) == d.shard {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	type result struct {
		events []seismo.Event
		err    error
	}
	results := make([]result, len(names))
	sem := make(chan struct{}, groupParallelism)
	var wg sync.WaitGroup
	for i, name := range names {
		g := d.groups[name]
		if g == nil {
			g = &group{Detector: d, name: name}
			d.groups[name] = g
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i].events, results[i].err = g.advance(ctx, hi, firsts, limit)
		})
	}
	wg.Wait()
	var events []seismo.Event
	var errs []error
	lasts := make([]any, 0, 2*len(names))
	for i, r := range results {
		events = append(events, r.events...)
		if r.err != nil {
			errs = append(errs, fmt.Errorf("group %s: %w", names[i], r.err))
		}
		if g := d.groups[names[i]]; g.hasDone {
			lasts = append(lasts, g.name, g.done)
		}
	}
	slices.SortStableFunc(events, func(a, b seismo.Event) int {
		if c := a.Timestamp.Compare(b.Timestamp); c != 0 {
			return c
		}
		return strings.Compare(a.Data.Service, b.Data.Service)
	})
	if err := d.noteEvaluated(ctx, lasts, firsts.groups); err != nil {
		errs = append(errs, err)
	}
	// The detector is as far as its slowest group.
	low, all := hi, len(names) > 0
	for _, name := range names {
		g := d.groups[name]
		all = all && g.hasDone
		low = min(low, g.done)
	}
	if all {
		if d.hasDone && floorDiv(low, 60) > floorDiv(d.done, 60) {
			d.pruneIndex(ctx, low)
		}
		d.done, d.hasDone = low, true
	}
	if len(errs) > 0 {
		return events, errors.Join(errs...)
	}
	return events, nil
}

// noteEvaluated writes the groups' last evaluated minutes (name, minute
// pairs) where status and metrics read them, and forgets groups that no
// longer exist (the catalog moved their services), which would hold the
// least of them back for good. The groups' own state is the truth.
func (d *Detector) noteEvaluated(ctx context.Context, lasts []any, firsts map[string]int64) error {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	key := d.s.key(keyEvaluated)
	names, err := d.s.rdb.HKeys(ctx, key).Result()
	if err != nil {
		return fmt.Errorf("read the evaluated minutes: %w", err)
	}
	var gone []string
	for _, n := range names {
		if _, ok := firsts[n]; !ok {
			gone = append(gone, n)
		}
	}
	pipe := d.s.rdb.TxPipeline()
	if len(gone) > 0 {
		pipe.HDel(ctx, key, gone...)
	}
	if len(lasts) > 0 {
		pipe.HSet(ctx, key, lasts...)
		pipe.Expire(ctx, key, d.s.cfg.IncidentTTL)
	}
	if len(gone) == 0 && len(lasts) == 0 {
		return nil
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("note the evaluated minutes: %w", err)
	}
	return nil
}

// advance evaluates the group up to minute hi, at most limit minutes of it
// if limit > 0, from its first minute with data; the first of all the data
// starts the warm-up.
func (g *group) advance(ctx context.Context, hi int64, firsts firsts, limit int) ([]seismo.Event, error) {
	if g.hasDone && hi <= g.done {
		return nil, nil
	}
	lctx, cancel := context.WithTimeout(ctx, g.cfg.Timeout)
	defer cancel()
	st, err := g.load(lctx)
	if err != nil {
		return nil, err
	}
	st.firsts = firsts.services
	next := st.last + 1
	if !st.hasLast {
		// Before its first data the group's minutes change nothing.
		next = firsts.groups[g.name]
	}
	// A group that has state never skips minutes, however far behind it
	// is: a replay at full speed outruns it, and must still give the same
	// incidents as living through the data. Only a first start may be
	// bounded, if MaxCatchUp says so.
	floor := hi - g.cfg.catchUpMinutes() + 1
	if !st.hasLast && g.cfg.MaxCatchUp > 0 && next < floor {
		next = floor
	}
	if !st.hasStart {
		st.start, st.hasStart = firsts.all, true
		if g.cfg.MaxCatchUp > 0 && st.start < floor {
			st.start = floor
		}
	}
	if limit > 0 && hi-next+1 > int64(limit) {
		hi = next + int64(limit) - 1
	}
	var events []seismo.Event
	for m := next; m <= hi; m++ {
		evs, err := g.evaluate(ctx, st, m)
		if errors.Is(err, errRaced) {
			// Another detector applied minute m, and emitted its events.
			// Our state is stale: take its state and go on after the
			// last minute it applied.
			if st, err = g.reload(ctx); err != nil {
				return events, err
			}
			st.firsts = firsts.services
			g.log.Info("another detector evaluated the minute; continuing from its state",
				"group", g.name, "minute", minuteTime(m), "last", minuteTime(st.last))
			m = st.last // the loop goes on at st.last+1
			g.done, g.hasDone = st.last, true
			continue
		}
		if err != nil {
			return events, fmt.Errorf("evaluate minute %s: %w", minuteTime(m).Format(time.RFC3339), err)
		}
		events = append(events, evs...)
		g.done, g.hasDone = m, true
	}
	if !g.hasDone && st.hasLast {
		g.done, g.hasDone = st.last, true
	}
	return events, nil
}

// pruneIndex drops expired incidents from the index once an hour of event
// time. It is housekeeping: a failure is logged and tried again the next
// hour, and never holds up detection.
func (d *Detector) pruneIndex(ctx context.Context, m int64) {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	n, err := d.s.pruneIndex(ctx, minuteTime(m).Add(-d.s.cfg.IncidentTTL))
	switch {
	case err != nil:
		d.log.Warn("prune the incident index", "err", err)
	case n > 0:
		d.log.Info("pruned expired incidents from the index", "incidents", n)
	}
}

// reload loads the state another detector left after winning a minute.
func (g *group) reload(ctx context.Context) (*state, error) {
	ctx, cancel := context.WithTimeout(ctx, g.cfg.Timeout)
	defer cancel()
	st, err := g.load(ctx)
	if err != nil {
		return nil, err
	}
	if !st.hasLast || !st.hasStart {
		return nil, errors.New("reload detector state: no last evaluated minute after losing a minute to another detector")
	}
	return st, nil
}

// reading is one series at one minute.
type reading struct {
	sr       series
	member   string
	observed int // distinct reporters in the window
	current  int // distinct reporters in the minute itself
	// sum adds up the window's per-minute distinct reporters: an upper
	// bound of observed, and what the spread learns from, because its
	// mean is exactly the window's expected count.
	sum int
	// window holds the distinct reporters of each minute of the longest
	// window, oldest first.
	window []int
	// byWindow is the count of each of the model's windows: the union of
	// its minutes where it could matter, else the sum.
	byWindow []int
	// next holds the next hour's slot fields when they were read ahead.
	next    [2]any
	hasNext bool
	// refresh marks the first minute of an hour and a baseline read from
	// Redis: its key's TTL is refreshed when it is written back. Once an
	// hour is often enough for a TTL of weeks; with a warm cache the
	// baseline is read ahead and never re-read at the hour, so that alone
	// would let the key expire under a leader that runs for weeks.
	refresh bool
	// recoveries counts posts saying the service is back in the longest
	// window (which is also the longest a window keeps firing after an
	// outage ends);
	// read only for series in an incident.
	recoveries int
	expected   float64
	// rate and spread are the baseline's as graded, before the minute
	// taught it: what the chart records.
	rate, spread float64
	level        Level
	base         Baseline
	// idle marks a series that is not evaluated this minute: one without
	// a baseline and without data in the window (so that a series'
	// baseline starts at its first data whether or not later posts are
	// already counted), or one quiet for ActiveFor, whose base is then
	// the baseline as read. hasBase: the series has a baseline, read or
	// started this minute.
	idle    bool
	hasBase bool
	// seen is the last minute with data up to this one, if hasSeen.
	seen    int64
	hasSeen bool
	// primed: the series was elevated (see model.grade) the minute
	// before; elevated: it is this minute.
	primed, elevated bool
}

// minuteRun carries one minute's work from reading to writing.
type minuteRun struct {
	m        int64
	edge     time.Time
	readings []reading
	created  map[string]bool // series states created this minute
	touched  map[string]bool // services whose incident changed or was evaluated
	opened   map[string]bool
	changed  map[string]bool
	resolved []*incidentState
	dropped  []*incidentState // pending incidents discarded
	charts   []chartWrite     // the minute's chart records
}

func (d *group) evaluate(ctx context.Context, st *state, m int64) ([]seismo.Event, error) {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	run := &minuteRun{
		m: m, edge: minuteTime(m + 1),
		created: map[string]bool{}, touched: map[string]bool{},
		opened: map[string]bool{}, changed: map[string]bool{},
	}
	if err := d.read(ctx, st, run); err != nil {
		d.cache.valid = false
		return nil, err
	}
	d.lifecycle(st, run)
	d.learn(st, run)
	if err := d.readContent(ctx, st, run); err != nil {
		return nil, err
	}
	events := d.finish(st, run)
	if d.testHookBeforeWrite != nil {
		d.testHookBeforeWrite(minuteTime(m))
	}
	if err := d.write(ctx, st, run, events); err != nil {
		d.cache.valid = false
		return nil, err
	}
	d.remember(run)
	return events, nil
}

// lifecycle moves series and incidents through pending, open and resolved.
func (d *group) lifecycle(st *state, run *minuteRun) {
	byService := map[string][]*reading{}
	for i := range run.readings {
		r := &run.readings[i]
		byService[r.sr.service] = append(byService[r.sr.service], r)
	}
	for svc := range st.incidents {
		if _, ok := byService[svc]; !ok {
			byService[svc] = nil
		}
	}
	for _, svc := range slices.Sorted(maps.Keys(byService)) {
		for _, r := range byService[svc] {
			d.step(st, run, r)
		}
		if is := st.incidents[svc]; is != nil {
			run.touched[svc] = true
		}
	}
}

// step advances one series by one minute.
func (d *group) step(st *state, run *minuteRun, r *reading) {
	svc, cc := r.sr.service, r.sr.country
	firing := r.level > LevelNone
	ss := st.series[r.member]
	is := st.incidents[svc]
	if ss == nil {
		if !firing {
			return
		}
		if is == nil {
			is = d.newIncident(svc, run.m)
			st.incidents[svc] = is
		}
		ss = d.md.begin(run.m, r.level, r.primed)
		ss.Incident = is.inc.ID
		st.series[r.member] = ss
		delete(st.removedSeries, r.member)
		run.created[r.member] = true
		if is.inc.Status == seismo.StatusPending && is.inc.Country(cc) == nil {
			addEntry(&is.inc, seismo.CountryEntry{
				Country: cc, Status: seismo.StatusPending, StartedAt: minuteTime(run.m),
			})
		}
	}
	inc := &is.inc
	switch d.md.advance(ss, r.level, r.recoveries >= d.cfg.RecoveryMin) {
	case drop:
		// A blip that cleared before it counted: no trace.
		d.dropSeries(st, r.member)
		if e := inc.Country(cc); e != nil && e.Status == seismo.StatusPending {
			removeEntry(inc, cc)
		}
		return
	case opened:
		problems, complaints, samples := is.content(cc == seismo.AllCountries)
		for p, n := range ss.Problems {
			problems[p] += n
		}
		*complaints += ss.Complaints
		*samples = mergeSamples(*samples, ss.Samples, d.cfg.Samples)
		if !run.created[r.member] {
			// The pending minutes up to the last one were read.
			is.counted(r.member, run.m-1)
		}
		ss.Problems, ss.Complaints, ss.Samples = nil, 0, nil
		if e := inc.Country(cc); e == nil {
			addEntry(inc, seismo.CountryEntry{Country: cc, StartedAt: minuteTime(ss.Since)})
		}
		e := inc.Country(cc)
		e.Status, e.ResolvedAt = seismo.StatusOpen, nil
		if inc.Status == seismo.StatusPending {
			inc.Status = seismo.StatusOpen
			run.opened[svc] = true
		} else {
			run.changed[svc] = true
		}
	case resolve:
		e := inc.Country(cc)
		at := run.edge
		e.Status, e.ResolvedAt = seismo.StatusResolved, &at
		e.Observed, e.Expected, e.Ratio = r.observed, r.expected, ratio(r.observed, r.expected)
		d.dropSeries(st, r.member)
		run.changed[svc] = true
		return
	}
	if e := inc.Country(cc); e != nil && e.Status != seismo.StatusResolved {
		e.Observed, e.Expected, e.Ratio = r.observed, r.expected, ratio(r.observed, r.expected)
		e.Severity = ss.Level.severity()
		if r.observed > e.Reporters || e.PeakAt.IsZero() {
			e.Reporters, e.PeakAt = max(r.observed, e.Reporters), minuteTime(run.m)
		}
	}
}

// addEntry adds a country's entry, or the global one, to an incident.
func addEntry(inc *seismo.Incident, e seismo.CountryEntry) {
	if e.Country == seismo.AllCountries {
		inc.Global = &e
		return
	}
	inc.Countries = append(inc.Countries, e)
}

func removeEntry(inc *seismo.Incident, cc string) {
	if cc == seismo.AllCountries {
		inc.Global = nil
		return
	}
	inc.Countries = slices.DeleteFunc(inc.Countries, func(e seismo.CountryEntry) bool { return e.Country == cc })
}

func ratio(observed int, expected float64) float64 {
	if expected <= 0 {
		return 0
	}
	return float64(observed) / expected
}

func (d *group) dropSeries(st *state, member string) {
	delete(st.series, member)
	st.removedSeries[member] = true
}

func (d *group) newIncident(svc string, m int64) *incidentState {
	start := minuteTime(m)
	return &incidentState{
		Service:  svc,
		Problems: map[seismo.Problem]int64{},
		Samples:  []seismo.Sample{},
		inc: seismo.Incident{
			ID:          incidentID(svc, m),
			Service:     svc,
			ServiceName: d.names[svc],
			Status:      seismo.StatusPending,
			Severity:    seismo.SeverityWarning,
			StartedAt:   start,
			PeakAt:      start,
			Countries:   []seismo.CountryEntry{},
			Problems:    []seismo.ProblemShare{},
			Related:     []string{},
			Samples:     []seismo.Sample{},
		},
	}
}

// incidentID derives the id from the service and the first firing minute,
// so replays and competing detectors name an outage the same way.
func incidentID(svc string, m int64) string {
	return svc + "-" + minuteTime(m).Format("20060102T1504Z")
}

// learn updates each baseline with the minute, except for series that fire
// or belong to an incident: outages must not teach the baseline. A series
// that has been in its incident longer than RelearnAfter learns again.
func (d *group) learn(st *state, run *minuteRun) {
	for i := range run.readings {
		r := &run.readings[i]
		if !r.idle {
			d.md.teach(&r.base, run.m, r.level, st.series[r.member], float64(r.current), r.sum, r.expected)
		}
	}
}

// readContent adds the problem counts and sample posts of the series in
// incidents. A series that joined this minute also brings the window's
// earlier minutes, where its burst began, except those it already brought
// to the incident before it last resolved. A pending series keeps its
// content apart until it opens.
func (d *group) readContent(ctx context.Context, st *state, run *minuteRun) error {
	type cmds struct {
		member  string
		buckets []*redis.MapStringStringCmd
		samples []*redis.StringSliceCmd
	}
	var all []cmds
	pipe := d.s.rdb.Pipeline()
	for _, member := range slices.Sorted(maps.Keys(st.series)) {
		sr, _ := parseSeries(member)
		is := st.incidents[sr.service]
		from := run.m
		if run.created[member] {
			from = run.m - d.md.window + 1
		}
		if last, ok := is.Counted[member]; ok && from <= last {
			from = last + 1
		}
		c := cmds{member: member}
		for m := from; m <= run.m; m++ {
			c.buckets = append(c.buckets, pipe.HGetAll(ctx, d.s.minuteKey(sr, "b", m)))
			if d.cfg.Samples > 0 {
				c.samples = append(c.samples, pipe.LRange(ctx, d.s.minuteKey(sr, "s", m), 0, int64(d.cfg.Samples-1)))
			}
		}
		all = append(all, c)
	}
	if len(all) == 0 {
		return nil
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("read incident content: %w", err)
	}
	for _, c := range all {
		ss := st.series[c.member]
		is := st.incidents[seriesService(c.member)]
		problems, complaints, samples := is.content(seriesCountry(c.member) == seismo.AllCountries)
		if ss.Status == seismo.StatusPending {
			if ss.Problems == nil {
				ss.Problems = map[seismo.Problem]int64{}
			}
			problems, complaints, samples = ss.Problems, &ss.Complaints, &ss.Samples
		} else {
			is.counted(c.member, run.m)
		}
		for _, b := range c.buckets {
			for f, v := range b.Val() {
				n, _ := strconv.ParseInt(v, 10, 64)
				switch {
				case f == "complaints":
					*complaints += n
				case strings.HasPrefix(f, "p:"):
					problems[seismo.Problem(f[2:])] += n
				}
			}
		}
		var fresh []seismo.Sample
		for _, sc := range c.samples {
			for _, raw := range sc.Val() {
				var sm seismo.Sample
				if json.Unmarshal([]byte(raw), &sm) == nil {
					fresh = append(fresh, sm)
				}
			}
		}
		*samples = mergeSamples(*samples, fresh, d.cfg.Samples)
	}
	return nil
}

// counted records that the series' content up to minute m joined the
// incident.
func (is *incidentState) counted(member string, m int64) {
	if is.Counted == nil {
		is.Counted = map[string]int64{}
	}
	if m > is.Counted[member] {
		is.Counted[member] = m
	}
}

// mergeSamples keeps the n newest distinct samples, in a stable order.
func mergeSamples(have, fresh []seismo.Sample, n int) []seismo.Sample {
	if len(fresh) == 0 {
		return have
	}
	all := append(slices.Clone(have), fresh...)
	slices.SortStableFunc(all, func(a, b seismo.Sample) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.PostID, a.PostID)
	})
	all = slices.CompactFunc(all, func(a, b seismo.Sample) bool { return a.PostID == b.PostID })
	if len(all) > n {
		all = all[:n]
	}
	return all
}

// finish settles each evaluated incident: discards dead pending ones,
// resolves finished open ones, recomputes the derived fields and emits the
// events, one per incident at most.
func (d *group) finish(st *state, run *minuteRun) []seismo.Event {
	live := map[string]int{}
	for member := range st.series {
		live[seriesService(member)]++
	}
	d.relate(st, run)
	var events []seismo.Event
	for _, svc := range slices.Sorted(maps.Keys(run.touched)) {
		is := st.incidents[svc]
		inc := &is.inc
		if live[svc] == 0 {
			delete(st.incidents, svc)
			st.removedIncidents[inc.ID] = true
			if inc.Status == seismo.StatusPending {
				run.dropped = append(run.dropped, is)
				d.log.Debug("pending incident discarded", "incident_id", inc.ID)
				continue
			}
			at := run.edge
			inc.Status, inc.ResolvedAt = seismo.StatusResolved, &at
			run.resolved = append(run.resolved, is)
		}
		prev := inc.Severity
		d.derive(st, is, run.edge)
		typ := ""
		switch {
		case run.opened[svc]:
			typ = seismo.EventOpened
		case inc.Status == seismo.StatusResolved:
			typ = seismo.EventResolved
		case inc.Status == seismo.StatusOpen && (run.changed[svc] || inc.Severity != prev):
			typ = seismo.EventUpdated
		}
		if typ != "" {
			events = append(events, seismo.NewEvent(typ, run.edge, cloneIncident(*inc)))
		}
	}
	return events
}

// relate links each incident that opened this minute with the open
// incidents of services with the same parent company, both ways: one
// company's outage often takes several of its services down together, and
// readers should see one related group. The others get an update event.
func (d *group) relate(st *state, run *minuteRun) {
	for _, svc := range slices.Sorted(maps.Keys(run.opened)) {
		parent := d.parents[svc]
		if parent == "" {
			continue
		}
		is := st.incidents[svc]
		for _, other := range slices.Sorted(maps.Keys(st.incidents)) {
			o := st.incidents[other]
			if other == svc || d.parents[other] != parent || o.inc.Status != seismo.StatusOpen {
				continue
			}
			if !slices.Contains(is.inc.Related, o.inc.ID) {
				is.inc.Related = append(is.inc.Related, o.inc.ID)
			}
			if !slices.Contains(o.inc.Related, is.inc.ID) {
				o.inc.Related = append(o.inc.Related, is.inc.ID)
				slices.Sort(o.inc.Related)
				if !run.opened[other] {
					run.changed[other] = true
				}
			}
		}
		slices.Sort(is.inc.Related)
	}
}

// derive recomputes severity, peak, problems and order of an incident.
func (d *group) derive(st *state, is *incidentState, edge time.Time) {
	inc := &is.inc
	inc.UpdatedAt = edge
	// Severity: the worst entry that opened, resolved ones included, so it
	// never falls (a danger entry that resolves before a warning one does
	// not make the outage milder); a pending incident shows its pending
	// entries.
	entries := inc.Countries
	if inc.Global != nil {
		entries = append(slices.Clone(entries), *inc.Global)
	}
	var opened, pending Level
	for _, e := range entries {
		switch e.Status {
		case seismo.StatusOpen, seismo.StatusResolved:
			opened = max(opened, levelOf(e.Severity))
		case seismo.StatusPending:
			pending = max(pending, levelOf(e.Severity))
		}
	}
	switch {
	case opened > LevelNone:
		inc.Severity = opened.severity()
	case pending > LevelNone:
		inc.Severity = pending.severity()
	}
	slices.SortStableFunc(inc.Countries, func(a, b seismo.CountryEntry) int {
		if c := cmp.Compare(b.Reporters, a.Reporters); c != 0 {
			return c
		}
		return strings.Compare(a.Country, b.Country)
	})
	// The peak is the global aggregate's when there is one: it sums the
	// countries. Otherwise the biggest country's.
	best := -1
	for i, e := range inc.Countries {
		if best < 0 || e.Reporters > inc.Countries[best].Reporters ||
			e.Reporters == inc.Countries[best].Reporters && e.PeakAt.Before(inc.Countries[best].PeakAt) {
			best = i
		}
	}
	switch {
	case inc.Global != nil:
		inc.PeakAt = inc.Global.PeakAt
	case best >= 0:
		inc.PeakAt = inc.Countries[best].PeakAt
	}
	// Problems over the opened countries, plus pending ones' contributions
	// so far; the global aggregate's only if no country has any.
	counts, total, samples := d.contentOf(st, is, false)
	if total == 0 {
		counts, total, samples = d.contentOf(st, is, true)
	}
	inc.Samples = samples
	shares := make([]seismo.ProblemShare, 0, len(counts))
	for p, n := range counts {
		if n <= 0 {
			continue
		}
		share := 0.0
		if total > 0 {
			share = float64(n) / float64(total)
		}
		shares = append(shares, seismo.ProblemShare{Problem: p, Complaints: int(n), Share: share})
	}
	slices.SortFunc(shares, func(a, b seismo.ProblemShare) int {
		if c := cmp.Compare(b.Complaints, a.Complaints); c != 0 {
			return c
		}
		return cmp.Compare(a.Problem, b.Problem)
	})
	if len(shares) > d.cfg.Problems {
		shares = shares[:d.cfg.Problems]
	}
	inc.Problems = shares
	if inc.Samples == nil {
		inc.Samples = []seismo.Sample{}
	}
	if is.Samples == nil {
		is.Samples = []seismo.Sample{}
	}
	if inc.Related == nil {
		inc.Related = []string{}
	}
}

// contentOf sums the opened content of the countries (or of the global
// series) and what their pending series brought so far.
func (d *group) contentOf(st *state, is *incidentState, global bool) (map[seismo.Problem]int64, int64, []seismo.Sample) {
	problems, complaints, opened := is.content(global)
	counts := maps.Clone(problems)
	total := *complaints
	samples := slices.Clone(*opened)
	for _, member := range slices.Sorted(maps.Keys(st.series)) {
		ss := st.series[member]
		if ss.Incident != is.inc.ID || ss.Status != seismo.StatusPending ||
			(seriesCountry(member) == seismo.AllCountries) != global {
			continue
		}
		for p, n := range ss.Problems {
			counts[p] += n
		}
		total += ss.Complaints
		samples = mergeSamples(samples, ss.Samples, d.cfg.Samples)
	}
	return counts, total, samples
}

// cloneIncident copies the slices an event shares with the live state.
func cloneIncident(in seismo.Incident) seismo.Incident {
	in.Countries = slices.Clone(in.Countries)
	in.Problems = slices.Clone(in.Problems)
	in.Related = slices.Clone(in.Related)
	in.Samples = slices.Clone(in.Samples)
	if in.Global != nil {
		g := *in.Global
		in.Global = &g
	}
	return in
}
