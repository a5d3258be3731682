package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	// Scenarios name IANA time zones; the binary carries the database so
	// it needs none on the machine.
	_ "time/tzdata"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/simulate"
)

func runSimulate(ctx context.Context, args []string, sio stdio) error {
	fs := newFlagSet("simulate", "simulate [--scenario NAME|FILE] [--truth FILE] > posts.jsonl", sio.err)
	name := fs.String("scenario", "whatsapp-2024-04-03",
		"built-in scenario ("+strings.Join(simulate.BuiltinNames(), ", ")+") or a scenario YAML file")
	truthFile := fs.String("truth", "", "also write what should become an incident, and what must not, to this JSON file")
	var cf classifierFlags
	fs.StringVar(&cf.catalog, "catalog", "", "service catalog file that lists the service ids a scenario may use, instead of the built-in one")
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	s, err := loadScenario(*name)
	if err != nil {
		return err
	}
	// Service ids are checked against the catalog the backtest will
	// classify with: an id it does not know could never open an incident.
	cls, err := cf.build()
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, sv := range cls.Services() {
		known[sv.ID] = true
	}
	if err := s.CheckServices(func(id string) bool { return known[id] }); err != nil {
		return fmt.Errorf("%w: scenario %s:\n  %s", errUsage, *name, strings.ReplaceAll(err.Error(), "\n", "\n  "))
	}
	if *truthFile != "" {
		if err := writeTruth(*truthFile, s.Truth()); err != nil {
			return err
		}
	}
	w := bufio.NewWriterSize(sio.out, 64<<10)
	enc := json.NewEncoder(w)
	err = s.Generate(func(p seismo.Post) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return enc.Encode(p)
	})
	if err != nil {
		return err
	}
	return w.Flush()
}

// loadScenario returns the built-in scenario of that name, or else reads
// the file of that name.
func loadScenario(name string) (*simulate.Scenario, error) {
	if slices.Contains(simulate.BuiltinNames(), name) {
		return simulate.Builtin(name)
	}
	data, err := os.ReadFile(name)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: --scenario %q is neither a built-in scenario (%s) nor a file",
			errUsage, name, strings.Join(simulate.BuiltinNames(), ", "))
	}
	if err != nil {
		return nil, fmt.Errorf("read scenario: %w", err)
	}
	s, err := simulate.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%w: scenario %s:\n  %s", errUsage, name, strings.ReplaceAll(err.Error(), "\n", "\n  "))
	}
	return s, nil
}

func writeTruth(name string, t *simulate.Truth) error {
	data, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return fmt.Errorf("encode truth: %w", err)
	}
	if err := os.WriteFile(name, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write truth: %w", err)
	}
	return nil
}
