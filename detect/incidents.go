package detect

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/seismo-dev/seismo"
)

// Filter selects incidents. Zero fields select all.
type Filter struct {
	Status  seismo.Status
	Service string
	// Limit is the most incidents returned: default 100, at most 1000.
	Limit int
	// Cursor continues a listing where the page before ended: its
	// Page.Next. Empty starts with the newest.
	Cursor string
}

// Page is one page of a listing of incidents.
type Page struct {
	Incidents []seismo.Incident
	// Next is the cursor of the page after this one, or empty when the
	// listing is done. A page can hold fewer than the limit and still have
	// a next one: see maxScanned.
	Next string
}

// Incident list limits.
const (
	defaultLimit = 100
	maxLimit     = 1000
	scanPage     = 256
	// maxScanned bounds the incidents one page reads, and maxSeen the
	// index entries it passes (a service filter passes over others'
	// without reading them): a filter that few incidents match returns a
	// short page and a cursor rather than read 90 days in one request.
	maxScanned = 16 * scanPage
	maxSeen    = 256 * scanPage
)

// Incidents returns the first page of the stored incidents that match f.
// Their slices may be shared with other callers: read them only.
func (s *Store) Incidents(ctx context.Context, f Filter) ([]seismo.Incident, error) {
	p, err := s.IncidentPage(ctx, f)
	return p.Incidents, err
}

// IncidentPage returns a page of the stored incidents that match f, newest
// started first (ties by id, descending), from f.Cursor on. The
// incidents' slices may be shared with other callers: read them only.
func (s *Store) IncidentPage(ctx context.Context, f Filter) (Page, error) {
	if f.Status != "" && !f.Status.Valid() {
		return Page{}, seismo.Invalid(fmt.Sprintf("unknown incident status %q", f.Status))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	from, err := decodeCursor(f.Cursor)
	if err != nil {
		return Page{}, err
	}
	// Pending and open incidents have their own index, so asking for them
	// does not walk the 90 days of resolved ones.
	index := s.incKey(keyIncidents)
	if f.Status == seismo.StatusPending || f.Status == seismo.StatusOpen {
		index = s.incKey(keyOpen)
	}
	batch := int64(scanPage)
	if f.Service != "" {
		batch = 4 * scanPage // most ids are skipped unread
	}
	rng := &redis.ZRangeBy{Max: "+inf", Min: "-inf", Count: batch}
	last := from // the last entry read, or the cursor
	if f.Cursor != "" {
		rng.Max = strconv.FormatInt(from.started, 10)
	}
	page := Page{Incidents: []seismo.Incident{}}
	var gone []any
	done := false
	// Walk the index newest first, a batch at a time, until enough
	// incidents match; filters apply to the decoded incidents. An
	// incident's id starts with its service's (incidentID), so a service
	// filter passes over the other services' ids without reading them.
	for read, seen := 0, 0; len(page.Incidents) < limit && read < maxScanned && seen < maxSeen; {
		zs, err := s.rdb.ZRevRangeByScoreWithScores(ctx, index, rng).Result()
		if err != nil {
			return Page{}, fmt.Errorf("list incidents: %w", err)
		}
		rng.Offset += int64(len(zs))
		done = int64(len(zs)) < batch
		// Entries at or above the last one read are the cursor's own
		// (its start can hold ids the page before ended with, sorted by id
		// descending) or repeats: an incident published meanwhile shifts
		// the offset by one.
		zs = slices.DeleteFunc(zs, func(z redis.Z) bool {
			return last.id != "" && (int64(z.Score) > last.started ||
				int64(z.Score) == last.started && z.Member.(string) >= last.id)
		})
		if len(zs) == 0 {
			if done {
				break
			}
			continue
		}
		seen += len(zs)
		// Where the walk stands once this batch is through: its last entry.
		tail := cursor{started: int64(zs[len(zs)-1].Score), id: zs[len(zs)-1].Member.(string)}
		if f.Service != "" {
			zs = slices.DeleteFunc(zs, func(z redis.Z) bool {
				return !strings.HasPrefix(z.Member.(string), f.Service+"-")
			})
			if len(zs) == 0 {
				last = tail
				if done {
					break
				}
				continue
			}
		}
		keys := make([]string, len(zs))
		for i, z := range zs {
			keys[i] = s.incidentKey(z.Member.(string))
		}
		vals, err := s.rdb.MGet(ctx, keys...).Result()
		if err != nil {
			return Page{}, fmt.Errorf("list incidents: %w", err)
		}
		n := 0
		for i, v := range vals {
			id := zs[i].Member.(string)
			last = cursor{started: int64(zs[i].Score), id: id}
			read++
			n++
			str, ok := v.(string)
			if !ok {
				gone = append(gone, id) // the incident expired; prune below
				continue
			}
			in, err := s.docs.decode(id, str)
			if err != nil {
				return Page{}, fmt.Errorf("decode incident %s: %w", id, err)
			}
			if (f.Status == "" || in.Status == f.Status) && (f.Service == "" || in.Service == f.Service) {
				page.Incidents = append(page.Incidents, in)
			}
			if len(page.Incidents) == limit || read == maxScanned {
				break
			}
		}
		if n < len(vals) {
			done = false // entries are left in this batch
		} else {
			last = tail // the entries after the last read are others'
		}
		if done {
			break
		}
	}
	if !done && last.id != "" {
		page.Next = last.encode()
	}
	if err := s.forgetIncidents(ctx, gone); err != nil {
		return Page{}, fmt.Errorf("prune incident index: %w", err)
	}
	return page, nil
}

// cursor is where a listing of incidents stopped: the start (unix
// seconds, the index's score) and id of the last incident it read.
type cursor struct {
	started int64
	id      string
}

func (c cursor) encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.started, 10) + ":" + c.id))
}

func decodeCursor(s string) (cursor, error) {
	if s == "" {
		return cursor{}, nil
	}
	bad := seismo.Invalid("cursor is not one a listing returned")
	if len(s) > 512 {
		return cursor{}, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, bad
	}
	started, id, ok := strings.Cut(string(b), ":")
	n, err := strconv.ParseInt(started, 10, 64)
	if !ok || err != nil || id == "" {
		return cursor{}, bad
	}
	return cursor{started: n, id: id}, nil
}

// forgetIncidents removes the ids of expired incidents from both indexes.
func (s *Store) forgetIncidents(ctx context.Context, ids []any) error {
	if len(ids) == 0 {
		return nil
	}
	pipe := s.rdb.TxPipeline()
	pipe.ZRem(ctx, s.incKey(keyIncidents), ids...)
	pipe.ZRem(ctx, s.incKey(keyOpen), ids...)
	_, err := pipe.Exec(ctx)
	return err
}

// pruneBatch is the most index entries pruneIndex checks in one call.
const pruneBatch = 1000

// pruneIndex drops from the incident indexes the ids of incidents that
// started before before and whose keys have expired. An incident's key
// lives IncidentTTL after its last change; the index itself is refreshed
// by every write, so without this it would keep every id ever written, and
// a listing filtered by service would walk them all. It returns how many
// ids it dropped.
func (s *Store) pruneIndex(ctx context.Context, before time.Time) (int, error) {
	index := s.incKey(keyIncidents)
	// The versions of incidents last published before then go too: an
	// incident's key outlives its last publication by IncidentTTL, and
	// nothing publishes an incident that old again.
	if err := s.rdb.ZRemRangeByScore(ctx, s.incKey(keyVersions), "-inf",
		"("+strconv.FormatInt(unixMinute(before), 10)).Err(); err != nil {
		return 0, err
	}
	ids, err := s.rdb.ZRangeByScore(ctx, index, &redis.ZRangeBy{
		Min: "-inf", Max: "(" + strconv.FormatInt(before.Unix(), 10), Count: pruneBatch,
	}).Result()
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	pipe := s.rdb.Pipeline()
	exists := make([]*redis.IntCmd, len(ids))
	for i, id := range ids {
		exists[i] = pipe.Exists(ctx, s.incidentKey(id))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, err
	}
	var gone []any
	for i, c := range exists {
		if c.Val() == 0 {
			gone = append(gone, ids[i])
		}
	}
	if err := s.forgetIncidents(ctx, gone); err != nil {
		return 0, err
	}
	return len(gone), nil
}

// Incident returns one incident, or an error with code seismo.CodeNotFound.
// Its slices may be shared with other callers: read them only.
func (s *Store) Incident(ctx context.Context, id string) (seismo.Incident, error) {
	v, err := s.rdb.Get(ctx, s.incidentKey(id)).Result()
	if errors.Is(err, redis.Nil) {
		return seismo.Incident{}, seismo.NotFound(fmt.Sprintf("incident %q not found", id))
	}
	if err != nil {
		return seismo.Incident{}, fmt.Errorf("read incident %s: %w", id, err)
	}
	in, err := s.docs.decode(id, v)
	if err != nil {
		return seismo.Incident{}, fmt.Errorf("decode incident %s: %w", id, err)
	}
	return in, nil
}

// docCache holds the incidents last decoded, with their stored documents:
// listings read the same documents again and again, each client that
// polls, and a document changes at most once a minute. Decoding was most of
// the CPU of a listing. The incidents it returns share their slices: they
// are read, never modified.
type docCache struct {
	mu sync.Mutex
	m  map[string]cachedDoc // by incident id
}

type cachedDoc struct {
	doc string
	in  seismo.Incident
}

// maxCachedDocs bounds the cache: a few pages of the largest listing.
const maxCachedDocs = 4 * maxLimit

// decode returns the incident stored as doc.
func (c *docCache) decode(id, doc string) (seismo.Incident, error) {
	c.mu.Lock()
	d, ok := c.m[id]
	c.mu.Unlock()
	if ok && d.doc == doc {
		return d.in, nil
	}
	var in seismo.Incident
	if err := json.Unmarshal([]byte(doc), &in); err != nil {
		return in, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]cachedDoc)
	}
	if _, ok := c.m[id]; !ok {
		for k := range c.m {
			if len(c.m) < maxCachedDocs {
				break
			}
			delete(c.m, k) // any: map order is random enough
		}
	}
	c.m[id] = cachedDoc{doc: doc, in: in}
	return in, nil
}

// Event stream read limits.
const (
	defaultEventCount = 100
	maxEventCount     = 10_000
	eventField        = "event"
)

var streamID = regexp.MustCompile(`^[0-9]{1,20}(-[0-9]{1,20})?$`)

// Events reads the incident event stream after stream id after ("0" from
// the start, "$" only events added from now on), at most count events
// (default 100), blocking up to block for the first one (0 does not block).
// It returns no events and no error when none came in time.
func (s *Store) Events(ctx context.Context, after string, count int64, block time.Duration) ([]seismo.StreamEvent, error) {
	if after != "$" && !streamID.MatchString(after) {
		return nil, seismo.Invalid(fmt.Sprintf("event id %q is not a stream id", after))
	}
	if count <= 0 {
		count = defaultEventCount
	}
	count = min(count, maxEventCount)
	args := &redis.XReadArgs{Streams: []string{s.incKey(keyEvents), after}, Count: count, Block: -1}
	if block > 0 {
		// go-redis waits block plus its read timeout for the reply.
		args.Block = max(block, time.Millisecond)
	}
	res, err := s.rdb.XRead(ctx, args).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read events after %s: %w", after, err)
	}
	var out []seismo.StreamEvent
	for _, st := range res {
		for _, msg := range st.Messages {
			str, _ := msg.Values[eventField].(string)
			var ev seismo.Event
			if err := json.Unmarshal([]byte(str), &ev); err != nil {
				return nil, fmt.Errorf("decode event %s: %w", msg.ID, err)
			}
			out = append(out, seismo.StreamEvent{ID: msg.ID, Event: ev})
		}
	}
	return out, nil
}

// LastEventID returns the stream id of the newest incident event, or "0"
// when the stream is empty: the position "$" stands for, which a reader
// that must not miss what comes next passes to Events instead of "$"
// (XREAD with "$" means "from now" anew on every call).
func (s *Store) LastEventID(ctx context.Context) (string, error) {
	msgs, err := s.rdb.XRevRangeN(ctx, s.incKey(keyEvents), "+", "-", 1).Result()
	if err != nil {
		return "", fmt.Errorf("read the last event id: %w", err)
	}
	if len(msgs) == 0 {
		return "0", nil
	}
	return msgs[0].ID, nil
}
