package backtest

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/classify"
	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/simulate"
)

// LargeOutage is the fewest complainers (distinct people posting, over all
// countries) that make an outage one the detector must find: the recall
// target is set on these.
const LargeOutage = 30

// DrawnOptions configure Drawn.
type DrawnOptions struct {
	Classifier *classify.Classifier
	Config     detect.Config
	Flush      time.Duration
	// RedisAddr and ReporterKey are OpenStore's: each seed is replayed on
	// a store of its own.
	RedisAddr   string
	ReporterKey []byte
	// Progress, when set, hears of each seed done.
	Progress func(run DrawnRun)
}

// DrawnRun is one drawn scenario, replayed and graded.
type DrawnRun struct {
	Seed  uint64
	Truth *simulate.Truth
	Score *simulate.Scorecard
}

// String is the run in one line, as a batch reports its progress.
func (r DrawnRun) String() string {
	return fmt.Sprintf("seed %d: countries found %.3f, %d false incident(s), %d decoy incident(s), median latency %s",
		r.Seed, r.Score.Recall, len(r.Score.FalseIncidents), len(r.Score.BurstIncidents), r.Score.MedianLatency)
}

// FamilyStats is how the outages of one family fared over a batch.
type FamilyStats struct {
	Family string
	// Outages and Detected count the family's outages (one per service);
	// Large and LargeDetected those with at least LargeOutage complainers.
	Outages, Detected, Large, LargeDetected int
	// Latencies are from onset to the incident's opening, of the detected.
	Latencies []time.Duration
}

// DrawnReport is a batch of drawn scenarios graded together.
type DrawnReport struct {
	Runs     []DrawnRun
	Families []FamilyStats
	// Weeks is the simulated time of all runs, in weeks.
	Weeks float64
	// FalseIncidents counts incidents nothing in the truths explains;
	// DecoyIncidents those a spam, news or collateral burst caused, and
	// DecoysByKind the same by the kind of burst.
	FalseIncidents, DecoyIncidents int
	DecoysByKind                   map[string]int
}

// Drawn replays simulate.Draw(seed) for each seed through the detector and
// grades each against its truth.
func Drawn(ctx context.Context, seeds []uint64, opt DrawnOptions) (*DrawnReport, error) {
	rep := &DrawnReport{DecoysByKind: map[string]int{}}
	key := opt.ReporterKey
	if len(key) == 0 {
		// One key for the batch: each seed's replay hashes alike.
		key = []byte(randomHex(32))
	}
	fams := map[string]*FamilyStats{}
	for _, f := range simulate.Families() {
		fams[f] = &FamilyStats{Family: f}
	}
	for _, seed := range seeds {
		sc := simulate.Draw(seed)
		var posts []seismo.Post
		if err := sc.Generate(func(p seismo.Post) error { posts = append(posts, p); return nil }); err != nil {
			return rep, fmt.Errorf("seed %d: %w", seed, err)
		}
		store, done, err := OpenStore(opt.RedisAddr, fmt.Sprintf("draw-%d", seed), key, opt.Classifier.Services())
		if err != nil {
			return rep, err
		}
		res, err := Replay(ctx, posts, Options{Classifier: opt.Classifier, Store: store, Config: opt.Config, Flush: opt.Flush})
		done()
		if err != nil {
			return rep, fmt.Errorf("seed %d: %w", seed, err)
		}
		truth := sc.Truth()
		run := DrawnRun{Seed: seed, Truth: truth, Score: simulate.Score(truth, res.Events)}
		rep.Runs = append(rep.Runs, run)
		rep.Weeks += sc.End.Sub(sc.Start).Hours() / (7 * 24)
		rep.FalseIncidents += len(run.Score.FalseIncidents)
		rep.DecoyIncidents += len(run.Score.BurstIncidents)
		kinds := map[string]string{}
		for _, o := range run.Score.BurstOpenings {
			if o.Burst >= 0 && o.Burst < len(truth.Bursts) && slices.Contains(run.Score.BurstIncidents, o.Incident) {
				kinds[o.Incident] = truth.Bursts[o.Burst].Kind
			}
		}
		for _, k := range kinds {
			rep.DecoysByKind[k]++
		}
		for _, o := range run.Score.Outages {
			f := fams[simulate.FamilyOf(o.Outage.Outage)]
			if f == nil {
				continue
			}
			total := 0
			for _, n := range o.Outage.Reporters {
				total += n
			}
			f.Outages++
			large := total >= LargeOutage
			if large {
				f.Large++
			}
			if o.Detected {
				f.Detected++
				f.Latencies = append(f.Latencies, o.Latency)
				if large {
					f.LargeDetected++
				}
			}
		}
		if opt.Progress != nil {
			opt.Progress(run)
		}
	}
	for _, f := range simulate.Families() {
		rep.Families = append(rep.Families, *fams[f])
	}
	return rep, nil
}

// Write prints the report: per family the outages found and their
// latencies, then recall over the large outages, false incidents per
// simulated week and decoys fired.
func (r *DrawnReport) Write(w io.Writer) {
	seeds := make([]uint64, 0, len(r.Runs))
	for _, run := range r.Runs {
		seeds = append(seeds, run.Seed)
	}
	fmt.Fprintf(w, "%d drawn scenarios (seeds %s), %.1f simulated weeks\n", len(r.Runs), seedRanges(seeds), r.Weeks)
	fmt.Fprintf(w, "%-10s %8s %9s %14s %8s %8s\n", "family", "outages", "detected", "large found", "median", "p90")
	var all []time.Duration
	var large, largeFound, outages, detected int
	for _, f := range r.Families {
		all = append(all, f.Latencies...)
		large, largeFound, outages, detected = large+f.Large, largeFound+f.LargeDetected, outages+f.Outages, detected+f.Detected
		fmt.Fprintf(w, "%-10s %8d %9d %9d of %-3d %8s %8s\n", f.Family, f.Outages, f.Detected, f.LargeDetected, f.Large,
			minutesText(simulate.Median(f.Latencies)), minutesText(percentile(f.Latencies, 0.9)))
	}
	fmt.Fprintf(w, "%-10s %8d %9d %9d of %-3d %8s %8s\n", "all", outages, detected, largeFound, large,
		minutesText(simulate.Median(all)), minutesText(percentile(all, 0.9)))
	recall := 1.0
	if large > 0 {
		recall = float64(largeFound) / float64(large)
	}
	perWeek := 0.0
	if r.Weeks > 0 {
		perWeek = float64(r.FalseIncidents) / r.Weeks
	}
	fmt.Fprintf(w, "recall of outages with >= %d complainers: %.3f (%d of %d)\n", LargeOutage, recall, largeFound, large)
	fmt.Fprintf(w, "false incidents: %d, %.2f per simulated week\n", r.FalseIncidents, perWeek)
	fmt.Fprintf(w, "decoys fired (spam, news or collateral questions opened an incident): %d", r.DecoyIncidents)
	for _, k := range []string{simulate.BurstSpam, simulate.BurstNews, simulate.BurstCollateral} {
		if n := r.DecoysByKind[k]; n > 0 {
			fmt.Fprintf(w, ", %s %d", k, n)
		}
	}
	fmt.Fprintln(w)
}

// percentile returns the q-quantile of ds (nearest rank), 0 when empty.
func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.999999) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func minutesText(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fm", d.Minutes())
}

// seedRanges writes sorted seeds as ranges: "1-20,25".
func seedRanges(seeds []uint64) string {
	s := slices.Clone(seeds)
	slices.Sort(s)
	out := ""
	for i := 0; i < len(s); {
		j := i
		for j+1 < len(s) && s[j+1] == s[j]+1 {
			j++
		}
		if out != "" {
			out += ","
		}
		if j > i {
			out += fmt.Sprintf("%d-%d", s[i], s[j])
		} else {
			out += fmt.Sprint(s[i])
		}
		i = j + 1
	}
	return out
}

// ParseSeeds reads "1-20,25": seeds and inclusive ranges of them.
func ParseSeeds(s string) ([]uint64, error) {
	var out []uint64
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.ParseUint(lo, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a seed", part)
		}
		b := a
		if isRange {
			if b, err = strconv.ParseUint(hi, 10, 64); err != nil || b < a {
				return nil, fmt.Errorf("%q is not a range of seeds", part)
			}
		}
		if b-a >= 10000 || len(out)+int(b-a) >= 10000 {
			return nil, fmt.Errorf("more than 10,000 seeds")
		}
		for x := a; x <= b; x++ {
			out = append(out, x)
		}
	}
	return out, nil
}
