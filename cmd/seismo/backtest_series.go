package main

import (
	"context"
	"errors"
)

// runSeriesBacktest runs the detector over one count series.
func runSeriesBacktest(ctx context.Context, file string, sio stdio) error {
	return errors.New("--series is not built yet")
}
