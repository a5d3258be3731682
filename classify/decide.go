package classify

import (
	"math"

	"github.com/seismo-dev/seismo"
)

// verdict is the decision before rendering.
type verdict struct {
	complaint, recovery bool
	services            []int // service indexes, in mention order
	problem             seismo.Problem
	problemCue          int // cue that set the problem, -1 for none
	score               float64
	mentioned           []int
	// collateral marks a complaint that only asks whether the services
	// are down too.
	collateral bool
	// confidence is the learned stage's calibrated probability of the
	// verdict, when learned is set (it ran).
	confidence float64
	learned    bool
}

// decide attributes cues to anchors and scores each service.
func (c *Classifier) decide(a *analysis) verdict {
	a.markTold()
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
	a.dropped = a.dropped[:0]
	for _, m := range a.mentions {
		if m.keep {
			kept = append(kept, m)
		} else {
			changed = true
			a.dropped = append(a.dropped, m)
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
		a.anchors = append(a.anchors, anchor{start: m.start, end: m.end, kind: anchorService, mention: mi})
	}
	for _, cu := range a.cues {
		if cu.cancelled {
			continue
		}
		switch cu.kind {
		case kDevice, kISP, kThing, kCommunity:
			a.anchors = append(a.anchors, anchor{start: cu.start, end: cu.end, kind: cu.kind, mention: -1})
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
		if a.toldAt(cu.sentence, cu.start, cu.end)&toldPast != 0 || a.s.sentences[cu.sentence].question {
			// "it worked fine yesterday" says nothing of now, and "is
			// it working for you?" asks.
			continue
		}
		// "it opens, but messages don't arrive": a "but" later in the
		// sentence takes the fine back.
		if cu.anchor >= 0 && a.anchors[cu.anchor].kind == anchorService &&
			a.s.toks[a.anchors[cu.anchor].start].clause == a.s.toks[cu.start].clause &&
			!a.boundaryLater(cu) {
			// "insta and twitter load fine": the whole list is fine.
			g := a.mentions[a.anchors[cu.anchor].mention].group
			for i, an := range a.anchors {
				if an.kind == anchorService && a.mentions[an.mention].group == g {
					fine[i] = true
				}
			}
		}
	}
	first, firstFine := -1, -1
	for i, an := range a.anchors {
		if an.kind != anchorService {
			continue
		}
		if firstFine < 0 {
			firstFine = i
		}
		if !fine[i] {
			first = i
			break
		}
	}
	for ci := range a.cues {
		cu := &a.cues[ci]
		if cu.cancelled || !isPositive(cu.kind) || cu.kind == kWorking {
			continue
		}
		// A service said to work takes recovery words, not outage words.
		outage := isOutageFamily(cu.kind)
		best := c.nearestAnchor(a, cu, outage)
		if best < 0 {
			best = first
			if !outage {
				best = firstFine
			}
		}
		if best >= 0 && (cu.kind == kOutage || cu.kind == kStill || cu.kind == kTrouble) {
			best = c.compound(a, best)
		}
		cu.anchor = best
	}
}

// clauseStart returns the first token of token i's clause.
func (a *analysis) clauseStart(i int) int {
	c := a.s.toks[i].clause
	for i > 0 && a.s.toks[i-1].clause == c {
		i--
	}
	return i
}

// boundaryLater reports whether a clause-starting word ("but", "aber",
// "بس") follows the cue in its sentence.
func (a *analysis) boundaryLater(cu *cue) bool {
	end := cu.end
	for end < len(a.s.toks) && a.s.toks[end].sentence == cu.sentence {
		end++
	}
	return a.bounds[end] > a.bounds[cu.end]
}

// compound returns the thing that forms one noun with a service mention
// ("the whatsapp group", "il gruppo whatsapp", "el grupo de whatsapp",
// "discord server"), or the mention itself. Generic outage words about
// such a compound ("the group is dead", "è morto") are about the thing.
func (c *Classifier) compound(a *analysis, best int) int {
	an := a.anchors[best]
	if an.kind != anchorService {
		return best
	}
	clause := a.s.toks[an.start].clause
	for i, th := range a.anchors {
		if th.kind == kCommunity && a.s.toks[th.start].clause == clause && spanGap(th.start, th.end, an.start, an.end) <= 3 {
			return i
		}
	}
	return best
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
		if an.kind == kCommunity {
			continue // only through compound: "whatsapp group messages not sending" is about WhatsApp
		}
		if an.kind != anchorService {
			// Only outage words of the same clause are about a device
			// or a thing, in any order ("my phone died", "caiu a net",
			// "وقع النت"), and failure and symptom words only when it is
			// their subject, before them: "my phone's screen is frozen",
			// "the washing machine crashed", but "spinning wheel on the
			// phone" is the service failing there.
			// A service before a device in the clause is the subject
			// ("gmail on my phone stopped getting mail"); one right
			// before a thing makes one noun with it ("outlook's spam
			// filter").
			serviceFirst := an.start
			if an.kind == kThing {
				serviceFirst = an.start - 2
			}
			if anClause != clause || (cu.kind == kFailure || cu.kind == kSymptom) &&
				(an.end > cu.start || a.mentionBetween(a.clauseStart(cu.start), serviceFirst)) {
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
		// An anchor of the cue's own clause is nearer than any of another
		// clause: "the Telekom network is dead for hours, no WhatsApp"
		// is about the network.
		d := 2*spanGap(an.start, an.end, cu.start, cu.end) + 20*absInt(anClause-clause)
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
	cues                int  // outage-family cues about it
	still               bool // an outage said to persist ("still down")
}

// markTold flags the sentences that tell of the past or report news.
// They are told sentence by sentence: "yesterday it was down for hours"
// rules out that sentence, not "it worked yesterday. Now it crashes."
// Within a sentence, a word of the present reclaims the words nearest to
// it (toldAt).
func (a *analysis) markTold() {
	told := a.told[:0]
	for range a.s.sentences {
		told = append(told, 0)
	}
	for ci := range a.cues {
		cu := &a.cues[ci]
		if cu.cancelled || cu.sentence >= len(told) {
			continue
		}
		switch {
		case cu.kind == kNow:
			told[cu.sentence] |= toldNow
		case cu.kind != kNegative:
		case cu.value == negPast:
			told[cu.sentence] |= toldPast
		case cu.value == negNews:
			told[cu.sentence] |= toldPast | toldNews
		}
	}
	a.told = told
}

// Flags of a sentence that tells of the past or reports news.
const (
	toldPast uint8 = 1 << iota // no complaint from this sentence
	toldNews                   // no recovery either
	toldNow                    // a word of the present is in it too
)

// toldAt returns the told flags that apply to the words [start, end) of
// a sentence: none when a word of the present ("now", "ahora", "jetzt")
// is at least as near to them as every past or news marker of the
// sentence, so "it broke last week too, and now it's down again" still
// complains while "it broke last week" does not. Nearness counts words,
// and a clause boundary as ten.
func (a *analysis) toldAt(sentence, start, end int) uint8 {
	t := a.told[sentence]
	if t&toldPast == 0 || t&toldNow == 0 {
		return t &^ toldNow
	}
	clause := a.s.toks[start].clause
	past, now := math.MaxInt, math.MaxInt
	for ci := range a.cues {
		m := &a.cues[ci]
		if m.cancelled || m.sentence != sentence {
			continue
		}
		d := spanGap(m.start, m.end, start, end) + 10*absInt(a.s.toks[m.start].clause-clause)
		switch {
		case m.kind == kNow:
			now = min(now, d)
		case m.kind == kNegative && (m.value == negPast || m.value == negNews):
			past = min(past, d)
		}
	}
	if now <= past {
		return 0
	}
	return t &^ toldNow
}

// problemRank orders problem types from most to least specific, for
// posts that describe several.
var problemRank = map[seismo.Problem]int{
	seismo.ProblemPayments: 10, seismo.ProblemNotifications: 9, seismo.ProblemLogin: 8,
	seismo.ProblemCalls: 7, seismo.ProblemAppCrash: 6, seismo.ProblemMedia: 5, seismo.ProblemFeed: 4,
	seismo.ProblemMessages: 3, seismo.ProblemConnection: 2, seismo.ProblemServerError: 1,
	seismo.ProblemTotalOutage: 0,
}

func (c *Classifier) score(a *analysis) verdict {
	scores := a.scores[:0]
	for range c.cat.services {
		scores = append(scores, serviceScore{})
	}
	a.scores = scores
	var question, ok bool
	var own int
	var vetoComplaint bool
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
				// "is it whatsapp or my wifi?" still asks about the
				// service.
				if !a.s.sentences[cu.sentence].question {
					own++
				}
			case negBlame, negSarcasm:
				vetoComplaint = true
			}
		}
	}
	if c.sarcasticQuote(a) {
		vetoComplaint = true
	}
	for _, m := range a.mentions {
		if m.outageTag && a.toldAt(a.s.toks[m.start].sentence, m.start, m.end)&toldPast == 0 {
			s := &scores[m.svc]
			s.complaint = math.Max(s.complaint, wHashtag)
			s.cues++
		}
	}
	for ci := range a.cues {
		cu := &a.cues[ci]
		if cu.cancelled || cu.anchor < 0 || !isPositive(cu.kind) {
			continue
		}
		if t := a.toldAt(cu.sentence, cu.start, cu.end); isOutageFamily(cu.kind) && t&toldPast != 0 ||
			(cu.kind == kRecovery || cu.kind == kRecoveryWeak) && t&toldNews != 0 {
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
		case kThing, kCommunity:
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
				s.complaint = math.Max(s.complaint, cu.weight)
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

// sarcasticQuote spots a quoted outage question that the author answers
// or mocks ("is insta down?" no babe, nobody likes your post): the quote
// is someone else's words, not a report. The quote must be a question
// holding an outage cue, and be followed by a "no" or open the post with
// something after it.
func (c *Classifier) sarcasticQuote(a *analysis) bool {
	for qi, q := range a.s.quotes {
		if q.lastToken <= q.firstToken || q.lastToken >= len(a.s.toks) {
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
		if q.firstToken == 0 && a.s.sentences[a.s.toks[next-1].sentence].question {
			return true
		}
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
// default. A described symptom or failure beats a generic outage word
// that only a nearby noun made specific: in "down, shows the message
// 'something went wrong'" the problem is the error, not messages.
func (c *Classifier) problem(a *analysis, svcs []int) (seismo.Problem, int) {
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
		p, src := seismo.Problem(cu.value), ci
		if p == "" {
			p = seismo.ProblemTotalOutage
		}
		// Specificity: 2 for a symptom, a failure or a word with a type of
		// its own, 1 for a generic word refined by a topic, 0 otherwise;
		// 3 for an error message shown by the service, and for sign-in
		// and payment failures, which the error messages they show
		// belong to.
		class := 0
		if cu.kind == kSymptom || cu.kind == kFailure || p != seismo.ProblemTotalOutage {
			class = 2
		}
		if cu.kind != kSymptom || p == seismo.ProblemServerError || p == seismo.ProblemConnection {
			if tp, ti := c.topicNear(a, cu); ti >= 0 && topicOverrides(p, tp) {
				p, src = tp, ti
				class = max(class, 1)
			}
		}
		switch {
		case p == seismo.ProblemTotalOutage:
			class = 0
		case class == 2 && (p == seismo.ProblemLogin || p == seismo.ProblemPayments ||
			p == seismo.ProblemServerError && cu.kind == kSymptom):
			class = 3
		}
		if r := class*100 + problemRank[p]; r > bestRank {
			bestP, bestCue, bestRank = p, src, r
		}
	}
	return bestP, bestCue
}

// topicOverrides reports whether a topic named near a cue makes its
// problem more specific: any topic refines a plain outage; an error shown
// at sign-in or payment is a login or payments problem, while an error on
// content (videos, posts) stays a server error; a connection failure of
// calls is a calls problem; otherwise notifications, calls, sign-in and
// payments topics make a failure more specific, and media nouns a
// messages failure.
func topicOverrides(def, topic seismo.Problem) bool {
	switch def {
	case "", seismo.ProblemTotalOutage:
		return true
	case seismo.ProblemServerError:
		return topic == seismo.ProblemLogin || topic == seismo.ProblemPayments
	case seismo.ProblemConnection:
		return topic == seismo.ProblemCalls // "calls won't connect"
	}
	// Notifications, calls, sign-in and payments are more specific than
	// any failure, and media sent in messages make a media problem ("can't
	// send voice notes"); but a feed keeps its type against the videos in
	// it ("the same videos again and again").
	switch topic {
	case seismo.ProblemNotifications, seismo.ProblemCalls, seismo.ProblemLogin, seismo.ProblemPayments:
		return problemRank[topic] > problemRank[def]
	case seismo.ProblemMedia:
		return def == seismo.ProblemMessages
	}
	return false
}

// topicNear returns the topic noun nearest to the cue in its sentence,
// within a few tokens; the more specific topic breaks a tie.
func (c *Classifier) topicNear(a *analysis, cu *cue) (seismo.Problem, int) {
	var best seismo.Problem
	bestI, bestD, bestRank := -1, math.MaxInt, -1
	// A working word negated after it ("lädt bei mir nichts mehr") ends
	// where its negation ends.
	end := cu.end
	if cu.modStart > end {
		end = cu.modStart
	}
	for ti := range a.cues {
		t := &a.cues[ti]
		if t.kind != kTopic || t.cancelled || t.sentence != cu.sentence {
			continue
		}
		d := t.start - end
		if t.end <= cu.start {
			d = cu.start - t.end
		}
		if d > 8 {
			continue
		}
		p := seismo.Problem(t.value)
		r := problemRank[p]
		if d < bestD || d == bestD && r > bestRank {
			best, bestI, bestD, bestRank = p, ti, d, r
		}
	}
	return best, bestI
}

// cueBetween reports whether a cue of kind k lies within tokens [start, end).
func (a *analysis) cueBetween(k kind, start, end int) bool {
	for ci := range a.cues {
		if cu := &a.cues[ci]; cu.kind == k && !cu.cancelled && start <= cu.start && cu.end <= end {
			return true
		}
	}
	return false
}

// alternative reports whether a sentence is an alternative question about
// a service ("is insta working, or did it go down too?"), not a report
// that asks whether others see it ("is netflix down or is it just me, not
// loading too?").
func (a *analysis) alternative(sentence int) bool {
	if !a.s.sentences[sentence].question {
		return false
	}
	// "... or is it just me", "... or just me": the alternative is the
	// author's own trouble. One-word question cues are particles ("mu",
	// "yoksa"), and those before the "or" ask others about the service
	// ("geht X bei euch noch oder auch weg?").
	for ci := range a.cues {
		if cu := &a.cues[ci]; cu.kind == kQuestion && !cu.cancelled && cu.sentence == sentence && cu.end-cu.start >= 2 && a.orBefore(sentence, cu.start) {
			return false
		}
	}
	return true
}

// orBefore reports whether an "or" stands in the sentence before token pos.
func (a *analysis) orBefore(sentence, pos int) bool {
	for ci := range a.cues {
		if cu := &a.cues[ci]; cu.kind == kOr && !cu.cancelled && cu.sentence == sentence && cu.end <= pos {
			return true
		}
	}
	return false
}

// maxTooGap is how many words may stand between a service and the "too"
// asked of it: "is insta down too?", "¿también se cayó insta?".
const maxTooGap = 2

// asksToo reports whether a complaint only asks whether its services are
// down too ("is insta down too?", "kya insta bhi band hai?"), as people do
// during an outage of another service: for each service, a question with
// "too" next to its name (not "is whatsapp down for you too?", which asks
// about the author's own trouble, nor "down in Genoa too?"), and nothing
// first-hand: no symptom, no outage hashtag, no second service.
func (a *analysis) asksToo(services []int) bool {
	// Asked of one service: "insta da threads de açılmıyor" reports both.
	if len(services) != 1 {
		return false
	}
	for ci := range a.cues {
		cu := &a.cues[ci]
		if cu.cancelled || (cu.kind != kSymptom && cu.kind != kFailure) {
			continue
		}
		// "or did it crash too?": the symptom is the question's second
		// half, not something the author saw.
		if a.alternative(cu.sentence) && a.orBefore(cu.sentence, cu.start) {
			continue
		}
		return false
	}
	for _, svc := range services {
		asked := false
		for _, m := range a.mentions {
			if m.svc != svc {
				continue
			}
			if m.outageTag {
				return false
			}
			sentence := a.s.toks[m.start].sentence
			if !a.s.sentences[sentence].question {
				continue
			}
			for ci := range a.cues {
				cu := &a.cues[ci]
				if cu.kind != kAlso || cu.cancelled || cu.sentence != sentence {
					continue
				}
				// Next to the service, or after an "or" that follows it: an
				// alternative question ("insta funciona o è caduto pure
				// lui?") asks about the service however long its second
				// half, while "down for you too?" stays a report.
				if spanGap(cu.start, cu.end, m.start, m.end) <= maxTooGap || (m.end <= cu.start && a.alternative(sentence) && a.cueBetween(kOr, m.end, cu.start)) {
					asked = true
				}
			}
		}
		if !asked {
			return false
		}
	}
	return true
}
