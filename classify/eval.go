package classify

import (
	"bufio"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/seismo-dev/seismo"
)

// Language returns the language of a post as the full identification sees
// it (hint, script, romanised cues, lexicon votes, lingua), even for a post
// that names no service, which Classify answers without identification.
func (c *Classifier) Language(p *seismo.Post) string {
	a := c.pool.Get().(*analysis)
	defer c.pool.Put(a)
	a.reset()
	c.scan(a, p)
	c.matchEvery(a)
	addVotes(&a.votes, c.lx, a.matches)
	lang, _ := c.language(p, a)
	return lang
}

// Labelled is one post of an evaluation set, in the format of the project's
// labelled data: the text and what a careful reader says of it.
type Labelled struct {
	ID        string          `json:"id"`
	Text      string          `json:"text"`
	Lang      string          `json:"lang"`
	Script    string          `json:"script,omitempty"` // "latin" for romanised Arabic and Hindi
	Complaint bool            `json:"complaint"`
	Services  []string        `json:"services"`
	Problem   *seismo.Problem `json:"problem"`
	Recovery  bool            `json:"recovery"`
}

// Splits of the labelled corpus (classify/testdata/corpus): a post's split
// follows from its id alone, so it was fixed before anything was trained
// or tuned, and adding posts moves none.
const (
	SplitTrain = "train"
	SplitTune  = "tune"
	// SplitTest is frozen: nothing is trained or tuned on it, and its
	// misses are not read to fix them.
	SplitTest = "test"
)

// SplitOf returns the split of the post with this id: the FNV-1a 32-bit hash
// of the id modulo 5 is 0 for test, 1 for tune, and 2 to 4 for train.
func SplitOf(id string) string {
	h := fnv.New32a()
	h.Write([]byte(id))
	switch h.Sum32() % 5 {
	case 0:
		return SplitTest
	case 1:
		return SplitTune
	}
	return SplitTrain
}

// CheckSplit reports an error unless split names a split: SplitTrain,
// SplitTune or SplitTest.
func CheckSplit(split string) error {
	switch split {
	case SplitTrain, SplitTune, SplitTest:
		return nil
	}
	return fmt.Errorf("split %q: want %s, %s or %s", split, SplitTrain, SplitTune, SplitTest)
}

// OfSplit returns the posts of set in one split, in their order.
func OfSplit(set []Labelled, split string) []Labelled {
	var out []Labelled
	for _, l := range set {
		if SplitOf(l.ID) == split {
			out = append(out, l)
		}
	}
	return out
}

// ReadLabelled reads JSON lines of labelled posts.
func ReadLabelled(r io.Reader) ([]Labelled, error) {
	var out []Labelled
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var l Labelled
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if l.Text == "" {
			return nil, fmt.Errorf("line %d: no text", n)
		}
		out = append(out, l)
	}
	return out, sc.Err()
}

// Scores are the measures of one language (or of all).
type Scores struct {
	Posts int
	// Complaint detection.
	TP, FP, FN int
	// Among true-positive complaints: services exactly right, problem right.
	ServicesOK, ProblemOK int
	// Recovery detection.
	RecTP, RecFP, RecFN int
	// Language identification on posts in their native script (no
	// "script":"latin"), with the full identification.
	NativePosts, LangOK int
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func f1(tp, fp, fn int) float64 {
	p, r := ratio(tp, tp+fp), ratio(tp, tp+fn)
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// Precision, Recall and F1 of complaint detection.
func (s *Scores) Precision() float64 { return ratio(s.TP, s.TP+s.FP) }

// Recall of complaint detection.
func (s *Scores) Recall() float64 { return ratio(s.TP, s.TP+s.FN) }

// F1 of complaint detection.
func (s *Scores) F1() float64 { return f1(s.TP, s.FP, s.FN) }

// ServiceAccuracy is the share of detected true complaints whose services
// are exactly the labelled set.
func (s *Scores) ServiceAccuracy() float64 { return ratio(s.ServicesOK, s.TP) }

// ProblemAccuracy is the share of detected true complaints with the
// labelled problem type.
func (s *Scores) ProblemAccuracy() float64 { return ratio(s.ProblemOK, s.TP) }

// RecoveryF1 is the F1 of recovery detection.
func (s *Scores) RecoveryF1() float64 { return f1(s.RecTP, s.RecFP, s.RecFN) }

// LangAccuracy is the language accuracy on native-script posts.
func (s *Scores) LangAccuracy() float64 { return ratio(s.LangOK, s.NativePosts) }

// Miss is one post the classifier got wrong, for an analyst to read.
type Miss struct {
	Post   Labelled
	Signal seismo.Signal
	Lang   string
	What   string
}

// Report is the result of an evaluation.
type Report struct {
	ByLang map[string]*Scores
	All    Scores
	Misses []Miss
	// Per tenth of confidence: verdicts given, verdicts right (complaint,
	// recovery or neither as labelled), and their summed confidence.
	confN, confRight, confSum [10]float64
}

// CalibrationError is the expected calibration error of the signals'
// confidence: how far, weighted by verdicts, the share of right verdicts in
// each tenth of confidence is from the confidence stated.
func (r *Report) CalibrationError() float64 {
	var n, e float64
	for k := range r.confN {
		n += r.confN[k]
		e += math.Abs(r.confRight[k] - r.confSum[k])
	}
	if n == 0 {
		return 0
	}
	return e / n
}

// Evaluate classifies every labelled post (without its language label as a
// hint, as a stream would mostly see them) and scores the verdicts.
func Evaluate(c *Classifier, set []Labelled) *Report {
	r := &Report{ByLang: map[string]*Scores{}}
	for _, l := range set {
		s := r.ByLang[l.Lang]
		if s == nil {
			s = &Scores{}
			r.ByLang[l.Lang] = s
		}
		p := seismo.Post{ID: l.ID, Text: l.Text}
		sig := c.Classify(&p)
		lang := ""
		if l.Script != "latin" {
			lang = c.Language(&p)
		}
		bin := min(max(int(sig.Confidence*10), 0), 9)
		r.confN[bin]++
		r.confSum[bin] += sig.Confidence
		if l.Complaint == sig.Complaint && l.Recovery == sig.Recovery {
			r.confRight[bin]++
		}
		var what []string
		for _, sc := range []*Scores{s, &r.All} {
			sc.Posts++
			switch {
			case l.Complaint && sig.Complaint:
				sc.TP++
			case sig.Complaint:
				sc.FP++
			case l.Complaint:
				sc.FN++
			}
			if l.Complaint && sig.Complaint {
				if sameSet(l.Services, sig.Services) {
					sc.ServicesOK++
				}
				if l.Problem != nil && *l.Problem == sig.Problem {
					sc.ProblemOK++
				}
			}
			switch {
			case l.Recovery && sig.Recovery:
				sc.RecTP++
			case sig.Recovery:
				sc.RecFP++
			case l.Recovery:
				sc.RecFN++
			}
			if l.Script != "latin" {
				sc.NativePosts++
				if lang == l.Lang {
					sc.LangOK++
				}
			}
		}
		switch {
		case l.Complaint != sig.Complaint:
			what = append(what, fmt.Sprintf("complaint %v, want %v", sig.Complaint, l.Complaint))
		case l.Complaint && !sameSet(l.Services, sig.Services):
			what = append(what, fmt.Sprintf("services %v, want %v", sig.Services, l.Services))
		case l.Complaint && l.Problem != nil && *l.Problem != sig.Problem:
			what = append(what, fmt.Sprintf("problem %s, want %s", sig.Problem, *l.Problem))
		}
		if l.Recovery != sig.Recovery {
			what = append(what, fmt.Sprintf("recovery %v, want %v", sig.Recovery, l.Recovery))
		}
		if l.Script != "latin" && lang != l.Lang {
			what = append(what, fmt.Sprintf("language %q, want %s", lang, l.Lang))
		}
		if len(what) > 0 {
			r.Misses = append(r.Misses, Miss{Post: l, Signal: sig, Lang: lang, What: strings.Join(what, "; ")})
		}
	}
	return r
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

// WriteTable writes the per-language scores and the averages.
func (r *Report) WriteTable(w io.Writer) {
	langs := make([]string, 0, len(r.ByLang))
	for l := range r.ByLang {
		langs = append(langs, l)
	}
	sort.Slice(langs, func(i, j int) bool { return langOrder(langs[i]) < langOrder(langs[j]) })
	fmt.Fprintf(w, "%-5s %5s  %9s %6s %5s  %8s %8s  %7s  %8s\n",
		"lang", "posts", "precision", "recall", "F1", "services", "problem", "recov F1", "language")
	row := func(name string, s *Scores) {
		fmt.Fprintf(w, "%-5s %5d  %9.3f %6.3f %5.3f  %8.3f %8.3f  %7.3f  %8.3f\n", name, s.Posts,
			s.Precision(), s.Recall(), s.F1(), s.ServiceAccuracy(), s.ProblemAccuracy(), s.RecoveryF1(), s.LangAccuracy())
	}
	var sumF1 float64
	minF1 := 1.0
	for _, l := range langs {
		s := r.ByLang[l]
		row(l, s)
		sumF1 += s.F1()
		minF1 = min(minF1, s.F1())
	}
	row("all", &r.All)
	if len(langs) > 0 {
		fmt.Fprintf(w, "complaint F1 averaged over %d languages %.3f, lowest %.3f\n", len(langs), sumF1/float64(len(langs)), minF1)
		fmt.Fprintf(w, "confidence calibration error %.3f\n", r.CalibrationError())
	}
}

// WriteMisses lists every post with a mistake, what was wrong and the
// cues the classifier found.
func (r *Report) WriteMisses(w io.Writer) {
	fmt.Fprintf(w, "%d posts with a mistake:\n", len(r.Misses))
	for _, m := range r.Misses {
		fmt.Fprintf(w, "%s [%s] %s\n    %s\n    cues:", m.Post.ID, m.Post.Lang, m.Post.Text, m.What)
		for _, c := range m.Signal.Cues {
			fmt.Fprintf(w, " %s:%q", c.Kind, c.Match)
		}
		fmt.Fprintln(w)
	}
}

func langOrder(l string) int {
	if i := slices.Index(DefaultLanguages, l); i >= 0 {
		return i
	}
	return len(DefaultLanguages)
}
