package detect_test

import (
	"strings"
	"testing"
	"time"

	"github.com/seismo-dev/seismo/detect"
)

func TestKnobs(t *testing.T) {
	var k detect.Knobs
	if err := k.Set("MinReporters=6 QuietFor=20m"); err != nil {
		t.Fatal(err)
	}
	if err := k.Set("ExtraWindows=1m,30m"); err != nil {
		t.Fatal(err)
	}
	cfg, err := k.Apply(detect.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MinReporters != 6 || cfg.QuietFor != 20*time.Minute || len(cfg.ExtraWindows) != 2 || cfg.ExtraWindows[1] != 30*time.Minute {
		t.Errorf("applied %v: MinReporters %d, QuietFor %s, ExtraWindows %v", k, cfg.MinReporters, cfg.QuietFor, cfg.ExtraWindows)
	}
	for _, bad := range []string{"", "MinReporters", "MaxP=1e-5 QuietFor"} {
		var k detect.Knobs
		if err := k.Set(bad); err == nil || !strings.Contains(err.Error(), "want Field=value") {
			t.Errorf("Set(%q) = %v, want a Field=value error", bad, err)
		}
	}
	for kv, want := range map[string]string{"Nope=1": "no field Nope", "MaxP=often": "MaxP=often", "MaxP=2": "MaxP must be in (0, 1)"} {
		k := detect.Knobs{kv}
		if _, err := k.Apply(detect.DefaultConfig()); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Apply(%s) = %v, want an error saying %q", kv, err, want)
		}
	}
}
