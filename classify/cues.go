package classify

import (
	"github.com/seismo-dev/seismo"
)

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
	anchor     int  // index into analysis.anchors, -1 when none
	selfNeg    bool // the phrase carries its own negation
}

// anchor is something a cue can be about: a service mention, the
// author's device or connection, a carrier, or a thing that is not an
// online service.
type anchor struct {
	start, end int
	kind       kind // anchorService for a service mention
	mention    int  // index into analysis.mentions, for a service
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

// buildCues turns matches into cues, resolves overlaps with service
// mentions, and applies negation and irrealis.
func (c *Classifier) buildCues(a *analysis, mask langMask) {
	for _, m := range a.matches {
		for _, ei := range m.node.entries {
			e := &c.lx.entries[ei]
			if e.lang&mask == 0 || len(a.cues) >= maxCues || e.label && !a.labelAt(m.start, m.end) {
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
				switch {
				case m.ambiguous && !m.hashtag && masksAlias(cu.kind):
					m.svc = -1
				case cu.kind == kTopic && m.ambiguous:
					// "snaps" names Snapchat and what fails: both count.
				case cu.start < m.start && m.end < cu.end && isPositive(cu.kind):
					// The service stands inside the phrase, as the
					// subject of a German inverted verb ("läuft
					// <any> wieder": "endlich läuft Insta wieder"):
					// both count.
				default:
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
	a.strengthenRecovery()
}

// strengthenRecovery makes "again", "wieder", "now" a full recovery a few
// words from a working word of its clause: "funzt wieder", "spielt wieder
// alles ab", "working for me again", "الحين الواتس زابط".
func (a *analysis) strengthenRecovery() {
	for ci := range a.cues {
		cu := &a.cues[ci]
		if cu.cancelled || cu.kind != kRecoveryWeak {
			continue
		}
		for wi := range a.cues {
			w := &a.cues[wi]
			if w.cancelled || w.kind != kWorking || a.s.toks[w.start].clause != a.s.toks[cu.start].clause ||
				spanGap(w.start, w.end, cu.start, cu.end) > 3 {
				continue
			}
			// The cue becomes the whole "funzt wieder", "الحين زابط".
			cu.kind, cu.weight = kRecovery, wRecovery
			if w.start < cu.start {
				cu.phrase = w.phrase + " " + cu.phrase
			} else {
				cu.phrase = cu.phrase + " " + w.phrase
			}
			cu.start, cu.end = min(cu.start, w.start), max(cu.end, w.end)
			w.cancelled = true
			break
		}
	}
}

// labelAt reports whether tokens [start, end) are a headline's label:
// they open their sentence and a colon follows them.
func (a *analysis) labelAt(start, end int) bool {
	return a.s.toks[end-1].colon && (start == 0 || a.s.toks[start-1].sentence != a.s.toks[start].sentence)
}

// masksAlias reports whether a phrase of kind k hides an ambiguous alias
// it covers.
func masksAlias(k kind) bool {
	switch k {
	case kNegative, kIgnore, kDevice, kISP, kThing, kCommunity:
		return true
	}
	return false
}

// indexTokens records, per token, whether a service is named there and
// how many clause-starting words ("because") come before it, so that the
// pairwise steps below look these up in constant time.
func (a *analysis) indexTokens(lx *lexicon) {
	n := len(a.s.toks)
	a.markNamed()
	a.bounds = a.bounds[:0]
	count := int32(0)
	for i := range n {
		a.bounds = append(a.bounds, count)
		if lx.boundaries[string(a.s.bytes(i))] != 0 {
			count++
		}
	}
	a.bounds = append(a.bounds, count)
}

// markNamed records, per token, whether a service is named there.
func (a *analysis) markNamed() {
	n := len(a.s.toks)
	a.named = a.named[:0]
	for range n {
		a.named = append(a.named, false)
	}
	for _, m := range a.mentions {
		for t := m.start; t < m.end && t < n; t++ {
			a.named[t] = true
		}
	}
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
					limit = 6 // "geht seit heute in der Früh nicht"
				}
				if n.start >= cu.end && n.start-cu.end <= limit && post < 0 &&
					(cu.kind == kWorking || !a.mentionBetween(cu.end, n.start)) {
					post = ni
				}
			}
		}
		mod := pre
		if mod < 0 {
			mod = post
		}
		if a.negatedForm(cu) {
			// "مبيشتغلش", "مارجعش": the negation is in the word; a
			// separate ما before it ("ما يخدمش") is the same negation.
			switch cu.kind {
			case kWorking:
				cu.kind, cu.value, cu.weight = kFailure, string(seismo.ProblemTotalOutage), wNegWorking
			case kRecovery, kRecoveryWeak:
				cu.kind, cu.value, cu.weight = kStill, string(seismo.ProblemTotalOutage), wFailure
			default:
				cu.cancelled, cu.family = true, negNegation
			}
			if mod >= 0 {
				a.cues[mod].cancelled = true
			}
			continue
		}
		if mod < 0 {
			continue
		}
		n := &a.cues[mod]
		switch {
		case cu.kind == kWorking:
			cu.kind, cu.value, cu.weight = kFailure, string(seismo.ProblemTotalOutage), wNegWorking
		case cu.kind == kRecovery || cu.kind == kRecoveryWeak:
			// "not back yet", "mes messages partent pas"
			cu.kind, cu.value, cu.weight = kStill, string(seismo.ProblemTotalOutage), wFailure
		default:
			cu.cancelled, cu.family = true, negNegation
		}
		cu.modStart = n.start
		if n.start > cu.start {
			cu.modStart = n.end // post-negation: remember where it ends
		}
		n.cancelled = true // the negator is used up
	}
}

// negatedForm reports whether a one-word cue matched the bare verb of a
// negation circumfix, not the word as written: "مبيشتغلش" read as
// "يشتغل", whereas a lexicon that lists "مبيشتغلش" itself already means
// the negation.
func (a *analysis) negatedForm(cu *cue) bool {
	i := cu.start
	if cu.end != i+1 || !a.s.toks[i].negForm {
		return false
	}
	for _, f := range a.alts[a.altIdx[i]:a.negIdx[i]] {
		if string(f) == cu.phrase {
			return false
		}
	}
	return true
}

// applyIrrealis cancels outage and recovery cues that follow "if", "I
// wish", "magari", "ojalá", "keşke", "काश", "يا ريت" in the same clause
// (or in the next one when the wish ends its own: "ich wünschte, X wäre
// down"), or that come just before "sandım" (I thought) in languages that
// put it after: a wish, a hypothetical or a mistaken belief reports
// nothing.
func (c *Classifier) applyIrrealis(a *analysis) {
	for ci := range a.cues {
		cu := &a.cues[ci]
		// A specific symptom after "if" is usually real ("if I open it,
		// it crashes"); wishes are about the service going down.
		// "I thought it was my wifi" blames nothing either.
		ownSide := cu.kind == kNegative && (cu.value == negOwnDevice || cu.value == negBlame)
		if cu.cancelled || cu.kind == kSymptom || !(isOutageFamily(cu.kind) || cu.kind == kRecovery || cu.kind == kRecoveryWeak || ownSide) {
			continue
		}
		clause := a.s.toks[cu.start].clause
		for ni := range a.cues {
			n := &a.cues[ni]
			if c := a.s.toks[n.start].clause; c != clause && c != clause-1 {
				continue
			}
			switch {
			case n.kind == kIrrealis && n.end <= cu.start && cu.start-n.end <= 8 && a.bounds[n.end] == a.bounds[cu.start] &&
				(a.s.toks[n.start].clause == clause || a.s.toks[n.end-1].clause == clause-1 && clauseEnds(a, n.end) && a.s.toks[n.start].sentence == cu.sentence):
				// "I thought it was me but it's down": a wish or a
				// belief ends at "but", "because".
				cu.cancelled, cu.family, cu.modStart = true, negHypothetical, n.start
			case n.kind == kIrrealisPost && a.s.toks[n.start].clause == clause && n.start >= cu.end && n.start-cu.end <= 2:
				cu.cancelled, cu.family, cu.modStart = true, negHypothetical, n.end
			default:
				continue
			}
			break
		}
	}
}

// clauseEnds reports whether token i starts a new clause (or the post
// ends there): the words before it close their clause.
func clauseEnds(a *analysis, i int) bool {
	return i >= len(a.s.toks) || i > 0 && a.s.toks[i].clause != a.s.toks[i-1].clause
}
