package classify_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/classify"
)

func TestEvaluate(t *testing.T) {
	set, err := classify.ReadLabelled(strings.NewReader(`
{"id":"1","text":"is WhatsApp down? my messages won't send","lang":"en","complaint":true,"services":["whatsapp"],"problem":"messages","recovery":false}
{"id":"2","text":"I'm down for pizza tonight","lang":"en","complaint":false,"services":[],"problem":null,"recovery":false}
{"id":"3","text":"whatsapp is back, finally","lang":"en","complaint":false,"services":["whatsapp"],"problem":null,"recovery":true}
{"id":"4","text":"good morning everyone","lang":"en","complaint":true,"services":["instagram"],"problem":"feed","recovery":false}
{"id":"5","text":"el whats no funciona","lang":"es","script":"latin","complaint":true,"services":["whatsapp"],"problem":"total_outage","recovery":false}
`))
	if err != nil {
		t.Fatal(err)
	}
	rep := classify.Evaluate(testClassifier(t), set)
	en := rep.ByLang["en"]
	// Post 4 is labelled wrongly on purpose: a complaint nobody can find.
	if en.Posts != 4 || en.TP != 1 || en.FP != 0 || en.FN != 1 {
		t.Fatalf("en = %+v, want 1 true positive, 1 missed", en)
	}
	if got := en.F1(); got < 0.666 || got > 0.667 {
		t.Errorf("F1 = %v, want 2/3", got)
	}
	if en.ServiceAccuracy() != 1 || en.ProblemAccuracy() != 1 || en.RecoveryF1() != 1 {
		t.Errorf("en services %v problem %v recovery %v", en.ServiceAccuracy(), en.ProblemAccuracy(), en.RecoveryF1())
	}
	if rep.All.Posts != 5 || rep.ByLang["es"].NativePosts != 0 {
		t.Errorf("all = %+v; a script:latin post must not count for language accuracy", rep.All)
	}
	if len(rep.Misses) != 1 || rep.Misses[0].Post.ID != "4" {
		t.Errorf("misses = %+v, want post 4 only", rep.Misses)
	}
	var b strings.Builder
	rep.WriteTable(&b)
	for _, want := range []string{"lang  posts", "\nen ", "\nall ", "averaged over 2 languages"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

func TestLanguageRunsOnChatter(t *testing.T) {
	c := testClassifier(t)
	for text, want := range map[string]string{
		"صباح الخير يا جماعة":                    "ar",
		"buongiorno a tutti, chi viene stasera?": "it",
		"आज मौसम बहुत अच्छा है":                  "hi",
	} {
		p := seismo.Post{ID: "t", Text: text}
		if got := c.Language(&p); got != want {
			t.Errorf("Language(%q) = %q, want %s", text, got, want)
		}
	}
}

func TestReadLabelledErrors(t *testing.T) {
	for _, in := range []string{`{"id":"1"`, `{"id":"1","text":""}`} {
		if _, err := classify.ReadLabelled(strings.NewReader(in)); err == nil {
			t.Errorf("ReadLabelled(%q) = nil error", in)
		}
	}
}

// A split is named by one of three words, and a post's split by its id.
func TestSplits(t *testing.T) {
	for _, s := range []string{classify.SplitTrain, classify.SplitTune, classify.SplitTest} {
		if err := classify.CheckSplit(s); err != nil {
			t.Errorf("CheckSplit(%q) = %v", s, err)
		}
	}
	for _, s := range []string{"", "dev", "Test"} {
		if classify.CheckSplit(s) == nil {
			t.Errorf("CheckSplit(%q) accepted", s)
		}
	}
	var set []classify.Labelled
	for i := range 100 {
		set = append(set, classify.Labelled{ID: fmt.Sprintf("p-%d", i), Text: "x"})
	}
	n := 0
	for _, s := range []string{classify.SplitTrain, classify.SplitTune, classify.SplitTest} {
		for _, l := range classify.OfSplit(set, s) {
			if classify.SplitOf(l.ID) != s {
				t.Errorf("OfSplit(%s) holds %s of split %s", s, l.ID, classify.SplitOf(l.ID))
			}
			n++
		}
	}
	if n != len(set) {
		t.Errorf("the three splits hold %d of %d posts", n, len(set))
	}
}
