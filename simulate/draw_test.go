package simulate_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/simulate"
)

// Draw gives valid scenarios, the same for the same seed, with every family
// on days two to four, outages of one service apart, and decoys clear of
// their service's outages.
func TestDraw(t *testing.T) {
	if !reflect.DeepEqual(simulate.Draw(7), simulate.Draw(7)) {
		t.Fatal("Draw(7) differs between two calls")
	}
	if reflect.DeepEqual(simulate.Draw(7).Outages, simulate.Draw(8).Outages) {
		t.Fatal("Draw(7) and Draw(8) have the same outages")
	}
	for seed := uint64(1); seed <= 60; seed++ {
		s := simulate.Draw(seed)
		if err := s.Validate(); err != nil {
			t.Fatalf("Draw(%d) is invalid: %v", seed, err)
		}
		if len(s.Countries) != 12 || s.End.Sub(s.Start) != simulate.DrawDays*24*time.Hour {
			t.Fatalf("Draw(%d): %d countries over %s", seed, len(s.Countries), s.End.Sub(s.Start))
		}
		families := map[string]int{}
		spans := map[string][][2]time.Time{}
		zones := map[string]*time.Location{}
		for _, c := range s.Countries {
			zones[c.Code] = c.Location
		}
		for _, o := range s.Outages {
			f := simulate.FamilyOf(o.Name)
			families[f]++
			if o.Start.Before(s.Start.Add(24*time.Hour)) || o.End().After(s.End) {
				t.Errorf("Draw(%d): %s from %s to %s is not within days 2 to %d", seed, o.Name, o.Start, o.End(), simulate.DrawDays)
			}
			if o.Ramp > o.Duration {
				t.Errorf("Draw(%d): %s ramps %s in %s", seed, o.Name, o.Ramp, o.Duration)
			}
			for _, svc := range o.Services() {
				for _, sp := range spans[svc] {
					if o.Start.Before(sp[1]) && sp[0].Before(o.End()) {
						t.Errorf("Draw(%d): %s overlaps another outage of %s", seed, o.Name, svc)
					}
				}
				spans[svc] = append(spans[svc], [2]time.Time{o.Start, o.End()})
				if f == simulate.FamilyNight {
					for cc := range o.Reporters[svc] {
						if h := o.Start.In(zones[cc]).Hour(); h < 1 || h >= 5 {
							t.Errorf("Draw(%d): %s starts at %02d:00 local in %s", seed, o.Name, h, cc)
						}
					}
				}
			}
		}
		for _, f := range simulate.Families() {
			if families[f] == 0 {
				t.Errorf("Draw(%d) has no %s outage: %v", seed, f, families)
			}
		}
		if families[""] != 0 {
			t.Errorf("Draw(%d) has outages of no family", seed)
		}
		for _, sp := range s.Spam {
			for _, o := range spans[sp.Service] {
				if sp.Start.Before(o[1]) && o[0].Before(sp.Start.Add(sp.Duration)) {
					t.Errorf("Draw(%d): spam on %s during its outage", seed, sp.Service)
				}
			}
		}
		if len(s.Spam) != 1 || len(s.News) != 1 {
			t.Errorf("Draw(%d): %d spam accounts, %d news bursts; want one each", seed, len(s.Spam), len(s.News))
		}
	}
	// Big outages of a company's services bring collateral questions
	// about its other services, which the truth lists as bursts.
	withCollateral := 0
	for seed := uint64(1); seed <= 60; seed++ {
		s := simulate.Draw(seed)
		for _, o := range s.Outages {
			if len(o.Collateral) == 0 {
				continue
			}
			withCollateral++
			found := false
			for _, b := range s.Truth().Bursts {
				for sib := range o.Collateral {
					found = found || (b.Kind == simulate.BurstCollateral && b.Service == sib && b.Start.Equal(o.Start))
				}
			}
			if !found {
				t.Errorf("Draw(%d): the collateral of %s is not in the truth", seed, o.Name)
			}
		}
	}
	if withCollateral < 10 {
		t.Errorf("%d outages with collateral in 60 draws", withCollateral)
	}
	bad := simulate.Draw(1)
	bad.Outages[0].Collateral = map[string]float64{bad.Outages[0].Services()[0]: 0.1}
	if err := bad.Validate(); err == nil {
		t.Error("an outage whose collateral is a service it affects is valid")
	}

	// The posts come out, in order.
	n, last := 0, time.Time{}
	err := simulate.Draw(3).Generate(func(p seismo.Post) error {
		if p.CreatedAt.Before(last) {
			t.Fatalf("post %s at %s after one at %s", p.ID, p.CreatedAt, last)
		}
		n, last = n+1, p.CreatedAt
		return nil
	})
	if err != nil || n < 10000 {
		t.Fatalf("Draw(3) generated %d posts, %v", n, err)
	}
}
