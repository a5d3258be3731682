package classify

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
