package simulate

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/seismo-dev/seismo"
)

// MaxSpan is the longest scenario: long enough for a month of history,
// short enough that a mistyped end cannot ask for years of posts.
const MaxSpan = 62 * 24 * time.Hour

// FieldError is a problem with one field of a scenario. Path names the field
// the way the YAML file does (countries.GB.tz, outages[0].duration); Line is
// its line in the file, 0 when the scenario did not come from one.
type FieldError struct {
	Path string
	Line int
	Msg  string
}

func (e *FieldError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s: %s (line %d)", e.Path, e.Msg, e.Line)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// problems collects field errors in the order they are found.
type problems []error

func (p *problems) add(path, format string, args ...any) {
	*p = append(*p, &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (p problems) err() error { return errors.Join(p...) }

// Validate checks every field of the scenario and returns all the problems
// found, each a *FieldError, joined.
func (s *Scenario) Validate() error {
	var p problems
	switch {
	case strings.TrimSpace(s.Name) == "":
		p.add("name", "required")
	case strings.ContainsAny(s.Name, " \t\r\n/"):
		p.add("name", "%q must not contain spaces or slashes", s.Name)
	}
	spanOK := true
	switch {
	case s.Start.IsZero():
		p.add("start", "required")
		spanOK = false
	case !wholeMinute(s.Start):
		p.add("start", "%s is not a whole minute", stamp(s.Start))
		spanOK = false
	}
	switch {
	case s.End.IsZero():
		p.add("end", "required")
		spanOK = false
	case !wholeMinute(s.End):
		p.add("end", "%s is not a whole minute", stamp(s.End))
		spanOK = false
	}
	if spanOK {
		switch {
		case !s.End.After(s.Start):
			p.add("end", "%s is not after start %s", stamp(s.End), stamp(s.Start))
		case s.End.Sub(s.Start) > MaxSpan:
			p.add("end", "the scenario spans %s, more than the %d days allowed", s.End.Sub(s.Start), MaxSpan/(24*time.Hour))
		}
		probe := seismo.Post{ID: "x", Text: "x", CreatedAt: s.Start}
		if err := probe.Validate(); err != nil {
			p.add("start", "%s is outside the event times posts may have", stamp(s.Start))
		}
	}
	if s.Rhythm != nil {
		checkRhythm(&p, "rhythm", s.Rhythm)
	}
	share(&p, "day_to_day", s.DayToDay, 0, 1)
	share(&p, "unknown_country_share", s.UnknownCountryShare, 0, 1)
	share(&p, "lang_hint_share", s.LangHintShare, 0, 1)

	seen := map[string]bool{}
	for _, sv := range s.Services {
		path := "services." + sv.ID
		if seen[sv.ID] {
			p.add(path, "listed twice")
		}
		seen[sv.ID] = true
		serviceID(&p, path, sv.ID)
		share(&p, path+".baseline", sv.Baseline, 0, math.MaxFloat64)
		if sv.Rhythm != nil {
			checkRhythm(&p, path+".rhythm", sv.Rhythm)
		}
	}
	countries := map[string]bool{}
	for _, c := range s.Countries {
		path := "countries." + c.Code
		if countries[c.Code] {
			p.add(path, "listed twice")
		}
		countries[c.Code] = true
		if !seismo.IsCountryCode(c.Code) || c.Code == seismo.UnknownCountry {
			p.add(path, "%q is not an ISO 3166-1 alpha-2 country code in upper case", c.Code)
		}
		if c.Location == nil {
			p.add(path+".tz", "required: an IANA time zone such as Europe/London")
		}
		if len(c.Langs) == 0 {
			p.add(path+".langs", "required: at least one of %s", strings.Join(Languages(), " "))
		}
		for _, l := range c.Langs {
			if !slices.Contains(Languages(), l.Value) {
				p.add(path+".langs."+l.Value, "%q is not one of the languages %s", l.Value, strings.Join(Languages(), " "))
			}
			share(&p, path+".langs."+l.Value, l.Weight, math.SmallestNonzeroFloat64, math.MaxFloat64)
		}
		share(&p, path+".chatter", c.Chatter, 0, math.MaxFloat64)
		share(&p, path+".mention_share", c.MentionShare, 0, 1)
		share(&p, path+".complaint_scale", c.ComplaintScale, 0, math.MaxFloat64)
	}
	if len(s.Countries) == 0 {
		p.add("countries", "required: at least one country")
	}
	inSpan := func(path string, start time.Time, d time.Duration) {
		switch {
		case start.IsZero():
			p.add(path+".start", "required")
		case !wholeMinute(start):
			p.add(path+".start", "%s is not a whole minute", stamp(start))
		case spanOK && (start.Before(s.Start) || !start.Before(s.End)):
			p.add(path+".start", "%s is outside the scenario (%s to %s)", stamp(start), stamp(s.Start), stamp(s.End))
		case d <= 0:
			p.add(path+".duration", "required and positive")
		case d%time.Minute != 0:
			p.add(path+".duration", "%s is not a whole number of minutes", d)
		case spanOK && start.Add(d).After(s.End):
			p.add(path+".duration", "ends at %s, after the scenario's end %s", stamp(start.Add(d)), stamp(s.End))
		}
	}
	country := func(path, code string) {
		if !countries[code] {
			p.add(path, "country %q is not in countries", code)
		}
	}
	names := map[string]bool{}
	for i, o := range s.Outages {
		path := fmt.Sprintf("outages[%d]", i)
		name := o.Name
		if name == "" {
			name = fmt.Sprintf("outage-%d", i)
		}
		if names[name] {
			p.add(path+".name", "%q is the name of an earlier outage", name)
		}
		names[name] = true
		inSpan(path, o.Start, o.Duration)
		if o.Ramp < 0 || o.Ramp%time.Minute != 0 || (o.Duration > 0 && o.Ramp > o.Duration) {
			p.add(path+".ramp", "%s must be whole minutes from 0 to the duration", o.Ramp)
		}
		share(&p, path+".recovery_share", o.RecoveryShare, 0, 1)
		for _, sib := range sortedKeys(o.Collateral) {
			serviceID(&p, path+".collateral."+sib, sib)
			share(&p, path+".collateral."+sib, o.Collateral[sib], 0, 1)
			if _, ok := o.Reporters[sib]; ok {
				p.add(path+".collateral."+sib, "the outage affects %s: it cannot be collateral too", sib)
			}
		}
		if len(o.Reporters) == 0 {
			p.add(o.sizePath(i), "required: reporters (or reports and scale) by service and country")
		}
		for _, svc := range sortedKeys(o.Reporters) {
			spath := o.sizePath(i) + "." + svc
			serviceID(&p, spath, svc)
			if len(o.Reporters[svc]) == 0 {
				p.add(spath, "no country")
			}
			for _, code := range sortedKeys(o.Reporters[svc]) {
				country(spath+"."+code, code)
				if n := o.Reporters[svc][code]; n < 1 {
					p.add(spath+"."+code, "%d reporters: want at least 1", n)
				}
			}
		}
	}
	for i, sp := range s.Spam {
		path := fmt.Sprintf("spam[%d]", i)
		country(path+".country", sp.Country)
		serviceID(&p, path+".service", sp.Service)
		inSpan(path, sp.Start, sp.Duration)
		if sp.Posts < 1 {
			p.add(path+".posts", "%d: want at least 1", sp.Posts)
		}
		if strings.ContainsAny(sp.Author, " \t\r\n") {
			p.add(path+".author", "%q must not contain spaces", sp.Author)
		}
	}
	for i, nw := range s.News {
		path := fmt.Sprintf("news[%d]", i)
		serviceID(&p, path+".service", nw.Service)
		inSpan(path, nw.Start, nw.Duration)
		if nw.Posts < 1 {
			p.add(path+".posts", "%d: want at least 1", nw.Posts)
		}
		if len(nw.Countries) == 0 {
			p.add(path+".countries", "required: where the sharers are, weighted")
		}
		for _, c := range nw.Countries {
			country(path+".countries."+c.Value, c.Value)
			share(&p, path+".countries."+c.Value, c.Weight, math.SmallestNonzeroFloat64, math.MaxFloat64)
		}
		if strings.ContainsAny(nw.URL, " \t\r\n") {
			p.add(path+".url", "%q must not contain spaces", nw.URL)
		}
		if nw.Year != 0 && (nw.Year < 2000 || nw.Year > nw.Start.Year()) {
			p.add(path+".year", "%d: want the year of a past outage, from 2000 to the burst's", nw.Year)
		}
	}
	return p.err()
}

// CheckServices reports every service id of the scenario for which known is
// false, with the path of each use: the caller knows the catalog.
func (s *Scenario) CheckServices(known func(id string) bool) error {
	var p problems
	check := func(path, id string) {
		if !known(id) {
			p.add(path, "%q is not a service of the catalog", id)
		}
	}
	for _, sv := range s.Services {
		check("services."+sv.ID, sv.ID)
	}
	for i, o := range s.Outages {
		for _, svc := range o.Services() {
			check(o.sizePath(i)+"."+svc, svc)
		}
	}
	for i, sp := range s.Spam {
		check(fmt.Sprintf("spam[%d].service", i), sp.Service)
	}
	for i, nw := range s.News {
		check(fmt.Sprintf("news[%d].service", i), nw.Service)
	}
	return p.err()
}

func checkRhythm(p *problems, path string, r *Rhythm) {
	peak := 0.0
	for h, v := range r {
		share(p, fmt.Sprintf("%s[%d]", path, h), v, 0, 1)
		peak = max(peak, v)
	}
	if peak == 0 {
		p.add(path, "every hour is 0: nobody would ever post")
	}
}

// share checks that v is a finite number in [lo, hi].
func share(p *problems, path string, v, lo, hi float64) {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		p.add(path, "%v is not a number", v)
	case v < lo || v > hi:
		if hi == math.MaxFloat64 {
			if lo > 0 {
				p.add(path, "%v must be positive", v)
			} else {
				p.add(path, "%v must not be negative", v)
			}
			return
		}
		p.add(path, "%v must be from %v to %v", v, lo, hi)
	}
}

func serviceID(p *problems, path, id string) {
	ok := id != ""
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			ok = false
		}
	}
	if !ok {
		p.add(path, "%q is not a service id (lower-case letters, digits, - and _)", id)
	}
}

func wholeMinute(t time.Time) bool { return t.Equal(t.Truncate(time.Minute)) }

func stamp(t time.Time) string { return t.Format(time.RFC3339) }
