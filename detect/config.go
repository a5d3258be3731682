package detect

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Config holds the detector's knobs. Durations that count minutes must be
// whole minutes: the detector works on one-minute buckets of event time.
type Config struct {
	// Window is the span, ending at the evaluated minute, over which
	// distinct reporters are counted and compared with the baseline.
	Window time.Duration
	// ExtraWindows are further windows tested besides Window, each on its
	// own terms: a short one catches a sudden onset a minute sooner, a long
	// one a small outage spread thin (a country at night). Entries show
	// Window's counts.
	ExtraWindows []time.Duration
	// Poll is how often Run reads the watermark (wall clock).
	Poll time.Duration
	// Timeout bounds the Redis round trips of one evaluated minute and of
	// each watermark read in Run.
	Timeout time.Duration
	// MaxCatchUp bounds how far behind the watermark evaluation starts when
	// there is no state yet: older buckets are not replayed. A detector
	// with state never skips minutes. Zero, the default, starts at the
	// first minute with data: any bound makes the first minute depend on
	// how far ingest had got when the detector first ran, and so the
	// baselines and incidents of a replay on who consumed it how fast.
	MaxCatchUp time.Duration
	// ActiveFor is how recently a series must have had data to be
	// evaluated; series in an incident are always evaluated.
	ActiveFor time.Duration
	// Warmup is how long after the detector's first evaluated minute
	// nothing may fire, so baselines can learn before they are trusted.
	Warmup time.Duration

	// PendingFor is how long a series must fire without a break before its
	// country turns open (and a pending incident opens).
	PendingFor time.Duration
	// DangerPendingFor is how long a pending series must fire at danger to
	// open; at most PendingFor. Danger (many reporters, far above normal,
	// vanishingly unlikely by chance) is no noise to wait out.
	DangerPendingFor time.Duration
	// OnsetP lets a series open at its first firing minute when the
	// minute before already stood out: one of its windows held at least
	// MinReporters-1 reporters, MinRatio times the expected count, with a
	// tail probability of at most OnsetP. An outage builds up, so its
	// first firing minute follows such a minute; noise jumps from nothing
	// and still waits PendingFor. 0 turns this off.
	OnsetP float64
	// QuietFor is how long an open country's condition must stay clear
	// before the country resolves. It keeps incidents from flapping.
	QuietFor time.Duration
	// RecoveryQuietFor replaces QuietFor, when shorter, while at least RecoveryMin posts
	// in the window say the service is back: people confirming recovery
	// end an incident sooner than silence does.
	RecoveryQuietFor time.Duration
	RecoveryMin      int

	// MinReporters is the fewest distinct reporters in the window that can
	// fire at all.
	MinReporters int
	// MinRatio is the smallest observed/expected ratio that can fire.
	MinRatio float64
	// MaxP is the largest Poisson tail probability P(X >= observed) that
	// fires a warning.
	MaxP float64
	// DangerRatio, DangerP and DangerReporters must all be met for danger.
	DangerRatio     float64
	DangerP         float64
	DangerReporters int

	// BaselineFloor is the smallest expected rate, in distinct reporters
	// per minute; it keeps sparse series from expecting zero.
	BaselineFloor float64
	// BaselineHalfLife is the half-life of the recent level, the
	// baseline's estimate over all hours, which carries a new series until
	// its seasonal slots have learned.
	BaselineHalfLife time.Duration
	// DailyHalfLife and WeeklyHalfLife are the half-lives, in days and
	// weeks of calendar time, of the hour-of-day and hour-of-week slots.
	DailyHalfLife  time.Duration
	WeeklyHalfLife time.Duration
	// SeasonPrior is how much evidence, in minutes of data, the coarser
	// estimate counts as when a seasonal slot is blended with it: a slot
	// with SeasonPrior minutes of data counts half.
	SeasonPrior time.Duration
	// SeasonPriorEvents raises SeasonPrior for sparse series to the
	// minutes in which the recent level expects this many reports: an
	// hour slot of a series that sees one report an hour knows nothing
	// after thirty minutes, and a few quiet or busy minutes would swing
	// its expected rate. 0 keeps SeasonPrior for every series.
	SeasonPriorEvents float64
	// SpreadHalfLife is the half-life of the learned overdispersion.
	SpreadHalfLife time.Duration
	// MinSpread is the least overdispersion tested with, for the error of
	// the baseline itself: 0.1 allows the expected count to be off by about
	// a third. It matters for busier series and long windows, where
	// Poisson noise alone is small; sparse series stay near Poisson.
	MinSpread float64
	// SpreadClip bounds what one window teaches the learned
	// overdispersion: its excess over the expected count counts as at most
	// SpreadClip times that count. Small, a burst that stayed under the
	// alarm cannot make a calm series look bursty for days; large, a
	// series whose bursts are its normal (mentions of a company) learns
	// how bursty it is.
	SpreadClip float64
	// RelearnAfter lets the baseline of a series learn again once this long
	// has passed since the series started firing, although it is still part
	// of an incident: a lasting change of level (a service gaining users, a
	// new country covered) then ends the incident instead of holding it
	// open forever. 0 never relearns.
	RelearnAfter time.Duration
	// BaselineTTL is how long an idle series' baseline is kept.
	BaselineTTL time.Duration

	// Samples is how many sample posts an incident shows.
	Samples int
	// Problems is how many problem types an incident lists.
	Problems int
}

// DefaultConfig returns the configuration seismo runs with unless told
// otherwise.
func DefaultConfig() Config {
	return Config{
		Window:            5 * time.Minute,
		ExtraWindows:      []time.Duration{time.Minute, 15 * time.Minute},
		Poll:              500 * time.Millisecond,
		Timeout:           10 * time.Second,
		ActiveFor:         3 * time.Hour,
		Warmup:            30 * time.Minute,
		PendingFor:        2 * time.Minute,
		DangerPendingFor:  time.Minute,
		OnsetP:            1e-2,
		QuietFor:          10 * time.Minute,
		RecoveryQuietFor:  3 * time.Minute,
		RecoveryMin:       3,
		MinReporters:      4,
		MinRatio:          3,
		MaxP:              1e-4,
		DangerRatio:       10,
		DangerP:           1e-9,
		DangerReporters:   10,
		BaselineFloor:     0.05,
		BaselineHalfLife:  3 * time.Hour,
		DailyHalfLife:     7 * 24 * time.Hour,
		WeeklyHalfLife:    28 * 24 * time.Hour,
		SeasonPrior:       30 * time.Minute,
		SeasonPriorEvents: 20,
		SpreadHalfLife:    24 * time.Hour,
		MinSpread:         0.1,
		SpreadClip:        3,
		RelearnAfter:      6 * time.Hour,
		BaselineTTL:       35 * 24 * time.Hour,
		Samples:           5,
		Problems:          5,
	}
}

// Validate reports the first knob that makes no sense.
func (c Config) Validate() error {
	type minutesKnob struct {
		name string
		d    time.Duration
		zero bool // zero allowed
	}
	minutes := []minutesKnob{
		{"Window", c.Window, false},
		{"MaxCatchUp", c.MaxCatchUp, true},
		{"ActiveFor", c.ActiveFor, false},
		{"Warmup", c.Warmup, true},
		{"RelearnAfter", c.RelearnAfter, true},
		{"PendingFor", c.PendingFor, false},
		{"DangerPendingFor", c.DangerPendingFor, false},
		{"QuietFor", c.QuietFor, false},
		{"RecoveryQuietFor", c.RecoveryQuietFor, false},
	}
	for i, w := range c.ExtraWindows {
		minutes = append(minutes, minutesKnob{fmt.Sprintf("ExtraWindows[%d]", i), w, false})
	}
	for _, m := range minutes {
		switch {
		case m.d < 0 || (m.d == 0 && !m.zero):
			return fmt.Errorf("detect config: %s must be positive, got %s", m.name, m.d)
		case m.d%time.Minute != 0:
			return fmt.Errorf("detect config: %s must be whole minutes, got %s", m.name, m.d)
		}
	}
	switch {
	case c.maxWindow() > time.Hour:
		return fmt.Errorf("detect config: windows must be at most 1h, got %s", c.maxWindow())
	case c.Poll <= 0:
		return fmt.Errorf("detect config: Poll must be positive, got %s", c.Poll)
	case c.Timeout <= 0:
		return fmt.Errorf("detect config: Timeout must be positive, got %s", c.Timeout)
	case c.RecoveryMin < 1:
		return fmt.Errorf("detect config: RecoveryMin must be at least 1, got %d", c.RecoveryMin)
	case c.MinReporters < 1:
		return fmt.Errorf("detect config: MinReporters must be at least 1, got %d", c.MinReporters)
	case c.MinRatio < 1:
		return fmt.Errorf("detect config: MinRatio must be at least 1, got %g", c.MinRatio)
	case !(c.MaxP > 0 && c.MaxP < 1):
		return fmt.Errorf("detect config: MaxP must be in (0, 1), got %g", c.MaxP)
	case c.DangerRatio < c.MinRatio:
		return fmt.Errorf("detect config: DangerRatio %g is below MinRatio %g", c.DangerRatio, c.MinRatio)
	case !(c.DangerP > 0 && c.DangerP <= c.MaxP):
		return fmt.Errorf("detect config: DangerP must be in (0, MaxP], got %g", c.DangerP)
	case c.DangerReporters < c.MinReporters:
		return fmt.Errorf("detect config: DangerReporters %d is below MinReporters %d", c.DangerReporters, c.MinReporters)
	case !(c.BaselineFloor > 0):
		return fmt.Errorf("detect config: BaselineFloor must be positive, got %g", c.BaselineFloor)
	case c.BaselineHalfLife < time.Minute:
		return fmt.Errorf("detect config: BaselineHalfLife must be at least 1m, got %s", c.BaselineHalfLife)
	case c.DailyHalfLife < time.Hour, c.WeeklyHalfLife < time.Hour, c.SpreadHalfLife < time.Minute:
		return errors.New("detect config: DailyHalfLife and WeeklyHalfLife must be at least 1h, SpreadHalfLife at least 1m")
	case !(c.SpreadClip > 0):
		return fmt.Errorf("detect config: SpreadClip must be positive, got %g", c.SpreadClip)
	case !(c.MinSpread >= 0 && c.MinSpread <= maxSpread):
		return fmt.Errorf("detect config: MinSpread must be in [0, %d], got %g", maxSpread, c.MinSpread)
	case c.OnsetP != 0 && !(c.OnsetP >= c.MaxP && c.OnsetP < 1):
		return fmt.Errorf("detect config: OnsetP must be 0 or in [MaxP, 1), got %g", c.OnsetP)
	case !(c.SeasonPriorEvents >= 0):
		return fmt.Errorf("detect config: SeasonPriorEvents must not be negative, got %g", c.SeasonPriorEvents)
	case c.SeasonPrior < 0:
		return fmt.Errorf("detect config: SeasonPrior must not be negative, got %s", c.SeasonPrior)
	case c.BaselineTTL < c.ActiveFor:
		return errors.New("detect config: BaselineTTL must be at least ActiveFor")
	case c.Samples < 0 || c.Samples > 50:
		return fmt.Errorf("detect config: Samples must be in [0, 50], got %d", c.Samples)
	case c.Problems < 0 || c.Problems > 50:
		return fmt.Errorf("detect config: Problems must be in [0, 50], got %d", c.Problems)
	}
	return nil
}

// maxWindow is the longest window tested.
func (c Config) maxWindow() time.Duration {
	return max(c.Window, slices.Max(append([]time.Duration{0}, c.ExtraWindows...)))
}

// windowMinutes and friends convert the validated durations to minute counts.
func (c Config) warmupMinutes() int64  { return int64(c.Warmup / time.Minute) }
func (c Config) activeMinutes() int64  { return int64(c.ActiveFor / time.Minute) }
func (c Config) catchUpMinutes() int64 { return int64(c.MaxCatchUp / time.Minute) }

// Set sets the field of c named field (a Go field name, as MinReporters)
// from text: durations as Go durations (20m), lists of them
// comma-separated, numbers as numbers. It lets a command line or a
// scenario file override any knob without a flag per knob; Validate
// judges the result.
func (c *Config) Set(field, value string) error {
	f := reflect.ValueOf(c).Elem().FieldByName(field)
	if !f.IsValid() || !f.CanSet() {
		return fmt.Errorf("detect.Config has no field %s", field)
	}
	var err error
	switch {
	case f.Type() == reflect.TypeFor[time.Duration]():
		var d time.Duration
		if d, err = time.ParseDuration(value); err == nil {
			f.SetInt(int64(d))
		}
	case f.Type() == reflect.TypeFor[[]time.Duration]():
		var ds []time.Duration
		for part := range strings.SplitSeq(value, ",") {
			d, e := time.ParseDuration(strings.TrimSpace(part))
			if e != nil {
				err = e
				break
			}
			ds = append(ds, d)
		}
		if err == nil {
			f.Set(reflect.ValueOf(ds))
		}
	case f.Kind() == reflect.Int:
		var n int64
		if n, err = strconv.ParseInt(value, 10, 0); err == nil {
			f.SetInt(n)
		}
	case f.Kind() == reflect.Float64:
		var x float64
		if x, err = strconv.ParseFloat(value, 64); err == nil {
			f.SetFloat(x)
		}
	default:
		return fmt.Errorf("field %s cannot be set from text", field)
	}
	return err
}
