package classify

import (
	"strings"
	"testing"
)

// Every language must at least say "down", "back", "anyone else?" and
// "not"; the issue scope asks for more in ar, it, fr and en.
func TestLexiconCoverage(t *testing.T) {
	lx, err := loadLexicons()
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]map[kind]int{}
	for _, e := range lx.entries {
		for i, l := range supportedLanguages {
			if e.lang&(1<<i) == 0 {
				continue
			}
			if count[l] == nil {
				count[l] = map[kind]int{}
			}
			count[l][e.kind]++
		}
	}
	need := []kind{kOutage, kRecovery, kQuestion, kFailure, kWorking, kNegative, kDevice}
	rich := map[string]bool{"ar": true, "it": true, "fr": true, "en": true}
	for _, l := range supportedLanguages {
		for _, k := range need {
			min := 3
			if rich[l] && (k == kOutage || k == kRecovery || k == kNegative) {
				min = 20
			}
			if count[l][k] < min {
				t.Errorf("%s: %d phrases of kind %d, want at least %d", l, count[l][k], k, min)
			}
		}
		if count[l][kSymptom] == 0 {
			t.Errorf("%s: no symptom phrases", l)
		}
		// Turkish negates with suffixes, so it may only have a
		// post-verbal negator (değil).
		if count[l][kNegator]+count[l][kNegatorPost] == 0 {
			t.Errorf("%s: no negators", l)
		}
	}
	for _, m := range []map[string]langMask{lx.hashtagSuffix, lx.connectors} {
		if len(m) == 0 {
			t.Error("empty word list")
		}
	}
}

func TestLexiconParseErrors(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"phrase before section", "down\n", "before any section"},
		{"unknown section", "[outages]\ndown\n", "unknown section"},
		{"unclosed header", "[outage\ndown\n", "unclosed"},
		{"bad problem", "[symptom:broken]\ndown\n", "needs a problem type"},
		{"missing problem", "[topic]\nphotos\n", "needs a problem type"},
		{"bad family", "[negative:rude]\nx\n", "unknown family"},
		{"value on plain section", "[question:x]\nanyone\n", "takes no value"},
		{"short prefix", "[outage]\nab*\n", "at least 3 letters"},
		{"empty phrase", "[outage]\n!!!\n", "no letters"},
		{"bad recovery value", "[recovery:strong]\nback\n", "unknown value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := newLexicon().parse("en", tc.text)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestLexiconMatching(t *testing.T) {
	lx := newLexicon()
	err := lx.parse("en", `
[outage]
down
not working
[still]
still down
[negative:idiom]
down bad
[outage:login]
çöktü*
[negative:past]
in <year>
[symptom:server_error]
error <num>
`)
	if err != nil {
		t.Fatal(err)
	}
	lx.markNegated()
	tests := []struct {
		text string
		want []string // matched phrases in order
	}{
		{"whatsapp down", []string{"down"}},
		{"it is down bad", []string{"down bad"}},
		{"still down again", []string{"still down"}},
		{"instagram çöktüğü için", []string{"coktu*"}},
		{"instagram çöktü", nil}, // a prefix needs more letters than the stem
		{"down in 2021 and in 1850", []string{"down", "in <year>"}},
		{"error 503", []string{"error <num>"}},
		{"not, working", nil}, // phrases do not cross a comma
	}
	for _, tc := range tests {
		var a analysis
		tokenize(&a.s, tc.text)
		a.computeForms()
		var got []string
		for _, m := range lx.matchAll(&a, langBit("en"), nil) {
			got = append(got, lx.entries[m.node.entries[0]].phrase)
		}
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%q: matched %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestArabicStems(t *testing.T) {
	tests := map[string][]string{
		"والانستا": {"الانستا", "انستا"},
		"بالواتس":  {"الواتس", "واتس"},
		"للفيس":    {"فيس"},
		"عالواتس":  {"الواتس", "واتس"},
		"فيسبوك":   {"يسبوك"}, // tried, but no alias or phrase is spelt so
		"لا":       nil,
	}
	for in, want := range tests {
		var got []string
		for _, b := range arabicStems(nil, []byte(in)) {
			got = append(got, string(b))
		}
		for _, w := range want {
			found := false
			for _, g := range got {
				if g == w {
					found = true
				}
			}
			if !found {
				t.Errorf("arabicStems(%q) = %q, missing %q", in, got, w)
			}
		}
		if want == nil && len(got) != 0 {
			t.Errorf("arabicStems(%q) = %q, want none", in, got)
		}
	}
}
