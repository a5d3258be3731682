package classify_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/seismo-dev/seismo/classify"
)

// The corpus follows the labelling rules' format, its ids are unique, and
// its splits by id have the sizes they are said to have.
func TestCorpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.jsonl"))
	if err != nil || len(files) < 27 {
		t.Fatalf("corpus files %v, %v", files, err)
	}
	services := []string{"whatsapp", "instagram", "facebook", "messenger", "threads", "signal", "telegram", "x", "youtube",
		"gmail", "tiktok", "snapchat", "discord", "netflix", "spotify", "chatgpt", "outlook", "icloud"}
	ids := map[string]bool{}
	splits := map[string]int{}
	total := 0
	for _, f := range files {
		// ar.jsonl is the first Arabic batch, ar-2.jsonl the second.
		lang, _, _ := strings.Cut(strings.TrimSuffix(filepath.Base(f), ".jsonl"), "-")
		set := readLabelledFile(t, f)
		complaints := 0
		for _, l := range set {
			switch {
			case ids[l.ID]:
				t.Errorf("%s: id %s twice", f, l.ID)
			case l.Lang != lang:
				t.Errorf("%s: %s is in %q", f, l.ID, l.Lang)
			case utf8.RuneCountInString(l.Text) < 3 || utf8.RuneCountInString(l.Text) > 280:
				t.Errorf("%s: %s is %d characters", f, l.ID, utf8.RuneCountInString(l.Text))
			case l.Complaint && l.Recovery:
				t.Errorf("%s: %s is a complaint and a recovery", f, l.ID)
			case (l.Problem != nil) != l.Complaint:
				t.Errorf("%s: %s has a problem type iff it is no complaint", f, l.ID)
			case !l.Complaint && !l.Recovery && len(l.Services) > 0:
				t.Errorf("%s: %s names services but reports nothing", f, l.ID)
			case (l.Complaint || l.Recovery) && len(l.Services) == 0:
				t.Errorf("%s: %s reports no service", f, l.ID)
			case l.Problem != nil && !l.Problem.Valid():
				t.Errorf("%s: %s has problem %q", f, l.ID, *l.Problem)
			}
			for _, s := range l.Services {
				if !slices.Contains(services, s) {
					t.Errorf("%s: %s names service %q", f, l.ID, s)
				}
			}
			if l.Complaint {
				complaints++
			}
			ids[l.ID] = true
			splits[classify.SplitOf(l.ID)]++
			total++
		}
		if len(set) < 600 || complaints*100 < len(set)*35 {
			t.Errorf("%s: %d posts, %d complaints", f, len(set), complaints)
		}
	}
	for split, want := range map[string]float64{classify.SplitTest: 0.2, classify.SplitTune: 0.2, classify.SplitTrain: 0.6} {
		if share := float64(splits[split]) / float64(total); share < want-0.03 || share > want+0.03 {
			t.Errorf("split %s holds %.3f of the corpus, want about %.1f", split, share, want)
		}
	}
}
