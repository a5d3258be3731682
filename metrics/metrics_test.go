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

func TestDelete(t *testing.T) {
	r := metrics.New()
	r.Gauge("seismo_lag", "Lag.", "partition", "0").Set(3)
	r.Gauge("seismo_lag", "Lag.", "partition", "1").Set(4)
	r.Delete("seismo_lag", "partition", "0")
	r.Delete("seismo_nothing", "partition", "0") // unknown: no-op
	var b strings.Builder
	if _, err := r.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); strings.Contains(got, `partition="0"`) || !strings.Contains(got, `seismo_lag{partition="1"} 4`) {
		t.Errorf("after deleting partition 0:\n%s", got)
	}
}

func TestHistogram(t *testing.T) {
	r := metrics.New()
	h := r.Histogram("lat_seconds", "Latency.", []float64{0.1, 1}, "route", "a")
	for _, x := range []float64{0.05, 0.5, 0.5, 3} {
		h.Observe(x)
	}
	var b strings.Builder
	if _, err := r.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"# TYPE lat_seconds histogram",
		`lat_seconds_bucket{route="a",le="0.1"} 1`,
		`lat_seconds_bucket{route="a",le="1"} 3`,
		`lat_seconds_bucket{route="a",le="+Inf"} 4`,
		`lat_seconds_sum{route="a"} 4.05`,
		`lat_seconds_count{route="a"} 4`,
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("exposition lacks %s:\n%s", want, b.String())
		}
	}
	if h.Count() != 4 {
		t.Errorf("Count = %d", h.Count())
	}
}
