package detect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/seismo-dev/seismo"
)

// outbox is what a group's minute changed of incidents and the event
// stream. It is committed with the minute, in the group's slot, and then
// published to the incident keys and the stream, which share the hash tag
// {inc}: a group's transaction cannot reach them on Redis Cluster.
type outbox struct {
	Minute    int64            `json:"minute"`
	Incidents []outboxIncident `json:"incidents"`
}

// outboxIncident is one incident as the minute left it, with its events.
type outboxIncident struct {
	ID      string `json:"id"`
	Started int64  `json:"started"` // unix seconds, the index score
	// Doc is the incident's JSON; nil for a pending incident the minute
	// discarded, which is deleted.
	Doc    json.RawMessage   `json:"doc,omitempty"`
	Open   bool              `json:"open,omitempty"` // pending or open: in the open index
	Events []json.RawMessage `json:"events,omitempty"`
}

// Fields of the outbox hash.
const (
	outboxMinute = "m"
	outboxBody   = "body"
)

// newOutbox gathers the incidents the minute touched, resolved or dropped,
// and its events; nil when there are none.
func newOutbox(m int64, st *state, run *minuteRun, events []seismo.Event) (*outbox, error) {
	byID := map[string]*outboxIncident{}
	var order []string
	add := func(in *seismo.Incident, dropped bool) error {
		oi := outboxIncident{ID: in.ID, Started: in.StartedAt.Unix()}
		if !dropped {
			b, err := json.Marshal(in)
			if err != nil {
				return fmt.Errorf("encode incident %s: %w", in.ID, err)
			}
			oi.Doc, oi.Open = b, in.Status != seismo.StatusResolved
		}
		if _, ok := byID[in.ID]; !ok {
			order = append(order, in.ID)
		}
		byID[in.ID] = &oi
		return nil
	}
	for _, svc := range slices.Sorted(maps.Keys(run.touched)) {
		if is := st.incidents[svc]; is != nil {
			if err := add(&is.inc, false); err != nil {
				return nil, err
			}
		}
	}
	for _, is := range run.resolved {
		if err := add(&is.inc, false); err != nil {
			return nil, err
		}
	}
	for _, is := range run.dropped {
		if err := add(&is.inc, true); err != nil {
			return nil, err
		}
	}
	for _, ev := range events {
		oi := byID[ev.Data.ID]
		if oi == nil {
			return nil, fmt.Errorf("%s event of %s: the incident is not in the minute's outbox", ev.Type, ev.Data.ID)
		}
		b, err := json.Marshal(ev)
		if err != nil {
			return nil, fmt.Errorf("encode %s event of %s: %w", ev.Type, ev.Data.ID, err)
		}
		oi.Events = append(oi.Events, b)
	}
	if len(order) == 0 {
		return nil, nil
	}
	box := &outbox{Minute: m}
	for _, id := range order {
		box.Incidents = append(box.Incidents, *byID[id])
	}
	return box, nil
}

// publishLua applies a minute's outbox to the incidents, their indexes and
// the event stream, each incident at most once per minute: the versions
// set holds the last minute applied of each incident, and an incident of
// the same minute or an earlier one is skipped with its events. So a
// detector that publishes an outbox again after a crash, or a paused one
// that publishes a stale outbox late, changes nothing.
//
// KEYS: index, open index, stream, versions, then one incident key per
// incident. ARGV: minute, TTL s, stream max length, then per incident: id,
// started, doc ("" to delete), open "1"/"0", event count, the events.
// It returns how many events it appended.
const publishLua = `
local m, ttl, maxlen = tonumber(ARGV[1]), ARGV[2], ARGV[3]
local a, added = 4, 0
for k = 5, #KEYS do
  local id, started, doc, open, n = ARGV[a], ARGV[a+1], ARGV[a+2], ARGV[a+3], tonumber(ARGV[a+4])
  local v = redis.call('ZSCORE', KEYS[4], id)
  if not v or tonumber(v) < m then
    if doc == '' then
      redis.call('DEL', KEYS[k])
      redis.call('ZREM', KEYS[1], id)
      redis.call('ZREM', KEYS[2], id)
    else
      redis.call('SET', KEYS[k], doc, 'EX', ttl)
      redis.call('ZADD', KEYS[1], started, id)
      if open == '1' then
        redis.call('ZADD', KEYS[2], started, id)
      else
        redis.call('ZREM', KEYS[2], id)
      end
    end
    redis.call('ZADD', KEYS[4], m, id)
    for e = 1, n do
      redis.call('XADD', KEYS[3], 'MAXLEN', '~', maxlen, '*', 'event', ARGV[a+4+e])
      added = added + 1
    end
  end
  a = a + 5 + n
end
for k = 1, 4 do
  if redis.call('EXISTS', KEYS[k]) == 1 then
    redis.call('EXPIRE', KEYS[k], ttl)
  end
end
return added
`

// clearOutboxLua deletes a group's outbox if it still holds the minute
// just published: a later minute's is left for its own publisher.
//
// KEYS: outbox. ARGV: minute.
const clearOutboxLua = `
if redis.call('HGET', KEYS[1], 'm') == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`

// publishOutbox publishes a committed minute's outbox, then clears it.
func (d *group) publishOutbox(ctx context.Context, box *outbox) error {
	keys := []string{d.s.incKey(keyIncidents), d.s.incKey(keyOpen), d.s.incKey(keyEvents), d.s.incKey(keyVersions)}
	args := []any{box.Minute, int64(d.s.cfg.IncidentTTL.Seconds()), d.s.cfg.StreamMaxLen}
	for _, oi := range box.Incidents {
		keys = append(keys, d.s.incidentKey(oi.ID))
		open := "0"
		if oi.Open {
			open = "1"
		}
		args = append(args, oi.ID, oi.Started, string(oi.Doc), open, len(oi.Events))
		for _, e := range oi.Events {
			args = append(args, string(e))
		}
	}
	if err := d.s.publish.Run(ctx, d.s.rdb, keys, args...).Err(); err != nil {
		return fmt.Errorf("publish the incidents and events of minute %s: %w", minuteTime(box.Minute).Format("15:04"), err)
	}
	err := d.s.clear.Run(ctx, d.s.rdb, []string{d.s.groupKey(d.name, keyOutbox)}, box.Minute).Err()
	if err != nil {
		// Harmless: publishing it again changes nothing.
		return fmt.Errorf("clear the outbox: %w", err)
	}
	return nil
}

// publishPending publishes an outbox a detector committed but did not
// publish (it crashed, or lost Redis, in between, or is paused), as read
// with the group's state: its minute and body fields.
func (d *group) publishPending(ctx context.Context, vals []any) error {
	if len(vals) != 2 {
		return nil
	}
	raw, ok := vals[1].(string)
	if !ok {
		return nil
	}
	var box outbox
	if err := json.Unmarshal([]byte(raw), &box); err != nil {
		return fmt.Errorf("decode the outbox: %w", err)
	}
	if m, _ := vals[0].(string); m != strconv.FormatInt(box.Minute, 10) {
		return errors.New("the outbox's minute does not match its body")
	}
	d.log.Info("publishing the incidents of a minute committed but not published", "group", d.name,
		"minute", minuteTime(box.Minute), "incidents", len(box.Incidents))
	return d.publishOutbox(ctx, &box)
}
