package detect_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/detect"
)

// Services of one parent company that are down at the same time link to
// each other; the one already open gets an update event carrying the link.
func TestDetectorRelatedIncidents(t *testing.T) {
	tr := traffic{}
	tr.add("quiet", "whatsapp", "US", 0, 130, 1)
	tr.add("quiet", "instagram", "US", 0, 130, 1)
	tr.add("burst", "whatsapp", "US", 60, 80, 40)
	tr.add("burst", "instagram", "US", 63, 80, 30)
	s := newStore(t, backends[0].open(t), nil)
	events := live(t, s, newDetector(t, s, detect.DefaultConfig()), tr, 0, 130)
	const wa, ig = "whatsapp-20240403T1300Z", "instagram-20240403T1303Z"
	var igOpened, waLinked bool
	for _, ev := range events {
		switch {
		case ev.Type == seismo.EventOpened && ev.Data.ID == ig:
			igOpened = slices.Equal(ev.Data.Related, []string{wa})
		case ev.Type == seismo.EventUpdated && ev.Data.ID == wa && slices.Contains(ev.Data.Related, ig):
			waLinked = waLinked || igOpened // in the minute instagram opened, or later
		}
	}
	if !igOpened || !waLinked {
		t.Errorf("instagram opened with the link %v; whatsapp updated with it at its opening minute %v; events %v",
			igOpened, waLinked, keys(events))
	}
	for _, id := range []string{wa, ig} {
		in, err := s.Incident(ctxT(t), id)
		if err != nil || in.Status != seismo.StatusResolved || len(in.Related) != 1 {
			t.Errorf("stored %s: %+v, %v", id, in, err)
		}
	}
}

// Ten countries that each see too few reporters to fire add up in the
// global aggregate, which opens the incident on its own.
func TestDetectorGlobalAddsUp(t *testing.T) {
	tr := traffic{}
	countries := []string{"AT", "BE", "CH", "CZ", "DK", "FI", "HU", "IE", "NO", "PT"}
	for _, cc := range countries {
		tr.add("quiet"+cc, "whatsapp", cc, 0, 120, 0)
		// Spread out so that no country reaches MinReporters in a window.
		for m := 60; m < 90; m += 2 {
			tr.add(fmt.Sprint("burst", m), "whatsapp", cc, m, m+1, 1)
		}
	}
	tr.add("quiet", "whatsapp", "US", 0, 120, 1)
	s := newStore(t, backends[0].open(t), nil)
	events := live(t, s, newDetector(t, s, detect.DefaultConfig()), tr, 0, 120)
	if len(events) == 0 || events[0].Type != seismo.EventOpened {
		t.Fatalf("events %v, want the global aggregate to open an incident", keys(events))
	}
	in := events[0].Data
	if in.Global == nil || in.Global.Status != seismo.StatusOpen || len(in.Countries) != 0 {
		t.Errorf("opened incident: global %+v, countries %+v", in.Global, in.Countries)
	}
	if len(in.Samples) == 0 {
		t.Error("a global-only incident shows no samples")
	}
	last := events[len(events)-1]
	if last.Type != seismo.EventResolved {
		t.Errorf("last event %s, want resolved", last.Type)
	}
}

// People saying the service is back resolve a country after
// RecoveryQuietFor instead of QuietFor.
func TestDetectorRecoveryShortensResolution(t *testing.T) {
	resolvedAt := func(withRecoveries bool) int {
		tr := traffic{}
		tr.add("quiet", "whatsapp", "US", 0, 130, 1)
		tr.add("burst", "whatsapp", "US", 60, 80, 40)
		if withRecoveries {
			for j := range 6 {
				id := fmt.Sprint("back-", j)
				tr[80+j%2] = append(tr[80+j%2], recovery(id, "a-"+id, "whatsapp", "US", at(80+j%2)))
			}
		}
		s := newStore(t, backends[0].open(t), nil)
		for _, ev := range live(t, s, newDetector(t, s, detect.DefaultConfig()), tr, 0, 130) {
			if ev.Type == seismo.EventResolved {
				return int(ev.Timestamp.Sub(at(0)).Minutes())
			}
		}
		t.Fatal("never resolved")
		return 0
	}
	silent, confirmed := resolvedAt(false), resolvedAt(true)
	cfg := detect.DefaultConfig()
	if want := silent - int((cfg.QuietFor - cfg.RecoveryQuietFor).Minutes()); confirmed != want {
		t.Errorf("resolved at minute %d with recovery posts, %d without; want %d", confirmed, silent, want)
	}
}

// The default windows: a sudden danger-level onset opens in its first
// minute. (The long window's worth shows on a thin night-time outage in the
// whatsapp-night-bahrain scenario backtest.)
func TestDetectorWindows(t *testing.T) {
	t.Run("sudden onset opens at once", func(t *testing.T) {
		tr := traffic{}
		tr.add("quiet", "whatsapp", "US", 0, 100, 1)
		tr.add("burst", "whatsapp", "US", 60, 80, 40)
		s := newStore(t, backends[0].open(t), nil)
		events := live(t, s, newDetector(t, s, detect.DefaultConfig()), tr, 0, 62)
		if len(events) != 1 || events[0].Type != seismo.EventOpened || !events[0].Timestamp.Equal(at(61)) {
			t.Errorf("events %v, want opened at the end of the burst's first minute", keys(events))
		}
	})
}
