// Package place tells which country a free-text location is in: the
// "location" people write on their profiles ("Milano, Italia", "Austin,
// TX", "📍 Lisboa", "the internet").
//
// It knows country names in many languages, first-level divisions and
// their abbreviations, and the cities of at least 50,000 people (see
// data/README.md). It answers only when the text points at one country: a
// name shared by several countries ("Georgia", "Punjab") needs another part
// of the text to decide, and a location that names two countries as
// alternatives ("London / Paris") gets no answer.
package place

import (
	"bufio"
	"bytes"
	_ "embed"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/seismo-dev/seismo"
)

var (
	//go:embed data/countries.tsv
	countriesTSV []byte
	//go:embed data/cities.tsv
	citiesTSV []byte
	//go:embed data/regions.tsv
	regionsTSV []byte
)

// kind ranks what a name is: a country name decides more than a region,
// a region more than a city.
type kind uint8

const (
	kCity kind = iota
	kRegion
	kCountry
	// kNowhere is a place in no one country: "Europe", "Latin America".
	kNowhere
)

// candidate is one country a name may point at.
type candidate struct {
	country    string
	kind       kind
	population int // cities: the largest of that name in the country
}

// bigCity is the population above which a city is recognised inside a
// longer phrase ("London UK", "greater Paris area"), not only as a whole
// part of the location: a small city's name is too often a word.
const bigCity = 1_000_000

// dominates is how many times larger a city must be than any other of its
// name elsewhere to stand for its country alone ("Paris" is in France; a
// "Cambridge" needs more).
const dominates = 3

// Resolver maps locations to countries. It is safe for concurrent use.
type Resolver struct {
	names map[string][]candidate // by folded name
	codes map[string][]string    // upper-case abbreviations: "TX", "SP", "NSW"
	// longest is the most words a name has.
	longest int
}

var (
	defaultOnce     sync.Once
	defaultResolver *Resolver
)

// Default returns the resolver over the embedded data, built once.
func Default() *Resolver {
	defaultOnce.Do(func() { defaultResolver = build() })
	return defaultResolver
}

func build() *Resolver {
	r := &Resolver{names: map[string][]candidate{}, codes: map[string][]string{}}
	eachLine(countriesTSV, func(f []string) {
		if len(f) >= 2 && seismo.IsCountryCode(f[0]) {
			r.add(f[1], candidate{country: f[0], kind: kCountry})
		}
	})
	eachLine(citiesTSV, func(f []string) {
		if len(f) < 4 || !seismo.IsCountryCode(f[1]) {
			return
		}
		pop, _ := strconv.Atoi(f[3])
		c := candidate{country: f[1], kind: kCity, population: pop}
		r.add(f[0], c)
		// "Al Muharraq" is also written "Muharraq".
		for _, article := range []string{"al ", "el ", "ad ", "ar ", "as "} {
			if rest, ok := strings.CutPrefix(fold(f[0]), article); ok && len(rest) > 3 {
				r.add(rest, c)
			}
		}
	})
	eachLine(regionsTSV, func(f []string) {
		if len(f) < 3 || f[2] != "nowhere" && !seismo.IsCountryCode(f[0]) {
			return
		}
		switch f[2] {
		case "code":
			if !slices.Contains(r.codes[f[1]], f[0]) {
				r.codes[f[1]] = append(r.codes[f[1]], f[0])
			}
		case "country":
			r.add(f[1], candidate{country: f[0], kind: kCountry})
		case "region":
			r.add(f[1], candidate{country: f[0], kind: kRegion})
		case "nowhere":
			r.add(f[1], candidate{kind: kNowhere})
		case "city":
			// Local and older names of large cities, and nicknames: as
			// good as a large city's name.
			r.add(f[1], candidate{country: f[0], kind: kCity, population: bigCity})
		}
	})
	return r
}

func eachLine(data []byte, f func([]string)) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		f(strings.Split(line, "\t"))
	}
}

func (r *Resolver) add(name string, c candidate) {
	key := fold(name)
	if len([]rune(key)) < 2 {
		return
	}
	r.longest = max(r.longest, len(strings.Fields(key)))
	cs := r.names[key]
	for i := range cs {
		if cs[i].country == c.country && (cs[i].kind == kNowhere) == (c.kind == kNowhere) {
			cs[i].kind = max(cs[i].kind, c.kind)
			cs[i].population = max(cs[i].population, c.population)
			return
		}
	}
	r.names[key] = append(cs, c)
}

// Country returns the ISO 3166-1 alpha-2 code of the country location is
// in, or "" when it does not say, or says more than one.
func (r *Resolver) Country(location string) string {
	if len(location) > 200 {
		location = location[:200]
	}
	if cc, ok := flagCountry(location); ok {
		return cc
	}
	parts, alternatives := split(location)
	var found []reading // the parts that name a place, in order
	for _, p := range parts {
		// A part in no one country ("Europe") says nothing, and what it
		// contains does not either ("North America" is not "America").
		if rd := r.part(p); !rd.nowhere && len(rd.decided) > 0 {
			found = append(found, rd)
		}
	}
	if len(found) == 0 {
		return ""
	}
	if alternatives {
		// "London / Paris": every part must agree.
		agreed := found[0].decided
		for _, rd := range found[1:] {
			agreed = intersect(agreed, rd.decided)
		}
		if len(agreed) == 1 {
			return agreed[0]
		}
		return ""
	}
	// "Paris, Texas", "Lagos, now London": the last part is the broadest
	// or the latest; earlier parts only choose between its countries
	// ("Birmingham, AL": Alabama, not Albania).
	last := found[len(found)-1].decided
	for i := len(found) - 2; i >= 0 && len(last) > 1; i-- {
		if in := intersect(last, found[i].possible); len(in) > 0 {
			last = in
		}
	}
	if len(last) == 1 {
		return last[0]
	}
	return ""
}

// reading is what one part of a location says.
type reading struct {
	// decided are the countries it points at; more than one means it
	// cannot decide alone.
	decided []string
	// possible are all the countries its names could be in: "Birmingham"
	// points at Britain but could be in the United States.
	possible []string
	// nowhere is set for a place in no one country: "Europe".
	nowhere bool
}

// part reads one part of a location: its whole text, else the names and
// abbreviations in it.
func (r *Resolver) part(raw string) reading {
	var rd reading
	// Abbreviations count only in capitals: "IN" is India or Indiana,
	// "in" is a word.
	for _, w := range strings.FieldsFunc(raw, func(c rune) bool { return !unicode.IsLetter(c) && c != '.' }) {
		w = strings.ReplaceAll(w, ".", "")
		if len(w) < 2 || len(w) > 4 || strings.TrimFunc(w, func(c rune) bool { return c >= 'A' && c <= 'Z' }) != "" {
			continue
		}
		for _, cc := range r.codes[w] {
			rd.decided = addOnce(rd.decided, cc)
		}
		if len(w) == 2 && seismo.IsCountryCode(w) && w != seismo.UnknownCountry {
			rd.decided = addOnce(rd.decided, w)
		}
	}
	text := strip(fold(raw))
	if text == "" {
		rd.possible = rd.decided
		return rd
	}
	cs, ok := r.names[text]
	if !ok {
		// "Hà Nội" is "Hanoi".
		cs, ok = r.names[strings.ReplaceAll(text, " ", "")]
	}
	if ok {
		r.take(&rd, cs, false)
		return rd
	}
	// Names inside a longer phrase: countries and regions, and only the
	// largest cities.
	words := strings.Fields(text)
	for i := 0; i < len(words); i++ {
		for n := min(r.longest, len(words)-i); n >= 1; n-- {
			cs, ok := r.names[strings.Join(words[i:i+n], " ")]
			if !ok {
				continue
			}
			if r.take(&rd, cs, true) {
				i += n - 1
				break
			}
		}
	}
	return rd
}

// take adds what a name says to rd, and reports whether it said anything.
func (r *Resolver) take(rd *reading, cs []candidate, inside bool) bool {
	got := choose(cs, inside)
	for _, c := range cs {
		if c.kind == kNowhere {
			rd.nowhere = true
			return true
		}
	}
	if len(got) == 0 {
		return false
	}
	rd.decided = union(rd.decided, got)
	rd.possible = union(rd.possible, rd.decided)
	for _, c := range cs {
		rd.possible = addOnce(rd.possible, c.country)
	}
	return true
}

// choose returns the countries a name points at: the country or region it
// names, else the country of its city when that city dwarfs the others of
// its name, else every country with a city of that name.
func choose(cs []candidate, inside bool) []string {
	// A country or region decides over cities of the same name; a
	// country and a region of the same name ("Georgia") do not decide
	// between themselves.
	var out []string
	for _, c := range cs {
		if c.kind == kRegion || c.kind == kCountry {
			out = append(out, c.country)
		}
	}
	if len(out) > 0 {
		return out
	}
	top, second := -1, 0
	for i, c := range cs {
		if c.kind != kCity {
			continue
		}
		if top < 0 || c.population > cs[top].population {
			if top >= 0 {
				second = max(second, cs[top].population)
			}
			top = i
		} else {
			second = max(second, c.population)
		}
	}
	if top < 0 || inside && cs[top].population < bigCity {
		return nil
	}
	if cs[top].population >= dominates*second {
		return []string{cs[top].country}
	}
	for _, c := range cs {
		if c.kind == kCity {
			out = append(out, c.country)
		}
	}
	return out
}

// fillers open a location part without naming a place.
var fillers = []string{
	"currently based in ", "currently in ", "based in ", "based out of ", "living in ", "lives in ", "live in ",
	"born in ", "born and raised in ", "from ", "in ", "near ", "around ", "greater ", "now ", "now in ",
	"vivo en ", "desde ", "moro em ", "morando em ", "de ", "je vis a ", "vivo a ", "wohne in ", "aus ",
}

// strip removes the fillers before a place and a trailing "area".
func strip(s string) string {
	for changed := true; changed; {
		changed = false
		for _, f := range fillers {
			if t, ok := strings.CutPrefix(s, f); ok && t != "" {
				s, changed = t, true
			}
		}
	}
	s = strings.TrimSuffix(s, " area")
	return strings.TrimSpace(s)
}

// split cuts a location into parts: commas and dashes make a hierarchy
// ("Austin, TX"), slashes, bars, "&" and "and" alternatives ("London /
// Paris").
func split(s string) (parts []string, alternatives bool) {
	var b strings.Builder
	flush := func() {
		if p := strings.TrimSpace(b.String()); p != "" {
			parts = append(parts, p)
		}
		b.Reset()
	}
	rs := []rune(s)
	for i, c := range rs {
		switch {
		case c == '/' || c == '|' || c == '&' || c == '+' || c == '↔' || c == '⇄' || c == '→' || c == '✈':
			alternatives = true
			flush()
		case c == ',' || c == ';' || c == '·' || c == '•' || c == '(' || c == ')' || c == '\n' || c == '–' || c == '—' || c == '،':
			flush()
		case c == '-' && i > 0 && i+1 < len(rs) && rs[i-1] == ' ' && rs[i+1] == ' ':
			flush()
		case c == '#' || c == '@' || c == '📍' || c == '"':
			b.WriteByte(' ')
		default:
			b.WriteRune(c)
		}
	}
	flush()
	// " and " between two places: alternatives as well.
	var out []string
	for _, p := range parts {
		for _, q := range strings.Split(p, " and ") {
			if q = strings.TrimSpace(q); q != "" {
				out = append(out, q)
			}
		}
	}
	if len(out) > len(parts) {
		alternatives = true
	}
	return out, alternatives
}

// flagCountry reads flag emoji: one country's flags decide, several
// countries' flags say nothing.
func flagCountry(s string) (string, bool) {
	var found string
	var prev rune
	for _, c := range s {
		if c < 0x1F1E6 || c > 0x1F1FF {
			prev = 0
			continue
		}
		if prev == 0 {
			prev = c
			continue
		}
		cc := string([]rune{'A' + (prev - 0x1F1E6), 'A' + (c - 0x1F1E6)})
		prev = 0
		if !seismo.IsCountryCode(cc) {
			continue
		}
		if found != "" && found != cc {
			return "", false
		}
		found = cc
	}
	return found, found != ""
}

// fold lowers a name, drops its accents and keeps letters, digits and
// single spaces: "São Paulo" and "sao  paulo" meet.
func fold(s string) string {
	var b strings.Builder
	space := false
	for _, c := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, c):
			// an accent, taken apart from its letter by NFD
		case unicode.IsLetter(c) || unicode.IsDigit(c) || unicode.Is(unicode.Mc, c):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(c))
		case c == '\'' || c == '’':
			// d'Azur, not d Azur
		default:
			space = true
		}
	}
	return b.String()
}

func addOnce(set []string, cc string) []string {
	if slices.Contains(set, cc) {
		return set
	}
	return append(set, cc)
}

func union(a, b []string) []string {
	for _, c := range b {
		a = addOnce(a, c)
	}
	return a
}

func intersect(a, b []string) []string {
	var out []string
	for _, c := range a {
		if slices.Contains(b, c) {
			out = append(out, c)
		}
	}
	return out
}
