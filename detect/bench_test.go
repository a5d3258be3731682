package detect_test

import (
	"fmt"
	"testing"

	"github.com/seismo-dev/seismo/detect"
)

// BenchmarkAdvance measures one evaluated minute over 1,000 active series
// (50 services x 20 countries, two reporters a minute each), ten of them in
// an incident. Recording the minute's posts is not timed.
func BenchmarkAdvance(b *testing.B) {
	countries := []string{"US", "GB", "DE", "FR", "BR", "IN", "JP", "MX", "ES", "IT",
		"CA", "AU", "NL", "SE", "PL", "TR", "AR", "ID", "NG", "ZA"}
	minute := func(m int) traffic {
		tr := traffic{}
		for i := range 50 {
			svc := fmt.Sprintf("svc%02d", i)
			for _, cc := range countries {
				tr.add("q", svc, cc, m, m+1, 2)
			}
		}
		if m >= 40 {
			for _, cc := range countries[:10] {
				tr.add("burst", "svc00", cc, m, m+1, 30)
			}
		}
		return tr
	}
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			s := newStore(b, be.open(b), nil)
			cfg := detect.DefaultConfig()
			d := newDetector(b, s, cfg)
			ctx := ctxT(b)
			m := 0
			step := func() {
				if err := s.Record(ctx, minute(m)[m]); err != nil {
					b.Fatal(err)
				}
				if _, err := d.Advance(ctx, at(m+1)); err != nil {
					b.Fatal(err)
				}
				m++
			}
			for range 45 { // past the warm-up, into the incident
				step()
			}
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				if err := s.Record(ctx, minute(m)[m]); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if _, err := d.Advance(ctx, at(m+1)); err != nil {
					b.Fatal(err)
				}
				m++
			}
			b.ReportMetric(1000, "series")
		})
	}
}
