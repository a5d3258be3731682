// Package simulate generates synthetic post traffic in event time: ordinary
// multilingual chatter with a daily rhythm in each country's local time,
// background complaints, outages, spam bursts (one account posting hundreds
// of complaints) and news bursts (hundreds of people sharing an article about
// a past outage). It feeds the demo, the backtest and the detector's tests.
//
// A Scenario is usually read from a YAML file (Parse, Builtin); the shipped
// scenarios are embedded. The same scenario always yields the same posts.
// Truth says what the detector should make of a scenario, and Score grades
// the incident events of a run against it.
package simulate

import (
	_ "embed"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/seismo-dev/seismo"
)

// Kinds of post template.
const (
	KindChatter   = "chatter"
	KindMention   = "mention"
	KindNegative  = "negative"
	KindComplaint = "complaint"
	KindRecovery  = "recovery"
	// KindNews shares an article about a past outage: not a live complaint.
	KindNews = "news"
	// KindCollateral asks, during an outage of another service, whether
	// this one is down too: it is not.
	KindCollateral = "collateral"
)

// Languages returns the ISO 639-1 codes simulated posts can be written in,
// the nine the classifier knows.
func Languages() []string { return []string{"ar", "de", "en", "es", "fr", "hi", "it", "pt", "tr"} }

// Share is a weighted choice.
type Share struct {
	Value  string
	Weight float64
}

// Rhythm is the share of peak activity at each local hour, 0 to 1; minutes
// between two hours are interpolated.
type Rhythm [24]float64

// DefaultRhythm is people's posting over a day: lowest before dawn, highest
// in the evening.
func DefaultRhythm() Rhythm {
	return Rhythm{
		0.35, 0.22, 0.14, 0.10, 0.08, 0.10, 0.20, 0.40, 0.60, 0.70, 0.72, 0.75,
		0.80, 0.78, 0.74, 0.74, 0.78, 0.82, 0.88, 0.95, 1.00, 0.95, 0.80, 0.55,
	}
}

// At returns the share of peak activity at a local time.
func (r *Rhythm) At(local time.Time) float64 {
	h := float64(local.Hour()) + float64(local.Minute())/60
	i := int(h)
	f := h - float64(i)
	return r[i]*(1-f) + r[(i+1)%24]*f
}

// Service is one service's background complaints: people always complain a
// little, about their own phone or a blip nobody else sees.
type Service struct {
	ID string
	// Baseline is complaints per minute at full activity in a country whose
	// ComplaintScale is 1.
	Baseline float64
	// Rhythm, when not nil, replaces the scenario's rhythm for this
	// service's complaints, background and outage alike.
	Rhythm *Rhythm
}

// Country is one country's ordinary traffic.
type Country struct {
	// Code is ISO 3166-1 alpha-2.
	Code string
	// Location is the country's IANA time zone: the daily rhythm follows
	// local time, daylight saving included.
	Location *time.Location
	// Langs are the languages posts are written in, weighted.
	Langs []Share
	// Chatter is posts per minute at full activity; MentionShare of them
	// name a service without reporting anything.
	Chatter      float64
	MentionShare float64
	// ComplaintScale multiplies every service's Baseline here: how many
	// people complain in this country compared with others.
	ComplaintScale float64
}

// Outage makes services fail in some countries for a while.
type Outage struct {
	// Name identifies the outage in the truth; empty means outage-<index>.
	Name     string
	Start    time.Time
	Duration time.Duration
	// Ramp is how long reports take to reach their peak. After it they
	// settle to about a third of the peak while the outage lasts and fall
	// off in its last stretch (the last quarter, at most ten minutes) as
	// service returns. Reports also follow the rhythm of the hour: few
	// people notice an outage at 3 a.m.
	Ramp time.Duration
	// Reporters is the number of distinct people who post a complaint over
	// the whole outage, by service and country.
	Reporters map[string]map[string]int
	// RecoveryShare of the reporters say the service is back in the half
	// hour after the end.
	RecoveryShare float64
	// Collateral is, by service the outage does not affect (a sibling of
	// one it does), the share of the outage's reporters who also ask
	// whether that one is down too, as people do during a big outage. That
	// service is fine: an incident of it is false.
	Collateral map[string]float64

	// sizeField names Reporters in error paths: "reports" when the file
	// gave report counts.
	sizeField string
}

func (o *Outage) sizePath(i int) string {
	if o.sizeField != "" {
		return fmt.Sprintf("outages[%d].%s", i, o.sizeField)
	}
	return fmt.Sprintf("outages[%d].reporters", i)
}

// End is when service returns.
func (o *Outage) End() time.Time { return o.Start.Add(o.Duration) }

// Services returns the ids of the services the outage affects, sorted.
func (o *Outage) Services() []string { return sortedKeys(o.Reporters) }

// Spam is one account posting many complaints in a short time. It is one
// reporter and must not open an incident.
type Spam struct {
	Country, Service string
	Start            time.Time
	Duration         time.Duration
	// Posts is exactly how many complaints the account posts, spread
	// evenly over Duration.
	Posts int
	// Author is the account; empty means spam-<country>-<service>.
	Author string
}

// News is an article about a past outage going round: Posts people, each a
// different account, share it within Duration, most of them early. Their
// posts name the service and an outage in the past tense; they are no live
// complaint and must not open an incident.
type News struct {
	Service  string
	Start    time.Time
	Duration time.Duration
	// Posts is exactly how many people share the article.
	Posts int
	// Countries weights where the sharers are; each country's languages
	// pick the text.
	Countries []Share
	// URL is the article's address, in the posts' text and url field;
	// empty means a made-up address on news.example.
	URL string
	// Year is when the outage the article tells about happened; 0 means
	// the year of Start.
	Year int
}

// Scenario is a whole simulated stretch of traffic.
type Scenario struct {
	Name        string
	Description string
	Start, End  time.Time
	Seed        uint64
	// Rhythm is the daily shape of activity; nil means DefaultRhythm.
	Rhythm *Rhythm
	// DayToDay is the standard deviation of the natural log of a factor
	// drawn for each local day that multiplies a country's chatter and each
	// of its complaint rates: ordinary days are not all alike. 0 makes them
	// alike.
	DayToDay  float64
	Services  []Service
	Countries []Country
	Outages   []Outage
	Spam      []Spam
	News      []News
	// UnknownCountryShare of posts carry no country.
	UnknownCountryShare float64
	// LangHintShare of posts carry the platform's language hint.
	LangHintShare float64
}

// Generate calls emit for every post of the scenario in event-time order.
// The same scenario always yields the same posts. It returns the first error
// of Validate or of emit.
func (s *Scenario) Generate(emit func(seismo.Post) error) error {
	if err := s.Validate(); err != nil {
		return err
	}
	g := newGenerator(s)
	var minute []seismo.Post
	for t := s.Start.UTC(); t.Before(s.End); t = t.Add(time.Minute) {
		minute = g.minute(t, minute[:0])
		slices.SortStableFunc(minute, func(a, b seismo.Post) int { return a.CreatedAt.Compare(b.CreatedAt) })
		for _, p := range minute {
			if err := emit(p); err != nil {
				return err
			}
		}
	}
	return nil
}

type generator struct {
	s        *Scenario
	rng      *rand.Rand
	rhythm   Rhythm
	byCode   map[string]*Country
	services []*Service
	n        int
	// days holds the day-to-day factor of each country (service "") and
	// each (country, service) for the local day it was drawn for.
	days map[dayKey]dayFactor
	// outages holds per (outage, service, country) what the minute loop
	// needs: the normalising weight and the authors who may post again.
	outages []outageSeries
	// spam and news hold the exact number of posts of each minute.
	spam, news [][]int
	newsURL    []string
}

type dayKey struct{ country, service string }

type dayFactor struct {
	day    int // local year*1000 + day of year
	factor float64
}

type outageSeries struct {
	outage    *Outage
	service   string
	country   *Country
	rhythm    *Rhythm
	total     float64
	weight    float64 // sum over the outage's minutes of shape × activity
	returning []string
}

func newGenerator(s *Scenario) *generator {
	g := &generator{
		s:      s,
		rng:    rand.New(rand.NewPCG(s.Seed, s.Seed^0x5e15)),
		rhythm: DefaultRhythm(),
		byCode: map[string]*Country{},
		days:   map[dayKey]dayFactor{},
	}
	if s.Rhythm != nil {
		g.rhythm = *s.Rhythm
	}
	for i := range s.Countries {
		g.byCode[s.Countries[i].Code] = &s.Countries[i]
	}
	for i := range s.Services {
		g.services = append(g.services, &s.Services[i])
	}
	for i := range s.Outages {
		o := &s.Outages[i]
		for _, svc := range o.Services() {
			r := g.serviceRhythm(svc)
			for _, code := range sortedKeys(o.Reporters[svc]) {
				c := g.byCode[code]
				ser := outageSeries{outage: o, service: svc, country: c, rhythm: r, total: float64(o.Reporters[svc][code])}
				for m := time.Duration(0); m < o.Duration; m += time.Minute {
					ser.weight += outageShape(m, o.Duration, o.Ramp) * r.At(o.Start.Add(m).In(c.Location))
				}
				g.outages = append(g.outages, ser)
			}
		}
	}
	for _, sp := range s.Spam {
		g.spam = append(g.spam, spread(sp.Posts, minutes(sp.Duration), func(int) float64 { return 1 }))
	}
	for i, nw := range s.News {
		// Shares of an article come fast and die down.
		tau := max(1, float64(minutes(nw.Duration))/4)
		g.news = append(g.news, spread(nw.Posts, minutes(nw.Duration), func(m int) float64 { return math.Exp(-float64(m) / tau) }))
		url := nw.URL
		if url == "" {
			url = fmt.Sprintf("https://news.example/%s-outage-%d", nw.Service, i+1)
		}
		g.newsURL = append(g.newsURL, url)
	}
	return g
}

func (g *generator) serviceRhythm(id string) *Rhythm {
	for _, sv := range g.services {
		if sv.ID == id && sv.Rhythm != nil {
			return sv.Rhythm
		}
	}
	return &g.rhythm
}

// dayFactor returns the factor of the local day of t for a country, or a
// (country, service) when service is not empty.
func (g *generator) dayFactor(local time.Time, country, service string) float64 {
	if g.s.DayToDay == 0 {
		return 1
	}
	day := local.Year()*1000 + local.YearDay()
	k := dayKey{country, service}
	if f, ok := g.days[k]; ok && f.day == day {
		return f.factor
	}
	f := math.Exp(g.s.DayToDay*g.rng.NormFloat64() - g.s.DayToDay*g.s.DayToDay/2)
	g.days[k] = dayFactor{day, f}
	return f
}

func (g *generator) minute(t time.Time, out []seismo.Post) []seismo.Post {
	for i := range g.s.Countries {
		c := &g.s.Countries[i]
		local := t.In(c.Location)
		chatter := c.Chatter * g.rhythm.At(local) * g.dayFactor(local, c.Code, "")
		for range poisson(g.rng, chatter) {
			kind := KindChatter
			svc := ""
			if g.rng.Float64() < c.MentionShare {
				kind, svc = KindMention, pickService(g.rng)
				if g.rng.Float64() < 0.25 {
					kind = KindNegative
				}
			}
			out = append(out, g.post(t, c, kind, svc, ""))
		}
		for _, sv := range g.services {
			r := &g.rhythm
			if sv.Rhythm != nil {
				r = sv.Rhythm
			}
			rate := sv.Baseline * c.ComplaintScale * r.At(local) * g.dayFactor(local, c.Code, sv.ID)
			for range poisson(g.rng, rate) {
				out = append(out, g.post(t, c, KindComplaint, sv.ID, ""))
			}
		}
	}
	for i := range g.outages {
		out = g.outage(t, &g.outages[i], out)
	}
	for i, sp := range g.s.Spam {
		m := int(t.Sub(sp.Start) / time.Minute)
		if m < 0 || m >= len(g.spam[i]) {
			continue
		}
		author := sp.Author
		if author == "" {
			author = "spam-" + strings.ToLower(sp.Country) + "-" + sp.Service
		}
		for range g.spam[i][m] {
			out = append(out, g.post(t, g.byCode[sp.Country], KindComplaint, sp.Service, author))
		}
	}
	for i, nw := range g.s.News {
		m := int(t.Sub(nw.Start) / time.Minute)
		if m < 0 || m >= len(g.news[i]) {
			continue
		}
		year := nw.Year
		if year == 0 {
			year = nw.Start.Year()
		}
		fill := strings.NewReplacer("{url}", g.newsURL[i], "{year}", strconv.Itoa(year))
		for range g.news[i][m] {
			c := g.byCode[pick(g.rng, nw.Countries)]
			p := g.post(t, c, KindNews, nw.Service, "")
			p.Text = fill.Replace(p.Text)
			p.URL = g.newsURL[i]
			out = append(out, p)
		}
	}
	return out
}

// outage adds one series' complaints of minute t and the recovery posts in
// the half hour after the end.
func (g *generator) outage(t time.Time, ser *outageSeries, out []seismo.Post) []seismo.Post {
	o := ser.outage
	since := t.Sub(o.Start)
	if since < 0 || since >= o.Duration+30*time.Minute {
		return out
	}
	c := ser.country
	if since >= o.Duration {
		after := (since - o.Duration).Minutes()
		mean := ser.total * o.RecoveryShare * math.Exp(-after/8) / 8
		for range poisson(g.rng, mean) {
			out = append(out, g.post(t, c, KindRecovery, ser.service, ""))
		}
		return out
	}
	var mean float64
	if ser.weight > 0 {
		// Posts outnumber reporters: some complain again.
		mean = ser.total / (1 - repeatShare) * outageShape(since, o.Duration, o.Ramp) * ser.rhythm.At(t.In(c.Location)) / ser.weight
	}
	for range poisson(g.rng, mean) {
		author := ""
		if len(ser.returning) > 0 && g.rng.Float64() < repeatShare {
			author = ser.returning[g.rng.IntN(len(ser.returning))]
		}
		p := g.post(t, c, KindComplaint, ser.service, author)
		if author == "" && len(ser.returning) < 5000 {
			ser.returning = append(ser.returning, p.Author)
		}
		out = append(out, p)
		if author == "" {
			// A new reporter may ask about the siblings too (the random
			// draws happen only when the outage has collateral, so other
			// scenarios' posts stay as they were).
			for _, sib := range sortedKeys(o.Collateral) {
				if g.rng.Float64() < o.Collateral[sib] {
					out = append(out, g.post(t, c, KindCollateral, sib, p.Author))
				}
			}
		}
	}
	return out
}

// repeatShare of an outage's complaints come from someone who already
// complained: they count once.
const repeatShare = 0.15

// outageShape is the relative rate of complaints at a time into an outage.
func outageShape(since, dur, ramp time.Duration) float64 {
	x := since.Minutes()
	rise := 1.0
	if ramp > 0 && since < ramp {
		rise = (x + 1) / ramp.Minutes()
	}
	// Reports peak early and settle to about a third while the outage lasts,
	// then fall off at the end as service returns.
	level := 0.35 + 0.65*math.Exp(-x/(dur.Minutes()/3))
	tail := 1.0
	fade := min(10, dur.Minutes()/4)
	if left := (dur - since).Minutes(); left < fade {
		tail = left / fade
	}
	return rise * level * tail
}

// spread distributes exactly n posts over m minutes in proportion to
// weight, deterministically.
func spread(n, m int, weight func(int) float64) []int {
	out := make([]int, m)
	cum := make([]float64, m)
	var total float64
	for i := range m {
		total += weight(i)
		cum[i] = total
	}
	j := 0
	for k := range n {
		u := (float64(k) + 0.5) / float64(n) * total
		for j < m-1 && cum[j] < u {
			j++
		}
		out[j]++
	}
	return out
}

func minutes(d time.Duration) int { return int(d / time.Minute) }

func (g *generator) post(t time.Time, c *Country, kind, svc, author string) seismo.Post {
	g.n++
	lang := pick(g.rng, c.Langs)
	if author == "" {
		author = fmt.Sprintf("%s-%d", strings.ToLower(c.Code), g.rng.IntN(2_000_000))
	}
	p := seismo.Post{
		ID:        fmt.Sprintf("sim-%08d", g.n),
		Text:      g.text(lang, kind, svc),
		CreatedAt: t.Add(time.Duration(g.rng.IntN(60_000)) * time.Millisecond),
		Source:    "simulate",
		Author:    author,
		Country:   c.Code,
	}
	if g.rng.Float64() < g.s.UnknownCountryShare {
		p.Country = ""
	}
	if g.rng.Float64() < g.s.LangHintShare {
		p.Lang = lang
	}
	return p
}

func (g *generator) text(lang, kind, svc string) string {
	ts := templates[lang][kind]
	if len(ts) == 0 {
		ts = templates["en"][kind]
	}
	tpl := ts[g.rng.IntN(len(ts))]
	if !strings.Contains(tpl, "{svc}") {
		return tpl
	}
	name := g.alias(svc, lang)
	if strings.Contains(tpl, "#{svc}") {
		return strings.ReplaceAll(tpl, "{svc}", strings.ReplaceAll(name, " ", ""))
	}
	return strings.ReplaceAll(tpl, "{svc}", name)
}

// alias picks a name people of a language use for a service; a service
// without known names is written as its id.
func (g *generator) alias(svc, lang string) string {
	names := aliases[svc+"/"+lang]
	if len(names) == 0 {
		names = aliases[svc]
	}
	if len(names) == 0 {
		return svc
	}
	return names[g.rng.IntN(len(names))]
}

var serviceMix = []Share{
	{"whatsapp", 30}, {"instagram", 22}, {"facebook", 14}, {"x", 8}, {"youtube", 8}, {"tiktok", 6},
	{"telegram", 3}, {"snapchat", 3}, {"netflix", 3}, {"spotify", 3},
}

func pickService(r *rand.Rand) string { return pick(r, serviceMix) }

func pick(r *rand.Rand, shares []Share) string {
	var total float64
	for _, s := range shares {
		total += s.Weight
	}
	x := r.Float64() * total
	for _, s := range shares {
		if x < s.Weight {
			return s.Value
		}
		x -= s.Weight
	}
	return shares[len(shares)-1].Value
}

// poisson draws from a Poisson distribution: Knuth's method for small means,
// a rounded normal approximation for large ones.
func poisson(r *rand.Rand, mean float64) int {
	if mean <= 0 {
		return 0
	}
	if mean > 50 {
		return max(0, int(math.Round(mean+math.Sqrt(mean)*r.NormFloat64())))
	}
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

//go:embed texts.txt
var textsFile string

// templates maps language → kind → templates.
var templates = parseTemplates(textsFile)

func parseTemplates(s string) map[string]map[string][]string {
	out := map[string]map[string][]string{}
	var lang, kind string
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		switch {
		// "# " starts a comment; a hashtag template like "#{svc}down" has no space.
		case line == "" || strings.HasPrefix(line, "# "):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			f := strings.Fields(line[1 : len(line)-1])
			lang, kind = f[0], f[1]
			if out[lang] == nil {
				out[lang] = map[string][]string{}
			}
		case lang != "":
			out[lang][kind] = append(out[lang][kind], line)
		}
	}
	return out
}

// NewsTexts returns every text a news burst can post in a language, with
// the service written as name, the article's address as url and the year of
// the past outage it tells about. The classifier should count none of them
// as a complaint.
func NewsTexts(lang, name, url string, year int) []string {
	fill := strings.NewReplacer("{svc}", name, "{url}", url, "{year}", strconv.Itoa(year))
	var out []string
	for _, tpl := range templates[lang][KindNews] {
		out = append(out, fill.Replace(tpl))
	}
	return out
}

// aliases are the names people use for a service, by "service/lang" and
// then "service" as the fallback.
var aliases = map[string][]string{
	"whatsapp":     {"WhatsApp", "whatsapp", "Whatsapp", "WhatsApp"},
	"whatsapp/pt":  {"WhatsApp", "zap", "whatsapp", "wpp", "zapzap"},
	"whatsapp/hi":  {"WhatsApp", "whatsapp", "व्हाट्सएप"},
	"whatsapp/ar":  {"واتساب", "الواتس", "واتس اب"},
	"whatsapp/es":  {"WhatsApp", "el whats", "wsp", "whatsapp"},
	"whatsapp/it":  {"WhatsApp", "whatsapp"},
	"whatsapp/fr":  {"WhatsApp", "whatsapp", "wtsp"},
	"whatsapp/de":  {"WhatsApp", "whatsapp"},
	"whatsapp/tr":  {"WhatsApp", "whatsapp", "vatsap"},
	"instagram":    {"Instagram", "instagram", "insta", "Insta"},
	"instagram/ar": {"انستا", "الانستقرام", "انستغرام"},
	"instagram/hi": {"Instagram", "insta", "इंस्टाग्राम"},
	"instagram/pt": {"Instagram", "insta"},
	"instagram/tr": {"Instagram", "insta"},
	"instagram/es": {"Instagram", "insta", "IG"},
	"facebook":     {"Facebook", "facebook", "FB"},
	"facebook/ar":  {"فيسبوك", "الفيس"},
	"facebook/pt":  {"Facebook", "face"},
	"facebook/tr":  {"Facebook", "face"},
	"facebook/es":  {"Facebook", "face"},
	"messenger":    {"Messenger", "messenger", "FB Messenger"},
	"messenger/ar": {"ماسنجر", "مسنجر"},
	"x":            {"Twitter", "X", "twitter"},
	"x/ar":         {"تويتر"},
	"youtube":      {"YouTube", "youtube", "YT"},
	"youtube/ar":   {"يوتيوب"},
	"tiktok":       {"TikTok", "tiktok"},
	"tiktok/ar":    {"تيك توك"},
	"telegram":     {"Telegram", "telegram"},
	"telegram/ar":  {"تيليجرام"},
	"snapchat":     {"Snapchat", "snap"},
	"snapchat/ar":  {"سناب"},
	"netflix":      {"Netflix", "netflix"},
	"netflix/ar":   {"نتفليكس"},
	"spotify":      {"Spotify", "spotify"},
	"spotify/ar":   {"سبوتيفاي"},
	"gmail":        {"Gmail", "gmail"},
	"discord":      {"Discord", "discord"},
	"chatgpt":      {"ChatGPT", "chatgpt"},
	"outlook":      {"Outlook", "hotmail"},
	"icloud":       {"iCloud", "icloud"},
	"threads":      {"Threads app"},
	"signal":       {"Signal app"},
}
