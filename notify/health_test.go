package notify_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/notify"
)

// A subscription whose every attempt fails for DisableAfter is disabled,
// says why, and gets nothing more until it is enabled again.
func TestFailingSubscriptionIsDisabled(t *testing.T) {
	rc := newReceiver(t, func(int) (int, http.Header) { return http.StatusInternalServerError, nil })
	var events []seismo.StreamEvent
	for i := range 5 {
		ev := incidentEvent(streamID(i), seismo.EventUpdated, "whatsapp", seismo.SeverityDanger, "GB")
		ev.Event.ID = "whatsapp.updated." + string(rune('a'+i))
		events = append(events, ev)
	}
	sched := make([]time.Duration, 20)
	for i := range sched {
		sched[i] = 50 * time.Millisecond
	}
	env := startWebhooks(t, notify.WebhooksConfig{Schedule: sched, DisableAfter: 300 * time.Millisecond}, events...)
	sub, _ := env.subscribe(notify.SubscriptionInput{URL: ptr(rc.srv.URL)})
	env.run()
	var got notify.Subscription
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		got, _ = env.wh.Subscription(context.Background(), sub.ID)
		if got.Disabled {
			break
		}
	}
	if !got.Disabled || !strings.Contains(got.DisabledReason, "failed since") || got.FailingSince == nil {
		t.Fatalf("subscription after failing 300ms: %+v, want disabled with the reason", got)
	}
	time.Sleep(300 * time.Millisecond)
	n := len(rc.requests())
	time.Sleep(300 * time.Millisecond)
	if m := len(rc.requests()); m != n {
		t.Errorf("a disabled subscription got %d more requests", m-n)
	}
	ds, _ := env.wh.Deliveries(context.Background(), sub.ID, 10)
	for _, d := range ds {
		if d.Status != notify.StatusFailed {
			t.Errorf("delivery %s of a disabled subscription is %s, want failed", d.ID, d.Status)
		}
	}
	enabled, err := env.wh.Update(context.Background(), sub.ID, notify.SubscriptionInput{Disabled: ptr(false)})
	if err != nil || enabled.Disabled || enabled.DisabledReason != "" || enabled.FailingSince != nil {
		t.Errorf("enabling again = %+v, %v", enabled, err)
	}
}

// A 429 with Retry-After waits as long as the receiver asks, not the
// schedule's 50ms.
func TestRetryAfterIsHonoured(t *testing.T) {
	rc := newReceiver(t, func(n int) (int, http.Header) {
		if n == 1 {
			return http.StatusTooManyRequests, http.Header{"Retry-After": {"1"}}
		}
		return http.StatusOK, nil
	})
	env := startWebhooks(t, notify.WebhooksConfig{}, incidentEvent(streamID(0), seismo.EventOpened, "whatsapp", seismo.SeverityDanger, "GB"))
	env.subscribe(notify.SubscriptionInput{URL: ptr(rc.srv.URL)})
	env.run()
	rc.wait(2, 10*time.Second)
	r := rc.requests()
	if gap := r[1].at.Sub(r[0].at); gap < 900*time.Millisecond {
		t.Errorf("retried %s after a 429 with Retry-After: 1", gap)
	}
}

// A receiver's 410 is its final word: no retry.
func TestClientErrorIsFinal(t *testing.T) {
	rc := newReceiver(t, func(int) (int, http.Header) { return http.StatusGone, nil })
	env := startWebhooks(t, notify.WebhooksConfig{}, incidentEvent(streamID(0), seismo.EventOpened, "whatsapp", seismo.SeverityDanger, "GB"))
	sub, _ := env.subscribe(notify.SubscriptionInput{URL: ptr(rc.srv.URL)})
	env.run()
	rc.wait(1, 10*time.Second)
	var ds []notify.Delivery
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if ds, _ = env.wh.Deliveries(context.Background(), sub.ID, 10); len(ds) == 1 && ds[0].Status == notify.StatusFailed {
			break
		}
	}
	time.Sleep(300 * time.Millisecond)
	if len(rc.requests()) != 1 || len(ds) != 1 || ds[0].Status != notify.StatusFailed {
		t.Errorf("410: %d requests, deliveries %+v; want one attempt, failed", len(rc.requests()), ds)
	}
}
