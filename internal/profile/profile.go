// Package profile writes the CPU and heap profiles of a whole run, for
// seismo run --cpuprofile/--memprofile and seismo classify --cpuprofile.
package profile

import (
	"errors"
	"os"
	"runtime"
	"runtime/pprof"
)

// Start starts a CPU profile into cpuFile if it is set, and returns what
// ends it and writes the heap profile into memFile if set: what `seismo
// run --cpuprofile/--memprofile` (and so `seismo bench --profile-dir`)
// records.
func Start(cpuFile, memFile string) (stop func() error, err error) {
	var cpu *os.File
	if cpuFile != "" {
		if cpu, err = os.Create(cpuFile); err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(cpu); err != nil {
			cpu.Close()
			return nil, err
		}
	}
	return func() error {
		var errs []error
		if cpu != nil {
			pprof.StopCPUProfile()
			errs = append(errs, cpu.Close())
		}
		if memFile != "" {
			f, err := os.Create(memFile)
			if err != nil {
				return errors.Join(append(errs, err)...)
			}
			runtime.GC() // the live heap as of now
			errs = append(errs, pprof.Lookup("allocs").WriteTo(f, 0), f.Close())
		}
		return errors.Join(errs...)
	}, nil
}
