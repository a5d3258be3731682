package backtest_test

import (
	"sync"
	"testing"

	"github.com/seismo-dev/seismo/classify"
)

var (
	clsOnce sync.Once
	clsErr  error
	sharedC *classify.Classifier
)

// testClassifier builds the real classifier once per test binary: building
// language models takes a while and they are read-only afterwards.
func testClassifier(t *testing.T) *classify.Classifier {
	t.Helper()
	clsOnce.Do(func() { sharedC, clsErr = classify.New(classify.Config{}) })
	if clsErr != nil {
		t.Fatal(clsErr)
	}
	return sharedC
}
