package notify

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/seismo-dev/seismo"
)

// Store keeps webhook subscriptions, their deliveries and the delivery
// queue, and silences, in Redis, so that they survive restarts and a
// change of the process that delivers. Every key shares the hash tag
// {wh}, so the scripts that touch several keys work on Redis Cluster.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
	ttl    time.Duration
	now    func() time.Time
}

// StoreConfig configures a Store.
type StoreConfig struct {
	// Prefix starts every key; default "seismo", as detect's keys.
	Prefix string
	// DeliveryTTL is how long a delivery and its log are kept after their
	// last change; default 30 days.
	DeliveryTTL time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// NewStore returns a store on rdb.
func NewStore(rdb redis.UniversalClient, cfg StoreConfig) *Store {
	if cfg.Prefix == "" {
		cfg.Prefix = "seismo"
	}
	if cfg.DeliveryTTL == 0 {
		cfg.DeliveryTTL = 30 * 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Store{rdb: rdb, prefix: cfg.Prefix + ":{wh}:", ttl: cfg.DeliveryTTL, now: cfg.Now}
}

func (s *Store) key(parts ...string) string {
	k := s.prefix
	for i, p := range parts {
		if i > 0 {
			k += ":"
		}
		k += p
	}
	return k
}

// storedSub is a subscription with the secrets that sign its deliveries:
// during a rotation the old one signs too until it expires.
type storedSub struct {
	Subscription
	Secrets []storedSecret `json:"secrets"`
}

type storedSecret struct {
	Secret    string     `json:"secret"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// signing returns the secrets that sign at t, newest first.
func (s *storedSub) signing(t time.Time) []string {
	var out []string
	for _, sec := range slices.Backward(s.Secrets) {
		if sec.ExpiresAt == nil || t.Before(*sec.ExpiresAt) {
			out = append(out, sec.Secret)
		}
	}
	return out
}

func newID(prefix string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func (s *Store) createSub(ctx context.Context, sub Subscription, secret string) error {
	st := storedSub{Subscription: sub, Secrets: []storedSecret{{Secret: secret}}}
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	pipe := s.rdb.TxPipeline()
	pipe.Set(ctx, s.key("sub", sub.ID), b, 0)
	pipe.SAdd(ctx, s.key("subs"), sub.ID)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("store webhook %s: %w", sub.ID, err)
	}
	return nil
}

func (s *Store) sub(ctx context.Context, id string) (storedSub, error) {
	b, err := s.rdb.Get(ctx, s.key("sub", id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return storedSub{}, seismo.NotFound("no webhook " + id)
	}
	if err != nil {
		return storedSub{}, fmt.Errorf("read webhook %s: %w", id, err)
	}
	var st storedSub
	if err := json.Unmarshal(b, &st); err != nil {
		return storedSub{}, fmt.Errorf("decode webhook %s: %w", id, err)
	}
	return st, nil
}

// subs returns every subscription, in creation order.
func (s *Store) subs(ctx context.Context) ([]storedSub, error) {
	ids, err := s.rdb.SMembers(ctx, s.key("subs")).Result()
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = s.key("sub", id)
	}
	vals, err := s.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, fmt.Errorf("read webhooks: %w", err)
	}
	out := make([]storedSub, 0, len(vals))
	for i, v := range vals {
		str, ok := v.(string)
		if !ok {
			continue // deleted meanwhile
		}
		var st storedSub
		if err := json.Unmarshal([]byte(str), &st); err != nil {
			return nil, fmt.Errorf("decode webhook %s: %w", ids[i], err)
		}
		out = append(out, st)
	}
	slices.SortFunc(out, func(a, b storedSub) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return compareStrings(a.ID, b.ID)
	})
	return out, nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// updateSub changes a subscription with f under optimistic locking, so an
// administrator's change and the dispatcher's record of failures never
// overwrite each other.
func (s *Store) updateSub(ctx context.Context, id string, f func(*storedSub) error) (storedSub, error) {
	key := s.key("sub", id)
	var out storedSub
	for range 10 {
		err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
			st, err := s.sub(ctx, id)
			if err != nil {
				return err
			}
			if err := f(&st); err != nil {
				return err
			}
			b, err := json.Marshal(st)
			if err != nil {
				return err
			}
			_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, key, b, 0)
				return nil
			})
			out = st
			return err
		}, key)
		if errors.Is(err, redis.TxFailedErr) {
			continue
		}
		return out, err
	}
	return out, fmt.Errorf("update webhook %s: too much contention", id)
}

func (s *Store) deleteSub(ctx context.Context, id string) error {
	n, err := s.rdb.Del(ctx, s.key("sub", id)).Result()
	if err != nil {
		return fmt.Errorf("delete webhook %s: %w", id, err)
	}
	if err := s.rdb.SRem(ctx, s.key("subs"), id).Err(); err != nil {
		return fmt.Errorf("delete webhook %s: %w", id, err)
	}
	// Webhooks.Delete let its parked deliveries go first: they fail
	// when claimed.
	_ = s.rdb.Del(ctx, s.key("sub", id, "parked")).Err()
	if n == 0 {
		return seismo.NotFound("no webhook " + id)
	}
	return nil
}

// Delivery statuses.
const (
	StatusPending   = "pending"
	StatusDelivered = "delivered"
	StatusFailed    = "failed"
)

// Delivery is one event on its way to one subscription, with every
// attempt so far.
type Delivery struct {
	ID           string `json:"id"`
	Subscription string `json:"subscription_id"`
	// MessageID is the webhook-id header: the same for every attempt, so
	// the receiver can drop repeats.
	MessageID  string    `json:"message_id"`
	EventType  string    `json:"event_type"`
	IncidentID string    `json:"incident_id,omitempty"`
	Status     string    `json:"status"`
	CreatedAt  time.Time `json:"created_at"`
	// EventAt is when the event entered the stream: delivery latency is
	// measured from it.
	EventAt       time.Time  `json:"event_at"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	Attempts      []Attempt  `json:"attempts"`
	// RetryFrom is how many attempts came before the last manual retry:
	// those do not count against the retry schedule.
	RetryFrom int `json:"retry_from,omitempty"`
}

// Attempt is one try of a delivery.
type Attempt struct {
	At time.Time `json:"at"`
	// StatusCode is the receiver's HTTP status, 0 when there was none.
	StatusCode int    `json:"status_code,omitempty"`
	Error      string `json:"error,omitempty"`
	DurationMS int64  `json:"duration_ms"`
	// Response is the start of the receiver's answer.
	Response string `json:"response,omitempty"`
}

// deliveryID is the same for one event and one subscription however often
// the event is fanned out, so fan-out repeated after a crash adds nothing.
func deliveryID(subID, messageID string) string {
	h := sha256.Sum256([]byte(subID + "\x00" + messageID))
	return "dlv_" + hex.EncodeToString(h[:12])
}

// enqueueLua stores a delivery and queues it, unless it exists already.
// KEYS: delivery, queue, the subscription's delivery log. ARGV: meta,
// body, ttl seconds, due ms, created ms, id.
var enqueueLua = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'meta', ARGV[1], 'body', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[6])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[6])
redis.call('EXPIRE', KEYS[3], ARGV[3])
if redis.call('ZCARD', KEYS[3]) > 1000 then redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -1001) end
return 1
`)

// enqueue stores d with the body to send and queues it for now; false
// when it was there already.
func (s *Store) enqueue(ctx context.Context, d Delivery, body []byte) (bool, error) {
	meta, err := json.Marshal(d)
	if err != nil {
		return false, err
	}
	n, err := enqueueLua.Run(ctx, s.rdb, s.enqueueKeys(d), s.enqueueArgs(d, meta, body)...).Int()
	if err != nil {
		return false, fmt.Errorf("queue delivery %s: %w", d.ID, err)
	}
	return n == 1, nil
}

func (s *Store) enqueueKeys(d Delivery) []string {
	return []string{s.key("dlv", d.ID), s.key("queue"), s.key("sub", d.Subscription, "dlvs")}
}

func (s *Store) enqueueArgs(d Delivery, meta, body []byte) []any {
	return []any{meta, body, int64(s.ttl / time.Second), d.CreatedAt.UnixMilli(), d.CreatedAt.UnixMilli(), d.ID}
}

// queued is a delivery to enqueue with the body it sends.
type queued struct {
	d    Delivery
	body []byte
}

// enqueueAll does what enqueue does for each of qs, in one round trip:
// fan-out makes a delivery for every subscription of every event, and a
// round trip each made it the slowest step of delivery.
func (s *Store) enqueueAll(ctx context.Context, qs []queued) error {
	if len(qs) == 0 {
		return nil
	}
	metas := make([][]byte, len(qs))
	for i, q := range qs {
		meta, err := json.Marshal(q.d)
		if err != nil {
			return err
		}
		metas[i] = meta
	}
	run := func() ([]redis.Cmder, error) {
		pipe := s.rdb.Pipeline()
		for i, q := range qs {
			enqueueLua.EvalSha(ctx, pipe, s.enqueueKeys(q.d), s.enqueueArgs(q.d, metas[i], q.body)...)
		}
		return pipe.Exec(ctx)
	}
	cmds, err := run()
	if err != nil && len(cmds) > 0 && redis.HasErrorPrefix(cmds[0].Err(), "NOSCRIPT") {
		// The script cache is empty (a restart or SCRIPT FLUSH): a
		// pipeline cannot fall back to EVAL command by command, so load
		// it and run them all again, which the scripts make harmless.
		if err := enqueueLua.Load(ctx, s.rdb).Err(); err != nil {
			return fmt.Errorf("load the queue script: %w", err)
		}
		_, err = run()
	}
	if err != nil {
		return fmt.Errorf("queue %d deliveries: %w", len(qs), err)
	}
	return nil
}

// claimLua takes up to n deliveries due by now and hides them until
// until, the claim's end: a process that dies mid-attempt leaves them
// to be claimed again then. It returns each id with the delivery's meta
// and body (false when the delivery expired), so that a claim is one
// round trip and not one more per delivery. KEYS: queue. ARGV: now ms,
// n, until ms, the prefix of delivery keys.
var claimLua = redis.NewScript(`
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, id in ipairs(ids) do
  redis.call('ZADD', KEYS[1], ARGV[3], id)
  local v = redis.call('HMGET', ARGV[4] .. id, 'meta', 'body')
  out[#out+1] = id
  out[#out+1] = v[1]
  out[#out+1] = v[2]
end
return out
`)

// claimed is a delivery taken from the queue for an attempt; found is
// false when it expired meanwhile.
type claimed struct {
	id    string
	d     Delivery
	body  []byte
	found bool
	err   error // the meta could not be decoded
}

func (s *Store) claim(ctx context.Context, now time.Time, n int, until time.Time) ([]claimed, error) {
	if n <= 0 {
		return nil, nil
	}
	// The delivery keys are named in ARGV, not KEYS, because they are
	// known only inside the script; they share the queue's hash slot.
	vals, err := claimLua.Run(ctx, s.rdb, []string{s.key("queue")}, now.UnixMilli(), n, until.UnixMilli(), s.key("dlv", "")).Slice()
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	out := make([]claimed, 0, len(vals)/3)
	for i := 0; i+2 < len(vals); i += 3 {
		c := claimed{}
		c.id, _ = vals[i].(string)
		meta, ok := vals[i+1].(string)
		if ok {
			c.found = true
			if err := json.Unmarshal([]byte(meta), &c.d); err != nil {
				c.err = fmt.Errorf("decode delivery %s: %w", c.id, err)
			}
			body, _ := vals[i+2].(string)
			c.body = []byte(body)
		}
		out = append(out, c)
	}
	return out, nil
}

// subsByID reads the subscriptions ids name, in one round trip; those
// deleted are missing from the map.
func (s *Store) subsByID(ctx context.Context, ids []string) (map[string]storedSub, error) {
	out := make(map[string]storedSub, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = s.key("sub", id)
	}
	vals, err := s.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, fmt.Errorf("read webhooks: %w", err)
	}
	for i, v := range vals {
		str, ok := v.(string)
		if !ok {
			continue
		}
		var st storedSub
		if err := json.Unmarshal([]byte(str), &st); err != nil {
			return nil, fmt.Errorf("decode webhook %s: %w", ids[i], err)
		}
		out[ids[i]] = st
	}
	return out, nil
}

// reschedule moves a claimed delivery's due time without an attempt.
func (s *Store) reschedule(ctx context.Context, id string, due time.Time) error {
	return s.rdb.ZAdd(ctx, s.key("queue"), redis.Z{Score: float64(due.UnixMilli()), Member: id}).Err()
}

// A delivery claimed while its subscription has every slot busy is
// parked: it stays in the queue, but due only minutes or hours later (the
// safety net), and waits in the subscription's parked set (by the time it
// was due) until an attempt of that subscription ends and takes the next
// one out. Before, such a delivery was due again 500ms later: a receiver
// that answers slowly or never, with hours of deliveries due, had them
// claimed, read and put back over and over, ahead of every healthy
// receiver's. Through the safety net a parked delivery comes due by
// itself if nothing takes it out: its process died (the next one takes
// every parked delivery out when it starts), or a version that knows
// nothing of parking delivers.

// parkLua parks deliveries. KEYS: queue, the parked set. ARGV: ttl of
// the parked set in seconds, then for each delivery its id, the time it
// was due (ms) and when the safety net makes it due again (ms).
var parkLua = redis.NewScript(`
for i = 2, #ARGV, 3 do
  redis.call('ZADD', KEYS[1], 'XX', ARGV[i+2], ARGV[i])
  redis.call('ZADD', KEYS[2], ARGV[i+1], ARGV[i])
end
redis.call('EXPIRE', KEYS[2], ARGV[1])
return redis.call('ZCARD', KEYS[2])
`)

// unparkLua makes up to n parked deliveries due at the time they were
// due, the longest waiting first, and returns how many it moved and how
// many stay parked. One that is no longer parked in the queue (settled,
// or claimed again through the safety net: its due time is then at most
// a claim ahead) is dropped from the set instead. KEYS: queue, the
// parked set. ARGV: n, the time (ms) a parked delivery's due time in the
// queue is after.
var unparkLua = redis.NewScript(`
local moved = 0
while moved < tonumber(ARGV[1]) do
  local top = redis.call('ZPOPMIN', KEYS[2])
  if #top == 0 then break end
  local due = redis.call('ZSCORE', KEYS[1], top[1])
  if due and tonumber(due) > tonumber(ARGV[2]) then
    redis.call('ZADD', KEYS[1], top[2], top[1])
    moved = moved + 1
  end
end
return {moved, redis.call('ZCARD', KEYS[2])}
`)

// parked is a claimed delivery to park: its id and when it was due.
type parked struct {
	id  string
	due time.Time
}

// park parks ds, deliveries of the subscription sub, until an attempt of
// sub ends or until safety; it returns how many deliveries of sub are
// parked now.
func (s *Store) park(ctx context.Context, sub string, ds []parked, safety time.Time, ttl time.Duration) (int64, error) {
	args := make([]any, 0, 1+3*len(ds))
	args = append(args, int64(ttl/time.Second))
	for _, p := range ds {
		args = append(args, p.id, p.due.UnixMilli(), safety.UnixMilli())
	}
	n, err := parkLua.Run(ctx, s.rdb, []string{s.key("queue"), s.key("sub", sub, "parked")}, args...).Int64()
	if err != nil {
		return 0, fmt.Errorf("park deliveries of %s: %w", sub, err)
	}
	return n, nil
}

// unpark makes up to n of sub's parked deliveries due; a delivery whose
// due time in the queue is not after notBefore is not parked any more.
// It returns how many it moved and how many stay parked.
func (s *Store) unpark(ctx context.Context, sub string, n int, notBefore time.Time) (moved, left int64, err error) {
	vals, err := unparkLua.Run(ctx, s.rdb, []string{s.key("queue"), s.key("sub", sub, "parked")}, n, notBefore.UnixMilli()).Int64Slice()
	if err == nil && len(vals) != 2 {
		err = fmt.Errorf("%d values returned, want 2", len(vals))
	}
	if err != nil {
		return 0, 0, fmt.Errorf("unpark deliveries of %s: %w", sub, err)
	}
	return vals[0], vals[1], nil
}

// unparkAll makes every parked delivery of every subscription due, as
// unpark does.
func (s *Store) unparkAll(ctx context.Context, notBefore time.Time) error {
	ids, err := s.rdb.SMembers(ctx, s.key("subs")).Result()
	if err != nil {
		return fmt.Errorf("list webhooks: %w", err)
	}
	if len(ids) == 0 {
		return nil
	}
	pipe := s.rdb.Pipeline()
	exists := make([]*redis.IntCmd, len(ids))
	for i, id := range ids {
		exists[i] = pipe.Exists(ctx, s.key("sub", id, "parked"))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("find parked deliveries: %w", err)
	}
	for i, id := range ids {
		if exists[i].Val() == 0 {
			continue
		}
		if _, _, err := s.unpark(ctx, id, math.MaxInt32, notBefore); err != nil {
			return err
		}
	}
	return nil
}

// delivery returns a delivery and the body it sends.
func (s *Store) delivery(ctx context.Context, id string) (Delivery, []byte, error) {
	vals, err := s.rdb.HMGet(ctx, s.key("dlv", id), "meta", "body").Result()
	if err != nil {
		return Delivery{}, nil, fmt.Errorf("read delivery %s: %w", id, err)
	}
	meta, ok := vals[0].(string)
	if !ok {
		return Delivery{}, nil, seismo.NotFound("no delivery " + id)
	}
	var d Delivery
	if err := json.Unmarshal([]byte(meta), &d); err != nil {
		return Delivery{}, nil, fmt.Errorf("decode delivery %s: %w", id, err)
	}
	body, _ := vals[1].(string)
	return d, []byte(body), nil
}

// save writes d back and queues it for d.NextAttemptAt, or takes it out
// of the queue when it is settled.
func (s *Store) save(ctx context.Context, d Delivery) error {
	if err := s.saveAll(ctx, []Delivery{d}); err != nil {
		return fmt.Errorf("save delivery %s: %w", d.ID, err)
	}
	return nil
}

// saveAll saves each of ds as save does, in one transaction.
func (s *Store) saveAll(ctx context.Context, ds []Delivery) error {
	pipe := s.rdb.TxPipeline()
	for _, d := range ds {
		meta, err := json.Marshal(d)
		if err != nil {
			return err
		}
		pipe.HSet(ctx, s.key("dlv", d.ID), "meta", meta)
		pipe.Expire(ctx, s.key("dlv", d.ID), s.ttl)
		if d.Subscription != "" {
			// It may have been parked, then claimed through the safety net.
			pipe.ZRem(ctx, s.key("sub", d.Subscription, "parked"), d.ID)
		}
		if d.Status == StatusPending && d.NextAttemptAt != nil {
			pipe.ZAdd(ctx, s.key("queue"), redis.Z{Score: float64(d.NextAttemptAt.UnixMilli()), Member: d.ID})
		} else {
			pipe.ZRem(ctx, s.key("queue"), d.ID)
		}
	}
	_, err := pipe.Exec(ctx)
	return err
}

// deliveries returns the newest deliveries of a subscription first.
func (s *Store) deliveries(ctx context.Context, subID string, limit int) ([]Delivery, error) {
	ids, err := s.rdb.ZRevRange(ctx, s.key("sub", subID, "dlvs"), 0, int64(limit-1)).Result()
	if err != nil {
		return nil, fmt.Errorf("list deliveries of %s: %w", subID, err)
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.StringCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.HGet(ctx, s.key("dlv", id), "meta")
	}
	if len(ids) > 0 {
		if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			return nil, fmt.Errorf("read deliveries of %s: %w", subID, err)
		}
	}
	out := make([]Delivery, 0, len(ids))
	for _, c := range cmds {
		b, err := c.Bytes()
		if err != nil {
			continue // expired
		}
		var d Delivery
		if json.Unmarshal(b, &d) == nil {
			out = append(out, d)
		}
	}
	return out, nil
}

// queueDepth is how many deliveries wait, claimed ones included.
func (s *Store) queueDepth(ctx context.Context) (int64, error) {
	return s.rdb.ZCard(ctx, s.key("queue")).Result()
}

func (s *Store) putSilence(ctx context.Context, sl Silence) error {
	b, err := json.Marshal(sl)
	if err != nil {
		return err
	}
	if err := s.rdb.HSet(ctx, s.key("silences"), sl.ID, b).Err(); err != nil {
		return fmt.Errorf("store silence: %w", err)
	}
	return nil
}

// silences returns every silence, dropping those that ended more than a
// week ago (kept that long so people see what was silenced).
func (s *Store) silences(ctx context.Context) ([]Silence, error) {
	all, err := s.rdb.HGetAll(ctx, s.key("silences")).Result()
	if err != nil {
		return nil, fmt.Errorf("list silences: %w", err)
	}
	now := s.now()
	var out []Silence
	var old []string
	for id, v := range all {
		var sl Silence
		if err := json.Unmarshal([]byte(v), &sl); err != nil {
			return nil, fmt.Errorf("decode silence %s: %w", id, err)
		}
		if now.Sub(sl.EndsAt) > 7*24*time.Hour {
			old = append(old, id)
			continue
		}
		out = append(out, sl)
	}
	if len(old) > 0 {
		_ = s.rdb.HDel(ctx, s.key("silences"), old...).Err()
	}
	slices.SortFunc(out, func(a, b Silence) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return out, nil
}

func (s *Store) deleteSilence(ctx context.Context, id string) error {
	n, err := s.rdb.HDel(ctx, s.key("silences"), id).Result()
	if err != nil {
		return fmt.Errorf("delete silence %s: %w", id, err)
	}
	if n == 0 {
		return seismo.NotFound("no silence " + id)
	}
	return nil
}

// streamTime is when a stream entry was written: the milliseconds of its
// id.
func streamTime(id string) (time.Time, bool) {
	ms, _, ok := strings.Cut(id, "-")
	if !ok {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(ms, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.UnixMilli(n), true
}
