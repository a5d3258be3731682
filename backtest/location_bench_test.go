package backtest_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/backtest"
	"github.com/seismo-dev/seismo/classify"
	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/simulate"
)

// testLocations returns, by country, the locations of the test split of
// place/testdata (written apart from the resolver, never used to improve
// it).
func testLocations(b *testing.B) map[string][]string {
	b.Helper()
	f, err := os.Open(filepath.Join("..", "place", "testdata", "locations.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l struct{ Location, Country string }
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			b.Fatal(err)
		}
		if fnv32(l.Location)%2 == 1 && l.Country != "" {
			out[l.Country] = append(out[l.Country], l.Location)
		}
	}
	return out
}

func fnv32(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// BenchmarkCountryFromLocation measures how much of the per-country view
// survives when posts carry no country, as Bluesky's and Mastodon's do not,
// and how much a declared profile location brings back: the demo's
// scenarios replayed with their countries, without, and without but with a
// location for a share of the authors, drawn from real-looking locations
// of each author's country that the resolver never saw.
//
//	go test ./backtest -run '^$' -bench CountryFromLocation -benchtime 1x
func BenchmarkCountryFromLocation(b *testing.B) {
	locations := testLocations(b)
	cls, err := classify.New(classify.Config{CountryFromLocation: true})
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"whatsapp-2024-04-03", "meta-2021-10-04"} {
		s, err := simulate.Builtin(name)
		if err != nil {
			b.Fatal(err)
		}
		var posts []seismo.Post
		if err := s.Generate(func(p seismo.Post) error { posts = append(posts, p); return nil }); err != nil {
			b.Fatal(err)
		}
		truth := s.Truth()
		for _, share := range []float64{-1, 0, 0.1, 0.25, 0.5} {
			label := fmt.Sprintf("%s/no-country/located=%.0f%%", name, 100*share)
			if share < 0 {
				label = name + "/with-country"
			}
			b.Run(label, func(b *testing.B) {
				in := make([]seismo.Post, len(posts))
				for i, p := range posts {
					if share >= 0 {
						cc := p.Country
						p.Country = ""
						h := fnv32(p.Author)
						if locs := locations[cc]; len(locs) > 0 && float64(h%1000) < share*1000 {
							p.Location = locs[int(h/1000)%len(locs)]
						}
					}
					in[i] = p
				}
				for b.Loop() {
					store, closeStore, err := backtest.OpenStore("", "location", []byte("location-bench"), cls.Services())
					if err != nil {
						b.Fatal(err)
					}
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
					res, err := backtest.Replay(ctx, in, backtest.Options{Classifier: cls, Store: store, Config: detect.DefaultConfig(), Flush: time.Hour})
					cancel()
					closeStore()
					if err != nil {
						b.Fatal(err)
					}
					sc := simulate.Score(truth, res.Events)
					detected := 0
					for _, o := range sc.Outages {
						if o.Detected {
							detected++
						}
					}
					b.ReportMetric(float64(sc.Found), "countries-found")
					b.ReportMetric(float64(sc.Expected), "countries-affected")
					b.ReportMetric(float64(detected), "outages-detected")
					b.ReportMetric(float64(len(sc.False)), "false-openings")
					b.ReportMetric(sc.CountryMedianLatency.Minutes(), "country-median-min")
				}
			})
		}
	}
}
