package backtest

import (
	"slices"
	"testing"
	"time"
)

func TestPercentileAndSeedRanges(t *testing.T) {
	m := func(n int) time.Duration { return time.Duration(n) * time.Minute }
	ds := []time.Duration{m(5), m(1), m(3), m(2), m(4), m(10), m(6), m(7), m(8), m(9)}
	for _, tt := range []struct {
		q    float64
		want time.Duration
	}{{0.5, m(5)}, {0.9, m(9)}, {1, m(10)}, {0.01, m(1)}} {
		if got := percentile(ds, tt.q); got != tt.want {
			t.Errorf("percentile(%v) = %s, want %s", tt.q, got, tt.want)
		}
	}
	if percentile(nil, 0.9) != 0 {
		t.Error("the percentile of nothing is not 0")
	}
	if got := seedRanges([]uint64{9, 1, 2, 3, 5, 10, 11}); got != "1-3,5,9-11" {
		t.Errorf("seedRanges = %q", got)
	}
}

func TestParseSeeds(t *testing.T) {
	got, err := ParseSeeds("1-3, 7,10-11")
	if err != nil || !slices.Equal(got, []uint64{1, 2, 3, 7, 10, 11}) {
		t.Errorf("parseSeeds = %v, %v", got, err)
	}
	for _, bad := range []string{"", "x", "3-1", "1-", "-2", "0-99999"} {
		if _, err := ParseSeeds(bad); err == nil {
			t.Errorf("ParseSeeds(%q) accepted", bad)
		}
	}
}
