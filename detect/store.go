package detect

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	"github.com/seismo-dev/seismo"
)

// StoreConfig configures the Redis adapter.
type StoreConfig struct {
	// Prefix starts every key; default "seismo".
	Prefix string
	// ReporterKey is the HMAC key under which authors are hashed before
	// they reach Redis. Required.
	ReporterKey []byte
	// BucketTTL is the lifetime of minute buckets, HyperLogLogs and dedupe
	// markers; default 72h. A bucket lives BucketTTL from its first write,
	// a marker BucketTTL from its own, so no marker expires before a bucket
	// that counted its post. A post redelivered later than this counts
	// again.
	BucketTTL time.Duration
	// SampleTTL is the lifetime of the per-minute sample post lists, from
	// their first write; default 6h.
	SampleTTL time.Duration
	// ChartTTL is how long the detector's per-minute records of a series
	// (what charts draw) are kept, from the first minute of their day it
	// wrote; default 8 days, so seven whole days can be drawn.
	ChartTTL time.Duration
	// Topic is the posts topic whose partitions' progress gives the
	// detector its watermark; default seismo.posts.
	Topic string
	// IncidentTTL is the lifetime of incidents, their index, the event
	// stream and the detector state; default 90 days.
	IncidentTTL time.Duration
	// StreamMaxLen caps the event stream (approximately); default 100000.
	StreamMaxLen int64
	// Groups maps a service to its detection group (see GroupsOf); a
	// service it does not name is a group of its own. Every process of a
	// deployment must be given the same map: the group names the Redis
	// keys of a service's detector state.
	Groups map[string]string
	// Now is the clock of progress reports. By default it is the Redis
	// server's (TIME), so that the reports of workers and the detector's
	// reading of them do not depend on each machine's clock: a worker
	// whose clock ran slow would otherwise look gone while alive, and one
	// whose clock ran fast would look alive after it died.
	Now func() time.Time
}

func (c *StoreConfig) setDefaults() {
	if c.Prefix == "" {
		c.Prefix = "seismo"
	}
	if c.BucketTTL == 0 {
		c.BucketTTL = 72 * time.Hour
	}
	if c.SampleTTL == 0 {
		c.SampleTTL = 6 * time.Hour
	}
	if c.ChartTTL == 0 {
		c.ChartTTL = 8 * 24 * time.Hour
	}
	if c.Topic == "" {
		c.Topic = "seismo.posts"
	}
	if c.IncidentTTL == 0 {
		c.IncidentTTL = 90 * 24 * time.Hour
	}
	if c.StreamMaxLen == 0 {
		c.StreamMaxLen = 100_000
	}
}

func (c *StoreConfig) validate() error {
	switch {
	case len(c.ReporterKey) == 0:
		return errors.New("detect store: ReporterKey is required")
	case strings.ContainsAny(c.Prefix, "{}"):
		return errors.New("detect store: Prefix must not contain braces (they mark hash tags)")
	case c.BucketTTL < time.Second, c.SampleTTL < time.Second, c.ChartTTL < time.Second, c.IncidentTTL < time.Second:
		return errors.New("detect store: TTLs must be at least one second")
	case c.StreamMaxLen < 1:
		return errors.New("detect store: StreamMaxLen must be positive")
	}
	return nil
}

// Store is the Redis adapter of seismo's counters, stream progress,
// incidents and event stream. It is safe for concurrent use by goroutines.
// Record and ReportProgress may also run in any number of processes at once
// (ingest workers): Record is idempotent per post and atomic per (post,
// service), and progress reports are fenced by consumer-group generation.
// So may the readers (Series, Baseline, Watermark, Progress, Incident, Incidents,
// Events), as the api replicas do. The detector's writes are not meant for
// several processes: a Lease elects one, and a compare-and-set on the last
// evaluated minute keeps a brief overlap of two detectors from applying a
// minute twice (see Detector).
type Store struct {
	rdb      redis.UniversalClient
	cfg      StoreConfig
	record   *redis.Script
	progress *redis.Script
	// progressRead reads the progress hash and its node's clock.
	progressRead *redis.Script
	union        *redis.Script
	publish      *redis.Script
	clear        *redis.Script
	marks        markHistory
	docs         docCache
}

// NewStore returns a Store on rdb. It does no I/O.
func NewStore(rdb redis.UniversalClient, cfg StoreConfig) (*Store, error) {
	if rdb == nil {
		return nil, errors.New("detect store: nil redis client")
	}
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Store{rdb: rdb, cfg: cfg, record: redis.NewScript(recordLua), progress: redis.NewScript(progressLua),
		progressRead: redis.NewScript(progressReadLua),
		union:        redis.NewScript(unionLua), publish: redis.NewScript(publishLua), clear: redis.NewScript(clearOutboxLua)}, nil
}

// series names one (service, country) series.
type series struct{ service, country string }

// String is the series' member name in the series index: "svc:CC".
func (s series) String() string { return s.service + ":" + s.country }

func parseSeries(member string) (series, bool) {
	i := strings.LastIndexByte(member, ':')
	if i <= 0 || i == len(member)-1 {
		return series{}, false
	}
	return series{member[:i], member[i+1:]}, true
}

// Keys. Every key of one series carries the hash tag {svc:CC}, so Redis
// Cluster keeps a series in one slot and a script touches one slot only.
func (s *Store) seriesKey(sr series, kind string) string {
	return s.cfg.Prefix + ":{" + sr.String() + "}:" + kind
}
func (s *Store) minuteKey(sr series, kind string, m int64) string {
	return s.seriesKey(sr, kind) + ":" + strconv.FormatInt(m, 10)
}
func (s *Store) seenKey(sr series, source, id string) string {
	return s.seriesKey(sr, "seen") + ":" + source + ":" + id
}
func (s *Store) key(name string) string { return s.cfg.Prefix + ":" + name }

// group returns the detection group of a service.
func (s *Store) group(service string) string {
	if g, ok := s.cfg.Groups[service]; ok {
		return g
	}
	return service
}

// groupKey names a key of one detection group. Every key the detector
// writes in a minute's transaction carries the group's hash tag {g:<group>},
// so Redis Cluster keeps the transaction in one slot.
func (s *Store) groupKey(group, name string) string {
	return s.cfg.Prefix + ":{g:" + group + "}:" + name
}

// baseKey names a series' baseline, in its group's slot.
func (s *Store) baseKey(sr series) string {
	return s.groupKey(s.group(sr.service), "base:"+sr.String())
}

// indexKey names a group's series index: svc:CC members scored by their
// newest minute with data on time.
func (s *Store) indexKey(group string) string { return s.groupKey(group, keySeries) }

// incKey names a key of the incidents and their event stream, which all
// share the hash tag {inc}: publishing a minute's incidents and events is
// one script in one slot.
func (s *Store) incKey(name string) string { return s.cfg.Prefix + ":{inc}:" + name }

// Key names outside the series.
const (
	keySeries    = "series"       // sorted set, per group: svc:CC by last minute with data
	keyFirst     = "series:first" // sorted set: the first minute with data ("first") and of each service ("service:<id>")
	keyDetector  = "detector"     // hash, per group: the group's detector state
	keyOutbox    = "outbox"       // hash, per group: a committed minute's incidents and events to publish
	keyEvaluated = "evaluated"    // hash: group -> last minute evaluated, for status and metrics
	keyIncidents = "incidents"
	keyOpen      = "open"     // sorted set: pending and open incident ids by start
	keyVersions  = "versions" // sorted set: incident id by the last minute published of it
	keyEvents    = "events"
	firstMember  = "first"
	// prefixServiceFirst starts the member of keyFirst that holds a
	// service's first minute with data.
	prefixServiceFirst = "service:"
)

func (s *Store) incidentKey(id string) string { return s.incKey("incident:" + id) }

// validService accepts the canonical service ids the classifier emits. Other
// characters could break the hash tag or the member syntax of the index.
func validService(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// recordLua counts one (post, service) pair once: the dedupe marker and the
// counter updates happen in one atomic step, so a redelivered or concurrently
// recorded post cannot count twice, and a crash cannot leave it half-counted.
//
// Bucket, HyperLogLog and sample keys get their TTL only when they have
// none, i.e. at creation: refreshing it on every write would let a busy
// minute outlive the markers of the posts it counted first, and re-reading
// the topic then would count those posts again. (TTL < 0 rather than
// EXPIRE NX, which needs Redis 7.)
//
// A late post only counts in the bucket's "late" field. Live, it arrives
// after its minute was evaluated and cannot change detection; in a replay at
// full speed the detector lags ingest and would still see it, so counting
// it would make the replay differ from the live run. A collateral complaint
// ("is insta down too?") only counts in the "collateral" field.
//
// KEYS: seen marker, reporter HLL, bucket hash, sample list.
// ARGV: bucket TTL s, sample TTL s, complaint 0/1, recovery 0/1, reporter,
// problem, sample JSON, sample cap, field counted apart ("late",
// "collateral") or empty, language.
const recordLua = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return 0
end
local function expireNew(key, ttl)
  if redis.call('TTL', key) < 0 then
    redis.call('EXPIRE', key, ttl)
  end
end
if ARGV[9] ~= '' then
  redis.call('HINCRBY', KEYS[3], ARGV[9], 1)
  expireNew(KEYS[3], ARGV[1])
  return 1
end
if ARGV[3] == '1' then
  redis.call('PFADD', KEYS[2], ARGV[5])
  expireNew(KEYS[2], ARGV[1])
  redis.call('HINCRBY', KEYS[3], 'complaints', 1)
  if ARGV[6] ~= '' then
    redis.call('HINCRBY', KEYS[3], 'p:' .. ARGV[6], 1)
  end
  if ARGV[10] ~= '' then
    redis.call('HINCRBY', KEYS[3], 'l:' .. ARGV[10], 1)
  end
  if ARGV[7] ~= '' then
    redis.call('LPUSH', KEYS[4], ARGV[7])
    redis.call('LTRIM', KEYS[4], 0, tonumber(ARGV[8]) - 1)
    expireNew(KEYS[4], ARGV[2])
  end
end
if ARGV[4] == '1' then
  redis.call('HINCRBY', KEYS[3], 'recoveries', 1)
end
expireNew(KEYS[3], ARGV[1])
return 1
`

// samplesPerMinute is how many sample posts each series keeps per minute.
const samplesPerMinute = 5

// sampleTextRunes bounds a sample's text.
const sampleTextRunes = 280

// Record counts reports: for each report whose Signal.Counts() is true, for
// each service in Signal.Services, exactly once per (source, post id,
// service) within BucketTTL, however often and from however many processes
// it is called with the same reports. Complaints add their reporter to the
// minute's distinct-reporter set, count the problem type and keep a sample
// post; recoveries are counted. A late report (Report.Late) is deduplicated
// the same way but only counts as late: it feeds none of what the detector
// reads, nor the series index. So does a collateral complaint
// (Signal.Collateral), which counts as collateral. The series' country is the post's, else the
// classifier's, else seismo.UnknownCountry. Service ids outside [a-z0-9._-]
// are skipped: they cannot name a key safely.
//
// All scripts of a batch go to Redis in one round trip. On error nothing is
// known about which reports counted; calling Record again with the same
// reports is safe and completes the work.
func (s *Store) Record(ctx context.Context, reports []seismo.Report) error {
	type call struct {
		keys []string
		args []any
	}
	var calls []call
	// A post of a minute the detector has already evaluated is late
	// whatever its partition's watermark says: it arrived on a partition
	// that was idle, after the detector had moved on without it. Counting
	// it would change a minute that was decided. The detector can still
	// pass the minute between this read and the scripts, but only for a
	// post on an idle partition: a partition that is not idle holds the
	// watermark below every post of it that is not late.
	evaluated, err := s.evaluatedThrough(ctx, reports)
	if err != nil {
		return err
	}
	latest := map[string]int64{}
	first := int64(0)
	serviceFirst := map[string]int64{}
	bucketTTL := int64(s.cfg.BucketTTL / time.Second)
	sampleTTL := int64(s.cfg.SampleTTL / time.Second)
	for i := range reports {
		r := &reports[i]
		if !r.Signal.Counts() {
			continue
		}
		country := reportCountry(r)
		m := unixMinute(r.Post.CreatedAt)
		reporter := s.reporter(&r.Post)
		sample, lang := "", languageOf(r)
		for j, svc := range r.Signal.Services {
			if !validService(svc) || containsBefore(r.Signal.Services, j, svc) {
				continue
			}
			apart := ""
			switch {
			case r.Late || m <= evaluated[s.group(svc)]:
				apart = "late"
			case r.Signal.Complaint && r.Signal.Collateral:
				apart = "collateral"
			}
			if r.Signal.Complaint && apart == "" && sample == "" {
				b, err := json.Marshal(newSample(r, country))
				if err != nil {
					return fmt.Errorf("record post %s: encode sample: %w", r.Post.ID, err)
				}
				sample = string(b)
			}
			smp := sample
			if apart != "" {
				smp = ""
			}
			// The country's series and the service's global one. They are
			// separate scripts: Redis Cluster may keep them in different
			// slots.
			for _, sr := range []series{{svc, country}, {svc, seismo.AllCountries}} {
				calls = append(calls, call{
					keys: []string{
						s.seenKey(sr, r.Post.Source, r.Post.ID),
						s.minuteKey(sr, "r", m),
						s.minuteKey(sr, "b", m),
						s.minuteKey(sr, "s", m),
					},
					args: []any{bucketTTL, sampleTTL, flag(r.Signal.Complaint), flag(r.Signal.Recovery),
						reporter, string(r.Signal.Problem), smp, samplesPerMinute, apart, lang},
				})
				if apart != "" {
					continue
				}
				if cur, ok := latest[sr.String()]; !ok || m > cur {
					latest[sr.String()] = m
				}
				if first == 0 || m < first {
					first = m
				}
				if cur, ok := serviceFirst[svc]; !ok || m < cur {
					serviceFirst[svc] = m
				}
			}
		}
	}
	if len(calls) == 0 {
		return nil
	}
	exec := func() error {
		pipe := s.rdb.Pipeline()
		for _, c := range calls {
			s.record.EvalSha(ctx, pipe, c.keys, c.args...)
		}
		// The series index is cross-slot, so it is a separate command; GT
		// keeps the newest minute when late posts arrive.
		if len(latest) > 0 {
			groups := map[string]bool{}
			for member, m := range latest {
				g := s.group(seriesService(member))
				groups[g] = true
				pipe.ZAddGT(ctx, s.indexKey(g), redis.Z{Score: float64(m), Member: member})
			}
			for g := range groups {
				pipe.Expire(ctx, s.indexKey(g), s.cfg.BucketTTL)
			}
			pipe.ZAddLT(ctx, s.key(keyFirst), redis.Z{Score: float64(first), Member: firstMember})
			for svc, m := range serviceFirst {
				pipe.ZAddLT(ctx, s.key(keyFirst), redis.Z{Score: float64(m), Member: prefixServiceFirst + svc})
			}
			pipe.Expire(ctx, s.key(keyFirst), s.cfg.BucketTTL)
		}
		_, err := pipe.Exec(ctx)
		return err
	}
	err = exec()
	if redis.HasErrorPrefix(err, "NOSCRIPT") {
		// The server lost its script cache (restart, failover, SCRIPT
		// FLUSH). Load the script and run the whole batch again: the
		// dedupe markers make the repeat harmless.
		if lerr := s.record.Load(ctx, s.rdb).Err(); lerr != nil {
			return fmt.Errorf("record %d counts: load script: %w", len(calls), lerr)
		}
		err = exec()
	}
	if err != nil {
		return fmt.Errorf("record %d counts: %w", len(calls), err)
	}
	return nil
}

func containsBefore(list []string, j int, v string) bool {
	for _, x := range list[:j] {
		if x == v {
			return true
		}
	}
	return false
}

func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

// reportCountry is the post's own country, else the classifier's inference,
// else unknown.
func reportCountry(r *seismo.Report) string {
	switch {
	case seismo.IsCountryCode(r.Post.Country):
		return r.Post.Country
	case seismo.IsCountryCode(r.Signal.Country):
		return r.Signal.Country
	}
	return seismo.UnknownCountry
}

// reporter returns the keyed hash that stands for the post's author. A post
// without an author counts as its own reporter.
func (s *Store) reporter(p *seismo.Post) string {
	if p.Author == "" {
		return "post:" + p.ID
	}
	mac := hmac.New(sha256.New, s.cfg.ReporterKey)
	mac.Write([]byte(p.Author))
	return hex.EncodeToString(mac.Sum(nil))
}

// languageOf returns the language a report is counted under: the
// classifier's, else the post's hint, if it can name a hash field.
func languageOf(r *seismo.Report) string {
	lang := r.Signal.Lang
	if lang == "" {
		lang = r.Post.Lang
	}
	if len(lang) > 16 || !validService(lang) {
		return ""
	}
	return lang
}

func newSample(r *seismo.Report, country string) seismo.Sample {
	lang := r.Signal.Lang
	if lang == "" {
		lang = r.Post.Lang
	}
	return seismo.Sample{
		PostID:    r.Post.ID,
		Text:      truncate(r.Post.Text, sampleTextRunes),
		Lang:      lang,
		Country:   country,
		CreatedAt: r.Post.CreatedAt.UTC(),
		URL:       r.Post.URL,
		Problem:   r.Signal.Problem,
		Cues:      sampleCues(r.Signal.Cues),
	}
}

// sampleCuesMax bounds the cues a sample keeps: the ones that explain a
// verdict come first, and a post that matched dozens is spam anyway.
const sampleCuesMax = 8

// sampleCues returns the cues a sample shows, each match cut to what a
// chip can hold.
func sampleCues(cues []seismo.Cue) []seismo.Cue {
	if len(cues) == 0 {
		return nil
	}
	out := make([]seismo.Cue, 0, min(len(cues), sampleCuesMax))
	for _, c := range cues[:min(len(cues), sampleCuesMax)] {
		c.Match = truncate(c.Match, 64)
		out = append(out, c)
	}
	return out
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	count := 0
	for i := range s {
		if count == n-1 {
			return s[:i] + "…"
		}
		count++
	}
	return s
}

// Point is one minute of a series.
type Point struct {
	Minute     time.Time `json:"minute"`
	Reporters  int64     `json:"reporters"`
	Complaints int64     `json:"complaints"`
	Recoveries int64     `json:"recoveries"`
	// Late counts the reports of the minute that arrived late; they are in
	// none of the other fields.
	Late int64 `json:"late"`
	// Collateral counts the complaints that only asked whether the service
	// was down too (Signal.Collateral); they are in none of the other
	// fields.
	Collateral int64 `json:"collateral"`
}

// seriesOf checks a series named by a reader: a service id that can name
// a key, and a country code or AllCountries.
func seriesOf(service, country string) (series, error) {
	if !validService(service) {
		return series{}, seismo.Invalid(fmt.Sprintf("service %q is not a service id", service))
	}
	if !seismo.IsCountryCode(country) && country != seismo.AllCountries {
		return series{}, seismo.Invalid(fmt.Sprintf("country %q is neither an ISO 3166-1 alpha-2 code nor %q", country, seismo.AllCountries))
	}
	return series{service, country}, nil
}

// maxSeriesMinutes bounds one Series read.
const maxSeriesMinutes = 24 * 60

// Series returns the per-minute counts of one (service, country) series for
// the minutes in [from, to), at most one day of them, for charts.
func (s *Store) Series(ctx context.Context, service, country string, from, to time.Time) ([]Point, error) {
	sr, err := seriesOf(service, country)
	if err != nil {
		return nil, err
	}
	lo, hi := unixMinute(from), unixMinute(to.Add(-time.Nanosecond))
	if hi < lo {
		return nil, nil
	}
	if hi-lo+1 > maxSeriesMinutes {
		return nil, seismo.Invalid(fmt.Sprintf("series range is %d minutes, limit %d", hi-lo+1, maxSeriesMinutes))
	}
	pipe := s.rdb.Pipeline()
	counts := make([]*redis.IntCmd, 0, hi-lo+1)
	buckets := make([]*redis.SliceCmd, 0, hi-lo+1)
	for m := lo; m <= hi; m++ {
		counts = append(counts, pipe.PFCount(ctx, s.minuteKey(sr, "r", m)))
		buckets = append(buckets, pipe.HMGet(ctx, s.minuteKey(sr, "b", m), "complaints", "recoveries", "late", "collateral"))
	}
	if err := execPipeline(ctx, pipe); err != nil {
		return nil, fmt.Errorf("read series %s: %w", sr, err)
	}
	out := make([]Point, 0, hi-lo+1)
	for i := range counts {
		vals := buckets[i].Val()
		out = append(out, Point{
			Minute:     minuteTime(lo + int64(i)),
			Reporters:  counts[i].Val(),
			Complaints: intField(vals, 0),
			Recoveries: intField(vals, 1),
			Late:       intField(vals, 2),
			Collateral: intField(vals, 3),
		})
	}
	return out, nil
}

func intField(vals []any, i int) int64 {
	if i >= len(vals) {
		return 0
	}
	str, _ := vals[i].(string)
	n, _ := strconv.ParseInt(str, 10, 64)
	return n
}

// Baseline returns the learned baseline of one series with the seasonal
// slots of the minute at; ok is false when the series has none yet. For
// charts of expected against observed, and for tests.
func (s *Store) Baseline(ctx context.Context, service, country string, at time.Time) (b Baseline, ok bool, err error) {
	sr := series{service, country}
	vals, err := s.rdb.HMGet(ctx, s.baseKey(sr), baselineFields(minuteGrid, unixMinute(at))...).Result()
	if err != nil {
		return Baseline{}, false, fmt.Errorf("read baseline of %s: %w", sr, err)
	}
	return parseBaseline(vals)
}

// evaluatedThrough returns, for each detection group of the services the
// reports name, the last minute its detector has evaluated, or
// math.MinInt64 before its first.
func (s *Store) evaluatedThrough(ctx context.Context, reports []seismo.Report) (map[string]int64, error) {
	var groups []string
	seen := map[string]bool{}
	for i := range reports {
		if !reports[i].Signal.Counts() {
			continue
		}
		for _, svc := range reports[i].Signal.Services {
			if g := s.group(svc); validService(svc) && !seen[g] {
				seen[g] = true
				groups = append(groups, g)
			}
		}
	}
	out := make(map[string]int64, len(groups))
	if len(groups) == 0 {
		return out, nil
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.StringCmd, len(groups))
	for i, g := range groups {
		cmds[i] = pipe.HGet(ctx, s.groupKey(g, keyDetector), fieldLast)
	}
	all := pipe.HVals(ctx, s.key(keyEvaluated))
	if err := execPipeline(ctx, pipe); err != nil {
		return nil, fmt.Errorf("read the last evaluated minutes: %w", err)
	}
	for i, g := range groups {
		v, err := cmds[i].Result()
		if errors.Is(err, redis.Nil) {
			// A group new to the detector: as far as the slowest group,
			// so that a post on an idle partition that every group has
			// passed does not count for a group that starts after it.
			out[g] = lowestMinute(all.Val())
			continue
		}
		m, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("last evaluated minute %q of group %s: %w", v, g, err)
		}
		out[g] = m
	}
	return out, nil
}

// lowestMinute returns the least of minutes written in decimal, or
// math.MinInt64 if there is none.
func lowestMinute(vals []string) int64 {
	low, found := int64(math.MinInt64), false
	for _, v := range vals {
		if m, err := strconv.ParseInt(v, 10, 64); err == nil && (!found || m < low) {
			low, found = m, true
		}
	}
	return low
}

// execPipeline runs a pipeline of reads and returns the first error of any
// of its commands other than redis.Nil (a missing field or key). Exec
// itself returns only the first failed command's error, and a harmless Nil
// there would hide a real error behind it: a failed read of a baseline
// would then look like no baseline, and the write would replace it.
func execPipeline(ctx context.Context, pipe redis.Pipeliner) error {
	cmds, err := pipe.Exec(ctx)
	if err == nil {
		return nil
	}
	if len(cmds) == 0 {
		return err
	}
	for _, c := range cmds {
		if e := c.Err(); e != nil && !errors.Is(e, redis.Nil) {
			return e
		}
	}
	return nil
}
