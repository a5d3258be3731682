package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/seismo-dev/seismo/detect"
)

// newFlagSet returns a flag set whose usage text names the environment
// variable of every flag.
func newFlagSet(name, synopsis string, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(w)
	fs.Usage = func() {
		fmt.Fprintf(w, "Usage: seismo %s\n\n", synopsis)
		fs.VisitAll(func(f *flag.Flag) {
			typ, usage := flag.UnquoteUsage(f)
			name := "--" + f.Name
			if typ != "" {
				name += " " + typ
			}
			fmt.Fprintf(w, "  %s\n    \t%s", name, strings.ReplaceAll(usage, "\n", "\n    \t"))
			if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "0s" {
				fmt.Fprintf(w, " (default %s)", f.DefValue)
			}
			fmt.Fprintf(w, " [$%s]\n", envName(f.Name))
		})
	}
	return fs
}

func envName(flagName string) string {
	return "SEISMO_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parse applies SEISMO_* environment values to flags not given on the
// command line, then the command line itself. Flags win over environment.
func parse(fs *flag.FlagSet, args []string, env func(string) string) error {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		// The flag package has printed the error and the usage already.
		return errFlagsReported
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		if v := env(envName(f.Name)); v != "" {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%w: %s=%q: %v", errUsage, envName(f.Name), v, e)
			}
		}
	})
	return err
}

// list splits a comma-separated flag value, dropping empty items.
func list(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// logFlags are the logging flags every long-running command has.
type logFlags struct {
	level  string
	format string
}

func (l *logFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&l.level, "log-level", "info", "log level: debug, info, warn, error")
	fs.StringVar(&l.format, "log-format", "text", "log format: text or json")
}

func (l *logFlags) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(l.level)); err != nil {
		return nil, fmt.Errorf("%w: --log-level %q: want debug, info, warn or error", errUsage, l.level)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch l.format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		// A duration reads as "15s", not as 15000000000 nanoseconds.
		opts.ReplaceAttr = func(_ []string, a slog.Attr) slog.Attr {
			if a.Value.Kind() == slog.KindDuration {
				a.Value = slog.StringValue(a.Value.Duration().String())
			}
			return a
		}
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("%w: --log-format %q: want text or json", errUsage, l.format)
}

// durationPositive checks a duration flag.
func durationPositive(name string, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("%w: --%s must be positive, got %s", errUsage, name, d)
	}
	return nil
}

var getenv = os.Getenv

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// knobUsage is the --knob flag's help text.
const knobUsage = "override one detector knob, as Field=value with a detect.Config field name\n" +
	"(MinReporters=6, MaxP=1e-5, QuietFor=20m, ExtraWindows=1m,15m); repeat it, or separate\n" +
	"several with spaces (\"MinReporters=6 QuietFor=20m\")"

// knobConfig returns base with the --knob overrides applied; a bad one is
// a usage error.
func knobConfig(knobs detect.Knobs, base detect.Config) (detect.Config, error) {
	cfg, err := knobs.Apply(base)
	if err != nil {
		return cfg, fmt.Errorf("%w: --knob %v", errUsage, err)
	}
	return cfg, nil
}
