package classify_test

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/seismo-dev/seismo"
)

// A labelled evaluation set is not part of the repository. Point the test
// at one to get per-language precision and recall:
//
//	go test ./classify -run TestLabelledSet -labelled=path/to/posts.jsonl -v
//
// Each line is {"id","text","lang","complaint","services","problem","recovery"}.
var (
	labelledPath = flag.String("labelled", "", "JSON lines of labelled posts to evaluate against")
	labelledHint = flag.Bool("labelled-hint", false, "pass each post's lang label to the classifier as its hint")
	labelledShow = flag.String("labelled-show", "", "print misclassified posts of this language (or all)")
)

type labelled struct {
	ID        string   `json:"id"`
	Text      string   `json:"text"`
	Lang      string   `json:"lang"`
	Complaint bool     `json:"complaint"`
	Services  []string `json:"services"`
	Problem   *string  `json:"problem"`
	Recovery  bool     `json:"recovery"`
}

type tally struct{ tp, fp, fn, tn, svcOK, probOK, recTP, recFP, recFN, langOK, n, named, namedLangOK int }

func TestLabelledSet(t *testing.T) {
	if *labelledPath == "" {
		t.Skip("no -labelled file given")
	}
	f, err := os.Open(*labelledPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := testClassifier(t)
	per := map[string]*tally{}
	all := &tally{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r labelled
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		p := seismo.Post{ID: r.ID, Text: r.Text}
		if *labelledHint {
			p.Lang = r.Lang
		}
		sig := c.Classify(&p)
		tl := per[r.Lang]
		if tl == nil {
			tl = &tally{}
			per[r.Lang] = tl
		}
		bad := false
		for _, x := range []*tally{tl, all} {
			x.n++
			if sig.Lang == r.Lang {
				x.langOK++
			}
			if len(sig.Services) > 0 {
				x.named++
				if sig.Lang == r.Lang {
					x.namedLangOK++
				}
			}
			switch {
			case r.Complaint && sig.Complaint:
				x.tp++
				if sameSet(r.Services, sig.Services) {
					x.svcOK++
				}
				if r.Problem != nil && *r.Problem == sig.Problem {
					x.probOK++
				}
			case !r.Complaint && sig.Complaint:
				x.fp++
			case r.Complaint && !sig.Complaint:
				x.fn++
			default:
				x.tn++
			}
			switch {
			case r.Recovery && sig.Recovery:
				x.recTP++
			case !r.Recovery && sig.Recovery:
				x.recFP++
			case r.Recovery && !sig.Recovery:
				x.recFN++
			}
		}
		if r.Complaint != sig.Complaint || r.Recovery != sig.Recovery ||
			(r.Complaint || r.Recovery) && !sameSet(r.Services, sig.Services) ||
			r.Complaint && sig.Complaint && r.Problem != nil && *r.Problem != sig.Problem {
			bad = true
		}
		if bad && (*labelledShow == "all" || *labelledShow == r.Lang) {
			want := fmt.Sprintf("c=%v r=%v %v %v", r.Complaint, r.Recovery, r.Services, deref(r.Problem))
			got := fmt.Sprintf("c=%v r=%v %v %v", sig.Complaint, sig.Recovery, sig.Services, sig.Problem)
			var cues []string
			for _, cu := range sig.Cues {
				cues = append(cues, cu.Kind+":"+cu.Match+"="+cu.Value)
			}
			t.Logf("%s [%s→%s]\n  want %s\n  got  %s\n  %s\n  cues %s", r.ID, r.Lang, sig.Lang, want, got, r.Text, strings.Join(cues, " | "))
		}
	}
	langs := make([]string, 0, len(per))
	for l := range per {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	t.Logf("lang  n   complaint P    R     F1  | services problem | recovery P   R   | lang-id all named")
	for _, l := range append(langs, "all") {
		x := all
		if l != "all" {
			x = per[l]
		}
		p := ratio(x.tp, x.tp+x.fp)
		r := ratio(x.tp, x.tp+x.fn)
		f1 := 0.0
		if p+r > 0 {
			f1 = 2 * p * r / (p + r)
		}
		t.Logf("%-4s %3d  %5.2f %5.2f %5.2f  |  %5.2f   %5.2f  |  %5.2f %5.2f  | %5.2f %5.2f",
			l, x.n, p, r, f1, ratio(x.svcOK, x.tp), ratio(x.probOK, x.tp),
			ratio(x.recTP, x.recTP+x.recFP), ratio(x.recTP, x.recTP+x.recFN), ratio(x.langOK, x.n),
			ratio(x.namedLangOK, x.named))
	}
}

func deref(s *string) string {
	if s == nil {
		return "null"
	}
	return *s
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func sameSet(a, b []string) bool {
	x := slices.Clone(a)
	y := slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}
