package metrics_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/seismo-dev/seismo/metrics"
)

func TestRegistryExposition(t *testing.T) {
	r := metrics.New()
	bad := r.Counter("seismo_rejected_total", "Rejected posts.", "reason", "bad_json")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				bad.Inc()
			}
		})
	}
	wg.Wait()
	r.Counter("seismo_rejected_total", "Rejected posts.", "reason", "bad_json").Add(2)
	r.Gauge("seismo_watermark_seconds", "Watermark.").Set(1.5)

	var b strings.Builder
	if _, err := r.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, want := range []string{
		"# TYPE seismo_rejected_total counter\n",
		`seismo_rejected_total{reason="bad_json"} 8002` + "\n",
		"seismo_watermark_seconds 1.5\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("exposition lacks %q:\n%s", want, got)
		}
	}
	if bad.Value() != 8002 {
		t.Errorf("Value = %d, want 8002", bad.Value())
	}
}

func TestNilRegistry(t *testing.T) {
	var r *metrics.Registry
	c := r.Counter("x", "x")
	c.Inc()
	if c.Value() != 1 {
		t.Errorf("counter from nil registry = %d, want 1", c.Value())
	}
}
