package classify

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/seismo-dev/seismo"
)

// The lexicons are plain text, one file per language, so that a native
// speaker can review them without reading Go. See lexicon/README.md for
// the format.
//
//go:embed lexicon/*.txt
var lexiconFS embed.FS

// kind is what a lexicon phrase is evidence of.
type kind uint8

const (
	kOutage       kind = iota // the service is down (total_outage unless a topic says more)
	kStill                    // an outage that persists ("still down"): beats a recovery
	kSymptom                  // a specific symptom with a fixed problem type
	kFailure                  // a failure verb; its problem comes from a topic nearby
	kTrouble                  // weak trouble words: issue, bug, error
	kQuestion                 // asks whether others see it too
	kRecovery                 // the service works again
	kRecoveryWeak             // "back" on its own
	kWorking                  // the service works ("loads fine"); negated it is an outage
	kOK                       // context that rules out the author's side: "wifi is fine", "restarted the router"
	kNegator                  // negation before a word
	kNegatorPost              // negation after a word (German nicht, French pas, Hindi nahi)
	kIrrealis                 // if, wish: what follows did not happen
	kIrrealisPost             // "sandım" (I thought): what comes before did not happen
	kNegative                 // a negative family, in value
	kIgnore                   // masks shorter phrases and means nothing
	kTopic                    // a noun naming what fails, in value
	kDevice                   // the author's device or connection
	kISP                      // a carrier or internet provider
	kThing                    // something that is not an online service (bank, train)
	kCommunity                // a group, channel or server on a service
	kNow                      // a word of the present ("now", "ahora"): bounds the reach of past and news
	kAlso                     // "too", "auch", "bhi": asked of a service, the question is whether another's outage reached it
	kOr                       // "or" between a service and its "too": "is insta working or down too?"
	numKinds
)

var kindNames = map[string]kind{
	"outage": kOutage, "still": kStill, "symptom": kSymptom, "failure": kFailure,
	"trouble": kTrouble, "question": kQuestion, "recovery": kRecovery, "working": kWorking,
	"ok": kOK, "negator": kNegator, "irrealis": kIrrealis, "negative": kNegative,
	"ignore": kIgnore, "topic": kTopic, "device": kDevice, "isp": kISP, "thing": kThing,
	"community": kCommunity, "now": kNow, "also": kAlso, "or": kOr,
}

// Negative families.
const (
	negIdiom        = "idiom"          // another sense of an outage word
	negPast         = "past"           // an outage told as past
	negNews         = "news"           // a dated report: rules out complaint and recovery
	negOwnDevice    = "own_device"     // the author's phone, Wi-Fi, power, or own doing
	negBlame        = "blame"          // "it's your wifi"
	negSarcasm      = "sarcasm"        // a mocked question
	negHypothetical = "hypothetical"   // wishes and conditionals
	negNegation     = "negation"       // "isn't down"
	negNotService   = "not_service"    // the broken thing is not an online service
	negWorking      = "service_ok"     // the service is said to work
	negNoSubject    = "no_service_cue" // a cue that names no service of ours
)

var negativeFamilies = map[string]bool{
	negIdiom: true, negPast: true, negNews: true, negOwnDevice: true, negBlame: true,
	negSarcasm: true, negHypothetical: true, negNegation: true, negNotService: true,
}

// langMask is a set of languages, one bit per index in supportedLanguages.
type langMask uint16

// supportedLanguages are the languages with a lexicon, in bit order.
var supportedLanguages = []string{"ar", "it", "fr", "en", "es", "pt", "de", "hi", "tr"}

func langIndex(code string) int {
	for i, l := range supportedLanguages {
		if l == code {
			return i
		}
	}
	return -1
}

func langBit(code string) langMask {
	if i := langIndex(code); i >= 0 {
		return 1 << i
	}
	return 0
}

// entry is one phrase of one section of one language.
type entry struct {
	kind   kind
	value  string // problem type, negative family or recovery strength
	lang   langMask
	phrase string // folded tokens joined by spaces, shown as Cue.Match
	// negated is set when the phrase already contains a negation
	// ("ne reçoit plus", "no carga"): a further negator next to it is
	// part of the same negation, not a second one.
	negated bool
	// label is set for a phrase written with a final colon ("report:"):
	// it counts only as the label that opens a sentence, colon included
	// ("Report: what caused..."), not as a word anywhere.
	label bool
}

// pattern token forms.
const (
	patNum  = "<num>"
	patYear = "<year>"
	patAny  = "<any>" // any one word, inside a phrase: "stürzt <any> ab"
)

// tnode is a node of the token trie.
type tnode struct {
	exact   map[string]*tnode
	prefix  []prefixEdge
	num     *tnode
	year    *tnode
	any     *tnode
	entries []int32
	mask    langMask // union of the languages of entries, for fast filtering
}

type prefixEdge struct {
	stem string
	node *tnode
}

func newTnode() *tnode { return &tnode{exact: map[string]*tnode{}} }

// lexicon holds every language's phrases in one token trie, plus the word
// lists that are not phrases.
type lexicon struct {
	root    *tnode
	entries []entry
	// hashtagSuffix holds words that, glued to an alias in a hashtag,
	// make it an outage hashtag (#whatsappdown, #instagramcokti).
	hashtagSuffix map[string]langMask
	// hints are words typical of a language, used to recognise romanised
	// Arabic and Hindi that lingua cannot tell apart from European
	// languages.
	hints map[string]langMask
	// connectors join services in a list ("whatsapp, insta and fb").
	connectors map[string]langMask
	// boundaries start a new clause without punctuation ("because",
	// "porque", "weil"): an outage word after one is less likely to be
	// about a service named before it.
	boundaries map[string]langMask
	// enWords are the one-word English cue phrases ("down", "crash",
	// "fixed"): written in posts of every language, they say little
	// about the language of the rest.
	enWords map[string]bool
}

func newLexicon() *lexicon {
	return &lexicon{
		root:          newTnode(),
		hashtagSuffix: map[string]langMask{},
		hints:         map[string]langMask{},
		connectors:    map[string]langMask{},
		boundaries:    map[string]langMask{},
		enWords:       map[string]bool{},
	}
}

// loadLexicons parses every embedded lexicon file.
func loadLexicons() (*lexicon, error) {
	lx := newLexicon()
	files, err := fs.Glob(lexiconFS, "lexicon/*.txt")
	if err != nil {
		return nil, fmt.Errorf("list lexicons: %w", err)
	}
	sort.Strings(files)
	for _, f := range files {
		lang := strings.TrimSuffix(path.Base(f), ".txt")
		if langIndex(lang) < 0 {
			return nil, fmt.Errorf("lexicon %s: unknown language %q", f, lang)
		}
		data, err := lexiconFS.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read lexicon %s: %w", f, err)
		}
		if err := lx.parse(lang, string(data)); err != nil {
			return nil, fmt.Errorf("lexicon %s: %w", f, err)
		}
	}
	lx.markNegated()
	en := langBit("en")
	for _, e := range lx.entries {
		if e.lang&en != 0 && isPositive(e.kind) && !strings.Contains(e.phrase, " ") {
			lx.enWords[e.phrase] = true
		}
	}
	return lx, nil
}

// hasPositive reports whether a node holds an outage-family, recovery or
// working phrase.
func (lx *lexicon) hasPositive(n *tnode) bool {
	for _, ei := range n.entries {
		if isPositive(lx.entries[ei].kind) {
			return true
		}
	}
	return false
}

// englishCueWord reports whether a folded token is a one-word English cue.
func (lx *lexicon) englishCueWord(tok []byte) bool {
	return lx.enWords[string(tok)]
}

// markNegated flags the phrases that contain a negator of their own
// language.
func (lx *lexicon) markNegated() {
	negators := map[string]langMask{}
	for _, e := range lx.entries {
		if (e.kind == kNegator || e.kind == kNegatorPost) && !strings.Contains(e.phrase, " ") {
			negators[e.phrase] |= e.lang
		}
	}
	for i := range lx.entries {
		e := &lx.entries[i]
		if e.kind == kNegator || e.kind == kNegatorPost {
			continue
		}
		for _, t := range strings.Fields(e.phrase) {
			if negators[t]&e.lang != 0 {
				e.negated = true
				break
			}
		}
	}
}

// parse reads one language's file. Lines are phrases; "[section]" or
// "[section:value]" starts a section; "#" at the start of a line is a
// comment.
func (lx *lexicon) parse(lang, text string) error {
	bit := langBit(lang)
	sc := bufio.NewScanner(strings.NewReader(text))
	section, value := "", ""
	var k kind
	line := 0
	for sc.Scan() {
		line++
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if strings.HasPrefix(l, "[") {
			if !strings.HasSuffix(l, "]") {
				return fmt.Errorf("line %d: unclosed section header %q", line, l)
			}
			section, value, _ = strings.Cut(l[1:len(l)-1], ":")
			var err error
			k, value, err = checkSection(section, value)
			if err != nil {
				return fmt.Errorf("line %d: %w", line, err)
			}
			continue
		}
		if section == "" {
			return fmt.Errorf("line %d: phrase %q before any section", line, l)
		}
		switch section {
		case "hashtag", "hint", "connector", "boundary":
			toks := normalizePhrase(l)
			if len(toks) == 0 {
				return fmt.Errorf("line %d: %q has no letters or digits", line, l)
			}
			m := map[string]map[string]langMask{"hashtag": lx.hashtagSuffix, "hint": lx.hints,
				"connector": lx.connectors, "boundary": lx.boundaries}[section]
			m[strings.Join(toks, "")] |= bit
			continue
		}
		if err := lx.add(k, value, bit, l); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		if alt, ok := umlautDigraphs[lang]; ok && strings.ContainsAny(l, "äöüÄÖÜ") {
			// Keyboards without umlauts write "laedt", "stuerzt ab".
			if err := lx.add(k, value, bit, alt.Replace(l)); err != nil {
				return fmt.Errorf("line %d: %w", line, err)
			}
		}
		if lang == "en" {
			// "not sendin", "keeps crashin": the g people drop.
			if alt := dropG(l); alt != l {
				if err := lx.add(k, value, bit, alt); err != nil {
					return fmt.Errorf("line %d: %w", line, err)
				}
			}
		}
	}
	return sc.Err()
}

// umlautDigraphs spell the umlauts of a language's phrases as the
// digraphs written without them: German "lädt" is also "laedt". Folding
// cannot do this for every language: "ae", "oe" and "ue" are plain letters
// elsewhere ("aereo", "coeur", "fue").
var umlautDigraphs = map[string]*strings.Replacer{
	"de": strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "Ä", "Ae", "Ö", "Oe", "Ü", "Ue"),
}

// dropG spells the long "-ing" words of an English phrase without their
// final g ("sending" as "sendin").
func dropG(phrase string) string {
	words := strings.Fields(phrase)
	changed := false
	for i, w := range words {
		if len(w) >= 6 && strings.HasSuffix(w, "ing") {
			words[i] = w[:len(w)-1]
			changed = true
		}
	}
	if !changed {
		return phrase
	}
	return strings.Join(words, " ")
}

// checkSection validates a section header and returns its kind and value.
func checkSection(section, value string) (kind, string, error) {
	switch section {
	case "hashtag", "hint", "connector", "boundary":
		if value != "" {
			return 0, "", fmt.Errorf("section %q takes no value", section)
		}
		return 0, "", nil
	}
	k, ok := kindNames[section]
	if !ok {
		return 0, "", fmt.Errorf("unknown section %q", section)
	}
	switch k {
	case kSymptom, kTopic:
		if !seismo.Problem(value).Valid() {
			return 0, "", fmt.Errorf("section %q needs a problem type, got %q", section, value)
		}
	case kOutage, kFailure, kTrouble:
		if value == "" {
			value = string(seismo.ProblemTotalOutage)
		}
		if !seismo.Problem(value).Valid() {
			return 0, "", fmt.Errorf("section %q: unknown problem type %q", section, value)
		}
	case kNegative:
		if !negativeFamilies[value] {
			return 0, "", fmt.Errorf("section negative: unknown family %q", value)
		}
	case kRecovery:
		switch value {
		case "":
		case "weak":
			k = kRecoveryWeak
		default:
			return 0, "", fmt.Errorf("section recovery: unknown value %q", value)
		}
	case kNegator, kIrrealis:
		switch value {
		case "":
		case "post":
			k = map[kind]kind{kNegator: kNegatorPost, kIrrealis: kIrrealisPost}[k]
			value = ""
		default:
			return 0, "", fmt.Errorf("section %s: unknown value %q", section, value)
		}
	default:
		if value != "" {
			return 0, "", fmt.Errorf("section %q takes no value", section)
		}
	}
	return k, value, nil
}

// add compiles one phrase into the trie.
func (lx *lexicon) add(k kind, value string, bit langMask, phrase string) error {
	var toks []string
	for _, raw := range strings.Fields(phrase) {
		switch {
		case raw == patNum || raw == patYear || raw == patAny:
			toks = append(toks, raw)
		case strings.HasSuffix(raw, "*") && len(raw) > 1:
			stem := normalizePhrase(strings.TrimSuffix(raw, "*"))
			if len(stem) != 1 || len(stem[0]) < 3 {
				return fmt.Errorf("prefix %q must be one word of at least 3 letters", raw)
			}
			toks = append(toks, stem[0]+"*")
		default:
			toks = append(toks, normalizePhrase(raw)...)
		}
	}
	if len(toks) == 0 {
		return fmt.Errorf("phrase %q has no letters or digits", phrase)
	}
	if toks[0] == patAny || toks[len(toks)-1] == patAny {
		return fmt.Errorf("phrase %q: %s only stands between words", phrase, patAny)
	}
	n := lx.root
	for _, t := range toks {
		switch {
		case t == patNum:
			if n.num == nil {
				n.num = newTnode()
			}
			n = n.num
		case t == patYear:
			if n.year == nil {
				n.year = newTnode()
			}
			n = n.year
		case t == patAny:
			if n.any == nil {
				n.any = newTnode()
			}
			n = n.any
		case strings.HasSuffix(t, "*"):
			stem := strings.TrimSuffix(t, "*")
			var next *tnode
			for _, e := range n.prefix {
				if e.stem == stem {
					next = e.node
				}
			}
			if next == nil {
				next = newTnode()
				n.prefix = append(n.prefix, prefixEdge{stem: stem, node: next})
			}
			n = next
		default:
			next := n.exact[t]
			if next == nil {
				next = newTnode()
				n.exact[t] = next
			}
			n = next
		}
	}
	joined := strings.Join(toks, " ")
	label := strings.HasSuffix(phrase, ":")
	// The same phrase in the same section of several languages shares one
	// entry.
	for _, ei := range n.entries {
		e := &lx.entries[ei]
		if e.kind == k && e.value == value && e.label == label {
			e.lang |= bit
			n.mask |= bit
			return nil
		}
	}
	n.entries = append(n.entries, int32(len(lx.entries)))
	n.mask |= bit
	lx.entries = append(lx.entries, entry{kind: k, value: value, lang: bit, phrase: joined, label: label})
	return nil
}

// match is one phrase found in a post: tokens [start, end) and the trie
// node whose entries apply.
type match struct {
	start, end int
	node       *tnode
}

// forms returns the spellings of token i to try: the folded token and, for
// Arabic, the token without its clitics.
func (a *analysis) forms(i int) [][]byte {
	return a.alts[a.altIdx[i]:a.altIdx[i+1]]
}

// longestAt finds the longest phrase starting at token i whose entries
// include a language of mask. Phrases stay inside one clause. Among equal
// lengths an exact spelling beats a pattern (prefix, number, any word).
func (lx *lexicon) longestAt(a *analysis, i, limit int, mask langMask) (match, bool) {
	best := match{start: i, end: -1}
	bestPrefixes := 0
	clause := a.s.toks[i].clause
	var walk func(n *tnode, pos, prefixes int)
	walk = func(n *tnode, pos, prefixes int) {
		if n != lx.root && n.mask&mask != 0 {
			if pos > best.end || pos == best.end && prefixes < bestPrefixes {
				best.end, best.node, bestPrefixes = pos, n, prefixes
			}
		}
		if pos >= limit || a.s.toks[pos].clause != clause {
			return
		}
		tok := &a.s.toks[pos]
		for _, f := range a.forms(pos) {
			if next := n.exact[string(f)]; next != nil {
				walk(next, pos+1, prefixes)
			}
			for _, e := range n.prefix {
				if len(f) > len(e.stem) && string(f[:len(e.stem)]) == e.stem {
					walk(e.node, pos+1, prefixes+1)
				}
			}
		}
		if n.any != nil {
			walk(n.any, pos+1, prefixes+1)
		}
		if tok.digits {
			if n.num != nil {
				walk(n.num, pos+1, prefixes+1)
			}
			if n.year != nil && isYear(a.s.bytes(pos)) {
				walk(n.year, pos+1, prefixes+1)
			}
		}
	}
	walk(lx.root, i, 0)
	if best.end < 0 {
		return match{}, false
	}
	return best, true
}

func isYear(b []byte) bool {
	if len(b) != 4 {
		return false
	}
	return (b[0] == '1' && b[1] == '9') || (b[0] == '2' && b[1] == '0')
}

// matchAll scans the post leftmost-longest and returns the phrases found.
// One exception to leftmost: a masking phrase (an idiom, an ignore) that
// starts inside a match and reaches beyond it wins, so "is down bad" reads
// as the idiom "down bad" and not as "is down".
func (lx *lexicon) matchAll(a *analysis, mask langMask, dst []match) []match {
	n := len(a.s.toks)
	for i := 0; i < n; {
		m, ok := lx.longestAt(a, i, n, mask)
		if !ok {
			i++
			continue
		}
		for j := i + 1; j < m.end; j++ {
			m2, ok2 := lx.longestAt(a, j, n, mask)
			if !ok2 || m2.end <= m.end || !lx.masks(m2.node, mask) {
				continue
			}
			if m1, ok1 := lx.longestAt(a, i, j, mask); ok1 {
				dst = append(dst, m1)
			}
			m = m2
			break
		}
		dst = append(dst, m)
		i = m.end
	}
	return dst
}

// masks reports whether a node holds a phrase whose job is to hide
// shorter cues: an ignore or an idiom.
func (lx *lexicon) masks(n *tnode, mask langMask) bool {
	for _, ei := range n.entries {
		e := &lx.entries[ei]
		if e.lang&mask != 0 && (e.kind == kIgnore || e.kind == kNegative && e.value == negIdiom) {
			return true
		}
	}
	return false
}
