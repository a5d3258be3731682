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
// The transaction is a compare-and-set: it applies only if the persisted
// last evaluated minute is still the one st was loaded or advanced to
// (WATCH on the detector hash, then a check of its last field). Two
// detectors that overlap (a leader paused past its lease) therefore cannot
// both apply a minute; the loser gets errRaced and must reload its state.
func (d *group) write(ctx context.Context, st *state, run *minuteRun, events []seismo.Event) error {
	queue, box, err := d.writeCommands(ctx, st, run, events)
	if err != nil {
		return err
	}
	det, outboxKey := d.s.groupKey(d.name, keyDetector), d.s.groupKey(d.name, keyOutbox)
	err = d.s.rdb.Watch(ctx, func(tx *redis.Tx) error {
		// An outbox not yet published is another detector's minute, which
		// loading the state publishes first; ours would overwrite it.
		pending, err := tx.Exists(ctx, outboxKey).Result()
		if err != nil {
			return fmt.Errorf("read the outbox: %w", err)
		}
		if pending > 0 {
			return errRaced
		}
		last, err := tx.HGet(ctx, det, fieldLast).Result()
		switch {
		case errors.Is(err, redis.Nil):
			if st.hasLast {
				return errRaced // the state vanished under us; reload it
			}
		case err != nil:
			return fmt.Errorf("read last evaluated minute: %w", err)
		case !st.hasLast || last != strconv.FormatInt(st.last, 10):
			return errRaced
		}
		_, err = tx.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
			queue(pipe)
			return nil
		})
		return err
	}, det, outboxKey)
	if errors.Is(err, redis.TxFailedErr) {
		err = errRaced // the detector hash changed between WATCH and EXEC
	}
	if errors.Is(err, errRaced) {
		return err
	}
	if err != nil {
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

// writeCommands encodes everything the minute writes and returns a function
// that queues the commands on a transaction. Encoding happens first, so the
// transaction itself cannot fail halfway through being queued.
func (d *group) writeCommands(ctx context.Context, st *state, run *minuteRun, events []seismo.Event) (func(redis.Pipeliner), *outbox, error) {
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

	run.charts = d.chartWrites(run)
	return func(pipe redis.Pipeliner) {
		if len(run.charts) > 0 {
			keys, blob, expire := chartBatch(run.charts)
			pipe.Eval(ctx, chartLua, keys, run.charts[0].offset, int64(d.s.cfg.ChartTTL/time.Second), blob, expire)
		}
		for i := range run.readings {
			r := &run.readings[i]
			if r.idle {
				continue
			}
			key := d.s.baseKey(r.sr)
			fields := r.base.fields(minuteGrid, run.m)
			if r.hasSeen {
				fields = append(fields, fieldSeen, r.seen)
			}
			if r.elevated {
				fields = append(fields, fieldOnset, run.m)
			}
			pipe.HSet(ctx, key, fields...)
			if r.refresh {
				pipe.Expire(ctx, key, d.cfg.BaselineTTL)
			}
		}

		det := d.s.groupKey(d.name, keyDetector)
		pipe.HSet(ctx, det, fieldLast, run.m, fieldStart, st.start)
		for _, f := range stateFields {
			pipe.HSet(ctx, det, f.name, f.value)
		}
		for _, member := range slices.Sorted(maps.Keys(st.removedSeries)) {
			pipe.HDel(ctx, det, prefixSeries+member)
		}
		for _, id := range slices.Sorted(maps.Keys(st.removedIncidents)) {
			pipe.HDel(ctx, det, prefixIncidents+id)
		}
		pipe.Expire(ctx, det, d.s.cfg.IncidentTTL)
		if box != nil {
			key := d.s.groupKey(d.name, keyOutbox)
			pipe.HSet(ctx, key, outboxMinute, run.m, outboxBody, boxJSON)
			pipe.Expire(ctx, key, d.s.cfg.IncidentTTL)
		}
		// Forget series whose buckets have all expired.
		pipe.ZRemRangeByScore(ctx, d.s.indexKey(d.name), "-inf",
			strconv.FormatInt(run.m-int64(d.s.cfg.BucketTTL.Minutes()), 10))
	}, box, nil
}
