package classify

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Normalisation turns free text into a sequence of folded tokens. The same
// functions fold the catalog aliases and the lexicon phrases, so a phrase
// written naturally in a data file ("c'è solo a me", "واتس اب") matches
// however a post spells it (case, accents, Arabic letter variants,
// elongation).

// maxScanBytes bounds the work done on one text. Posts are at most
// seismo.MaxTextBytes; anything beyond twice that is ignored rather than
// trusted.
const maxScanBytes = 20_000

// maxTokens bounds the tokens analysed per post, for the same reason.
const maxTokens = 2_500

// maxQuotes bounds the quoted spans tracked per post.
const maxQuotes = 256

// script of a token, decided by its first letter.
type script uint8

const (
	scriptOther script = iota
	scriptLatin
	scriptArabic
	scriptDevanagari
)

// token is one word of a post after folding. text is a slice of the
// scratch buffer; sentence and clause number the boundaries seen before it.
type token struct {
	start, end  int // byte range in scratch.buf
	src, srcEnd int // byte range in the original text
	sentence    int
	clause      int
	quote       int // quote span id, 0 outside quotes
	hashtag     bool
	digits      bool // all ASCII digits
	mixed       bool // letters and digits mixed ("wa2ef", "3andkom")
	script      script
	// negForm is set when the token is a verb inside a negation
	// circumfix ("مبيشتغلش", "ma y5demch"): its forms include the bare
	// verb, and a working word matched there is negated.
	negForm bool
	// colon is set when a colon follows the token: it ends a headline's
	// label ("Report:", "Bericht:").
	colon bool
}

// sentenceInfo records what the tokenizer saw about one sentence.
type sentenceInfo struct {
	question bool // ended with or contained ? ؟ ¿
}

// quoteInfo records where a quoted span ends, for the sarcasm rule
// ("is insta down?" no babe ...).
type quoteInfo struct {
	firstToken int
	lastToken  int // exclusive
}

// tokenizer state lives in scratch so that a firehose of posts reuses
// buffers instead of allocating.
type scratch struct {
	buf       []byte
	toks      []token
	sentences []sentenceInfo
	quotes    []quoteInfo
}

func (s *scratch) reset() {
	s.buf = s.buf[:0]
	s.toks = s.toks[:0]
	s.sentences = s.sentences[:0]
	s.quotes = s.quotes[:0]
}

func (s *scratch) text(i int) string {
	t := &s.toks[i]
	return string(s.buf[t.start:t.end])
}

func (s *scratch) bytes(i int) []byte {
	t := &s.toks[i]
	return s.buf[t.start:t.end]
}

// Latin letters with diacritics and ligatures, folded to ASCII. Built from
// two parallel strings so the table stays readable; multi-letter foldings
// are handled in foldLatin.
const (
	latinFrom = "àáâãäåāăąçćĉċčďđèéêëēĕėęěĝğġģĥħìíîïĩīĭįıĵķĺļľŀłñńņňŉòóôõöōŏőùúûüũūŭůűųŵýÿŷśŝşšţťŧźżžșțơưǎǐǒǔ"
	latinTo   = "aaaaaaaaacccccddeeeeeeeeegggghhiiiiiiiiijklllllnnnnnoooooooouuuuuuuuuuwyyysssstttzzzstouaiou"
)

var latinFold = func() map[rune]rune {
	from := []rune(latinFrom)
	to := []rune(latinTo)
	if len(from) != len(to) {
		panic("classify: latin fold table is unbalanced")
	}
	m := make(map[rune]rune, len(from))
	for i, r := range from {
		m[r] = to[i]
	}
	return m
}()

// foldRune appends the folded form of r to buf. ok is false when r is not
// part of a word (punctuation, symbols, emoji, spaces); such runes are
// returned folded in sep so the caller can treat them as boundaries.
func foldRune(buf []byte, r rune) (out []byte, word bool, sep rune) {
	switch {
	case r < 0x80:
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		if ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') {
			return append(buf, byte(r)), true, 0
		}
		return buf, false, r
	case r >= 0xFF01 && r <= 0xFF5E: // fullwidth ASCII
		return foldRune(buf, r-0xFF01+0x21)
	case r == 0x3000: // ideographic space
		return buf, false, ' '
	case r >= 0x1D400 && r <= 0x1D6A3: // mathematical bold/italic/... letters
		i := (r - 0x1D400) % 52
		if i < 26 {
			return append(buf, byte('a'+i)), true, 0
		}
		return append(buf, byte('a'+i-26)), true, 0
	case r >= 0x1D7CE && r <= 0x1D7FF: // mathematical digits
		return append(buf, byte('0'+(r-0x1D7CE)%10)), true, 0
	case r >= 0x24B6 && r <= 0x24E9: // circled letters
		i := r - 0x24B6
		return append(buf, byte('a'+i%26)), true, 0
	}
	switch {
	case r >= 0x0600 && r <= 0x06FF, r >= 0x0750 && r <= 0x077F, r >= 0xFB50 && r <= 0xFDFF, r >= 0xFE70 && r <= 0xFEFF:
		return foldArabic(buf, r)
	case r >= 0x0900 && r <= 0x097F:
		return foldDevanagari(buf, r)
	case r == 0x200B || r == 0x200C || r == 0x200D || r == 0x2060 || r == 0xFEFF || (r >= 0xFE00 && r <= 0xFE0F) || r == 0x00AD:
		// zero-width characters, variation selectors and soft hyphens
		// vanish inside words.
		return buf, true, 0
	case unicode.Is(unicode.Mn, r):
		// A combining mark after a letter (decomposed accents): drop it.
		return buf, true, 0
	}
	switch r {
	case 'ß':
		return append(buf, 's', 's'), true, 0
	case 'æ', 'Æ':
		return append(buf, 'a', 'e'), true, 0
	case 'œ', 'Œ':
		return append(buf, 'o', 'e'), true, 0
	case 'ø', 'Ø':
		return append(buf, 'o'), true, 0
	case 'İ':
		return append(buf, 'i'), true, 0
	case 'þ', 'Þ':
		return append(buf, 't', 'h'), true, 0
	case 'ð', 'Ð':
		return append(buf, 'd'), true, 0
	}
	if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mc, r) {
		lr := unicode.ToLower(r)
		if f, ok := latinFold[lr]; ok {
			return append(buf, byte(f)), true, 0
		}
		if unicode.IsDigit(lr) && lr >= 0x0966 && lr <= 0x096F {
			return append(buf, byte('0'+lr-0x0966)), true, 0
		}
		return utf8.AppendRune(buf, lr), true, 0
	}
	return buf, false, r
}

// foldArabic normalises the Arabic letter variants people use
// interchangeably, drops harakat and tatweel, and maps Arabic-Indic digits
// to ASCII.
func foldArabic(buf []byte, r rune) ([]byte, bool, rune) {
	switch {
	case r >= 0x064B && r <= 0x065F, r == 0x0670, r == 0x0640, r >= 0x06D6 && r <= 0x06ED:
		return buf, true, 0 // harakat, superscript alef, tatweel, Quranic marks
	case r >= 0x0660 && r <= 0x0669:
		return append(buf, byte('0'+r-0x0660)), true, 0
	case r >= 0x06F0 && r <= 0x06F9:
		return append(buf, byte('0'+r-0x06F0)), true, 0
	}
	switch r {
	case 'أ', 'إ', 'آ', 'ٱ', 'ٲ', 'ٳ':
		r = 'ا'
	case 'ى', 'ی', 'ې', 'ئ':
		r = 'ي'
	case 'ة', 'ۃ':
		r = 'ه'
	case 'ؤ':
		r = 'و'
	case 'ک', 'ڪ':
		r = 'ك'
	case 'گ':
		r = 'ك' // Gulf spellings such as انستگرام
	case 'ڤ', 'ڥ':
		r = 'ف'
	case 'پ':
		r = 'ب'
	case 'چ':
		r = 'ج'
	case 'ہ', 'ە':
		r = 'ه'
	case '،', '؛', '؟', '٪', '٫', '٬', '۔':
		return buf, false, r
	}
	if r >= 0xFB50 { // presentation forms: letters are rare in posts, treat as text
		if !unicode.IsLetter(r) {
			return buf, false, r
		}
	}
	if !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) {
		return buf, false, r
	}
	return utf8.AppendRune(buf, r), true, 0
}

// foldDevanagari drops the nukta and folds vowel signs that Hindi writers
// swap freely (ऐ/ए, ॉ/ा, chandrabindu/anusvara), so व्हाट्सऐप and व्हाट्सएप
// meet.
func foldDevanagari(buf []byte, r rune) ([]byte, bool, rune) {
	switch {
	case r == 0x093C: // nukta
		return buf, true, 0
	case r >= 0x0966 && r <= 0x096F:
		return append(buf, byte('0'+r-0x0966)), true, 0
	case r == 0x0964 || r == 0x0965: // danda: sentence end
		return buf, false, '.'
	}
	switch r {
	case 'ऐ':
		r = 'ए'
	case 'ै':
		r = 'े'
	case 'ॉ':
		r = 'ा'
	case 'ऑ':
		r = 'आ'
	case 'ँ':
		r = 'ं'
	case 'ौ':
		r = 'ो'
	case 'औ':
		r = 'ओ'
	case 'ॅ':
		r = 'े'
	}
	// Precomposed nukta letters (क़ ख़ ग़ ज़ ड़ ढ़ फ़ य़).
	switch r {
	case 0x0958:
		r = 'क'
	case 0x0959:
		r = 'ख'
	case 0x095A:
		r = 'ग'
	case 0x095B:
		r = 'ज'
	case 0x095C:
		r = 'ड'
	case 0x095D:
		r = 'ढ'
	case 0x095E:
		r = 'फ'
	case 0x095F:
		r = 'य'
	}
	return utf8.AppendRune(buf, r), true, 0
}

func isApostrophe(r rune) bool {
	return r == '\'' || r == '’' || r == 'ʼ' || r == '‘' || r == '`' || r == '´'
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' ||
		r == 0x85 || r == 0xA0 || r == 0x1680 || (r >= 0x2000 && r <= 0x200A) ||
		r == 0x2028 || r == 0x2029 || r == 0x202F || r == 0x205F || r == 0x3000
}

// skipChunk reports whether a whitespace-delimited chunk is a URL, an
// @mention or an e-mail address, which carry no cue and would otherwise
// leak service names ("twitter.com/...", "@WhatsApp").
func skipChunk(c string) bool {
	if c == "" {
		return false
	}
	if c[0] == '@' || c[0] == 0xEF && strings.HasPrefix(c, "＠") {
		return true
	}
	if strings.Contains(c, "://") || strings.ContainsRune(c, '@') {
		return true
	}
	if len(c) >= 4 && strings.EqualFold(c[:4], "www.") {
		return true
	}
	return false
}

// tokenize folds text into s. It never fails: invalid UTF-8 becomes a
// boundary, and work stops at maxScanBytes or maxTokens.
func tokenize(s *scratch, text string) {
	s.reset()
	if len(text) > maxScanBytes {
		text = text[:maxScanBytes]
	}
	sentence, clause := 0, 0
	quote, quoteSeq := 0, 0
	singleQuote := false // the open quote was opened by an apostrophe
	s.sentences = append(s.sentences, sentenceInfo{})

	inTok := false
	hashtag := false
	var last rune
	run := 0
	runStart := 0
	tokStart := 0
	srcStart, srcEnd := 0, 0
	hasLetter, hasDigit, allDigits := false, false, true
	tokScript := scriptOther

	endToken := func() {
		if !inTok {
			return
		}
		inTok = false
		if len(s.buf) > tokStart && len(s.toks) < maxTokens {
			s.toks = append(s.toks, token{
				start: tokStart, end: len(s.buf), src: srcStart, srcEnd: srcEnd,
				sentence: sentence, clause: clause, quote: quote,
				hashtag: hashtag,
				digits:  allDigits && hasDigit,
				mixed:   hasLetter && hasDigit,
				script:  tokScript,
			})
		} else {
			s.buf = s.buf[:tokStart]
		}
	}
	newSentence := func() {
		endToken()
		if len(s.toks) > 0 && s.toks[len(s.toks)-1].sentence == sentence {
			sentence++
			s.sentences = append(s.sentences, sentenceInfo{})
		}
		clause++
	}
	// markQuestion flags the sentence a '?' closes: the current one, or the
	// previous one when the mark repeats ("down??").
	markQuestion := func() {
		endToken()
		switch {
		case len(s.toks) > 0 && s.toks[len(s.toks)-1].sentence == sentence:
			s.sentences[sentence].question = true
		case sentence > 0:
			s.sentences[sentence-1].question = true
		}
	}
	openQuote := func() {
		endToken()
		if len(s.quotes) >= maxQuotes {
			return
		}
		quoteSeq++
		quote = quoteSeq
		s.quotes = append(s.quotes, quoteInfo{firstToken: len(s.toks), lastToken: -1})
	}
	closeQuote := func() {
		endToken()
		if quote != 0 {
			s.quotes[quote-1].lastToken = len(s.toks)
		}
		quote = 0
		singleQuote = false
	}

	i := 0
	for i < len(text) && len(s.toks) < maxTokens {
		// At a chunk start, drop URLs, mentions and e-mail addresses whole.
		if !inTok && (i == 0 || isSpaceByte(text[i-1])) {
			j := i
			for j < len(text) && !isSpaceByte(text[j]) {
				j++
			}
			if skipChunk(text[i:j]) {
				// Keep a sentence-final mark glued to the chunk.
				if c := text[j-1]; c == '?' {
					markQuestion()
					newSentence()
				}
				i = j
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		next := i + size
		var word bool
		var sep rune
		before := len(s.buf)
		if inTok {
			s.buf, word, sep = foldRune(s.buf, r)
		} else {
			tokStart = len(s.buf)
			s.buf, word, sep = foldRune(s.buf, r)
		}
		if word {
			if len(s.buf) == before {
				i = next // a mark that vanished
				continue
			}
			fr, _ := utf8.DecodeRune(s.buf[before:])
			srcEnd = next
			if !inTok {
				inTok = true
				srcStart = i
				hasLetter, hasDigit, allDigits = false, false, true
				last, run = 0, 0
				tokScript = scriptOther
			}
			isDigit := fr >= '0' && fr <= '9'
			if isDigit {
				hasDigit = true
			} else {
				if !hasLetter {
					tokScript = scriptOf(fr)
				}
				hasLetter = true
				allDigits = false
			}
			// Collapse letter elongation: a run of three or more of the
			// same letter becomes one ("downnnn", "مييييت"); doubles stay.
			if fr == last && !isDigit && len(s.buf)-before == utf8.RuneLen(fr) {
				run++
				switch {
				case run == 2:
					runStart = before
				case run == 3:
					s.buf = s.buf[:runStart]
				default:
					s.buf = s.buf[:before]
				}
			} else {
				last, run = fr, 1
			}
			i = next
			continue
		}
		s.buf = s.buf[:before]
		switch {
		case sep == '#' && !inTok:
			hashtag = true
		case isApostrophe(r):
			// English n't joins ("isn't" -> "isnt", "won't" -> "wont");
			// other apostrophes split ("c'est", "whatsapp'ta", "it's").
			if inTok && next < len(text) && (text[next] == 't' || text[next] == 'T') &&
				(next+1 == len(text) || !isWordByte(text[next+1])) && endsWithN(s.buf[tokStart:]) {
				i = next
				continue
			}
			// Apostrophes also quote app errors and mocked questions
			// ('Something went wrong', '¿se cayó insta?' no...): one at
			// the start of a word opens a quote, one at the end of a word
			// closes it.
			switch {
			case quote != 0 && singleQuote && (next == len(text) || !isWordByte(text[next])):
				closeQuote()
			case quote == 0 && !inTok && (i == 0 || !isWordByte(text[i-1])) && next < len(text) &&
				(isWordByte(text[next]) || strings.HasPrefix(text[next:], "¿") || strings.HasPrefix(text[next:], "¡")):
				openQuote()
				singleQuote = quote != 0
			default:
				endToken()
			}
		case sep == '_' && hashtag:
			endToken() // hashtags split on underscores and stay hashtags
		case sep == '¿':
			endToken()
			s.sentences[sentence].question = true
		case sep == '?' || sep == '؟':
			markQuestion()
			newSentence()
		case sep == '.' || sep == '!' || sep == '…' || sep == '\n' || sep == '¡' || sep == ';' || sep == '؛' || sep == '۔':
			if sep == '.' && next < len(text) && !isSpaceByte(text[next]) && isWordByte(text[next]) {
				endToken() // "icloud.com", "5.5": not a sentence end
				break
			}
			newSentence()
		case sep == ',' || sep == '،' || sep == ':' || sep == '(' || sep == ')' || sep == '-' && !inTok:
			endToken()
			if sep == ':' && len(s.toks) > 0 {
				s.toks[len(s.toks)-1].colon = true
			}
			clause++
		case sep == '"':
			if quote == 0 {
				openQuote()
			} else {
				closeQuote()
			}
		case sep == '“' && quote != 0 && !singleQuote:
			closeQuote() // German „…“
		case sep == '“' || sep == '«' || sep == '„' || sep == '「' || sep == '『':
			openQuote()
		case sep == '”' || sep == '»' || sep == '」' || sep == '』':
			if quote == 0 && sep == '”' {
				openQuote() // some keyboards only produce the closing form
			} else {
				closeQuote()
			}
		default:
			endToken()
		}
		if isSpace(r) {
			hashtag = false
			if r == '\n' {
				newSentence()
			}
		}
		i = next
	}
	endToken()
	if quote != 0 {
		if singleQuote {
			// An apostrophe that never closed was an elision ('cause,
			// 'sto), not a quote.
			for i := s.quotes[quote-1].firstToken; i < len(s.toks); i++ {
				s.toks[i].quote = 0
			}
			s.quotes = s.quotes[:quote-1]
		} else {
			s.quotes[quote-1].lastToken = len(s.toks)
		}
	}
	// Drop a trailing empty sentence record.
	if n := len(s.sentences); n > 1 && (len(s.toks) == 0 || s.toks[len(s.toks)-1].sentence < n-1) {
		s.sentences = s.sentences[:n-1]
	}
}

func endsWithN(b []byte) bool { return len(b) > 0 && b[len(b)-1] == 'n' }

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// isWordByte is a cheap test on the byte after a mark: ASCII letters and
// digits, or the start of a multi-byte rune (most of which are letters).
func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0xC0
}

func scriptOf(r rune) script {
	switch {
	case r < 0x80:
		if r >= 'a' && r <= 'z' {
			return scriptLatin
		}
		return scriptOther
	case r >= 0x0600 && r <= 0x06FF, r >= 0x0750 && r <= 0x077F:
		return scriptArabic
	case r >= 0x0900 && r <= 0x097F:
		return scriptDevanagari
	case unicode.Is(unicode.Latin, r):
		return scriptLatin
	}
	return scriptOther
}

// Arabic clitics. A token such as "والانستا" or "بالواتس" carries a
// conjunction, a preposition and the article glued to the word; matching
// tries the bare forms too.
var (
	arConj    = []string{"و", "ف"}
	arPrep    = []string{"ب", "ل", "ك", "ع"}
	arArticle = "ال"
)

// arabicStems appends to dst the forms of w with leading clitics removed,
// longest first removed last, never leaving fewer than two letters.
func arabicStems(dst [][]byte, w []byte) [][]byte {
	// Only this word's own forms are compared: dst holds the forms of the
	// words before it too ("ما" earlier in the post must not hide the ما of
	// "وما").
	base := len(dst)
	// "لل" is ل + ال with the alef dropped.
	add := func(b []byte) {
		if utf8.RuneCount(b) < 2 || string(b) == string(w) {
			return
		}
		for _, d := range dst[base:] {
			if string(d) == string(b) {
				return
			}
		}
		dst = append(dst, b)
	}
	stripArticle := func(b []byte) {
		if len(b) > len(arArticle) && string(b[:len(arArticle)]) == arArticle {
			add(b[len(arArticle):])
		}
		if len(b) > 2*len("ل") && string(b[:len("لل")]) == "لل" {
			add(b[len("لل"):])
		}
	}
	stripPrep := func(b []byte) {
		for _, p := range arPrep {
			if len(b) > len(p) && string(b[:len(p)]) == p {
				rest := b[len(p):]
				add(rest)
				stripArticle(rest)
			}
		}
	}
	stripArticle(w)
	stripPrep(w)
	for _, c := range arConj {
		if len(w) > len(c) && string(w[:len(c)]) == c {
			rest := w[len(c):]
			add(rest)
			stripArticle(rest)
			stripPrep(rest)
		}
	}
	return dst
}

// Negation circumfixes of Egyptian, Levantine and Maghrebi Arabic: ما or
// م before the verb and ش after it, written as one word ("مبيشتغلش",
// "مايخدمش") or with ما apart ("ما يخدمش"), and their Arabizi spellings
// ("mabyeshta8alsh", "ma y5demch").
var (
	arNegPrefixes = []string{"ما", "م"}
	arNegSuffix   = "ش"
	latNegSuffix  = []string{"sh", "ch"}
	// After the negation, the verb may carry the progressive b- or k(a)-.
	latVerbPrefixes = []string{"b", "bi", "be", "ka", "k"}
)

// negatedStems appends to dst the bare verbs of w when w is a verb inside a
// negation circumfix, and reports whether it is one.
func negatedStems(dst [][]byte, w []byte, sc script, mixed bool) ([][]byte, bool) {
	switch sc {
	case scriptArabic:
		if !strings.HasSuffix(string(w), arNegSuffix) || utf8.RuneCount(w) < 4 {
			return dst, false
		}
		stem := w[:len(w)-len(arNegSuffix)]
		for _, p := range arNegPrefixes {
			if strings.HasPrefix(string(stem), p) && utf8.RuneCount(stem)-utf8.RuneCountInString(p) >= 3 {
				stem = stem[len(p):]
				break
			}
		}
		if utf8.RuneCount(stem) < 3 {
			return dst, false
		}
		dst = append(dst, stem)
		return arabicStems(dst, stem), true
	case scriptLatin:
		suffix := ""
		for _, sfx := range latNegSuffix {
			if strings.HasSuffix(string(w), sfx) {
				suffix = sfx
			}
		}
		if suffix == "" {
			return dst, false
		}
		stem := w[:len(w)-len(suffix)]
		switch {
		case len(w) >= 7 && strings.HasPrefix(string(stem), "ma"):
			stem = stem[2:]
		case !mixed:
			// Without the ma- prefix only an Arabizi verb with digits
			// ("y5demch") is trusted: "crash", "watch" are English.
			return dst, false
		}
		if len(stem) < 4 {
			return dst, false
		}
		dst = append(dst, stem)
		for _, p := range latVerbPrefixes {
			if len(stem)-len(p) >= 4 && strings.HasPrefix(string(stem), p) {
				dst = append(dst, stem[len(p):])
			}
		}
		return dst, true
	}
	return dst, false
}

// normalizePhrase folds a phrase from a data file into its tokens, using
// the same rules as posts.
func normalizePhrase(p string) []string {
	var s scratch
	tokenize(&s, p)
	out := make([]string, len(s.toks))
	for i := range s.toks {
		out[i] = s.text(i)
	}
	return out
}

// Normalize returns text as the classifier sees it: folded tokens joined by
// single spaces. Analysts can use it to see why a phrase did or did not
// match.
func Normalize(text string) string {
	var s scratch
	tokenize(&s, text)
	var b strings.Builder
	for i := range s.toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		if s.toks[i].hashtag {
			b.WriteByte('#')
		}
		b.Write(s.bytes(i))
	}
	return b.String()
}
