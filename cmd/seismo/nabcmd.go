package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/seismo-dev/seismo/backtest/nab"
	"github.com/seismo-dev/seismo/detect"
)

func runNAB(ctx context.Context, args []string, sio stdio) error {
	fs := newFlagSet("nab", "nab --data DIR [--windows FILE] [--out DIR] [--knob Field=value ...]", sio.err)
	dataDir := fs.String("data", "", "NAB data directory: the windows file's paths are relative to it")
	windowsFile := fs.String("windows", "", "NAB windows file (combined_windows*.json); empty: the only combined_windows*.json in --data")
	outDir := fs.String("out", "", "directory to write each file's timestamp,value,alert CSV into, under its relative path")
	var knobs knobFlags
	fs.Var(&knobs, "knob", "override one knob of the series configuration (detect.SeriesConfig), as Field=value with a\ndetect.Config field name: MinRatio=2, QuietFor=3h, ExtraWindows=1h; repeat for several.\nFor sensitivity studies: the benchmark figures use none")
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	if *dataDir == "" {
		return fmt.Errorf("%w: --data is required", errUsage)
	}
	cfg := detect.SeriesConfig()
	if err := knobs.apply(&cfg); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *windowsFile == "" {
		found, err := filepath.Glob(filepath.Join(*dataDir, "combined_windows*.json"))
		if err != nil || len(found) != 1 {
			return fmt.Errorf("%w: found %d combined_windows*.json files in %s; name one with --windows", errUsage, len(found), *dataDir)
		}
		*windowsFile = found[0]
	}
	wf, err := os.Open(*windowsFile)
	if err != nil {
		return err
	}
	windows, err := nab.ReadWindows(wf)
	wf.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", *windowsFile, err)
	}
	if len(windows) == 0 {
		return fmt.Errorf("%s: no files", *windowsFile)
	}

	fmt.Fprintf(sio.out, "detector: detect.SeriesConfig()")
	if len(knobs) > 0 {
		fmt.Fprintf(sio.out, " with %s", knobs.String())
	}
	fmt.Fprintf(sio.out, "; windows: %s\n\n", *windowsFile)
	tw := tabwriter.NewWriter(sio.out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "file\trows\talerts\tdetected\tfalse pos\traw standard\traw low FP\traw low FN\t")
	var corpus nab.Corpus
	var rows, alerts, detected, fps, nwin int
	for _, rel := range slices.Sorted(maps.Keys(windows)) {
		res, err := nabFile(ctx, cfg, *dataDir, rel, windows[rel], *outDir)
		if err != nil {
			return err
		}
		st := res.scores[0]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d/%d\t%d\t%.3f\t%.3f\t%.3f\t\n", rel, res.rows, st.Alerts, st.Detected, st.Windows,
			st.FalsePositives, res.scores[0].Raw, res.scores[1].Raw, res.scores[2].Raw)
		for k, p := range nab.Profiles() {
			corpus.Add(p, res.scores[k])
		}
		rows, alerts, detected, fps, nwin = rows+res.rows, alerts+st.Alerts, detected+st.Detected, fps+st.FalsePositives, nwin+st.Windows
	}
	p := nab.Profiles()
	fmt.Fprintf(tw, "total\t%d\t%d\t%d/%d\t%d\t%.3f\t%.3f\t%.3f\t\n", rows, alerts, detected, nwin, fps,
		corpus.Raw(p[0]), corpus.Raw(p[1]), corpus.Raw(p[2]))
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(sio.out, "\nNAB score (0 = no alerts, 100 = perfect):")
	for _, p := range p {
		fmt.Fprintf(sio.out, "  %s %.1f", p.Name, corpus.Score(p))
	}
	fmt.Fprintln(sio.out)
	return nil
}

// nabResult is one file's outcome, with a score per profile in
// nab.Profiles order.
type nabResult struct {
	rows   int
	scores []nab.FileScore
}

// nabFile detects on one data file and scores its alerts.
func nabFile(ctx context.Context, cfg detect.Config, dataDir, rel string, windows []nab.Window, outDir string) (nabResult, error) {
	path := filepath.Join(dataDir, filepath.FromSlash(rel))
	f, err := os.Open(path)
	if err != nil {
		return nabResult{}, err
	}
	defer f.Close()
	s, err := readSeries(f, rel)
	if err != nil {
		return nabResult{}, err
	}
	alerts, err := detectSeries(ctx, cfg, s)
	if err != nil {
		return nabResult{}, fmt.Errorf("%s: %w", rel, err)
	}
	if outDir != "" {
		if err := writeAlertFile(filepath.Join(outDir, filepath.FromSlash(rel)), s, alerts); err != nil {
			return nabResult{}, err
		}
	}
	times := make([]time.Time, len(s.rows))
	for i, r := range s.rows {
		times[i] = r.t
	}
	res := nabResult{rows: len(s.rows)}
	for _, p := range nab.Profiles() {
		sc, err := nab.Score(times, alerts, windows, p)
		if err != nil {
			return nabResult{}, fmt.Errorf("%s: %w", rel, err)
		}
		res.scores = append(res.scores, sc)
	}
	return res, nil
}

func writeAlertFile(path string, s series, alerts []bool) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := writeAlerts(f, s, alerts); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}
