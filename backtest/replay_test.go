package backtest_test

import (
	"context"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/backtest"
	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/internal/redistest"
	"github.com/seismo-dev/seismo/simulate"
)

// replayYAML is half a day of warm-up and an outage no detector could miss.
const replayYAML = `
name: replay-test
seed: 5
start: 2024-05-01T00:00:00Z
end: 2024-05-01T14:00:00Z
services:
  whatsapp: {baseline: 0.05}
countries:
  GB: {tz: Europe/London, langs: {en: 1}, chatter: 3}
outages:
  - name: big
    start: 2024-05-01T12:00:00Z
    duration: 30m
    ramp: 2m
    reporters:
      whatsapp: {GB: 600}
`

// TestReplayOrder replays a stream in event time and shuffled: the events,
// which Emit sees as Result holds them, do not depend on the order of the
// slice, and the slice is left as it was.
func TestReplayOrder(t *testing.T) {
	sc, err := simulate.Parse([]byte(replayYAML))
	if err != nil {
		t.Fatal(err)
	}
	var sorted []seismo.Post
	if err := sc.Generate(func(p seismo.Post) error { sorted = append(sorted, p); return nil }); err != nil {
		t.Fatal(err)
	}
	shuffled := slices.Clone(sorted)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	before := slices.Clone(shuffled)

	replay := func(posts []seismo.Post) (*backtest.Result, []seismo.Event) {
		store, err := detect.NewStore(redistest.Start(t).Client(t), detect.StoreConfig{ReporterKey: []byte("replay-test"), Groups: detect.GroupsOf(testClassifier(t).Services())})
		if err != nil {
			t.Fatal(err)
		}
		var emitted []seismo.Event
		res, err := backtest.Replay(context.Background(), posts, backtest.Options{Classifier: testClassifier(t), Store: store,
			Config: detect.DefaultConfig(), Flush: time.Hour,
			Emit: func(evs []seismo.Event) error { emitted = append(emitted, evs...); return nil }})
		if err != nil {
			t.Fatal(err)
		}
		return res, emitted
	}
	want, emitted := replay(sorted)
	if len(want.Events) == 0 || len(want.Incidents) != 1 || want.Complaints == 0 {
		t.Fatalf("%d events, %d incidents, %d complaints: want the outage's incident", len(want.Events), len(want.Incidents), want.Complaints)
	}
	if !reflect.DeepEqual(emitted, want.Events) {
		t.Errorf("Emit saw %d events, Result holds %d", len(emitted), len(want.Events))
	}
	got, _ := replay(shuffled)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("shuffled: %d events, %d incidents; in order: %d, %d", len(got.Events), len(got.Incidents), len(want.Events), len(want.Incidents))
	}
	if !slices.EqualFunc(shuffled, before, func(a, b seismo.Post) bool { return a.ID == b.ID }) {
		t.Error("Replay reordered its argument")
	}
}
