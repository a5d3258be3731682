package simulate

import (
	"fmt"
	"time"
)

// FirehoseHours is how much event time a Firehose scenario spreads its
// posts over.
const FirehoseHours = 10

// Firehose returns a scenario of ordinary traffic only, for measuring
// throughput: about posts posts over FirehoseHours in six countries and
// six languages, of which a share relevant names a service (a third of
// those complain, the rest only mention it) and the others name none. The
// daily rhythm makes the total approximate; a caller wanting exactly
// posts stops generating there.
func Firehose(posts int, relevant float64, seed uint64) (*Scenario, error) {
	if posts < 1 || !(relevant >= 0 && relevant <= 1) {
		return nil, fmt.Errorf("firehose: want posts >= 1 and relevant in [0, 1], got %d and %v", posts, relevant)
	}
	countries := []struct{ code, tz, lang string }{
		{"GB", "Europe/London", "en"}, {"IT", "Europe/Rome", "it"}, {"FR", "Europe/Paris", "fr"},
		{"BR", "America/Sao_Paulo", "pt"}, {"EG", "Africa/Cairo", "ar"}, {"IN", "Asia/Kolkata", "hi"},
	}
	services := []string{"whatsapp", "instagram", "facebook", "x"}
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	// Per country and minute at full activity, P posts: complaints
	// relevant*P/3 spread over the services, and chatter the rest, of
	// which a share m mentions a service; m = 2r/(3-r) makes the mentions
	// 2r*P/3, so that a share r of all posts names a service and a third
	// of those complain. Over the ten daytime hours from 08:00 UTC the
	// six countries' rhythm averages about 0.7 of full activity.
	perMinute := float64(posts) / (FirehoseHours * 60) / float64(len(countries)) / 0.7
	chatter := perMinute * (1 - relevant/3)
	s := &Scenario{
		Name:        "firehose",
		Description: fmt.Sprintf("about %d posts over %d hours, %.0f%% naming a service", posts, FirehoseHours, 100*relevant),
		Start:       start,
		End:         start.Add(FirehoseHours * time.Hour),
		Seed:        seed,
	}
	for _, id := range services {
		s.Services = append(s.Services, Service{ID: id, Baseline: relevant * perMinute / 3 / float64(len(services))})
	}
	for _, c := range countries {
		loc, err := time.LoadLocation(c.tz)
		if err != nil {
			return nil, err
		}
		s.Countries = append(s.Countries, Country{Code: c.code, Location: loc, Langs: []Share{{Value: c.lang, Weight: 1}},
			Chatter: chatter, MentionShare: 2 * relevant / (3 - relevant), ComplaintScale: 1})
	}
	return s, s.Validate()
}
