package simulate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Families of outages Draw places, each a kind of outage a detector can
// miss or be late to for its own reason. An outage's Name starts with its
// family ("night-3"), which FamilyOf reads back.
const (
	// FamilyDaytime: one to four countries in their daytime, a quick ramp.
	FamilyDaytime = "daytime"
	// FamilyNight: one country between 01:00 and 05:00 local time, where
	// few people post about anything.
	FamilyNight = "night"
	// FamilyThin: one country, 20 to 50 people in all.
	FamilyThin = "thin"
	// FamilyShort: 5 to 45 minutes.
	FamilyShort = "short"
	// FamilyLong: 3 to 6 hours over several countries.
	FamilyLong = "long"
	// FamilySlowRamp: reports take 30 to 60 minutes to build.
	FamilySlowRamp = "slow-ramp"
	// FamilySiblings: two or three services of one company fail, their
	// starts staggered by up to half an hour; each member is an outage of
	// its own ("siblings-2-instagram").
	FamilySiblings = "siblings"
)

// Families returns the outage families Draw places, in a fixed order.
func Families() []string {
	return []string{FamilyDaytime, FamilyNight, FamilyThin, FamilyShort, FamilyLong, FamilySlowRamp, FamilySiblings}
}

// FamilyOf returns the family of an outage Draw named, "" for another name.
func FamilyOf(outage string) string {
	for _, f := range Families() {
		if strings.HasPrefix(outage, f+"-") {
			return f
		}
	}
	return ""
}

// drawCountry is a country Draw may pick: its zone, languages and how much
// it posts.
type drawCountry struct {
	code, zone string
	langs      []Share
	chatter    float64
}

// drawCountries span the nine languages and every time zone band, big and
// small.
var drawCountries = []drawCountry{
	{"US", "America/New_York", []Share{{"en", 0.85}, {"es", 0.15}}, 7},
	{"GB", "Europe/London", []Share{{"en", 1}}, 5},
	{"IN", "Asia/Kolkata", []Share{{"hi", 0.5}, {"en", 0.5}}, 6},
	{"BR", "America/Sao_Paulo", []Share{{"pt", 1}}, 6},
	{"MX", "America/Mexico_City", []Share{{"es", 1}}, 3},
	{"AR", "America/Argentina/Buenos_Aires", []Share{{"es", 1}}, 2},
	{"ES", "Europe/Madrid", []Share{{"es", 1}}, 2},
	{"FR", "Europe/Paris", []Share{{"fr", 1}}, 3},
	{"IT", "Europe/Rome", []Share{{"it", 1}}, 2.5},
	{"DE", "Europe/Berlin", []Share{{"de", 1}}, 3},
	{"AT", "Europe/Vienna", []Share{{"de", 1}}, 0.8},
	{"CH", "Europe/Zurich", []Share{{"de", 0.6}, {"fr", 0.3}, {"it", 0.1}}, 0.8},
	{"PT", "Europe/Lisbon", []Share{{"pt", 1}}, 1},
	{"TR", "Europe/Istanbul", []Share{{"tr", 1}}, 3},
	{"EG", "Africa/Cairo", []Share{{"ar", 1}}, 2.5},
	{"SA", "Asia/Riyadh", []Share{{"ar", 1}}, 2},
	{"AE", "Asia/Dubai", []Share{{"ar", 0.5}, {"en", 0.5}}, 1},
	{"MA", "Africa/Casablanca", []Share{{"ar", 0.7}, {"fr", 0.3}}, 1.2},
	{"CA", "America/Toronto", []Share{{"en", 0.75}, {"fr", 0.25}}, 2},
	{"AU", "Australia/Sydney", []Share{{"en", 1}}, 2},
	{"NG", "Africa/Lagos", []Share{{"en", 1}}, 2},
	{"CO", "America/Bogota", []Share{{"es", 1}}, 1.5},
	{"BE", "Europe/Brussels", []Share{{"fr", 0.5}, {"en", 0.5}}, 0.8},
	{"KW", "Asia/Kuwait", []Share{{"ar", 1}}, 0.5},
}

// drawServices are the services Draw's traffic complains about, with their
// background complaints per minute at full activity before a random
// factor, and the companies whose services fail together.
var drawServices = []struct {
	id, company string
	baseline    float64
}{
	{"whatsapp", "meta", 0.05}, {"instagram", "meta", 0.03}, {"facebook", "meta", 0.015},
	{"messenger", "meta", 0.005}, {"threads", "meta", 0.002},
	{"youtube", "google", 0.012}, {"gmail", "google", 0.005},
	{"outlook", "microsoft", 0.004}, {"x", "", 0.01}, {"tiktok", "", 0.01},
	{"telegram", "", 0.005}, {"discord", "", 0.005}, {"netflix", "", 0.005},
	{"spotify", "", 0.005}, {"chatgpt", "", 0.008}, {"snapchat", "", 0.004},
	{"signal", "", 0.002}, {"icloud", "", 0.002},
}

// DrawDays is how long a drawn scenario lasts. The first day only teaches
// the baselines: no outage starts in it.
const DrawDays = 4

// Draw returns a random scenario, the same for the same seed: four days of
// traffic in twelve countries drawn from a pool of twenty-four (their mix,
// sizes, complaint rates and day-to-day variance drawn too), and on days
// two to four one outage of each family but siblings, a second of two of
// them, a sibling outage, a spam account and a news burst about a past
// outage. A big outage (400 people or more) of a company's service often
// has collateral: some of its reporters ask whether the company's other
// services are down too. Outages of one service never overlap, and none
// ends after the scenario.
func Draw(seed uint64) *Scenario {
	r := rand.New(rand.NewPCG(seed, seed^0xd7a3))
	start := time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(210))
	s := &Scenario{
		Name:                fmt.Sprintf("drawn-%d", seed),
		Description:         fmt.Sprintf("drawn by simulate.Draw(%d)", seed),
		Start:               start,
		End:                 start.Add(DrawDays * 24 * time.Hour),
		Seed:                seed,
		DayToDay:            0.1 + 0.2*r.Float64(),
		UnknownCountryShare: 0.02 + 0.06*r.Float64(),
		LangHintShare:       0.3 + 0.5*r.Float64(),
	}
	for _, sv := range drawServices {
		s.Services = append(s.Services, Service{ID: sv.id, Baseline: sv.baseline * math.Exp(r.NormFloat64()*0.4)})
	}
	pool := slices.Clone(drawCountries)
	r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	for _, c := range pool[:12] {
		loc, err := time.LoadLocation(c.zone)
		if err != nil {
			panic(fmt.Sprintf("simulate: zone %s: %v", c.zone, err)) // the pool's own zones
		}
		s.Countries = append(s.Countries, Country{Code: c.code, Location: loc, Langs: c.langs,
			Chatter: c.chatter * math.Exp(r.NormFloat64()*0.3), MentionShare: 0.12,
			ComplaintScale: math.Exp(r.NormFloat64() * 0.35)})
	}

	d := &drawer{r: r, s: s, busy: map[string][][2]time.Time{}}
	families := []string{FamilyDaytime, FamilyNight, FamilyThin, FamilyShort, FamilyLong, FamilySlowRamp}
	extra := slices.Clone(families)
	r.Shuffle(len(extra), func(i, j int) { extra[i], extra[j] = extra[j], extra[i] })
	for _, f := range append(families, extra[:2]...) {
		d.place(f)
	}
	d.siblings()
	d.decoys()
	slices.SortFunc(s.Outages, func(a, b Outage) int { return a.Start.Compare(b.Start) })
	return s
}

// drawer places outages in a drawn scenario.
type drawer struct {
	r *rand.Rand
	s *Scenario
	n int
	// busy holds each service's outages, so no two of them overlap.
	busy map[string][][2]time.Time
}

// countries returns n distinct countries of the scenario, at random.
func (d *drawer) countries(n int) []*Country {
	idx := d.r.Perm(len(d.s.Countries))[:n]
	out := make([]*Country, n)
	for i, k := range idx {
		out[i] = &d.s.Countries[k]
	}
	return out
}

// service picks a service, the busiest more often.
func (d *drawer) service() string {
	var shares []Share
	for _, sv := range drawServices {
		shares = append(shares, Share{sv.id, math.Sqrt(sv.baseline)})
	}
	return pick(d.r, shares)
}

// free reports whether svc has no outage within an hour of [from, to).
func (d *drawer) free(svc string, from, to time.Time) bool {
	for _, b := range d.busy[svc] {
		if from.Before(b[1].Add(time.Hour)) && b[0].Before(to.Add(time.Hour)) {
			return false
		}
	}
	return true
}

// when draws a start in days two to DrawDays for an outage of length dur,
// or, when local is set, one whose local hour in loc is in [local[0],
// local[1]).
func (d *drawer) when(dur time.Duration, loc *time.Location, local *[2]int) time.Time {
	first := d.s.Start.Add(24 * time.Hour)
	last := d.s.End.Add(-dur - 30*time.Minute)
	for {
		t := first.Add(time.Duration(d.r.Int64N(int64(last.Sub(first)/time.Minute))) * time.Minute)
		if local == nil {
			return t
		}
		if h := t.In(loc).Hour(); h >= local[0] && h < local[1] {
			return t
		}
	}
}

func (d *drawer) add(o Outage) {
	d.s.Outages = append(d.s.Outages, o)
	for svc := range o.Reporters {
		d.busy[svc] = append(d.busy[svc], [2]time.Time{o.Start, o.End()})
	}
}

// split shares total reporters between countries, the first the most.
func (d *drawer) split(total int, cs []*Country) map[string]int {
	out := map[string]int{}
	w := make([]float64, len(cs))
	sum := 0.0
	for i := range cs {
		w[i] = cs[i].Chatter * (0.5 + d.r.Float64()) / float64(i+1)
		sum += w[i]
	}
	for i, c := range cs {
		out[c.Code] = max(1, int(math.Round(float64(total)*w[i]/sum)))
	}
	return out
}

// place adds one outage of family f.
func (d *drawer) place(f string) {
	r := d.r
	for {
		var (
			cs       []*Country
			total    int
			dur      time.Duration
			ramp     time.Duration
			local    *[2]int
			minutesN = func(lo, hi int) time.Duration { return time.Duration(lo+r.IntN(hi-lo+1)) * time.Minute }
		)
		switch f {
		case FamilyDaytime:
			cs, total, dur, ramp = d.countries(1+r.IntN(4)), 80+r.IntN(1900), minutesN(30, 180), minutesN(1, 15)
			local = &[2]int{9, 21}
		case FamilyNight:
			cs, total, dur, ramp = d.countries(1), 30+r.IntN(91), minutesN(30, 120), minutesN(1, 10)
			local = &[2]int{1, 5}
		case FamilyThin:
			cs, total, dur, ramp = d.countries(1), 20+r.IntN(31), minutesN(20, 90), minutesN(1, 10)
		case FamilyShort:
			cs, total, dur = d.countries(1+r.IntN(2)), 40+r.IntN(261), minutesN(5, 45)
			ramp = min(minutesN(1, 5), (dur / 2).Truncate(time.Minute))
		case FamilyLong:
			cs, total, dur, ramp = d.countries(3+r.IntN(4)), 300+r.IntN(2700), minutesN(180, 360), minutesN(2, 20)
		case FamilySlowRamp:
			cs, total, dur, ramp = d.countries(1+r.IntN(3)), 100+r.IntN(900), minutesN(90, 240), minutesN(30, 60)
		default:
			panic("simulate: no family " + f)
		}
		svc := d.service()
		var loc *time.Location
		if local != nil {
			loc = cs[0].Location
		}
		start := d.when(dur, loc, local)
		if !d.free(svc, start, start.Add(dur)) {
			continue
		}
		d.n++
		o := Outage{Name: fmt.Sprintf("%s-%d", f, d.n), Start: start, Duration: dur, Ramp: ramp,
			Reporters: map[string]map[string]int{svc: d.split(total, cs)}, RecoveryShare: 0.05 + 0.1*r.Float64()}
		if total >= 400 {
			// People ask whether the company's other services are down
			// too; they are not.
			for _, sib := range siblingsOf(svc) {
				if r.Float64() < 0.6 && d.free(sib, start, start.Add(dur)) {
					if o.Collateral == nil {
						o.Collateral = map[string]float64{}
					}
					o.Collateral[sib] = 0.03 + 0.07*r.Float64()
				}
			}
		}
		d.add(o)
		return
	}
}

// siblingsOf returns the other services of svc's company, at most two, in
// the order of drawServices.
func siblingsOf(svc string) []string {
	company := ""
	for _, sv := range drawServices {
		if sv.id == svc {
			company = sv.company
		}
	}
	var out []string
	for _, sv := range drawServices {
		if company != "" && sv.company == company && sv.id != svc && len(out) < 2 {
			out = append(out, sv.id)
		}
	}
	return out
}

// siblings adds one outage of two or three services of one company, their
// starts staggered.
func (d *drawer) siblings() {
	r := d.r
	byCompany := map[string][]string{}
	for _, sv := range drawServices {
		if sv.company != "" {
			byCompany[sv.company] = append(byCompany[sv.company], sv.id)
		}
	}
	for {
		members := slices.Clone(byCompany[[]string{"meta", "meta", "google"}[r.IntN(3)]])
		r.Shuffle(len(members), func(i, j int) { members[i], members[j] = members[j], members[i] })
		members = members[:min(len(members), 2+r.IntN(2))]
		cs := d.countries(1 + r.IntN(4))
		dur := time.Duration(60+r.IntN(120)) * time.Minute
		start := d.when(dur+30*time.Minute, nil, nil)
		ok := true
		for _, m := range members {
			ok = ok && d.free(m, start, start.Add(dur+30*time.Minute))
		}
		if !ok {
			continue
		}
		d.n++
		for i, m := range members {
			lag := time.Duration(0)
			if i > 0 {
				lag = time.Duration(r.IntN(31)) * time.Minute
			}
			total := (150 + r.IntN(1200)) / (i + 1)
			d.add(Outage{Name: fmt.Sprintf("%s-%d-%s", FamilySiblings, d.n, m), Start: start.Add(lag),
				Duration: dur - (lag / 2).Truncate(time.Minute), Ramp: time.Duration(2+r.IntN(8)) * time.Minute,
				Reporters: map[string]map[string]int{m: d.split(total, cs)}, RecoveryShare: 0.08})
		}
		return
	}
}

// decoys adds a spam account and a news burst, clear of outages of their
// services.
func (d *drawer) decoys() {
	r := d.r
	for {
		c, svc := d.countries(1)[0], d.service()
		dur := time.Duration(20+r.IntN(41)) * time.Minute
		start := d.when(dur, nil, nil)
		if d.free(svc, start, start.Add(dur)) {
			d.s.Spam = append(d.s.Spam, Spam{Country: c.Code, Service: svc, Start: start, Duration: dur, Posts: 100 + r.IntN(201)})
			break
		}
	}
	for {
		svc := d.service()
		dur := time.Duration(60+r.IntN(121)) * time.Minute
		start := d.when(dur, nil, nil)
		if !d.free(svc, start, start.Add(dur)) {
			continue
		}
		var where []Share
		for _, c := range d.countries(2 + r.IntN(3)) {
			where = append(where, Share{c.Code, c.Chatter})
		}
		d.s.News = append(d.s.News, News{Service: svc, Start: start, Duration: dur, Posts: 300 + r.IntN(1201),
			Countries: where, Year: start.Year() - 1 - r.IntN(3)})
		return
	}
}
