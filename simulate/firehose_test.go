package simulate_test

import (
	"testing"
	"time"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/simulate"
)

// A firehose scenario yields at least the posts asked for, so a caller can
// stop there, spread over most of its ten hours, and refuses nonsense.
func TestFirehose(t *testing.T) {
	for _, relevant := range []float64{0, 0.02, 1} {
		s, err := simulate.Firehose(100_000, relevant, 1)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		var last time.Time
		if err := s.Generate(func(p seismo.Post) error { n, last = n+1, p.CreatedAt; return nil }); err != nil {
			t.Fatal(err)
		}
		if n < 100_000 || n > 150_000 {
			t.Errorf("relevant %v: %d posts, want 100,000 to 150,000", relevant, n)
		}
		if span := last.Sub(s.Start); span < 9*time.Hour {
			t.Errorf("relevant %v: posts over %s, want most of %d hours", relevant, span, simulate.FirehoseHours)
		}
	}
	for _, bad := range []struct {
		posts    int
		relevant float64
	}{{0, 0.02}, {10, -0.1}, {10, 1.5}} {
		if _, err := simulate.Firehose(bad.posts, bad.relevant, 1); err == nil {
			t.Errorf("Firehose(%d, %v) accepted", bad.posts, bad.relevant)
		}
	}
}
