//go:build !linux

package bench

import "errors"

// peakRSS is measured on Linux only.
func peakRSS(int) (int64, error) { return 0, errors.New("peak RSS is measured on Linux only") }
