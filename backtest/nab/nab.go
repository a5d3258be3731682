// Package nab scores alerts on labelled time series the way the Numenta
// Anomaly Benchmark (NAB, github.com/numenta/NAB, v1.1) does, so the
// detector can be compared with the detectors NAB publishes.
//
// The rules, restated from NAB's scorer (nab/sweeper.py: scaledSigmoid,
// Sweeper.calcSweepScore and calcScoreByThreshold; nab/util.py:
// getProbationPeriod; nab/runner.py: Runner.normalize; config/profiles.json)
// and written anew here:
//
//   - Probation. The first min(floor(0.15·rows), 0.15·5000) rows of each file
//     are not scored at all: alerts there neither earn nor cost anything,
//     and a window wholly inside it adds nothing to the raw score (NAB's
//     labels never place one there; it still counts in the normalisation).
//   - Windows. Each labelled anomaly has a window of rows, both ends
//     inclusive. A window's score is its best alert: the first one, since
//     earlier is worth more. Further alerts in the same window neither earn
//     nor cost. A window without an alert costs the profile's FN weight.
//   - Position. The sigmoid σ(x) = 2/(1+e^(5x)) − 1, taken as −1 from x = 3
//     on. An alert at row j of a window ending at row e with w rows sits at
//     x = −(e − j + 1)/w, from −1 on the first row to −1/w on the last, and
//     earns TP·σ(x)/σ(−1): the full TP weight on the first row, about 0.86 of
//     it halfway, nearly nothing on the last row.
//   - False positives. An alert outside every window costs FP weight. After
//     a window it costs FP·σ(x) with x = (i − e)/(w − 1), the distance past
//     the end of the most recent window before it in units of that window's
//     width: nearly free just after the window (the anomaly may still be
//     going on), the full cost about a window's width later. Before the first
//     window it costs the full FP weight.
//   - Normalisation. A corpus' raw score is the sum of its files' raw
//     scores. The null detector (no alerts) scores −FN per window and the
//     perfect one +TP per window; the reported score is
//     100·(raw − null)/(perfect − null), so no alerts is 0 and a perfect
//     detector 100.
//
// NAB feeds continuous anomaly scores through a threshold it optimises per
// detector; a detector that emits 0/1 alerts, as here, is scored at any
// threshold in (0, 1], which is what this package does.
package nab

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"time"
)

// Profile weighs true positives, false positives and false negatives.
type Profile struct {
	// Name is NAB's name for the profile.
	Name string
	// TP, FP and FN are the weights of a window found at its first row, of
	// an alert far from any window, and of a window missed.
	TP, FP, FN float64
}

// NAB's three application profiles (config/profiles.json).
var (
	Standard = Profile{Name: "standard", TP: 1, FP: 0.11, FN: 1}
	LowFP    = Profile{Name: "reward_low_FP_rate", TP: 1, FP: 0.22, FN: 1}
	LowFN    = Profile{Name: "reward_low_FN_rate", TP: 1, FP: 0.11, FN: 2}
)

// Profiles returns the three profiles, standard first.
func Profiles() []Profile { return []Profile{Standard, LowFP, LowFN} }

// Window is a labelled anomaly window; both ends are inclusive.
type Window struct {
	Start, End time.Time
}

// timeLayouts are the timestamp forms NAB files use: the data's and the
// windows file's with microseconds.
var timeLayouts = []string{"2006-01-02 15:04:05.999999", time.RFC3339Nano}

// ParseTime parses a timestamp as NAB writes them ("2015-02-26 21:42:53",
// with optional fractional seconds, taken as UTC) or as RFC 3339.
func ParseTime(s string) (time.Time, error) {
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("timestamp %q: want YYYY-MM-DD HH:MM:SS or RFC 3339", s)
}

// ReadWindows reads a windows file in the shape of NAB's
// labels/combined_windows.json: an object from a data file's relative path
// to a list of [start, end] timestamp pairs.
func ReadWindows(r io.Reader) (map[string][]Window, error) {
	var raw map[string][][]string
	if err := json.NewDecoder(r).Decode(&raw); err != nil {
		return nil, fmt.Errorf("read windows: %w", err)
	}
	out := make(map[string][]Window, len(raw))
	for file, pairs := range raw {
		ws := make([]Window, 0, len(pairs))
		for k, p := range pairs {
			if len(p) != 2 {
				return nil, fmt.Errorf("read windows: %s window %d: want [start, end], got %d values", file, k, len(p))
			}
			start, err1 := ParseTime(p[0])
			end, err2 := ParseTime(p[1])
			if err := errors.Join(err1, err2); err != nil {
				return nil, fmt.Errorf("read windows: %s window %d: %w", file, k, err)
			}
			if end.Before(start) {
				return nil, fmt.Errorf("read windows: %s window %d ends before it starts", file, k)
			}
			ws = append(ws, Window{Start: start, End: end})
		}
		out[file] = ws
	}
	return out, nil
}

// Probation returns how many leading rows of a file of n rows are not
// scored.
func Probation(n int) int {
	return int(min(math.Floor(0.15*float64(n)), 0.15*5000))
}

// sigmoid is NAB's scaled sigmoid of a relative position: +0.987 at -1 (the
// start of a window), 0 at 0 (its end), -0.987 at +1 (a window's width
// after it) and -1 from 3 on.
func sigmoid(x float64) float64 {
	if x >= 3 {
		return -1
	}
	return 2/(1+math.Exp(5*x)) - 1
}

// FileScore is one file's score under one profile.
type FileScore struct {
	// Raw is the file's contribution to the corpus' raw score.
	Raw float64
	// Windows is how many labelled windows the file has; Detected how many
	// of them have an alert.
	Windows, Detected int
	// FalsePositives counts scored alerts outside every window.
	FalsePositives int
	// Alerts counts every alert, probation included.
	Alerts int
}

// span is a window as row indices, both inclusive.
type span struct{ first, last int }

// Score scores one file's alerts: times are the rows' timestamps in
// increasing order and alerts[i] says whether row i raised an alert.
func Score(times []time.Time, alerts []bool, windows []Window, p Profile) (FileScore, error) {
	if len(times) != len(alerts) {
		return FileScore{}, fmt.Errorf("score: %d timestamps but %d alerts", len(times), len(alerts))
	}
	spans, err := locate(times, windows)
	if err != nil {
		return FileScore{}, err
	}
	probation := Probation(len(times))
	fs := FileScore{Windows: len(spans)}
	best := make([]float64, len(spans))
	for k, sp := range spans {
		if sp.last >= probation { // a window wholly in probation is not scored
			best[k] = -p.FN
		}
	}
	w := 0 // first window not yet passed
	for i, alert := range alerts {
		for w < len(spans) && spans[w].last < i {
			w++
		}
		if !alert {
			continue
		}
		fs.Alerts++
		if i < probation {
			continue
		}
		if w < len(spans) && spans[w].first <= i {
			s := spans[w]
			width := float64(s.last - s.first + 1)
			tp := p.TP * sigmoid(-float64(s.last-i+1)/width) / sigmoid(-1)
			best[w] = max(best[w], tp)
			continue
		}
		fs.FalsePositives++
		if w == 0 {
			fs.Raw -= p.FP
			continue
		}
		prev := spans[w-1]
		x := 2.0 // NAB's older scorer's distance for a one-row window, which has no width to scale by
		if prev.last > prev.first {
			x = float64(i-prev.last) / float64(prev.last-prev.first)
		}
		fs.Raw += p.FP * sigmoid(x)
	}
	for _, b := range best {
		fs.Raw += b
		if b > 0 {
			fs.Detected++
		}
	}
	return fs, nil
}

// locate turns windows into row spans. Windows must not overlap and must
// each hold at least one row.
func locate(times []time.Time, windows []Window) ([]span, error) {
	for i := 1; i < len(times); i++ {
		if !times[i].After(times[i-1]) {
			return nil, fmt.Errorf("score: timestamp %d (%s) is not after the one before", i, times[i].Format(time.RFC3339))
		}
	}
	ws := slices.Clone(windows)
	slices.SortFunc(ws, func(a, b Window) int { return a.Start.Compare(b.Start) })
	spans := make([]span, 0, len(ws))
	for k, win := range ws {
		if k > 0 && !win.Start.After(ws[k-1].End) {
			return nil, fmt.Errorf("score: window %s overlaps the one before", win.Start.Format(time.RFC3339))
		}
		first, _ := slices.BinarySearchFunc(times, win.Start, time.Time.Compare)
		last, found := slices.BinarySearchFunc(times, win.End, time.Time.Compare)
		if !found {
			last--
		}
		if first > last {
			return nil, fmt.Errorf("score: window %s to %s holds no rows",
				win.Start.Format(time.RFC3339), win.End.Format(time.RFC3339))
		}
		spans = append(spans, span{first, last})
	}
	return spans, nil
}

// Normalize turns a corpus' raw score, summed over files with the given
// total number of windows, into NAB's reported score: 0 for the null
// detector, 100 for the perfect one.
func Normalize(raw float64, windows int, p Profile) float64 {
	null := -float64(windows) * p.FN
	perfect := float64(windows) * p.TP
	if perfect == null {
		return 0
	}
	return 100 * (raw - null) / (perfect - null)
}

// Corpus sums file scores the way NAB totals a corpus: raw scores and
// window counts add up, and the total is normalised once.
type Corpus struct {
	raw     map[string]float64
	windows map[string]int
}

// Add adds one file's score under p.
func (c *Corpus) Add(p Profile, fs FileScore) {
	if c.raw == nil {
		c.raw, c.windows = map[string]float64{}, map[string]int{}
	}
	c.raw[p.Name] += fs.Raw
	c.windows[p.Name] += fs.Windows
}

// Raw returns the summed raw score under p.
func (c *Corpus) Raw(p Profile) float64 { return c.raw[p.Name] }

// Score returns the normalised score under p.
func (c *Corpus) Score(p Profile) float64 { return Normalize(c.raw[p.Name], c.windows[p.Name], p) }
