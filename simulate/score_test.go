package simulate_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/simulate"
)

var onset = time.Date(2024, 4, 3, 18, 10, 0, 0, time.UTC)

func at(min int) time.Time { return onset.Add(time.Duration(min) * time.Minute) }

// truth has a WhatsApp outage in GB, BR and US from the onset for two hours,
// an Instagram outage in the US, a spam burst the day before and a news
// burst the day after.
func truth() *simulate.Truth {
	return &simulate.Truth{
		Scenario: "handmade",
		Outages: []simulate.TruthOutage{
			{Outage: "o", Service: "whatsapp", Start: onset, End: at(120), Countries: []string{"BR", "GB", "US"}, Optional: []string{"ZZ"}},
			{Outage: "o", Service: "instagram", Start: onset, End: at(120), Countries: []string{"US"}},
		},
		Bursts: []simulate.TruthBurst{
			{Kind: simulate.BurstSpam, Service: "whatsapp", Countries: []string{"GB", "ZZ"}, Start: at(-24 * 60), End: at(-24*60 + 30), Posts: 150, Authors: 1},
			{Kind: simulate.BurstNews, Service: "whatsapp", Countries: []string{"IN"}, Start: at(24 * 60), End: at(24*60 + 60), Posts: 300, Authors: 300},
		},
	}
}

// entry is a country entry: "GB:open" or "GB:pending".
func entries(specs ...string) []seismo.CountryEntry {
	var out []seismo.CountryEntry
	for _, s := range specs {
		c, st, _ := strings.Cut(s, ":")
		out = append(out, seismo.CountryEntry{Country: c, Status: seismo.Status(st)})
	}
	return out
}

func event(typ string, minute int, id, service string, countries ...string) seismo.Event {
	return seismo.Event{Type: typ, Timestamp: at(minute), Data: seismo.Incident{ID: id, Service: service, Countries: entries(countries...)}}
}

func TestScore(t *testing.T) {
	wa, ig := "whatsapp-1", "instagram-1"
	tests := []struct {
		name   string
		events []seismo.Event
		// want
		found          []string // service/country found
		latency        map[string]time.Duration
		median, max    time.Duration            // over the countries found
		detect         map[string]time.Duration // outage latency by service
		omedian, omax  time.Duration
		falseOpenings  []string // incident/country
		falseIncidents []string
		burst          []string // incident/country
		burstIncidents []string
	}{
		{
			name: "all found",
			events: []seismo.Event{
				event(seismo.EventOpened, 2, wa, "whatsapp", "GB:open", "BR:pending"),
				event(seismo.EventUpdated, 3, wa, "whatsapp", "GB:open", "BR:open", "ZZ:open"),
				event(seismo.EventOpened, 4, ig, "instagram", "US:open"),
				event(seismo.EventUpdated, 6, wa, "whatsapp", "GB:open", "BR:open", "ZZ:open", "US:open"),
				event(seismo.EventResolved, 125, wa, "whatsapp", "GB:resolved", "BR:resolved", "ZZ:resolved", "US:resolved"),
			},
			found:   []string{"whatsapp/GB", "whatsapp/BR", "whatsapp/US", "instagram/US"},
			latency: map[string]time.Duration{"whatsapp/GB": 2 * time.Minute, "whatsapp/BR": 3 * time.Minute, "instagram/US": 4 * time.Minute, "whatsapp/US": 6 * time.Minute},
			median:  3*time.Minute + 30*time.Second, max: 6 * time.Minute,
			detect:  map[string]time.Duration{"whatsapp": 2 * time.Minute, "instagram": 4 * time.Minute},
			omedian: 3 * time.Minute, omax: 4 * time.Minute,
		},
		{
			name: "missed, late, and a flap counted once",
			events: []seismo.Event{
				event(seismo.EventOpened, 2, wa, "whatsapp", "GB:open"),
				event(seismo.EventUpdated, 20, wa, "whatsapp", "GB:resolved"),
				event(seismo.EventUpdated, 25, wa, "whatsapp", "GB:open"),
				// US opens late but within the outage: found, 45 minutes.
				event(seismo.EventUpdated, 45, wa, "whatsapp", "GB:open", "US:open"),
				// BR opens long after the end and slack: not found, and false.
				event(seismo.EventUpdated, 140, wa, "whatsapp", "GB:open", "US:open", "BR:open"),
			},
			found:   []string{"whatsapp/GB", "whatsapp/US"},
			latency: map[string]time.Duration{"whatsapp/GB": 2 * time.Minute, "whatsapp/US": 45 * time.Minute},
			median:  23*time.Minute + 30*time.Second, max: 45 * time.Minute,
			detect:  map[string]time.Duration{"whatsapp": 2 * time.Minute},
			omedian: 2 * time.Minute, omax: 2 * time.Minute,
			falseOpenings: []string{wa + "/BR"},
		},
		{
			name: "false country, false incident, wrong service",
			events: []seismo.Event{
				event(seismo.EventOpened, 1, wa, "whatsapp", "GB:open", "FR:open"),
				event(seismo.EventOpened, -300, "x-1", "x", "US:open"),
				// Instagram in GB is no part of the outage.
				event(seismo.EventOpened, 5, ig, "instagram", "GB:open"),
			},
			found:   []string{"whatsapp/GB"},
			latency: map[string]time.Duration{"whatsapp/GB": time.Minute},
			median:  time.Minute, max: time.Minute,
			detect:  map[string]time.Duration{"whatsapp": time.Minute},
			omedian: time.Minute, omax: time.Minute,
			falseOpenings:  []string{wa + "/FR", "x-1/US", ig + "/GB"},
			falseIncidents: []string{"x-1", ig},
		},
		{
			name: "spam and news bursts",
			events: []seismo.Event{
				event(seismo.EventOpened, -24*60+20, "whatsapp-spam", "whatsapp", "GB:open"),
				event(seismo.EventOpened, 24*60+5, "whatsapp-news", "whatsapp", "IN:open", "DE:open"),
			},
			falseOpenings:  []string{"whatsapp-news/DE"},
			burst:          []string{"whatsapp-spam/GB", "whatsapp-news/IN"},
			burstIncidents: []string{"whatsapp-spam", "whatsapp-news"},
		},
		{
			name: "the global entry belongs to what explains its time",
			events: []seismo.Event{
				{Type: seismo.EventOpened, Timestamp: at(2), Data: seismo.Incident{ID: wa, Service: "whatsapp",
					Countries: entries("GB:pending"), Global: &seismo.CountryEntry{Country: seismo.AllCountries, Status: seismo.StatusOpen}}},
				{Type: seismo.EventOpened, Timestamp: at(-24*60 + 10), Data: seismo.Incident{ID: "whatsapp-spam", Service: "whatsapp",
					Global: &seismo.CountryEntry{Country: seismo.AllCountries, Status: seismo.StatusOpen}}},
				{Type: seismo.EventOpened, Timestamp: at(-600), Data: seismo.Incident{ID: "facebook-1", Service: "facebook",
					Global: &seismo.CountryEntry{Country: seismo.AllCountries, Status: seismo.StatusOpen}}},
			},
			// The global entry announces the outage although no country is
			// open yet.
			detect:  map[string]time.Duration{"whatsapp": 2 * time.Minute},
			omedian: 2 * time.Minute, omax: 2 * time.Minute,
			falseOpenings:  []string{"facebook-1/*"},
			falseIncidents: []string{"facebook-1"},
			burst:          []string{"whatsapp-spam/*"},
			burstIncidents: []string{"whatsapp-spam"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := simulate.Score(truth(), tt.events)
			var found []string
			for _, r := range sc.Outages {
				for _, c := range r.Countries {
					if !c.Found {
						continue
					}
					k := r.Outage.Service + "/" + c.Country
					found = append(found, k)
					if c.Latency != tt.latency[k] {
						t.Errorf("%s latency %s, want %s", k, c.Latency, tt.latency[k])
					}
				}
			}
			same(t, "found", found, tt.found)
			if sc.Expected != 4 || sc.Found != len(tt.found) || sc.Recall != float64(len(tt.found))/4 {
				t.Errorf("expected %d found %d recall %v", sc.Expected, sc.Found, sc.Recall)
			}
			if sc.CountryMedianLatency != tt.median || sc.CountryMaxLatency != tt.max {
				t.Errorf("country latency median %s max %s, want %s and %s", sc.CountryMedianLatency, sc.CountryMaxLatency, tt.median, tt.max)
			}
			for _, r := range sc.Outages {
				want, ok := tt.detect[r.Outage.Service]
				if r.Detected != ok || r.Latency != want {
					t.Errorf("%s outage: detected %v after %s, want %v after %s", r.Outage.Service, r.Detected, r.Latency, ok, want)
				}
			}
			if len(tt.detect) > 0 && (sc.MedianLatency != tt.omedian || sc.MaxLatency != tt.omax) {
				t.Errorf("outage latency median %s max %s, want %s and %s", sc.MedianLatency, sc.MaxLatency, tt.omedian, tt.omax)
			}
			same(t, "false openings", keys(sc.False), tt.falseOpenings)
			same(t, "false incidents", sc.FalseIncidents, tt.falseIncidents)
			same(t, "burst openings", keys(sc.BurstOpenings), tt.burst)
			same(t, "burst incidents", sc.BurstIncidents, tt.burstIncidents)
		})
	}
}

func keys(ops []simulate.Opening) []string {
	var out []string
	for _, op := range ops {
		out = append(out, op.Incident+"/"+op.Country)
	}
	return out
}

func same(t *testing.T, what string, got, want []string) {
	t.Helper()
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	if !slices.Equal(g, w) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func TestParseTruth(t *testing.T) {
	s, err := simulate.Parse([]byte(small))
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(s.Truth())
	if err != nil {
		t.Fatal(err)
	}
	tr, err := simulate.ParseTruth(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Outages) != 1 || tr.Outages[0].Reporters["GB"] != 400 || len(tr.Bursts) != 2 {
		t.Errorf("round trip = %+v", tr)
	}
	for name, bad := range map[string]string{
		"unknown field":   `{"scenario":"x","outages":[],"bursts":[],"extra":1}`,
		"outage no span":  `{"outages":[{"service":"whatsapp","countries":["GB"],"start":"2024-04-03T18:00:00Z","end":"2024-04-03T18:00:00Z"}]}`,
		"bad burst kind":  `{"bursts":[{"kind":"ads","service":"whatsapp","countries":["GB"],"start":"2024-04-03T18:00:00Z","end":"2024-04-03T19:00:00Z"}]}`,
		"not json":        `{`,
		"outage no place": `{"outages":[{"service":"whatsapp","countries":[],"start":"2024-04-03T18:00:00Z","end":"2024-04-03T19:00:00Z"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := simulate.ParseTruth([]byte(bad)); err == nil {
				t.Errorf("no error for %s", bad)
			}
		})
	}
}
