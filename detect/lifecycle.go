package detect

import "github.com/seismo-dev/seismo"

// transition is what one step did to the lifecycle of a series that is part
// of an incident.
type transition int8

const (
	stay    transition = iota
	drop               // a pending series cleared before it counted
	opened             // a pending series fired for PendingFor
	resolve            // an open series stayed clear for QuietFor
)

// advance moves a series in an incident by one step at the given level.
// Pending is Alertmanager's "for": the series must fire PendingFor without a
// break before it counts, so one noisy minute opens nothing. Danger is no
// noise: DangerPendingFor of it opens sooner. Open keeps
// firing through QuietFor of clear steps, so an outage that dips below the
// line for a minute does not resolve and reopen. When people say the
// service is back (recovering), RecoveryQuietFor is enough. The posts and
// the series backtest share this, so both follow the same rules.
func (md model) advance(ss *seriesState, level Level, recovering bool) transition {
	firing := level > LevelNone
	switch ss.Status {
	case seismo.StatusPending:
		if !firing {
			return drop
		}
		ss.Fired++
		ss.Level = max(ss.Level, level)
		if level >= LevelDanger {
			ss.DangerFired++
		} else {
			ss.DangerFired = 0
		}
		if ss.Fired >= md.pending || ss.DangerFired >= md.dangerPending {
			ss.Status, ss.Quiet = seismo.StatusOpen, 0
			return opened
		}
	case seismo.StatusOpen:
		if firing {
			ss.Quiet, ss.Recovering = 0, false
			ss.Level = max(ss.Level, level)
			return stay
		}
		ss.Quiet++
		// Recovery posts trail off within minutes; once seen in this
		// quiet spell they count until it ends.
		ss.Recovering = ss.Recovering || recovering
		need := md.quiet
		if ss.Recovering {
			need = min(need, md.recoveryQuiet)
		}
		if ss.Quiet >= need {
			return resolve
		}
	}
	return stay
}

// begin returns the pending state of a series that starts firing at step i
// with the given level. primed: the step before was elevated (see
// model.grade), so this step is the second of a build-up and needs no
// further PendingFor to open.
func (md model) begin(i int64, level Level, primed bool) *seriesState {
	ss := &seriesState{Status: seismo.StatusPending, Since: i, Level: level}
	if primed {
		ss.Fired = md.pending - 1
	}
	return ss
}
