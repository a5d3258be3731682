package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/simulate"
)

// readTruth reads a truth file written by seismo simulate --truth.
func readTruth(name string) (*simulate.Truth, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read truth: %w", err)
	}
	t, err := simulate.ParseTruth(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", errUsage, name, err)
	}
	return t, nil
}

// openedAt returns, per incident, the event time of its incident.opened
// event: when a consumer of the feed first heard of it.
func openedAt(events []seismo.Event) map[string]time.Time {
	out := map[string]time.Time{}
	for _, ev := range events {
		if _, ok := out[ev.Data.ID]; !ok && ev.Type == seismo.EventOpened {
			out[ev.Data.ID] = ev.Timestamp
		}
	}
	return out
}

// writeScore prints the scorecard: every truth outage country found or
// missed with its latency, then recall, latency and what opened falsely.
func writeScore(w io.Writer, t *simulate.Truth, sc *simulate.Scorecard) {
	for _, r := range sc.Outages {
		o := r.Outage
		fmt.Fprintf(w, "truth: outage %s, %s, %s to %s: ", o.Outage, o.Service, o.Start.Format(time.RFC3339), o.End.Format(time.RFC3339))
		if r.Detected {
			fmt.Fprintf(w, "detected, latency %s: %s opened at %s\n", r.Latency, r.Opening.Incident, r.Opening.OpenedAt.Format(time.RFC3339))
		} else {
			fmt.Fprintln(w, "MISSED")
		}
		for _, c := range r.Countries {
			if !c.Found {
				fmt.Fprintf(w, "  %s missed (%d reporters)\n", c.Country, o.Reporters[c.Country])
				continue
			}
			fmt.Fprintf(w, "  %s found, latency %s: %s opened it at %s\n", c.Country, c.Latency,
				c.Opening.Incident, c.Opening.OpenedAt.Format(time.RFC3339))
		}
	}
	detected := 0
	for _, r := range sc.Outages {
		if r.Detected {
			detected++
		}
	}
	fmt.Fprintf(w, "truth: %d/%d outages detected, latency median %s, max %s; countries found %d/%d (%.0f%%), "+
		"latency median %s, max %s; %d incidents; %d false incidents and %d false country openings; "+
		"%d incidents from spam or news bursts\n",
		detected, len(sc.Outages), sc.MedianLatency, sc.MaxLatency, sc.Found, sc.Expected, 100*sc.Recall,
		sc.CountryMedianLatency, sc.CountryMaxLatency, sc.Incidents,
		len(sc.FalseIncidents), len(sc.False), len(sc.BurstIncidents))
	for _, op := range sc.False {
		fmt.Fprintf(w, "  false: %s %s opened at %s (first firing minute %s)\n",
			op.Incident, op.Country, op.OpenedAt.Format(time.RFC3339), op.StartedAt.Format(time.RFC3339))
	}
	for _, op := range sc.BurstOpenings {
		b := t.Bursts[op.Burst]
		fmt.Fprintf(w, "  burst: %s %s opened at %s, during the %s burst of %d posts from %s\n",
			op.Incident, op.Country, op.OpenedAt.Format(time.RFC3339), b.Kind, b.Posts, b.Start.Format(time.RFC3339))
	}
}
