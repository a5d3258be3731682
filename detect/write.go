package detect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/seismo-dev/seismo"
)

// errRaced reports that another detector applied the minute first.
var errRaced = errors.New("another detector evaluated the minute first")

// write commits one minute of the group: chart records, baselines, the
// group's detector state and its outbox (the minute's incidents and
// events), in one script (writeLua) on keys that share the group's hash
// tag, so one slot of Redis Cluster. The minute is applied whole or not at
// all, so a crash can only make the next detector evaluate the minute again
// from the same state. The outbox is then published (see publish), and a
// crash before that leaves it to the next detector's load, which publishes
// it first.
//
// The script is a compare-and-set: it applies only if the persisted last
// evaluated minute is still the one st was loaded or advanced to, and no
// outbox waits to be published. Two detectors that overlap (a leader
// paused past its lease) therefore cannot both apply a minute; the loser
// gets errRaced and must reload its state. One script is one round trip,
// where WATCH, a read, MULTI/EXEC and UNWATCH were four.
func (d *group) write(ctx context.Context, st *state, run *minuteRun, events []seismo.Event) error {
	ops, box, err := d.writeOps(st, run, events)
	if err != nil {
		return err
	}
	expected := ""
	if st.hasLast {
		expected = strconv.FormatInt(st.last, 10)
	}
	applied, err := d.s.write.Run(ctx, d.s.rdb, ops.keys, append([]any{expected}, ops.args...)...).Int()
	if err != nil {
		return fmt.Errorf("write minute: %w", err)
	}
	if applied == 0 {
		return errRaced
	}
	st.last, st.hasLast = run.m, true
	d.chartsWritten(run.charts)
	clear(st.removedSeries)
	clear(st.removedIncidents)
	if d.testHookAfterCommit != nil {
		if err := d.testHookAfterCommit(minuteTime(run.m)); err != nil {
			return err
		}
	}
	if box == nil {
		return nil
	}
	return d.publishOutbox(ctx, box)
}

// writeLua applies a minute's writes if the group's last evaluated minute
// is the one expected ("" for none) and no outbox is pending; it returns 1
// if it applied them, else 0.
//
// KEYS: the detector hash, the outbox, then every other key the writes
// touch. ARGV: the expected last minute, then the writes, each a command,
// the index of its key in KEYS, the number of its arguments, and those.
const writeLua = `
if redis.call('EXISTS', KEYS[2]) == 1 then
  return 0
end
local cur = redis.call('HGET', KEYS[1], 'last')
if ARGV[1] == '' then
  if cur then
    return 0
  end
elseif cur ~= ARGV[1] then
  return 0
end
local i = 2
while i <= #ARGV do
  local n = tonumber(ARGV[i + 2])
  redis.call(ARGV[i], KEYS[tonumber(ARGV[i + 1])], unpack(ARGV, i + 3, i + 2 + n))
  i = i + 3 + n
end
return 1
`

// minuteOps lays out a minute's writes as writeLua takes them.
type minuteOps struct {
	keys  []string
	index map[string]int
	args  []any
}

func newMinuteOps(det, outbox string) *minuteOps {
	return &minuteOps{keys: []string{det, outbox}, index: map[string]int{det: 1, outbox: 2}}
}

// op adds one write: a command on key with its arguments.
func (o *minuteOps) op(cmd, key string, args ...any) {
	o.head(cmd, key, len(args))
	o.args = append(o.args, args...)
}

// head adds a command on key whose n arguments the caller appends to
// o.args next.
func (o *minuteOps) head(cmd, key string, n int) {
	k, ok := o.index[key]
	if !ok {
		o.keys = append(o.keys, key)
		k = len(o.keys)
		o.index[key] = k
	}
	o.args = append(o.args, cmd, k, n)
}

// writeOps encodes everything the minute writes.
func (d *group) writeOps(st *state, run *minuteRun, events []seismo.Event) (*minuteOps, *outbox, error) {
	type field struct {
		name  string
		value []byte
	}
	var stateFields []field
	for _, member := range slices.Sorted(maps.Keys(st.series)) {
		b, err := json.Marshal(st.series[member])
		if err != nil {
			return nil, nil, fmt.Errorf("encode series state %s: %w", member, err)
		}
		stateFields = append(stateFields, field{prefixSeries + member, b})
	}
	for _, svc := range slices.Sorted(maps.Keys(st.incidents)) {
		is := st.incidents[svc]
		b, err := json.Marshal(is)
		if err != nil {
			return nil, nil, fmt.Errorf("encode incident state %s: %w", is.inc.ID, err)
		}
		stateFields = append(stateFields, field{prefixIncidents + is.inc.ID, b})
	}

	box, err := newOutbox(run.m, st, run, events)
	if err != nil {
		return nil, nil, err
	}
	var boxJSON []byte
	if box != nil {
		if boxJSON, err = json.Marshal(box); err != nil {
			return nil, nil, fmt.Errorf("encode the outbox: %w", err)
		}
	}

	det, outboxKey := d.s.groupKey(d.name, keyDetector), d.s.groupKey(d.name, keyOutbox)
	ops := newMinuteOps(det, outboxKey)
	run.charts = d.chartWrites(run)
	// Per series: a chart record and its expiry, and a baseline of up to
	// six fields and its expiry.
	ops.args = make([]any, 0, 9*len(run.charts)+20*len(run.readings)+8*len(stateFields)+32)
	chartTTL := int64(d.s.cfg.ChartTTL / time.Second)
	for _, w := range run.charts {
		ops.op("SETRANGE", w.key, w.offset, w.record)
		if w.expire {
			ops.op("EXPIRE", w.key, chartTTL)
		}
	}
	baselineTTL := int64(d.cfg.BaselineTTL / time.Second)
	names := baselineFields(minuteGrid, run.m)
	buf := make([]byte, 0, 4*24*len(run.readings))
	for i := range run.readings {
		r := &run.readings[i]
		if r.idle {
			continue
		}
		key := d.s.baseKey(r.sr)
		n := 8
		if r.hasSeen {
			n += 2
		}
		if r.elevated {
			n += 2
		}
		ops.head("HSET", key, n)
		ops.args, buf = r.base.appendFields(ops.args, names, buf)
		if r.hasSeen {
			ops.args = append(ops.args, fieldSeen, r.seen)
		}
		if r.elevated {
			ops.args = append(ops.args, fieldOnset, run.m)
		}
		if r.refresh {
			ops.op("EXPIRE", key, baselineTTL)
		}
	}
	ops.op("HSET", det, fieldLast, run.m, fieldStart, st.start)
	for _, f := range stateFields {
		ops.op("HSET", det, f.name, f.value)
	}
	for _, member := range slices.Sorted(maps.Keys(st.removedSeries)) {
		ops.op("HDEL", det, prefixSeries+member)
	}
	for _, id := range slices.Sorted(maps.Keys(st.removedIncidents)) {
		ops.op("HDEL", det, prefixIncidents+id)
	}
	ops.op("EXPIRE", det, int64(d.s.cfg.IncidentTTL/time.Second))
	if box != nil {
		ops.op("HSET", outboxKey, outboxMinute, run.m, outboxBody, boxJSON)
		ops.op("EXPIRE", outboxKey, int64(d.s.cfg.IncidentTTL/time.Second))
	}
	// Forget series whose buckets have all expired.
	ops.op("ZREMRANGEBYSCORE", d.s.indexKey(d.name), "-inf",
		strconv.FormatInt(run.m-int64(d.s.cfg.BucketTTL.Minutes()), 10))
	return ops, box, nil
}
