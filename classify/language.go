package classify

import (
	"fmt"
	"math/bits"
	"strings"
	"unicode/utf8"

	lingua "github.com/pemistahl/lingua-go"
)

// linguaLanguages maps our codes to lingua's languages. Only Latin-script
// languages go to lingua: Arabic and Devanagari text is decided by its
// script, which is cheaper and never wrong for these nine languages.
var linguaLanguages = map[string]lingua.Language{
	"it": lingua.Italian, "fr": lingua.French, "en": lingua.English, "es": lingua.Spanish,
	"pt": lingua.Portuguese, "de": lingua.German, "tr": lingua.Turkish,
}

// maxLinguaBytes bounds the text handed to lingua: the first few hundred
// bytes say which language a post is in, and lingua's cost grows with the
// text.
const maxLinguaBytes = 600

// langID decides the language of a post.
type langID struct {
	configured []string
	mask       langMask
	latin      []string // configured languages lingua can tell apart
	detector   lingua.LanguageDetector
}

func newLangID(codes []string, lowAccuracy bool) (*langID, error) {
	if len(codes) == 0 {
		codes = DefaultLanguages
	}
	l := &langID{}
	seen := map[string]bool{}
	for _, c := range codes {
		c = strings.ToLower(strings.TrimSpace(c))
		if langIndex(c) < 0 {
			return nil, fmt.Errorf("unknown language %q (supported: %s)", c, strings.Join(supportedLanguages, " "))
		}
		if seen[c] {
			continue
		}
		seen[c] = true
		l.configured = append(l.configured, c)
		l.mask |= langBit(c)
		if _, ok := linguaLanguages[c]; ok {
			l.latin = append(l.latin, c)
		}
	}
	if len(l.latin) >= 2 {
		ls := make([]lingua.Language, len(l.latin))
		for i, c := range l.latin {
			ls[i] = linguaLanguages[c]
		}
		b := lingua.NewLanguageDetectorBuilder().FromLanguages(ls...).WithPreloadedLanguageModels()
		if lowAccuracy {
			b = b.WithLowAccuracyMode()
		}
		l.detector = b.Build()
	}
	return l, nil
}

// hint returns the post's own language hint when it is configured. Sources
// send "pt-BR", "en_US" or "PT"; the base code is what counts.
func (l *langID) hint(h string) string {
	if h == "" {
		return ""
	}
	if i := strings.IndexAny(h, "-_"); i >= 0 {
		h = h[:i]
	}
	h = strings.ToLower(strings.TrimSpace(h))
	if l.mask&langBit(h) != 0 {
		return h
	}
	return ""
}

// byScript returns ar or hi when most letters of the post are Arabic or
// Devanagari and that language is configured.
func (l *langID) byScript(a *analysis) string {
	var latin, arabic, deva int
	for i := range a.s.toks {
		t := &a.s.toks[i]
		n := t.end - t.start
		switch t.script {
		case scriptLatin:
			latin += n
		case scriptArabic:
			arabic += n / 2 // two bytes a letter
		case scriptDevanagari:
			deva += n / 3 // three bytes a letter
		}
	}
	switch {
	case arabic > latin && arabic >= deva && l.mask&langBit("ar") != 0:
		return "ar"
	case deva > latin && deva > arabic && l.mask&langBit("hi") != 0:
		return "hi"
	}
	return ""
}

// romanised recognises Arabizi and Hinglish from typical words, and for
// Arabizi from digits used as letters (wa2ef, 3andkom, 7ad). lingua would
// call such posts German or Italian.
func (l *langID) romanised(a *analysis, lx *lexicon) string {
	var arHits, hiHits int
	arBit, hiBit := langBit("ar"), langBit("hi")
	for i := range a.s.toks {
		t := &a.s.toks[i]
		if t.script != scriptLatin && !t.mixed {
			continue
		}
		b := a.s.buf[t.start:t.end]
		if a.seenBefore(i) {
			continue // count distinct words: "bhai bhai bhai" is one hint
		}
		m := lx.hints[string(b)]
		if m&arBit != 0 || t.mixed && arabiziDigits(b) {
			arHits++
		}
		if m&hiBit != 0 {
			hiHits++
		}
	}
	switch {
	case arHits >= 2 && arHits > hiHits && l.mask&arBit != 0:
		return "ar"
	case hiHits >= 2 && hiHits > arHits && l.mask&hiBit != 0:
		return "hi"
	}
	return ""
}

// seenBefore reports whether token i repeats an earlier token.
func (a *analysis) seenBefore(i int) bool {
	b := a.s.bytes(i)
	for j := 0; j < i && j < 64; j++ {
		if string(a.s.bytes(j)) == string(b) {
			return true
		}
	}
	return false
}

// arabiziDigits reports whether a mixed token uses digits as Arabic letters
// (2 ء, 3 ع, 5 خ, 6 ط, 7 ح, 9 ق) rather than as a number with a unit
// ("5g", "2fa", "20min", "1st").
func arabiziDigits(b []byte) bool {
	if len(b) < 3 {
		return false
	}
	letters := 0
	hasArabiziDigit := false
	for _, c := range b {
		switch {
		case c == '2' || c == '3' || c == '5' || c == '6' || c == '7' || c == '9':
			hasArabiziDigit = true
		case c >= 'a' && c <= 'z':
			letters++
		}
	}
	if !hasArabiziDigit || letters < 2 {
		return false
	}
	// A number followed by a unit or an ordinal is not Arabizi.
	i := 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	if i > 0 {
		switch string(b[i:]) {
		case "st", "nd", "rd", "th", "min", "mins", "am", "pm", "gb", "mb", "kb", "fa", "hrs", "hr", "sec", "secs", "days", "ms", "fps", "px", "km", "kg":
			return false
		}
	}
	return true
}

// langScore is a candidate language with its score.
type langScore struct {
	lang  string
	score float64
}

// detect returns the post's language and, when the evidence is close, a
// runner-up whose lexicon should also be consulted. votes holds, per
// language, the lexicon phrases found in the post; words is the number
// of words in text: lingua's confidence means little on two or three
// words, so there the phrases weigh more.
func (l *langID) detect(text string, words int, votes *[len16]float64) (string, string) {
	if len(l.configured) == 1 {
		return l.configured[0], ""
	}
	if l.detector == nil {
		if len(l.latin) == 1 {
			return l.latin[0], ""
		}
		return bestVote(votes, l.mask)
	}
	// Clear lexical evidence makes lingua unnecessary: two or more
	// phrases of one language and next to nothing of any other.
	if best, second := topVotes(votes, l.mask); best >= 0 && votes[best] >= 2 && (second < 0 || votes[second] <= votes[best]/4) {
		return supportedLanguages[best], ""
	}
	if len(text) > maxLinguaBytes {
		cut := maxLinguaBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	vw := voteWeight
	if words > 0 && words < shortText {
		vw *= float64(shortText) / float64(words)
	}
	var first, second langScore
	for _, cv := range l.detector.ComputeLanguageConfidenceValues(text) {
		code := strings.ToLower(cv.Language().IsoCode639_1().String())
		i := langIndex(code)
		if i < 0 {
			continue
		}
		s := cv.Value() + vw*votes[i]
		switch {
		case s > first.score:
			second, first = first, langScore{code, s}
		case s > second.score:
			second = langScore{code, s}
		}
	}
	if first.lang == "" {
		return bestVote(votes, l.mask)
	}
	if second.score < 0.5*first.score {
		second.lang = ""
	}
	return first.lang, second.lang
}

// enOnly is the mask of a phrase found only in the English lexicon.
var enOnly = langBit("en")

// voteWeight is how much one lexicon phrase of a language counts next to
// lingua's confidence (which sums to 1 over the languages).
const voteWeight = 0.5

// shortText is the number of words below which lexicon phrases weigh
// more than voteWeight, in inverse proportion to the words.
const shortText = 6

// len16 sizes per-language arrays; there are at most 16 languages in a
// langMask.
const len16 = 16

// topVotes returns the indexes of the two languages with the most votes
// among mask, or -1.
func topVotes(votes *[len16]float64, mask langMask) (int, int) {
	best, second := -1, -1
	for i := range supportedLanguages {
		if mask&(1<<i) == 0 || votes[i] == 0 {
			continue
		}
		switch {
		case best < 0 || votes[i] > votes[best]:
			best, second = i, best
		case second < 0 || votes[i] > votes[second]:
			second = i
		}
	}
	return best, second
}

func bestVote(votes *[len16]float64, mask langMask) (string, string) {
	best, bestV := "", 0.0
	for i, c := range supportedLanguages {
		if mask&(1<<i) != 0 && votes[i] > bestV {
			best, bestV = c, votes[i]
		}
	}
	return best, ""
}

// addVotes counts the languages of the phrases matched in a post. A
// phrase shared by several languages counts for each, split evenly. It
// returns the languages that contributed an outage, symptom or recovery
// phrase: their lexicons are consulted whatever language wins, so a short
// post that lingua misreads still gets its cues.
func addVotes(votes *[len16]float64, lx *lexicon, matches []match) langMask {
	var strong langMask
	for _, m := range matches {
		for _, ei := range m.node.entries {
			e := &lx.entries[ei]
			switch e.kind {
			case kTopic, kDevice, kThing, kISP, kCommunity:
				continue // nouns are often loanwords
			case kOutage, kStill, kSymptom, kFailure, kRecovery:
				// Very short words ("ko", "hs") are too often
				// something else in another language, and a phrase
				// that is also English ("down") says nothing of the
				// post's language: English is consulted anyway.
				if len(e.phrase) >= 4 && e.lang&enOnly == 0 {
					strong |= e.lang
				}
			}
			n := bits.OnesCount16(uint16(e.lang))
			if n == 0 {
				continue
			}
			w := 1 / float64(n)
			if len(e.phrase) <= 2 {
				// "ma", "no", "la": negators and particles of two
				// letters are words of several languages.
				w /= 4
			}
			if e.lang == enOnly {
				// English cue words are written in every language
				// ("ist insta down?"): they say less about the
				// language of the post.
				w /= 2
			}
			for i := range supportedLanguages {
				if e.lang&(1<<i) != 0 {
					votes[i] += w
				}
			}
		}
	}
	return strong
}
