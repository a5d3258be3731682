package dashboard_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/seismo-dev/seismo/app"
	"github.com/seismo-dev/seismo/classify"
	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/simulate"
)

// BenchmarkOverviewPaint loads the overview of the demo's data, once the
// whole scenario is played, in a fresh tab of headless Chromium each time,
// from the local server the demo runs, and reports as the page measures
// it (milliseconds from the start of navigation): the first contentful
// paint (the page's frame), and the first frame that shows every service
// and the map (seismo:overview-painted, set by overview.js), the first
// meaningful paint. The medians are reported; one b.N iteration is one load.
func BenchmarkOverviewPaint(b *testing.B) {
	path := requireChromium(b)
	cls, err := classify.New(classify.Config{Languages: classify.DefaultLanguages})
	if err != nil {
		b.Fatal(err)
	}
	started := make(chan app.DemoAddrs, 1)
	played := make(chan time.Time, 1)
	done := make(chan error, 1)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		_, err := app.Demo(ctx, app.DemoOptions{
			Scenario:   simulate.WhatsApp2024(),
			Classifier: func() (*classify.Classifier, error) { return cls, nil },
			Detect:     detect.DefaultConfig(), HTTPAddr: "127.0.0.1:0", Partitions: 3,
			Started: func(a app.DemoAddrs) { started <- a },
			Played:  func(at time.Time) { played <- at },
		})
		done <- err
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			b.Errorf("demo: %v", err)
		}
	}()
	var base string
	select {
	case a := <-started:
		base = a.URL
	case err := <-done:
		b.Fatalf("the demo ended before it started: %v", err)
	}
	select {
	case <-played:
	case err := <-done:
		b.Fatalf("the demo ended before the scenario was played: %v", err)
	case <-time.After(8 * time.Minute):
		b.Fatal("the scenario was not played within 8 minutes")
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.WindowSize(1280, 900))
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()
	if err := chromedp.Do(bctx); err != nil {
		b.Fatalf("start chromium: %v", err)
	}
	type timing struct {
		FCP     float64 `json:"fcp"`
		Painted float64 `json:"painted"`
	}
	const measure = `new Promise((resolve) => {
  const read = () => {
    const p = performance.getEntriesByName('seismo:overview-painted')[0];
    if (!p) { setTimeout(read, 5); return; }
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    resolve({fcp: fcp ? fcp.startTime : -1, painted: p.startTime});
  };
  read();
})`
	var fcps, painted []float64
	for b.Loop() {
		tab, closeTab := chromedp.NewContext(bctx)
		tctx, tcancel := context.WithTimeout(tab, 30*time.Second)
		err := chromedp.Do(tctx, chromedp.Navigate(base+"/"))
		var tm timing
		if err == nil {
			tm, err = chromedp.Run(tctx, chromedp.Evaluate[timing](measure, chromedp.EvalAwaitPromise))
		}
		if os.Getenv("SEISMO_PAINT_TRACE") != "" {
			trace, _ := chromedp.Run(tctx, chromedp.Evaluate[string](`JSON.stringify(performance.getEntries().map(e => [e.entryType, e.name.replace(location.origin, ''), Math.round(e.startTime), Math.round(e.responseEnd || e.startTime + e.duration)]))`))
			b.Log(trace)
		}
		tcancel()
		closeTab()
		if err != nil {
			b.Fatalf("load the overview: %v", err)
		}
		if tm.FCP < 0 || tm.Painted <= 0 {
			b.Fatalf("the page reported no paint: %+v", tm)
		}
		fcps, painted = append(fcps, tm.FCP), append(painted, tm.Painted)
	}
	b.ReportMetric(median(fcps), "ms-fcp")
	b.ReportMetric(median(painted), "ms-overview-painted")
	b.ReportMetric(0, "ns/op") // a load's wall time includes the tab's own start; the page's figures are the ones
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
