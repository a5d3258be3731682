package detect

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/seismo-dev/seismo"
)

// seriesState is the lifecycle of one series that is part of an incident.
// Idle series have none. It lives in the detector hash so that a restarted
// detector continues the same lifecycle.
type seriesState struct {
	Incident string        `json:"incident"`
	Status   seismo.Status `json:"status"` // pending or open
	// Since is the first firing minute of this episode.
	Since int64 `json:"since"`
	// Fired counts consecutive firing minutes while pending, DangerFired
	// those of them at danger.
	Fired       int `json:"fired"`
	DangerFired int `json:"danger_fired,omitempty"`
	// Quiet counts consecutive clear minutes while open.
	Quiet int `json:"quiet"`
	// Recovering is set when posts said the service is back during the
	// current quiet spell.
	Recovering bool `json:"recovering,omitempty"`
	// Level is the worst level of this episode. It never falls while the
	// series is in the incident, so a count hovering at the danger line
	// does not flap the severity (and flood subscribers with updates);
	// the current intensity is in the entry's Observed and Ratio.
	Level Level `json:"level"`
	// Problems, Complaints and Samples hold what the series contributed
	// while pending; they join the incident only if the series opens, so a
	// discarded blip leaves no trace.
	Problems   map[seismo.Problem]int64 `json:"problems,omitempty"`
	Complaints int64                    `json:"complaints,omitempty"`
	Samples    []seismo.Sample          `json:"samples,omitempty"`
}

// incidentState is what the detector keeps beside a non-resolved incident:
// the problem counts and samples of its opened countries since they started.
type incidentState struct {
	Service    string                   `json:"service"`
	Problems   map[seismo.Problem]int64 `json:"problems"`
	Complaints int64                    `json:"complaints"`
	// Samples are those of the opened countries; the incident shows them
	// merged with those of its pending countries.
	Samples []seismo.Sample `json:"samples"`
	// Counted is, per series member, the last minute whose content joined
	// the totals. A country that resolves and fires again within the
	// window reads the window again, and must not count those minutes
	// twice.
	Counted map[string]int64 `json:"counted,omitempty"`
	// The global series counts the same posts again, so its content is
	// kept apart and shown only when no country has any.
	GlobalProblems   map[seismo.Problem]int64 `json:"global_problems,omitempty"`
	GlobalComplaints int64                    `json:"global_complaints,omitempty"`
	GlobalSamples    []seismo.Sample          `json:"global_samples,omitempty"`

	inc seismo.Incident // stored separately, under the incident key
}

// content returns the totals that a series' content joins: the
// countries' or, for the global series, the global ones.
func (is *incidentState) content(global bool) (map[seismo.Problem]int64, *int64, *[]seismo.Sample) {
	if global {
		if is.GlobalProblems == nil {
			is.GlobalProblems = map[seismo.Problem]int64{}
		}
		return is.GlobalProblems, &is.GlobalComplaints, &is.GlobalSamples
	}
	if is.Problems == nil {
		is.Problems = map[seismo.Problem]int64{}
	}
	return is.Problems, &is.Complaints, &is.Samples
}

// state is a group's whole state, loaded from Redis at each Advance.
type state struct {
	last     int64
	hasLast  bool
	start    int64 // first evaluated minute ever, for the warm-up
	hasStart bool

	series    map[string]*seriesState   // by series member svc:CC
	incidents map[string]*incidentState // by service, at most one each

	// removed since the last write, to be deleted from the detector hash
	removedSeries    map[string]bool
	removedIncidents map[string]bool

	// index is the group's series index as read at the first minute
	// evaluated since the state was loaded.
	index []indexEntry
	// firsts is each service's first minute with data, as read at the
	// start of the Advance.
	firsts map[string]int64
}

// indexEntry is a series of the index and its newest minute with data.
type indexEntry struct {
	member string
	newest int64
}

func newState() *state {
	return &state{
		series:           map[string]*seriesState{},
		incidents:        map[string]*incidentState{},
		removedSeries:    map[string]bool{},
		removedIncidents: map[string]bool{},
	}
}

// Fields of the detector hash.
const (
	fieldLast       = "last"
	fieldStart      = "start"
	prefixSeries    = "s:"
	prefixIncidents = "i:"
)

func (d *group) load(ctx context.Context) (*state, error) {
	if d.testHookBeforeLoad != nil {
		d.testHookBeforeLoad()
	}
	// The state and the outbox are read in one transaction, and the
	// outbox published before the incidents are read: a minute another
	// detector committed but did not publish yet is published first, so
	// the state never meets incidents older than itself.
	var stateCmd *redis.MapStringStringCmd
	var boxCmd *redis.SliceCmd
	if _, err := d.s.rdb.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
		stateCmd = pipe.HGetAll(ctx, d.s.groupKey(d.name, keyDetector))
		boxCmd = pipe.HMGet(ctx, d.s.groupKey(d.name, keyOutbox), outboxMinute, outboxBody)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("load detector state: %w", err)
	}
	if err := d.publishPending(ctx, boxCmd.Val()); err != nil {
		return nil, err
	}
	all := stateCmd.Val()
	var err error
	st := newState()
	byID := map[string]*incidentState{}
	for f, v := range all {
		switch {
		case f == fieldLast:
			if st.last, err = strconv.ParseInt(v, 10, 64); err != nil {
				return nil, fmt.Errorf("load detector state: last minute %q: %w", v, err)
			}
			st.hasLast = true
		case f == fieldStart:
			if st.start, err = strconv.ParseInt(v, 10, 64); err != nil {
				return nil, fmt.Errorf("load detector state: start minute %q: %w", v, err)
			}
			st.hasStart = true
		case strings.HasPrefix(f, prefixSeries):
			var ss seriesState
			if err := json.Unmarshal([]byte(v), &ss); err != nil {
				return nil, fmt.Errorf("load detector state: series %s: %w", f, err)
			}
			st.series[f[len(prefixSeries):]] = &ss
		case strings.HasPrefix(f, prefixIncidents):
			var is incidentState
			if err := json.Unmarshal([]byte(v), &is); err != nil {
				return nil, fmt.Errorf("load detector state: incident %s: %w", f, err)
			}
			byID[f[len(prefixIncidents):]] = &is
		}
	}
	if len(byID) > 0 {
		ids := slices.Sorted(maps.Keys(byID))
		keys := make([]string, len(ids))
		for i, id := range ids {
			keys[i] = d.s.incidentKey(id)
		}
		vals, err := d.s.rdb.MGet(ctx, keys...).Result()
		if err != nil {
			return nil, fmt.Errorf("load open incidents: %w", err)
		}
		for i, v := range vals {
			str, ok := v.(string)
			is := byID[ids[i]]
			if !ok {
				// Only possible if the incident key expired under a stopped
				// detector; forget it rather than resurrect a stub.
				d.log.Warn("open incident vanished; dropping its state", "incident_id", ids[i])
				st.removedIncidents[ids[i]] = true
				continue
			}
			if err := json.Unmarshal([]byte(str), &is.inc); err != nil {
				return nil, fmt.Errorf("load incident %s: %w", ids[i], err)
			}
			if is.Samples == nil {
				// State written before opened samples were kept apart.
				is.Samples = slices.Clone(is.inc.Samples)
			}
			st.incidents[is.Service] = is
		}
	}
	for member, ss := range st.series {
		if is := st.incidents[seriesService(member)]; is == nil || is.inc.ID != ss.Incident {
			delete(st.series, member)
			st.removedSeries[member] = true
		}
	}
	return st, nil
}

func seriesService(member string) string {
	sr, _ := parseSeries(member)
	return sr.service
}

func seriesCountry(member string) string {
	sr, _ := parseSeries(member)
	return sr.country
}
