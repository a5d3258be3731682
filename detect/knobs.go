package detect

import (
	"fmt"
	"strings"
)

// Knobs are Field=value overrides of a Config, as a command line or an
// environment variable gives them (seismo --knob). A *Knobs is a
// flag.Value.
type Knobs []string

func (k *Knobs) String() string { return strings.Join(*k, " ") }

// Set takes one or more space-separated Field=value pairs, so that one
// environment variable can hold several knobs. No value contains a space:
// lists are comma-separated.
func (k *Knobs) Set(v string) error {
	kvs := strings.Fields(v)
	if len(kvs) == 0 {
		return fmt.Errorf("want Field=value, got %q", v)
	}
	for _, kv := range kvs {
		if !strings.Contains(kv, "=") {
			return fmt.Errorf("want Field=value, got %q", kv)
		}
	}
	*k = append(*k, kvs...)
	return nil
}

// Apply returns base with each knob set (see Config.Set), validated.
func (k Knobs) Apply(base Config) (Config, error) {
	for _, kv := range k {
		name, val, _ := strings.Cut(kv, "=")
		if err := base.Set(name, val); err != nil {
			return Config{}, fmt.Errorf("%s: %w", kv, err)
		}
	}
	if err := base.Validate(); err != nil {
		return Config{}, err
	}
	return base, nil
}
