package classify_test

import (
	"slices"
	"sync"
	"testing"

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
