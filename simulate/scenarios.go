package simulate

import "time"

// downdetectorScale turns the press's Downdetector report counts into
// distinct complainers on public posts. Far fewer people post than press a
// report button; one in 25 keeps the demo small and still loud.
const downdetectorScale = 25

// WhatsApp2024 is two days of ordinary traffic in twelve countries followed
// by the WhatsApp outage of 3 April 2024 as the press reported it: problems
// from about 18:10 UTC (Meta's status page: 11:10 Pacific), Downdetector
// reports of about 46,000 in the UK, 42,000 in Brazil, 20,000 in India and
// 12,000 in the US, Instagram trouble for about 4,800 in the US, and service
// back after about two hours. A spam account in the UK posts 150 complaints
// on the second day, which must not open an incident.
func WhatsApp2024() *Scenario {
	day := func(d, h, m int) time.Time { return time.Date(2024, 4, d, h, m, 0, 0, time.UTC) }
	hours := func(h float64) time.Duration { return time.Duration(h * float64(time.Hour)) }
	bg := func(whatsapp float64) map[string]float64 {
		return map[string]float64{"whatsapp": whatsapp, "instagram": whatsapp * 0.6, "facebook": whatsapp * 0.3, "x": 0.01}
	}
	return &Scenario{
		Name:  "whatsapp-2024-04-03",
		Start: day(1, 18, 0),
		End:   day(3, 23, 0),
		Seed:  20240403,
		Countries: []Country{
			{Code: "GB", UTCOffset: hours(1), Langs: []Share{{"en", 1}}, Chatter: 5, MentionShare: 0.12, Complaints: bg(0.05)},
			{Code: "US", UTCOffset: hours(-4), Langs: []Share{{"en", 0.9}, {"es", 0.1}}, Chatter: 7, MentionShare: 0.12, Complaints: bg(0.05)},
			{Code: "BR", UTCOffset: hours(-3), Langs: []Share{{"pt", 1}}, Chatter: 6, MentionShare: 0.12, Complaints: bg(0.08)},
			{Code: "IN", UTCOffset: hours(5.5), Langs: []Share{{"hi", 0.5}, {"en", 0.5}}, Chatter: 6, MentionShare: 0.12, Complaints: bg(0.06)},
			{Code: "IT", UTCOffset: hours(2), Langs: []Share{{"it", 1}}, Chatter: 2, MentionShare: 0.12, Complaints: bg(0.03)},
			{Code: "FR", UTCOffset: hours(2), Langs: []Share{{"fr", 1}}, Chatter: 2, MentionShare: 0.12, Complaints: bg(0.03)},
			{Code: "ES", UTCOffset: hours(2), Langs: []Share{{"es", 1}}, Chatter: 2, MentionShare: 0.12, Complaints: bg(0.03)},
			{Code: "MX", UTCOffset: hours(-6), Langs: []Share{{"es", 1}}, Chatter: 2, MentionShare: 0.12, Complaints: bg(0.03)},
			{Code: "DE", UTCOffset: hours(2), Langs: []Share{{"de", 1}}, Chatter: 2, MentionShare: 0.12, Complaints: bg(0.02)},
			{Code: "TR", UTCOffset: hours(3), Langs: []Share{{"tr", 1}}, Chatter: 2, MentionShare: 0.12, Complaints: bg(0.03)},
			{Code: "EG", UTCOffset: hours(2), Langs: []Share{{"ar", 1}}, Chatter: 2, MentionShare: 0.12, Complaints: bg(0.03)},
			{Code: "SA", UTCOffset: hours(3), Langs: []Share{{"ar", 1}}, Chatter: 1.5, MentionShare: 0.12, Complaints: bg(0.03)},
		},
		Outages: []Outage{{
			Services: []string{"whatsapp", "instagram"},
			Start:    day(3, 18, 10),
			Duration: 2 * time.Hour,
			Ramp:     6 * time.Minute,
			Reporters: map[string]map[string]int{
				"whatsapp":  {"GB": 46000 / downdetectorScale, "BR": 42000 / downdetectorScale, "IN": 20000 / downdetectorScale, "US": 12000 / downdetectorScale},
				"instagram": {"US": 4800 / downdetectorScale},
			},
			RecoveryShare: 0.08,
		}},
		Spam:                []Spam{{Country: "GB", Service: "whatsapp", Start: day(2, 12, 0), Duration: 30 * time.Minute, Posts: 150}},
		UnknownCountryShare: 0.05,
		LangHintShare:       0.6,
	}
}
