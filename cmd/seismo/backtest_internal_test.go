package main

import (
	"slices"
	"testing"
)

func TestParseSeeds(t *testing.T) {
	got, err := parseSeeds("1-3, 7,10-11")
	if err != nil || !slices.Equal(got, []uint64{1, 2, 3, 7, 10, 11}) {
		t.Errorf("parseSeeds = %v, %v", got, err)
	}
	for _, bad := range []string{"", "x", "3-1", "1-", "-2", "0-99999"} {
		if _, err := parseSeeds(bad); err == nil {
			t.Errorf("parseSeeds(%q) accepted", bad)
		}
	}
}
