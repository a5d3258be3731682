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

	"github.com/redis/go-redis/v9"

	"github.com/seismo-dev/seismo"
)

// errRaced reports that another detector applied the minute first.
var errRaced = errors.New("another detector evaluated the minute first")

// write commits one minute of the group: chart records, baselines, the
// group's detector state and its outbox (the minute's incidents and
// events), in one MULTI/EXEC on keys that share the group's hash tag, so
// one slot of Redis Cluster. The minute is applied whole or not at all, so
// a crash can only make the next detector evaluate the minute again from
// the same state. The outbox is then published (see publish), and a crash
// before that leaves it to the next detector's load, which publishes it
// first.
//
// It is a compare-and-set: under WATCH of the detector hash and the outbox,
// it applies only if the persisted last evaluated minute is still the one
// st was loaded or advanced to, and no outbox waits to be published. Two
// detectors that overlap (a leader paused past its lease) therefore cannot
// both apply a minute; the loser gets errRaced and must reload its state.
// WATCH, a read, MULTI/EXEC and UNWATCH are four round trips where one
// script would be one, but a script's calls cost Redis about twice the
// CPU of the same commands run natively, and with a hundred thousand
// series the minute's writes are most of what Redis does.
func (d *group) write(ctx context.Context, st *state, run *minuteRun, events []seismo.Event) error {
	ops, box, err := d.writeOps(st, run, events)
	if err != nil {
		return err
	}
	det, outboxKey := d.s.groupKey(d.name, keyDetector), d.s.groupKey(d.name, keyOutbox)
	err = d.s.rdb.Watch(ctx, func(tx *redis.Tx) error {
		var last *redis.StringCmd
		var pending *redis.IntCmd
		_, err := tx.Pipelined(ctx, func(p redis.Pipeliner) error {
			last, pending = p.HGet(ctx, det, fieldLast), p.Exists(ctx, outboxKey)
			return nil
		})
		if err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
		cur, err := last.Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
		if err := pending.Err(); err != nil {
			return err
		}
		if pending.Val() != 0 || (err == nil) != st.hasLast || st.hasLast && cur != strconv.FormatInt(st.last, 10) {
			return errRaced
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			for _, c := range ops.cmds {
				p.Do(ctx, c...)
			}
			return nil
		})
		return err
	}, det, outboxKey)
	switch {
	case errors.Is(err, redis.TxFailedErr):
		return errRaced
	case errors.Is(err, errRaced):
		return err
	case err != nil:
		return fmt.Errorf("write minute: %w", err)
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

// minuteOps lays out a minute's writes, each command's words in turn in
// one backing slice.
type minuteOps struct {
	args []any
	cmds [][]any
}

// op adds one write: a command on key with its arguments.
func (o *minuteOps) op(cmd, key string, args ...any) {
	start := o.begin(cmd, key)
	o.args = append(o.args, args...)
	o.end(start)
}

// begin starts a command on key whose arguments the caller appends to
// o.args before calling end.
func (o *minuteOps) begin(cmd, key string) int {
	start := len(o.args)
	o.args = append(o.args, cmd, key)
	return start
}

// end closes the command begun at start. A later append may move o.args;
// the command keeps the words it has.
func (o *minuteOps) end(start int) {
	o.cmds = append(o.cmds, o.args[start:len(o.args):len(o.args)])
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
	run.charts = d.chartWrites(run)
	// Per series: a chart record and its expiry, and a baseline of up to
	// six fields and its expiry.
	ops := &minuteOps{args: make([]any, 0, 7*len(run.charts)+17*len(run.readings)+4*len(stateFields)+32),
		cmds: make([][]any, 0, 2*len(run.charts)+2*len(run.readings)+len(stateFields)+8)}
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
		start := ops.begin("HSET", key)
		ops.args, buf = r.base.appendFields(ops.args, names, buf)
		if r.hasSeen {
			ops.args = append(ops.args, fieldSeen, r.seen)
		}
		if r.elevated {
			ops.args = append(ops.args, fieldOnset, run.m)
		}
		ops.end(start)
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
