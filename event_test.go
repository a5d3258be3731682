package seismo_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/seismo-dev/seismo"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// The incident event as it leaves seismo (Redis stream, Kafka topic,
// webhooks): its JSON is a contract, so it is pinned in a golden file.
func TestEventJSONGolden(t *testing.T) {
	start := time.Date(2024, 4, 3, 18, 10, 0, 0, time.UTC)
	at := start.Add(6 * time.Minute)
	gb := seismo.CountryEntry{Country: "GB", Status: seismo.StatusOpen, Severity: seismo.SeverityDanger,
		Observed: 84, Expected: 0.41, Ratio: 204.9, Reporters: 84, StartedAt: start, PeakAt: start.Add(5 * time.Minute)}
	global := gb
	global.Country, global.Reporters, global.Observed = seismo.AllCountries, 240, 240
	in := seismo.Incident{
		ID: "whatsapp-20240403T1810Z", Service: "whatsapp", ServiceName: "WhatsApp",
		Status: seismo.StatusOpen, Severity: seismo.SeverityDanger, StartedAt: start, PeakAt: start.Add(5 * time.Minute),
		UpdatedAt: at, Countries: []seismo.CountryEntry{gb}, Global: &global,
		Problems: []seismo.ProblemShare{{Problem: "total_outage", Complaints: 412, Share: 0.61}},
		Related:  []string{"instagram-20240403T1814Z"},
		Samples: []seismo.Sample{{PostID: "p1", Text: "WhatsApp down?? <b>not markup</b>", Lang: "en", Country: "GB",
			CreatedAt: start.Add(2 * time.Minute)}},
	}
	ev := seismo.NewEvent(seismo.EventUpdated, at, in)
	if want := "whatsapp-20240403T1810Z.updated.20240403T1816Z"; ev.ID != want {
		t.Errorf("event id %q, want %q", ev.ID, want)
	}
	if again := seismo.NewEvent(seismo.EventUpdated, at.In(time.FixedZone("x", 3600)), in); again.ID != ev.ID {
		t.Errorf("the same event in another time zone is named %q, not %q", again.ID, ev.ID)
	}
	got, err := json.MarshalIndent(ev, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("testdata", "event.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("event JSON differs from %s (go test -run TestEventJSONGolden -update to accept):\n%s", golden, got)
	}
}
