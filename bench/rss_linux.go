package bench

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// peakRSS is the peak resident set of a running process, in bytes: VmHWM
// of its memory map. Not the rusage of the exited child: Linux counts the
// high-water mark of the map a process had before exec in it, and a
// child started by os/exec shares its parent's map until exec.
func peakRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("/proc/%d/status has no VmHWM", pid)
}
