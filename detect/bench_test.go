package detect_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/detect"
)

// BenchmarkAdvance measures one evaluated minute (a detector tick) over
// 1,000 and 10,000 active (service, country) series, two reporters a
// minute each, ten of them in an incident; each service's global series
// comes on top. Recording the minute's posts is not timed. "warm" is the
// usual tick, which reads one count per series; "cold" is the first tick
// of a new leader and the first of each hour, which read every series'
// whole window and baseline.
func BenchmarkAdvance(b *testing.B) {
	var countries []string
	for c := range strings.FieldsSeq(allCountries) {
		countries = append(countries, c)
	}
	for _, size := range []struct{ services, countries int }{{50, 20}, {50, 200}} {
		series := size.services * size.countries
		minute := func(m int) []seismo.Report {
			tr := traffic{}
			for i := range size.services {
				svc := fmt.Sprintf("svc%02d", i)
				for _, cc := range countries[:size.countries] {
					tr.add("q", svc, cc, m, m+1, 2)
				}
			}
			if m >= 12 {
				for _, cc := range countries[:10] {
					tr.add("burst", "svc00", cc, m, m+1, 30)
				}
			}
			return tr[m]
		}
		for _, be := range backends {
			if series > 1000 && be.name != "redis-server" {
				continue // the embedded Redis is for demos, not this size
			}
			for _, cold := range []bool{false, true} {
				name := "warm"
				if cold {
					name = "cold"
				}
				b.Run(fmt.Sprintf("%s/series=%d/%s", be.name, series, name), func(b *testing.B) {
					s := newStore(b, be.open(b), nil)
					cfg := detect.DefaultConfig()
					cfg.Warmup = 10 * time.Minute // keep the untimed set-up short
					d := newDetector(b, s, cfg)
					ctx := ctxT(b)
					m := 0
					step := func(timed bool) {
						if timed {
							b.StopTimer()
						}
						if err := s.Record(ctx, minute(m)); err != nil {
							b.Fatal(err)
						}
						if timed {
							b.StartTimer()
						}
						if timed && cold {
							d = newDetector(b, s, cfg) // nothing cached
						}
						if _, err := d.Advance(ctx, at(m+1)); err != nil {
							b.Fatal(err)
						}
						m++
					}
					for range 15 { // past the warm-up, into the incident
						step(false)
					}
					b.ResetTimer()
					for range b.N {
						step(true)
					}
					b.ReportMetric(float64(series), "series")
				})
			}
		}
	}
}

// allCountries are 200 ISO codes for the benchmark's series.
const allCountries = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
	"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP " +
	"KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT " +
	"MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW " +
	"SA SB SC SD SE SG SH SI"

// BenchmarkAdvanceHour runs the detector over 10,000 series through an hour
// boundary, where the seasonal slots change (they are read ahead during the
// hour's last ten minutes), and reports the slowest tick and the mean.
func BenchmarkAdvanceHour(b *testing.B) {
	var countries []string
	for c := range strings.FieldsSeq(allCountries) {
		countries = append(countries, c)
	}
	const services = 50
	minute := func(m int) []seismo.Report {
		tr := traffic{}
		for i := range services {
			for _, cc := range countries {
				tr.add("q", fmt.Sprintf("svc%02d", i), cc, m, m+1, 2)
			}
		}
		return tr[m]
	}
	for range b.N {
		b.StopTimer()
		s := newStore(b, backends[0].open(b), nil)
		cfg := detect.DefaultConfig()
		cfg.Warmup = 10 * time.Minute
		d := newDetector(b, s, cfg)
		ctx := ctxT(b)
		var worst, total time.Duration
		ticks := 0
		// Minutes 40 to 65 of t0's hour: warm-up, read-ahead, boundary.
		for m := 40; m < 66; m++ {
			if err := s.Record(ctx, minute(m)); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			began := time.Now()
			if _, err := d.Advance(ctx, at(m+1)); err != nil {
				b.Fatal(err)
			}
			took := time.Since(began)
			b.StopTimer()
			if testing.Verbose() {
				b.Logf("minute %d: %s", m, took)
			}
			if m >= 50 { // from the read-ahead on
				worst = max(worst, took)
				total += took
				ticks++
			}
		}
		b.ReportMetric(float64(worst.Microseconds())/1000, "worst-ms/tick")
		b.ReportMetric(float64(total.Microseconds())/1000/float64(ticks), "mean-ms/tick")
	}
}

// BenchmarkAdvanceShards measures the usual tick over 100,000 active
// (service, country) series, 500 services in 200 countries, one reporter a
// minute each, split into 1, 2 and 4 shards (Detector.Shard) that tick one
// after another, as one process each would: ms/tick is the slowest shard's
// tick on average, p50-ms and max-ms its median and slowest tick, sum-ms
// the shards' together (what one process leading them all spends),
// redis-cpu-ms the CPU the Redis server spent in the ticks (INFO cpu).
// Recording the minute's posts is not timed. Run it with -cpu 1 to hold it
// to one core, and with -benchtime 10x or more: the recording adds half a
// million keys a minute, and the tick after the keyspace passes 2^23 keys
// (the fifth timed tick), while Redis moves its key table to one twice the
// size, takes about a second more; max-ms shows it. p50-ms is the upper
// median for an even count.
func BenchmarkAdvanceShards(b *testing.B) {
	var countries []string
	for c := range strings.FieldsSeq(allCountries) {
		countries = append(countries, c)
	}
	services := (100_000 + len(countries) - 1) / len(countries)
	minute := func(m int) []seismo.Report {
		tr := traffic{}
		for i := range services {
			for _, cc := range countries {
				tr.add("q", fmt.Sprintf("svc%03d", i), cc, m, m+1, 1)
			}
		}
		return tr[m]
	}
	for _, n := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("series=%d/shards=%d", services*len(countries), n), func(b *testing.B) {
			rdb := backends[0].open(b)
			s := newStore(b, rdb, nil)
			cfg := detect.DefaultConfig()
			cfg.Warmup = 10 * time.Minute
			whole := newDetector(b, s, cfg)
			shards := make([]*detect.Detector, n)
			for k := range n {
				d, err := whole.Shard(k, n)
				if err != nil {
					b.Fatal(err)
				}
				shards[k] = d
			}
			ctx := ctxT(b)
			m := 0
			rcpu := func() float64 {
				var u, sy float64
				for line := range strings.SplitSeq(rdb.Info(ctx, "cpu").Val(), "\r\n") {
					if v, ok := strings.CutPrefix(line, "used_cpu_user:"); ok {
						fmt.Sscan(v, &u)
					}
					if v, ok := strings.CutPrefix(line, "used_cpu_sys:"); ok {
						fmt.Sscan(v, &sy)
					}
				}
				return u + sy
			}
			var slowest, sum time.Duration
			var ticks []time.Duration
			var redisCPU float64
			step := func(timed bool) {
				// In batches, as ingest records: one pipeline of 100,000
				// scripts outlasts the client's write timeout.
				for batch := range slices.Chunk(minute(m), 5000) {
					if err := s.Record(ctx, batch); err != nil {
						b.Fatal(err)
					}
				}
				var worst, all time.Duration
				for _, d := range shards {
					rc := rcpu()
					began := time.Now()
					if _, err := d.Advance(ctx, at(m+1)); err != nil {
						b.Fatal(err)
					}
					took := time.Since(began)
					if timed {
						redisCPU += rcpu() - rc
					}
					worst, all = max(worst, took), all+took
				}
				if timed {
					slowest += worst
					sum += all
					ticks = append(ticks, worst)
				}
				m++
			}
			for range 12 { // past the warm-up
				step(false)
			}
			b.ResetTimer()
			for range b.N {
				step(true)
			}
			b.StopTimer()
			slices.Sort(ticks)
			b.ReportMetric(float64(slowest.Microseconds())/1000/float64(b.N), "ms/tick")
			b.ReportMetric(float64(ticks[len(ticks)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(ticks[len(ticks)-1].Microseconds())/1000, "max-ms")
			b.ReportMetric(float64(sum.Microseconds())/1000/float64(b.N), "sum-ms")
			b.ReportMetric(redisCPU*1000/float64(b.N), "redis-cpu-ms")
			b.ReportMetric(0, "ns/op") // the recording between ticks is in it
		})
	}
}

// BenchmarkFootprint measures what a day of traffic leaves in Redis per
// series: 100 series (10 services in 10 countries) through 24 hours at a
// given rate of complaints, each from a new author, recorded and
// evaluated; then the keys and the memory (INFO used_memory, after the
// day, less before) per series, the global series included. One b.N is a
// whole day; run it with -benchtime 1x.
func BenchmarkFootprint(b *testing.B) {
	var countries []string
	for c := range strings.FieldsSeq(allCountries) {
		countries = append(countries, c)
	}
	for _, every := range []int{1, 10} { // a complaint every minute, every ten
		b.Run(fmt.Sprintf("complaint-every=%dm", every), func(b *testing.B) {
			for range b.N {
				rdb := backends[0].open(b)
				s := newStore(b, rdb, nil)
				cfg := detect.DefaultConfig()
				d := newDetector(b, s, cfg)
				ctx := ctxT(b)
				used := func() int64 {
					info := rdb.Info(ctx, "memory").Val()
					for line := range strings.SplitSeq(info, "\r\n") {
						if v, ok := strings.CutPrefix(line, "used_memory:"); ok {
							var n int64
							fmt.Sscan(v, &n)
							return n
						}
					}
					b.Fatal("no used_memory")
					return 0
				}
				before := used()
				series := 0
				for m := range 24 * 60 {
					tr := traffic{}
					if m%every == 0 {
						for i := range 10 {
							for _, cc := range countries[:10] {
								tr.add(fmt.Sprintf("q%d", m), fmt.Sprintf("svc%d", i), cc, m, m+1, 1)
							}
						}
					}
					if err := s.Record(ctx, tr[m]); err != nil {
						b.Fatal(err)
					}
					if _, err := d.Advance(ctx, at(m+1)); err != nil {
						b.Fatal(err)
					}
				}
				series = 10*10 + 10 // and one global series per service
				keys := rdb.DBSize(ctx).Val()
				b.ReportMetric(float64(keys)/float64(series), "keys/series")
				b.ReportMetric(float64(used()-before)/float64(series)/1024, "KiB/series")
			}
		})
	}
}

// BenchmarkRecord measures counting: batches of 500 complaints, each naming
// one of 50 services in one of 200 countries from a new author (so two
// scripts per post, the country's series and the global one), recorded on
// one redis-server and on a Redis Cluster of three masters on the same
// machine. reports/s is what one caller achieves; ingest runs one per
// worker.
func BenchmarkRecord(b *testing.B) {
	var countries []string
	for c := range strings.FieldsSeq(allCountries) {
		countries = append(countries, c)
	}
	for _, be := range backends {
		if be.name == "miniredis" {
			continue
		}
		b.Run(be.name, func(b *testing.B) {
			s := newStore(b, be.open(b), nil)
			ctx := ctxT(b)
			const batch = 500
			n := 0
			next := func() []seismo.Report {
				out := make([]seismo.Report, batch)
				for i := range out {
					id := fmt.Sprintf("p%d", n)
					out[i] = complaint(id, "a"+id, fmt.Sprintf("svc%02d", n%50), countries[(n/50)%len(countries)],
						at(n/20000), "login")
					n++
				}
				return out
			}
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				reports := next()
				b.StartTimer()
				if err := s.Record(ctx, reports); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "reports/s")
		})
	}
}
