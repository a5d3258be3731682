package detect

import "time"

// SetBeforeWrite makes f run before each minute d writes.
func SetBeforeWrite(d *Detector, f func(minute time.Time)) { d.testHookBeforeWrite = f }
