package classify

import (
	"strings"
	"testing"

	"github.com/seismo-dev/seismo"
)

func TestLexiconPatternErrors(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"any word first", "[outage]\n<any> down\n", "only stands between words"},
		{"any word last", "[outage]\ndown <any>\n", "only stands between words"},
		{"bad irrealis value", "[irrealis:later]\nif\n", "unknown value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := newLexicon().parse("de", tc.text)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestLexiconAnyWord covers <any>, which lets one phrase cover German
// separable verbs ("stürzt bei jedem Start ab") and words that take an
// adverb in the middle ("bin heute echt down").
func TestLexiconAnyWord(t *testing.T) {
	lx := newLexicon()
	err := lx.parse("de", `
[symptom:app_crash]
stürzt ab
stürzt <any> ab
stürzt <any> <any> ab
[negative:idiom]
bin <any> down
`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text string
		want []string
	}{
		{"netflix stürzt ab", []string{"sturzt ab"}},
		{"netflix stürzt sofort ab", []string{"sturzt <any> ab"}},
		{"netflix stürzt bei jedem ab", []string{"sturzt <any> <any> ab"}},
		{"netflix stürzt bei jedem Start ab", nil}, // three words apart
		{"netflix stürzt, dann ab", nil},           // not across a comma
		{"ich bin echt down", []string{"bin <any> down"}},
	}
	for _, tc := range tests {
		var a analysis
		tokenize(&a.s, tc.text)
		a.computeForms()
		var got []string
		for _, m := range lx.matchAll(&a, langBit("de"), nil) {
			got = append(got, lx.entries[m.node.entries[0]].phrase)
		}
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%q: matched %q, want %q", tc.text, got, tc.want)
		}
	}
}

// TestIrrealisPost covers a mistaken belief told after the verb, as
// Turkish and Hindi do ("çalışmıyor sandım": I thought it was not
// working), with a lexicon of its own so that the test does not depend on
// the shipped Turkish phrases.
func TestIrrealisPost(t *testing.T) {
	c, err := New(Config{RulesOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	lx := newLexicon()
	if err := lx.parse("tr", "[outage]\nçalışmıyor\n[irrealis:post]\nsandım\nzannettim\n"); err != nil {
		t.Fatal(err)
	}
	lx.markNegated()
	c.lx = lx
	tests := []struct {
		text      string
		complaint bool
	}{
		{"WhatsApp çalışmıyor", true},
		{"WhatsApp çalışmıyor sandım, meğer internetim gitmiş", false},
		{"WhatsApp çalışmıyor zannettim", false},
		{"Instagram çalışmıyor, WhatsApp'ı da öyle sandım", true}, // another clause
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			sig := c.Classify(&seismo.Post{ID: "p", Text: tc.text, Lang: "tr"})
			if sig.Complaint != tc.complaint {
				t.Errorf("complaint = %v, want %v (cues %+v)", sig.Complaint, tc.complaint, sig.Cues)
			}
		})
	}
}

// TestUmlautDigraphs covers German phrases written without umlauts.
func TestUmlautDigraphs(t *testing.T) {
	lx := newLexicon()
	if err := lx.parse("de", "[symptom:app_crash]\nstürzt ab\n"); err != nil {
		t.Fatal(err)
	}
	it := newLexicon()
	if err := it.parse("it", "[outage]\ngiù\n"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lx   *lexicon
		lang string
		text string
		want int
	}{
		{lx, "de", "Netflix stürzt ab", 1},
		{lx, "de", "Netflix stuerzt ab", 1},
		{lx, "de", "Netflix sturzt ab", 1},
		{it, "it", "whatsapp è giu", 1},
		{it, "it", "whatsapp è giue", 0}, // only German spells umlauts as digraphs
	}
	for _, tc := range tests {
		var a analysis
		tokenize(&a.s, tc.text)
		a.computeForms()
		if got := len(tc.lx.matchAll(&a, langBit(tc.lang), nil)); got != tc.want {
			t.Errorf("%q: %d matches, want %d", tc.text, got, tc.want)
		}
	}
}

func TestDropG(t *testing.T) {
	tests := map[string]string{
		"not sending":       "not sendin",
		"keeps crashing":    "keeps crashin",
		"not working again": "not workin again",
		"is down":           "is down",
		"king":              "king", // too short to be a dropped g
	}
	for in, want := range tests {
		if got := dropG(in); got != want {
			t.Errorf("dropG(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNegationCircumfix covers Arabic verbs negated inside the word
// (م...ش, ما...ش) and their Arabizi spellings, with a lexicon of bare verbs
// only: the engine finds the verb and the negation.
func TestNegationCircumfix(t *testing.T) {
	c, err := New(Config{RulesOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	lx := newLexicon()
	if err := lx.parse("ar", "[working]\nيشتغل\nيفتح\nyefta7\n[recovery]\nرجع\n[negator]\nما\nma\n"); err != nil {
		t.Fatal(err)
	}
	lx.markNegated()
	c.lx = lx
	tests := []struct {
		text                string
		complaint, recovery bool
	}{
		{"الواتس مبيشتغلش", true, false},
		{"الواتس مايفتحش عندي", true, false},
		{"الواتس ما يفتحش", true, false},    // ما apart, one negation
		{"الواتس بيشتغل", false, false},     // not negated
		{"الواتس مرجعش", true, false},       // not back yet: still down
		{"الواتس رجع", false, true},         // back
		{"tiktok mabyefta7sh", true, false}, // Arabizi
		{"tiktok ma yefta7sh", true, false},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			sig := c.Classify(&seismo.Post{ID: "p", Text: tc.text, Lang: "ar"})
			if sig.Complaint != tc.complaint || sig.Recovery != tc.recovery {
				t.Errorf("complaint=%v recovery=%v, want %v %v (cues %+v)", sig.Complaint, sig.Recovery, tc.complaint, tc.recovery, sig.Cues)
			}
		})
	}
}

// TestArabicStemsPerWord covers a form shared by two words of a post: the
// second word keeps it ("ما" alone, then "وما").
func TestArabicStemsPerWord(t *testing.T) {
	dst := [][]byte{[]byte("ما")}
	dst = append(dst, []byte("وما"))
	got := arabicStems(dst, []byte("وما"))
	found := false
	for _, f := range got[2:] {
		if string(f) == "ما" {
			found = true
		}
	}
	if !found {
		t.Errorf("forms of وما after ما: %q, want ما among them", got[1:])
	}
}
