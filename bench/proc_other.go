//go:build !linux

package bench

import (
	"errors"
	"time"
)

var errLinuxOnly = errors.New("measured on Linux only")

func peakRSS(int) (int64, error) { return 0, errLinuxOnly }

func processCPU(int) (time.Duration, error) { return 0, errLinuxOnly }

func selfCPU() time.Duration { return 0 }

func procStatus(int, string) (int64, error) { return 0, errLinuxOnly }
