package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/internal/egress"
	"github.com/seismo-dev/seismo/internal/redistest"
	"github.com/seismo-dev/seismo/metrics"
	"github.com/seismo-dev/seismo/notify"
)

// receiver is a real HTTP endpoint that verifies every request's signature
// with the official Standard Webhooks library and answers from a script.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	secret []string
	answer func(n int) (int, http.Header) // by the request's number, from 1
	got    []received
	hit    chan struct{}
}

type received struct {
	id, sig string
	event   seismo.Event
	raw     []byte
	at      time.Time
}

func newReceiver(t *testing.T, answer func(n int) (int, http.Header)) *receiver {
	rc := &receiver{t: t, answer: answer, hit: make(chan struct{}, 1000)}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		secrets := rc.secret
		rc.mu.Unlock()
		verified := len(secrets) == 0
		for _, s := range secrets {
			wh, err := standardwebhooks.NewWebhook(s)
			if err != nil {
				t.Errorf("receiver secret: %v", err)
				continue
			}
			if wh.Verify(body, r.Header) == nil {
				verified = true
			}
		}
		if !verified {
			t.Errorf("signature of %s does not verify with the subscription's secret", r.Header.Get("webhook-id"))
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var ev seismo.Event
		_ = json.Unmarshal(body, &ev)
		rc.mu.Lock()
		rc.got = append(rc.got, received{id: r.Header.Get("webhook-id"), sig: r.Header.Get("webhook-signature"), event: ev, raw: body, at: time.Now()})
		n := len(rc.got)
		rc.mu.Unlock()
		code, h := http.StatusOK, http.Header(nil)
		if rc.answer != nil {
			code, h = rc.answer(n)
		}
		for k, v := range h {
			w.Header()[k] = v
		}
		w.WriteHeader(code)
		fmt.Fprint(w, "ok")
		rc.hit <- struct{}{}
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) setSecrets(s ...string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.secret = s
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// wait waits for n requests in all.
func (rc *receiver) wait(n int, within time.Duration) {
	rc.t.Helper()
	deadline := time.After(within)
	for len(rc.requests()) < n {
		select {
		case <-rc.hit:
		case <-deadline:
			rc.t.Fatalf("%d requests within %s, want %d", len(rc.requests()), within, n)
		}
	}
}

type webhookEnv struct {
	t   *testing.T
	src *fakeSource
	wh  *notify.Webhooks
	reg *metrics.Registry
}

func startWebhooks(t *testing.T, cfg notify.WebhooksConfig, events ...seismo.StreamEvent) *webhookEnv {
	t.Helper()
	rdb := redistest.Start(t).Client(t)
	guard := egress.NewGuard([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")})
	src := &fakeSource{events: events}
	env := &webhookEnv{t: t, src: src, reg: metrics.New()}
	cfg.Source, cfg.Cursor, cfg.Checker, cfg.Metrics = src, &memCursor{}, guard, env.reg
	if cfg.Timeout == 0 {
		cfg.Timeout = 2 * time.Second
	}
	cfg.Client = guard.Client(egress.ClientOptions{Timeout: cfg.Timeout})
	if cfg.Schedule == nil {
		cfg.Schedule = []time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond}
	}
	wh, err := notify.NewWebhooks(notify.NewStore(rdb, notify.StoreConfig{}), cfg)
	if err != nil {
		t.Fatal(err)
	}
	env.wh = wh
	return env
}

func (e *webhookEnv) run() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.wh.Run(ctx) }()
	e.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			e.t.Errorf("Run: %v", err)
		}
	})
}

func (e *webhookEnv) subscribe(in notify.SubscriptionInput) (notify.Subscription, string) {
	e.t.Helper()
	sub, secret, err := e.wh.Create(context.Background(), in)
	if err != nil {
		e.t.Fatal(err)
	}
	return sub, secret
}

func ptr[T any](v T) *T { return &v }

func incidentEvent(streamID, typ, svc string, sev seismo.Severity, countries ...string) seismo.StreamEvent {
	inc := seismo.Incident{ID: svc + "-20240403T1810Z", Service: svc, Status: seismo.StatusOpen, Severity: sev,
		StartedAt: time.Date(2024, 4, 3, 18, 10, 0, 0, time.UTC)}
	for _, c := range countries {
		inc.Countries = append(inc.Countries, seismo.CountryEntry{Country: c, Status: seismo.StatusOpen, Severity: sev, Reporters: 40})
	}
	at := time.Date(2024, 4, 3, 18, 12, 0, 0, time.UTC)
	return seismo.StreamEvent{ID: streamID, Event: seismo.NewEvent(typ, at, inc)}
}

func streamID(n int) string { return fmt.Sprintf("%d-0", time.Now().UnixMilli()+int64(n)) }

// A delivery is signed as the Standard Webhooks library verifies, and a
// receiver that answers 503 twice gets the same message a third time,
// under one webhook-id, and the delivery log shows all three attempts.
func TestWebhookRetriesUnderOneID(t *testing.T) {
	rc := newReceiver(t, func(n int) (int, http.Header) {
		if n <= 2 {
			return http.StatusServiceUnavailable, nil
		}
		return http.StatusOK, nil
	})
	ev := incidentEvent(streamID(0), seismo.EventOpened, "whatsapp", seismo.SeverityDanger, "GB")
	env := startWebhooks(t, notify.WebhooksConfig{}, ev)
	sub, secret := env.subscribe(notify.SubscriptionInput{URL: ptr(rc.srv.URL + "/hook")})
	rc.setSecrets(secret)
	env.run()
	rc.wait(3, 10*time.Second)

	got := rc.requests()
	for _, r := range got {
		if r.id != ev.Event.ID || string(r.raw) != string(mustJSON(t, ev.Event)) {
			t.Errorf("attempt sent id %q body %s, want the event's id %q and the envelope", r.id, r.raw, ev.Event.ID)
		}
	}
	var ds []notify.Delivery
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		ds, _ = env.wh.Deliveries(context.Background(), sub.ID, 10)
		if len(ds) == 1 && ds[0].Status == notify.StatusDelivered {
			break
		}
	}
	if len(ds) != 1 || ds[0].Status != notify.StatusDelivered || len(ds[0].Attempts) != 3 ||
		ds[0].Attempts[0].StatusCode != 503 || ds[0].Attempts[2].StatusCode != 200 || ds[0].MessageID != ev.Event.ID {
		t.Fatalf("delivery log %+v, want one delivered delivery with attempts 503, 503, 200", ds)
	}
	if gap := got[1].at.Sub(got[0].at); gap < 40*time.Millisecond {
		t.Errorf("second attempt %s after the first, want the schedule's 50ms (±10%%)", gap)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Filters pick what each subscription gets; a silence holds back every
// delivery of its incidents.
func TestWebhookFiltersAndSilences(t *testing.T) {
	all := newReceiver(t, nil)
	danger := newReceiver(t, nil)
	onlyBR := newReceiver(t, nil)
	events := []seismo.StreamEvent{
		incidentEvent(streamID(0), seismo.EventOpened, "whatsapp", seismo.SeverityWarning, "GB"),
		incidentEvent(streamID(1), seismo.EventUpdated, "whatsapp", seismo.SeverityDanger, "GB", "BR"),
		incidentEvent(streamID(2), seismo.EventOpened, "instagram", seismo.SeverityDanger, "US"),
	}
	env := startWebhooks(t, notify.WebhooksConfig{}, events...)
	env.subscribe(notify.SubscriptionInput{URL: ptr(all.srv.URL)})
	env.subscribe(notify.SubscriptionInput{URL: ptr(danger.srv.URL), MinSeverity: ptr(seismo.SeverityDanger)})
	env.subscribe(notify.SubscriptionInput{URL: ptr(onlyBR.srv.URL), Countries: &[]string{"br"},
		Events: &[]string{seismo.EventUpdated, seismo.EventOpened}})
	// Instagram is silenced in the US.
	sl, err := env.wh.CreateSilence(context.Background(), notify.SilenceInput{Service: "instagram", Countries: []string{"US"},
		EndsAt: ptr(time.Now().Add(time.Hour)), Comment: "known: a deploy"})
	if err != nil {
		t.Fatal(err)
	}
	env.run()
	all.wait(2, 10*time.Second)
	danger.wait(1, 10*time.Second)
	onlyBR.wait(1, 10*time.Second)
	time.Sleep(300 * time.Millisecond) // what should not come has had its chance
	if n := len(all.requests()); n != 2 {
		t.Errorf("the unfiltered subscription got %d events, want the 2 WhatsApp ones (Instagram is silenced)", n)
	}
	if r := danger.requests(); len(r) != 1 || r[0].event.Data.Severity != seismo.SeverityDanger || r[0].event.Data.Service != "whatsapp" {
		t.Errorf("min_severity danger got %+v", r)
	}
	if r := onlyBR.requests(); len(r) != 1 || r[0].event.Type != seismo.EventUpdated {
		t.Errorf("countries [BR] got %+v", r)
	}
	inc := events[2].Event.Data
	if id, err := env.wh.SilencedBy(context.Background(), &inc); err != nil || id != sl.ID {
		t.Errorf("SilencedBy(instagram US) = %q, %v; want %s", id, err, sl.ID)
	}
	if err := env.wh.DeleteSilence(context.Background(), sl.ID); err != nil {
		t.Fatal(err)
	}
	if id, _ := env.wh.SilencedBy(context.Background(), &inc); id != "" {
		t.Errorf("a deleted silence still holds: %s", id)
	}
}

// A receiver that hangs does not delay the others: their deliveries land
// while its attempts wait for their timeout.
func TestSlowReceiverDoesNotDelayOthers(t *testing.T) {
	block := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(slow.Close)
	// Before Close, which waits for the handlers (cleanups run last first).
	t.Cleanup(func() { close(block) })
	fast := newReceiver(t, nil)
	var events []seismo.StreamEvent
	for i := range 20 {
		events = append(events, incidentEvent(streamID(i), seismo.EventUpdated, "whatsapp", seismo.SeverityDanger, "GB"))
		events[i].Event.ID = fmt.Sprintf("whatsapp.updated.%d", i)
	}
	env := startWebhooks(t, notify.WebhooksConfig{Workers: 8, PerSubscription: 2, Timeout: 5 * time.Second}, events...)
	env.subscribe(notify.SubscriptionInput{URL: ptr(slow.URL)})
	env.subscribe(notify.SubscriptionInput{URL: ptr(fast.srv.URL)})
	start := time.Now()
	env.run()
	fast.wait(20, 4*time.Second)
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("the healthy receiver got its 20 events after %s, behind the hanging one's 5s timeouts", took)
	}
}

// Rotating a secret signs with both for the overlap: a receiver that
// knows only the old one, or only the new one, verifies.
func TestRotateSecret(t *testing.T) {
	oldOnly := newReceiver(t, nil)
	env := startWebhooks(t, notify.WebhooksConfig{})
	sub, old := env.subscribe(notify.SubscriptionInput{URL: ptr(oldOnly.srv.URL)})
	fresh, err := env.wh.RotateSecret(context.Background(), sub.ID)
	if err != nil || fresh == old {
		t.Fatalf("RotateSecret = %q, %v", fresh, err)
	}
	oldOnly.setSecrets(old)
	env.run()
	if _, err := env.wh.Test(context.Background(), sub.ID); err != nil {
		t.Fatal(err)
	}
	oldOnly.wait(1, 5*time.Second)
	r := oldOnly.requests()[0]
	newHook, _ := standardwebhooks.NewWebhook(fresh)
	h := http.Header{}
	h.Set("webhook-id", r.id)
	h.Set("webhook-timestamp", fmt.Sprint(time.Now().Unix()))
	h.Set("webhook-signature", r.sig)
	if err := newHook.VerifyIgnoringTimestamp(r.raw, h); err != nil {
		t.Errorf("the new secret does not verify the rotated signature %q: %v", r.sig, err)
	}
	if r.event.Type != notify.EventTest {
		t.Errorf("test delivery sent %q", r.event.Type)
	}
}

// Registration refuses bad fields, all at once, and URLs the guard
// refuses.
func TestCreateRefuses(t *testing.T) {
	env := startWebhooks(t, notify.WebhooksConfig{Services: []string{"whatsapp"}})
	_, _, err := env.wh.Create(context.Background(), notify.SubscriptionInput{URL: ptr("http://127.0.0.1:9/x"),
		Services: &[]string{"myspace"}, Countries: &[]string{"GBR"}, MinSeverity: ptr(seismo.Severity("bad")),
		Events: &[]string{"incident.exploded"}, Format: ptr("xml")})
	for _, want := range []string{"myspace", "GBR", "min_severity", "incident.exploded", "format"} {
		if err == nil || !contains(err.Error(), want) {
			t.Errorf("Create error %v does not name %s", err, want)
		}
	}
	for _, u := range []string{"http://169.254.169.254/latest/meta-data", "http://10.0.0.1/", "http://[::1]:8080/"} {
		if _, _, err := env.wh.Create(context.Background(), notify.SubscriptionInput{URL: ptr(u)}); seismo.ErrorCode(err) != seismo.CodeInvalid {
			t.Errorf("Create(%s) = %v, want refused as invalid", u, err)
		}
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || len(s) >= len(sub) && (s == sub || indexOf(s, sub) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
