// Package metrics is a small registry of counters and gauges exposed in the
// Prometheus text format. It exists so packages can count what they do
// without a client library; the registry is created in main and injected.
package metrics

import (
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// Registry holds named metrics. The zero value is not usable; call New.
type Registry struct {
	mu      sync.Mutex
	metrics map[string]*family
}

type family struct {
	name, help, kind string
	series           map[string]*atomic.Uint64 // label string -> value bits
	hists            map[string]*histogram     // for kind "histogram"
}

// New returns an empty registry.
func New() *Registry { return &Registry{metrics: map[string]*family{}} }

// Counter is a monotonically increasing value.
type Counter struct{ v *atomic.Uint64 }

// Add adds n to the counter.
func (c Counter) Add(n uint64) {
	if c.v != nil {
		c.v.Add(n)
	}
}

// Inc adds one.
func (c Counter) Inc() { c.Add(1) }

// Value returns the current count.
func (c Counter) Value() uint64 {
	if c.v == nil {
		return 0
	}
	return c.v.Load()
}

// Gauge is a value that goes up and down, stored as float64 bits.
type Gauge struct{ v *atomic.Uint64 }

// Set sets the gauge.
func (g Gauge) Set(x float64) {
	if g.v != nil {
		g.v.Store(math.Float64bits(x))
	}
}

// Value returns the gauge's value.
func (g Gauge) Value() float64 {
	if g.v == nil {
		return 0
	}
	return math.Float64frombits(g.v.Load())
}

// Counter returns the counter name{labels}, creating it. Labels are given as
// key, value pairs. A nil registry returns a counter that counts nowhere, so
// components can be built without metrics in tests.
func (r *Registry) Counter(name, help string, labels ...string) Counter {
	return Counter{r.value(name, help, "counter", labels)}
}

// Gauge returns the gauge name{labels}, creating it.
func (r *Registry) Gauge(name, help string, labels ...string) Gauge {
	return Gauge{r.value(name, help, "gauge", labels)}
}

// Delete removes the series name{labels}, so a gauge about something this
// process no longer has (a partition another worker took over) stops being
// exposed instead of showing a stale value. A later Gauge or Counter call
// creates it anew.
func (r *Registry) Delete(name string, labels ...string) {
	if r == nil {
		return
	}
	key := labelKey(labels)
	r.mu.Lock()
	defer r.mu.Unlock()
	if f := r.metrics[name]; f != nil {
		delete(f.series, key)
	}
}

func labelKey(labels []string) string {
	if len(labels)%2 != 0 {
		panic("metrics: labels must be key, value pairs")
	}
	var b strings.Builder
	for i := 0; i < len(labels); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%q", labels[i], labels[i+1])
	}
	return b.String()
}

func (r *Registry) value(name, help, kind string, labels []string) *atomic.Uint64 {
	if r == nil {
		return new(atomic.Uint64)
	}
	key := labelKey(labels)
	r.mu.Lock()
	defer r.mu.Unlock()
	f := r.metrics[name]
	if f == nil {
		f = &family{name: name, help: help, kind: kind, series: map[string]*atomic.Uint64{}}
		r.metrics[name] = f
	}
	v := f.series[key]
	if v == nil {
		v = new(atomic.Uint64)
		f.series[key] = v
	}
	return v
}

// Histogram counts observations in cumulative buckets, as Prometheus
// histograms do.
type Histogram struct{ h *histogram }

type histogram struct {
	mu     sync.Mutex
	bounds []float64
	counts []uint64 // per bucket, not cumulative; the last is +Inf
	sum    float64
	n      uint64
}

// Observe records one value.
func (h Histogram) Observe(x float64) {
	if h.h == nil {
		return
	}
	i := sort.SearchFloat64s(h.h.bounds, x)
	h.h.mu.Lock()
	h.h.counts[i]++
	h.h.sum += x
	h.h.n++
	h.h.mu.Unlock()
}

// Count returns how many values were observed.
func (h Histogram) Count() uint64 {
	if h.h == nil {
		return 0
	}
	h.h.mu.Lock()
	defer h.h.mu.Unlock()
	return h.h.n
}

// Histogram returns the histogram name{labels} with the given upper
// bounds (ascending; +Inf is implied), creating it.
func (r *Registry) Histogram(name, help string, bounds []float64, labels ...string) Histogram {
	newH := func() *histogram {
		return &histogram{bounds: slices.Clone(bounds), counts: make([]uint64, len(bounds)+1)}
	}
	if r == nil {
		return Histogram{newH()}
	}
	key := labelKey(labels)
	r.mu.Lock()
	defer r.mu.Unlock()
	f := r.metrics[name]
	if f == nil {
		f = &family{name: name, help: help, kind: "histogram", hists: map[string]*histogram{}}
		r.metrics[name] = f
	}
	h := f.hists[key]
	if h == nil {
		h = newH()
		f.hists[key] = h
	}
	return Histogram{h}
}

func (h *histogram) write(b *strings.Builder, name, key string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	sep := ""
	if key != "" {
		sep = ","
	}
	cum := uint64(0)
	for i, ub := range h.bounds {
		cum += h.counts[i]
		fmt.Fprintf(b, "%s_bucket{%s%sle=\"%g\"} %d\n", name, key, sep, ub, cum)
	}
	fmt.Fprintf(b, "%s_bucket{%s%sle=\"+Inf\"} %d\n", name, key, sep, h.n)
	if key == "" {
		fmt.Fprintf(b, "%s_sum %g\n%s_count %d\n", name, h.sum, name, h.n)
	} else {
		fmt.Fprintf(b, "%s_sum{%s} %g\n%s_count{%s} %d\n", name, key, h.sum, name, key, h.n)
	}
}

// WriteTo writes every metric in the Prometheus text exposition format.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	r.mu.Lock()
	names := make([]string, 0, len(r.metrics))
	for n := range r.metrics {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		f := r.metrics[n]
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", f.name, f.help, f.name, f.kind)
		if f.kind == "histogram" {
			for _, k := range slices.Sorted(maps.Keys(f.hists)) {
				f.hists[k].write(&b, f.name, k)
			}
			continue
		}
		keys := make([]string, 0, len(f.series))
		for k := range f.series {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			bits := f.series[k].Load()
			val := float64(bits)
			if f.kind == "gauge" {
				val = math.Float64frombits(bits)
			}
			if k == "" {
				fmt.Fprintf(&b, "%s %g\n", f.name, val)
			} else {
				fmt.Fprintf(&b, "%s{%s} %g\n", f.name, k, val)
			}
		}
	}
	r.mu.Unlock()
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// Handler serves the registry at /metrics.
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_, _ = r.WriteTo(w)
	})
}
