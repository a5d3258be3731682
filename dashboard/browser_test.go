package dashboard_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// One headless Chromium serves every browser test of the binary; each
// test gets a tab of its own.
var browser struct {
	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
	err    error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if browser.cancel != nil {
		browser.cancel()
	}
	os.Exit(code)
}

// chromiumPath returns the first Chromium or Chrome on PATH, or "".
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// requireChromium returns the browser to drive. Without one the test is
// skipped, except under CI=true, where a missing dependency fails the run
// (as redistest.Require does for redis-server).
func requireChromium(tb testing.TB) string {
	tb.Helper()
	p := chromiumPath()
	if p == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("chromium is not installed; the test command (make test) installs it")
		}
		tb.Skip("chromium is not installed; run make test to install it")
	}
	return p
}

// newTab opens a tab of the shared browser at the given viewport, for
// 20 seconds. The test fails if the page throws or logs an error (a CSP
// violation is one), apart from failed loads the test asked for.
func newTab(t *testing.T, width, height int64) context.Context {
	t.Helper()
	return newTabWithin(t, width, height, 20*time.Second)
}

// newTabWithin is newTab for a tab that lives for the given time.
func newTabWithin(t *testing.T, width, height int64, within time.Duration) context.Context {
	t.Helper()
	path := requireChromium(t)
	browser.once.Do(func() {
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.WindowSize(1280, 900),
			chromedp.Flag("lang", "en-GB"))
		actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
		bctx, bcancel := chromedp.NewContext(actx)
		browser.ctx, browser.cancel = bctx, func() { bcancel(); acancel() }
		browser.err = chromedp.Do(bctx) // starts the browser, with no deadline
	})
	if browser.err != nil {
		t.Fatalf("start chromium: %v", browser.err)
	}
	tab, closeTab := chromedp.NewContext(browser.ctx)
	if err := chromedp.Do(tab); err != nil {
		closeTab()
		t.Fatalf("open a tab: %v", err)
	}
	messages := chromedp.Console(tab)
	var mu sync.Mutex
	var problems []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			text := m.String()
			if (m.Type == chromedp.ConsoleError || m.IsException()) && !strings.Contains(text, "Failed to load resource") {
				mu.Lock()
				problems = append(problems, fmt.Sprintf("%s:%d %s", m.URL, m.Line+1, text))
				mu.Unlock()
			}
		}
	}()
	ctx, cancel := context.WithTimeout(tab, within)
	t.Cleanup(func() {
		cancel()
		closeTab()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, p := range problems {
			t.Errorf("browser console: %s", p)
		}
	})
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height)); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// do runs actions in the tab, failing the test on an error.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression in the tab.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor waits until a JavaScript expression is truthy.
func waitFor(t *testing.T, ctx context.Context, expr string, within time.Duration) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(within)))
	if err != nil {
		t.Fatalf("waiting for %s: %v", expr, err)
	}
}

// firingRows counts the rows of the chart's table whose observed is above
// upper, read from the cells as a person would.
const firingRows = `(() => {
  const n = (td) => parseFloat(td.textContent.replace(/[^0-9.]/g, ''));
  return [...document.querySelectorAll('table[data-chart-table] tbody tr')]
    .filter((tr) => { const td = tr.querySelectorAll('td'); return n(td[1]) > n(td[3]); }).length;
})()`

func TestBrowserOverview(t *testing.T) {
	srv, _ := startFake(t)
	ctx := newTab(t, 1280, 900)
	do(t, ctx, chromedp.Navigate(srv.URL+"/"))
	waitFor(t, ctx, `document.querySelector('[data-service="whatsapp"] .svc-incident a[href="/incidents/whatsapp-20240403T2202Z"]')`, 5*time.Second)

	if got := eval[string](t, ctx, `document.querySelector('.services li').dataset.service`); got != "whatsapp" {
		t.Errorf("first service %q, want whatsapp (the one with an incident)", got)
	}
	if got := eval[string](t, ctx, `document.querySelector('[data-service="whatsapp"] .svc-incident').textContent`); !strings.Contains(got, "danger") || !strings.Contains(got, "GB, DE") || !strings.Contains(got, "57 min") {
		t.Errorf("WhatsApp's incident reads %q; want its severity, countries and age", got)
	}
	waitFor(t, ctx, `document.querySelectorAll('.spark canvas').length === 3`, 5*time.Second)
	// Each sparkline's table for screen readers follows the first paint.
	waitFor(t, ctx, `[...document.querySelectorAll('.spark .sr-only')].every((d) => d.querySelectorAll('table[data-chart-table] tbody tr').length > 0)`, 5*time.Second)

	// The map: countries drawn, GB coloured and linked to its worst service.
	waitFor(t, ctx, `document.querySelectorAll('svg.map path').length > 150`, 5*time.Second)
	if got := eval[string](t, ctx, `document.querySelector('svg.map a[data-cc="GB"]').getAttribute('href')`); got != "/services/whatsapp?country=GB" {
		t.Errorf("GB links to %q", got)
	}
	if got := eval[string](t, ctx, `document.querySelector('svg.map a[data-cc="GB"] path').getAttribute('class')`); got != "land lvl-4" {
		t.Errorf("GB (×19) is drawn as %q, want land lvl-4", got)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('table[data-table="countries"] tbody tr').length`); n != 4 {
		t.Errorf("the map's table has %d rows, want 4", n)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('.legend li').length`); n < 6 {
		t.Errorf("legend has %d entries", n)
	}

	// Selecting a country on the map opens its worst service there.
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Evaluate[chromedp.Void](
		`document.querySelector('svg.map a[data-cc="GB"]').dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true}))`))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, `location.pathname === '/services/whatsapp' && document.getElementById('country') && document.getElementById('country').value === 'GB'`, 5*time.Second)
}

func TestBrowserServiceChart(t *testing.T) {
	srv, _ := startFake(t)
	ctx := newTab(t, 1280, 900)
	do(t, ctx, chromedp.Navigate(srv.URL+"/services/whatsapp"))
	waitFor(t, ctx, `document.querySelector('.plot canvas') && document.querySelectorAll('table[data-chart-table] tbody tr').length > 0`, 5*time.Second)

	rows := eval[int](t, ctx, `document.querySelectorAll('table[data-chart-table] tbody tr').length`)
	firing := eval[int](t, ctx, firingRows)
	marked := eval[int](t, ctx, `document.querySelectorAll('table[data-chart-table] tbody tr.above').length`)
	// 24 h at 5 minutes (the first step starts before the range); the
	// outage is the last hour.
	if rows != 289 || firing != 12 || marked != firing {
		t.Errorf("chart table: %d rows, %d with observed > upper, %d marked; want 289, 12, 12", rows, firing, marked)
	}
	if got := eval[string](t, ctx, `document.querySelector('.chart .explain').textContent`); !strings.Contains(got, "distinct people complaining per 5 minutes") ||
		!strings.Contains(got, "normal for this time of day and week") || !strings.Contains(got, "held above this line for a detection window, the detector fires") {
		t.Errorf("the chart's key does not say what its lines mean: %q", got)
	}
	for _, id := range []string{"whatsapp-20240403T2202Z", "whatsapp-20240402T0900Z"} {
		if !eval[bool](t, ctx, fmt.Sprintf(`!!document.querySelector('table[data-table="incidents"] a[href="/incidents/%s"]')`, id)) {
			t.Errorf("incident %s not listed", id)
		}
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('.shares li').length`); n != 4 {
		t.Errorf("%d problem and language shares, want 4", n)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('.sample .chip').length`); n != 7 {
		t.Errorf("%d cue chips, want 7", n)
	}
	if got := eval[string](t, ctx, `document.querySelector('#asof time').getAttribute('title')`); got != "3 Apr 2024, 22:59 UTC" {
		t.Errorf("the data's time has UTC title %q", got)
	}
}

func TestBrowserHostilePost(t *testing.T) {
	srv, _ := startFake(t)
	ctx := newTab(t, 1280, 900)
	for _, path := range []string{"/services/whatsapp", "/incidents/whatsapp-20240403T2202Z"} {
		do(t, ctx, chromedp.Navigate(srv.URL+path))
		waitFor(t, ctx, `document.querySelectorAll('.sample .post').length === 3`, 5*time.Second)
		time.Sleep(200 * time.Millisecond) // time for an image error to fire, were there an image
		if got := eval[string](t, ctx, `document.querySelector('.sample .post').textContent`); got != hostileText {
			t.Errorf("%s: the post reads %q, want its text as it is", path, got)
		}
		if eval[bool](t, ctx, `window.__pwned !== undefined`) {
			t.Fatalf("%s: a post's markup ran", path)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('main img, main script, .sample b').length`); n != 0 {
			t.Errorf("%s: a post's markup became %d elements", path, n)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('a[href^="javascript"]').length`); n != 0 {
			t.Errorf("%s: a javascript: URL became a link", path)
		}
		if got := eval[string](t, ctx, `[...document.querySelectorAll('.cue-match')].map((e) => e.textContent).join('|')`); !strings.Contains(got, "<b>down</b>") {
			t.Errorf("%s: cue matches %q, want the markup as text", path, got)
		}
	}
}

func TestBrowserLiveIncident(t *testing.T) {
	srv, fake := startFake(t)
	ctx := newTab(t, 1280, 900)
	do(t, ctx, chromedp.Navigate(srv.URL+"/"))
	waitFor(t, ctx, `document.querySelector('[data-service="instagram"]') && document.querySelector('#live[data-state="live"]')`, 5*time.Second)
	for deadline := time.Now().Add(5 * time.Second); fake.openStreams() == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the page did not open the event stream")
		}
	}
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`window.__marker = 'same page'`))
	start := time.Now()
	fake.openInstagramIncident()
	waitFor(t, ctx, `document.querySelector('[data-service="instagram"] .svc-incident a[href="/incidents/instagram-20240403T2255Z"]')`, 3*time.Second)
	t.Logf("the new incident showed %v after its event", time.Since(start).Round(time.Millisecond))
	if got := eval[string](t, ctx, `String(window.__marker)`); got != "same page" {
		t.Errorf("the page reloaded (marker %q)", got)
	}
	if got := eval[string](t, ctx, `[...document.querySelectorAll('.services li')].map((li) => li.dataset.service).join()`); got != "whatsapp,instagram,x" {
		t.Errorf("services in order %s; incidents come first", got)
	}
	waitFor(t, ctx, `document.querySelector('svg.map a[data-cc="FR"]')`, 3*time.Second)
}

// TestBrowserLetsGoOfStream clicks through pages in one tab: each page
// left must let go of its event stream. Kept open in the back/forward
// cache, the streams would hold the six connections a browser opens to a
// host, and the seventh page could not load.
func TestBrowserLetsGoOfStream(t *testing.T) {
	srv, fake := startFake(t)
	ctx := newTab(t, 1280, 900)
	paths := []string{"/", "/services/whatsapp", "/incidents/whatsapp-20240403T2202Z", "/services/instagram",
		"/", "/services/x", "/incidents/whatsapp-20240402T0900Z", "/services/whatsapp?country=GB", "/"}
	ready := `document.querySelector('#live[data-state="live"]') && document.querySelector('main h1') && document.querySelector('#asof time')`
	for _, p := range paths {
		do(t, ctx, chromedp.Navigate(srv.URL+p))
		waitFor(t, ctx, ready, 5*time.Second)
		do(t, ctx, chromedp.Evaluate[chromedp.Void](`window.__marker = location.pathname + location.search`))
	}
	streams := func(want int) {
		t.Helper()
		for deadline := time.Now().Add(3 * time.Second); fake.openStreams() != want; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d event streams open, want %d", fake.openStreams(), want)
			}
		}
	}
	streams(1)
	// Back shows the page kept in the cache (no load event: history.back,
	// not NavigateBack): it takes its stream up again.
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`history.back()`))
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		// The document changes under the evaluation: errors until it has.
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!(location.search === '?country=GB' && `+ready+`)`)); err == nil && ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Back did not show the page before")
		}
	}
	streams(1)
	t.Logf("back to %s from the cache: %v", eval[string](t, ctx, `location.pathname + location.search`),
		eval[bool](t, ctx, `window.__marker === '/services/whatsapp?country=GB'`))
}

func TestBrowserPollingFallback(t *testing.T) {
	srv, fake := startFake(t)
	fake.mu.Lock()
	fake.refuseEvents = true
	fake.mu.Unlock()
	ctx := newTab(t, 1280, 900)
	do(t, ctx, chromedp.Navigate(srv.URL+"/"))
	waitFor(t, ctx, `document.querySelector('[data-service="instagram"]') && document.querySelector('#live[data-state="polling"]')`, 5*time.Second)
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`window.__marker = 'same page'`))
	fake.openInstagramIncident()
	waitFor(t, ctx, `document.querySelector('[data-service="instagram"] .svc-incident a[href="/incidents/instagram-20240403T2255Z"]')`, 8*time.Second)
	if got := eval[string](t, ctx, `String(window.__marker)`); got != "same page" {
		t.Errorf("the page reloaded (marker %q)", got)
	}
}

func TestBrowserIncident(t *testing.T) {
	srv, fake := startFake(t)
	ctx := newTab(t, 1280, 900)
	do(t, ctx, chromedp.Navigate(srv.URL+"/incidents/whatsapp-20240403T2202Z"))
	waitFor(t, ctx, `document.querySelector('.plot canvas') && document.querySelectorAll('table[data-table="incident-countries"] tbody tr').length === 3`, 5*time.Second)

	if got := eval[string](t, ctx, `[...document.querySelectorAll('table[data-table="incident-countries"] tbody tr td:first-child')].map((td) => td.textContent).join('|')`); got != "All countries|United Kingdom|Germany" {
		t.Errorf("countries %q", got)
	}
	if got := eval[string](t, ctx, `document.querySelector('table[data-table="incident-countries"] tbody tr:nth-child(2)').textContent`); !strings.Contains(got, "×19") || !strings.Contains(got, "52") {
		t.Errorf("GB row %q lacks its ratio and reporters", got)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('.timeline li').length`); n != 8 {
		t.Errorf("timeline has %d moments, want 8 (incident started and peaked, three series started and peaked)", n)
	}
	if !eval[bool](t, ctx, `!!document.querySelector('a[href="/incidents/instagram-20240403T2205Z"]')`) {
		t.Error("the related incident is not linked")
	}
	if got := eval[string](t, ctx, `document.querySelector('.silenced').textContent`); !strings.Contains(got, "sil-maintenance") {
		t.Errorf("silence %q", got)
	}
	if q := fake.lastSeriesQuery(); !strings.Contains(q, "from=2024-04-03T20%3A02%3A00Z") || !strings.Contains(q, "to=2024-04-03T22%3A59%3A00Z") || !strings.Contains(q, "step=1m") {
		t.Errorf("series asked with %s; want two hours before the start to the data's time, by minute", q)
	}
	if firing := eval[int](t, ctx, firingRows); firing == 0 {
		t.Error("the incident's chart shows nothing above upper")
	}

	do(t, ctx, chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('country'); s.value = 'DE'; s.dispatchEvent(new Event('change')); })()`))
	waitFor(t, ctx, `location.search === '?country=DE'`, 3*time.Second)
	for deadline := time.Now().Add(3 * time.Second); !strings.Contains(fake.lastSeriesQuery(), "country=DE"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("picking DE did not fetch its series (%s)", fake.lastSeriesQuery())
		}
	}
	// The deep link restores the pick.
	do(t, ctx, chromedp.Navigate(srv.URL+"/incidents/whatsapp-20240403T2202Z?country=DE"))
	waitFor(t, ctx, `document.getElementById('country') && document.getElementById('country').value === 'DE' && document.querySelector('.plot canvas')`, 5*time.Second)
}

func TestBrowserDeepLinks(t *testing.T) {
	srv, fake := startFake(t)
	ctx := newTab(t, 1280, 900)
	do(t, ctx, chromedp.Navigate(srv.URL+"/services/whatsapp?country=DE&range=7d"))
	waitFor(t, ctx, `document.querySelector('.plot canvas') && document.querySelector('button[data-range="7d"][aria-pressed="true"]')`, 5*time.Second)
	if got := eval[string](t, ctx, `document.getElementById('country').value`); got != "DE" {
		t.Errorf("country picker shows %q, want DE", got)
	}
	// Seven days back from 22:59 would be one step of 15 minutes too many
	// for the API, so the chart starts at the next step.
	if q := fake.lastSeriesQuery(); !strings.Contains(q, "country=DE") || !strings.Contains(q, "from=2024-03-27T23%3A00%3A00Z") || !strings.Contains(q, "step=15m") {
		t.Errorf("7 days of DE asked as %s", q)
	}
	// The picker lists the overview's countries and the incidents'.
	if got := eval[string](t, ctx, `[...document.querySelectorAll('#country option')].map((o) => o.value).sort().join()`); got != "*,BR,DE,GB,US" {
		t.Errorf("picker offers %s", got)
	}

	do(t, ctx, chromedp.Click(chromedp.CSS(`button[data-range="24h"]`)))
	waitFor(t, ctx, `location.search === '?country=DE' && document.querySelector('button[data-range="24h"][aria-pressed="true"]')`, 3*time.Second)

	do(t, ctx, chromedp.Navigate(srv.URL+"/services/whatsapp?range=custom&from=2024-04-03T20:00:00Z&to=2024-04-03T23:00:00Z"))
	waitFor(t, ctx, `document.querySelector('.plot canvas') && !document.querySelector('form.custom-range').hidden`, 5*time.Second)
	if q := fake.lastSeriesQuery(); !strings.Contains(q, "from=2024-04-03T20%3A00%3A00Z") || !strings.Contains(q, "step=1m") {
		t.Errorf("custom range asked as %s", q)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('table[data-chart-table] tbody tr').length`); n != 180 {
		t.Errorf("3 hours by minute: %d rows", n)
	}
}

func TestBrowserErrorStates(t *testing.T) {
	srv, fake := startFake(t)
	ctx := newTab(t, 1280, 900)
	do(t, ctx, chromedp.Navigate(srv.URL+"/services/nope"))
	waitFor(t, ctx, `document.querySelector('h1') && document.querySelector('h1').textContent === 'Unknown service'`, 5*time.Second)
	do(t, ctx, chromedp.Navigate(srv.URL+"/incidents/nope"))
	waitFor(t, ctx, `document.querySelector('h1') && document.querySelector('h1').textContent === 'Unknown incident'`, 5*time.Second)

	fake.mu.Lock()
	fake.services, fake.countries = nil, nil
	fake.mu.Unlock()
	do(t, ctx, chromedp.Navigate(srv.URL+"/"))
	waitFor(t, ctx, `document.querySelector('main .empty') && document.querySelector('main .empty').textContent.startsWith('No data yet')`, 5*time.Second)

	down := startUnreachable(t)
	do(t, ctx, chromedp.Navigate(down.URL+"/"))
	waitFor(t, ctx, `document.querySelector('main .empty') && document.querySelector('main .empty').textContent.includes('cannot be reached')`, 5*time.Second)
}

func TestBrowserPhoneWidth(t *testing.T) {
	srv, _ := startFake(t)
	ctx := newTab(t, 390, 844)
	for _, tc := range []struct{ path, ready string }{
		{"/", `document.querySelectorAll('svg.map path').length > 150 && document.querySelectorAll('.spark canvas').length === 3`},
		{"/services/whatsapp?country=GB", `document.querySelector('.plot canvas') && document.querySelectorAll('.sample').length === 3`},
		{"/incidents/whatsapp-20240403T2202Z", `document.querySelector('.plot canvas') && document.querySelectorAll('.timeline li').length > 0`},
	} {
		do(t, ctx, chromedp.Navigate(srv.URL+tc.path))
		waitFor(t, ctx, tc.ready, 5*time.Second)
		// Tables inside open fallbacks must scroll in their box, not the page.
		do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('details').forEach((d) => { d.open = true; })`))
		time.Sleep(150 * time.Millisecond)
		if got := eval[string](t, ctx, `document.documentElement.scrollWidth + ' ' + window.innerWidth`); func() bool {
			var sw, iw int
			_, _ = fmt.Sscan(got, &sw, &iw)
			return sw > iw
		}() {
			wide := eval[string](t, ctx, `[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.scroll')).slice(0, 5).map((e) => e.tagName + '.' + e.className).join(', ')`)
			t.Errorf("%s at 390 px: page %s wide (width, viewport); too wide: %s", tc.path, got, wide)
		}
	}
}

func TestBrowserReadToken(t *testing.T) {
	srv, fake := startFake(t)
	fake.mu.Lock()
	fake.token = "s3cret"
	fake.mu.Unlock()
	ctx := newTab(t, 1280, 900)
	do(t, ctx, chromedp.Navigate(srv.URL+"/"))
	waitFor(t, ctx, `document.querySelector('form.token-form input#token')`, 5*time.Second)
	// Enter submits as a person would (form.submit() would skip the
	// page's handler).
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil,
		chromedp.SendKeys(chromedp.ID("token"), "s3cret"+kb.Enter))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, `document.querySelector('[data-service="whatsapp"]') && document.querySelector('#live[data-state="live"]')`, 5*time.Second)
	if n := eval[int](t, ctx, `document.querySelectorAll('form.token-form').length`); n != 0 {
		t.Error("the token form stays after the token worked")
	}
	if got := eval[string](t, ctx, `sessionStorage.getItem('seismo.read-token') + ' ' + location.href`); got != "s3cret "+srv.URL+"/" {
		t.Errorf("sessionStorage and URL: %q; want the token kept and out of the URL", got)
	}
}

// TestBrowserEventParsing feeds the page's stream parser a body cut at
// awkward places: a CRLF split across chunks, data in two lines, a
// heartbeat comment.
func TestBrowserEventParsing(t *testing.T) {
	srv, _ := startFake(t)
	ctx := newTab(t, 800, 600)
	do(t, ctx, chromedp.Navigate(srv.URL+"/services/x"))
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => {
  const {readEvents} = await import('/assets/js/live.js');
  const chunks = ['id: 7\r', '\nevent: incident.opened\r\ndata: {"a":', '1}\n', '\n: ping\n\nid: 8\ndata: x\ndata:y\n\n', 'data: cut off'];
  const enc = new TextEncoder();
  const body = new ReadableStream({start(c) { for (const s of chunks) c.enqueue(enc.encode(s)); c.close(); }});
  const out = [];
  await readEvents(body, () => {}, (ev) => out.push(ev));
  return JSON.stringify(out);
})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"id":"7","event":"incident.opened","data":"{\"a\":1}"},{"id":"8","event":"","data":"x\ny"}]`
	if got != want {
		t.Errorf("parsed %s\nwant   %s", got, want)
	}
}
