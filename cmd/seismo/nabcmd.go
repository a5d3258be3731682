package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/seismo-dev/seismo/backtest"
	"github.com/seismo-dev/seismo/backtest/nab"
	"github.com/seismo-dev/seismo/detect"
)

func runNAB(ctx context.Context, args []string, sio stdio) error {
	fs := newFlagSet("nab", "nab --data DIR [--windows FILE] [--out DIR] [--knob Field=value ...]", sio.err)
	dataDir := fs.String("data", "", "NAB data directory: the windows file's paths are relative to it")
	windowsFile := fs.String("windows", "", "NAB windows file (combined_windows*.json); empty: the only combined_windows*.json in --data")
	outDir := fs.String("out", "", "directory to write each file's timestamp,value,alert CSV into, under its relative path")
	var knobs detect.Knobs
	fs.Var(&knobs, "knob", "override one knob of the series configuration (detect.SeriesConfig), as Field=value with a\ndetect.Config field name: MinRatio=2, QuietFor=3h, ExtraWindows=1h; repeat for several.\nFor sensitivity studies: the benchmark figures use none")
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	if *dataDir == "" {
		return fmt.Errorf("%w: --data is required", errUsage)
	}
	cfg, err := knobConfig(knobs, detect.SeriesConfig())
	if err != nil {
		return err
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
	rep, err := backtest.NAB(ctx, backtest.NABOptions{Config: cfg, DataDir: *dataDir, Windows: windows, OutDir: *outDir})
	if err != nil {
		return err
	}
	return rep.WriteTable(sio.out)
}
