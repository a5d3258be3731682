package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/simulate"
)

// builtinScenarios are the scenarios shipped in the binary, by name.
var builtinScenarios = map[string]func() *simulate.Scenario{
	"whatsapp-2024-04-03": simulate.WhatsApp2024,
}

func scenarioNames() string {
	names := make([]string, 0, len(builtinScenarios))
	for n := range builtinScenarios {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func runSimulate(ctx context.Context, args []string, sio stdio) error {
	fs := newFlagSet("simulate", "simulate [--scenario NAME] > posts.jsonl", sio.err)
	name := fs.String("scenario", "whatsapp-2024-04-03", "built-in scenario to write: "+scenarioNames())
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	mk, ok := builtinScenarios[*name]
	if !ok {
		return fmt.Errorf("%w: unknown scenario %q (built in: %s)", errUsage, *name, scenarioNames())
	}
	w := bufio.NewWriterSize(sio.out, 64<<10)
	enc := json.NewEncoder(w)
	err := mk().Generate(func(p seismo.Post) error {
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
