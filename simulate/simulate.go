// Package simulate generates synthetic post traffic: ordinary multilingual
// chatter with a daily rhythm per country, background complaints, outages,
// spam bursts. It feeds the demo and the detector's tests, in event time.
package simulate

import (
	_ "embed"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
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
)

// Share is a weighted choice.
type Share struct {
	Value  string
	Weight float64
}

// Country is one country's ordinary traffic.
type Country struct {
	Code string
	// UTCOffset places the daily rhythm in local time.
	UTCOffset time.Duration
	Langs     []Share
	// Chatter is posts per minute at full daily activity; MentionShare of
	// them name a service without reporting anything.
	Chatter      float64
	MentionShare float64
	// Complaints is the background rate of complaints per minute at full
	// activity, by service: people always complain a little.
	Complaints map[string]float64
}

// Outage makes services fail in some countries for a while.
type Outage struct {
	Services []string
	Start    time.Time
	Duration time.Duration
	// Ramp is how long reports take to reach their peak.
	Ramp time.Duration
	// Reporters is the number of distinct people who complain, by service
	// and country.
	Reporters map[string]map[string]int
	// RecoveryShare of the reporters say the service is back afterwards.
	RecoveryShare float64
}

// Spam is one account posting many complaints in a short time.
type Spam struct {
	Country, Service string
	Start            time.Time
	Duration         time.Duration
	Posts            int
}

// Scenario is a whole simulated stretch of traffic.
type Scenario struct {
	Name       string
	Start, End time.Time
	Seed       uint64
	Countries  []Country
	Outages    []Outage
	Spam       []Spam
	// UnknownCountryShare of posts carry no country.
	UnknownCountryShare float64
	// LangHintShare of posts carry the platform's language hint.
	LangHintShare float64
}

// Generate calls emit for every post of the scenario in event-time order.
// The same scenario always yields the same posts.
func (s *Scenario) Generate(emit func(seismo.Post) error) error {
	if !s.End.After(s.Start) {
		return fmt.Errorf("scenario %s: end must be after start", s.Name)
	}
	g := &generator{s: s, rng: rand.New(rand.NewPCG(s.Seed, s.Seed^0x5e15)), byCode: map[string]*Country{}}
	for i := range s.Countries {
		g.byCode[s.Countries[i].Code] = &s.Countries[i]
	}
	var minute []seismo.Post
	for t := s.Start.Truncate(time.Minute); t.Before(s.End); t = t.Add(time.Minute) {
		minute = g.minute(t, minute[:0])
		sort.SliceStable(minute, func(i, j int) bool { return minute[i].CreatedAt.Before(minute[j].CreatedAt) })
		for _, p := range minute {
			if err := emit(p); err != nil {
				return err
			}
		}
	}
	return nil
}

type generator struct {
	s      *Scenario
	rng    *rand.Rand
	byCode map[string]*Country
	n      int
	// returning holds authors of an outage who may post again.
	returning []string
}

func (g *generator) minute(t time.Time, out []seismo.Post) []seismo.Post {
	for i := range g.s.Countries {
		c := &g.s.Countries[i]
		a := activity(t.Add(c.UTCOffset))
		for range poisson(g.rng, c.Chatter*a) {
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
		for _, svc := range sortedKeys(c.Complaints) {
			for range poisson(g.rng, c.Complaints[svc]*a) {
				out = append(out, g.post(t, c, KindComplaint, svc, ""))
			}
		}
	}
	for _, o := range g.s.Outages {
		out = g.outage(t, o, out)
	}
	for _, sp := range g.s.Spam {
		if t.Before(sp.Start) || !t.Before(sp.Start.Add(sp.Duration)) {
			continue
		}
		perMin := float64(sp.Posts) / sp.Duration.Minutes()
		c := g.byCode[sp.Country]
		for range poisson(g.rng, perMin) {
			out = append(out, g.post(t, c, KindComplaint, sp.Service, "spam-"+sp.Country+"-"+sp.Service))
		}
	}
	return out
}

// outage adds the complaints of minute t, shaped as a fast rise and a slow
// decay, and the recovery posts in the half hour after the end.
func (g *generator) outage(t time.Time, o Outage, out []seismo.Post) []seismo.Post {
	since := t.Sub(o.Start)
	if since < 0 || since >= o.Duration+30*time.Minute {
		return out
	}
	for _, svc := range o.Services {
		for _, code := range sortedKeys(o.Reporters[svc]) {
			total := float64(o.Reporters[svc][code])
			c := g.byCode[code]
			if c == nil {
				continue
			}
			if since < o.Duration {
				mean := total * outageShape(since, o.Duration, o.Ramp) / outageArea(o.Duration, o.Ramp)
				for range poisson(g.rng, mean) {
					author := ""
					// About one complaint in six comes from someone who
					// already complained: they count once.
					if len(g.returning) > 0 && g.rng.Float64() < 0.15 {
						author = g.returning[g.rng.IntN(len(g.returning))]
					}
					p := g.post(t, c, KindComplaint, svc, author)
					if author == "" && len(g.returning) < 5000 {
						g.returning = append(g.returning, p.Author)
					}
					out = append(out, p)
				}
				continue
			}
			after := (since - o.Duration).Minutes()
			mean := total * o.RecoveryShare * math.Exp(-after/8) / 8
			for range poisson(g.rng, mean) {
				out = append(out, g.post(t, c, KindRecovery, svc, ""))
			}
		}
	}
	return out
}

func outageShape(since, dur, ramp time.Duration) float64 {
	x := since.Minutes()
	rise := 1.0
	if ramp > 0 && since < ramp {
		rise = (x + 1) / ramp.Minutes()
	}
	// Reports peak early and settle to about a third while the outage lasts,
	// then fall off in its last ten minutes as service returns.
	level := 0.35 + 0.65*math.Exp(-x/(dur.Minutes()/3))
	tail := 1.0
	if left := (dur - since).Minutes(); left < 10 {
		tail = left / 10
	}
	return rise * level * tail
}

func outageArea(dur, ramp time.Duration) float64 {
	var a float64
	for m := time.Duration(0); m < dur; m += time.Minute {
		a += outageShape(m, dur, ramp)
	}
	return a
}

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
	names := aliases[svc+"/"+lang]
	if len(names) == 0 {
		names = aliases[svc]
	}
	name := names[g.rng.IntN(len(names))]
	if strings.Contains(tpl, "#{svc}") {
		return strings.ReplaceAll(tpl, "{svc}", strings.ReplaceAll(name, " ", ""))
	}
	return strings.ReplaceAll(tpl, "{svc}", name)
}

// activity is the share of peak posting at a local time: lowest before
// dawn, highest in the evening.
func activity(local time.Time) float64 {
	h := float64(local.Hour()) + float64(local.Minute())/60
	i := int(h)
	f := h - float64(i)
	return hourly[i]*(1-f) + hourly[(i+1)%24]*f
}

var hourly = [24]float64{
	0.35, 0.22, 0.14, 0.10, 0.08, 0.10, 0.20, 0.40, 0.60, 0.70, 0.72, 0.75,
	0.80, 0.78, 0.74, 0.74, 0.78, 0.82, 0.88, 0.95, 1.00, 0.95, 0.80, 0.55,
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
	sort.Strings(keys)
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

// aliases are the names people use for a service, by "service/lang" and
// then "service" as the fallback.
var aliases = map[string][]string{
	"whatsapp":     {"WhatsApp", "whatsapp", "Whatsapp", "WhatsApp"},
	"whatsapp/pt":  {"WhatsApp", "zap", "whatsapp", "wpp", "zapzap"},
	"whatsapp/hi":  {"WhatsApp", "whatsapp", "व्हाट्सएप"},
	"whatsapp/ar":  {"واتساب", "الواتس", "واتس اب"},
	"whatsapp/es":  {"WhatsApp", "el whats", "wsp", "whatsapp"},
	"instagram":    {"Instagram", "instagram", "insta", "Insta"},
	"instagram/ar": {"انستا", "الانستقرام", "انستغرام"},
	"instagram/hi": {"Instagram", "insta", "इंस्टाग्राम"},
	"facebook":     {"Facebook", "facebook", "FB"},
	"facebook/ar":  {"فيسبوك", "الفيس"},
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
	"instagram/pt": {"Instagram", "insta"},
	"facebook/pt":  {"Facebook", "face"},
	"whatsapp/it":  {"WhatsApp", "whatsapp"},
	"whatsapp/fr":  {"WhatsApp", "whatsapp", "wtsp"},
	"whatsapp/de":  {"WhatsApp", "whatsapp"},
	"whatsapp/tr":  {"WhatsApp", "whatsapp", "vatsap"},
	"instagram/tr": {"Instagram", "insta"},
	"facebook/tr":  {"Facebook", "face"},
	"instagram/es": {"Instagram", "insta", "IG"},
	"facebook/es":  {"Facebook", "face"},
}
