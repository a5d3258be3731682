package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"time"

	"github.com/seismo-dev/seismo/backtest"
	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/simulate"
)

func runBacktest(ctx context.Context, args []string, sio stdio) error {
	fs := newFlagSet("backtest", "backtest --posts FILE [--truth FILE] [flags] > events.jsonl\n       seismo backtest --series FILE.csv > alerts.csv\n       seismo backtest --draw 1-20", sio.err)
	postsFile := fs.String("posts", "", "file of Post JSON lines (- for standard input); posts need not be sorted")
	seriesFile := fs.String("series", "", "CSV file with header timestamp,value (- for standard input): run the detector on one count series\nand write timestamp,value,alert to stdout instead of reading posts")
	truthFile := fs.String("truth", "", "truth file written by seismo simulate: score the incidents against it")
	drawSeeds := fs.String("draw", "", "seeds of random scenarios to replay and grade instead of reading posts (simulate.Draw:\nfour days, twelve countries, outages of seven families, a spam and a news decoy), as 1-20 or 1,5,9-12;\nprints recall, false incidents per simulated week, decoys fired and latencies per family")
	var knobs detect.Knobs
	fs.Var(&knobs, "knob", knobUsage+"\n(the defaults are detect.DefaultConfig for posts, detect.SeriesConfig for --series)")
	redisAddr := fs.String("redis-addr", "", "Redis to count in (keys get a unique prefix and expire); empty: embedded in-process Redis,\nwhose HyperLogLog estimates differ slightly from redis-server's above about a hundred reporters")
	flush := fs.Duration("flush", time.Hour, "event time to keep evaluating after the last post, so open incidents can resolve")
	reporterKey := fs.String("reporter-key", "", "secret key for hashing authors, as seismo run's --reporter-key (default random): with the\nsame key the distinct-reporter counts, and so the incidents, are those of the live pipeline")
	var cf classifierFlags
	cf.register(fs)
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	switch {
	case *seriesFile != "" && *postsFile != "", *drawSeeds != "" && (*postsFile != "" || *seriesFile != ""):
		return fmt.Errorf("%w: --posts, --series and --draw exclude each other", errUsage)
	case *drawSeeds != "":
		seeds, err := backtest.ParseSeeds(*drawSeeds)
		if err != nil {
			return fmt.Errorf("%w: --draw: %v", errUsage, err)
		}
		cfg, err := knobConfig(knobs, detect.DefaultConfig())
		if err != nil {
			return err
		}
		cls, err := cf.build()
		if err != nil {
			return err
		}
		return runDrawn(ctx, seeds, backtest.DrawnOptions{Classifier: cls, Config: cfg, Flush: *flush,
			RedisAddr: *redisAddr, ReporterKey: []byte(*reporterKey)}, sio)
	case *seriesFile != "":
		cfg, err := knobConfig(knobs, detect.SeriesConfig())
		if err != nil {
			return err
		}
		return runSeriesBacktest(ctx, *seriesFile, cfg, sio)
	case *postsFile == "":
		return fmt.Errorf("%w: --posts or --series is required", errUsage)
	}
	dcfg, err := knobConfig(knobs, detect.DefaultConfig())
	if err != nil {
		return err
	}
	if *flush < 0 {
		return fmt.Errorf("%w: --flush must not be negative", errUsage)
	}
	var truth *simulate.Truth
	if *truthFile != "" {
		t, err := readTruth(*truthFile)
		if err != nil {
			return err
		}
		truth = t
	}
	in, err := openInput(*postsFile, sio.in)
	if err != nil {
		return err
	}
	defer in.Close()
	shown := 0
	input, err := backtest.ReadPosts(in, func(line int, err error) {
		// The first few point at what is wrong; the summary counts them all.
		if shown++; shown <= 5 {
			fmt.Fprintf(sio.err, "line %d: %v\n", line, err)
		}
	})
	if err != nil {
		return err
	}
	cls, err := cf.build()
	if err != nil {
		return err
	}

	store, done, err := backtest.OpenStore(*redisAddr, "backtest", []byte(*reporterKey), cls.Services())
	if err != nil {
		return err
	}
	defer done()

	out := bufio.NewWriter(sio.out)
	defer out.Flush()
	res, err := backtest.Replay(ctx, input.Posts, backtest.Options{Classifier: cls, Store: store, Config: dcfg, Flush: *flush, Emit: backtest.EventLines(out)})
	if err != nil {
		return err
	}
	if err := out.Flush(); err != nil {
		return err
	}
	res.WriteSummary(sio.err, input)
	if truth != nil {
		backtest.WriteScore(sio.err, truth, simulate.Score(truth, res.Events))
	}
	return nil
}

// runSeriesBacktest runs the detector over one count series: CSV with
// header timestamp,value in, timestamp,value,alert out, alert 1 on the
// bucket where an incident opens.
func runSeriesBacktest(ctx context.Context, file string, cfg detect.Config, sio stdio) error {
	in, err := openInput(file, sio.in)
	if err != nil {
		return err
	}
	defer in.Close()
	s, err := backtest.ReadSeries(in, file)
	if err != nil {
		return err
	}
	alerts, err := s.Detect(ctx, cfg)
	if err != nil {
		return err
	}
	if err := s.WriteAlerts(sio.out, alerts); err != nil {
		return err
	}
	n := 0
	for _, a := range alerts {
		if a {
			n++
		}
	}
	fmt.Fprintf(sio.err, "backtest: %d buckets of %s, %d alerts (incidents opened)\n", s.Len(), s.Step(), n)
	return nil
}

// readTruth reads a truth file written by seismo simulate --truth.
func readTruth(name string) (*simulate.Truth, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read truth: %w", err)
	}
	t, err := simulate.ParseTruth(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", errUsage, name, err)
	}
	return t, nil
}

// runDrawn replays drawn scenarios, each on a store of its own, and prints
// their grades as a whole.
func runDrawn(ctx context.Context, seeds []uint64, opt backtest.DrawnOptions, sio stdio) error {
	began := time.Now()
	opt.Progress = func(run backtest.DrawnRun) {
		fmt.Fprintf(sio.err, "%s (%s)\n", run, time.Since(began).Round(time.Second))
	}
	rep, err := backtest.Drawn(ctx, seeds, opt)
	if err != nil {
		return err
	}
	rep.Write(sio.out)
	return nil
}
