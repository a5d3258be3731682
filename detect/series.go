package detect

import (
	"fmt"
	"math"
	"time"

	"github.com/seismo-dev/seismo"
)

// SeriesDetector runs the detector's model and incident lifecycle over one
// count series held in memory: a bucket of any size that tiles the hour or
// the week, one value per bucket. It is the Redis Detector for a single
// series without Redis: the same baseline (with its seasonal slots kept in
// maps, as the detector keeps them in a hash), the same significance test,
// the same pending/open/resolved transition and the same learning rules.
// It exists to measure the detector on recorded count series, such as
// benchmark data, where only the counts are known.
//
// A SeriesDetector is not safe for concurrent use.
type SeriesDetector struct {
	md model

	started bool
	start   int64 // index of the first bucket
	next    int64 // index the next bucket must have

	// Level and Spread of the baseline live here; its Day and Week are
	// loaded from the slot maps for each bucket.
	base      Baseline
	hasBase   bool
	day, week map[int64]Estimate

	// recent holds the values of the longest window, oldest first.
	recent []float64

	ss *seriesState // nil while the series is not part of an incident
	// primed: the last bucket was elevated (see model.grade).
	primed bool

	warmup int64 // in buckets
}

// SeriesResult is what one bucket did.
type SeriesResult struct {
	// Time is the bucket's start.
	Time time.Time
	// Observed is the count of the primary window: the sum of the last
	// Window of bucket values, rounded.
	Observed int
	// Expected is the count the baseline expected over the primary
	// window.
	Expected float64
	// Spread is the overdispersion the window was tested with (see
	// LogNegBinomTail).
	Spread float64
	// Level is the worst level over the windows (Window and
	// ExtraWindows, each against its own expected count); always
	// LevelNone during the warm-up.
	Level Level
	// Status is the series' lifecycle after this bucket: "" when it is
	// not part of an incident, otherwise pending or open. A series that
	// resolved at this bucket has "" and Resolved set.
	Status seismo.Status
	// Opened is set on the bucket where an incident opens.
	Opened bool
	// Resolved is set on the bucket where an open incident resolves.
	Resolved bool
}

// NewSeriesDetector returns a detector for a series whose buckets of size
// step start at origin. The step must divide an hour or be whole hours that
// divide a week, so that every bucket falls in one hour of the day and of
// the week. Durations in cfg (Window, PendingFor, QuietFor, Warmup,
// RelearnAfter and the half-lives) are converted to whole buckets, rounding
// up, and at least one.
func NewSeriesDetector(cfg Config, origin time.Time, step time.Duration) (*SeriesDetector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	g, err := newGrid(origin, step)
	if err != nil {
		return nil, fmt.Errorf("series detector: %w", err)
	}
	md := newModel(cfg, g)
	buckets := func(d time.Duration) int64 {
		return int64(math.Ceil(d.Seconds() / float64(g.step)))
	}
	return &SeriesDetector{
		md:     md,
		day:    map[int64]Estimate{},
		week:   map[int64]Estimate{},
		recent: make([]float64, 0, md.span),
		warmup: buckets(cfg.Warmup),
	}, nil
}

// Step returns the bucket size.
func (sd *SeriesDetector) Step() time.Duration { return time.Duration(sd.md.g.step) * time.Second }

// Observe evaluates the bucket starting at t with the given count. Buckets
// must come in order without gaps: t must be on the grid of origin and step
// and follow the previous bucket. value must be finite and not negative.
func (sd *SeriesDetector) Observe(t time.Time, value float64) (SeriesResult, error) {
	g := sd.md.g
	off := t.Unix() - g.origin
	if t.Nanosecond() != 0 || floorMod(off, g.step) != 0 {
		return SeriesResult{}, fmt.Errorf("series bucket %s: not on the grid of %s buckets from %s",
			t.Format(time.RFC3339), sd.Step(), time.Unix(g.origin, 0).UTC().Format(time.RFC3339))
	}
	i := floorDiv(off, g.step)
	switch {
	case math.IsNaN(value) || math.IsInf(value, 0) || value < 0:
		return SeriesResult{}, fmt.Errorf("series bucket %s: value %g must be finite and not negative", t.Format(time.RFC3339), value)
	case sd.started && i != sd.next:
		return SeriesResult{}, fmt.Errorf("series bucket %s: want the bucket at %s", t.Format(time.RFC3339),
			time.Unix(g.origin+sd.next*g.step, 0).UTC().Format(time.RFC3339))
	}
	if !sd.started {
		sd.started, sd.start = true, i
	}
	sd.next = i + 1
	return sd.evaluate(i, value), nil
}

// evaluate is one step of the Redis detector for one series: read, then
// lifecycle, then learn.
func (sd *SeriesDetector) evaluate(i int64, value float64) SeriesResult {
	md := sd.md
	if int64(len(sd.recent)) == md.span {
		sd.recent = append(sd.recent[:0], sd.recent[1:]...)
	}
	sd.recent = append(sd.recent, value)
	// Each window's count is the sum of its last buckets; the first is
	// the primary window, which the baseline learns from.
	var total float64
	for _, v := range sd.recent {
		total += v
	}
	counts := make([]int, len(md.windows))
	for j, w := range md.windows {
		var sum float64
		for _, v := range sd.recent[max(0, len(sd.recent)-int(w)):] {
			sum += v
		}
		counts[j] = int(math.Round(sum))
	}
	res := SeriesResult{Time: time.Unix(md.g.origin+i*md.g.step, 0).UTC(), Observed: counts[0]}

	// Read. A series without a baseline and without counts is idle: its
	// baseline starts at its first data, counting the quiet buckets since
	// the detector started as zeros.
	if !sd.hasBase {
		if total == 0 {
			return res
		}
		sd.base, sd.hasBase = md.fresh(i, sd.start), true
	}
	b := sd.load(i)
	expected := md.expected(b)
	res.Expected, res.Spread = expected, md.spread(b)
	primed := sd.primed
	sd.primed = false
	if i-sd.start >= sd.warmup {
		res.Level, sd.primed = md.grade(counts, b)
	}

	// Lifecycle: a series that fires becomes pending, and advance moves it
	// on. With one series its incident opens and resolves with it.
	if sd.ss == nil && res.Level > LevelNone {
		sd.ss = md.begin(i, res.Level, primed)
	}
	if sd.ss != nil {
		switch md.advance(sd.ss, res.Level, false) {
		case drop:
			sd.ss = nil
		case opened:
			res.Opened = true
		case resolve:
			sd.ss = nil
			res.Resolved = true
		}
	}
	if sd.ss != nil {
		res.Status = sd.ss.Status
	}

	md.teach(&b, i, res.Level, sd.ss, value, res.Observed, expected)
	sd.store(i, b)
	return res
}

// load returns the baseline of bucket i with its two seasonal slots, caught
// up to i. A slot never visited starts empty where the level stands, as a
// missing hash field does in Redis.
func (sd *SeriesDetector) load(i int64) Baseline {
	b := sd.base
	get := func(slots map[int64]Estimate, k int64) Estimate {
		if e, ok := slots[k]; ok {
			return e
		}
		return Estimate{Last: b.Level.Last}
	}
	b.Day = get(sd.day, sd.md.g.slot(i, hoursPerDay))
	b.Week = get(sd.week, sd.md.g.slot(i, hoursPerWeek))
	sd.md.catchUp(&b, i)
	return b
}

// store keeps the baseline after bucket i.
func (sd *SeriesDetector) store(i int64, b Baseline) {
	sd.day[sd.md.g.slot(i, hoursPerDay)] = b.Day
	sd.week[sd.md.g.slot(i, hoursPerWeek)] = b.Week
	sd.base = b
}

// SeriesConfig returns the configuration for recorded count series such as
// mentions of a company per five minutes: it is how the detector is run on
// the NAB tweet-volume benchmark. It differs from DefaultConfig only where
// such series differ in kind from distinct complainers per minute:
//
//   - Window 30m and no ExtraWindows: a bucket already holds five minutes,
//     and single buckets carry bot bursts (hundreds of posts on the hour,
//     then nothing). Six buckets smooth them while a story still fills
//     the window within minutes; shorter windows would only add them back.
//   - QuietFor 24h: a story is talked about for a day, in waves; it is one
//     incident, not one per wave.
//   - SpreadClip 20, SpreadHalfLife 14 days: bursts far above the daily
//     rhythm (news, promotions, bots) are the normal life of these series,
//     so the learned overdispersion must see them whole and remember them
//     through the quiet days between.
func SeriesConfig() Config {
	c := DefaultConfig()
	c.Window = 30 * time.Minute
	c.ExtraWindows = nil
	c.QuietFor = 24 * time.Hour
	c.SpreadClip = 20
	c.SpreadHalfLife = 14 * 24 * time.Hour
	return c
}
