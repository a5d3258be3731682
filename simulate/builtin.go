package simulate

import (
	"embed"
	"fmt"
	"path"
	"slices"
	"strings"
)

// scenarioFiles are the shipped scenarios, one YAML file each, named after
// the scenario.
//
//go:embed scenarios/*.yaml
var scenarioFiles embed.FS

// BuiltinNames returns the names of the shipped scenarios, sorted.
func BuiltinNames() []string {
	entries, _ := scenarioFiles.ReadDir("scenarios") // embedded: cannot fail
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	slices.Sort(names)
	return names
}

// Builtin returns the shipped scenario of that name.
func Builtin(name string) (*Scenario, error) {
	if !slices.Contains(BuiltinNames(), name) {
		return nil, fmt.Errorf("no built-in scenario %q (built in: %s)", name, strings.Join(BuiltinNames(), ", "))
	}
	data, err := scenarioFiles.ReadFile(path.Join("scenarios", name+".yaml"))
	if err != nil {
		return nil, fmt.Errorf("built-in scenario %s: %w", name, err)
	}
	s, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("built-in scenario %s: %w", name, err)
	}
	return s, nil
}

// WhatsApp2024 is the shipped scenario whatsapp-2024-04-03: days of
// ordinary traffic in twelve countries, a spam account, and the WhatsApp
// outage of 3 April 2024 as the press reported it. The tests parse every
// shipped scenario, so it cannot fail; it panics if the binary was built
// from a broken file.
func WhatsApp2024() *Scenario {
	s, err := Builtin("whatsapp-2024-04-03")
	if err != nil {
		panic(err)
	}
	return s
}
