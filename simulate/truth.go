package simulate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/seismo-dev/seismo"
)

// Truth is what a detector should make of a scenario: which services should
// open incidents in which countries, from when, and which bursts of posts
// must not open any. `seismo simulate --truth FILE` writes it as JSON and
// `seismo backtest --truth FILE` scores a run against it:
//
//	{"scenario": "whatsapp-2024-04-03",
//	 "start": "2024-04-01T18:00:00Z", "end": "2024-04-03T23:00:00Z",
//	 "outages": [{"outage": "whatsapp", "service": "whatsapp",
//	              "start": "2024-04-03T18:10:00Z", "end": "2024-04-03T20:10:00Z",
//	              "countries": ["BR", "GB", "IN", "US"], "optional": ["ZZ"],
//	              "reporters": {"BR": 1680, "GB": 1840, "IN": 800, "US": 480}}],
//	 "bursts": [{"kind": "spam", "service": "whatsapp", "countries": ["GB", "ZZ"],
//	             "start": "2024-04-02T12:00:00Z", "end": "2024-04-02T12:30:00Z",
//	             "posts": 150, "authors": 1}]}
type Truth struct {
	Scenario string        `json:"scenario"`
	Start    time.Time     `json:"start"`
	End      time.Time     `json:"end"`
	Outages  []TruthOutage `json:"outages"`
	Bursts   []TruthBurst  `json:"bursts"`
}

// TruthOutage is one service failing in one outage: an incident of Service
// should open in each of Countries.
type TruthOutage struct {
	// Outage is the name of the scenario's outage; one outage of several
	// services gives one TruthOutage per service.
	Outage  string `json:"outage"`
	Service string `json:"service"`
	// Start is the onset, from which detection latency is measured; End is
	// when service returns.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Countries must each open; Optional may open without counting as
	// false or as found: ZZ, where posts without a country are counted,
	// when the scenario drops some posts' country.
	Countries []string `json:"countries"`
	Optional  []string `json:"optional"`
	// Reporters is how many distinct people the scenario makes post a
	// complaint, by country: the size of what should be found.
	Reporters map[string]int `json:"reporters"`
}

// Kinds of burst.
const (
	BurstSpam = "spam"
	BurstNews = "news"
	// BurstCollateral is people asking, during an outage, whether a
	// sibling service is down too.
	BurstCollateral = "collateral"
)

// TruthBurst is a burst of posts about a service that must not open an
// incident: spam (one account), news (people sharing an article about a
// past outage) or collateral (people asking during an outage whether a
// sibling service is down too; Posts and Authors are then what its share
// makes on average).
type TruthBurst struct {
	Kind    string `json:"kind"`
	Service string `json:"service"`
	// Countries the burst's posts come from, ZZ included when some carry
	// no country.
	Countries []string  `json:"countries"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Posts     int       `json:"posts"`
	// Authors is how many distinct accounts post: 1 for spam.
	Authors int `json:"authors"`
}

// Truth returns what a detector should make of the scenario: every
// (outage, service) with the countries where it makes people complain, and
// every spam and news burst.
func (s *Scenario) Truth() *Truth {
	t := &Truth{Scenario: s.Name, Start: s.Start.UTC(), End: s.End.UTC(), Outages: []TruthOutage{}, Bursts: []TruthBurst{}}
	var optional []string
	if s.UnknownCountryShare > 0 {
		optional = []string{seismo.UnknownCountry}
	}
	withUnknown := func(cs []string) []string {
		cs = append(cs, optional...)
		slices.Sort(cs)
		return slices.Compact(cs)
	}
	for i, o := range s.Outages {
		name := o.Name
		if name == "" {
			name = fmt.Sprintf("outage-%d", i)
		}
		for _, svc := range o.Services() {
			to := TruthOutage{Outage: name, Service: svc, Start: o.Start.UTC(), End: o.End().UTC(),
				Countries: sortedKeys(o.Reporters[svc]), Optional: append([]string{}, optional...), Reporters: map[string]int{}}
			for c, n := range o.Reporters[svc] {
				to.Reporters[c] = n
			}
			t.Outages = append(t.Outages, to)
		}
	}
	for _, o := range s.Outages {
		var cs []string
		total := 0
		for _, svc := range o.Services() {
			for c, n := range o.Reporters[svc] {
				cs = append(cs, c)
				total += n
			}
		}
		for _, sib := range sortedKeys(o.Collateral) {
			// Posts and Authors are what the share makes on average.
			n := int(math.Round(float64(total) * o.Collateral[sib]))
			t.Bursts = append(t.Bursts, TruthBurst{Kind: BurstCollateral, Service: sib, Countries: withUnknown(slices.Clone(cs)),
				Start: o.Start.UTC(), End: o.End().UTC(), Posts: n, Authors: n})
		}
	}
	for _, sp := range s.Spam {
		t.Bursts = append(t.Bursts, TruthBurst{Kind: BurstSpam, Service: sp.Service, Countries: withUnknown([]string{sp.Country}),
			Start: sp.Start.UTC(), End: sp.Start.Add(sp.Duration).UTC(), Posts: sp.Posts, Authors: 1})
	}
	for _, nw := range s.News {
		var cs []string
		for _, c := range nw.Countries {
			cs = append(cs, c.Value)
		}
		t.Bursts = append(t.Bursts, TruthBurst{Kind: BurstNews, Service: nw.Service, Countries: withUnknown(cs),
			Start: nw.Start.UTC(), End: nw.Start.Add(nw.Duration).UTC(), Posts: nw.Posts, Authors: nw.Posts})
	}
	return t
}

// ParseTruth reads a truth file; unknown fields and outages or bursts
// without a service, countries or a span are errors.
func ParseTruth(data []byte) (*Truth, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var t Truth
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("truth: %w", err)
	}
	var errs []error
	for i, o := range t.Outages {
		if o.Service == "" || len(o.Countries) == 0 || o.Start.IsZero() || !o.End.After(o.Start) {
			errs = append(errs, fmt.Errorf("truth: outages[%d]: want a service, countries, and a start before the end", i))
		}
	}
	for i, b := range t.Bursts {
		if (b.Kind != BurstSpam && b.Kind != BurstNews && b.Kind != BurstCollateral) || b.Service == "" || len(b.Countries) == 0 || !b.End.After(b.Start) {
			errs = append(errs, fmt.Errorf("truth: bursts[%d]: want kind spam or news, a service, countries, and a start before the end", i))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &t, nil
}
