package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/app"
	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/simulate"
)

func runDemo(ctx context.Context, args []string, sio stdio) error {
	fs := newFlagSet("demo", "demo [--once] [flags]", sio.err)
	once := fs.Bool("once", false, "exit after the scenario: status 0 only if incidents opened for WhatsApp")
	httpAddr := fs.String("http-addr", "127.0.0.1:8080", "address of the HTTP API and dashboard (a free port is used if this one is taken)")
	speed := fs.Float64("speed", 0, "event-time seconds played per wall-clock second (0: as fast as possible)")
	partitions := fs.Int("partitions", 3, "partitions of the embedded posts topic")
	var knobs detect.Knobs
	fs.Var(&knobs, "knob", knobUsage)
	var af apiFlags
	af.register(fs)
	var cf classifierFlags
	cf.register(fs)
	lf := logFlags{}
	lf.register(fs)
	fs.Lookup("log-level").DefValue, lf.level = "warn", "warn"
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	// Named by their flags here; Validate names the options.
	if *speed < 0 {
		return fmt.Errorf("%w: --speed must not be negative", errUsage)
	}
	if *partitions < 1 || *partitions > 64 {
		return fmt.Errorf("%w: --partitions must be 1..64", errUsage)
	}
	dcfg, err := knobConfig(knobs, detect.DefaultConfig())
	if err != nil {
		return err
	}
	adminToken, err := af.admin()
	if err != nil {
		return err
	}
	log, err := lf.logger(sio.err)
	if err != nil {
		return err
	}
	say := func(format string, args ...any) { fmt.Fprintf(sio.err, "seismo demo: "+format+"\n", args...) }
	opts := app.DemoOptions{Scenario: simulate.WhatsApp2024(), Detect: dcfg, HTTPAddr: *httpAddr,
		Speed: *speed, Partitions: *partitions, Once: *once, Events: sio.out, Say: say, Logger: log,
		Classifier: cf.build, AdminToken: adminToken, ReadToken: af.readToken, PublicURL: af.publicURL}
	if opts.Webhooks, err = af.webhooks(); err != nil {
		return err
	}
	if err := opts.Validate(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	res, err := app.Demo(ctx, opts)
	if err != nil || !*once {
		return err
	}
	res.WriteSummary(sio.err)
	for _, in := range res.Incidents {
		if in.Service == "whatsapp" && in.Status != seismo.StatusPending {
			return nil
		}
	}
	return errors.New("no WhatsApp incident opened")
}
