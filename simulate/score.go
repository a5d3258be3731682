package simulate

import (
	"slices"
	"time"

	"github.com/seismo-dev/seismo"
)

// MatchSlack is how far before its start and after its end an outage or a
// burst still claims a country that opens: the detector counts over a
// window, and an onset from the press is only known to the minute or so.
const MatchSlack = 10 * time.Minute

// Opening is one country of an incident turning open. The incident's global
// entry (all countries together, Country seismo.AllCountries) opens too: it
// belongs to any outage or burst of its service at the time, never counts
// towards recall, and is false like a country when nothing explains it.
type Opening struct {
	Incident string
	Service  string
	Country  string
	// StartedAt is the country's first firing minute, as the entry says.
	StartedAt time.Time
	// OpenedAt is the event time of the event that first showed the
	// country open: when a consumer of the feed learnt of it.
	OpenedAt time.Time
	// Outage and Burst index the truth's outage or burst that explains the
	// opening, or are -1. A burst is only blamed when no outage explains
	// the opening.
	Outage, Burst int
}

// CountryResult is how one country of a truth outage was detected.
type CountryResult struct {
	Country string
	Found   bool
	// Opening is the first opening of this country within the outage,
	// when Found.
	Opening Opening
	// Latency is from the outage's onset to Opening.OpenedAt.
	Latency time.Duration
}

// OutageResult is how one truth outage of one service was detected, as a
// whole and country by country.
type OutageResult struct {
	Outage TruthOutage
	// Detected is true when an incident of the service opened (any
	// country, or the global entry) within the outage. Opening is that
	// first opening and Latency runs from the outage's start to it: when
	// the feed first announced the outage.
	Detected  bool
	Opening   Opening
	Latency   time.Duration
	Countries []CountryResult
}

// Scorecard is a run's incident events graded against a truth.
type Scorecard struct {
	Outages []OutageResult
	// Expected counts the countries of all truth outages, Found those that
	// opened within their outage; Recall is Found/Expected (1 when nothing
	// was expected).
	Expected, Found int
	Recall          float64
	// Latencies lists the detection latency of each detected outage;
	// MedianLatency and MaxLatency are over it, 0 when none was detected.
	// CountryMedianLatency and CountryMaxLatency are over the found
	// countries: how long each country took to open.
	Latencies                               []time.Duration
	MedianLatency, MaxLatency               time.Duration
	CountryMedianLatency, CountryMaxLatency time.Duration
	// Openings are every country opening, in event order; Incidents counts
	// the incidents with at least one.
	Openings  []Opening
	Incidents int
	// False are the openings nothing in the truth explains, and
	// FalseIncidents the incidents that have no opening an outage or a
	// burst explains.
	False          []Opening
	FalseIncidents []string
	// BurstOpenings are the openings a spam or news burst explains, and
	// BurstIncidents the incidents that have one and no opening an outage
	// explains: detections caused by what must not open an incident.
	BurstOpenings  []Opening
	BurstIncidents []string
}

// Score grades incident events, in the order they were emitted, against the
// truth. An outage is detected when an incident of its service opens within
// it (any country, or the global entry), and its latency runs from the
// outage's start to that opening. A country of a truth outage is found when an incident of the same
// service shows it open (the first event with that country's status open)
// between the outage's start and end, widened by MatchSlack on each side;
// its latency runs from the outage's start to that event's timestamp.
func Score(t *Truth, events []seismo.Event) *Scorecard {
	sc := &Scorecard{}
	sc.Openings = openings(events)
	for _, o := range t.Outages {
		r := OutageResult{Outage: o}
		for _, c := range o.Countries {
			r.Countries = append(r.Countries, CountryResult{Country: c})
		}
		sc.Outages = append(sc.Outages, r)
		sc.Expected += len(o.Countries)
	}
	explained := map[string]bool{} // incidents with an opening an outage explains
	byBurst := map[string]bool{}   // ... or a burst explains
	seen := map[string]bool{}
	var incidents []string
	for i := range sc.Openings {
		op := &sc.Openings[i]
		if !seen[op.Incident] {
			seen[op.Incident] = true
			incidents = append(incidents, op.Incident)
		}
		op.Outage, op.Burst = -1, -1
		for j := range sc.Outages {
			r := &sc.Outages[j]
			o := &r.Outage
			if o.Service != op.Service || !within(op.OpenedAt, o.Start, o.End) || !(op.Country == seismo.AllCountries ||
				slices.Contains(o.Countries, op.Country) || slices.Contains(o.Optional, op.Country)) {
				continue
			}
			if op.Outage < 0 {
				op.Outage = j
			}
			if !r.Detected {
				r.Detected, r.Opening, r.Latency = true, *op, op.OpenedAt.Sub(o.Start)
			}
			k := slices.Index(o.Countries, op.Country)
			if k >= 0 && !r.Countries[k].Found {
				r.Countries[k] = CountryResult{Country: op.Country, Found: true, Opening: *op, Latency: op.OpenedAt.Sub(o.Start)}
				op.Outage = j
				break
			}
		}
		if op.Outage >= 0 {
			explained[op.Incident] = true
			continue
		}
		for j, b := range t.Bursts {
			if b.Service == op.Service && within(op.OpenedAt, b.Start, b.End) &&
				(op.Country == seismo.AllCountries || slices.Contains(b.Countries, op.Country)) {
				op.Burst = j
				break
			}
		}
		if op.Burst >= 0 {
			byBurst[op.Incident] = true
			sc.BurstOpenings = append(sc.BurstOpenings, *op)
		} else {
			sc.False = append(sc.False, *op)
		}
	}
	// The result's copies of the openings carry their final explanation.
	for j := range sc.Outages {
		for k := range sc.Outages[j].Countries {
			if cr := &sc.Outages[j].Countries[k]; cr.Found {
				cr.Opening.Outage = j
			}
		}
	}
	sc.Incidents = len(incidents)
	for _, id := range incidents {
		switch {
		case explained[id]:
		case byBurst[id]:
			sc.BurstIncidents = append(sc.BurstIncidents, id)
		default:
			sc.FalseIncidents = append(sc.FalseIncidents, id)
		}
	}
	var lat []time.Duration
	for j := range sc.Outages {
		r := &sc.Outages[j]
		if r.Detected {
			r.Opening.Outage = j
			sc.Latencies = append(sc.Latencies, r.Latency)
		}
		for _, c := range r.Countries {
			if c.Found {
				sc.Found++
				lat = append(lat, c.Latency)
			}
		}
	}
	sc.Recall = 1
	if sc.Expected > 0 {
		sc.Recall = float64(sc.Found) / float64(sc.Expected)
	}
	sc.MedianLatency, sc.MaxLatency = Median(sc.Latencies), slicesMax(sc.Latencies)
	sc.CountryMedianLatency, sc.CountryMaxLatency = Median(lat), slicesMax(lat)
	return sc
}

// openings lists every transition of an incident's country to open.
func openings(events []seismo.Event) []Opening {
	var out []Opening
	status := map[string]map[string]seismo.Status{}
	for _, ev := range events {
		in := &ev.Data
		st := status[in.ID]
		if st == nil {
			st = map[string]seismo.Status{}
			status[in.ID] = st
		}
		entries := in.Countries
		if in.Global != nil {
			entries = append(slices.Clone(entries), *in.Global)
		}
		for _, c := range entries {
			if c.Status == seismo.StatusOpen && st[c.Country] != seismo.StatusOpen {
				out = append(out, Opening{Incident: in.ID, Service: in.Service, Country: c.Country,
					StartedAt: c.StartedAt, OpenedAt: ev.Timestamp, Outage: -1, Burst: -1})
			}
			st[c.Country] = c.Status
		}
	}
	return out
}

func within(at, start, end time.Time) bool {
	return !at.Before(start.Add(-MatchSlack)) && !at.After(end.Add(MatchSlack))
}

// Median returns the median of ds, 0 for none.
func Median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func slicesMax(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	return slices.Max(ds)
}
