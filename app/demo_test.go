package app_test

import (
	"strings"
	"testing"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/app"
)

// The demo's summary names each incident with its countries' reporters.
func TestDemoResultWriteSummary(t *testing.T) {
	res := app.DemoResult{Produced: 1200, Incidents: []seismo.Incident{{
		ID: "whatsapp-20240403T1810Z", ServiceName: "WhatsApp", Status: seismo.StatusOpen, Severity: seismo.SeverityDanger,
		Countries: []seismo.CountryEntry{{Country: "IT", Reporters: 41}, {Country: "BR", Reporters: 7}},
	}}}
	var b strings.Builder
	res.WriteSummary(&b)
	want := "seismo demo: 1200 posts played; 1 incident(s)\n  WhatsApp whatsapp-20240403T1810Z open danger IT:41 BR:7\n"
	if b.String() != want {
		t.Errorf("summary\n%q\nwant\n%q", b.String(), want)
	}
}
