package dashboard_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"
	"github.com/segmentio/kafka-go"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/app"
	"github.com/seismo-dev/seismo/classify"
	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/simulate"
)

// hostilePost is a WhatsApp complaint whose text would run script if a
// page put it into the DOM as HTML.
const hostilePost = `whatsapp is down again, messages not sending <img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`

// TestDashboardOnDemo plays the built-in WhatsApp outage through the
// whole pipeline (embedded Kafka and Redis, the classifier, the detector,
// the API that serves the dashboard) and checks in Chromium what a person
// sees: the incident arriving on an overview opened before it, the map
// coloured as the API says, the service's chart over the outage, the
// incident's countries, and a hostile post shown as text.
//
// With SEISMO_WRITE_SCREENSHOTS=1 it also writes the dashboard's pictures
// for the docs, from the same run:
//
//	SEISMO_WRITE_SCREENSHOTS=1 go test -count=1 -run TestDashboardOnDemo ./dashboard/
//
// SEISMO_SCREENSHOT_DIR puts them elsewhere than docs/.
func TestDashboardOnDemo(t *testing.T) {
	requireChromium(t)
	if testing.Short() {
		t.Skip("plays the whole demo scenario (a minute or two)")
	}
	shots := ""
	if os.Getenv("SEISMO_WRITE_SCREENSHOTS") != "" {
		shots = cmp.Or(os.Getenv("SEISMO_SCREENSHOT_DIR"), filepath.Join("..", "docs"))
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	began := time.Now()
	elapsed := func() time.Duration { return time.Since(began).Round(100 * time.Millisecond) }

	sc := simulate.WhatsApp2024()
	outage := whatsappOutage(t, sc)
	cls, err := classify.New(classify.Config{Languages: classify.DefaultLanguages})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("classifier loaded in %v", elapsed())

	// The browser first, so that its start does not eat into the time the
	// demo takes to reach the outage.
	desk := newTabWithin(t, 1280, 900, 8*time.Minute)
	phone := newTabWithin(t, 390, 844, 8*time.Minute)
	deskTap, phoneTap := tapOverview(t, desk), tapOverview(t, phone)

	events := &eventLog{began: began}
	started := make(chan app.DemoAddrs, 1)
	played := make(chan time.Time, 1)
	demoDone := make(chan error, 1)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		_, err := app.Demo(ctx, app.DemoOptions{
			Scenario:   sc,
			Classifier: func() (*classify.Classifier, error) { return cls, nil },
			Detect:     detect.DefaultConfig(),
			HTTPAddr:   "127.0.0.1:0",
			Speed:      0,
			Partitions: 3,
			Events:     events,
			Started:    func(a app.DemoAddrs) { started <- a },
			Played:     func(at time.Time) { played <- at },
		})
		demoDone <- err
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-demoDone; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("demo: %v", err)
		}
		t.Logf("incident events, by wall time since the test began:\n%s", events)
	})

	var addrs app.DemoAddrs
	select {
	case addrs = <-started:
	case err := <-demoDone:
		t.Fatalf("the demo ended before it started: %v", err)
	case <-time.After(90 * time.Second):
		t.Fatal("the demo did not start within 90 s")
	}
	base := addrs.URL
	t.Logf("demo started at %v: %s, broker %s, topic %s", elapsed(), base, addrs.Broker, addrs.Topic)

	// 1. Live arrival: the overview, opened before the outage is detected,
	// shows the incident when it opens, without a reload.
	isOutage := func(in *incident) bool { return in != nil && outage.has(in) && in.Status == "open" }
	deskTap.holdWhen(func(a overviewAnswer) bool { return isOutage(a.service("whatsapp").Incident) })
	phoneTap.holdWhen(func(a overviewAnswer) bool { return isOutage(a.service("whatsapp").Incident) })
	for _, tab := range []context.Context{desk, phone} {
		do(t, tab, chromedp.Navigate(base+"/"))
		waitShown(t, tab, `document.querySelector('#live[data-state="live"]') && document.querySelector('.services [data-service="whatsapp"]')`, 20*time.Second)
		do(t, tab, chromedp.Evaluate[chromedp.Void](`window.__seismoMarker = 1`))
	}
	opened := elapsed()
	if got := eval[string](t, desk, whatsappIncidentLink); outage.hasLink(got) {
		t.Fatalf("the outage's incident (%s) was already open when the overview had loaded; the test cannot see it arrive", got)
	}
	for _, in := range listIncidents(t, base, "whatsapp") {
		if outage.has(&in) {
			t.Fatalf("the outage's incident %s was detected before the overview had loaded (at %v); the test cannot see it arrive", in.ID, opened)
		}
	}
	origin := eval[float64](t, desk, `performance.timeOrigin`)
	t.Logf("overview open at %v, before the outage was detected", opened)

	if _, err := chromedp.Run(desk, chromedp.Poll[bool](`(() => { const a = document.querySelector('[data-service="whatsapp"] .svc-incident a'); return !!a && a.textContent === 'Incident' && `+outage.jsTest(`a.getAttribute('href')`)+`; })()`,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(4*time.Minute))); err != nil {
		t.Fatalf("the outage's incident never appeared on the open overview (%v): %v\nthe page was given %s\nthe page shows: %s",
			elapsed(), err, deskTap.summary(), pageText(t, desk))
	}
	t.Logf("the outage's incident appeared on the overview at %v (event %s)", elapsed(), events.first("incident.opened", "whatsapp"))
	if got := eval[string](t, desk, `String(window.__seismoMarker) + ' ' + performance.getEntriesByType('navigation').length + ' ' + (performance.timeOrigin === `+strconv.FormatFloat(origin, 'f', -1, 64)+`)`); got != "1 1 true" {
		t.Errorf("the overview navigated while the incident arrived (marker, navigation entries, same document: %s)", got)
	}
	during, ok := deskTap.held()
	if !ok {
		t.Fatalf("the page shows the outage but was given no overview with it: %s", deskTap.summary())
	}
	checkOverview(t, desk, during, "overview during the outage")
	phoneReady := func() bool {
		_, err := chromedp.Run(phone, chromedp.Poll[bool](`(() => { const a = document.querySelector('[data-service="whatsapp"] .svc-incident a'); return !!a && a.textContent === 'Incident'; })()`,
			chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second)))
		return err == nil
	}()
	if !phoneReady {
		t.Errorf("the overview at 390 px did not show the outage's incident: it was given %s", phoneTap.summary())
	} else if p, ok := phoneTap.held(); ok {
		checkOverview(t, phone, p, "overview at 390 px during the outage")
	}
	if shots != "" {
		shoot(t, desk, shots, "dashboard-overview.png")
		if phoneReady {
			shoot(t, phone, shots, "dashboard-phone.png")
		}
	}
	deskTap.release()
	phoneTap.release()

	// 2. The scenario played: the overview opened before the outage is
	// still the same document, and a fresh one shows the map as the API
	// says.
	var evaluated time.Time
	select {
	case evaluated = <-played:
	case err := <-demoDone:
		t.Fatalf("the demo ended before the scenario was played: %v", err)
	case <-time.After(4 * time.Minute):
		t.Fatalf("the scenario was not played within 4 minutes of the incident's arrival (%v)", elapsed())
	}
	t.Logf("scenario played at %v; the detector evaluated up to %s", elapsed(), evaluated.Format(time.RFC3339))
	if got := eval[string](t, desk, `String(window.__seismoMarker) + ' ' + (performance.timeOrigin === `+strconv.FormatFloat(origin, 'f', -1, 64)+`)`); got != "1 true" {
		t.Errorf("the overview opened before the outage navigated during the scenario (marker, same document: %s)", got)
	}
	do(t, desk, chromedp.Navigate(base+"/"))
	waitShown(t, desk, `document.querySelector('.services [data-service="whatsapp"]') && document.querySelectorAll('svg.map path').length > 150`, 20*time.Second)
	final, _ := deskTap.last()
	checkOverview(t, desk, final, "overview after the scenario")
	var api overviewBody
	getAPI(t, base+"/v1/overview", &api)
	if api.At == nil || final.body.At == nil || !api.At.Equal(*final.body.At) || len(api.Countries) != len(final.body.Countries) {
		t.Errorf("the page was given the overview at %v with %d countries, the API now says %v with %d", final.body.At, len(final.body.Countries), api.At, len(api.Countries))
	}

	// 3. The service's chart over the outage, and the incident's countries.
	from, to := outage.start.Add(-2*time.Hour).Truncate(time.Hour), outage.end.Add(2*time.Hour).Truncate(time.Hour)
	do(t, desk, chromedp.Navigate(fmt.Sprintf("%s/services/whatsapp?range=custom&from=%s&to=%s", base, from.Format(time.RFC3339), to.Format(time.RFC3339))))
	checkOutageChart(t, desk, outage, from, to)
	if shots != "" {
		shoot(t, desk, shots, "dashboard-service.png")
	}
	do(t, desk, chromedp.Navigate(base+"/services/whatsapp?range=7d"))
	checkWeekChart(t, desk, outage)

	var inc *incident
	for _, in := range listIncidents(t, base, "whatsapp") {
		if outage.has(&in) {
			inc = &in
			break
		}
	}
	if inc == nil {
		t.Fatalf("no WhatsApp incident in the outage: GET /v1/incidents?service=whatsapp lists %v", listIncidents(t, base, "whatsapp"))
	}
	do(t, desk, chromedp.Navigate(base+"/incidents/"+url.PathEscape(inc.ID)))
	checkIncidentPage(t, desk, inc, outage.countries)
	if shots != "" {
		shoot(t, desk, shots, "dashboard-incident.png")
	}

	// 4. A hostile post, produced through Kafka after the scenario, is
	// shown as text.
	post := seismo.Post{ID: "demo-test-hostile-1", Source: "test", Author: "demo-test-author", Text: hostilePost,
		CreatedAt: sc.End.Add(30 * time.Second), Country: "GB", Lang: "en"}
	if sig := cls.Classify(&post); !sig.Complaint || !slices.Contains(sig.Services, "whatsapp") {
		t.Fatalf("the classifier no longer reads %q as a WhatsApp complaint (complaint %v, services %v): pick another text", post.Text, sig.Complaint, sig.Services)
	}
	produce(t, addrs, post)
	actFrom, actTo := sc.End.Add(-time.Hour), sc.End.Add(5*time.Minute)
	activityURL := fmt.Sprintf("%s/v1/services/whatsapp/activity?country=%s&from=%s&to=%s", base, post.Country, actFrom.Format(time.RFC3339), actTo.Format(time.RFC3339))
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		var act struct{ Samples []sample }
		getAPI(t, activityURL, &act)
		if slices.ContainsFunc(act.Samples, func(s sample) bool { return s.ID == post.ID }) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s did not list the post within 60 s; samples: %+v", activityURL, act.Samples)
		}
	}
	t.Logf("the hostile post was counted at %v", elapsed())
	do(t, desk, chromedp.Navigate(fmt.Sprintf("%s/services/whatsapp?country=%s&range=custom&from=%s&to=%s", base, post.Country, actFrom.Format(time.RFC3339), actTo.Format(time.RFC3339))))
	waitShown(t, desk, `[...document.querySelectorAll('.sample .post')].some((e) => e.textContent.includes('__pwned'))`, 20*time.Second)
	time.Sleep(300 * time.Millisecond) // time for an image error to fire, were there an image
	if !eval[bool](t, desk, `[...document.querySelectorAll('.sample .post')].some((e) => e.textContent.includes('<img src=x onerror='))`) {
		t.Errorf("the post's markup is not shown as text; the samples read: %s", eval[string](t, desk, `[...document.querySelectorAll('.sample .post')].map((e) => e.textContent).join(' | ')`))
	}
	if n := eval[int](t, desk, `[...document.querySelectorAll('img')].filter((i) => i.getAttribute('src') === 'x').length`); n != 0 {
		t.Errorf("the post became %d img elements", n)
	}
	if n := eval[int](t, desk, `[...document.scripts].filter((s) => s.textContent.includes('__pwned')).length`); n != 0 {
		t.Errorf("the post became %d script elements", n)
	}
	if got := eval[string](t, desk, `typeof window.__pwned`); got != "undefined" {
		t.Fatalf("the post's markup ran: window.__pwned is %s", eval[string](t, desk, `String(window.__pwned)`))
	}

	// 5. The overview opened before the outage, at 390 px, followed the
	// detector to the end of the scenario without a reload.
	phoneTap.holdWhen(func(a overviewAnswer) bool { return a.body.At != nil && !a.body.At.Before(evaluated) })
	end, ok := phoneTap.waitHeld(60 * time.Second)
	if !ok {
		t.Fatalf("the overview open since before the outage did not catch up with the detector (%s) within 60 s: it was given %s",
			evaluated.Format(time.RFC3339), phoneTap.summary())
	}
	checkOverview(t, phone, end, "overview at 390 px open since before the outage")
	if got := eval[string](t, phone, `String(window.__seismoMarker)`); got != "1" {
		t.Errorf("the overview at 390 px navigated during the scenario (marker %s)", got)
	}
	phoneTap.release()
	t.Logf("done at %v", elapsed())
}

// outageWindow is the scenario's WhatsApp outage: when, where, and how to
// tell its incident from others.
type outageWindow struct {
	start, end time.Time
	countries  []string
}

func whatsappOutage(t *testing.T, sc *simulate.Scenario) outageWindow {
	t.Helper()
	for _, o := range sc.Outages {
		if by := o.Reporters["whatsapp"]; by != nil {
			w := outageWindow{start: o.Start, end: o.Start.Add(o.Duration)}
			for c := range by {
				w.countries = append(w.countries, c)
			}
			slices.Sort(w.countries)
			return w
		}
	}
	t.Fatalf("scenario %s has no WhatsApp outage", sc.Name)
	return outageWindow{}
}

// has says whether an incident is the outage's: it started in it.
func (w outageWindow) has(in *incident) bool {
	return in.Service == "whatsapp" && !in.StartedAt.Before(w.start.Add(-10*time.Minute)) && in.StartedAt.Before(w.end)
}

var incidentHref = regexp.MustCompile(`^/incidents/whatsapp-(\d{8}T\d{4}Z)$`)

// hasLink says whether a link goes to the outage's incident: ids name the
// minute the incident started.
func (w outageWindow) hasLink(href string) bool {
	m := incidentHref.FindStringSubmatch(href)
	if m == nil {
		return false
	}
	at, err := time.Parse("20060102T1504Z", m[1])
	return err == nil && !at.Before(w.start.Add(-10*time.Minute)) && at.Before(w.end)
}

// jsTest is hasLink in JavaScript, for the href the expression gives.
func (w outageWindow) jsTest(href string) string {
	id := func(t time.Time) string { return t.UTC().Format("20060102T1504Z") }
	return fmt.Sprintf(`(() => { const m = /^\/incidents\/whatsapp-(\d{8}T\d{4}Z)$/.exec(%s || ''); return !!m && m[1] >= %q && m[1] < %q; })()`,
		href, id(w.start.Add(-10*time.Minute)), id(w.end))
}

const whatsappIncidentLink = `(() => { const a = document.querySelector('[data-service="whatsapp"] .svc-incident a'); return a ? a.getAttribute('href') : ''; })()`

// overviewBody is GET /v1/overview.
type overviewBody struct {
	At        *time.Time      `json:"at"`
	Services  []serviceStatus `json:"services"`
	Countries []countryNow    `json:"countries"`
}

// overviewAnswer is one answer to GET /v1/overview that a page was given.
type overviewAnswer struct {
	status int
	raw    string
	body   overviewBody
}

func (a overviewAnswer) service(id string) serviceStatus {
	for _, s := range a.body.Services {
		if s.ID == id {
			return s
		}
	}
	return serviceStatus{}
}

func (a overviewAnswer) String() string {
	at := "no minute evaluated"
	if a.body.At != nil {
		at = a.body.At.Format("Jan 2 15:04")
	}
	var inc []string
	for _, s := range a.body.Services {
		if s.Incident != nil {
			inc = append(inc, s.Incident.ID+" "+s.Incident.Status)
		}
	}
	return fmt.Sprintf("[%d %s, incidents %v, %d countries]", a.status, at, inc, len(a.body.Countries))
}

// overviewTap sees every answer to /v1/overview a tab gets, through the
// DevTools Fetch domain, and can hold them back: once the page has been
// given an answer that satisfies the hold, later answers wait until
// release. The page then keeps showing that moment while the test reads
// and photographs it, however fast the demo moves on.
type overviewTap struct {
	mu       sync.Mutex
	given    []overviewAnswer
	hold     func(overviewAnswer) bool
	holding  int // index+1 in given of the answer that started the hold
	released chan struct{}
}

func tapOverview(t *testing.T, tab context.Context) *overviewTap {
	t.Helper()
	tap := &overviewTap{released: make(chan struct{})}
	ctx, cancel := context.WithCancel(tab)
	paused := chromedp.Events(ctx, fetch.RequestPaused)
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{
		{URLPattern: "*/v1/overview*", RequestStage: fetch.RequestStageResponse}}}); err != nil {
		cancel()
		t.Fatalf("intercept the overview: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev, err := range paused {
			if err != nil {
				return
			}
			tap.pass(ctx, ev)
		}
	}()
	t.Cleanup(func() {
		tap.release()
		cancel()
		<-done
	})
	return tap
}

func (tap *overviewTap) pass(ctx context.Context, ev fetch.EventRequestPaused) {
	a := overviewAnswer{status: int(ev.ResponseStatusCode)}
	if res, err := chromedp.Call(ctx, fetch.GetResponseBody, fetch.GetResponseBodyParams{RequestID: ev.RequestID}); err == nil {
		a.raw = string(res.Body)
		_ = json.Unmarshal(res.Body, &a.body)
	}
	tap.mu.Lock()
	wait, released := tap.holding > 0, tap.released
	tap.mu.Unlock()
	if wait {
		select {
		case <-released:
		case <-ctx.Done():
			return
		}
	}
	tap.mu.Lock()
	tap.given = append(tap.given, a)
	if tap.hold != nil && tap.holding == 0 && a.status == http.StatusOK && tap.hold(a) {
		tap.holding = len(tap.given)
	}
	tap.mu.Unlock()
	_, _ = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
}

// holdWhen holds the answers that follow the first that satisfies f,
// which may be the last one the page was given.
func (tap *overviewTap) holdWhen(f func(overviewAnswer) bool) {
	tap.mu.Lock()
	defer tap.mu.Unlock()
	tap.hold, tap.holding, tap.released = f, 0, make(chan struct{})
	if n := len(tap.given); n > 0 && tap.given[n-1].status == http.StatusOK && f(tap.given[n-1]) {
		tap.holding = n
	}
}

// waitHeld waits until an answer starts the hold.
func (tap *overviewTap) waitHeld(within time.Duration) (overviewAnswer, bool) {
	for deadline := time.Now().Add(within); ; time.Sleep(100 * time.Millisecond) {
		if a, ok := tap.held(); ok || time.Now().After(deadline) {
			return a, ok
		}
	}
}

// held returns the answer that started the hold.
func (tap *overviewTap) held() (overviewAnswer, bool) {
	tap.mu.Lock()
	defer tap.mu.Unlock()
	if tap.holding == 0 {
		return overviewAnswer{}, false
	}
	return tap.given[tap.holding-1], true
}

// last returns the last answer the page was given.
func (tap *overviewTap) last() (overviewAnswer, bool) {
	tap.mu.Lock()
	defer tap.mu.Unlock()
	if len(tap.given) == 0 {
		return overviewAnswer{}, false
	}
	return tap.given[len(tap.given)-1], true
}

// release lets the held answers through and holds no more.
func (tap *overviewTap) release() {
	tap.mu.Lock()
	defer tap.mu.Unlock()
	tap.hold = nil
	select {
	case <-tap.released:
	default:
		close(tap.released)
	}
}

func (tap *overviewTap) summary() string {
	tap.mu.Lock()
	defer tap.mu.Unlock()
	parts := make([]string, len(tap.given))
	for i, a := range tap.given {
		parts[i] = a.String()
	}
	return fmt.Sprintf("%d overviews: %s", len(tap.given), strings.Join(parts, " "))
}

// levels are the map's ratio classes (map.js), lowest first.
var levels = []float64{0, 1.5, 3, 5, 10, 20}

func levelOf(ratio float64) int {
	lv := 0
	for i, min := range levels {
		if ratio >= min {
			lv = i
		}
	}
	return lv
}

// countriesText is how the overview lists an incident's countries: the
// highest ratio first, four at most.
func countriesText(in *incident) string {
	cs := slices.Clone(in.Countries)
	slices.SortStableFunc(cs, func(a, b countryEntry) int { return cmp.Compare(b.Ratio, a.Ratio) })
	var codes []string
	for _, c := range cs {
		codes = append(codes, c.Country)
	}
	switch {
	case len(codes) == 0 && in.Global != nil:
		return "global only"
	case len(codes) == 0:
		return "no country yet"
	case len(codes) > 4:
		return strings.Join(codes[:4], ", ") + fmt.Sprintf(" +%d", len(codes)-4)
	}
	return strings.Join(codes, ", ")
}

// checkOverview checks that the overview in the tab shows the answer it
// was given: each service's status and incident, and the map coloured by
// each country's ratio.
func checkOverview(t *testing.T, tab context.Context, a overviewAnswer, what string) {
	t.Helper()
	if a.body.At != nil {
		waitShown(t, tab, fmt.Sprintf(`(() => { const e = document.querySelector('#asof time'); return !!e && e.getAttribute('datetime') === %q; })()`,
			a.body.At.UTC().Format("2006-01-02T15:04:05.000Z")), 10*time.Second)
	}
	type shown struct {
		ID, Status, Link, LinkText, Severity, Countries, Text string
	}
	got := eval[[]shown](t, tab, `[...document.querySelectorAll('.services li')].map((li) => {
  const a = li.querySelector('.svc-incident a');
  const sev = li.querySelector('.svc-incident .badge');
  const cs = li.querySelector('.svc-incident span[title^="Countries"]');
  return {ID: li.dataset.service, Status: li.querySelector('.svc-status').textContent,
    Link: a ? a.getAttribute('href') : '', LinkText: a ? a.textContent : '',
    Severity: sev ? sev.textContent : '', Countries: cs ? cs.textContent.trim() : '', Text: li.querySelector('.svc-incident').textContent};
})`)
	byID := map[string]shown{}
	for _, s := range got {
		byID[s.ID] = s
	}
	if len(got) != len(a.body.Services) {
		t.Errorf("%s: %d services shown, the API gave %d", what, len(got), len(a.body.Services))
	}
	for _, s := range a.body.Services {
		g, ok := byID[s.ID]
		if !ok {
			t.Errorf("%s: %s is not shown", what, s.ID)
			continue
		}
		if g.Status != s.Status {
			t.Errorf("%s: %s shows status %q, the API says %q", what, s.ID, g.Status, s.Status)
		}
		in := s.Incident
		if in == nil {
			if g.Link != "" || g.Text != "No incident" {
				t.Errorf("%s: %s has no incident, the page shows %q", what, s.ID, g.Text)
			}
			continue
		}
		wantText := map[string]string{"pending": "Pending incident"}[in.Status]
		if wantText == "" {
			wantText = "Incident"
		}
		if g.Link != "/incidents/"+in.ID || g.LinkText != wantText || g.Severity != in.Severity || g.Countries != countriesText(in) {
			t.Errorf("%s: %s's incident reads %q (link %s); want %q to /incidents/%s, severity %s, countries %q",
				what, s.ID, g.Text, g.Link, wantText, in.ID, in.Severity, countriesText(in))
		}
	}
	if len(got) > 0 && len(a.body.Services) > 0 && got[0].ID != a.body.Services[0].ID {
		t.Errorf("%s: %s comes first, the API puts %s first", what, got[0].ID, a.body.Services[0].ID)
	}

	// The map: every country the API names is linked and coloured by its
	// ratio, every other one drawn as without reports.
	want := map[string]string{}
	for _, c := range a.body.Countries {
		want[c.Country] = fmt.Sprintf("land lvl-%d", levelOf(c.Ratio))
	}
	var last map[string]string
	var paths, plain int
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		last = map[string]string{}
		for _, kv := range eval[[][]string](t, tab, `[...document.querySelectorAll('svg.map a[data-cc]')].map((a) => [a.dataset.cc, a.querySelector('path').getAttribute('class')])`) {
			last[kv[0]] = kv[1]
		}
		paths = eval[int](t, tab, `document.querySelectorAll('svg.map path.land').length`)
		plain = eval[int](t, tab, `document.querySelectorAll('svg.map path.land.lvl-none').length`)
		if paths > 150 && equalMaps(last, want) && plain == paths-len(want) {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("%s: the map has %d country shapes, %d without reports; coloured %v; the API's countries want %v", what, paths, plain, last, want)
			break
		}
	}
	if n := eval[int](t, tab, `document.querySelectorAll('table[data-table="countries"] tbody tr').length`); n != len(a.body.Countries) {
		t.Errorf("%s: the map's table has %d rows, the API gave %d countries", what, n, len(a.body.Countries))
	}
	// The classes are colours: each level its own.
	fills := eval[[]string](t, tab, `['none', 0, 1, 2, 3, 4, 5].map((l) => { const p = document.querySelector('svg.map path.lvl-' + l) || document.querySelector('.legend .lvl-' + l); return p ? getComputedStyle(p)[p instanceof SVGElement ? 'fill' : 'backgroundColor'] : ''; })`)
	if len(slices.Compact(slices.Sorted(slices.Values(fills)))) != len(fills) {
		t.Errorf("%s: the map's levels do not each have a colour of their own: %v", what, fills)
	}
	hot := []string{}
	for _, c := range a.body.Countries {
		if levelOf(c.Ratio) > 0 {
			hot = append(hot, fmt.Sprintf("%s ×%.1f %s (%s)", c.Country, c.Ratio, c.Service, c.Level))
		}
	}
	t.Logf("%s at %v: %d countries with reports; above normal: %v", what, a.body.At, len(a.body.Countries), hot)
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// chartRow is a row of a chart's table.
type chartRow struct {
	T                         time.Time
	Observed, Expected, Upper *float64
	Above, Level              string
}

func (r chartRow) String() string {
	f := func(p *float64) string {
		if p == nil {
			return "—"
		}
		return strconv.FormatFloat(*p, 'f', -1, 64)
	}
	return fmt.Sprintf("%s %s/%s/%s %s %s", r.T.Format("15:04"), f(r.Observed), f(r.Expected), f(r.Upper), r.Above, r.Level)
}

const readChartTable = `[...document.querySelectorAll('table[data-chart-table] tbody tr')].map((tr) => {
  const td = tr.querySelectorAll('td');
  const n = (i) => { const v = parseFloat(td[i].textContent.replace(/[^0-9.]/g, '')); return isNaN(v) ? null : v; };
  return {T: td[0].querySelector('time').getAttribute('datetime'), Observed: n(1), Expected: n(2), Upper: n(3), Above: td[4].textContent, Level: td[5].textContent};
})`

// canvasInk counts the pixels drawn on the chart's canvas.
const canvasInk = `(() => {
  const c = document.querySelector('.plot canvas');
  if (!c || !c.width || !c.height) return 0;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i]) n++;
  return n;
})()`

// checkOutageChart checks the service page's chart over the outage: drawn,
// and its table above normal in the outage and never firing before it.
func checkOutageChart(t *testing.T, tab context.Context, o outageWindow, from, to time.Time) {
	t.Helper()
	waitShown(t, tab, `document.querySelector('.plot canvas') && document.querySelectorAll('table[data-chart-table] tbody tr').length > 0 && document.querySelector('table[data-table="incidents"]')`, 20*time.Second)
	time.Sleep(300 * time.Millisecond) // let the chart settle to its width
	if ink := eval[int](t, tab, canvasInk); ink < 5000 {
		t.Errorf("the chart's canvas is nearly blank: %d pixels drawn", ink)
	}
	if got := eval[string](t, tab, `document.querySelector('button[data-range="custom"]').getAttribute('aria-pressed') + ' ' + location.search`); !strings.HasPrefix(got, "true ?range=custom") {
		t.Errorf("the deep link's range is not kept: %s", got)
	}
	rows := eval[[]chartRow](t, tab, readChartTable)
	if want := int(to.Sub(from) / time.Minute); len(rows) != want {
		t.Errorf("the chart's table has %d rows; %v to %v by minute is %d", len(rows), from, to, want)
	}
	var in, above, firing, before, firedBefore int
	var dump []string
	for _, r := range rows {
		if r.Observed == nil {
			continue
		}
		switch {
		case !r.T.Before(o.start) && r.T.Before(o.end):
			if r.Level == "none" && r.T.After(o.start.Add(10*time.Minute)) {
				t.Errorf("row %s in the outage: the detector did not fire", r)
			}
			in++
			if r.Expected != nil && *r.Observed > *r.Expected {
				above++
			}
			if r.Upper != nil && *r.Observed > *r.Upper {
				firing++
			}
		case r.T.Before(o.start.Add(-10 * time.Minute)):
			before++
			if r.Upper != nil && *r.Observed > *r.Upper {
				firedBefore++
				dump = append(dump, r.String())
			}
			// What the detector decided, unlike the line to read by,
			// is calm before the outage.
			if r.Level != "none" {
				t.Errorf("row %s before the outage: the detector fired", r)
			}
		}
		if (r.Upper != nil && *r.Observed > *r.Upper) != (r.Above == "yes") {
			t.Errorf("row %s says above upper %q", r, r.Above)
		}
	}
	t.Logf("service chart %v–%v: %d rows; in the outage %d with data, %d above expected, %d above upper; before it %d with data, %d above upper",
		from.Format("15:04"), to.Format("15:04"), len(rows), in, above, firing, before, firedBefore)
	if in < 100 || above < in*9/10 || firing < 10 {
		var sample []string
		for _, r := range rows {
			if !r.T.Before(o.start) && r.T.Before(o.start.Add(30*time.Minute)) {
				sample = append(sample, r.String())
			}
		}
		t.Errorf("in the outage: %d rows with data, %d above expected, %d above upper; want most above expected and at least 10 above upper. First half hour (observed/expected/upper): %v",
			in, above, firing, sample)
	}
	// Upper is the rate that fires when held over a detection window, so
	// single minutes of two or three people rise above it now and then in
	// ordinary traffic; the outage holds above it.
	if before == 0 || firedBefore*4 > before {
		t.Errorf("before the outage: %d rows with data, %d above upper (want under a quarter): %v", before, firedBefore, dump)
	}
}

// checkWeekChart checks the service page's last 7 days, in steps of 15
// minutes: nothing above upper before the outage, the outage above it.
func checkWeekChart(t *testing.T, tab context.Context, o outageWindow) {
	t.Helper()
	waitShown(t, tab, `document.querySelector('.plot canvas') && document.querySelectorAll('table[data-chart-table] tbody tr').length > 0 && document.querySelector('button[data-range="7d"][aria-pressed="true"]')`, 20*time.Second)
	rows := eval[[]chartRow](t, tab, readChartTable)
	var before, during []string
	for _, r := range rows {
		if r.Observed == nil || r.Upper == nil || *r.Observed <= *r.Upper {
			continue
		}
		switch {
		case !r.T.Add(15 * time.Minute).After(o.start):
			before = append(before, r.T.Format("Jan 2 ")+r.String())
		case r.T.Before(o.end):
			during = append(during, r.String())
		}
	}
	t.Logf("the last 7 days by 15 minutes: %d rows; above upper before the outage %v, in it %d", len(rows), before, len(during))
	if len(rows) != 7*24*4 && len(rows) != 7*24*4+1 {
		t.Errorf("7 days by 15 minutes: %d rows", len(rows))
	}
	if len(before) > 0 || len(during) < int(o.end.Sub(o.start)/(15*time.Minute))-1 {
		t.Errorf("the last 7 days by 15 minutes: above upper before the outage %v, want none; in it %d steps, want all but one of %d",
			before, len(during), o.end.Sub(o.start)/(15*time.Minute))
	}
}

// checkIncidentPage checks that the incident page lists each of the
// outage's countries with its status and reporters, as the API has them.
func checkIncidentPage(t *testing.T, tab context.Context, in *incident, countries []string) {
	t.Helper()
	waitShown(t, tab, `document.querySelector('.plot canvas') && document.querySelectorAll('table[data-table="incident-countries"] tbody tr').length > 0`, 20*time.Second)
	time.Sleep(300 * time.Millisecond)
	if ink := eval[int](t, tab, canvasInk); ink < 5000 {
		t.Errorf("the incident's chart is nearly blank: %d pixels drawn", ink)
	}
	type row struct{ CC, Name, Status, Severity, Reporters string }
	rows := eval[[]row](t, tab, `(() => {
  const table = document.querySelector('table[data-table="incident-countries"]');
  const col = Object.fromEntries([...table.querySelectorAll('thead th')].map((th, i) => [th.textContent, i]));
  return [...table.querySelectorAll('tbody tr')].map((tr) => {
    const td = tr.querySelectorAll('td');
    const href = td[col['Country']].querySelector('a').getAttribute('href');
    return {CC: new URLSearchParams(href.split('?')[1]).get('country'), Name: td[col['Country']].textContent,
      Status: td[col['Status']].textContent, Severity: td[col['Severity']].textContent, Reporters: td[col['Peak reporters']].textContent};
  });
})()`)
	byCC := map[string]row{}
	for _, r := range rows {
		byCC[r.CC] = r
	}
	// A resolved country's last window is the quiet one that resolved it:
	// not worth a column of ×0 beside danger badges.
	if head := eval[string](t, tab, `[...document.querySelectorAll('table[data-table="incident-countries"] thead th')].map((th) => th.textContent).join('|')`); in.Status == "resolved" && strings.Contains(head, "Ratio") {
		t.Errorf("the resolved incident's countries show the ratio of their last window: %s", head)
	}
	if len(rows) != len(in.Countries)+btoi(in.Global != nil) {
		t.Errorf("the incident page lists %d countries, the API %d and the global series: %+v", len(rows), len(in.Countries), rows)
	}
	digits := regexp.MustCompile(`[^0-9]`)
	for _, cc := range countries {
		var want *countryEntry
		for i := range in.Countries {
			if in.Countries[i].Country == cc {
				want = &in.Countries[i]
			}
		}
		if want == nil {
			t.Errorf("the incident %s has no entry for %s: %+v", in.ID, cc, in.Countries)
			continue
		}
		r, ok := byCC[cc]
		if !ok {
			t.Errorf("the incident page does not list %s: %+v", cc, rows)
			continue
		}
		if r.Status != want.Status || r.Severity != want.Severity || digits.ReplaceAllString(r.Reporters, "") != strconv.Itoa(want.Reporters) || want.Reporters == 0 {
			t.Errorf("the incident page's %s row reads %+v; the API says status %s, severity %s, %d reporters", cc, r, want.Status, want.Severity, want.Reporters)
		}
	}
	t.Logf("incident %s (%s, %s): %+v", in.ID, in.Status, in.Severity, rows)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// produce writes a post to the demo's topic, keyed by author as the demo
// keys its own.
func produce(t *testing.T, addrs app.DemoAddrs, p seismo.Post) {
	t.Helper()
	v, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	w := &kafka.Writer{Addr: kafka.TCP(addrs.Broker), Topic: addrs.Topic, Balancer: &kafka.Hash{},
		RequiredAcks: kafka.RequireAll, WriteTimeout: 10 * time.Second, ReadTimeout: 10 * time.Second}
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := w.WriteMessages(ctx, kafka.Message{Key: []byte(p.Author), Value: v}); err != nil {
		t.Fatalf("produce %s: %v", p.ID, err)
	}
}

func listIncidents(t *testing.T, base, service string) []incident {
	t.Helper()
	var list struct{ Incidents []incident }
	getAPI(t, base+"/v1/incidents?service="+url.QueryEscape(service), &list)
	return list.Incidents
}

func getAPI(t *testing.T, u string, v any) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", u, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

// waitShown is waitFor that says what the page showed when it fails.
func waitShown(t *testing.T, tab context.Context, expr string, within time.Duration) {
	t.Helper()
	_, err := chromedp.Run(tab, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(within)))
	if err != nil {
		t.Fatalf("waiting for %s: %v\n%s shows: %s", expr, err, eval[string](t, tab, `location.href`), pageText(t, tab))
	}
}

// pageText is what the page shows, cut short, for failure messages.
func pageText(t *testing.T, tab context.Context) string {
	t.Helper()
	s := eval[string](t, tab, `document.body.innerText`)
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 1500 {
		s = s[:1500] + "…"
	}
	return s
}

// shoot writes the whole page as a PNG into dir.
func shoot(t *testing.T, tab context.Context, dir, file string) {
	t.Helper()
	time.Sleep(300 * time.Millisecond) // let charts settle to their width
	png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, file)
	if err := os.WriteFile(out, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes)", out, len(png))
}

// eventLog keeps the demo's incident events with the wall time each came.
type eventLog struct {
	began time.Time
	mu    sync.Mutex
	lines []string
}

func (l *eventLog) Write(p []byte) (int, error) {
	var ev struct {
		Type      string    `json:"type"`
		Timestamp time.Time `json:"timestamp"`
		Data      struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	for _, line := range bytes.Split(bytes.TrimSpace(p), []byte("\n")) {
		if err := json.Unmarshal(line, &ev); err != nil {
			continue
		}
		l.mu.Lock()
		l.lines = append(l.lines, fmt.Sprintf("%6.1fs %s %s (event time %s)", time.Since(l.began).Seconds(), ev.Type, ev.Data.ID, ev.Timestamp.Format("Jan 2 15:04")))
		l.mu.Unlock()
	}
	return len(p), nil
}

func (l *eventLog) first(typ, service string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range l.lines {
		if strings.Contains(s, " "+typ+" "+service+"-") {
			return strings.TrimSpace(s)
		}
	}
	return "not seen"
}

func (l *eventLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}
