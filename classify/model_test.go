package classify_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"path/filepath"
	"testing"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/classify"
)

// trainingPosts reads what make model trains on: the labelled corpus and
// the tuning set.
func trainingPosts(t *testing.T) []classify.Labelled {
	t.Helper()
	var set []classify.Labelled
	for _, glob := range []string{"testdata/corpus/*.jsonl", "testdata/tune/*.jsonl"} {
		files, err := filepath.Glob(glob)
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: %v, %v", glob, files, err)
		}
		for _, f := range files {
			set = append(set, readLabelledFile(t, f)...)
		}
	}
	return set
}

// The embedded model is what make model trains from the repository's data:
// training again gives the same verdicts on every labelled post.
func TestModelReproducible(t *testing.T) {
	set := trainingPosts(t)
	data, rep, err := classify.Train(classify.Config{}, classify.OfSplit(set, classify.SplitTrain), classify.OfSplit(set, classify.SplitTune), classify.TrainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Examples < 3000 || rep.Calibration < 1000 {
		t.Fatalf("trained on %d posts, calibrated on %d", rep.Examples, rep.Calibration)
	}
	retrained, err := classify.New(classify.Config{Model: data})
	if err != nil {
		t.Fatal(err)
	}
	shipped := learnedClassifier(t)
	differ := 0
	for _, l := range set {
		p := seismo.Post{ID: l.ID, Text: l.Text}
		a, b := retrained.Classify(&p), shipped.Classify(&p)
		if a.Complaint != b.Complaint || a.Recovery != b.Recovery || a.Problem != b.Problem || a.Confidence != b.Confidence {
			differ++
			if differ <= 5 {
				t.Errorf("%s: retrained %+v, shipped %+v", l.ID, a, b)
			}
		}
	}
	if differ > 0 {
		t.Errorf("%d of %d verdicts differ from the embedded model's: run make model and commit classify/model.bin", differ, len(set))
	}
}

// The learned stage finds complaints the lexicons alone miss, and the
// verdict still names the services and cues it rests on.
func TestModelBeatsRules(t *testing.T) {
	set := classify.OfSplit(trainingPosts(t), classify.SplitTune)
	rules, learned := testClassifier(t), learnedClassifier(t)
	r, m := classify.Evaluate(rules, set), classify.Evaluate(learned, set)
	if m.All.F1() < r.All.F1()+0.05 {
		t.Errorf("complaint F1 on the tune split: rules %.3f, with the learned stage %.3f", r.All.F1(), m.All.F1())
	}
	if m.All.ServiceAccuracy() < 0.94 {
		t.Errorf("service accuracy with the learned stage %.3f", m.All.ServiceAccuracy())
	}
	found := 0
	for _, l := range set {
		p := seismo.Post{ID: l.ID, Text: l.Text}
		sig := learned.Classify(&p)
		if !sig.Complaint {
			continue
		}
		if len(sig.Services) == 0 || sig.Problem == "" || sig.Confidence < 0.5 || sig.Confidence > 0.99 {
			t.Errorf("%s: complaint %+v", l.ID, sig)
		}
		if rs := rules.Classify(&p); !rs.Complaint {
			found++
			named := false
			for _, c := range sig.Cues {
				named = named || c.Kind == "service"
			}
			if !named {
				t.Errorf("%s: complaint without a service cue: %+v", l.ID, sig.Cues)
			}
		}
	}
	if found == 0 {
		t.Error("the learned stage found no complaint the lexicons missed")
	}
}

// A model file that is damaged or was trained on other features is
// refused with a reason, never half read.
func TestModelFileRefused(t *testing.T) {
	set := trainingPosts(t)
	good, _, err := classify.Train(classify.Config{}, classify.OfSplit(set, classify.SplitTune)[:400], classify.OfSplit(set, classify.SplitTune)[400:], classify.TrainOptions{Epochs: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := classify.New(classify.Config{Model: good}); err != nil {
		t.Fatalf("a model trained here: %v", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	gz := func(b []byte) []byte {
		var out bytes.Buffer
		w := gzip.NewWriter(&out)
		w.Write(b)
		w.Close()
		return out.Bytes()
	}
	other := bytes.Clone(raw)
	other[8]++ // feature version
	for name, data := range map[string][]byte{
		"empty":         {},
		"not gzip":      []byte("SEISMOLM"),
		"truncated":     gz(raw[:len(raw)/2]),
		"trailing":      gz(append(bytes.Clone(raw), 1, 2, 3)),
		"other version": gz(other),
	} {
		if _, err := classify.New(classify.Config{Model: data}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
