package detect_test

import (
	"testing"
	"time"

	"github.com/seismo-dev/seismo/detect"
)

// Set takes every kind of knob from text and refuses what is not one.
func TestConfigSet(t *testing.T) {
	c := detect.DefaultConfig()
	for _, kv := range [][2]string{{"MinReporters", "6"}, {"MaxP", "1e-5"}, {"QuietFor", "20m"}, {"ExtraWindows", "1m, 15m"}} {
		if err := c.Set(kv[0], kv[1]); err != nil {
			t.Fatalf("Set(%s, %s): %v", kv[0], kv[1], err)
		}
	}
	if c.MinReporters != 6 || c.MaxP != 1e-5 || c.QuietFor != 20*time.Minute ||
		len(c.ExtraWindows) != 2 || c.ExtraWindows[1] != 15*time.Minute {
		t.Errorf("config after Set: %+v", c)
	}
	for _, kv := range [][2]string{{"Bogus", "1"}, {"MinReporters", "six"}, {"QuietFor", "20"}, {"ExtraWindows", "1m,x"}, {"maxP", "1"}} {
		if err := c.Set(kv[0], kv[1]); err == nil {
			t.Errorf("Set(%s, %s) accepted", kv[0], kv[1])
		}
	}
}
