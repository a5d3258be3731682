package classify

import (
	"math"
	"strings"

	"github.com/seismo-dev/seismo"
)

// render fills the signal from the verdict: the services named first,
// then the phrases found, in text order.
func (c *Classifier) render(a *analysis, sig *seismo.Signal, v verdict) {
	ids := v.mentioned
	if v.complaint || v.recovery {
		ids = v.services
	}
	for _, s := range ids {
		sig.Services = append(sig.Services, c.cat.services[s].ID)
	}
	sig.Complaint, sig.Recovery, sig.Collateral = v.complaint, v.recovery, v.collateral
	if v.complaint {
		sig.Problem = v.problem
	}
	// Confidence in the verdict: a logistic curve of the evidence, high
	// for strong complaints and for posts with no evidence at all.
	p := 1 / (1 + math.Exp(-5*(v.score-0.55)))
	if !v.complaint && !v.recovery {
		p = 1 - p
	}
	if v.learned {
		p = v.confidence
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
	// An ambiguous alias the learned stage read as the service.
	for _, m := range a.dropped {
		if contains(ids, m.svc) {
			sig.Cues = append(sig.Cues, seismo.Cue{Kind: "service", Match: c.spanText(a, m.start, m.end), Value: c.cat.services[m.svc].ID})
		}
	}
	for ci := range a.cues {
		cu := &a.cues[ci]
		out, ok := c.renderCue(a, cu)
		if ok && (cu.kind != kAlso || v.collateral) {
			sig.Cues = append(sig.Cues, out)
		}
		if ci == v.problemCue {
			sig.Cues = append(sig.Cues, seismo.Cue{Kind: "problem", Match: cu.phrase, Value: string(v.problem)})
		}
	}
	if v.complaint && v.problemCue < 0 {
		sig.Cues = append(sig.Cues, seismo.Cue{Kind: "problem", Value: string(v.problem)})
	}
}

// renderCue maps an internal cue to the public families: service,
// outage, symptom, question, hashtag, recovery, negative, problem, and
// context for what rules out the author's side.
func (c *Classifier) renderCue(a *analysis, cu *cue) (seismo.Cue, bool) {
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
		kind = "outage"
	case kSymptom, kFailure:
		kind = "symptom"
	case kQuestion:
		kind, value = "question", ""
	case kRecovery, kRecoveryWeak:
		kind, value = "recovery", ""
	case kWorking:
		kind, value = "negative", negWorking
		if cu.anchor >= 0 && a.anchors[cu.anchor].kind != anchorService {
			kind, value = "context", "own_side_ok" // "the wifi works"
		}
	case kOK:
		kind, value = "context", "own_side_ok"
	case kAlso:
		kind, value = "context", "asks_too"
	case kNegative:
		kind = "negative"
	default:
		return seismo.Cue{}, false
	}
	if cu.hashtag && isOutageFamily(cu.kind) {
		kind, match, value = "hashtag", "#"+match, ""
	}
	if (kind == "recovery" || kind == "hashtag") && cu.anchor >= 0 && a.anchors[cu.anchor].kind == anchorService {
		// Name the service the cue was attributed to.
		value = c.cat.services[a.mentions[a.anchors[cu.anchor].mention].svc].ID
	}
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
