package classify_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/seismo-dev/seismo"
)

// FuzzClassify feeds arbitrary bytes as post text and language hint. The
// classifier must not panic and every signal must keep its invariants:
// a problem only for complaints, never both complaint and recovery,
// services for every complaint or recovery, non-nil lists, confidence in
// [0, 1].
//
//	go test ./classify -run '^$' -fuzz FuzzClassify -fuzztime 60s
func FuzzClassify(f *testing.F) {
	for _, s := range []string{
		"", "whatsapp down", "#WhatsAppDown", "الواتس واقف عندكم؟", "व्हाट्सएप डाउन है क्या?",
		"el whats wa2ef", "insta down hai ya mera net??", `"is insta down?" no babe`,
		"whatsapp is back but insta is still down", "ｗｈａｔｓａｐｐ", "\xff\xfe", "wa", "x x x x",
		"whatsapp'ta sorun mu var", "\ufffd whatsapp down", `\ud800 whatsapp down`, "c'è solo a me?", "#واتساب_معطل", "@whatsapp https://x.com",
		strings.Repeat("whatsapp non va ", 200), "downnnnnnnnnnn", "٢٠٢١", "'''\"\"\"«»",
		strings.Repeat("whatsapp down ", 700), strings.Repeat(`"`, 3000), strings.Repeat("wa x ", 500),
	} {
		f.Add(s, "")
		f.Add(s, "it")
	}
	c := learnedClassifier(f)
	f.Fuzz(func(t *testing.T, text, lang string) {
		p := &seismo.Post{ID: "f", Text: text, Lang: lang, Country: "BR"}
		sig := c.Classify(p)
		checkInvariants(t, p, sig)
		for _, cu := range sig.Cues {
			if cu.Kind == "" {
				t.Errorf("cue without kind: %+v", cu)
			}
		}
	})
}

// TestClassifyConcurrent shares one classifier between goroutines; run
// with -race.
func TestClassifyConcurrent(t *testing.T) {
	c := learnedClassifier(t)
	texts := benchNamed()
	want := make([]seismo.Signal, len(texts))
	for i, s := range texts {
		want[i] = c.Classify(&seismo.Post{ID: fmt.Sprint(i), Text: s})
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range texts {
				j := (i + g) % len(texts)
				got := c.Classify(&seismo.Post{ID: fmt.Sprint(j), Text: texts[j]})
				if got.Complaint != want[j].Complaint || got.Recovery != want[j].Recovery ||
					strings.Join(got.Services, ",") != strings.Join(want[j].Services, ",") || got.Problem != want[j].Problem {
					t.Errorf("post %d: concurrent verdict %+v differs from %+v", j, got, want[j])
				}
			}
		})
	}
	wg.Wait()
}
