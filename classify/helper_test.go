package classify_test

import (
	"slices"
	"sync"
	"testing"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/classify"
)

// The default classifier is built once per test binary: building lingua's
// models dominates the cost of New.
var (
	sharedOnce sync.Once
	shared     *classify.Classifier
	sharedErr  error
)

func testClassifier(tb testing.TB) *classify.Classifier {
	tb.Helper()
	sharedOnce.Do(func() {
		shared, sharedErr = classify.New(classify.Config{})
	})
	if sharedErr != nil {
		tb.Fatalf("classify.New: %v", sharedErr)
	}
	return shared
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
