package detect

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/seismo-dev/seismo"
)

// What the detector saw of each series, kept for charts: one fixed-size
// record per evaluated minute in one string per series and UTC day, written
// with SETRANGE at the minute's offset. A minute the detector did not
// evaluate (the series was quiet for ActiveFor) is all zeros.
//
//	0:4   distinct reporters of the minute + 1 (0: no record)
//	4:8   expected reporters per minute (float32)
//	8:12  the per-minute rate that, held over a window, fires (float32; 0: none)
//	12:14 distinct reporters in the primary window (capped)
//	14    level of the minute (0 none, 1 warning, 2 danger)
//	15    minutes in the primary window
const (
	chartRecord     = 16
	minutesPerDay   = 24 * 60
	chartDayBytes   = chartRecord * minutesPerDay
	maxChartMinutes = 7 * 24 * 60
)

// chartMinute is one record.
type chartMinute struct {
	current  int
	rate     float64
	upper    float64
	observed int
	level    Level
	window   int
}

func (c chartMinute) appendTo(dst []byte) []byte {
	var b [chartRecord]byte
	binary.LittleEndian.PutUint32(b[0:], uint32(min(c.current, math.MaxUint32-1))+1)
	binary.LittleEndian.PutUint32(b[4:], math.Float32bits(float32(c.rate)))
	binary.LittleEndian.PutUint32(b[8:], math.Float32bits(float32(c.upper)))
	binary.LittleEndian.PutUint16(b[12:], uint16(min(c.observed, math.MaxUint16)))
	b[14] = byte(c.level)
	b[15] = byte(min(c.window, math.MaxUint8))
	return append(dst, b[:]...)
}

func decodeChartMinute(b []byte) (chartMinute, bool) {
	if len(b) < chartRecord {
		return chartMinute{}, false
	}
	n := binary.LittleEndian.Uint32(b)
	if n == 0 {
		return chartMinute{}, false
	}
	return chartMinute{
		current:  int(n - 1),
		rate:     float64(math.Float32frombits(binary.LittleEndian.Uint32(b[4:]))),
		upper:    float64(math.Float32frombits(binary.LittleEndian.Uint32(b[8:]))),
		observed: int(binary.LittleEndian.Uint16(b[12:])),
		level:    Level(b[14]),
		window:   int(b[15]),
	}, true
}

func (s *Store) chartKey(sr series, day int64) string {
	return s.groupKey(s.group(sr.service), "chart:"+sr.String()+":"+strconv.FormatInt(day, 10))
}

// chartWrite is one minute's record of one series, ready to queue. expire
// says that its day's key still needs its TTL.
type chartWrite struct {
	member string
	key    string
	offset int64
	record []byte
	expire bool
}

// chartDay is the chart keys of the day, by series, and whether a minute
// this detector wrote gave each its TTL, so later minutes need not set it
// again: one EXPIRE per key and day costs nothing, where one per series and
// minute costs a command each. A key lives ChartTTL from the first minute
// of its day that this detector wrote (a new leader sets it once more): the
// TTL runs on the wall clock, since a replay writes days of event time in
// minutes.
type chartDay struct {
	day  int64
	keys map[string]chartKey
}

type chartKey struct {
	name    string
	expires bool
}

// chartWrites encodes the records of the minute's evaluated series.
func (d *group) chartWrites(run *minuteRun) []chartWrite {
	day, slot := floorDiv(run.m, minutesPerDay), floorMod(run.m, minutesPerDay)
	if d.charts.day != day || d.charts.keys == nil {
		d.charts = chartDay{day: day, keys: map[string]chartKey{}}
	}
	out := make([]chartWrite, 0, len(run.readings))
	records := make([]byte, 0, chartRecord*len(run.readings)) // one allocation for them all
	for i := range run.readings {
		r := &run.readings[i]
		if r.idle {
			continue
		}
		c := chartMinute{current: r.current, rate: r.rate, upper: d.upper(r.rate, r.spread),
			observed: r.observed, level: r.level, window: int(d.md.window)}
		k, ok := d.charts.keys[r.member]
		if !ok {
			k.name = d.s.chartKey(r.sr, day)
			d.charts.keys[r.member] = k
		}
		records = c.appendTo(records)
		out = append(out, chartWrite{member: r.member, key: k.name, offset: slot * chartRecord,
			record: records[len(records)-chartRecord:], expire: !k.expires})
	}
	return out
}

// chartsWritten notes the keys whose expiry a committed minute set.
func (d *group) chartsWritten(writes []chartWrite) {
	for _, w := range writes {
		if w.expire {
			d.charts.keys[w.member] = chartKey{name: w.key, expires: true}
		}
	}
}

// upper returns the per-minute rate that fires when held over a window: the
// least, over the model's windows, of its threshold over its length. The
// rate and spread are rounded to 1% first, and the answer remembered by
// them: finding a threshold takes a dozen tail sums, and every series'
// rate differs a little every minute, so unrounded nothing would repeat.
// The line is drawn to read by; the level recorded beside it is the
// detector's own decision, on the exact figures.
func (d *group) upper(rate, spread float64) float64 {
	rate, spread = roundLog(rate), roundLog(spread)
	key := [2]float32{float32(rate), float32(spread)}
	if v, ok := d.uppers[key]; ok {
		return v
	}
	best := 0.0
	for _, w := range d.md.windows {
		k := d.cfg.Threshold(float64(w)*rate, spread)
		if k == 0 {
			continue
		}
		if v := float64(k) / float64(w); best == 0 || v < best {
			best = v
		}
	}
	if len(d.uppers) >= maxUppers || d.uppers == nil {
		d.uppers = make(map[[2]float32]float64)
	}
	d.uppers[key] = best
	return best
}

// roundLog rounds a positive x to the nearest of the steps that grow by 1%.
func roundLog(x float64) float64 {
	if x <= 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	const perStep = 100.5 // ln(x) steps per unit: 1 / ln(1.01)
	return math.Exp(math.Round(math.Log(x)*perStep) / perStep)
}

// maxUppers bounds the memo of upper: past it, it starts afresh.
const maxUppers = 1 << 16

// Chart returns the points of one series from from to to (exclusive) at
// step, from the detector's records: at most seven days of minutes, whole
// steps (from is truncated to a step boundary, to rounded up).
func (s *Store) Chart(ctx context.Context, service, country string, from, to time.Time, step time.Duration) ([]seismo.SeriesPoint, error) {
	sr, err := seriesOf(service, country)
	if err != nil {
		return nil, err
	}
	sm := int64(step / time.Minute)
	if sm < 1 || time.Duration(sm)*time.Minute != step || minutesPerDay%sm != 0 {
		return nil, seismo.Invalid(fmt.Sprintf("step %s must be whole minutes that divide a day", step))
	}
	lo := floorDiv(unixMinute(from), sm) * sm
	hi := (floorDiv(unixMinute(to.Add(-time.Nanosecond)), sm) + 1) * sm // exclusive
	if hi <= lo {
		return []seismo.SeriesPoint{}, nil
	}
	// Whole steps widen a span by less than a step at each end: seven days
	// asked are seven days served.
	if hi-lo > maxChartMinutes+2*(sm-1) {
		return nil, seismo.Invalid(fmt.Sprintf("chart span is %d minutes, limit %d", hi-lo, maxChartMinutes))
	}
	type read struct {
		first int64 // minute of the first byte read
		cmd   *redis.StringCmd
	}
	var reads []read
	pipe := s.rdb.Pipeline()
	for day := floorDiv(lo, minutesPerDay); day <= floorDiv(hi-1, minutesPerDay); day++ {
		a := max(lo, day*minutesPerDay)
		b := min(hi, (day+1)*minutesPerDay) // exclusive
		start := (a - day*minutesPerDay) * chartRecord
		end := (b-day*minutesPerDay)*chartRecord - 1
		reads = append(reads, read{a, pipe.GetRange(ctx, s.chartKey(sr, day), start, end)})
	}
	if err := execPipeline(ctx, pipe); err != nil {
		return nil, fmt.Errorf("read chart of %s: %w", sr, err)
	}
	n := (hi - lo) / sm
	points := make([]seismo.SeriesPoint, n)
	type acc struct {
		expected, upper float64
		evaluated       int64
		fires           bool // every evaluated minute had a fire line
		level           Level
	}
	accs := make([]acc, n)
	for i := range points {
		points[i].T = minuteTime(lo + int64(i)*sm)
		accs[i].fires = true
	}
	for _, rd := range reads {
		b := []byte(rd.cmd.Val())
		for off := 0; off+chartRecord <= len(b); off += chartRecord {
			c, ok := decodeChartMinute(b[off : off+chartRecord])
			if !ok {
				continue
			}
			i := (rd.first + int64(off/chartRecord) - lo) / sm
			points[i].Observed += c.current
			a := &accs[i]
			a.expected += c.rate
			a.upper += c.upper
			a.evaluated++
			a.fires = a.fires && c.upper > 0
			a.level = max(a.level, c.level)
		}
	}
	for i := range points {
		a := accs[i]
		points[i].Level = a.level.String()
		if a.evaluated == 0 {
			continue
		}
		e := roundChart(a.expected)
		points[i].Expected = &e
		if a.fires {
			u := roundChart(a.upper)
			points[i].Upper = &u
		}
	}
	return points, nil
}

// roundChart keeps three significant digits: a chart has no use for more.
func roundChart(x float64) float64 {
	if x == 0 {
		return 0
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 3, 64), 64)
	return r
}

// NowAt returns every series the detector evaluated in minute at (see
// Evaluated for the last one), read from the chart records of the series
// with data in the day before it (a series in an incident is evaluated
// however long it has been quiet, but not for a day).
func (s *Store) NowAt(ctx context.Context, at time.Time) ([]seismo.SeriesNow, error) {
	m := unixMinute(at)
	members, err := s.activeSeries(ctx, m-minutesPerDay)
	if err != nil {
		return nil, err
	}
	day, off := floorDiv(m, minutesPerDay), floorMod(m, minutesPerDay)*chartRecord
	pipe := s.rdb.Pipeline()
	type read struct {
		sr  series
		cmd *redis.StringCmd
	}
	reads := make([]read, 0, len(members))
	for _, member := range members {
		sr, ok := parseSeries(member)
		if !ok {
			continue
		}
		reads = append(reads, read{sr, pipe.GetRange(ctx, s.chartKey(sr, day), off, off+chartRecord-1)})
	}
	if len(reads) == 0 {
		return nil, nil
	}
	if err := execPipeline(ctx, pipe); err != nil {
		return nil, fmt.Errorf("read the series' last minute: %w", err)
	}
	out := make([]seismo.SeriesNow, 0, len(reads))
	for _, rd := range reads {
		c, ok := decodeChartMinute([]byte(rd.cmd.Val()))
		if !ok {
			continue
		}
		sv := seismo.SeriesNow{Service: rd.sr.service, Country: rd.sr.country, Observed: c.observed,
			Expected: roundChart(c.rate * float64(max(c.window, 1)))}
		if c.level > LevelNone {
			sv.Severity = c.level.severity()
		}
		out = append(out, sv)
	}
	return out, nil
}

// Evaluated returns the end of the last minute the detector evaluated in
// every group, as kept in Redis (any process may ask); ok is false before
// the first.
func (s *Store) Evaluated(ctx context.Context) (at time.Time, ok bool, err error) {
	vals, err := s.rdb.HVals(ctx, s.key(keyEvaluated)).Result()
	if err != nil {
		return time.Time{}, false, fmt.Errorf("read the evaluated minutes: %w", err)
	}
	m := lowestMinute(vals)
	if m == math.MinInt64 {
		return time.Time{}, false, nil
	}
	return minuteTime(m + 1), true, nil
}
