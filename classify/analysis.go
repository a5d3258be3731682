package classify

import (
	"math"
	"strings"

	"github.com/seismo-dev/seismo"
)

// analysis is the per-post working state. It is pooled: a firehose of
// posts reuses the same buffers.
type analysis struct {
	s        scratch
	alts     [][]byte
	altIdx   []int
	mentions []mention
	matches  []match
	cues     []cue
	anchors  []anchor
	fine     []bool  // per anchor: a service said to work
	named    []bool  // per token: part of a service mention
	bounds   []int32 // per token: clause-starting words before it
	lingua   []byte
	votes    [len16]float64
}

func (a *analysis) reset() {
	a.alts = a.alts[:0]
	a.altIdx = a.altIdx[:0]
	a.mentions = a.mentions[:0]
	a.matches = a.matches[:0]
	a.cues = a.cues[:0]
	a.anchors = a.anchors[:0]
	a.fine = a.fine[:0]
	a.votes = [len16]float64{}
}

// computeForms lists, per token, the spellings matching tries: the token
// itself and, for Arabic, the token without clitics.
func (a *analysis) computeForms() {
	for i := range a.s.toks {
		a.altIdx = append(a.altIdx, len(a.alts))
		b := a.s.bytes(i)
		a.alts = append(a.alts, b)
		if a.s.toks[i].script == scriptArabic {
			a.alts = arabicStems(a.alts, b)
		}
	}
	a.altIdx = append(a.altIdx, len(a.alts))
}

// mention is a service named in a post.
type mention struct {
	start, end int // tokens
	svc        int
	ambiguous  bool
	hashtag    bool // written as a hashtag
	outageTag  bool // a hashtag that says the service is down (#whatsappdown)
	group      int  // mentions listed together share a group
	keep       bool
}

// Per-post bounds: a post naming more services or matching more phrases
// than this is spam, and the rest of it is ignored. They keep the
// pairwise steps (attribution, negation) cheap whatever the text.
const (
	maxMentions = 64
	maxCues     = 256
)

// latinSuffixes may follow an alias inside one word: Turkish case endings
// ("instagramdan", "twittera", "whatsapp'ta" after apostrophe folding) and
// the English plural or possessive ("whatsapps").
var latinSuffixes = map[string]bool{
	"s": true, "a": true, "e": true, "i": true, "u": true, "ya": true, "ye": true, "yi": true, "yu": true,
	"da": true, "de": true, "ta": true, "te": true, "dan": true, "den": true, "tan": true, "ten": true,
	"in": true, "un": true, "nin": true, "nun": true, "la": true, "le": true, "yla": true, "yle": true,
	"ler": true, "lar": true, "deki": true, "daki": true, "teki": true, "taki": true,
}

// findMentions finds the services named in the post: multi-token aliases
// first, then one-token aliases (with Arabic clitics and Turkish suffixes),
// then hashtags.
func (c *Classifier) findMentions(a *analysis) {
	toks := a.s.toks
	for i := 0; i < len(toks) && len(a.mentions) < maxMentions; i++ {
		if m, ok := c.multiAt(a, i); ok {
			a.mentions = append(a.mentions, m)
			i = m.end - 1
			continue
		}
		if m, ok := c.singleAt(a, i); ok {
			a.mentions = append(a.mentions, m)
		}
	}
}

func (c *Classifier) multiAt(a *analysis, i int) (mention, bool) {
	best := mention{end: -1}
	for _, f := range a.forms(i) {
		for _, ma := range c.cat.multi[string(f)] {
			end := i + 1 + len(ma.rest)
			if end > len(a.s.toks) || end <= best.end {
				continue
			}
			ok := true
			for k, want := range ma.rest {
				j := i + 1 + k
				if a.s.toks[j].sentence != a.s.toks[i].sentence || !a.hasForm(j, want) {
					ok = false
					break
				}
			}
			if ok {
				best = mention{start: i, end: end, svc: ma.val.svc, ambiguous: ma.val.ambiguous}
			}
		}
	}
	return best, best.end > 0
}

func (a *analysis) hasForm(i int, want string) bool {
	for _, f := range a.forms(i) {
		if string(f) == want {
			return true
		}
	}
	return false
}

func (c *Classifier) singleAt(a *analysis, i int) (mention, bool) {
	t := &a.s.toks[i]
	m := mention{start: i, end: i + 1, svc: -1, hashtag: t.hashtag}
	for _, f := range a.forms(i) {
		if v, ok := c.cat.single.lookup(f); ok {
			m.svc, m.ambiguous = v.svc, v.ambiguous
			break
		}
	}
	b := a.s.bytes(i)
	if t.hashtag {
		if svc, ok := c.cat.hashtags[string(b)]; ok {
			m.svc, m.ambiguous, m.outageTag = svc, false, true
			return m, true
		}
		if m.svc < 0 || m.ambiguous {
			// #whatsappdown, #instagramcokti: an alias glued to an
			// outage word.
			c.cat.single.prefixes(b, func(n int, v aliasVal) bool {
				if n < len(b) && c.lx.hashtagSuffix[string(b[n:])] != 0 {
					m.svc, m.ambiguous, m.outageTag = v.svc, false, true
				}
				return true
			})
		}
		return m, m.svc >= 0
	}
	if m.svc >= 0 {
		return m, true
	}
	if t.script == scriptLatin && len(b) > 4 {
		c.cat.single.prefixes(b, func(n int, v aliasVal) bool {
			if n >= 4 && n < len(b) && !v.ambiguous && latinSuffixes[string(b[n:])] {
				m.svc, m.ambiguous = v.svc, false
			}
			return true
		})
	}
	return m, m.svc >= 0
}

// cue is one phrase found in the post, and what became of it.
type cue struct {
	start, end int
	kind       kind
	value      string
	phrase     string
	weight     float64
	hashtag    bool
	sentence   int
	modStart   int    // start of the negator or irrealis that changed it, or -1
	family     string // set when the cue was cancelled or explains a negative
	cancelled  bool
	anchor     int // index into analysis.anchors, -1 when none
	negated    bool
	selfNeg    bool // the phrase carries its own negation
}

// anchor is something a cue can be about: a service mention, the
// author's device or connection, a carrier, or a thing that is not an
// online service.
type anchor struct {
	start, end int
	kind       kind // kTopic stands for a service mention here
	mention    int
	cue        int
}

const anchorService = kTopic

// Cue weights: how much each kind of phrase says the service is broken
// (or back) on its own.
const (
	wOutage       = 1.0
	wSymptom      = 0.9
	wFailure      = 0.8
	wNegWorking   = 0.9 // "non funziona", "no carga"
	wTrouble      = 0.5
	wWorkingAsked = 0.5 // "is whatsapp working for anyone?"
	wRecovery     = 1.0
	wRecoveryWeak = 0.6
	wHashtag      = 1.0

	questionBonus = 0.3
	extraCueBonus = 0.1 // per further cue about the same service, at most two
	okBonus       = 0.1 // the author ruled out their own side
	ownPenalty    = 0.6 // per own-device cue, at most two
	threshold     = 0.75
)

func isOutageFamily(k kind) bool {
	return k == kOutage || k == kStill || k == kSymptom || k == kFailure || k == kTrouble
}

func isPositive(k kind) bool {
	return isOutageFamily(k) || k == kRecovery || k == kRecoveryWeak || k == kWorking
}

// classify runs the full analysis of one post.
func (c *Classifier) classify(a *analysis, p *seismo.Post) seismo.Signal {
	sig := seismo.Signal{PostID: p.ID, Country: p.Country, Services: []string{}, Cues: []seismo.Cue{}}
	tokenize(&a.s, p.Text)
	a.computeForms()
	c.findMentions(a)

	// Fast path: most posts name no service at all.
	if len(a.mentions) == 0 {
		sig.Lang = c.cheapLang(p, a)
		sig.Confidence = 0.99
		return sig
	}
	allMask := langMask(1<<len(supportedLanguages) - 1)
	a.matches = c.lx.matchAll(a, allMask, a.matches[:0])
	if !c.worthAnalysing(a) {
		sig.Lang = c.cheapLang(p, a)
		sig.Confidence = 0.99
		return sig
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
	v := c.decide(a)
	c.render(a, &sig, v)
	return sig
}

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
	for _, m := range a.matches {
		for _, ei := range m.node.entries {
			if isPositive(c.lx.entries[ei].kind) {
				return true
			}
		}
	}
	return false
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
	return c.lang.detect(a.linguaText(p.Text), &a.votes)
}

// linguaText is the post's text as lingua should see it: original
// spelling (accents matter to it) without service names, hashtags, URLs
// and mentions, which are the same in every language and pull short
// posts towards English.
func (a *analysis) linguaText(text string) string {
	b := a.lingua[:0]
	m := 0
	for i := range a.s.toks {
		for m < len(a.mentions) && a.mentions[m].end <= i {
			m++
		}
		t := &a.s.toks[i]
		if t.hashtag || m < len(a.mentions) && a.mentions[m].start <= i {
			continue
		}
		if t.srcEnd > len(text) || t.src >= t.srcEnd || len(b)+t.srcEnd-t.src > maxLinguaBytes {
			break
		}
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = append(b, text[t.src:t.srcEnd]...)
	}
	a.lingua = b
	return string(b)
}

// buildCues turns matches into cues, resolves overlaps with service
// mentions, and applies negation and irrealis.
func (c *Classifier) buildCues(a *analysis, mask langMask) {
	for _, m := range a.matches {
		for _, ei := range m.node.entries {
			e := &c.lx.entries[ei]
			if e.lang&mask == 0 || len(a.cues) >= maxCues {
				continue
			}
			cu := cue{start: m.start, end: m.end, kind: e.kind, value: e.value, phrase: e.phrase,
				sentence: a.s.toks[m.start].sentence, modStart: -1, anchor: -1, selfNeg: e.negated}
			cu.hashtag = true
			for i := m.start; i < m.end; i++ {
				if !a.s.toks[i].hashtag {
					cu.hashtag = false
				}
			}
			switch e.kind {
			case kOutage, kStill:
				cu.weight = wOutage
			case kSymptom:
				cu.weight = wSymptom
			case kFailure:
				cu.weight = wFailure
			case kTrouble:
				cu.weight = wTrouble
			case kRecovery:
				cu.weight = wRecovery
			case kRecoveryWeak:
				cu.weight = wRecoveryWeak
			}
			if cu.hashtag && isOutageFamily(e.kind) {
				cu.weight = wHashtag
			}
			if e.kind == kTrouble && a.s.toks[m.start].quote != 0 && a.s.toks[m.end-1].quote != 0 {
				// A status quoted from the app ("connecting...") is a
				// report, not small talk.
				cu.weight = wFailure
			}
			a.cues = append(a.cues, cu)
		}
	}
	// A masking phrase that covers an ambiguous alias wins ("face down",
	// "no signal"), and so does a list word ("wa" is "and" in Arabizi);
	// otherwise the alias wins over the phrase.
	for mi := range a.mentions {
		m := &a.mentions[mi]
		if m.ambiguous && !m.hashtag && m.end == m.start+1 && c.lx.connectors[string(a.s.bytes(m.start))]&mask != 0 {
			m.svc = -1
			continue
		}
		for ci := range a.cues {
			cu := &a.cues[ci]
			if cu.start < m.end && m.start < cu.end {
				if m.ambiguous && !m.hashtag && masksAlias(cu.kind) {
					m.svc = -1
				} else {
					cu.cancelled = true
				}
			}
		}
	}
	kept := a.mentions[:0]
	for _, m := range a.mentions {
		if m.svc >= 0 {
			kept = append(kept, m)
		}
	}
	a.mentions = kept
	a.indexTokens(c.lx)
	c.applyNegation(a)
	c.applyIrrealis(a)
}

// masksAlias reports whether a phrase of kind k hides an ambiguous alias
// it covers.
func masksAlias(k kind) bool {
	switch k {
	case kNegative, kIgnore, kDevice, kISP, kThing:
		return true
	}
	return false
}

// indexTokens records, per token, whether a service is named there and
// how many clause-starting words ("because") come before it, so that the
// pairwise steps below look these up in constant time.
func (a *analysis) indexTokens(lx *lexicon) {
	n := len(a.s.toks)
	a.named = a.named[:0]
	a.bounds = a.bounds[:0]
	for range n {
		a.named = append(a.named, false)
	}
	for _, m := range a.mentions {
		for t := m.start; t < m.end && t < n; t++ {
			a.named[t] = true
		}
	}
	count := int32(0)
	for i := range n {
		a.bounds = append(a.bounds, count)
		if lx.boundaries[string(a.s.bytes(i))] != 0 {
			count++
		}
	}
	a.bounds = append(a.bounds, count)
}

// mentionBetween reports whether a service is named in tokens [from, to).
func (a *analysis) mentionBetween(from, to int) bool {
	for t := max(from, 0); t < to && t < len(a.named); t++ {
		if a.named[t] {
			return true
		}
	}
	return false
}

// applyNegation handles "isn't down" (a negated outage is no complaint),
// "non funziona" / "geht nicht" (a negated working word is one) and "not
// back yet" (a negated recovery is an outage).
func (c *Classifier) applyNegation(a *analysis) {
	for ci := range a.cues {
		cu := &a.cues[ci]
		if cu.cancelled || !isPositive(cu.kind) || cu.selfNeg {
			continue
		}
		clause := a.s.toks[cu.start].clause
		pre, post := -1, -1
		for ni := range a.cues {
			n := &a.cues[ni]
			if n.cancelled || a.s.toks[n.start].clause != clause {
				continue
			}
			switch n.kind {
			case kNegator:
				if n.end <= cu.start && cu.start-n.end <= 2 && !a.mentionBetween(n.end, cu.start) {
					pre = ni
				}
			case kNegatorPost:
				// A post-verbal negation may have the subject between
				// ("lädt bei Instagram der Feed nicht mehr") when it
				// negates a working word.
				limit := 2
				if cu.kind == kWorking {
					limit = 4
				}
				if n.start >= cu.end && n.start-cu.end <= limit && post < 0 &&
					(cu.kind == kWorking || !a.mentionBetween(cu.end, n.start)) {
					post = ni
				}
			}
		}
		if cu.kind == kNegatorPost || cu.kind == kNegator {
			continue
		}
		mod := pre
		if mod < 0 {
			mod = post
		}
		if mod < 0 {
			continue
		}
		n := &a.cues[mod]
		switch {
		case cu.kind == kWorking:
			cu.kind, cu.value, cu.weight, cu.negated = kFailure, seismo.ProblemTotalOutage, wNegWorking, true
		case cu.kind == kRecovery || cu.kind == kRecoveryWeak:
			// "not back yet", "mes messages partent pas"
			cu.kind, cu.value, cu.weight, cu.negated = kStill, seismo.ProblemTotalOutage, wFailure, true
		default:
			cu.cancelled, cu.family, cu.negated = true, negNegation, true
		}
		cu.modStart = n.start
		if n.start > cu.start {
			cu.modStart = n.end // post-negation: remember where it ends
		}
		n.cancelled = true // the negator is used up
	}
}

// applyIrrealis cancels outage and recovery cues that follow "if", "I
// wish", "magari", "ojalá", "keşke", "काश", "يا ريت" in the same sentence:
// a wish or a hypothetical reports nothing.
func (c *Classifier) applyIrrealis(a *analysis) {
	for ci := range a.cues {
		cu := &a.cues[ci]
		// A specific symptom after "if" is usually real ("if I open it,
		// it crashes"); wishes are about the service going down.
		if cu.cancelled || cu.kind == kSymptom || !(isOutageFamily(cu.kind) || cu.kind == kRecovery || cu.kind == kRecoveryWeak) {
			continue
		}
		clause := a.s.toks[cu.start].clause
		for ni := range a.cues {
			n := &a.cues[ni]
			if n.kind != kIrrealis || a.s.toks[n.start].clause != clause || n.end > cu.start || cu.start-n.end > 8 {
				continue
			}
			cu.cancelled, cu.family, cu.modStart = true, negHypothetical, n.start
			break
		}
	}
}

// verdict is the decision before rendering.
type verdict struct {
	complaint, recovery bool
	services            []int // service indexes, in mention order
	problem             string
	problemCue          int // cue that set the problem, -1 for none
	score               float64
	mentioned           []int
}

// decide attributes cues to anchors and scores each service.
func (c *Classifier) decide(a *analysis) verdict {
	c.groupMentions(a)
	c.buildAnchors(a)
	c.attribute(a)
	// Ambiguous aliases count only when a cue is about them (or they were
	// hashtags); drop the others and attribute again without them.
	changed := false
	for mi := range a.mentions {
		m := &a.mentions[mi]
		m.keep = !m.ambiguous || m.hashtag
	}
	asked := false
	for ci := range a.cues {
		if a.cues[ci].kind == kQuestion && !a.cues[ci].cancelled {
			asked = true
		}
	}
	for ci := range a.cues {
		cu := &a.cues[ci]
		if cu.cancelled || cu.anchor < 0 || !supportsAlias(cu, asked || a.s.sentences[cu.sentence].question) {
			continue
		}
		an := a.anchors[cu.anchor]
		if an.kind != anchorService {
			continue
		}
		g := a.mentions[an.mention].group
		for mi := range a.mentions {
			if a.mentions[mi].group == g {
				a.mentions[mi].keep = true
			}
		}
	}
	kept := a.mentions[:0]
	for _, m := range a.mentions {
		if m.keep {
			kept = append(kept, m)
		} else {
			changed = true
		}
	}
	a.mentions = kept
	if changed {
		c.groupMentions(a)
		c.buildAnchors(a)
		c.attribute(a)
	}
	return c.score(a)
}

// supportsAlias reports whether a cue is strong enough to make an
// ambiguous alias a mention: an outage, symptom or recovery phrase, or a
// weak trouble word ("bugs", "issues") when the post asks about it.
func supportsAlias(cu *cue, asked bool) bool {
	switch cu.kind {
	case kOutage, kStill, kSymptom, kFailure, kRecovery:
		return true
	case kTrouble, kWorking, kRecoveryWeak:
		return asked
	}
	return false
}

// groupMentions links services listed together ("whatsapp, insta and
// fb", "واتساب وانستغرام") so a cue about one is about all.
func (c *Classifier) groupMentions(a *analysis) {
	for i := range a.mentions {
		a.mentions[i].group = i
		if i == 0 {
			continue
		}
		prev, cur := &a.mentions[i-1], &a.mentions[i]
		if a.s.toks[prev.start].sentence != a.s.toks[cur.start].sentence {
			continue
		}
		joined := true
		for t := prev.end; t < cur.start; t++ {
			if c.lx.connectors[string(a.s.bytes(t))] == 0 {
				joined = false
				break
			}
		}
		if joined {
			cur.group = prev.group
		}
	}
}

func (c *Classifier) buildAnchors(a *analysis) {
	a.anchors = a.anchors[:0]
	for mi, m := range a.mentions {
		a.anchors = append(a.anchors, anchor{start: m.start, end: m.end, kind: anchorService, mention: mi, cue: -1})
	}
	for ci, cu := range a.cues {
		if cu.cancelled {
			continue
		}
		switch cu.kind {
		case kDevice, kISP, kThing:
			a.anchors = append(a.anchors, anchor{start: cu.start, end: cu.end, kind: cu.kind, mention: -1, cue: ci})
		}
	}
}

// attribute links every positive cue to the nearest anchor in its
// sentence. Crossing a comma or a word such as "because" costs a little;
// a specific symptom is never about the author's device, and a generic
// outage word is only about a device in its own clause ("my phone died");
// a service said to work ("insta loads fine") does not take outage words
// from other clauses. A cue in a sentence without anchors is about the
// first service named that is not said to work ("Is it down for anyone
// else?").
func (c *Classifier) attribute(a *analysis) {
	for ci := range a.cues {
		a.cues[ci].anchor = -1
	}
	// Working words first: they mark services as fine.
	fine := a.fine[:0]
	for range a.anchors {
		fine = append(fine, false)
	}
	a.fine = fine
	for ci := range a.cues {
		cu := &a.cues[ci]
		if cu.cancelled || cu.kind != kWorking {
			continue
		}
		cu.anchor = c.nearestAnchor(a, cu, false)
		if cu.anchor >= 0 && a.anchors[cu.anchor].kind == anchorService &&
			a.s.toks[a.anchors[cu.anchor].start].clause == a.s.toks[cu.start].clause {
			// "insta and twitter load fine": the whole list is fine.
			g := a.mentions[a.anchors[cu.anchor].mention].group
			for i, an := range a.anchors {
				if an.kind == anchorService && a.mentions[an.mention].group == g {
					fine[i] = true
				}
			}
		}
	}
	first := -1
	for i, an := range a.anchors {
		if an.kind == anchorService && !fine[i] {
			first = i
			break
		}
	}
	for ci := range a.cues {
		cu := &a.cues[ci]
		if cu.cancelled || !isPositive(cu.kind) || cu.kind == kWorking {
			continue
		}
		best := c.nearestAnchor(a, cu, true)
		if best < 0 {
			best = first
		}
		cu.anchor = best
	}
}

// nearestAnchor returns the anchor in the cue's sentence closest to it,
// or -1. With skipFine, services said to work in another clause are
// passed over.
func (c *Classifier) nearestAnchor(a *analysis, cu *cue, skipFine bool) int {
	clause := a.s.toks[cu.start].clause
	best, bestD := -1, math.MaxInt
	for i, an := range a.anchors {
		if a.s.toks[an.start].sentence != cu.sentence {
			continue
		}
		anClause := a.s.toks[an.start].clause
		if an.kind != anchorService {
			// Only generic outage words in the same clause are about a
			// device or a thing.
			if cu.kind == kSymptom || anClause != clause {
				continue
			}
		} else if skipFine && a.fine[i] && anClause != clause {
			continue
		}
		before := an.end <= cu.start
		from, to := an.end, cu.start
		if !before {
			from, to = cu.end, an.start
		}
		d := 2*spanGap(an.start, an.end, cu.start, cu.end) + 3*absInt(anClause-clause)
		if from < to {
			d += 3 * int(a.bounds[to]-a.bounds[from])
		}
		if !before {
			d++ // ties go to what comes first: the subject
		}
		if d < bestD {
			best, bestD = i, d
		}
	}
	return best
}

// spanGap is the number of tokens between two spans.
func spanGap(s1, e1, s2, e2 int) int {
	switch {
	case e1 <= s2:
		return s2 - e1
	case e2 <= s1:
		return s1 - e2
	}
	return 0
}

func absInt(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// serviceScore accumulates the evidence about one service.
type serviceScore struct {
	complaint, recovery float64
	cues                int
	still, working      bool
	outageTag           bool
}

// problemRank orders problem types from most to least specific, for
// posts that describe several.
var problemRank = map[string]int{
	seismo.ProblemPayments: 10, seismo.ProblemNotifications: 9, seismo.ProblemLogin: 8,
	seismo.ProblemCalls: 7, seismo.ProblemAppCrash: 6, seismo.ProblemMedia: 5, seismo.ProblemFeed: 4,
	seismo.ProblemMessages: 3, seismo.ProblemConnection: 2, seismo.ProblemServerError: 1,
	seismo.ProblemTotalOutage: 0,
}

func (c *Classifier) score(a *analysis) verdict {
	n := len(c.cat.services)
	scores := make([]serviceScore, n)
	var question, ok bool
	var own int
	var vetoComplaint, vetoRecovery bool
	for _, m := range a.mentions {
		if m.outageTag {
			s := &scores[m.svc]
			s.outageTag = true
			s.complaint = math.Max(s.complaint, wHashtag)
			s.cues++
		}
	}
	for ci := range a.cues {
		cu := &a.cues[ci]
		switch {
		case cu.kind == kQuestion && !cu.cancelled:
			question = true
		case cu.kind == kOK && !cu.cancelled:
			ok = true
		case cu.kind == kNegative && !cu.cancelled:
			switch cu.value {
			case negOwnDevice:
				own++
			case negPast, negBlame, negSarcasm:
				vetoComplaint = true
			case negNews:
				vetoComplaint, vetoRecovery = true, true
			}
		}
	}
	if c.sarcasticQuote(a) {
		vetoComplaint = true
	}
	for ci := range a.cues {
		cu := &a.cues[ci]
		if cu.cancelled || cu.anchor < 0 || !isPositive(cu.kind) {
			continue
		}
		an := a.anchors[cu.anchor]
		switch an.kind {
		case kDevice, kISP:
			if isOutageFamily(cu.kind) {
				if !a.s.sentences[cu.sentence].question && !c.sentenceHasQuestion(a, cu.sentence) {
					own++
					cu.family = negOwnDevice
				}
			} else if cu.kind == kWorking {
				ok = true
			}
			continue
		case kThing:
			cu.family = negNotService
			continue
		}
		g := a.mentions[an.mention].group
		for _, m := range a.mentions {
			if m.group != g {
				continue
			}
			s := &scores[m.svc]
			switch {
			case isOutageFamily(cu.kind):
				w := cu.weight
				if s.complaint > 0 {
					s.complaint = math.Max(s.complaint, w)
				} else {
					s.complaint = w
				}
				s.cues++
				if cu.kind == kStill {
					s.still = true
				}
			case cu.kind == kRecovery || cu.kind == kRecoveryWeak:
				w := cu.weight
				if a.s.sentences[cu.sentence].question {
					w *= 0.6 // "is it back?" asks, it does not tell
				}
				s.recovery = math.Max(s.recovery, w)
			case cu.kind == kWorking:
				if a.s.sentences[cu.sentence].question && spanGap(cu.start, cu.end, an.start, an.end) <= 1 {
					// "is whatsapp working for anyone?", "a voi
					// funziona whatsapp?": weak alone, a complaint with
					// a question cue.
					s.complaint = math.Max(s.complaint, wWorkingAsked)
					s.cues++
				} else {
					s.working = true
				}
			}
		}
	}
	penalty := ownPenalty * float64(min(own, 2))
	v := verdict{problemCue: -1}
	best := 0.0
	for i := range scores {
		s := &scores[i]
		if s.complaint > 0 {
			s.complaint += extraCueBonus * float64(min(max(s.cues-1, 0), 2))
			if question {
				s.complaint += questionBonus
			}
			if ok {
				s.complaint += okBonus
			}
		}
		s.complaint -= penalty
		s.recovery -= penalty
		if vetoComplaint {
			s.complaint = 0
		}
		if vetoRecovery {
			s.recovery = 0
		}
		best = math.Max(best, math.Max(s.complaint, s.recovery))
	}
	// A service said to be back and not "still down" counts as recovered
	// even when the post also names the outage it had.
	var comp, rec []int
	for _, m := range a.mentions {
		s := &scores[m.svc]
		if contains(comp, m.svc) || contains(rec, m.svc) {
			continue
		}
		switch {
		case s.recovery >= threshold && !s.still:
			rec = append(rec, m.svc)
		case s.complaint >= threshold:
			comp = append(comp, m.svc)
		}
	}
	for _, m := range a.mentions {
		if !contains(v.mentioned, m.svc) {
			v.mentioned = append(v.mentioned, m.svc)
		}
	}
	switch {
	case len(comp) > 0:
		// A mixed post ("WhatsApp is back but Insta is still down")
		// reports something broken now: the complaint wins.
		v.complaint, v.services = true, comp
		for _, s := range comp {
			v.score = math.Max(v.score, scores[s].complaint)
		}
		v.problem, v.problemCue = c.problem(a, comp)
	case len(rec) > 0:
		v.recovery, v.services = true, rec
		for _, s := range rec {
			v.score = math.Max(v.score, scores[s].recovery)
		}
	default:
		v.score = best
	}
	return v
}

func contains(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func (c *Classifier) sentenceHasQuestion(a *analysis, sentence int) bool {
	for _, cu := range a.cues {
		if cu.kind == kQuestion && !cu.cancelled && cu.sentence == sentence {
			return true
		}
	}
	return false
}

// sarcasticQuote spots a quoted outage question answered with "no"
// ("is insta down?" no babe, nobody likes your post): the quote is mocked,
// not reported.
func (c *Classifier) sarcasticQuote(a *analysis) bool {
	for qi, q := range a.s.quotes {
		if q.lastToken < 0 || q.lastToken >= len(a.s.toks) {
			continue
		}
		hasOutage := false
		for _, cu := range a.cues {
			if isOutageFamily(cu.kind) && a.s.toks[cu.start].quote == qi+1 {
				hasOutage = true
				break
			}
		}
		if !hasOutage {
			continue
		}
		next := q.lastToken
		for _, cu := range a.cues {
			if cu.start == next && (cu.kind == kNegator || cu.kind == kNegatorPost) {
				return true
			}
		}
	}
	return false
}

// problem picks the most specific problem type among the cues about the
// broken services: a symptom's own type, or for outage and failure words
// the topic named near them ("stories won't load" is media), else their
// default.
func (c *Classifier) problem(a *analysis, svcs []int) (string, int) {
	bestP, bestCue, bestRank := seismo.ProblemTotalOutage, -1, -1
	for ci := range a.cues {
		cu := &a.cues[ci]
		if cu.cancelled || cu.anchor < 0 || !isOutageFamily(cu.kind) {
			continue
		}
		an := a.anchors[cu.anchor]
		if an.kind != anchorService || !contains(svcs, a.mentions[an.mention].svc) {
			continue
		}
		p, src := cu.value, ci
		if cu.kind != kSymptom || p == seismo.ProblemServerError {
			if tp, ti := c.topicNear(a, cu); ti >= 0 && topicOverrides(p, tp) {
				p, src = tp, ti
			}
		}
		if p == "" {
			p = seismo.ProblemTotalOutage
		}
		if r := problemRank[p]; r > bestRank {
			bestP, bestCue, bestRank = p, src, r
		}
	}
	return bestP, bestCue
}

// topicOverrides reports whether a topic named near a cue makes its
// problem more specific: any topic refines a plain outage; an error shown
// at sign-in or payment is a login or payments problem, while an error on
// content (videos, posts) stays a server error; otherwise the more
// specific of the two wins ("no notifications ... only messages" stays
// notifications).
func topicOverrides(def, topic string) bool {
	switch def {
	case "", seismo.ProblemTotalOutage:
		return true
	case seismo.ProblemServerError:
		return topic == seismo.ProblemLogin || topic == seismo.ProblemPayments
	}
	return problemRank[topic] > problemRank[def]
}

// topicNear returns the topic noun nearest to the cue in its sentence,
// within a few tokens; the more specific topic breaks a tie.
func (c *Classifier) topicNear(a *analysis, cu *cue) (string, int) {
	best, bestI, bestD, bestRank := "", -1, math.MaxInt, -1
	for ti := range a.cues {
		t := &a.cues[ti]
		if t.kind != kTopic || t.cancelled || t.sentence != cu.sentence {
			continue
		}
		d := t.start - cu.end
		if t.end <= cu.start {
			d = cu.start - t.end
		}
		if d > 8 {
			continue
		}
		r := problemRank[t.value]
		if d < bestD || d == bestD && r > bestRank {
			best, bestI, bestD, bestRank = t.value, ti, d, r
		}
	}
	return best, bestI
}

// render fills the signal from the verdict, with cues in text order.
func (c *Classifier) render(a *analysis, sig *seismo.Signal, v verdict) {
	ids := v.mentioned
	if v.complaint || v.recovery {
		ids = v.services
	}
	for _, s := range ids {
		sig.Services = append(sig.Services, c.cat.services[s].ID)
	}
	sig.Complaint, sig.Recovery = v.complaint, v.recovery
	if v.complaint {
		sig.Problem = v.problem
	}
	// Confidence in the verdict: a logistic curve of the evidence, high
	// for strong complaints and for posts with no evidence at all.
	p := 1 / (1 + math.Exp(-5*(v.score-0.55)))
	if !v.complaint && !v.recovery {
		p = 1 - p
	}
	sig.Confidence = math.Round(math.Min(math.Max(p, 0.01), 0.99)*100) / 100

	for _, m := range a.mentions {
		kind := "service"
		match := c.spanText(a, m.start, m.end)
		if m.outageTag {
			kind, match = "hashtag", "#"+match
		}
		sig.Cues = append(sig.Cues, seismo.Cue{Kind: kind, Match: match, Value: c.cat.services[m.svc].ID})
	}
	for ci := range a.cues {
		cu := &a.cues[ci]
		out, ok := c.renderCue(a, cu, ci == v.problemCue)
		if ok {
			sig.Cues = append(sig.Cues, out)
		}
		if ci == v.problemCue {
			sig.Cues = append(sig.Cues, seismo.Cue{Kind: "problem", Match: cu.phrase, Value: v.problem})
		}
	}
	if v.complaint && v.problemCue < 0 {
		sig.Cues = append(sig.Cues, seismo.Cue{Kind: "problem", Value: v.problem})
	}
}

// renderCue maps an internal cue to the public families: service,
// outage, symptom, question, hashtag, recovery, negative, problem, and
// context for what rules out the author's side.
func (c *Classifier) renderCue(a *analysis, cu *cue, problem bool) (seismo.Cue, bool) {
	match := cu.phrase
	if cu.modStart >= 0 {
		from, to := cu.modStart, cu.end
		if cu.modStart > cu.start {
			from, to = cu.start, cu.modStart
		}
		match = c.spanText(a, from, to)
	}
	if cu.family != "" {
		return seismo.Cue{Kind: "negative", Match: match, Value: cu.family}, true
	}
	if cu.cancelled {
		return seismo.Cue{}, false
	}
	kind := ""
	value := cu.value
	switch cu.kind {
	case kOutage, kTrouble:
		kind = "outage"
	case kStill:
		kind, value = "outage", "still"
	case kSymptom, kFailure:
		kind = "symptom"
	case kQuestion:
		kind, value = "question", ""
	case kRecovery, kRecoveryWeak:
		kind, value = "recovery", ""
	case kWorking:
		kind, value = "negative", negWorking
	case kOK:
		kind, value = "context", "own_side_ok"
	case kNegative:
		kind = "negative"
	default:
		return seismo.Cue{}, false
	}
	if cu.hashtag && isOutageFamily(cu.kind) {
		kind, match = "hashtag", "#"+match
	}
	if cu.anchor >= 0 && cu.anchor < len(a.anchors) && a.anchors[cu.anchor].kind == anchorService && kind != "negative" {
		// Name the service the cue was attributed to.
		if value == "" || kind == "recovery" || kind == "question" {
			value = c.cat.services[a.mentions[a.anchors[cu.anchor].mention].svc].ID
		}
	}
	_ = problem
	return seismo.Cue{Kind: kind, Match: match, Value: value}, true
}

func (c *Classifier) spanText(a *analysis, from, to int) string {
	var b strings.Builder
	for i := from; i < to && i < len(a.s.toks); i++ {
		if i > from {
			b.WriteByte(' ')
		}
		b.Write(a.s.bytes(i))
	}
	return b.String()
}
