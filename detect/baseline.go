package detect

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Estimate is an exponentially weighted mean that starts as a plain running
// mean: each observation adds one to Weight, and the weight decays by a
// fixed factor per observation, so it saturates at 1/(1-decay) and the
// mean then moves like a moving average with that memory. A young estimate
// thus learns fast, and its Weight says how much evidence it holds.
type Estimate struct {
	Mean   float64
	Weight float64
	// Last is the last step accounted for, learned or skipped.
	Last int64
}

func (e *Estimate) add(x, decay float64) {
	e.Weight = decay*e.Weight + 1
	e.Mean += (x - e.Mean) / e.Weight
}

// addZeros adds k observations of zero in closed form: the weighted sum
// decays by decay^k and the weight by the same factor plus the zeros' own.
func (e *Estimate) addZeros(k int64, decay float64) {
	if k <= 0 {
		return
	}
	f := math.Pow(decay, float64(k))
	w := f*e.Weight + (1-f)/(1-decay)
	e.Mean *= f * e.Weight / w
	e.Weight = w
}

func (e Estimate) String() string { return string(e.appendTo(nil)) }

// appendTo writes "mean weight last", floats in their shortest exact form so
// a replay reads back the same values.
func (e Estimate) appendTo(b []byte) []byte {
	b = strconv.AppendFloat(b, e.Mean, 'g', -1, 64)
	b = append(b, ' ')
	b = strconv.AppendFloat(b, e.Weight, 'g', -1, 64)
	b = append(b, ' ')
	return strconv.AppendInt(b, e.Last, 10)
}

func parseEstimate(s string) (Estimate, error) {
	f := strings.Fields(s)
	if len(f) != 3 {
		return Estimate{}, fmt.Errorf("estimate %q: want 3 fields", s)
	}
	mean, err1 := strconv.ParseFloat(f[0], 64)
	weight, err2 := strconv.ParseFloat(f[1], 64)
	last, err3 := strconv.ParseInt(f[2], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || math.IsNaN(mean) || math.IsInf(mean, 0) || !(weight >= 0) {
		return Estimate{}, fmt.Errorf("estimate %q: bad number", s)
	}
	return Estimate{Mean: mean, Weight: weight, Last: last}, nil
}

// Baseline is what one series is expected to do at one step (a minute for
// posts): the learned normal rate and how bursty the series is. It holds
// the series' recent level and the two seasonal slots the step falls in,
// the hour of the day and the hour of the week; the other slots stay in
// Redis until their hour comes.
//
// The expected rate shrinks each seasonal slot towards the coarser estimate
// in proportion to the evidence the slot holds: the hour of the week
// towards the hour of the day, the hour of the day towards the recent
// level. A new series therefore starts from its recent level (cold start),
// follows its daily rhythm after a day or two and its weekly one after a few
// weeks.
type Baseline struct {
	// Level is the recent rate per step over all hours.
	Level Estimate
	// Day and Week are the rate per step in this step's hour of the day
	// and hour of the week.
	Day, Week Estimate
	// Spread estimates the overdispersion a of the window count, whose
	// variance the significance test takes as mu + a*mu²: 0 for Poisson
	// counts, larger for series whose volume swings on its own.
	Spread Estimate
}

// Steps on a grid: index i is the step starting at origin + i*step
// seconds. Posts use minutes since the epoch (origin 0, step 60).
type grid struct {
	origin, step int64 // seconds
}

var minuteGrid = grid{origin: 0, step: 60}

// newGrid returns the grid of steps of the given size from origin. A step
// must tile the hour (1m, 5m, 15m, ...) or be whole hours that tile the
// week (1h, 2h, 1d, ...), so that every step falls in one seasonal slot.
func newGrid(origin time.Time, step time.Duration) (grid, error) {
	s := int64(step / time.Second)
	if step%time.Second != 0 || s <= 0 || !(3600%s == 0 || s%3600 == 0 && hoursPerWeek*3600%s == 0) {
		return grid{}, fmt.Errorf("step %s: must divide an hour or be whole hours that divide a week", step)
	}
	return grid{origin: origin.Unix(), step: s}, nil
}

// slot returns the index of step i's hour within a period of n hours.
func (g grid) slot(i int64, n int64) int64 {
	t := g.origin + i*g.step
	return floorMod(floorDiv(t, 3600), n)
}

// slotSteps counts the steps in (a, b) that fall in the same hour of an
// n-hour period as step b: the seasonal slot of b missed them.
func (g grid) slotSteps(a, b, n int64) int64 {
	if b-a <= 1 {
		return 0
	}
	period := n * 3600
	h := g.slot(b, n)
	switch {
	case 3600%g.step == 0:
		// handled below
	case g.step%3600 == 0 && period%g.step == 0:
		// Whole hours that tile the period: the slot repeats every
		// period/step steps.
		return (b - a - 1) / (period / g.step)
	default:
		// Steps that tile neither are refused by newGrid; count one by
		// one over at most a few periods rather than spin.
		return countSlot(g, max(a+1, b-4*period/g.step), b-1, n, h)
	}
	// Steps tile the hour: step i is in hour floor((i + c) / perHour) with
	// c the origin's offset in steps, and counting is closed-form.
	perHour := 3600 / g.step
	cycle := n * perHour
	c := floorDiv(floorMod(g.origin, period), g.step)
	upto := func(x int64) int64 { // steps in [0, x] of the shifted index in hour h
		x++
		full, r := floorDiv(x, cycle), floorMod(x, cycle)
		return full*perHour + min(max(r-h*perHour, 0), perHour)
	}
	return upto(b-1+c) - upto(a+c)
}

func countSlot(g grid, lo, hi, n, h int64) int64 {
	var k int64
	for i := lo; i <= hi; i++ {
		if g.slot(i, n) == h {
			k++
		}
	}
	return k
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }

// Seasonal periods in hours.
const (
	hoursPerDay  = 24
	hoursPerWeek = 7 * 24
)

// model is the baseline and significance arithmetic for one grid, with
// Config's durations turned into per-step factors.
type model struct {
	cfg                                          Config
	g                                            grid
	levelDecay, dayDecay, weekDecay, spreadDecay float64
	prior                                        float64 // SeasonPrior in steps
	priorEvents                                  float64 // SeasonPriorEvents
	floor                                        float64 // BaselineFloor per step
	window                                       int64   // steps in Window, at least 1
	// windows are the steps of Window and of each of ExtraWindows, in
	// that order, and span the longest.
	windows     []int64
	span        int64
	robustAfter float64 // Warmup in steps
	relearn     int64   // RelearnAfter in steps, 0 never
	// spreadAfter is the level weight from which the spread learns: a
	// window of steps, or half the level's memory if that is shorter.
	spreadAfter float64
	// Lifecycle durations in steps, at least 1.
	pending, dangerPending, quiet, recoveryQuiet int
}

func newModel(cfg Config, g grid) model {
	step := float64(g.step)
	decay := func(halfLifeSteps float64) float64 { return math.Exp2(-1 / max(halfLifeSteps, 1)) }
	perHour := 3600 / step
	steps := func(d time.Duration) int64 { return max(int64(math.Ceil(d.Seconds()/step)), 1) }
	windows := []int64{steps(cfg.Window)}
	for _, w := range cfg.ExtraWindows {
		windows = append(windows, steps(w))
	}
	return model{
		cfg:         cfg,
		g:           g,
		levelDecay:  decay(cfg.BaselineHalfLife.Seconds() / step),
		dayDecay:    decay(cfg.DailyHalfLife.Hours() / hoursPerDay * perHour),
		weekDecay:   decay(cfg.WeeklyHalfLife.Hours() / hoursPerWeek * perHour),
		spreadDecay: decay(cfg.SpreadHalfLife.Seconds() / step),
		prior:       max(cfg.SeasonPrior.Seconds()/step, 1),
		priorEvents: cfg.SeasonPriorEvents,
		floor:       cfg.BaselineFloor * step / 60,
		window:      steps(cfg.Window),
		windows:     windows,
		relearn:     int64(math.Ceil(cfg.RelearnAfter.Seconds() / step)),
		span:        slices.Max(windows),
		// The level's weight saturates at 1/(1-decay); past half of that
		// the baseline is trusted even if Warmup is longer.
		robustAfter:   min(float64(steps(cfg.Warmup)), 0.5/(1-decay(cfg.BaselineHalfLife.Seconds()/step))),
		spreadAfter:   min(float64(steps(cfg.Window))+1, 0.5/(1-decay(cfg.BaselineHalfLife.Seconds()/step))),
		pending:       int(steps(cfg.PendingFor)),
		dangerPending: int(steps(min(cfg.DangerPendingFor, cfg.PendingFor))),
		quiet:         int(steps(cfg.QuietFor)),
		recoveryQuiet: int(steps(cfg.RecoveryQuietFor)),
	}
}

// fresh starts the baseline of a series first seen at step i when the
// detector started at step start. The steps between count as observed
// zeros: the series had no reports then, which is evidence that it is
// quiet. The floor counts as one prior observation of the level.
func (md model) fresh(i, start int64) Baseline {
	from := min(start, i) - 1
	b := Baseline{
		Level:  Estimate{Mean: md.floor, Weight: 1, Last: from},
		Day:    Estimate{Last: from},
		Week:   Estimate{Last: from},
		Spread: Estimate{Last: from},
	}
	return b
}

// maxGap bounds the zeros replayed into the level: past a year of silence
// it is at the floor anyway.
const maxGap = 366 * 24 * 60

// catchUp accounts for the steps before i that nobody evaluated: the series
// was idle, so they were zeros. Day and Week must be the slots of step i.
// The result is the same as evaluating every step, so it does not depend on
// when the series happened to be active.
func (md model) catchUp(b *Baseline, i int64) {
	if gap := i - 1 - b.Level.Last; gap > 0 {
		b.Level.addZeros(min(gap, maxGap), md.levelDecay)
		b.Level.Last = i - 1
	}
	if b.Day.Last < i-1 {
		b.Day.addZeros(md.g.slotSteps(b.Day.Last, i, hoursPerDay), md.dayDecay)
		b.Day.Last = i - 1
	}
	if b.Week.Last < i-1 {
		b.Week.addZeros(md.g.slotSteps(b.Week.Last, i, hoursPerWeek), md.weekDecay)
		b.Week.Last = i - 1
	}
}

// rate returns the expected count per step.
func (md model) rate(b Baseline) float64 {
	p := md.prior
	if md.priorEvents > 0 {
		// A sparse series needs more steps than a busy one before a slot
		// holds the same evidence: count the prior in expected reports
		// too, at the rate the plain blend gives (the level alone would
		// read a series idle since yesterday as certain to stay silent).
		plain := (b.Day.Weight*b.Day.Mean + p*b.Level.Mean) / (b.Day.Weight + p)
		p = max(p, md.priorEvents/max(plain, md.floor))
	}
	day := (b.Day.Weight*b.Day.Mean + p*b.Level.Mean) / (b.Day.Weight + p)
	week := (b.Week.Weight*b.Week.Mean + p*day) / (b.Week.Weight + p)
	return max(week, md.floor)
}

// expected returns the count expected over the window.
func (md model) expected(b Baseline) float64 { return float64(md.window) * md.rate(b) }

// spread returns the overdispersion to test with: the learned one, but
// never below MinSpread, because the expected count is itself only an
// estimate, a few weeks of one hour's data at best.
func (md model) spread(b Baseline) float64 {
	return min(max(b.Spread.Mean, md.cfg.MinSpread), maxSpread)
}

// maxSpread caps the learned overdispersion: at a = 4 the window count's
// standard deviation is already twice its mean.
const maxSpread = 4

// learn teaches the baseline step i: x counted in the step itself, and the
// window's observed count against what was expected of it. A step already
// accounted for is ignored, so re-evaluating a step cannot teach it twice.
func (md model) learn(b *Baseline, i int64, x float64, observed int, expected float64) {
	if i <= b.Level.Last {
		return
	}
	md.catchUp(b, i)
	if md.trusted(*b) {
		// Once the baseline holds Warmup of evidence, a step teaches at
		// most three standard deviations above what was expected, so an
		// outage that grows slowly under the alarm line cannot teach
		// itself in. Real growth still gets through, a little at a time.
		// Counts of one or two are never cut: on a sparse series they are
		// ordinary, and cutting them would bias the rate low.
		r := md.rate(*b)
		x = min(x, max(r+3*math.Sqrt(r+md.spread(*b)*r*r), 2))
	}
	b.Level.add(x, md.levelDecay)
	b.Day.add(x, md.dayDecay)
	b.Week.add(x, md.weekDecay)
	if expected > 0 && b.Level.Weight >= md.spreadAfter {
		// ((x-mu)² - mu)/mu² has mean a for a count with variance
		// mu + a*mu². The deviation is clipped at SpreadClip times the
		// mean (see Config). A new series' first windows are not
		// learned: the level was still the floor and did not expect
		// them, and (clip·mu)²/mu² from a surprise the model could not
		// have foreseen would read as burstiness for weeks.
		d := min(float64(observed)-expected, md.cfg.SpreadClip*expected)
		b.Spread.add((d*d-expected)/(expected*expected), md.spreadDecay)
	}
	b.Level.Last, b.Day.Last, b.Week.Last, b.Spread.Last = i, i, i, i
}

// trusted reports whether the baseline holds Warmup of evidence. Until it
// does it learns everything it sees: a new series must find its level.
func (md model) trusted(b Baseline) bool { return b.Level.Weight >= md.robustAfter }

// teach learns step i, or only accounts for it while the series fires or
// is part of an incident (ss), so outages do not teach the baseline what
// normal is; an incident older than RelearnAfter learns again, so a lasting
// change of level ends it. Both detectors learn through it.
func (md model) teach(b *Baseline, i int64, level Level, ss *seriesState, x float64, observed int, expected float64) {
	paused := level > LevelNone || ss != nil
	if ss != nil && md.relearn > 0 && i-ss.Since >= md.relearn {
		paused = false
	}
	if paused {
		md.skip(b, i)
		return
	}
	md.learn(b, i, x, observed, expected)
}

// skip accounts for step i without learning it: the series is part of an
// incident, and outages must not teach the baseline what normal is.
func (md model) skip(b *Baseline, i int64) {
	if i <= b.Level.Last {
		return
	}
	md.catchUp(b, i)
	b.Level.Last, b.Day.Last, b.Week.Last, b.Spread.Last = i, i, i, i
}

// grade returns the worst level over the windows of a series with baseline
// b, and whether a window stood out at OnsetP (see Config.OnsetP);
// observed[k] is the count in windows[k] (the last windows[k] steps). Each
// window is tested on its own: a short one catches a sudden onset, a long
// one a small outage spread thin. A series that fires right after a step
// that stood out is an outage building up, not a jump out of nothing.
func (md model) grade(observed []int, b Baseline) (level Level, elevated bool) {
	r, a := md.rate(b), md.spread(b)
	onset := math.Log(md.cfg.OnsetP)
	for k, w := range md.windows {
		n, mu := observed[k], float64(w)*r
		level = max(level, md.cfg.Assess(n, mu, a))
		if md.cfg.OnsetP > 0 && !elevated && n >= md.fewest() && float64(n) >= md.cfg.MinRatio*mu {
			elevated = LogNegBinomTail(n, mu, a) <= onset
		}
	}
	return level, elevated
}

// fewest is the fewest reporters in a window that can matter: that can
// fire, or with OnsetP, stand out before firing.
func (md model) fewest() int {
	if md.cfg.OnsetP > 0 {
		return max(md.cfg.MinReporters-1, 1)
	}
	return md.cfg.MinReporters
}

// Redis fields of a series' baseline hash: the level, the spread and one
// field per seasonal slot, so a minute reads and writes four fields however
// many slots exist.
const (
	fieldLevel  = "level"
	fieldSpread = "spread"
)

func dayField(g grid, i int64) string  { return "d" + strconv.FormatInt(g.slot(i, hoursPerDay), 10) }
func weekField(g grid, i int64) string { return "w" + strconv.FormatInt(g.slot(i, hoursPerWeek), 10) }

// baselineFields are the fields of step i's baseline, in the order
// fields and parseBaseline use.
func baselineFields(g grid, i int64) []string {
	return []string{fieldLevel, dayField(g, i), weekField(g, i), fieldSpread}
}

// appendFields appends the baseline's fields for HSET to args, name and
// value in turn, names being baselineFields of the step; the values are
// written into buf, which it returns grown. One buffer serves a minute's
// baselines: a slice of it stays valid when a later append moves it.
func (b Baseline) appendFields(args []any, names []string, buf []byte) ([]any, []byte) {
	for k, e := range [4]Estimate{b.Level, b.Day, b.Week, b.Spread} {
		start := len(buf)
		buf = e.appendTo(buf)
		args = append(args, names[k], buf[start:len(buf):len(buf)])
	}
	return args, buf
}

// parseBaseline decodes HMGET of baselineFields; ok is false when the series
// has no level yet. A slot never visited starts empty.
func parseBaseline(vals []any) (b Baseline, ok bool, err error) {
	if len(vals) != 4 || vals[0] == nil {
		return Baseline{}, false, nil
	}
	if b.Level, err = parseField(vals[0], 0, "level"); err != nil {
		return Baseline{}, false, err
	}
	if b.Spread, err = parseField(vals[3], b.Level.Last, "spread"); err != nil {
		return Baseline{}, false, err
	}
	if b, err = withSlots(b, vals[1], vals[2]); err != nil {
		return Baseline{}, false, err
	}
	return b, true, nil
}

// parseField decodes one HMGET value. An absent field (a slot never
// visited) missed nothing it could know about before the level began: it
// starts empty, accounted up to last, where the level stands.
func parseField(v any, last int64, name string) (Estimate, error) {
	s, ok := v.(string)
	if !ok {
		return Estimate{Last: last}, nil
	}
	e, err := parseEstimate(s)
	if err != nil {
		return Estimate{}, fmt.Errorf("baseline %s: %w", name, err)
	}
	return e, nil
}

// withSlots returns b with its seasonal slots decoded from the HMGET values
// of a day and a week field.
func withSlots(b Baseline, day, week any) (Baseline, error) {
	var err error
	if b.Day, err = parseField(day, b.Level.Last, "day"); err != nil {
		return b, err
	}
	if b.Week, err = parseField(week, b.Level.Last, "week"); err != nil {
		return b, err
	}
	return b, nil
}

// minuteTime converts a unix minute to its start time.
func minuteTime(m int64) time.Time { return time.Unix(m*60, 0).UTC() }

// unixMinute returns the unix minute containing t.
func unixMinute(t time.Time) int64 {
	s := t.Unix()
	if s < 0 && s%60 != 0 {
		return s/60 - 1
	}
	return s / 60
}
