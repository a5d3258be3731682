package backtest

import (
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/simulate"
)

// WriteSummary writes what seismo backtest reports of a replay of in: the
// posts read, valid and not, what was counted, and every incident with
// its detection latency (from its start to its incident.opened event).
func (res *Result) WriteSummary(w io.Writer, in *Input) {
	read := len(in.Posts) + in.Rejected.Total()
	fmt.Fprintf(w, "backtest: %d posts, %d invalid", read, in.Rejected.Total())
	if len(in.Rejected) > 0 {
		reasons := make([]string, 0, len(in.Rejected))
		for reason := range in.Rejected {
			reasons = append(reasons, string(reason))
		}
		sort.Strings(reasons)
		fmt.Fprint(w, " (")
		for i, reason := range reasons {
			if i > 0 {
				fmt.Fprint(w, ", ")
			}
			fmt.Fprintf(w, "%s %d", reason, in.Rejected[seismo.Reason(reason)])
		}
		fmt.Fprint(w, ")")
	}
	fmt.Fprintf(w, "; %d complaints and %d recoveries counted; %d events, %d incidents\n",
		res.Complaints, res.Recoveries, len(res.Events), len(res.Incidents))
	if n := in.Rejected[seismo.ReasonMissingTime]; n > 0 && n == read {
		fmt.Fprintln(w, "backtest: no post has a created_at; detection runs in event time and needs one."+
			" To judge posts without times, use seismo classify.")
	}
	ids := make([]string, 0, len(res.Incidents))
	for id := range res.Incidents {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	opened := openedAt(res.Events)
	for _, id := range ids {
		inc := res.Incidents[id]
		fmt.Fprintf(w, "  %s %s %s started %s", inc.ID, inc.Status, inc.Severity, inc.StartedAt.Format(time.RFC3339))
		if at, ok := opened[id]; ok {
			fmt.Fprintf(w, " opened %s (%s after start)", at.Format(time.RFC3339), at.Sub(inc.StartedAt))
		}
		if inc.ResolvedAt != nil {
			fmt.Fprintf(w, " resolved %s", inc.ResolvedAt.Format(time.RFC3339))
		}
		fmt.Fprint(w, " countries")
		for _, c := range inc.Countries {
			fmt.Fprintf(w, " %s(%d)", c.Country, c.Reporters)
		}
		fmt.Fprintln(w)
	}
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

// WriteScore writes the scorecard sc of a replay graded against truth t
// (simulate.Score): every truth outage and country found or missed with
// its latency, then recall, latency and what opened falsely or during a
// spam or news burst.
func WriteScore(w io.Writer, t *simulate.Truth, sc *simulate.Scorecard) {
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
