package classify_test

import (
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/classify"
)

// The classifiers are built once per test binary: building lingua's models
// dominates the cost of New.
var (
	rulesOnce, learnedOnce sync.Once
	rules, learned         *classify.Classifier
	rulesErr, learnedErr   error
)

// testClassifier is the lexicon stage alone: the tests of phrases, families
// and attribution pin what the lexicons do, which the learned stage then
// weighs (and is judged on labelled corpora, not on these sentences).
func testClassifier(tb testing.TB) *classify.Classifier {
	tb.Helper()
	rulesOnce.Do(func() {
		rules, rulesErr = classify.New(classify.Config{RulesOnly: true})
	})
	if rulesErr != nil {
		tb.Fatalf("classify.New: %v", rulesErr)
	}
	return rules
}

// learnedClassifier is the default classifier: lexicons and learned stage.
func learnedClassifier(tb testing.TB) *classify.Classifier {
	tb.Helper()
	learnedOnce.Do(func() {
		learned, learnedErr = classify.New(classify.Config{})
	})
	if learnedErr != nil {
		tb.Fatalf("classify.New: %v", learnedErr)
	}
	return learned
}

// sameSet compares service lists as sets.
func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// familyCase is one sentence of an expression family of a lexicon and the
// verdict expected for it. The sentences are written for these tests; each
// stands for a family of phrasings, not for itself.
type familyCase struct {
	family    string
	text      string
	complaint bool
	recovery  bool
	services  []string // the services broken or back; not checked for a negative
	problem   seismo.Problem
}

// runFamilies classifies each case with its language as hint, so that
// the test is about the lexicon's families rather than about language
// identification.
func runFamilies(t *testing.T, lang string, cases []familyCase) {
	t.Helper()
	c := testClassifier(t)
	for _, tc := range cases {
		t.Run(tc.family, func(t *testing.T) {
			sig := c.Classify(&seismo.Post{ID: "p1", Text: tc.text, Lang: lang})
			// A negative's signal still lists the services it names, so
			// only a complaint or a recovery has its services checked.
			want := tc.services
			if !tc.complaint && !tc.recovery {
				want = sig.Services
			}
			if sig.Complaint != tc.complaint || sig.Recovery != tc.recovery ||
				!sameSet(sig.Services, want) || sig.Problem != tc.problem {
				t.Errorf("%q\n got  complaint=%v recovery=%v services=%v problem=%q\n want complaint=%v recovery=%v services=%v problem=%q\n cues %v",
					tc.text, sig.Complaint, sig.Recovery, sig.Services, sig.Problem,
					tc.complaint, tc.recovery, want, tc.problem, sig.Cues)
			}
		})
	}
}

// svc lists service ids, for readable case tables.
func svc(ids ...string) []string { return ids }

// readLabelledFile reads one file of labelled posts.
func readLabelledFile(tb testing.TB, name string) []classify.Labelled {
	tb.Helper()
	in, err := os.Open(name)
	if err != nil {
		tb.Fatal(err)
	}
	defer in.Close()
	set, err := classify.ReadLabelled(in)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return set
}
