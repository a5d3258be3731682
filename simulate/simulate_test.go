package simulate_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/simulate"
)

func generate(t *testing.T, s *simulate.Scenario) []seismo.Post {
	t.Helper()
	var posts []seismo.Post
	if err := s.Generate(func(p seismo.Post) error { posts = append(posts, p); return nil }); err != nil {
		t.Fatal(err)
	}
	return posts
}

// TestBuiltinScenarios generates every shipped scenario and checks what any
// consumer relies on: valid posts in event-time order with unique ids, a
// size a laptop handles, and a truth that matches the traffic.
func TestBuiltinScenarios(t *testing.T) {
	names := simulate.BuiltinNames()
	for _, want := range []string{"whatsapp-2024-04-03", "meta-2021-10-04", "whatsapp-night-bahrain", "italy-evening-short", "quiet-week"} {
		if !slices.Contains(names, want) {
			t.Errorf("no built-in scenario %s (have %v)", want, names)
		}
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			s, err := simulate.Builtin(name)
			if err != nil {
				t.Fatal(err)
			}
			if s.Name != name || s.Description == "" {
				t.Errorf("name %q, description %q: want the file's name and a description", s.Name, s.Description)
			}
			truth := s.Truth()
			// Warm-up: the detector needs history before the first event.
			first := s.End
			for _, o := range truth.Outages {
				first = minTime(first, o.Start)
			}
			for _, b := range truth.Bursts {
				first = minTime(first, b.Start)
			}
			if first.Sub(s.Start) < 24*time.Hour {
				t.Errorf("only %s of history before the first outage or burst, want a day or more", first.Sub(s.Start))
			}
			var (
				n    int
				prev time.Time
				ids  = map[string]bool{}
			)
			// outage[service/country] holds the distinct complainers seen
			// within the outages.
			outage := map[string]map[string]bool{}
			for _, p := range generate(t, s) {
				n++
				if p.CreatedAt.Before(prev) {
					t.Fatalf("post %s at %s comes after one at %s", p.ID, p.CreatedAt, prev)
				}
				prev = p.CreatedAt
				if ids[p.ID] {
					t.Fatalf("duplicate id %s", p.ID)
				}
				ids[p.ID] = true
				if err := p.Validate(); err != nil {
					t.Fatalf("invalid post %+v: %v", p, err)
				}
				if strings.ContainsAny(p.Text, "{}") {
					t.Fatalf("unfilled template in %q", p.Text)
				}
				if p.CreatedAt.Before(s.Start) || !p.CreatedAt.Before(s.End) {
					t.Fatalf("post at %s outside the scenario", p.CreatedAt)
				}
				for _, o := range truth.Outages {
					if !p.CreatedAt.Before(o.Start) && p.CreatedAt.Before(o.End) && o.Reporters[p.Country] > 0 {
						k := o.Service + "/" + p.Country
						if outage[k] == nil {
							outage[k] = map[string]bool{}
						}
						outage[k][p.Author] = true
					}
				}
			}
			if n > 3_000_000 {
				t.Errorf("%d posts: keep scenarios to a few million at most", n)
			}
			for _, o := range truth.Outages {
				for _, c := range o.Countries {
					if got := len(outage[o.Service+"/"+c]); got == 0 {
						t.Errorf("%s %s: no post during the outage", o.Service, c)
					}
				}
			}
			t.Logf("%d posts over %s, %d truth outages, %d bursts", n, s.End.Sub(s.Start), len(truth.Outages), len(truth.Bursts))
		})
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// TestWhatsApp2024 checks the demo's scenario against the press's numbers.
func TestWhatsApp2024(t *testing.T) {
	s := simulate.WhatsApp2024()
	var (
		start, end = time.Date(2024, 4, 3, 18, 10, 0, 0, time.UTC), time.Date(2024, 4, 3, 20, 10, 0, 0, time.UTC)
		authors    = map[string]map[string]bool{} // country -> WhatsApp complainers in the outage
		spam       int
		countries  = map[string]int{}
	)
	for _, p := range generate(t, s) {
		countries[p.Country]++
		if strings.HasPrefix(p.Author, "spam-") {
			spam++
		}
		if !p.CreatedAt.Before(start) && p.CreatedAt.Before(end) && strings.Contains(strings.ToLower(p.Text), "whatsapp") {
			if authors[p.Country] == nil {
				authors[p.Country] = map[string]bool{}
			}
			authors[p.Country][p.Author] = true
		}
	}
	if spam != 150 {
		t.Errorf("spam posts = %d, want 150", spam)
	}
	// The UK, which reported most, must show more distinct WhatsApp posters
	// in the outage than the US, which reported least of the four.
	if len(authors["GB"]) <= len(authors["US"]) || len(authors["US"]) < 50 {
		t.Errorf("outage posters GB %d, US %d", len(authors["GB"]), len(authors["US"]))
	}
	if countries[""] == 0 || countries["IT"] == 0 || countries["EG"] == 0 {
		t.Errorf("country mix = %v", countries)
	}
}

const small = `
name: small
seed: 1
start: 2024-03-30T00:00:00Z
end: 2024-04-01T00:00:00Z
unknown_country_share: 0.1
services:
  whatsapp: {baseline: 0.2}
countries:
  GB: {tz: Europe/London, langs: {en: 1}, chatter: 20}
  IT: {tz: Europe/Rome, langs: {it: 1}, chatter: 5, mention_share: 0.02, complaint_scale: 0.5}
outages:
  - name: wa
    start: 2024-03-31T18:00:00Z
    duration: 1h
    ramp: 5m
    recovery_share: 0.1
    scale: 25
    reports:
      whatsapp: {GB: 10000, IT: 2512}
spam:
  - {country: GB, service: whatsapp, start: 2024-03-30T12:00:00Z, duration: 30m, posts: 200}
news:
  - service: whatsapp
    start: 2024-03-30T20:00:00Z
    duration: 1h
    posts: 300
    countries: {GB: 2, IT: 1}
    url: https://news.example/a
`

func TestParse(t *testing.T) {
	s, err := simulate.Parse([]byte(small))
	if err != nil {
		t.Fatal(err)
	}
	gb, it := s.Countries[0], s.Countries[1]
	if gb.Code != "GB" || gb.Location.String() != "Europe/London" || gb.MentionShare != 0.12 || gb.ComplaintScale != 1 {
		t.Errorf("GB = %+v: want the time zone and the defaults", gb)
	}
	if it.MentionShare != 0.02 || it.ComplaintScale != 0.5 || len(it.Langs) != 1 || it.Langs[0].Value != "it" {
		t.Errorf("IT = %+v", it)
	}
	o := s.Outages[0]
	if o.Reporters["whatsapp"]["GB"] != 400 || o.Reporters["whatsapp"]["IT"] != 100 || o.Duration != time.Hour || o.Ramp != 5*time.Minute {
		t.Errorf("outage = %+v: want reports divided by the scale and rounded", o)
	}
	if len(s.News) != 1 || len(s.News[0].Countries) != 2 || s.Spam[0].Posts != 200 {
		t.Errorf("bursts: spam %+v news %+v", s.Spam, s.News)
	}
}

func TestParseErrors(t *testing.T) {
	edit := func(old, new string) string {
		if !strings.Contains(small, old) {
			panic("test edit does not apply: " + old)
		}
		return strings.Replace(small, old, new, 1)
	}
	tests := []struct {
		name string
		yaml string
		want []string // all in the error
	}{
		{"unknown top-level field", edit("seed: 1", "seed: 1\nsede: 2"), []string{"sede: unknown field", "line 4", "seed"}},
		{"unknown nested field", edit("tz: Europe/London,", "tz: Europe/London, timezone: x,"), []string{"countries.GB.timezone: unknown field", "line 10"}},
		{"unknown outage field", edit("ramp: 5m", "ramp: 5m\n    peak: 9"), []string{"outages[0].peak: unknown field"}},
		{"bad time", edit("start: 2024-03-30T00:00:00Z", "start: 30/03/2024"), []string{"start:", "RFC 3339", "line 4"}},
		{"bad duration", edit("duration: 1h", "duration: an hour"), []string{"outages[0].duration:", "not a duration"}},
		{"wrong type", edit("chatter: 20", "chatter: lots"), []string{"countries.GB.chatter:", `"lots" is not a number`}},
		{"list for a number", edit("chatter: 20", "chatter: [1, 2]"), []string{"countries.GB.chatter: want a single value"}},
		{"given twice", edit("seed: 1", "seed: 1\nseed: 2"), []string{"seed: given twice"}},
		{"bad time zone", edit("Europe/London", "Europe/Londn"), []string{"countries.GB.tz:", `unknown time zone "Europe/Londn"`, "line 10"}},
		{"missing time zone", edit("tz: Europe/London, ", ""), []string{"countries.GB.tz: required"}},
		{"bad country", edit("GB: {tz", "UK: {tz"), []string{"countries.UK:", "ISO 3166-1"}},
		{"unknown language", edit("langs: {en: 1}", "langs: {nl: 1}"), []string{"countries.GB.langs.nl:", "not one of the languages"}},
		{"negative share", edit("unknown_country_share: 0.1", "unknown_country_share: -0.1"), []string{"unknown_country_share: -0.1 must be from 0 to 1"}},
		{"end before start", edit("end: 2024-04-01T00:00:00Z", "end: 2024-03-29T00:00:00Z"), []string{"end:", "is not after start"}},
		{"not a whole minute", edit("start: 2024-03-31T18:00:00Z", "start: 2024-03-31T18:00:30Z"), []string{"outages[0].start:", "whole minute"}},
		{"outage outside", edit("start: 2024-03-31T18:00:00Z", "start: 2024-04-02T18:00:00Z"), []string{"outages[0].start:", "outside the scenario"}},
		{"outage past the end", edit("duration: 1h", "duration: 7h"), []string{"outages[0].duration: ends at"}},
		{"ramp longer than the outage", edit("ramp: 5m", "ramp: 2h"), []string{"outages[0].ramp:"}},
		{"reports and reporters", edit("scale: 25", "scale: 25\n    reporters: {whatsapp: {GB: 3}}"), []string{"outages[0].reports: reports and reporters exclude each other"}},
		{"reports without scale", edit("    scale: 25\n", ""), []string{"outages[0].scale: required with reports"}},
		{"too few reports", edit("IT: 2512}", "IT: 10}"), []string{"outages[0].reports.whatsapp.IT:", "round to no reporter"}},
		{"reporters given directly", edit("    scale: 25\n    reports:\n      whatsapp: {GB: 10000, IT: 2512}", "    reporters:\n      whatsapp: {GB: 0}"),
			[]string{"outages[0].reporters.whatsapp.GB: 0 reporters: want at least 1"}},
		{"outage country not listed", edit("IT: 2512}", "FR: 2512}"), []string{"outages[0].reports.whatsapp.FR:", `country "FR" is not in countries`, "line 20"}},
		{"bad service id", edit("whatsapp: {GB: 10000", "What's App: {GB: 10000"), []string{`outages[0].reports.What's App:`, "not a service id"}},
		{"spam without posts", edit("posts: 200", "posts: 0"), []string{"spam[0].posts: 0: want at least 1"}},
		{"news about the future", edit("url: https://news.example/a", "url: https://news.example/a\n    year: 2030"), []string{"news[0].year: 2030"}},
		{"news country not listed", edit("{GB: 2, IT: 1}", "{GB: 2, ES: 1}"), []string{"news[0].countries.ES:", "not in countries"}},
		{"rhythm too short", edit("seed: 1", "seed: 1\nrhythm: [1, 0.5]"), []string{"rhythm: 2 values: want 24"}},
		{"several problems", edit("chatter: 20", "chatter: -1, mention_share: 2"), []string{"countries.GB.chatter: -1 must not be negative", "countries.GB.mention_share: 2 must be from 0 to 1"}},
		{"not yaml", "name: [", []string{"scenario: yaml:"}},
		{"empty", "", []string{"empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := simulate.Parse([]byte(tt.yaml))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	run := func(seed uint64) string {
		s, err := simulate.Parse([]byte(small))
		if err != nil {
			t.Fatal(err)
		}
		s.Seed = seed
		var b strings.Builder
		for _, p := range generate(t, s) {
			fmt.Fprintln(&b, p.ID, p.Text, p.Author, p.Country, p.Lang, p.URL, p.CreatedAt.Format(time.RFC3339Nano))
		}
		return b.String()
	}
	a, b, c := run(1), run(1), run(2)
	if a == "" || a != b {
		t.Fatal("two runs with one seed differ")
	}
	if a == c {
		t.Error("two seeds gave the same posts")
	}
}

// TestRhythmFollowsLocalTime plays a day on which the UK's clocks go
// forward: posts at noon local time move an hour earlier in UTC.
func TestRhythmFollowsLocalTime(t *testing.T) {
	var r simulate.Rhythm
	r[12] = 1 // posting only between 11:00 and 13:00 local, peaking at 12:00
	s := &simulate.Scenario{
		Name: "dst", Start: time.Date(2024, 3, 30, 0, 0, 0, 0, time.UTC), End: time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC),
		Rhythm:    &r,
		Countries: []simulate.Country{{Code: "GB", Location: mustZone(t, "Europe/London"), Langs: []simulate.Share{{Value: "en", Weight: 1}}, Chatter: 30}},
	}
	hours := map[int]map[int]int{} // day -> UTC hour -> posts
	for _, p := range generate(t, s) {
		d := p.CreatedAt.Day()
		if hours[d] == nil {
			hours[d] = map[int]int{}
		}
		hours[d][p.CreatedAt.Hour()]++
	}
	// 30 March is GMT (local = UTC), 31 March BST (local = UTC+1).
	for _, tc := range []struct{ day, from, to int }{{30, 11, 12}, {31, 10, 11}} {
		for h, n := range hours[tc.day] {
			if h < tc.from || h > tc.to {
				t.Errorf("%d March: %d posts at %02d UTC, want posts only from %02d to %02d UTC", tc.day, n, h, tc.from, tc.to)
			}
		}
		if hours[tc.day][tc.from] == 0 || hours[tc.day][tc.to] == 0 {
			t.Errorf("%d March: posts by UTC hour %v", tc.day, hours[tc.day])
		}
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestBursts(t *testing.T) {
	s, err := simulate.Parse([]byte(small))
	if err != nil {
		t.Fatal(err)
	}
	var spam, news int
	newsAuthors := map[string]bool{}
	newsCountries := map[string]int{}
	outage := map[string]map[string]bool{} // country -> distinct complainers
	for _, p := range generate(t, s) {
		switch {
		case p.Author == "spam-gb-whatsapp":
			spam++
			if p.CreatedAt.Before(s.Spam[0].Start) || !p.CreatedAt.Before(s.Spam[0].Start.Add(30*time.Minute)) {
				t.Errorf("spam post at %s outside its burst", p.CreatedAt)
			}
		case p.URL != "":
			news++
			newsAuthors[p.Author] = true
			newsCountries[p.Country]++
			if !strings.Contains(p.Text, "https://news.example/a") {
				t.Errorf("news post %q does not share the article", p.Text)
			}
		case !p.CreatedAt.Before(s.Outages[0].Start) && p.CreatedAt.Before(s.Outages[0].End()) &&
			strings.Contains(strings.ToLower(p.Text), "whatsapp"):
			c := p.Author[:2] // authors are named after their country
			if outage[c] == nil {
				outage[c] = map[string]bool{}
			}
			outage[c][p.Author] = true
		}
	}
	if spam != 200 {
		t.Errorf("spam: %d posts, want exactly 200 from one account", spam)
	}
	if news != 300 || len(newsAuthors) != 300 {
		t.Errorf("news: %d posts by %d accounts, want 300 by 300", news, len(newsAuthors))
	}
	if newsCountries["GB"] < 2*newsCountries["IT"]*8/10 || newsCountries["IT"] == 0 {
		t.Errorf("news by country %v, want GB about twice IT", newsCountries)
	}
	// Reporters counts distinct people; posts that merely mention WhatsApp
	// and background complaints add some more in the hour.
	for c, want := range map[string]int{"gb": 400, "it": 100} {
		if got := len(outage[c]); got < want*9/10 || got > want*5/4 {
			t.Errorf("%s: %d distinct posters in the outage, want about %d", c, got, want)
		}
	}
}

func TestTruth(t *testing.T) {
	s, err := simulate.Parse([]byte(small))
	if err != nil {
		t.Fatal(err)
	}
	tr := s.Truth()
	if len(tr.Outages) != 1 || len(tr.Bursts) != 2 {
		t.Fatalf("truth = %+v", tr)
	}
	o := tr.Outages[0]
	if o.Outage != "wa" || o.Service != "whatsapp" || !slices.Equal(o.Countries, []string{"GB", "IT"}) ||
		!slices.Equal(o.Optional, []string{"ZZ"}) || !o.End.Equal(o.Start.Add(time.Hour)) || o.Reporters["IT"] != 100 {
		t.Errorf("outage = %+v", o)
	}
	if b := tr.Bursts[0]; b.Kind != simulate.BurstSpam || b.Authors != 1 || b.Posts != 200 || !slices.Equal(b.Countries, []string{"GB", "ZZ"}) {
		t.Errorf("spam = %+v", b)
	}
	if b := tr.Bursts[1]; b.Kind != simulate.BurstNews || b.Authors != 300 || !slices.Equal(b.Countries, []string{"GB", "IT", "ZZ"}) {
		t.Errorf("news = %+v", b)
	}
}

// BenchmarkGenerateQuietWeek generates the shipped week of ordinary traffic;
// it should take seconds at most.
func BenchmarkGenerateQuietWeek(b *testing.B) {
	s, err := simulate.Builtin("quiet-week")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		n := 0
		if err := s.Generate(func(seismo.Post) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "posts/op")
	}
}
