package seismo_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/seismo-dev/seismo"
)

// Estimates leave seismo to three significant digits, whether an entry is
// a value or the global pointer; counts stay exact.
func TestEstimatesRounded(t *testing.T) {
	e := seismo.CountryEntry{Country: "GB", Observed: 403, Expected: 1.5289905973743618, Ratio: 263.5770130549497, Reporters: 403}
	in := seismo.Incident{Countries: []seismo.CountryEntry{e}, Global: &e,
		Problems: []seismo.ProblemShare{{Problem: seismo.ProblemLogin, Complaints: 7, Share: 0.123456}}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"expected":1.53,`, `"ratio":264,`, `"observed":403,`, `"reporters":403,`, `"share":0.123}`, `"complaints":7,`} {
		if n := strings.Count(string(b), want); n == 0 {
			t.Errorf("JSON lacks %s: %s", want, b)
		}
	}
	if strings.Contains(string(b), "1.5289") || strings.Contains(string(b), "263.57") {
		t.Errorf("unrounded estimate in %s", b)
	}
	if e.Expected != 1.5289905973743618 {
		t.Error("marshalling changed the value itself")
	}
}
