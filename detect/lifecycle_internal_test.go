package detect

import (
	"testing"
	"time"

	"github.com/seismo-dev/seismo"
)

// Each transition of a series in an incident, one step at a time.
func TestAdvance(t *testing.T) {
	cfg := DefaultConfig()
	cfg.PendingFor, cfg.DangerPendingFor, cfg.QuietFor, cfg.RecoveryQuietFor = 3*time.Minute, time.Minute, 4*time.Minute, time.Minute
	md := newModel(cfg, minuteGrid)
	type step struct {
		level      Level
		recovering bool
		want       transition
	}
	tests := []struct {
		name   string
		start  seriesState
		steps  []step
		status seismo.Status
		level  Level
	}{
		{"pending clears: dropped", seriesState{Status: seismo.StatusPending},
			[]step{{LevelWarning, false, stay}, {LevelNone, false, drop}}, seismo.StatusPending, LevelWarning},
		{"pending fires PendingFor: opened", seriesState{Status: seismo.StatusPending},
			[]step{{LevelWarning, false, stay}, {LevelWarning, false, stay}, {LevelWarning, false, opened}}, seismo.StatusOpen, LevelWarning},
		{"pending at danger for DangerPendingFor: opened at once", seriesState{Status: seismo.StatusPending},
			[]step{{LevelWarning, false, stay}, {LevelDanger, false, opened}}, seismo.StatusOpen, LevelDanger},
		{"open keeps firing through a dip", seriesState{Status: seismo.StatusOpen, Level: LevelWarning},
			[]step{{LevelNone, false, stay}, {LevelNone, false, stay}, {LevelNone, false, stay}, {LevelWarning, false, stay},
				{LevelNone, false, stay}, {LevelNone, false, stay}, {LevelNone, false, stay}}, seismo.StatusOpen, LevelWarning},
		{"open clear for QuietFor: resolved", seriesState{Status: seismo.StatusOpen, Level: LevelWarning},
			[]step{{LevelNone, false, stay}, {LevelNone, false, stay}, {LevelNone, false, stay}, {LevelNone, false, resolve}},
			seismo.StatusOpen, LevelWarning},
		{"recovery posts shorten the quiet period", seriesState{Status: seismo.StatusOpen, Level: LevelDanger},
			[]step{{LevelNone, true, resolve}}, seismo.StatusOpen, LevelDanger},
		{"recovery posts while still firing change nothing", seriesState{Status: seismo.StatusOpen, Level: LevelWarning},
			[]step{{LevelWarning, true, stay}, {LevelWarning, true, stay}}, seismo.StatusOpen, LevelWarning},
		{"severity never falls while open", seriesState{Status: seismo.StatusOpen, Level: LevelDanger},
			[]step{{LevelWarning, false, stay}}, seismo.StatusOpen, LevelDanger},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ss := tt.start
			for i, st := range tt.steps {
				if got := md.advance(&ss, st.level, st.recovering); got != st.want {
					t.Fatalf("step %d (%s, recovering %v): transition %d, want %d", i, st.level, st.recovering, got, st.want)
				}
			}
			if ss.Status != tt.status || ss.Level != tt.level {
				t.Errorf("ended %s at %s, want %s at %s", ss.Status, ss.Level, tt.status, tt.level)
			}
		})
	}
}
