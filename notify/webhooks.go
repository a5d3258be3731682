package notify

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/seismo-dev/seismo"
)

// URLChecker refuses webhook URLs that point where seismo must not send
// (implemented by *egress.Guard): loopback, private and link-local
// addresses, unless an operator opened them.
type URLChecker interface {
	CheckURL(ctx context.Context, raw string) error
}

// DefaultSchedule is the wait before each retry of a failed delivery;
// after the last, the delivery has failed.
var DefaultSchedule = []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute,
	2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}

// Create registers a subscription and returns it with its secret, which
// is shown this once.
func (w *Webhooks) Create(ctx context.Context, in SubscriptionInput) (Subscription, string, error) {
	now := w.now().UTC()
	sub := Subscription{ID: newID("wh_"), CreatedAt: now, UpdatedAt: now, Services: []string{}, Countries: []string{}, Events: []string{}}
	if err := in.apply(&sub, w.cfg.Services); err != nil {
		return Subscription{}, "", seismo.Invalid(err.Error())
	}
	if err := w.cfg.Checker.CheckURL(ctx, sub.URL); err != nil {
		return Subscription{}, "", seismo.Invalid(err.Error())
	}
	secret, err := NewSecret()
	if err != nil {
		return Subscription{}, "", err
	}
	if err := w.store.createSub(ctx, sub, secret); err != nil {
		return Subscription{}, "", err
	}
	return sub, secret, nil
}

// Subscriptions lists every subscription, oldest first.
func (w *Webhooks) Subscriptions(ctx context.Context) ([]Subscription, error) {
	all, err := w.store.subs(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Subscription, len(all))
	for i, st := range all {
		out[i] = st.Subscription
	}
	return out, nil
}

// Subscription returns one subscription.
func (w *Webhooks) Subscription(ctx context.Context, id string) (Subscription, error) {
	st, err := w.store.sub(ctx, id)
	return st.Subscription, err
}

// Update changes the fields given in in.
func (w *Webhooks) Update(ctx context.Context, id string, in SubscriptionInput) (Subscription, error) {
	if in.URL != nil {
		if err := w.cfg.Checker.CheckURL(ctx, *in.URL); err != nil {
			return Subscription{}, seismo.Invalid(err.Error())
		}
	}
	st, err := w.store.updateSub(ctx, id, func(st *storedSub) error {
		if err := in.apply(&st.Subscription, w.cfg.Services); err != nil {
			return seismo.Invalid(err.Error())
		}
		st.UpdatedAt = w.now().UTC()
		return nil
	})
	if err == nil {
		w.unparkSub(ctx, id)
	}
	return st.Subscription, err
}

// Delete removes a subscription; its pending deliveries are dropped when
// they come due.
func (w *Webhooks) Delete(ctx context.Context, id string) error {
	w.unparkSub(ctx, id)
	return w.store.deleteSub(ctx, id)
}

// unparkSub makes every parked delivery of a subscription due, after a
// change that may decide their fate at once (a new URL, disabled,
// enabled again or deleted), rather than one each time an attempt of it
// ends, or through the safety net.
func (w *Webhooks) unparkSub(ctx context.Context, id string) {
	if _, _, err := w.store.unpark(ctx, id, math.MaxInt32, w.now().Add(w.claimFor())); err != nil {
		w.log.Warn("unparking webhook deliveries failed; they come due by themselves", "webhook", id, "err", err)
		return
	}
	w.nudge()
}

// SecretOverlap is how long the old secret keeps signing after a
// rotation, so receivers can switch without losing a message.
const SecretOverlap = 24 * time.Hour

// RotateSecret gives a subscription a new secret; the old one signs too
// for SecretOverlap.
func (w *Webhooks) RotateSecret(ctx context.Context, id string) (string, error) {
	secret, err := NewSecret()
	if err != nil {
		return "", err
	}
	now := w.now().UTC()
	_, err = w.store.updateSub(ctx, id, func(st *storedSub) error {
		until := now.Add(SecretOverlap)
		keep := st.Secrets[:0]
		for _, s := range st.Secrets {
			if s.ExpiresAt != nil && !now.Before(*s.ExpiresAt) {
				continue
			}
			if s.ExpiresAt == nil || s.ExpiresAt.After(until) {
				s.ExpiresAt = &until
			}
			keep = append(keep, s)
		}
		st.Secrets = append(keep, storedSecret{Secret: secret})
		st.UpdatedAt = now
		return nil
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// Test queues a webhook.test event for one subscription, whatever its
// filters (a disabled subscription gets it too: it is how one checks the
// endpoint before enabling it again).
func (w *Webhooks) Test(ctx context.Context, id string) (Delivery, error) {
	st, err := w.store.sub(ctx, id)
	if err != nil {
		return Delivery{}, err
	}
	now := w.now().UTC()
	ev := seismo.Event{ID: newID("test_"), Type: EventTest, Timestamp: now.Truncate(time.Second),
		Data: seismo.Incident{ID: "test", Service: "test", ServiceName: "seismo test", Status: seismo.StatusOpen,
			Severity: seismo.SeverityWarning, StartedAt: now.Truncate(time.Minute), Countries: []seismo.CountryEntry{},
			Problems: []seismo.ProblemShare{}, Related: []string{}, Samples: []seismo.Sample{}}}
	d, err := w.queueAt(ctx, &st.Subscription, ev, now, now)
	if err != nil {
		return Delivery{}, err
	}
	w.nudge()
	return d, nil
}

// Deliveries returns a subscription's deliveries, newest first.
func (w *Webhooks) Deliveries(ctx context.Context, id string, limit int) ([]Delivery, error) {
	if _, err := w.store.sub(ctx, id); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	return w.store.deliveries(ctx, id, limit)
}

// Retry queues a delivery for an attempt now, whatever its status: a
// failed one gets a fresh set of retries.
func (w *Webhooks) Retry(ctx context.Context, id, deliveryID string) (Delivery, error) {
	d, _, err := w.store.delivery(ctx, deliveryID)
	if err != nil {
		return Delivery{}, err
	}
	if d.Subscription != id {
		return Delivery{}, seismo.NotFound("no delivery " + deliveryID + " of webhook " + id)
	}
	now := w.now().UTC()
	d.Status, d.NextAttemptAt = StatusPending, &now
	d.RetryFrom = len(d.Attempts)
	if err := w.store.save(ctx, d); err != nil {
		return Delivery{}, err
	}
	w.nudge()
	return d, nil
}

// CreateSilence holds back the webhooks of matching incidents until its
// end.
func (w *Webhooks) CreateSilence(ctx context.Context, in SilenceInput) (Silence, error) {
	sl, err := in.silence(w.now().UTC(), w.cfg.Services)
	if err != nil {
		return Silence{}, seismo.Invalid(err.Error())
	}
	sl.ID = newID("sil_")
	return sl, w.store.putSilence(ctx, sl)
}

// Silences lists the silences, newest first, ended ones for a week.
func (w *Webhooks) Silences(ctx context.Context) ([]Silence, error) { return w.store.silences(ctx) }

// DeleteSilence ends a silence at once.
func (w *Webhooks) DeleteSilence(ctx context.Context, id string) error {
	return w.store.deleteSilence(ctx, id)
}

// SilencedBy returns the id of a silence that holds back inc's webhooks
// now, or "".
func (w *Webhooks) SilencedBy(ctx context.Context, inc *seismo.Incident) (string, error) {
	sls, err := w.store.silences(ctx)
	if err != nil {
		return "", err
	}
	return SilencedBy(sls, inc, w.now()), nil
}

// SilencedBy returns the id of the first of sls that holds inc at t, or "".
func SilencedBy(sls []Silence, inc *seismo.Incident, t time.Time) string {
	for i := range sls {
		if sls[i].Covers(inc, t) {
			return sls[i].ID
		}
	}
	return ""
}

// queueAt makes a delivery of ev, which entered the stream at eventAt,
// for sub and queues it; an existing one (fan-out repeated after a crash)
// is returned as it is.
func (w *Webhooks) queueAt(ctx context.Context, sub *Subscription, ev seismo.Event, eventAt, now time.Time) (Delivery, error) {
	body, err := w.body(sub, ev)
	if err != nil {
		return Delivery{}, fmt.Errorf("encode event %s for %s: %w", ev.ID, sub.ID, err)
	}
	d := newDelivery(sub, ev, eventAt, now)
	created, err := w.store.enqueue(ctx, d, body)
	if err != nil {
		return Delivery{}, err
	}
	if !created {
		if existing, _, err := w.store.delivery(ctx, d.ID); err == nil {
			return existing, nil
		}
	}
	return d, nil
}

// newDelivery is the delivery of ev, which entered the stream at eventAt,
// to sub, due at now.
func newDelivery(sub *Subscription, ev seismo.Event, eventAt, now time.Time) Delivery {
	d := Delivery{ID: deliveryID(sub.ID, ev.ID), Subscription: sub.ID, MessageID: ev.ID, EventType: ev.Type,
		IncidentID: ev.Data.ID, Status: StatusPending, CreatedAt: now, EventAt: eventAt, NextAttemptAt: &now, Attempts: []Attempt{}}
	if ev.Type == EventTest {
		d.IncidentID = ""
	}
	return d
}
