package dashboard_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestWriteDashboardScreenshots writes the dashboard's pictures for the
// docs from a running seismo (the demo, say). It runs only when asked:
//
//	SEISMO_SCREENSHOT_URL=http://127.0.0.1:8080 go test -run TestWriteDashboardScreenshots ./dashboard/
//
// SEISMO_SCREENSHOT_DIR is where the PNGs go (default: docs/ of the
// repository), SEISMO_READ_TOKEN the read token if the API asks for one.
// SEISMO_SCREENSHOT_URL=fake shoots this package's fake API instead.
func TestWriteDashboardScreenshots(t *testing.T) {
	base := os.Getenv("SEISMO_SCREENSHOT_URL")
	if base == "" {
		t.Skip("set SEISMO_SCREENSHOT_URL to the seismo to photograph")
	}
	if base == "fake" {
		srv, _ := startFake(t)
		base = srv.URL
	}
	dir := os.Getenv("SEISMO_SCREENSHOT_DIR")
	if dir == "" {
		dir = filepath.Join("..", "docs")
	}
	writeDashboardScreenshots(t, base, dir, os.Getenv("SEISMO_READ_TOKEN"))
}

// writeDashboardScreenshots saves dashboard-overview.png,
// dashboard-service.png, dashboard-incident.png (1280 px wide) and
// dashboard-phone.png (the overview at 390 px) of the seismo at base into
// dir. The service and incident shown are the first with an incident in
// the overview, else the first service and the newest incident.
func writeDashboardScreenshots(t *testing.T, base, dir, token string) {
	var ov struct {
		Services []struct {
			ID       string `json:"id"`
			Incident *struct {
				ID string `json:"id"`
			} `json:"incident"`
		} `json:"services"`
	}
	getAPI(t, base+"/v1/overview", token, &ov)
	if len(ov.Services) == 0 {
		t.Fatal("the overview lists no service: is the demo running and past its first minutes?")
	}
	service, incident := ov.Services[0].ID, ""
	for _, s := range ov.Services {
		if s.Incident != nil {
			service, incident = s.ID, s.Incident.ID
			break
		}
	}
	if incident == "" {
		var list struct {
			Incidents []struct {
				ID, Service string
			} `json:"incidents"`
		}
		getAPI(t, base+"/v1/incidents?limit=1", token, &list)
		if len(list.Incidents) > 0 {
			incident = list.Incidents[0].ID
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	shots := []struct {
		file, path, ready string
		width             int64
	}{
		{"dashboard-overview.png", "/", `document.querySelectorAll('svg.map path').length > 0 && document.querySelector('.services, main .empty')`, 1280},
		{"dashboard-service.png", "/services/" + url.PathEscape(service), `document.querySelector('.plot canvas, .chart .empty')`, 1280},
		{"dashboard-phone.png", "/", `document.querySelectorAll('svg.map path').length > 0 && document.querySelector('.services, main .empty')`, 390},
	}
	if incident != "" {
		shots = append(shots, struct {
			file, path, ready string
			width             int64
		}{"dashboard-incident.png", "/incidents/" + url.PathEscape(incident), `document.querySelector('.plot canvas, .chart .empty')`, 1280})
	}
	for _, s := range shots {
		ctx := newTab(t, s.width, 900)
		if token != "" {
			do(t, ctx, chromedp.Navigate(base+"/"),
				chromedp.Evaluate[chromedp.Void](`sessionStorage.setItem('seismo.read-token', `+jsString(token)+`)`))
		}
		do(t, ctx, chromedp.Navigate(base+s.path))
		waitFor(t, ctx, s.ready, 15*time.Second)
		time.Sleep(500 * time.Millisecond) // let charts settle to their width
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, s.file)
		if err := os.WriteFile(out, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%s, %d bytes)", out, s.path, len(png))
	}
}

func getAPI(t *testing.T, u, token string, v any) {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %s", u, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
