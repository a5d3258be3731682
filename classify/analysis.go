package classify

import (
	"github.com/seismo-dev/seismo"
)

// analysis is the per-post working state. It is pooled: a firehose of
// posts reuses the same buffers.
type analysis struct {
	s        scratch
	alts     [][]byte
	altIdx   []int
	negIdx   []int // per token: where the forms inside a negation circumfix start
	mentions []mention
	dropped  []mention // ambiguous aliases no cue made mentions ("X", "signal")
	matches  []match
	cues     []cue
	anchors  []anchor
	fine     []bool  // per anchor: a service said to work
	named    []bool  // per token: part of a service mention
	english  []bool  // per token: part of an English-only phrase
	bounds   []int32 // per token: clause-starting words before it
	lingua   []byte
	scores   []serviceScore
	told     []uint8 // per sentence: toldPast, toldNews
	votes    [len16]float64
	// The learned stage's features and scratch.
	feats      []uint32
	nText      int // the leading feats that come from the text, not the lexicons
	gram       []byte
	runeStarts []int
	services   []int // scratch for the services the learned stage names
}

func (a *analysis) reset() {
	a.alts = a.alts[:0]
	a.altIdx = a.altIdx[:0]
	a.negIdx = a.negIdx[:0]
	a.mentions = a.mentions[:0]
	a.dropped = a.dropped[:0]
	a.matches = a.matches[:0]
	a.cues = a.cues[:0]
	a.anchors = a.anchors[:0]
	a.fine = a.fine[:0]
	a.votes = [len16]float64{}
}

// computeForms lists, per token, the spellings matching tries: the token
// itself, for Arabic the token without clitics, and for a verb inside a
// negation circumfix the bare verb.
func (a *analysis) computeForms() {
	for i := range a.s.toks {
		a.altIdx = append(a.altIdx, len(a.alts))
		t := &a.s.toks[i]
		b := a.s.bytes(i)
		a.alts = append(a.alts, b)
		if t.script == scriptArabic {
			a.alts = arabicStems(a.alts, b)
		}
		a.negIdx = append(a.negIdx, len(a.alts))
		if t.script == scriptArabic || t.script == scriptLatin {
			a.alts, t.negForm = negatedStems(a.alts, b, t.script, t.mixed)
		}
	}
	a.altIdx = append(a.altIdx, len(a.alts))
}

// classify runs the full analysis of one post.
func (c *Classifier) classify(a *analysis, p *seismo.Post) seismo.Signal {
	sig := seismo.Signal{PostID: p.ID, Country: p.Country, Services: []string{}, Cues: []seismo.Cue{}}
	lang, v, ok := c.analyse(a, p, &sig)
	if !ok {
		sig.Confidence = 0.99
		return sig
	}
	// Only posts that name a service need a country: the firehose's fast
	// path above stays as cheap as it was.
	if sig.Country == "" && c.places != nil && p.Location != "" {
		sig.Country = c.places.Country(p.Location)
	}
	if c.model != nil {
		c.applyModel(a, &v, lang)
	}
	v.collateral = v.complaint && a.asksToo(v.services)
	c.render(a, &sig, v)
	return sig
}

// analyse runs the lexicon stage: it sets the signal's language and
// returns the lexicon's verdict, or false for a post that names no service
// worth analysing (the fast path).
func (c *Classifier) analyse(a *analysis, p *seismo.Post, sig *seismo.Signal) (string, verdict, bool) {
	c.scan(a, p)

	// Fast path: most posts name no service at all.
	if len(a.mentions) == 0 {
		sig.Lang = c.cheapLang(p, a)
		return sig.Lang, verdict{}, false
	}
	c.matchEvery(a)
	if !c.worthAnalysing(a) {
		sig.Lang = c.cheapLang(p, a)
		if !c.learned {
			return sig.Lang, verdict{}, false
		}
		// Only ambiguous aliases ("X", "signal", "threads") and no phrase
		// that makes them a service: the learned stage still reads the
		// post ("Signal asks for my PIN and says it is wrong"), with the
		// phrases of every language and without the cost of lingua.
		// matchEvery's matches serve unless only some languages are
		// configured.
		if mask := c.enBit | c.mask; mask != everyLanguage {
			a.matches = c.lx.matchAll(a, mask, a.matches[:0])
		}
		c.buildCues(a, c.enBit|c.mask)
		return sig.Lang, c.decide(a), true
	}
	strong := addVotes(&a.votes, c.lx, a.matches)
	lang, second := c.language(p, a)
	sig.Lang = lang
	mask := c.enBit | langBit(lang) | langBit(second) | strong&c.mask
	if lang == "" {
		mask = c.enBit | c.mask
	}
	a.matches = c.lx.matchAll(a, mask, a.matches[:0])
	c.buildCues(a, mask)
	return lang, c.decide(a), true
}

// scan tokenises the post and finds the services it names: the steps
// every post takes, on the fast path too.
func (c *Classifier) scan(a *analysis, p *seismo.Post) {
	tokenize(&a.s, p.Text)
	a.computeForms()
	c.findMentions(a)
}

// matchEvery matches the phrases of every language, before the post's
// language is known.
func (c *Classifier) matchEvery(a *analysis) {
	a.matches = c.lx.matchAll(a, everyLanguage, a.matches[:0])
}

// everyLanguage is the mask of every supported language.
var everyLanguage = langMask(1<<len(supportedLanguages) - 1)

// worthAnalysing reports whether a post that names a service deserves
// language identification: always when an unambiguous alias or a hashtag
// names it; for ambiguous aliases only ("X", "zap", "signal") when some
// phrase of any language could make it a complaint or a recovery.
func (c *Classifier) worthAnalysing(a *analysis) bool {
	for _, m := range a.mentions {
		if !m.ambiguous || m.hashtag {
			return true
		}
	}
	// The same cues that let decide keep an ambiguous alias: strong ones,
	// or weak ones ("works", "again", "issues") in a question.
	// A working word with a negator may be a failure ("geht nicht").
	asked := false
	for _, s := range a.s.sentences {
		asked = asked || s.question
	}
	working, weak, negator := false, false, false
	for _, m := range a.matches {
		for _, ei := range m.node.entries {
			switch c.lx.entries[ei].kind {
			case kOutage, kStill, kSymptom, kFailure, kRecovery:
				return true
			case kQuestion:
				asked = true
			case kTrouble, kRecoveryWeak:
				weak = true
			case kWorking:
				working = true
			case kNegator, kNegatorPost:
				negator = true
			}
		}
	}
	return (weak || working) && asked || working && negator
}

// cheapLang is the language of a post that skips lingua: its configured
// hint, or its script when decisive.
func (c *Classifier) cheapLang(p *seismo.Post, a *analysis) string {
	if h := c.lang.hint(p.Lang); h != "" {
		return h
	}
	return c.lang.byScript(a)
}

// language decides the language of a post naming a service: the hint,
// then the script, then romanised Arabic or Hindi, then lingua weighed
// with the lexicon phrases found.
func (c *Classifier) language(p *seismo.Post, a *analysis) (string, string) {
	if h := c.lang.hint(p.Lang); h != "" {
		return h, ""
	}
	if l := c.lang.byScript(a); l != "" {
		return l, ""
	}
	if l := c.lang.romanised(a, c.lx); l != "" {
		return l, ""
	}
	a.markNamed()
	text, words := c.linguaText(a, p.Text)
	return c.lang.detect(text, words, &a.votes)
}

// linguaText is the post's text as lingua should see it: original
// spelling (accents matter to it) without service names, hashtags, URLs
// and mentions, which are the same in every language and pull short
// posts towards English, and the number of words given. When enough
// words remain, quoted spans (app
// errors are quoted in English whatever the post's language) and English
// cue words ("down", "crash", written everywhere) are left out too.
func (c *Classifier) linguaText(a *analysis, text string) (string, int) {
	// English cue phrases found: their tokens are English whatever the
	// post's language ("something went wrong"). Other English words
	// (topics, negators) stay: they may well be the post's language.
	english := a.english[:0]
	for range a.s.toks {
		english = append(english, false)
	}
	for _, m := range a.matches {
		if m.node.mask == enOnly && c.lx.hasPositive(m.node) {
			for i := m.start; i < m.end; i++ {
				english[i] = true
			}
		}
	}
	a.english = english
	keep := func(i int, strict bool) bool {
		t := &a.s.toks[i]
		if t.hashtag || a.named[i] {
			return false
		}
		return !strict || !english[i] && !c.lx.englishCueWord(a.s.bytes(i))
	}
	strict := false
	n := 0
	for i := range a.s.toks {
		if keep(i, true) {
			n++
		}
	}
	// An English post keeps its English words: only a post with phrases
	// of another language loses them.
	foreign := false
	for i, v := range a.votes {
		if v > 0 && i != langIndex("en") {
			foreign = true
		}
	}
	strict = foreign && n >= minStrictLinguaWords
	b := a.lingua[:0]
	words := 0
	for i := range a.s.toks {
		t := &a.s.toks[i]
		if !keep(i, strict) {
			continue
		}
		words++
		if t.srcEnd > len(text) || t.src >= t.srcEnd || len(b)+t.srcEnd-t.src > maxLinguaBytes {
			break
		}
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = append(b, text[t.src:t.srcEnd]...)
	}
	a.lingua = b
	return string(b), words
}

// minStrictLinguaWords is how many words must remain for lingua to be
// given a post without its quotes and English cue words.
const minStrictLinguaWords = 3
