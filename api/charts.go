package api

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/seismo-dev/seismo"
)

// Charts is what the dashboard's endpoints read: the detector's record of
// each series, what the complaints said, and where the detector stands.
// *detect.Store satisfies it.
type Charts interface {
	// Chart returns the points of one series in [from, to) at step.
	Chart(ctx context.Context, service, country string, from, to time.Time, step time.Duration) ([]seismo.SeriesPoint, error)
	// Activity returns the complaints of one series in [from, to), with up
	// to samples sample posts.
	Activity(ctx context.Context, service, country string, from, to time.Time, samples int) (seismo.Activity, error)
	// Evaluated returns the end of the last minute the detector evaluated:
	// the dashboard's "now", which is event time, not the wall clock.
	Evaluated(ctx context.Context) (time.Time, bool, error)
	// NowAt returns every series the detector evaluated in the minute at.
	NowAt(ctx context.Context, at time.Time) ([]seismo.SeriesNow, error)
}

// The steps a series can be asked for, and the most points one answer
// holds: seven days of minutes.
var seriesSteps = map[string]time.Duration{"1m": time.Minute, "5m": 5 * time.Minute, "15m": 15 * time.Minute, "1h": time.Hour}

const (
	maxSeriesPoints = 7 * 24 * 60
	maxSeriesSpan   = 7 * 24 * time.Hour
	// defaultSeriesPoints is what the default step aims under.
	defaultSeriesPoints = 1440
	maxActivitySpan     = 24 * time.Hour
	activitySamples     = 20
	sparkSpan           = 24 * time.Hour
	sparkStep           = 15 * time.Minute
)

// SeriesBody is the body of GET /v1/series/{service}.
type SeriesBody struct {
	Service string               `json:"service"`
	Country string               `json:"country"`
	Step    string               `json:"step"`
	From    time.Time            `json:"from"`
	To      time.Time            `json:"to"`
	Points  []seismo.SeriesPoint `json:"points"`
}

// ActivityBody is the body of GET /v1/services/{service}/activity.
type ActivityBody struct {
	Service string    `json:"service"`
	Country string    `json:"country"`
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	seismo.Activity
}

// OverviewBody is the body of GET /v1/overview: every service now, and
// every country's worst series.
type OverviewBody struct {
	// At is the end of the last minute the detector evaluated, null
	// before the first.
	At        *time.Time        `json:"at"`
	Services  []ServiceOverview `json:"services"`
	Countries []CountryNow      `json:"countries"`
}

// ServiceOverview is one service on the overview.
type ServiceOverview struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Parent string `json:"parent,omitempty"`
	// Status is ok, pending (an incident that has not opened yet),
	// warning or danger (the severity of its open incident).
	Status   string           `json:"status"`
	Incident *seismo.Incident `json:"incident"`
	Spark    Spark            `json:"spark"`
}

// Spark is the last day of a service's global series, coarsely.
type Spark struct {
	Step   string               `json:"step"`
	Points []seismo.SeriesPoint `json:"points"`
}

// CountryNow is a country's worst series in the last evaluated minute: the
// service whose count stands furthest above what was expected.
type CountryNow struct {
	Country  string  `json:"country"`
	Service  string  `json:"service"`
	Observed int     `json:"observed"`
	Expected float64 `json:"expected"`
	Ratio    float64 `json:"ratio"`
	// Level is none, warning or danger.
	Level string `json:"level"`
}

// span reads from and to (RFC 3339) of a request, defaulting to the span
// before end.
func span(r *http.Request, end time.Time, def time.Duration) (from, to time.Time, err error) {
	q := r.URL.Query()
	to = end
	if v := q.Get("to"); v != "" {
		if to, err = time.Parse(time.RFC3339, v); err != nil {
			return from, to, seismo.Invalid("to must be an RFC 3339 time")
		}
	}
	from = to.Add(-def)
	if v := q.Get("from"); v != "" {
		if from, err = time.Parse(time.RFC3339, v); err != nil {
			return from, to, seismo.Invalid("from must be an RFC 3339 time")
		}
	}
	if !from.Before(to) {
		return from, to, seismo.Invalid("from must be before to")
	}
	return from.UTC(), to.UTC(), nil
}

// seriesParams reads the service and country of a series request.
func (s *Server) seriesParams(r *http.Request) (service, country string, err error) {
	service = r.PathValue("service")
	if !s.knownService(service) {
		return "", "", seismo.NotFound(fmt.Sprintf("no service %q", service))
	}
	country = r.URL.Query().Get("country")
	switch {
	case country == "":
		country = seismo.AllCountries
	case country != seismo.AllCountries:
		country = strings.ToUpper(country)
		if !seismo.IsCountryCode(country) {
			return "", "", seismo.Invalid(fmt.Sprintf("country must be an ISO 3166-1 alpha-2 code or %q", seismo.AllCountries))
		}
	}
	return service, country, nil
}

func (s *Server) knownService(id string) bool {
	if len(s.services) == 0 {
		return id != "" && len(id) <= 64
	}
	return s.services[id]
}

// now is the detector's "now", or the wall clock before its first minute.
func (s *Server) now(ctx context.Context) (time.Time, bool, error) {
	at, ok, err := s.cfg.Charts.Evaluated(ctx)
	if err != nil || !ok {
		return time.Now().UTC().Truncate(time.Minute), false, err
	}
	return at, true, nil
}

// seriesQuery is what a request for one series over a span asks.
type seriesQuery struct {
	service, country string
	from, to         time.Time
}

// readSeriesQuery reads the service, country and span of a series request:
// by default the span def before the detector's now, at most longest.
func (s *Server) readSeriesQuery(ctx context.Context, r *http.Request, def, longest time.Duration) (seriesQuery, error) {
	var q seriesQuery
	var err error
	if q.service, q.country, err = s.seriesParams(r); err != nil {
		return q, err
	}
	end, _, err := s.now(ctx)
	if err != nil {
		return q, err
	}
	if q.from, q.to, err = span(r, end, def); err != nil {
		return q, err
	}
	if q.to.Sub(q.from) > longest {
		return q, seismo.Invalid(fmt.Sprintf("the span is at most %s", longest))
	}
	return q, nil
}

func (s *Server) series(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.Timeout)
	defer cancel()
	q, err := s.readSeriesQuery(ctx, r, 24*time.Hour, maxSeriesSpan)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	from, to := q.from, q.to
	name := r.URL.Query().Get("step")
	step, ok := seriesSteps[name]
	switch {
	case name == "":
		for _, name = range []string{"1m", "5m", "15m", "1h"} {
			if step = seriesSteps[name]; to.Sub(from)/step <= defaultSeriesPoints {
				break
			}
		}
	case !ok:
		s.writeError(w, r, seismo.Invalid("step must be 1m, 5m, 15m or 1h"))
		return
	}
	if to.Sub(from)/step > maxSeriesPoints {
		s.writeError(w, r, seismo.Invalid(fmt.Sprintf("at most %d points: widen the step or narrow the span", maxSeriesPoints)))
		return
	}
	points, err := s.cfg.Charts.Chart(ctx, q.service, q.country, from, to, step)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeBulkJSON(w, r, http.StatusOK, SeriesBody{Service: q.service, Country: q.country, Step: name, From: from, To: to, Points: points})
}

func (s *Server) activity(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.Timeout)
	defer cancel()
	q, err := s.readSeriesQuery(ctx, r, time.Hour, maxActivitySpan)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	act, err := s.cfg.Charts.Activity(ctx, q.service, q.country, q.from, q.to, activitySamples)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeBulkJSON(w, r, http.StatusOK, ActivityBody{Service: q.service, Country: q.country, From: q.from, To: q.to, Activity: act})
}

func (s *Server) overview(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.Timeout)
	defer cancel()
	end, evaluated, err := s.now(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	body, err := s.overviews.get(ctx, fmt.Sprint(end.Unix(), evaluated), func() ([]byte, error) {
		// Not the request's context: other requests wait for this
		// answer too, and its client may go away.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), s.cfg.Timeout)
		defer cancel()
		return s.buildOverview(ctx, end, evaluated)
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeBulk(w, r, http.StatusOK, "application/json; charset=utf-8", func(w io.Writer) error {
		_, err := w.Write(body)
		return err
	})
}

// overviewCache holds the last overview for a second: every open
// dashboard polls it, and it changes when the detector evaluates a minute
// (which changes its key) or an incident is silenced (which clears it
// here; a silence made through another process shows a second late at
// most).
type overviewCache struct {
	mu     sync.Mutex
	key    string
	at     time.Time // when the build of body began
	body   []byte
	flight singleflight.Group
}

// overviewTTL is how long an overview is served again.
const overviewTTL = time.Second

// get returns the overview of key, built by build when the one held is
// another's or older than overviewTTL; concurrent requests share one build,
// each waiting for it no longer than its own ctx.
func (c *overviewCache) get(ctx context.Context, key string, build func() ([]byte, error)) ([]byte, error) {
	c.mu.Lock()
	if c.key == key && time.Since(c.at) < overviewTTL {
		b := c.body
		c.mu.Unlock()
		return b, nil
	}
	c.mu.Unlock()
	ch := c.flight.DoChan(key, func() (any, error) {
		began := time.Now()
		b, err := build()
		if err == nil {
			c.mu.Lock()
			c.key, c.at, c.body = key, began, b
			c.mu.Unlock()
		}
		return b, err
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.([]byte), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// clear drops the overview held.
func (c *overviewCache) clear() {
	c.mu.Lock()
	c.key = ""
	c.mu.Unlock()
}

// buildOverview is the overview's body as of the detector's position end.
func (s *Server) buildOverview(ctx context.Context, end time.Time, evaluated bool) ([]byte, error) {
	current := map[string]*seismo.Incident{}
	for _, st := range []seismo.Status{seismo.StatusPending, seismo.StatusOpen} {
		page, err := s.cfg.Incidents.ListIncidents(ctx, Filter{Status: st, Limit: maxLimit})
		if err != nil {
			return nil, err
		}
		list := page.Incidents
		for i := range list {
			if have := current[list[i].Service]; have == nil || have.Status == seismo.StatusPending {
				current[list[i].Service] = &list[i]
			}
		}
	}
	body := OverviewBody{Services: []ServiceOverview{}, Countries: []CountryNow{}}
	if evaluated {
		body.At = &end
	}
	for _, sv := range s.cfg.Services {
		o := ServiceOverview{ID: sv.ID, Name: sv.Name, Parent: sv.Parent, Status: "ok",
			Incident: current[sv.ID], Spark: Spark{Step: "15m", Points: []seismo.SeriesPoint{}}}
		if in := o.Incident; in != nil {
			o.Status = string(in.Severity)
			if in.Status == seismo.StatusPending {
				o.Status = "pending"
			}
		}
		if evaluated {
			var err error
			if o.Spark.Points, err = s.cfg.Charts.Chart(ctx, sv.ID, seismo.AllCountries, end.Add(-sparkSpan), end, sparkStep); err != nil {
				return nil, err
			}
		}
		body.Services = append(body.Services, o)
	}
	rank := map[string]int{"danger": 0, "warning": 1, "pending": 2, "ok": 3}
	slices.SortStableFunc(body.Services, func(a, b ServiceOverview) int {
		return cmp.Or(cmp.Compare(rank[a.Status], rank[b.Status]), cmp.Compare(a.Name, b.Name))
	})
	if evaluated {
		now, err := s.cfg.Charts.NowAt(ctx, end.Add(-time.Minute))
		if err != nil {
			return nil, err
		}
		body.Countries = worstByCountry(now)
	}
	return json.Marshal(body)
}

// worstByCountry keeps, for each country, the series furthest above what
// was expected: the highest severity, then the highest ratio.
func worstByCountry(now []seismo.SeriesNow) []CountryNow {
	level := func(s seismo.Severity) int {
		switch s {
		case seismo.SeverityDanger:
			return 2
		case seismo.SeverityWarning:
			return 1
		}
		return 0
	}
	worst := map[string]CountryNow{}
	for _, n := range now {
		if n.Country == seismo.AllCountries || n.Country == seismo.UnknownCountry {
			continue
		}
		c := CountryNow{Country: n.Country, Service: n.Service, Observed: n.Observed, Expected: n.Expected,
			Ratio: ratioOf(n.Observed, n.Expected), Level: "none"}
		if n.Severity != "" {
			c.Level = string(n.Severity)
		}
		have, ok := worst[n.Country]
		if !ok || cmp.Or(cmp.Compare(level(seismo.Severity(c.Level)), level(seismo.Severity(have.Level))),
			cmp.Compare(c.Ratio, have.Ratio), cmp.Compare(have.Service, c.Service)) > 0 {
			worst[n.Country] = c
		}
	}
	out := make([]CountryNow, 0, len(worst))
	for _, c := range worst {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b CountryNow) int { return cmp.Compare(a.Country, b.Country) })
	return out
}

// ratioOf is observed over expected to two decimals, 0 when
// nothing was expected.
func ratioOf(observed int, expected float64) float64 {
	if expected <= 0 {
		return 0
	}
	r := float64(observed) / expected
	return float64(int64(r*100+0.5)) / 100
}
