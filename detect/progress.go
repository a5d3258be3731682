package detect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/seismo-dev/seismo"
)

// The detector's watermark is a property of the stream, not of who consumes
// it. Each partition of the posts topic has one record in the hash
// seismo:progress:<topic>, written by whichever worker owns the partition in
// the current consumer-group generation: how far it is recorded (the next
// offset), the partition's end offset, the newest event time recorded and
// the partition's watermark (that minus the allowed lateness), and since when
// it is caught up. The detector's watermark is the minimum over all
// partitions of the topic of the watermarks of those that hold it back; a
// partition holds it back unless its owner is alive and it has been caught up
// to its end offset for the idle timeout. A partition without a record, or
// one that holds it back without a post recorded yet, leaves the detector
// with no watermark at all.

// progressTTL keeps the progress of a topic nobody consumes any more from
// lingering forever; every report renews it.
const progressTTL = 30 * 24 * time.Hour

// fieldPartitions holds the topic's partition count in the progress hash.
const fieldPartitions = "partitions"

// progressLua writes the progress of the partitions one owner reports, on
// the Redis server's clock, and refuses the partitions whose stored record
// comes from a later consumer-group generation whose owner is still alive:
// a worker that lost a partition in a rebalance must not report on it. A
// record is "<generation> <reported ms> <idle at ms or -> <stale after ms>
// <JSON>".
//
// KEYS: progress hash. ARGV: generation, now ms ("" for the server's
// clock), TTL s, partition count, stale after ms, then per partition: field,
// idle-in ms ("" when not caught up), JSON.
const progressLua = `
local now
if ARGV[2] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
else
  now = tonumber(ARGV[2])
end
local gen = tonumber(ARGV[1])
local refused = {}
for i = 6, #ARGV, 3 do
  local cur = redis.call('HGET', KEYS[1], ARGV[i])
  local ok = true
  if cur then
    local g, hb, _, stale = string.match(cur, '^(%d+) (%d+) (%S+) (%d+) ')
    if g and tonumber(g) > gen and now - tonumber(hb) < tonumber(stale) then
      ok = false
    end
  end
  if ok then
    local idle = '-'
    if ARGV[i + 1] ~= '' then
      idle = tostring(now + tonumber(ARGV[i + 1]))
    end
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[1] .. ' ' .. now .. ' ' .. idle .. ' ' .. ARGV[5] .. ' ' .. ARGV[i + 2])
  else
    table.insert(refused, ARGV[i])
  end
end
local n = tonumber(redis.call('HGET', KEYS[1], 'partitions') or '0')
if tonumber(ARGV[4]) > n then
  redis.call('HSET', KEYS[1], 'partitions', ARGV[4])
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
return refused
`

// progressReadLua returns the server's time (seconds, microseconds) and the
// progress hash. KEYS: the progress hash.
const progressReadLua = `
local t = redis.call('TIME')
return {tonumber(t[1]), tonumber(t[2]), redis.call('HGETALL', KEYS[1])}
`

// progressJSON is the part of a record the script does not read.
type progressJSON struct {
	Owner     string `json:"owner"`
	Next      int64  `json:"next"`
	End       int64  `json:"end"`
	Newest    int64  `json:"newest_ms,omitempty"`
	Watermark int64  `json:"watermark_ms,omitempty"`
	HasMark   bool   `json:"marked,omitempty"`
	// FreshMs is how long the report's word that the partition is caught
	// up holds.
	FreshMs int64 `json:"fresh_ms"`
	// EndAgeMs is PartitionProgress.EndAge.
	EndAgeMs int64 `json:"end_age_ms,omitempty"`
}

func (s *Store) progressKey(topic string) string { return s.key("progress:" + topic) }

// ReportProgress records the progress of partitions owned by owner and
// returns the partitions it was refused, because a later generation's owner
// is alive and reported them. Only the worker that owns a partition in the
// current generation reports it; a worker that owns none reports nothing.
func (s *Store) ReportProgress(ctx context.Context, owner seismo.PartitionOwner, parts []seismo.PartitionProgress) (refused []int, err error) {
	switch {
	case owner.Topic == "" || owner.Worker == "":
		return nil, seismo.Invalid("progress report without topic or worker")
	case owner.StaleAfter <= 0 || owner.FreshFor <= 0:
		return nil, seismo.Invalid("progress report without StaleAfter or FreshFor")
	}
	now := ""
	if s.cfg.Now != nil {
		now = strconv.FormatInt(s.cfg.Now().UnixMilli(), 10)
	}
	args := []any{owner.Generation, now, int64(progressTTL / time.Second), owner.Partitions, owner.StaleAfter.Milliseconds()}
	for _, p := range parts {
		rec := progressJSON{Owner: owner.Worker, Next: p.Next, End: p.End, FreshMs: owner.FreshFor.Milliseconds(),
			EndAgeMs: max((p.EndAge + time.Millisecond - 1).Milliseconds(), 0)} // rounded up: earlier is safe
		if !p.Newest.IsZero() {
			rec.Newest, rec.Watermark, rec.HasMark = p.Newest.UnixMilli(), p.Watermark.UnixMilli(), true
		}
		b, err := json.Marshal(rec)
		if err != nil {
			return nil, fmt.Errorf("encode progress of partition %d: %w", p.Partition, err)
		}
		idle := ""
		if p.CaughtUp() {
			idle = strconv.FormatInt(p.IdleIn.Milliseconds(), 10)
		}
		args = append(args, strconv.Itoa(p.Partition), idle, string(b))
	}
	res, err := s.progress.Run(ctx, s.rdb, []string{s.progressKey(owner.Topic)}, args...).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("report progress of %d partitions of %s: %w", len(parts), owner.Topic, err)
	}
	for _, f := range res {
		p, _ := strconv.Atoi(f)
		refused = append(refused, p)
	}
	return refused, nil
}

// Resume returns the stored progress of the given partitions of topic, for
// a worker that has just been assigned them: it goes on with their event
// time where the last owner left it. Partitions without a record are
// missing from the map.
func (s *Store) Resume(ctx context.Context, topic string, partitions []int) (map[int]seismo.PartitionProgress, error) {
	fields := make([]string, len(partitions))
	for i, p := range partitions {
		fields[i] = strconv.Itoa(p)
	}
	vals, err := s.rdb.HMGet(ctx, s.progressKey(topic), fields...).Result()
	if err != nil {
		return nil, fmt.Errorf("read progress of %s: %w", topic, err)
	}
	out := make(map[int]seismo.PartitionProgress, len(partitions))
	for i, v := range vals {
		str, ok := v.(string)
		if !ok {
			continue
		}
		rec, err := parseProgress(partitions[i], str)
		if err != nil {
			return nil, err
		}
		out[partitions[i]] = rec.PartitionProgress
	}
	return out, nil
}

// partitionRecord is one stored record.
type partitionRecord struct {
	seismo.PartitionProgress
	owner      string
	generation int32
	reported   time.Time
	idleAt     time.Time // zero when not caught up
	staleAfter time.Duration
	freshFor   time.Duration
	endAge     time.Duration
}

// endAsked is when, by the Redis clock, the end offset was asked for.
func (r *partitionRecord) endAsked() time.Time { return r.reported.Add(-r.endAge) }

func parseProgress(partition int, v string) (partitionRecord, error) {
	bad := func(err error) (partitionRecord, error) {
		return partitionRecord{}, fmt.Errorf("progress of partition %d: %q: %w", partition, v, err)
	}
	parts := strings.SplitN(v, " ", 5)
	if len(parts) != 5 {
		return bad(errors.New("not five fields"))
	}
	var nums [4]int64
	for i := range 4 {
		if i == 2 && parts[i] == "-" {
			continue
		}
		n, err := strconv.ParseInt(parts[i], 10, 64)
		if err != nil {
			return bad(err)
		}
		nums[i] = n
	}
	var js progressJSON
	if err := json.Unmarshal([]byte(parts[4]), &js); err != nil {
		return bad(err)
	}
	r := partitionRecord{
		PartitionProgress: seismo.PartitionProgress{Partition: partition, Next: js.Next, End: js.End},
		owner:             js.Owner,
		generation:        int32(nums[0]),
		reported:          time.UnixMilli(nums[1]).UTC(),
		staleAfter:        time.Duration(nums[3]) * time.Millisecond,
		freshFor:          time.Duration(js.FreshMs) * time.Millisecond,
		endAge:            time.Duration(js.EndAgeMs) * time.Millisecond,
	}
	if parts[2] != "-" {
		r.idleAt = time.UnixMilli(nums[2]).UTC()
	}
	if js.HasMark {
		r.Newest, r.Watermark = time.UnixMilli(js.Newest).UTC(), time.UnixMilli(js.Watermark).UTC()
	}
	return r, nil
}

// alive reports whether the record's owner reported within its stale time.
func (r *partitionRecord) alive(now time.Time) bool { return now.Sub(r.reported) < r.staleAfter }

// idle reports whether the partition no longer holds the watermark back:
// caught up for the idle timeout, by a fresh report. The word of an owner
// that stopped reporting says nothing about what was produced since, and
// nobody may be reading it until the group gives the partition to another
// worker.
func (r *partitionRecord) idle(now time.Time) bool {
	return !r.idleAt.IsZero() && !now.Before(r.idleAt) && now.Sub(r.reported) < r.freshFor
}

// PartitionStatus is one partition of the posts topic as seismo status and
// /v1/status show it.
type PartitionStatus struct {
	Partition  int        `json:"partition"`
	Owner      string     `json:"owner"`
	Generation int32      `json:"generation"`
	Committed  int64      `json:"committed_offset"`
	End        int64      `json:"end_offset"`
	Lag        int64      `json:"lag"`
	Newest     *time.Time `json:"newest_event_time"`
	Watermark  *time.Time `json:"watermark"`
	// Idle: caught up for the idle timeout by a fresh report, so it does
	// not hold the detector's watermark back.
	Idle bool `json:"idle"`
	// Alive: the owner reported within its stale time.
	Alive      bool      `json:"owner_alive"`
	ReportedAt time.Time `json:"reported_at"`
}

// Progress is the state of the whole stream: every partition, the
// detector's watermark derived from them, and the detector's position.
type Progress struct {
	Topic string `json:"topic"`
	// Partitions lists every partition of the topic; one nobody has
	// reported yet has no owner.
	Partitions []PartitionStatus `json:"partitions"`
	// Watermark is the detector's watermark, nil while there is none;
	// Waiting then says why, and HeldBy names the partition that holds
	// the watermark where it is.
	Watermark *time.Time `json:"watermark"`
	HeldBy    *int       `json:"held_by,omitempty"`
	Waiting   string     `json:"waiting,omitempty"`
	// Confirming lists the idle partitions whose word does not yet cover
	// the stream as this process reads it now: their end offsets were
	// asked for before it saw the stream get where it is (or before it
	// first read it), so they hold the watermark back until their next
	// report.
	Confirming []int `json:"confirming,omitempty"`
	// Evaluated is the end of the last minute the detector evaluated, nil
	// before its first.
	Evaluated *time.Time `json:"evaluated"`
	Now       time.Time  `json:"now"`
}

// Watermark returns the detector's watermark over the progress of every
// partition of StoreConfig.Topic; ok is false while there is none.
func (s *Store) Watermark(ctx context.Context) (wm time.Time, ok bool, err error) {
	p, err := s.Progress(ctx)
	if err != nil || p.Watermark == nil {
		return time.Time{}, false, err
	}
	return *p.Watermark, true, nil
}

// Progress reads the progress of every partition of StoreConfig.Topic and
// derives the detector's watermark from it: the minimum watermark over the
// partitions that hold it back, or, when none does, the maximum over all.
func (s *Store) Progress(ctx context.Context) (Progress, error) {
	topic := s.cfg.Topic
	lasts, err := s.rdb.HVals(ctx, s.key(keyEvaluated)).Result()
	if err != nil {
		return Progress{}, fmt.Errorf("read the evaluated minutes: %w", err)
	}
	// The records and the time come from one node in one script: the
	// reports are stamped with that node's clock, and the watermarks
	// remembered below are compared with those stamps.
	res, err := s.progressRead.Run(ctx, s.rdb, []string{s.progressKey(topic)}).Slice()
	if err != nil || len(res) != 3 {
		return Progress{}, fmt.Errorf("read progress of %s: %v %w", topic, res, err)
	}
	secs, _ := res[0].(int64)
	micros, _ := res[1].(int64)
	now := time.Unix(secs, micros*1000)
	if s.cfg.Now != nil {
		now = s.cfg.Now()
	}
	fields := map[string]string{}
	flat, _ := res[2].([]any)
	for i := 0; i+1 < len(flat); i += 2 {
		k, _ := flat[i].(string)
		v, _ := flat[i+1].(string)
		fields[k] = v
	}
	out := Progress{Topic: topic, Now: now.UTC()}
	// The detector is as far as its slowest group.
	if m := lowestMinute(lasts); m != math.MinInt64 {
		t := minuteTime(m + 1)
		out.Evaluated = &t
	}
	count, _ := strconv.Atoi(fields[fieldPartitions])
	if count == 0 {
		out.Waiting = "no worker has reported the topic's partitions yet"
		return out, nil
	}
	recs := make([]*partitionRecord, count)
	for p := range count {
		st := PartitionStatus{Partition: p}
		v, found := fields[strconv.Itoa(p)]
		if !found {
			out.Partitions = append(out.Partitions, st)
			if out.Waiting == "" {
				out.Waiting = fmt.Sprintf("partition %d has not been reported by any worker", p)
			}
			continue
		}
		r, err := parseProgress(p, v)
		if err != nil {
			return Progress{}, err
		}
		recs[p] = &r
		st.Owner, st.Generation, st.Committed, st.End = r.owner, r.generation, r.Next, r.End
		st.Lag = max(r.End-r.Next, 0)
		st.ReportedAt, st.Alive, st.Idle = r.reported, r.alive(now), r.idle(now)
		if !r.Newest.IsZero() {
			n, w := r.Newest, r.Watermark
			st.Newest, st.Watermark = &n, &w
		}
		out.Partitions = append(out.Partitions, st)
	}
	if out.Waiting != "" {
		return out, nil
	}
	// Every idle partition is taken at its word: what the stream says now.
	// It is remembered, and each idle partition then bounds the watermark
	// to what the stream said when its end offset was asked for.
	idle := func(p int) bool { return out.Partitions[p].Idle }
	wm, _, _ := deriveWatermark(recs, idle)
	s.marks.note(now, wm)
	full := wm
	bound, bounded, bounder := time.Time{}, false, -1
	trusted := map[int]bool{}
	for p, r := range recs {
		if !idle(p) {
			continue
		}
		b, ok := s.marks.at(r.endAsked())
		if !ok || b.Before(full) {
			out.Confirming = append(out.Confirming, p)
		}
		if ok {
			trusted[p] = true
			if !bounded || b.Before(bound) {
				bound, bounded, bounder = b, true, p
			}
		}
	}
	wm, held, waiting := deriveWatermark(recs, func(p int) bool { return trusted[p] })
	switch {
	case waiting != "" && held >= 0 && idle(held):
		out.Waiting = fmt.Sprintf("partition %d is idle by an end offset asked for before this process first read the stream; its next report confirms it", held)
	case waiting != "":
		out.Waiting = waiting
	case bounded && bound.Before(wm):
		// An idle partition may yet hold posts produced up to now.
		out.Watermark, out.HeldBy = &bound, &bounder
	default:
		out.Watermark = &wm
		if held >= 0 {
			out.HeldBy = &held
		}
	}
	return out, nil
}

// ConfirmedProgress is Progress for a process that has just started: it
// reads again every half second, for up to within, while idle partitions
// hold its watermark back (Progress.Confirming), because it cannot take
// their word until their next report (a publish interval, 1s by default)
// shows their end offsets were asked for after it first read the stream.
func (s *Store) ConfirmedProgress(ctx context.Context, within time.Duration) (Progress, error) {
	p, err := s.Progress(ctx)
	for deadline := time.Now().Add(within); err == nil && len(p.Confirming) > 0 && time.Now().Before(deadline); {
		select {
		case <-ctx.Done():
			return p, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
		p, err = s.Progress(ctx)
	}
	return p, err
}

// deriveWatermark returns the minimum watermark over the partitions that
// hold it back (all but the idle ones) and the partition holding it, or,
// when none does, the maximum over all and -1; waiting says why there is
// none, and held is then the partition without a post. Every record is
// present.
func deriveWatermark(recs []*partitionRecord, idle func(p int) bool) (wm time.Time, held int, waiting string) {
	var low, high time.Time
	held, anyMark := -1, false
	for p, r := range recs {
		if !r.Newest.IsZero() && (!anyMark || r.Watermark.After(high)) {
			high, anyMark = r.Watermark, true
		}
		switch {
		case idle(p):
		case r.Newest.IsZero():
			if waiting == "" {
				waiting, held = fmt.Sprintf("partition %d has no post recorded yet", p), p
			}
		case waiting != "":
		case held < 0 || r.Watermark.Before(low):
			low, held = r.Watermark, p
		}
	}
	switch {
	case waiting != "":
		return time.Time{}, held, waiting
	case held >= 0:
		return low, held, ""
	case anyMark:
		return high, -1, ""
	}
	return time.Time{}, -1, "no partition has a post recorded yet"
}

// markHistory remembers the watermark the stream allowed at each Progress
// read of this process, as it changed, for a while: an idle partition's
// word holds only for what had been recorded elsewhere when its end offset
// was asked for. A process that has just started knows no such moment, and
// lets an idle partition hold the watermark back until its next report.
type markHistory struct {
	mu  sync.Mutex
	obs []markAt
}

type markAt struct {
	at, wm time.Time // wm zero: none
}

// markHistoryLen bounds the history, and markSpacing keeps however many
// reads there are from shortening it: it spans at least 400s, far more
// than a report's freshness.
const (
	markHistoryLen = 4096
	markSpacing    = 100 * time.Millisecond
)

// note records that the stream allowed wm (zero: no watermark) at t.
func (h *markHistory) note(t, wm time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if n := len(h.obs); n > 0 && (h.obs[n-1].wm.Equal(wm) || t.Sub(h.obs[n-1].at) < markSpacing) {
		// Unchanged, a read that overtook a later one, or too soon: the
		// earlier, lower watermark then stands for longer, which is safe.
		return
	}
	if len(h.obs) == markHistoryLen {
		h.obs = append(h.obs[:0], h.obs[markHistoryLen/2:]...)
	}
	h.obs = append(h.obs, markAt{t, wm})
}

// at returns the watermark the stream allowed at t, if this process read it
// then or before and it was not none.
func (h *markHistory) at(t time.Time) (time.Time, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	i := sort.Search(len(h.obs), func(i int) bool { return h.obs[i].at.After(t) })
	if i == 0 || h.obs[i-1].wm.IsZero() {
		return time.Time{}, false
	}
	return h.obs[i-1].wm, true
}

// WriteText prints the progress for people, as seismo status does: one
// line per partition, then the watermark and how far the detector has
// evaluated.
func (p Progress) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "topic %s, %d partitions\n\n", p.Topic, len(p.Partitions))
	if len(p.Partitions) > 0 {
		if err := p.writePartitions(w); err != nil {
			return err
		}
	}
	if p.Watermark != nil {
		fmt.Fprintf(w, "watermark  %s\n", textTime(p.Watermark))
	} else {
		fmt.Fprintf(w, "watermark  none: %s\n", p.Waiting)
	}
	var err error
	if p.Evaluated != nil {
		_, err = fmt.Fprintf(w, "evaluated  through %s\n", textTime(p.Evaluated))
	} else {
		_, err = fmt.Fprintln(w, "evaluated  nothing yet")
	}
	return err
}

// textTime is t for people, "-" when there is none.
func textTime(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// writePartitions prints one line per partition.
func (p Progress) writePartitions(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PARTITION\tOWNER\tGEN\tCOMMITTED\tEND\tLAG\tWATERMARK\tSTATE\tREPORTED")
	for _, s := range p.Partitions {
		if s.Owner == "" {
			fmt.Fprintf(tw, "%d\t-\t-\t-\t-\t-\t-\tnever reported\t-\n", s.Partition)
			continue
		}
		state := "consuming"
		switch {
		case !s.Alive:
			state = "owner gone"
		case s.Idle:
			state = "idle"
		case s.Lag == 0:
			state = "caught up"
		}
		if p.HeldBy != nil && *p.HeldBy == s.Partition {
			state += ", holds the watermark"
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s ago\n", s.Partition, s.Owner, s.Generation,
			s.Committed, s.End, s.Lag, textTime(s.Watermark), state, p.Now.Sub(s.ReportedAt).Round(time.Second))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w)
	return err
}
