package nab_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/seismo-dev/seismo/backtest/nab"
)

// rows returns n timestamps five minutes apart.
func rows(n int) []time.Time {
	t0 := time.Date(2015, 2, 26, 21, 42, 53, 0, time.UTC)
	ts := make([]time.Time, n)
	for i := range ts {
		ts[i] = t0.Add(time.Duration(i) * 5 * time.Minute)
	}
	return ts
}

// window spans rows first..last of ts.
func window(ts []time.Time, first, last int) nab.Window {
	return nab.Window{Start: ts[first], End: ts[last]}
}

func alertsAt(n int, at ...int) []bool {
	a := make([]bool, n)
	for _, i := range at {
		a[i] = true
	}
	return a
}

// The expected values are worked out by hand from the rules in the package
// documentation: σ(x) = 2/(1+e^(5x)) − 1, σ(−1) = 0.98661.
func TestScore(t *testing.T) {
	const n = 1000 // probation: 150 rows
	ts := rows(n)
	w1 := window(ts, 300, 309) // 10 rows
	w2 := window(ts, 600, 699) // 100 rows
	tests := []struct {
		name     string
		alerts   []int
		windows  []nab.Window
		p        nab.Profile
		raw      float64
		detected int
		fps      int
	}{
		{"no alerts: every window missed", nil, []nab.Window{w1, w2}, nab.Standard, -2, 0, 0},
		{"missed window costs FN", nil, []nab.Window{w1}, nab.LowFN, -2, 0, 0},
		// NAB divides by σ(-1) = 0.98661, so the first row earns the whole
		// TP weight, not the 0.98661·TP of the bare sigmoid.
		{"alert on a window's first row earns TP", []int{300}, []nab.Window{w1}, nab.Standard, 1, 1, 0},
		{"halfway earns σ(-0.5)/σ(-1)", []int{305}, []nab.Window{w1}, nab.Standard, 0.8597925669097837, 1, 0},
		{"last row earns σ(-0.1)/σ(-1)", []int{309}, []nab.Window{w1}, nab.Standard, 0.24824154977542992, 1, 0},
		{"only the first alert in a window counts", []int{305, 307, 309}, []nab.Window{w1}, nab.Standard, 0.8597925669097837, 1, 0},
		{"FP before any window costs FP", []int{200}, []nab.Window{w1}, nab.Standard, -0.11 - 1, 0, 1},
		{"FP far after a window costs FP", []int{200, 900}, []nab.Window{w1}, nab.LowFP, -0.22 - 0.22 - 1, 0, 2},
		{"FP one width after a window costs σ(1)·FP", []int{318}, []nab.Window{w1}, nab.Standard, 0.11*-0.9866142981514303 - 1, 0, 1},
		{"FP just after a window costs little", []int{300, 310}, []nab.Window{w1}, nab.Standard, 0.11*-0.2708471185167214 + 1, 1, 1},
		{"FP is placed against the nearest window before it", []int{700}, []nab.Window{w1, w2}, nab.Standard, 0.11*(2/(1+math.Exp(5.0/99))-1) - 2, 0, 1},
		{"probation is not scored", []int{0, 10, 149}, []nab.Window{w1}, nab.Standard, -1, 0, 0},
		{"first scored row counts", []int{150}, []nab.Window{w1}, nab.Standard, -0.11 - 1, 0, 1},
		{"a window inside probation is not scored", []int{120}, []nab.Window{window(ts, 100, 130)}, nab.Standard, 0, 0, 0},
		{"a window ending after probation is scored whole", []int{149}, []nab.Window{window(ts, 100, 159)}, nab.Standard, -1, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := nab.Score(ts, alertsAt(n, tt.alerts...), tt.windows, tt.p)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got.Raw-tt.raw) > 1e-12 {
				t.Errorf("raw = %.15g, want %.15g", got.Raw, tt.raw)
			}
			if got.Detected != tt.detected || got.FalsePositives != tt.fps || got.Windows != len(tt.windows) || got.Alerts != len(tt.alerts) {
				t.Errorf("got %+v, want %d detected, %d false positives, %d windows, %d alerts",
					got, tt.detected, tt.fps, len(tt.windows), len(tt.alerts))
			}
		})
	}
}

func TestScoreErrors(t *testing.T) {
	ts := rows(100)
	tests := []struct {
		name    string
		times   []time.Time
		alerts  []bool
		windows []nab.Window
		want    string
	}{
		{"length mismatch", ts, make([]bool, 99), nil, "99 alerts"},
		{"overlapping windows", ts, make([]bool, 100), []nab.Window{window(ts, 20, 30), window(ts, 30, 40)}, "overlaps"},
		{"window between rows", ts, make([]bool, 100),
			[]nab.Window{{Start: ts[20].Add(time.Minute), End: ts[20].Add(2 * time.Minute)}}, "holds no rows"},
		{"unsorted rows", []time.Time{ts[1], ts[0]}, make([]bool, 2), nil, "not after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := nab.Score(tt.times, tt.alerts, tt.windows, nab.Standard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestProbation(t *testing.T) {
	for _, tt := range []struct{ rows, want int }{{0, 0}, {99, 14}, {1000, 150}, {5000, 750}, {15902, 750}} {
		t.Run("", func(t *testing.T) {
			if got := nab.Probation(tt.rows); got != tt.want {
				t.Errorf("Probation(%d) = %d, want %d", tt.rows, got, tt.want)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		name    string
		raw     float64
		windows int
		p       nab.Profile
		want    float64
	}{
		{"null detector", -33, 33, nab.Standard, 0},
		{"perfect detector", 33, 33, nab.Standard, 100},
		{"halfway", 0, 33, nab.Standard, 50},
		{"low FN: null is -2 per window", -66, 33, nab.LowFN, 0},
		{"low FN: zero raw", 0, 33, nab.LowFN, 100 * 66.0 / 99},
		{"worse than null goes negative", -40, 10, nab.Standard, -150},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nab.Normalize(tt.raw, tt.windows, tt.p); math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("got %g, want %g", got, tt.want)
			}
		})
	}
}

// A corpus is normalised on its summed raw score and window count, not as
// a mean of its files' normalised scores.
func TestCorpus(t *testing.T) {
	var c nab.Corpus
	c.Add(nab.Standard, nab.FileScore{Raw: 1, Windows: 1})  // file alone: 100
	c.Add(nab.Standard, nab.FileScore{Raw: -3, Windows: 3}) // file alone: 0
	if got, want := c.Score(nab.Standard), 100*(-2.0+4)/8; math.Abs(got-want) > 1e-12 {
		t.Errorf("corpus score = %g, want %g", got, want)
	}
	if got := c.Raw(nab.Standard); got != -2 {
		t.Errorf("raw = %g, want -2", got)
	}
	if got := c.Score(nab.LowFP); got != 0 {
		t.Errorf("an empty profile scores %g, want 0", got)
	}
}

func TestReadWindows(t *testing.T) {
	const in = `{"realTweets/a.csv": [["2015-03-03 04:37:53.000000", "2015-03-04 13:37:53.000000"]], "realTweets/b.csv": []}`
	got, err := nab.ReadWindows(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := nab.Window{Start: time.Date(2015, 3, 3, 4, 37, 53, 0, time.UTC), End: time.Date(2015, 3, 4, 13, 37, 53, 0, time.UTC)}
	if len(got) != 2 || len(got["realTweets/a.csv"]) != 1 || got["realTweets/a.csv"][0] != want || len(got["realTweets/b.csv"]) != 0 {
		t.Errorf("got %+v", got)
	}
	for _, bad := range []string{
		`[]`,
		`{"a": [["2015-03-03 04:37:53"]]}`,
		`{"a": [["2015-03-03", "2015-03-04 13:37:53"]]}`,
		`{"a": [["2015-03-04 04:37:53", "2015-03-03 13:37:53"]]}`,
	} {
		t.Run(bad, func(t *testing.T) {
			if _, err := nab.ReadWindows(strings.NewReader(bad)); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	want := time.Date(2015, 2, 26, 21, 42, 53, 0, time.UTC)
	for _, s := range []string{"2015-02-26 21:42:53", "2015-02-26 21:42:53.000000", "2015-02-26T21:42:53Z", "2015-02-26T22:42:53+01:00"} {
		t.Run(s, func(t *testing.T) {
			got, err := nab.ParseTime(s)
			if err != nil || !got.Equal(want) {
				t.Errorf("got %v, %v; want %v", got, err, want)
			}
		})
	}
	if _, err := nab.ParseTime("26/02/2015"); err == nil {
		t.Error("a foreign format parsed")
	}
}
