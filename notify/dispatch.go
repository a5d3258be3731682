package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/metrics"
)

// WebhooksConfig configures webhook delivery.
type WebhooksConfig struct {
	// Source is the incident event stream and Cursor where fan-out stands
	// in it; both required for Run.
	Source Source
	Cursor Cursor
	// Checker vets URLs at registration and Client sends with a guard on
	// every connection (see egress.Guard); both required. Client should
	// keep as many idle connections to one host as there are Workers:
	// many subscriptions can share a receiver's host (Slack's, or one
	// endpoint with a path per subscription), and with fewer, most
	// deliveries to it close their connection and dial (and handshake)
	// a new one.
	Checker URLChecker
	Client  *http.Client
	// Services lists the known service ids, to refuse unknown ones in
	// filters; nil accepts any.
	Services []string
	// Schedule is the wait before each retry; default DefaultSchedule.
	Schedule []time.Duration
	// Workers bounds attempts in flight at once (default DefaultWorkers), and
	// PerSubscription those to one subscription (default 4), so one slow
	// or dead endpoint never holds up the others.
	Workers         int
	PerSubscription int
	// Timeout bounds one attempt (default 10s); ResponseBytes is how much
	// of an answer is kept in the delivery log (default 2 KiB).
	Timeout       time.Duration
	ResponseBytes int
	// DisableAfter disables a subscription whose every attempt failed
	// for this long (default 5 days).
	DisableAfter time.Duration
	// DashboardURL is the base of links in Slack messages; "" leaves the
	// link out.
	DashboardURL string
	Metrics      *metrics.Registry
	Logger       *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// DefaultWorkers is how many attempts are in flight at once by default.
const DefaultWorkers = 64

// Webhooks manages subscriptions and silences and, in the process that
// leads, fans the incident events out to the subscriptions and delivers
// them: signed, at least once, retried on a schedule, each subscription
// apart from the others.
type Webhooks struct {
	cfg   WebhooksConfig
	store *Store
	now   func() time.Time
	log   *slog.Logger
	wake  chan struct{}

	mu       sync.Mutex
	inflight map[string]int // attempts in flight by subscription
	// parked is how many deliveries of a subscription wait parked, as
	// Redis said when this process last parked or unparked some, and
	// freed how many of its slots were freed since the deliver loop last
	// unparked: the loop alone parks, and unparks for freed slots, so
	// that such an unpark never runs ahead of the park it answers.
	parked map[string]int64
	freed  map[string]int

	delivered, retried, failed, silenced metrics.Counter
	latency                              metrics.Histogram
	depth, disabled                      metrics.Gauge
}

// NewWebhooks returns webhooks kept in store.
func NewWebhooks(store *Store, cfg WebhooksConfig) (*Webhooks, error) {
	if cfg.Checker == nil || cfg.Client == nil {
		return nil, errors.New("notify: webhooks need a URL checker and a guarded client")
	}
	if cfg.Schedule == nil {
		cfg.Schedule = DefaultSchedule
	}
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.PerSubscription <= 0 {
		cfg.PerSubscription = 4
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.ResponseBytes <= 0 {
		cfg.ResponseBytes = 2 << 10
	}
	if cfg.DisableAfter <= 0 {
		cfg.DisableAfter = 5 * 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	reg := cfg.Metrics
	const dh = "Webhook delivery attempts by result: delivered, retried (a retry is scheduled) or failed (no more retries)."
	w := &Webhooks{cfg: cfg, store: store, now: cfg.Now, log: log, wake: make(chan struct{}, 1),
		inflight: map[string]int{}, parked: map[string]int64{}, freed: map[string]int{},
		delivered: reg.Counter("seismo_webhook_deliveries_total", dh, "result", "delivered"),
		retried:   reg.Counter("seismo_webhook_deliveries_total", dh, "result", "retried"),
		failed:    reg.Counter("seismo_webhook_deliveries_total", dh, "result", "failed"),
		silenced:  reg.Counter("seismo_webhook_silenced_total", "Webhook deliveries not made because a silence held the incident."),
		latency: reg.Histogram("seismo_webhook_delivery_latency_seconds", "From the event entering the stream to the receiver's 2xx.",
			[]float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 7200}),
		depth:    reg.Gauge("seismo_webhook_queue_depth", "Webhook deliveries waiting for an attempt or a retry."),
		disabled: reg.Gauge("seismo_webhook_subscriptions_disabled", "Webhook subscriptions that are disabled."),
	}
	return w, nil
}

// Run fans out and delivers until ctx ends. Run it in one process at a
// time (the detector's lease holder): the queue is shared, so a successor
// resumes where it stopped, and attempts in flight when a process dies
// are made again once their claim lapses.
func (w *Webhooks) Run(ctx context.Context) error {
	if w.cfg.Source == nil || w.cfg.Cursor == nil {
		return errors.New("notify: webhooks need an event source and a cursor to run")
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { w.fanOut(gctx); return nil })
	g.Go(func() error { w.deliver(gctx); return nil })
	g.Go(func() error { w.gauges(gctx); return nil })
	return g.Wait()
}

func (w *Webhooks) nudge() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// fanOut turns each event of the stream into a delivery for every
// subscription it matches, unless a silence holds its incident, and moves
// the cursor past it only then: a crash repeats fan-out, which the
// deliveries' ids make harmless.
func (w *Webhooks) fanOut(ctx context.Context) {
	after := ""
	wait := backoff{}
	for ctx.Err() == nil {
		if after == "" {
			id, err := w.cfg.Cursor.Load(ctx)
			if err != nil {
				w.log.Warn("reading the webhook cursor failed", "err", err)
				wait.sleep(ctx)
				continue
			}
			after = id
		}
		evs, err := w.cfg.Source.Events(ctx, after, 100, time.Second)
		if err == nil && len(evs) > 0 {
			err = w.fanOutBatch(ctx, evs)
			if err == nil {
				err = w.cfg.Cursor.Save(ctx, evs[len(evs)-1].ID)
			}
			if err == nil {
				after = evs[len(evs)-1].ID
				w.nudge()
			}
		}
		if err != nil {
			if ctx.Err() == nil {
				w.log.Warn("webhook fan-out failed; retrying", "err", err)
			}
			wait.sleep(ctx)
			continue
		}
		wait.reset()
	}
}

// fanOutChunk is how many deliveries fan-out queues in one round trip;
// delivery starts on each chunk as soon as it is queued.
const fanOutChunk = 256

func (w *Webhooks) fanOutBatch(ctx context.Context, evs []seismo.StreamEvent) error {
	subs, err := w.store.subs(ctx)
	if err != nil {
		return err
	}
	sls, err := w.store.silences(ctx)
	if err != nil {
		return err
	}
	now := w.now().UTC()
	batch := make([]queued, 0, fanOutChunk)
	flush := func() error {
		if err := w.store.enqueueAll(ctx, batch); err != nil {
			return err
		}
		batch = batch[:0]
		w.nudge()
		return nil
	}
	for _, se := range evs {
		at, ok := streamTime(se.ID)
		if !ok {
			at = now
		}
		var silence string
		// Every subscription of a format gets the same body: encoding it
		// once per subscription was half of fan-out's CPU time.
		bodies := map[string][]byte{}
		for i := range subs {
			sub := &subs[i].Subscription
			if !sub.Matches(se.Event) {
				continue
			}
			if silence == "" {
				silence = SilencedBy(sls, &se.Event.Data, now)
			}
			if silence != "" {
				w.silenced.Inc()
				w.log.Debug("webhook held by a silence", "webhook", sub.ID, "event_id", se.Event.ID, "silence", silence)
				continue
			}
			body, ok := bodies[sub.Format]
			if !ok {
				if body, err = w.body(sub, se.Event); err != nil {
					return fmt.Errorf("encode event %s for %s: %w", se.Event.ID, sub.ID, err)
				}
				bodies[sub.Format] = body
			}
			batch = append(batch, queued{d: newDelivery(sub, se.Event, at.UTC(), now), body: body})
			if len(batch) == fanOutChunk {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

// claimFor is how long a claimed delivery stays hidden from other claims:
// longer than an attempt (the client's timeout bounds it) and the saving
// of its outcome, so only a dead process's claims lapse, and soon.
func (w *Webhooks) claimFor() time.Duration { return w.cfg.Timeout + 10*time.Second }

// parkFor is how long a parked delivery waits at least before it comes
// due by itself (see Store.park).
const parkFor = 10 * time.Minute

// parkedUntil is when deliveries of sub parked now come due by
// themselves: after parkFor and the time the deliveries parked ahead of
// them would take at PerSubscription at a time if every attempt took the
// whole Timeout, at most 6 hours, so that a subscription with hours of
// backlog does not have it claimed and parked again every few minutes;
// stretched by up to half as much again at random, so that a backlog
// parked at once does not come back at once.
func (w *Webhooks) parkedUntil(sub string) time.Time {
	w.mu.Lock()
	ahead := w.parked[sub]
	w.mu.Unlock()
	d := parkFor + time.Duration(ahead/int64(w.cfg.PerSubscription))*w.cfg.Timeout
	d = min(d, 6*time.Hour)
	return w.now().Add(time.Duration(float64(d) * (1 + 0.5*rand.Float64())))
}

// deliver claims due deliveries while workers are free and attempts each.
func (w *Webhooks) deliver(ctx context.Context) {
	slots := make(chan struct{}, w.cfg.Workers)
	var wg sync.WaitGroup
	// New deliveries and freed slots wake the loop; the tick is for
	// retries coming due.
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	wait := backoff{}
	swept := false
	saves := make(chan saveReq, w.cfg.Workers)
	go w.saveOutcomes(ctx, saves)
	defer close(saves)
	defer wg.Wait() // the workers save until they are done
	for ctx.Err() == nil {
		if !swept {
			// What a process that stopped left parked: nothing is in
			// flight yet, so it all may go.
			if err := w.store.unparkAll(ctx, w.now().Add(w.claimFor())); err != nil {
				w.log.Warn("unparking webhook deliveries failed; they come due by themselves", "err", err)
			}
			swept = true
		}
		w.unparkFreed(ctx)
		now := w.now()
		cs, err := w.store.claim(ctx, now, cap(slots)-len(slots), now.Add(w.claimFor()))
		if err != nil {
			if ctx.Err() == nil {
				w.log.Warn("claiming webhook deliveries failed; retrying", "err", err)
			}
			wait.sleep(ctx)
			continue
		}
		wait.reset()
		for _, r := range w.prepare(ctx, cs) {
			slots <- struct{}{}
			wg.Go(func() {
				w.attempt(ctx, r.st, r.d, r.body, saves)
				<-slots
				w.release(r.st.ID) // wakes the loop: the slot is free
			})
		}
		if len(cs) > 0 && len(slots) < cap(slots) {
			continue // more may be due
		}
		select {
		case <-ctx.Done():
		case <-w.wake:
		case <-tick.C:
		}
	}
}

// ready is a claimed delivery with a slot of its subscription taken.
type ready struct {
	st   storedSub
	d    Delivery
	body []byte
}

// prepare settles what is not to be attempted among the claimed
// deliveries, parks those whose subscription has every slot busy, and
// returns the others with a slot of their subscription taken.
func (w *Webhooks) prepare(ctx context.Context, cs []claimed) []ready {
	var ids []string
	for _, c := range cs {
		if c.found && c.err == nil && !slices.Contains(ids, c.d.Subscription) {
			ids = append(ids, c.d.Subscription)
		}
	}
	subs, err := w.store.subsByID(ctx, ids)
	if err != nil {
		w.log.Warn("reading webhooks failed", "err", err)
		return nil // the claims lapse and the deliveries come back
	}
	var out []ready
	var park map[string][]parked
	for _, c := range cs {
		d := c.d
		switch {
		case !c.found:
			_ = w.store.save(ctx, Delivery{ID: c.id, Status: StatusFailed}) // expired: out of the queue
			continue
		case c.err != nil:
			w.log.Warn("reading a webhook delivery failed", "delivery", c.id, "err", c.err)
			continue // its claim lapses and it comes back
		case d.Status != StatusPending:
			_ = w.store.save(ctx, d)
			continue
		}
		st, ok := subs[d.Subscription]
		switch {
		case !ok:
			w.settle(ctx, &d, StatusFailed, "webhook deleted")
			continue
		case st.Disabled && d.EventType != EventTest:
			w.settle(ctx, &d, StatusFailed, "webhook disabled: "+st.DisabledReason)
			continue
		}
		if !w.acquire(st.ID) {
			due := d.CreatedAt
			if d.NextAttemptAt != nil {
				due = *d.NextAttemptAt
			}
			if park == nil {
				park = map[string][]parked{}
			}
			park[st.ID] = append(park[st.ID], parked{id: d.ID, due: due})
			continue
		}
		out = append(out, ready{st: st, d: d, body: c.body})
	}
	for sub, ps := range park {
		w.park(ctx, sub, ps)
	}
	return out
}

// park parks deliveries of a subscription whose slots are all busy,
// leaving the workers to the others until one of its attempts ends.
func (w *Webhooks) park(ctx context.Context, sub string, ps []parked) {
	safety := w.parkedUntil(sub)
	n, err := w.store.park(ctx, sub, ps, safety, 2*safety.Sub(w.now()))
	if err != nil {
		w.log.Warn("parking webhook deliveries failed", "webhook", sub, "err", err)
		return // the claims lapse and they come back
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.parked[sub] = n
	// Slots freed while the deliveries were being parked did not count.
	if free := w.cfg.PerSubscription - w.inflight[sub]; free > 0 {
		w.freed[sub] = max(w.freed[sub], free)
	}
}

// unparkFreed makes due a parked delivery for each slot freed since the
// last call.
func (w *Webhooks) unparkFreed(ctx context.Context) {
	w.mu.Lock()
	freed := w.freed
	if len(freed) == 0 {
		w.mu.Unlock()
		return
	}
	w.freed = map[string]int{}
	w.mu.Unlock()
	for sub, n := range freed {
		_, left, err := w.store.unpark(ctx, sub, n, w.now().Add(w.claimFor()))
		if err != nil {
			w.log.Warn("unparking webhook deliveries failed; they come due by themselves", "webhook", sub, "err", err)
			continue
		}
		w.mu.Lock()
		if left > 0 {
			w.parked[sub] = left
		} else {
			delete(w.parked, sub)
		}
		w.mu.Unlock()
	}
}

// settle ends a delivery without an attempt.
func (w *Webhooks) settle(ctx context.Context, d *Delivery, status, reason string) {
	d.Status, d.NextAttemptAt = status, nil
	d.Attempts = append(d.Attempts, Attempt{At: w.now().UTC(), Error: reason})
	if err := w.store.save(ctx, *d); err != nil {
		w.log.Warn("saving a webhook delivery failed", "delivery", d.ID, "err", err)
	}
	w.failed.Inc()
}

func (w *Webhooks) acquire(sub string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.inflight[sub] >= w.cfg.PerSubscription {
		return false
	}
	w.inflight[sub]++
	return true
}

func (w *Webhooks) release(sub string) {
	w.mu.Lock()
	if w.inflight[sub]--; w.inflight[sub] <= 0 {
		delete(w.inflight, sub)
	}
	if w.parked[sub] > 0 {
		w.freed[sub]++
	}
	w.mu.Unlock()
	w.nudge()
}

// attempt sends d once and records the outcome: delivered, a retry on the
// schedule, or failed.
func (w *Webhooks) attempt(ctx context.Context, st storedSub, d Delivery, body []byte, saves chan<- saveReq) {
	now := w.now().UTC()
	sig, err := SignAll(st.signing(now), d.MessageID, now, body)
	if err != nil {
		w.settle(ctx, &d, StatusFailed, "signing failed: "+err.Error())
		return
	}
	actx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, st.URL, bytes.NewReader(body))
	if err != nil {
		w.settle(ctx, &d, StatusFailed, "bad webhook URL: "+err.Error())
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "seismo-webhooks/1")
	req.Header.Set("webhook-id", d.MessageID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	start := time.Now()
	resp, err := w.cfg.Client.Do(req)
	att := Attempt{At: now}
	var retryAfter time.Duration
	if err == nil {
		att.StatusCode = resp.StatusCode
		att.Response = readSome(resp.Body, w.cfg.ResponseBytes)
		resp.Body.Close()
		retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), now)
	} else {
		att.Error = attemptError(err)
	}
	att.DurationMS = time.Since(start).Milliseconds()
	if ctx.Err() != nil {
		// Shutting down: the attempt did not count. Make it due at once so
		// the next leader takes it without waiting for the claim to lapse.
		rctx, rcancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer rcancel()
		_ = w.store.reschedule(rctx, d.ID, w.now())
		return
	}
	d.Attempts = append(d.Attempts, att)
	ok := err == nil && att.StatusCode >= 200 && att.StatusCode < 300
	switch round := len(d.Attempts) - d.RetryFrom; {
	case ok:
		d.Status, d.NextAttemptAt = StatusDelivered, nil
		w.delivered.Inc()
		w.latency.Observe(w.now().Sub(d.EventAt).Seconds())
	case retryable(err, att.StatusCode) && round <= len(w.cfg.Schedule):
		delay := jitter(w.cfg.Schedule[round-1])
		if retryAfter > delay {
			delay = min(retryAfter, 24*time.Hour)
		}
		next := now.Add(delay)
		d.NextAttemptAt = &next
		w.retried.Inc()
	default:
		d.Status, d.NextAttemptAt = StatusFailed, nil
		w.failed.Inc()
	}
	done := make(chan error, 1)
	saves <- saveReq{d: d, done: done}
	if err := <-done; err != nil {
		w.log.Warn("saving a webhook delivery failed", "delivery", d.ID, "err", err)
	}
	w.health(ctx, st, ok, now)
}

// saveReq asks saveOutcomes to save an attempted delivery.
type saveReq struct {
	d    Delivery
	done chan<- error
}

// saveOutcomes saves what the attempts send on in, all that is waiting in
// one transaction, until in is closed. Saving each on its own was a round
// trip per delivery and a fifth of delivery's CPU time.
func (w *Webhooks) saveOutcomes(ctx context.Context, in <-chan saveReq) {
	// An attempt that was made is recorded, even as the process stops:
	// its claim would otherwise lapse and it would be made again.
	ctx = context.WithoutCancel(ctx)
	var batch []saveReq
	var ds []Delivery
	for r := range in {
		batch, ds = append(batch[:0], r), append(ds[:0], r.d)
	more:
		for len(batch) < 256 {
			select {
			case r, ok := <-in:
				if !ok {
					break more
				}
				batch, ds = append(batch, r), append(ds, r.d)
			default:
				break more
			}
		}
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := w.store.saveAll(sctx, ds)
		cancel()
		for _, r := range batch {
			r.done <- err
		}
	}
}

// health keeps a subscription's failing_since, and disables one that has
// failed every attempt for DisableAfter.
func (w *Webhooks) health(ctx context.Context, st storedSub, ok bool, now time.Time) {
	var change func(*storedSub) error
	switch {
	case ok && st.FailingSince != nil:
		change = func(s *storedSub) error { s.FailingSince = nil; return nil }
	case !ok && st.FailingSince == nil:
		change = func(s *storedSub) error {
			if s.FailingSince == nil {
				s.FailingSince = &now
			}
			return nil
		}
	case !ok && !st.Disabled && now.Sub(*st.FailingSince) >= w.cfg.DisableAfter:
		change = func(s *storedSub) error {
			s.Disabled = true
			s.DisabledReason = fmt.Sprintf("every delivery failed since %s", s.FailingSince.Format(time.RFC3339))
			s.UpdatedAt = now
			return nil
		}
		w.log.Warn("webhook disabled: every delivery failed", "webhook", st.ID, "since", st.FailingSince)
	default:
		return
	}
	up, err := w.store.updateSub(ctx, st.ID, change)
	if err != nil && seismo.ErrorCode(err) != seismo.CodeNotFound {
		w.log.Warn("recording a webhook's health failed", "webhook", st.ID, "err", err)
	}
	if err == nil && up.Disabled && !st.Disabled {
		w.unparkSub(ctx, st.ID) // to be settled as failed
	}
}

// retryable: the receiver may answer later. Timeouts, refused connections
// and 408, 429 and 5xx are; any other answer is the receiver's final word.
func retryable(err error, code int) bool {
	if err != nil {
		return true
	}
	return code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500
}

// jitter spreads retries by ±10%, so receivers that failed together are
// not retried together.
func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.9 + 0.2*rand.Float64()))
}

// parseRetryAfter reads seconds or an HTTP date; 0 when absent or bad.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// attemptError says why an attempt got no answer, without Go's wrapping.
func attemptError(err error) string {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) && ue.Unwrap() != nil {
		err = ue.Unwrap()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	return err.Error()
}

// readSome reads up to n bytes of r as text and discards a bounded rest,
// so the connection can be reused without reading an endless answer.
func readSome(r io.Reader, n int) string {
	b, _ := io.ReadAll(io.LimitReader(r, int64(n)))
	_, _ = io.Copy(io.Discard, io.LimitReader(r, 64<<10))
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// gauges refreshes the queue depth and the disabled count.
func (w *Webhooks) gauges(ctx context.Context) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		if n, err := w.store.queueDepth(ctx); err == nil {
			w.depth.Set(float64(n))
		}
		if subs, err := w.store.subs(ctx); err == nil {
			n := 0
			for _, s := range subs {
				if s.Disabled {
					n++
				}
			}
			w.disabled.Set(float64(n))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// body is what a delivery of ev to sub sends.
func (w *Webhooks) body(sub *Subscription, ev seismo.Event) ([]byte, error) {
	if sub.Format == FormatSlack {
		return json.Marshal(slackMessage(ev, w.cfg.DashboardURL))
	}
	return json.Marshal(ev)
}

// backoff doubles a wait from 100ms to 10s.
type backoff struct{ d time.Duration }

func (b *backoff) sleep(ctx context.Context) {
	b.d = min(max(2*b.d, 100*time.Millisecond), 10*time.Second)
	t := time.NewTimer(b.d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

func (b *backoff) reset() { b.d = 0 }
