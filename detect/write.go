package detect

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/redis/go-redis/v9"

	"github.com/seismo-dev/seismo"
)

// write commits one minute: baselines, detector state, incidents and
// events, in one MULTI/EXEC. On a single Redis server the minute is applied
// whole or not at all, so a crash can only make the next detector evaluate
// the minute again from the same state, never emit its events twice.
func (d *Detector) write(ctx context.Context, st *state, run *minuteRun, events []seismo.Event) error {
	pipe := d.s.rdb.TxPipeline()
	for i := range run.readings {
		r := &run.readings[i]
		if r.idle {
			continue
		}
		key := d.s.seriesKey(r.sr, "base")
		pipe.HSet(ctx, key, r.base.fields()...)
		pipe.Expire(ctx, key, d.cfg.BaselineTTL)
	}

	det := d.s.key(keyDetector)
	pipe.HSet(ctx, det, fieldLast, run.m, fieldStart, st.start)
	for _, member := range slices.Sorted(maps.Keys(st.series)) {
		b, err := json.Marshal(st.series[member])
		if err != nil {
			return fmt.Errorf("encode series state %s: %w", member, err)
		}
		pipe.HSet(ctx, det, prefixSeries+member, b)
	}
	for _, member := range slices.Sorted(maps.Keys(st.removedSeries)) {
		pipe.HDel(ctx, det, prefixSeries+member)
	}
	for _, id := range slices.Sorted(maps.Keys(st.removedIncidents)) {
		pipe.HDel(ctx, det, prefixIncidents+id)
	}
	for _, svc := range slices.Sorted(maps.Keys(st.incidents)) {
		is := st.incidents[svc]
		b, err := json.Marshal(is)
		if err != nil {
			return fmt.Errorf("encode incident state %s: %w", is.inc.ID, err)
		}
		pipe.HSet(ctx, det, prefixIncidents+is.inc.ID, b)
	}
	pipe.Expire(ctx, det, d.s.cfg.IncidentTTL)

	idx := d.s.key(keyIncidents)
	save := func(in *seismo.Incident) error {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode incident %s: %w", in.ID, err)
		}
		pipe.Set(ctx, d.s.incidentKey(in.ID), b, d.s.cfg.IncidentTTL)
		pipe.ZAdd(ctx, idx, redis.Z{Score: float64(in.StartedAt.Unix()), Member: in.ID})
		open := d.s.openKey(in.Service)
		if in.Status == seismo.StatusResolved {
			pipe.SRem(ctx, open, in.ID)
		} else {
			pipe.SAdd(ctx, open, in.ID)
			pipe.Expire(ctx, open, d.s.cfg.IncidentTTL)
		}
		return nil
	}
	for _, svc := range slices.Sorted(maps.Keys(run.touched)) {
		if is := st.incidents[svc]; is != nil {
			if err := save(&is.inc); err != nil {
				return err
			}
		}
	}
	for _, is := range run.resolved {
		if err := save(&is.inc); err != nil {
			return err
		}
	}
	for _, is := range run.dropped {
		pipe.Del(ctx, d.s.incidentKey(is.inc.ID))
		pipe.ZRem(ctx, idx, is.inc.ID)
		pipe.SRem(ctx, d.s.openKey(is.inc.Service), is.inc.ID)
	}
	pipe.Expire(ctx, idx, d.s.cfg.IncidentTTL)

	stream := d.s.key(keyEvents)
	for _, ev := range events {
		b, err := json.Marshal(ev)
		if err != nil {
			return fmt.Errorf("encode %s event of %s: %w", ev.Type, ev.Data.ID, err)
		}
		pipe.XAdd(ctx, &redis.XAddArgs{Stream: stream, MaxLen: d.s.cfg.StreamMaxLen, Approx: true,
			Values: []any{eventField, b}})
	}
	if len(events) > 0 {
		pipe.Expire(ctx, stream, d.s.cfg.IncidentTTL)
	}
	// Forget series whose buckets have all expired.
	pipe.ZRemRangeByScore(ctx, d.s.key(keySeries), "-inf",
		fmt.Sprint(run.m-int64(d.s.cfg.BucketTTL.Minutes())))

	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("write minute: %w", err)
	}
	clear(st.removedSeries)
	clear(st.removedIncidents)
	return nil
}
