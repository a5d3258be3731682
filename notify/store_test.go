package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/internal/egress"
	"github.com/seismo-dev/seismo/internal/redistest"
	"github.com/seismo-dev/seismo/metrics"
)

// newTestWebhooks returns webhooks on a fresh redis-server, with src as
// the event stream.
func newTestWebhooks(t *testing.T, src Source, cfg WebhooksConfig) (*Webhooks, *redis.Client) {
	t.Helper()
	rdb := redistest.Start(t).Client(t)
	guard := egress.NewGuard([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")})
	cfg.Source, cfg.Cursor, cfg.Checker, cfg.Metrics = src, &benchCursor{}, guard, metrics.New()
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	cfg.Client = guard.Client(egress.ClientOptions{Timeout: cfg.Timeout})
	w, err := NewWebhooks(NewStore(rdb, StoreConfig{}), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return w, rdb
}

func runWebhooks(t *testing.T, w *Webhooks) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

// eventually polls cond until it holds, failing the test after a long
// while: what it waits for must happen, however slowly the machine runs.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited in vain for %s", what)
		}
	}
}

// heldReceiver holds every request until it is let go, and counts what
// it got by webhook-id.
type heldReceiver struct {
	srv     *httptest.Server
	release chan struct{}
	mu      sync.Mutex
	got     map[string]int
	open    int
}

func newHeldReceiver(t *testing.T) *heldReceiver {
	h := &heldReceiver{release: make(chan struct{}, 100), got: map[string]int{}}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.open++
		h.mu.Unlock()
		select {
		case <-h.release:
		case <-r.Context().Done():
		}
		h.mu.Lock()
		h.open--
		h.got[r.Header.Get("webhook-id")]++
		h.mu.Unlock()
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *heldReceiver) counts() (open int, got map[string]int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	got = map[string]int{}
	for k, v := range h.got {
		got[k] = v
	}
	return h.open, got
}

func testEvents(n int) []seismo.StreamEvent {
	var out []seismo.StreamEvent
	start := time.Now()
	for i := range n {
		at := start.Add(time.Duration(i) * time.Millisecond)
		out = append(out, seismo.StreamEvent{ID: fmt.Sprintf("%d-%d", at.UnixMilli(), i),
			Event: benchEvent(fmt.Sprintf("e%d", i), i, at)})
	}
	return out
}

// staticSource serves a fixed stream at once.
type staticSource struct{ p pacedSource }

func newStaticSource(evs []seismo.StreamEvent) *staticSource {
	s := &staticSource{}
	s.p.index = map[string]int{}
	for i, e := range evs {
		s.p.events = append(s.p.events, e)
		s.p.at = append(s.p.at, time.Time{}.Add(time.Nanosecond))
		s.p.index[e.ID] = i
	}
	return s
}

func (s *staticSource) Events(ctx context.Context, after string, count int64, block time.Duration) ([]seismo.StreamEvent, error) {
	return s.p.Events(ctx, after, count, block)
}

// While a subscription has every slot busy, its other deliveries wait
// parked, out of the way of the claims (due only through the safety net),
// and each attempt that ends lets the next one go: all are delivered, each
// once.
func TestBusySubscriptionParks(t *testing.T) {
	rc := newHeldReceiver(t)
	evs := testEvents(6)
	w, rdb := newTestWebhooks(t, newStaticSource(evs), WebhooksConfig{Workers: 8, PerSubscription: 1})
	ctx := context.Background()
	sub, _, err := w.Create(ctx, SubscriptionInput{URL: ptrTo(rc.srv.URL)})
	if err != nil {
		t.Fatal(err)
	}
	runWebhooks(t, w)
	parkedKey := w.store.key("sub", sub.ID, "parked")
	eventually(t, "one attempt in flight and five deliveries parked", func() bool {
		open, _ := rc.counts()
		n, _ := rdb.ZCard(ctx, parkedKey).Result()
		return open == 1 && n == 5
	})
	ids, _ := rdb.ZRange(ctx, parkedKey, 0, -1).Result()
	for _, id := range ids {
		due, err := rdb.ZScore(ctx, w.store.key("queue"), id).Result()
		if err != nil || time.UnixMilli(int64(due)).Before(time.Now().Add(parkFor/2)) {
			t.Errorf("parked delivery %s due at %v (%v) in the queue, want the safety net's, about %s from now", id, time.UnixMilli(int64(due)), err, parkFor)
		}
	}
	for range evs {
		rc.release <- struct{}{}
	}
	eventually(t, "every event delivered", func() bool {
		_, got := rc.counts()
		return len(got) == len(evs)
	})
	_, got := rc.counts()
	for id, n := range got {
		if n != 1 {
			t.Errorf("%s delivered %d times", id, n)
		}
	}
	eventually(t, "the parked set emptied", func() bool {
		n, _ := rdb.ZCard(ctx, parkedKey).Result()
		return n == 0
	})
}

// Deliveries a stopped process left parked are let go when delivery
// starts, long before the safety net would bring them back.
func TestParkedUnparkedAtStart(t *testing.T) {
	rc := newHeldReceiver(t)
	close(rc.release) // answers at once
	w, _ := newTestWebhooks(t, newStaticSource(nil), WebhooksConfig{})
	ctx := context.Background()
	sub, _, err := w.Create(ctx, SubscriptionInput{URL: ptrTo(rc.srv.URL)})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	var ps []parked
	for _, se := range testEvents(3) {
		d, err := w.queueAt(ctx, &sub, se.Event, now, now)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, parked{id: d.ID, due: now})
	}
	if _, err := w.store.park(ctx, sub.ID, ps, now.Add(time.Hour), time.Hour); err != nil {
		t.Fatal(err)
	}
	runWebhooks(t, w)
	eventually(t, "the three parked deliveries delivered", func() bool {
		_, got := rc.counts()
		return len(got) == 3
	})
}

// Unparking drops, rather than brings forward, a delivery that was
// settled or claimed again since it was parked.
func TestUnparkSkipsSettledAndClaimed(t *testing.T) {
	w, rdb := newTestWebhooks(t, newStaticSource(nil), WebhooksConfig{})
	ctx := context.Background()
	sub := Subscription{ID: "wh_test"}
	now := time.Now()
	var ds []Delivery
	var ps []parked
	for _, se := range testEvents(3) {
		d, err := w.queueAt(ctx, &sub, se.Event, now, now)
		if err != nil {
			t.Fatal(err)
		}
		ds = append(ds, d)
		ps = append(ps, parked{id: d.ID, due: now})
	}
	if n, err := w.store.park(ctx, sub.ID, ps, now.Add(time.Hour), time.Hour); err != nil || n != 3 {
		t.Fatalf("park = %d, %v; want 3 parked", n, err)
	}
	ds[0].Status, ds[0].NextAttemptAt = StatusDelivered, nil
	if err := w.store.save(ctx, ds[0]); err != nil { // settled
		t.Fatal(err)
	}
	if err := w.store.reschedule(ctx, ds[1].ID, now.Add(w.claimFor())); err != nil { // claimed
		t.Fatal(err)
	}
	moved, left, err := w.store.unpark(ctx, sub.ID, 3, now.Add(w.claimFor()+time.Second))
	if err != nil || moved != 1 || left != 0 {
		t.Fatalf("unpark = %d moved, %d left, %v; want 1 and 0", moved, left, err)
	}
	due, err := rdb.ZScore(ctx, w.store.key("queue"), ds[2].ID).Result()
	if err != nil || int64(due) != now.UnixMilli() {
		t.Errorf("unparked delivery due at %v (%v), want when it was due, %d", due, err, now.UnixMilli())
	}
	if _, err := rdb.ZScore(ctx, w.store.key("queue"), ds[0].ID).Result(); err != redis.Nil {
		t.Errorf("the settled delivery is back in the queue (%v)", err)
	}
}

// Fan-out queues one delivery per subscription and event, with the body
// of the subscription's format, however often it runs and whether or not
// Redis still has the queueing script.
func TestFanOutQueuesOnce(t *testing.T) {
	evs := testEvents(3)
	w, rdb := newTestWebhooks(t, newStaticSource(nil), WebhooksConfig{DashboardURL: "https://seismo.example"})
	ctx := context.Background()
	var subs []Subscription
	for _, f := range []string{FormatStandard, FormatSlack, FormatStandard} {
		sub, _, err := w.Create(ctx, SubscriptionInput{URL: ptrTo("http://127.0.0.1:9/x"), Format: ptrTo(f)})
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, sub)
	}
	for range 2 {
		if err := rdb.ScriptFlush(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		if err := w.fanOutBatch(ctx, evs); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := w.store.queueDepth(ctx); n != int64(len(subs)*len(evs)) {
		t.Errorf("queue holds %d deliveries, want %d", n, len(subs)*len(evs))
	}
	for _, sub := range subs {
		for _, se := range evs {
			d, body, err := w.store.delivery(ctx, deliveryID(sub.ID, se.Event.ID))
			if err != nil {
				t.Fatal(err)
			}
			want, _ := w.body(&sub, se.Event)
			if string(body) != string(want) || d.MessageID != se.Event.ID || d.Status != StatusPending {
				t.Errorf("delivery of %s to %s (%s): %+v with body %s, want %s", se.Event.ID, sub.ID, sub.Format, d, body, want)
			}
		}
	}
}

// A claim returns each delivery with what it sends, and says which
// expired.
func TestClaimReadsDeliveries(t *testing.T) {
	w, rdb := newTestWebhooks(t, newStaticSource(nil), WebhooksConfig{})
	ctx := context.Background()
	sub := Subscription{ID: "wh_test"}
	now := time.Now()
	var ds []Delivery
	for _, se := range testEvents(2) {
		d, err := w.queueAt(ctx, &sub, se.Event, now, now.Add(time.Duration(len(ds))*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		ds = append(ds, d)
	}
	if err := rdb.Del(ctx, w.store.key("dlv", ds[1].ID)).Err(); err != nil {
		t.Fatal(err)
	}
	cs, err := w.store.claim(ctx, now.Add(time.Second), 10, now.Add(time.Minute))
	if err != nil || len(cs) != 2 {
		t.Fatalf("claim = %+v, %v; want both", cs, err)
	}
	var ev seismo.Event
	if !cs[0].found || cs[0].id != ds[0].ID || cs[0].d.ID != ds[0].ID || json.Unmarshal(cs[0].body, &ev) != nil || ev.ID != ds[0].MessageID {
		t.Errorf("claimed %+v, want %s with its event", cs[0], ds[0].ID)
	}
	if cs[1].found || cs[1].id != ds[1].ID {
		t.Errorf("claimed %+v, want %s found expired", cs[1], ds[1].ID)
	}
	if again, _ := w.store.claim(ctx, now.Add(time.Second), 10, now.Add(time.Minute)); len(again) != 0 {
		t.Errorf("claimed again before the claim lapsed: %+v", again)
	}
}

// The safety net of a parked delivery is further off the more are parked
// ahead of it, so that a long backlog is not claimed and parked again
// and again.
func TestParkedUntil(t *testing.T) {
	now := time.Date(2024, 4, 3, 18, 0, 0, 0, time.UTC)
	w, _ := newTestWebhooks(t, newStaticSource(nil), WebhooksConfig{PerSubscription: 4, Timeout: 10 * time.Second,
		Now: func() time.Time { return now }})
	for _, c := range []struct {
		ahead int64
		want  time.Duration
	}{{0, parkFor}, {400, parkFor + 1000*time.Second}, {1e6, 6 * time.Hour}} {
		w.parked["wh_x"] = c.ahead
		if got := w.parkedUntil("wh_x").Sub(now); got < c.want || got > c.want*3/2 {
			t.Errorf("with %d parked ahead, due by itself after %s, want %s to 1.5 times that", c.ahead, got, c.want)
		}
	}
}

// Outcomes saved together land as each saved alone would: a retry
// queued for its time, a settled delivery out of the queue and out of
// its subscription's parked set.
func TestSaveAll(t *testing.T) {
	w, rdb := newTestWebhooks(t, newStaticSource(nil), WebhooksConfig{})
	ctx := context.Background()
	sub := Subscription{ID: "wh_test"}
	now := time.Now()
	var ds []Delivery
	for _, se := range testEvents(2) {
		d, err := w.queueAt(ctx, &sub, se.Event, now, now)
		if err != nil {
			t.Fatal(err)
		}
		ds = append(ds, d)
	}
	if _, err := w.store.park(ctx, sub.ID, []parked{{id: ds[1].ID, due: now}}, now.Add(time.Hour), time.Hour); err != nil {
		t.Fatal(err)
	}
	next := now.Add(time.Minute)
	ds[0].Attempts = append(ds[0].Attempts, Attempt{At: now, StatusCode: 503})
	ds[0].NextAttemptAt = &next
	ds[1].Attempts = append(ds[1].Attempts, Attempt{At: now, StatusCode: 200})
	ds[1].Status, ds[1].NextAttemptAt = StatusDelivered, nil
	if err := w.store.saveAll(ctx, ds); err != nil {
		t.Fatal(err)
	}
	if due, err := rdb.ZScore(ctx, w.store.key("queue"), ds[0].ID).Result(); err != nil || int64(due) != next.UnixMilli() {
		t.Errorf("retry due at %v (%v), want %d", due, err, next.UnixMilli())
	}
	if _, err := rdb.ZScore(ctx, w.store.key("queue"), ds[1].ID).Result(); err != redis.Nil {
		t.Errorf("delivered delivery still queued (%v)", err)
	}
	if n, _ := rdb.ZCard(ctx, w.store.key("sub", sub.ID, "parked")).Result(); n != 0 {
		t.Errorf("delivered delivery still parked")
	}
	for i, d := range ds {
		got, _, err := w.store.delivery(ctx, d.ID)
		if err != nil || got.Status != d.Status || len(got.Attempts) != 1 || got.Attempts[0].StatusCode != d.Attempts[0].StatusCode {
			t.Errorf("delivery %d saved as %+v (%v), want %+v", i, got, err, d)
		}
	}
}

// Disabling or deleting a subscription lets its parked deliveries go at
// once, due when they were (to be settled as failed when claimed), rather
// than when the safety net brings them back.
func TestChangeLetsParkedGo(t *testing.T) {
	w, rdb := newTestWebhooks(t, newStaticSource(nil), WebhooksConfig{})
	ctx := context.Background()
	now := time.Now()
	var subs []Subscription
	ids := map[string][]string{}
	for range 2 {
		sub, _, err := w.Create(ctx, SubscriptionInput{URL: ptrTo("http://127.0.0.1:9/x")})
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, sub)
		var ps []parked
		for _, se := range testEvents(2) {
			d, err := w.queueAt(ctx, &sub, se.Event, now, now)
			if err != nil {
				t.Fatal(err)
			}
			ps = append(ps, parked{id: d.ID, due: now})
			ids[sub.ID] = append(ids[sub.ID], d.ID)
		}
		if _, err := w.store.park(ctx, sub.ID, ps, now.Add(time.Hour), time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Update(ctx, subs[0].ID, SubscriptionInput{Disabled: ptrTo(true)}); err != nil {
		t.Fatal(err)
	}
	if err := w.Delete(ctx, subs[1].ID); err != nil {
		t.Fatal(err)
	}
	for _, sub := range subs {
		if n, _ := rdb.ZCard(ctx, w.store.key("sub", sub.ID, "parked")).Result(); n != 0 {
			t.Errorf("%d deliveries of %s still parked", n, sub.ID)
		}
		for _, id := range ids[sub.ID] {
			if due, err := rdb.ZScore(ctx, w.store.key("queue"), id).Result(); err != nil || int64(due) != now.UnixMilli() {
				t.Errorf("delivery %s due at %v (%v), want when it was due, %d", id, due, err, now.UnixMilli())
			}
		}
	}
	runWebhooks(t, w)
	for sub, why := range map[string]string{subs[0].ID: "webhook disabled", subs[1].ID: "webhook deleted"} {
		for _, id := range ids[sub] {
			eventually(t, id+" settled", func() bool {
				d, _, err := w.store.delivery(ctx, id)
				return err == nil && d.Status == StatusFailed
			})
			d, _, _ := w.store.delivery(ctx, id)
			if len(d.Attempts) != 1 || !strings.HasPrefix(d.Attempts[0].Error, why) {
				t.Errorf("delivery %s settled with %+v, want %q", id, d.Attempts, why)
			}
		}
	}
}
