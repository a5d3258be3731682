package detect

import "time"

// SetBeforeWrite makes f run before each minute d writes.
func SetBeforeWrite(d *Detector, f func(minute time.Time)) { d.testHookBeforeWrite = f }

// SetBeforeLoad makes f run before d reads a group's state.
func SetBeforeLoad(d *Detector, f func()) { d.testHookBeforeLoad = f }

// SetAfterCommit makes f run after d commits a minute, before it publishes
// the minute's outbox; an error from f stops there, as a crash would.
func SetAfterCommit(d *Detector, f func(minute time.Time) error) { d.testHookAfterCommit = f }
