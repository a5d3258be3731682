package classify

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/seismo-dev/seismo"
)

// The learned stage. The lexicons find what a post names and which
// phrases it uses; a linear model then weighs those cues together with
// hashed word and character n-grams of the text, which catch what no
// phrase list holds: symptoms told in the writer's own words, idioms,
// channels and adverts. It runs only on posts that reach the lexicon's
// full analysis, so the firehose fast path does not change.

//go:embed model.bin
var defaultModel []byte

// Hashed feature space: one row per bucket. The complaint and recovery
// heads share a table; the problem head, trained on complaints only, has
// fewer buckets and one weight per problem type.
const (
	modelBits   = 18
	problemBits = 16
	// featureVersion names the features extracted below. A model file
	// trained on other features is refused rather than misread.
	featureVersion = 1
	// maxModelTokens bounds the tokens the model reads per post.
	maxModelTokens = 96
	// maxGramBytes bounds a token's bytes used for character n-grams.
	maxGramBytes = 40
)

// problemOrder is the order of the problem head's outputs in a model file.
var problemOrder = []seismo.Problem{
	seismo.ProblemMessages, seismo.ProblemConnection, seismo.ProblemLogin, seismo.ProblemAppCrash,
	seismo.ProblemServerError, seismo.ProblemCalls, seismo.ProblemMedia, seismo.ProblemFeed,
	seismo.ProblemNotifications, seismo.ProblemPayments, seismo.ProblemTotalOutage,
}

const numProblems = 11

// model is a trained learned stage.
type model struct {
	bin  []float32 // 2 per bucket: complaint, recovery
	prob []float32 // numProblems per bucket
	// Platt calibration of the complaint and recovery heads: the
	// probability is σ(a·z + b) of the raw score z.
	cal [2][2]float64
}

// Heads of the binary table.
const (
	headComplaint = 0
	headRecovery  = 1
)

func newModel() *model {
	return &model{
		bin:  make([]float32, 2<<modelBits),
		prob: make([]float32, numProblems<<problemBits),
		cal:  [2][2]float64{{1, 0}, {1, 0}},
	}
}

// scores returns the raw complaint and recovery scores of a post's features.
func (m *model) scores(feats []uint32) (zc, zr float64) {
	var c, r float32
	for _, f := range feats {
		b := 2 * (f & (1<<modelBits - 1))
		c += m.bin[b]
		r += m.bin[b+1]
	}
	s := featureScale(len(feats))
	return float64(c) * s, float64(r) * s
}

// problemScores adds the problem head's raw scores to out.
func (m *model) problemScores(feats []uint32, out *[numProblems]float64) {
	var acc [numProblems]float32
	for _, f := range feats {
		row := m.prob[numProblems*int(f&(1<<problemBits-1)):][:numProblems]
		for k, w := range row {
			acc[k] += w
		}
	}
	s := featureScale(len(feats))
	for k := range acc {
		out[k] = float64(acc[k]) * s
	}
}

// featureScale normalises a post's feature vector to unit length, so a long
// post does not outvote a short one by its length alone.
func featureScale(n int) float64 {
	if n == 0 {
		return 0
	}
	return 1 / math.Sqrt(float64(n))
}

func (m *model) prob1(head int, z float64) float64 {
	return sigmoid(m.cal[head][0]*z + m.cal[head][1])
}

func sigmoid(z float64) float64 {
	return 1 / (1 + math.Exp(-z))
}

// applyModel revises the lexicon's verdict with the learned stage: the
// calibrated probability that the post complains or tells of a recovery
// decides, the lexicon's attribution names the services when it found
// any (otherwise every service named), and the problem head picks the
// symptom.
func (c *Classifier) applyModel(a *analysis, v *verdict, lang string) {
	a.feats = c.features(a, v, lang, a.feats[:0])
	zc, zr := c.model.scores(a.feats)
	pc, pr := c.model.prob1(headComplaint, zc), c.model.prob1(headRecovery, zr)
	var named []int
	if !v.complaint && pc >= 0.5 {
		named = c.complained(a, v)
	}
	v.learned = true
	switch {
	case v.complaint && pr >= 0.5 && pr > pc:
		// The phrases read a complaint, the model a recovery: a mixed
		// post ("WhatsApp is back but Insta is still down") or an outage
		// that recurs ("down again"), never "works again". The phrases'
		// complaint stands, with no confidence either way.
		v.confidence = 0.5
	case pc >= 0.5 && (pc >= pr || v.complaint) && (v.complaint || len(named) > 0):
		if !v.complaint {
			v.services = named
		}
		v.complaint, v.recovery = true, false
		var ps [numProblems]float64
		c.model.problemScores(a.feats, &ps)
		best := 0
		for k := range ps {
			if ps[k] > ps[best] {
				best = k
			}
		}
		if p := problemOrder[best]; p != v.problem {
			v.problem, v.problemCue = p, -1
		}
		v.confidence = pc
	case pr >= 0.5 && !v.complaint && len(v.mentioned) > 0:
		if !v.recovery {
			v.services = v.mentioned
		}
		v.complaint, v.recovery = false, true
		v.problem, v.problemCue = "", -1
		v.confidence = pr
	default:
		v.complaint, v.recovery = false, false
		v.services = nil
		v.problem, v.problemCue = "", -1
		v.confidence = 1 - max(pc, pr)
	}
}

// complained names the services of a complaint the lexicon did not find:
// those it had found back (a post the model reads as a complaint), else
// the services named and not said to work, else every service named, else
// the ambiguous aliases no cue had confirmed.
func (c *Classifier) complained(a *analysis, v *verdict) []int {
	if len(v.services) > 0 {
		return v.services
	}
	out := a.services[:0] // reused: the verdict holds it only until rendered
	defer func() { a.services = out }()
	for i, an := range a.anchors {
		if an.kind != anchorService || i >= len(a.fine) {
			continue
		}
		svc := a.mentions[an.mention].svc
		if !contains(out, svc) && !a.serviceFine(svc) {
			out = append(out, svc)
		}
	}
	switch {
	case len(out) > 0:
		return out
	case len(v.mentioned) > 0:
		return v.mentioned
	}
	for _, m := range a.dropped {
		if !contains(out, m.svc) {
			out = append(out, m.svc)
		}
	}
	return out
}

// serviceFine reports whether any mention of the service is said to work.
func (a *analysis) serviceFine(svc int) bool {
	for i, an := range a.anchors {
		if an.kind == anchorService && i < len(a.fine) && a.fine[i] && a.mentions[an.mention].svc == svc {
			return true
		}
	}
	return false
}

// Feature namespaces: the first byte hashed for each family of features.
const (
	nsBias byte = iota + 1
	nsWord
	nsBigram
	nsGram
	nsCue
	nsCueValue
	nsCueFamily
	nsCueAnchor
	nsCueQuestion
	nsCueTold
	nsRule
	nsRuleScore
	nsRuleProblem
	nsMentions
	nsLang
	nsQuestion
	nsCuePair
)

// maxPairCues bounds the cues paired per post.
const maxPairCues = 16

const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

func hashByte(h uint32, b byte) uint32 { return (h ^ uint32(b)) * fnvPrime }

func hashBytes(h uint32, b []byte) uint32 {
	for _, x := range b {
		h = (h ^ uint32(x)) * fnvPrime
	}
	return h
}

func hashString(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * fnvPrime
	}
	return h
}

// mix32 scrambles a combination of two hashes (murmur3's finaliser).
func mix32(x uint32) uint32 {
	x ^= x >> 16
	x *= 0x85ebca6b
	x ^= x >> 13
	x *= 0xc2b2ae35
	x ^= x >> 16
	return x
}

// namedMark stands for every service name, so that what is learned about
// "X keeps buffering" holds for every service.
const namedMark = "\x00svc"

// features appends the hashed features of an analysed post to out.
func (c *Classifier) features(a *analysis, v *verdict, lang string, out []uint32) []uint32 {
	a.markNamed()
	out = append(out, hashByte(fnvOffset, nsBias))
	// Words, word pairs within a sentence, and character 3- to 5-grams of
	// each word that is not a service name.
	toks := a.s.toks
	n := min(len(toks), maxModelTokens)
	start := hashString(hashByte(fnvOffset, nsWord), "\x00^")
	prev, sentence := start, -1
	for i := 0; i < n; i++ {
		t := &toks[i]
		if t.sentence != sentence {
			prev, sentence = start, t.sentence
		}
		var w uint32
		if a.named[i] {
			w = hashString(hashByte(fnvOffset, nsWord), namedMark)
		} else {
			gram := a.gram[:0]
			gram = append(gram, ' ')
			for _, b := range a.s.bytes(i) {
				if '0' <= b && b <= '9' {
					b = '0'
				}
				gram = append(gram, b)
			}
			gram = append(gram, ' ')
			a.gram = gram
			w = hashBytes(hashByte(fnvOffset, nsWord), gram[1:len(gram)-1])
			out = appendGrams(out, gram, a)
		}
		out = append(out, w, mix32(prev*0x9e3779b1+w+uint32(nsBigram)))
		prev = w
	}
	a.nText = len(out)
	// The lexicon's cues: what each says, whether it was cancelled and
	// why, what it is about, and whether its sentence asks or tells of the
	// past.
	for ci := range a.cues {
		cu := &a.cues[ci]
		if cu.kind == kOr {
			// Structure for asksToo only: the model was trained without it.
			continue
		}
		k := byte(cu.kind)
		if cu.cancelled {
			k |= 0x80
		}
		out = append(out, hashByte(hashByte(fnvOffset, nsCue), k))
		if cu.value != "" {
			out = append(out, hashString(hashByte(hashByte(fnvOffset, nsCueValue), k), cu.value))
		}
		if cu.family != "" {
			out = append(out, hashString(hashByte(hashByte(fnvOffset, nsCueFamily), k), cu.family))
		}
		if cu.anchor >= 0 && cu.anchor < len(a.anchors) {
			out = append(out, hashByte(hashByte(hashByte(fnvOffset, nsCueAnchor), k), byte(a.anchors[cu.anchor].kind)))
		}
		if cu.sentence < len(a.s.sentences) {
			if a.s.sentences[cu.sentence].question {
				out = append(out, hashByte(hashByte(fnvOffset, nsCueQuestion), k))
			}
			if cu.sentence < len(a.told) && a.told[cu.sentence] != 0 {
				out = append(out, hashByte(hashByte(hashByte(fnvOffset, nsCueTold), k), a.told[cu.sentence]))
			}
		}
	}
	// Pairs of cues of one sentence, in order: "down" then "again" is
	// an outage that recurs, "again" then "works" a recovery.
	for i := 0; i < len(a.cues) && i < maxPairCues; i++ {
		x := &a.cues[i]
		if x.cancelled {
			continue
		}
		for j := i + 1; j < len(a.cues) && j < maxPairCues; j++ {
			y := &a.cues[j]
			if y.cancelled || y.sentence != x.sentence {
				continue
			}
			first, second := x, y
			if y.start < x.start {
				first, second = y, x
			}
			out = append(out, hashByte(hashByte(hashByte(fnvOffset, nsCuePair), byte(first.kind)), byte(second.kind)))
		}
	}
	// The lexicon's verdict and its strength.
	rule := byte(0)
	switch {
	case v.complaint:
		rule = 1
	case v.recovery:
		rule = 2
	}
	out = append(out, hashByte(hashByte(fnvOffset, nsRule), rule))
	score := byte(min(max(int(v.score*4+0.5), 0), 8))
	out = append(out, hashByte(hashByte(hashByte(fnvOffset, nsRuleScore), rule), score))
	if v.complaint {
		out = append(out, hashString(hashByte(fnvOffset, nsRuleProblem), string(v.problem)))
	}
	tag, plain := byte(0), byte(0)
	for _, m := range a.mentions {
		if m.outageTag {
			tag = 1
		}
		if !m.ambiguous || m.hashtag {
			plain = 1
		}
	}
	out = append(out, hashByte(hashByte(hashByte(hashByte(fnvOffset, nsMentions), byte(min(len(v.mentioned), 3))), tag), plain))
	for _, s := range a.s.sentences {
		if s.question {
			out = append(out, hashByte(fnvOffset, nsQuestion))
			break
		}
	}
	out = append(out, hashString(hashByte(fnvOffset, nsLang), lang))
	return out
}

// appendGrams appends the hashes of the character 3- to 5-grams of a
// space-padded word.
func appendGrams(out []uint32, gram []byte, a *analysis) []uint32 {
	if len(gram) > maxGramBytes {
		gram = gram[:maxGramBytes]
	}
	// Rune starts, so a gram never splits a letter of Arabic or
	// Devanagari.
	starts := a.runeStarts[:0]
	for i, b := range gram {
		if b&0xC0 != 0x80 {
			starts = append(starts, i)
		}
	}
	starts = append(starts, len(gram))
	a.runeStarts = starts
	runes := len(starts) - 1
	for size := 3; size <= 5; size++ {
		for s := 0; s+size <= runes; s++ {
			h := hashByte(hashByte(fnvOffset, nsGram), byte(size))
			out = append(out, hashBytes(h, gram[starts[s]:starts[s+size]]))
		}
	}
	return out
}

// The model file: a header, then the two tables as int16 weights (a scale
// per table) of their non-zero rows only, gap-coded, all gzipped.
const modelMagic = "SEISMOLM"

func (m *model) marshal() ([]byte, error) {
	var raw bytes.Buffer
	raw.WriteString(modelMagic)
	hdr := []uint32{featureVersion, modelBits, problemBits, numProblems}
	for _, x := range hdr {
		binary.Write(&raw, binary.LittleEndian, x)
	}
	for _, p := range problemOrder {
		raw.WriteByte(byte(len(p)))
		raw.WriteString(string(p))
	}
	for _, row := range m.cal {
		binary.Write(&raw, binary.LittleEndian, row)
	}
	writeTable(&raw, m.bin, 2)
	writeTable(&raw, m.prob, numProblems)
	var out bytes.Buffer
	zw, err := gzip.NewWriterLevel(&out, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(raw.Bytes()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func writeTable(w *bytes.Buffer, t []float32, width int) {
	var maxAbs float32
	for _, x := range t {
		maxAbs = max(maxAbs, float32(math.Abs(float64(x))))
	}
	scale := maxAbs / math.MaxInt16
	if scale == 0 {
		scale = 1
	}
	binary.Write(w, binary.LittleEndian, scale)
	rows := len(t) / width
	var q []int16
	var buf [binary.MaxVarintLen64]byte
	last := -1
	for r := 0; r < rows; r++ {
		q = q[:0]
		zero := true
		for _, x := range t[r*width : (r+1)*width] {
			v := int16(math.Round(float64(x / scale)))
			q = append(q, v)
			zero = zero && v == 0
		}
		if zero {
			continue
		}
		w.Write(buf[:binary.PutUvarint(buf[:], uint64(r-last))])
		binary.Write(w, binary.LittleEndian, q)
		last = r
	}
	w.Write(buf[:binary.PutUvarint(buf[:], 0)]) // end of table
}

// check refuses weights or calibration that are not finite numbers: a
// NaN compares false with everything and would silently turn every
// complaint off.
func (m *model) check() error {
	for _, row := range m.cal {
		for _, x := range row {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("model: calibration %v is not finite", m.cal)
			}
		}
	}
	for _, t := range [][]float32{m.bin, m.prob} {
		for _, x := range t {
			if f := float64(x); math.IsNaN(f) || math.IsInf(f, 0) {
				return errors.New("model: a weight is not finite")
			}
		}
	}
	return nil
}

// parseModel reads a model file written by marshal.
func parseModel(data []byte) (*model, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	raw, err := io.ReadAll(io.LimitReader(zr, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	r := bytes.NewReader(raw)
	magic := make([]byte, len(modelMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != modelMagic {
		return nil, errors.New("model: not a seismo model file")
	}
	var hdr [4]uint32
	if err := binary.Read(r, binary.LittleEndian, &hdr); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	if hdr != [4]uint32{featureVersion, modelBits, problemBits, numProblems} {
		return nil, fmt.Errorf("model: trained on features %d (%d/%d bits, %d problems), this build reads %d (%d/%d, %d): train it again",
			hdr[0], hdr[1], hdr[2], hdr[3], featureVersion, modelBits, problemBits, numProblems)
	}
	for _, p := range problemOrder {
		n, err := r.ReadByte()
		if err != nil {
			return nil, fmt.Errorf("model: %w", err)
		}
		name := make([]byte, n)
		if _, err := io.ReadFull(r, name); err != nil || string(name) != string(p) {
			return nil, fmt.Errorf("model: problem types differ from this build's (%q, want %q)", name, p)
		}
	}
	m := newModel()
	for i := range m.cal {
		if err := binary.Read(r, binary.LittleEndian, &m.cal[i]); err != nil {
			return nil, fmt.Errorf("model: %w", err)
		}
	}
	if err := readTable(r, m.bin, 2); err != nil {
		return nil, err
	}
	if err := readTable(r, m.prob, numProblems); err != nil {
		return nil, err
	}
	if r.Len() != 0 {
		return nil, fmt.Errorf("model: %d bytes after the tables", r.Len())
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	return m, nil
}

func readTable(r *bytes.Reader, t []float32, width int) error {
	var scale float32
	if err := binary.Read(r, binary.LittleEndian, &scale); err != nil {
		return fmt.Errorf("model: %w", err)
	}
	if f := float64(scale); math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return fmt.Errorf("model: table scale %v", scale)
	}
	q := make([]int16, width)
	row := -1
	for {
		gap, err := binary.ReadUvarint(r)
		if err != nil {
			return fmt.Errorf("model: %w", err)
		}
		if gap == 0 {
			return nil
		}
		if gap > uint64(len(t)/width) || row+int(gap) >= len(t)/width {
			return errors.New("model: row out of range")
		}
		row += int(gap)
		if err := binary.Read(r, binary.LittleEndian, q); err != nil {
			return fmt.Errorf("model: %w", err)
		}
		for k, v := range q {
			t[row*width+k] = float32(v) * scale
		}
	}
}
