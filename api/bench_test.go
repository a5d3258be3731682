package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/seismo-dev/seismo/api"
	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/internal/redistest"
)

// BenchmarkSeries measures what a dashboard chart asks for: one series over
// seven days at 5-minute steps (2,016 points), and over a day at 1-minute
// steps (1,440), through the HTTP handler over a real redis-server that
// holds seven days of the detector's records of that series.
func BenchmarkSeries(b *testing.B) {
	rdb := redistest.Start(b).Client(b)
	store, err := detect.NewStore(rdb, detect.StoreConfig{ReporterKey: []byte("bench key")})
	if err != nil {
		b.Fatal(err)
	}
	d, err := detect.NewDetector(store, detect.DefaultConfig(), liveServices, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	const days = 7
	// A reporter every minute keeps the series evaluated every minute; the
	// detector catches up on each hour in one call.
	for h := range days * 24 {
		tr := traffic{}
		tr.add("b", "whatsapp", "GB", h*60, h*60+60, 1)
		for m := h * 60; m < h*60+60; m++ {
			if err := store.Record(ctx, tr[m]); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := d.Advance(ctx, minute(h*60+60)); err != nil {
			b.Fatal(err)
		}
	}
	srv := httptest.NewServer(api.New(api.Config{Incidents: &fakeIncidents{}, Charts: store, Services: liveServices}))
	defer srv.Close()
	end := minute(days * 24 * 60)
	for _, q := range []struct {
		name string
		span time.Duration
		step string
		want int
	}{
		{"7d-5m", days * 24 * time.Hour, "5m", days * 24 * 12},
		{"24h-1m", 24 * time.Hour, "1m", 24 * 60},
	} {
		url := fmt.Sprintf("%s/v1/series/whatsapp?country=GB&step=%s&from=%s&to=%s", srv.URL, q.step,
			end.Add(-q.span).Format(time.RFC3339), end.Format(time.RFC3339))
		b.Run(q.name, func(b *testing.B) {
			for b.Loop() {
				resp, err := http.Get(url)
				if err != nil {
					b.Fatal(err)
				}
				var body api.SeriesBody
				err = json.NewDecoder(resp.Body).Decode(&body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d, %v", resp.StatusCode, err)
				}
				if len(body.Points) != q.want || body.Points[len(body.Points)-1].Expected == nil {
					b.Fatalf("%d points (last %+v), want %d with the last evaluated", len(body.Points), body.Points[len(body.Points)-1], q.want)
				}
			}
		})
	}
}
