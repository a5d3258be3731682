// Package outcome reads what a run of seismo left in Redis (events,
// incidents, every series' counts minute by minute and its baseline) in a
// form two runs of the same stream can be compared by: the tests that
// hold a live run, under any schedule of workers or faults, to the
// backtest of the same posts.
package outcome

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/detect"
)

// Outcome is every event and incident (sample lists aside: which posts are
// sampled depends on arrival order), every series' counts minute by
// minute, and every series' baseline.
type Outcome struct {
	Events    []seismo.Event
	Incidents []seismo.Incident
	Counts    map[string][]detect.Point
	Baselines map[string]detect.Baseline
}

// Read reads the outcome of the minutes [from, to) from rdb; cfg names the
// store's prefix and groups as the run used them.
func Read(ctx context.Context, rdb redis.UniversalClient, cfg detect.StoreConfig, from, to time.Time) (Outcome, error) {
	store, err := detect.NewStore(rdb, cfg)
	if err != nil {
		return Outcome{}, err
	}
	var o Outcome
	evs, err := store.Events(ctx, "0", 10_000, 0)
	if err != nil {
		return o, err
	}
	for _, se := range evs {
		ev := se.Event
		ev.Data.Samples = nil
		o.Events = append(o.Events, ev)
	}
	// Groups publish their minutes independently, so the stream orders
	// the events of one incident (and one group), not those of
	// different groups in the same minute.
	slices.SortStableFunc(o.Events, func(a, b seismo.Event) int {
		if c := a.Timestamp.Compare(b.Timestamp); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	if o.Incidents, err = store.Incidents(ctx, detect.Filter{Limit: 1000}); err != nil {
		return o, err
	}
	for i := range o.Incidents {
		o.Incidents[i].Samples = nil
	}
	prefix := cfg.Prefix
	if prefix == "" {
		prefix = "seismo"
	}
	// Every detection group keeps a series index of its own.
	indexes, err := keys(ctx, rdb, prefix+":{g:*}:series")
	if err != nil {
		return o, err
	}
	var members []string
	for _, idx := range indexes {
		m, err := rdb.ZRange(ctx, idx, 0, -1).Result()
		if err != nil {
			return o, err
		}
		members = append(members, m...)
	}
	slices.Sort(members)
	o.Counts, o.Baselines = map[string][]detect.Point{}, map[string]detect.Baseline{}
	for _, m := range members {
		svc, cc, _ := strings.Cut(m, ":")
		for day := from; day.Before(to); day = day.Add(24 * time.Hour) {
			end := day.Add(24 * time.Hour)
			if end.After(to) {
				end = to
			}
			pts, err := store.Series(ctx, svc, cc, day, end)
			if err != nil {
				return o, err
			}
			o.Counts[m] = append(o.Counts[m], pts...)
		}
		b, ok, err := store.Baseline(ctx, svc, cc, to)
		if err != nil {
			return o, err
		}
		if ok {
			o.Baselines[m] = b
		}
	}
	return o, nil
}

// keys lists the keys matching pattern, on every master of a cluster.
func keys(ctx context.Context, rdb redis.UniversalClient, pattern string) ([]string, error) {
	cl, ok := rdb.(*redis.ClusterClient)
	if !ok {
		return rdb.Keys(ctx, pattern).Result()
	}
	var mu sync.Mutex
	var all []string
	err := cl.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
		ks, err := m.Keys(ctx, pattern).Result()
		mu.Lock()
		defer mu.Unlock()
		all = append(all, ks...)
		return err
	})
	return all, err
}

// Diff lists every difference of o from want, and every minute o stored
// as late: none of the streams these runs read has a post that arrives
// after its minute was evaluated. Empty means equal.
func (o Outcome) Diff(want Outcome) []string {
	var d []string
	ids := func(evs []seismo.Event) []string {
		var out []string
		for _, ev := range evs {
			out = append(out, ev.ID)
		}
		return out
	}
	if !reflect.DeepEqual(ids(o.Events), ids(want.Events)) {
		d = append(d, fmt.Sprintf("events\n got %v\nwant %v", ids(o.Events), ids(want.Events)))
	} else {
		for i := range want.Events {
			g, _ := json.Marshal(o.Events[i])
			w, _ := json.Marshal(want.Events[i])
			if !bytes.Equal(g, w) {
				d = append(d, fmt.Sprintf("event %s\n got %s\nwant %s", want.Events[i].ID, g, w))
			}
		}
	}
	if diff := o.IncidentsDiff(want); diff != "" {
		d = append(d, diff)
	}
	d = append(d, o.CountsDiff(want)...)
	return d
}

// IncidentsDiff says how o's incidents differ from want's, or "".
func (o Outcome) IncidentsDiff(want Outcome) string {
	g, _ := json.Marshal(o.Incidents)
	w, _ := json.Marshal(want.Incidents)
	if bytes.Equal(g, w) {
		return ""
	}
	return fmt.Sprintf("incidents\n got %s\nwant %s", g, w)
}

// CountsDiff lists how o's counts and baselines differ from want's, and
// the minutes o stored as late.
func (o Outcome) CountsDiff(want Outcome) []string {
	var d []string
	for _, m := range union(want.Counts, o.Counts) {
		gp, wp := o.Counts[m], want.Counts[m]
		if len(gp) != len(wp) {
			d = append(d, fmt.Sprintf("series %s: %d minutes, want %d", m, len(gp), len(wp)))
			continue
		}
		for i := range wp {
			if gp[i] != wp[i] {
				d = append(d, fmt.Sprintf("series %s minute %s: %+v, want %+v", m, wp[i].Minute.Format(time.RFC3339), gp[i], wp[i]))
				break
			}
		}
	}
	for _, m := range union(want.Baselines, o.Baselines) {
		if gb, wb := o.Baselines[m], want.Baselines[m]; gb != wb {
			d = append(d, fmt.Sprintf("baseline of %s\n got %+v\nwant %+v", m, gb, wb))
		}
	}
	for _, m := range union(o.Counts, nil) {
		for _, p := range o.Counts[m] {
			if p.Late > 0 {
				d = append(d, fmt.Sprintf("series %s minute %s: %d posts stored as late; none arrived after its minute was evaluated",
					m, p.Minute.Format(time.RFC3339), p.Late))
			}
		}
	}
	return d
}

// union is the sorted keys of a and b.
func union[V any](a, b map[string]V) []string {
	var ks []string
	for _, m := range []map[string]V{a, b} {
		for k := range m {
			if !slices.Contains(ks, k) {
				ks = append(ks, k)
			}
		}
	}
	slices.Sort(ks)
	return ks
}

// Settled reports whether every partition is reported by a live owner in
// one generation and each of owners holds some.
func Settled(p detect.Progress, owners []string) bool {
	held := map[string]bool{}
	for _, s := range p.Partitions {
		if !s.Alive || s.Generation != p.Partitions[0].Generation {
			return false
		}
		held[s.Owner] = true
	}
	for _, o := range owners {
		if !held[o] {
			return false
		}
	}
	return len(p.Partitions) > 0
}

// Handled is the number of messages committed over every partition.
func Handled(p detect.Progress) int64 {
	n := int64(0)
	for _, s := range p.Partitions {
		n += s.Committed
	}
	return n
}

// Drained reports whether the produced messages are all handled, every
// partition is idle, and the detector has evaluated every minute the
// watermark allows: the stream produced so far is consumed and decided.
func Drained(p detect.Progress, produced int) bool {
	// This process's watermark may lag the detector's while idle
	// partitions are confirmed (Progress.Confirming): decided means the
	// detector reached the watermark the stream allows.
	if p.Watermark == nil || p.Evaluated == nil || len(p.Partitions) == 0 || len(p.Confirming) > 0 {
		return false
	}
	for _, s := range p.Partitions {
		if s.Owner == "" || !s.Idle || s.Lag != 0 {
			return false
		}
	}
	return Handled(p) == int64(produced) && p.Evaluated.Equal(p.Watermark.Truncate(time.Minute))
}
