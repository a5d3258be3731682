package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/internal/redistest"
)

const webhookAdmin = "test-admin-token"

// call sends an API request with the admin token (or none) and decodes
// the answer into out.
func call(t *testing.T, method, url, token string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	c := http.Client{Timeout: 10 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		_ = json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

// A webhook subscriber sees every incident event, signed, even when the
// process delivering to it is killed with SIGKILL between two attempts:
// another process takes the queue over from Redis and retries under the
// same webhook-id. Registration needs the admin token and refuses
// internal addresses; a silenced incident is listed as such.
func TestIntegrationWebhookSurvivesKill(t *testing.T) {
	redistest.Require(t, "redis-server", "kcat")
	srv := redistest.Start(t)
	b := startBroker(t)

	var mu sync.Mutex
	var secret string
	var hits []webhookHit
	firstRefused := make(chan struct{})
	var once sync.Once
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		wh, err := standardwebhooks.NewWebhook(secret)
		if err != nil || wh.Verify(body, r.Header) != nil {
			t.Errorf("delivery %s does not verify (%v)", r.Header.Get("webhook-id"), err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		// The first event is refused twice: once by the process that
		// dies, once by its successor; the third try succeeds.
		id := r.Header.Get("webhook-id")
		status := http.StatusOK
		if len(hits) == 0 || id == hits[0].id && countID(hits, id) < 2 {
			status = http.StatusServiceUnavailable
		}
		hits = append(hits, webhookHit{id, status})
		w.WriteHeader(status)
		once.Do(func() { close(firstRefused) })
	}))
	t.Cleanup(rc.Close)

	extra := []string{"--admin-token", webhookAdmin, "--webhook-allow-net", "127.0.0.0/8",
		"--webhook-retry-schedule", "3s,3s,3s", "--webhook-timeout", "2s", "--lease-ttl", "2s", "--idle-timeout", "1s"}
	w1 := startWorkerProcess(t, "w1", b.Addr(), srv.Addr, 3, extra...)
	base := "http://" + w1.addr
	for deadline := time.Now().Add(time.Minute); gauge(w1.addr, "seismo_detector_leader") != 1; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("w1 did not lead within a minute")
		}
	}

	// Registration: the token, and no internal address.
	in := map[string]any{"url": rc.URL + "/hook", "services": []string{"whatsapp"}}
	if code := call(t, "POST", base+"/v1/webhooks", "", in, nil); code != http.StatusUnauthorized {
		t.Errorf("POST /v1/webhooks without the token = %d, want 401", code)
	}
	for _, u := range []string{"http://169.254.169.254/latest", "http://10.0.0.1/", "http://[::1]:9/", "http://localhost:9/"} {
		var e struct{ Error struct{ Message string } }
		// 127.0.0.0/8 is open for the receiver, so localhost is checked
		// through ::1 on hosts that resolve it to both.
		if u == "http://localhost:9/" {
			continue
		}
		if code := call(t, "POST", base+"/v1/webhooks", webhookAdmin, map[string]any{"url": u}, &e); code != http.StatusBadRequest {
			t.Errorf("registering %s = %d (%s), want 400", u, code, e.Error.Message)
		}
	}
	var created struct {
		ID     string `json:"id"`
		Secret string `json:"secret"`
	}
	if code := call(t, "POST", base+"/v1/webhooks", webhookAdmin, in, &created); code != http.StatusCreated || !strings.HasPrefix(created.Secret, "whsec_") {
		t.Fatalf("POST /v1/webhooks = %d %+v", code, created)
	}
	mu.Lock()
	secret = created.Secret
	mu.Unlock()

	// An outage; the first delivery is refused, and w1 dies before its
	// retry.
	kcatProduce(t, b.Addr(), "seismo.posts", jsonLines(t, outagePosts(time.Date(2024, 4, 3, 17, 0, 0, 0, time.UTC))))
	select {
	case <-firstRefused:
	case <-time.After(90 * time.Second):
		t.Fatal("no delivery within 90s of the outage")
	}
	w1.kill()
	killed := time.Now()
	w2 := startWorkerProcess(t, "w2", b.Addr(), srv.Addr, 3, extra...)

	// Every event of the stream reaches the receiver with a 2xx.
	store, err := detect.NewStore(srv.Client(t), detect.StoreConfig{ReporterKey: []byte("read only"), Groups: detect.GroupsOf(testClassifier(t).Services())})
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		evs, err := store.Events(context.Background(), "0", 1000, 0)
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		ok := map[string]bool{}
		for _, h := range hits {
			if h.status == http.StatusOK {
				ok[h.id] = true
			}
		}
		mu.Unlock()
		missing = missing[:0]
		for _, se := range evs {
			if !ok[se.Event.ID] {
				missing = append(missing, se.Event.ID)
			}
		}
		if len(evs) > 0 && len(missing) == 0 {
			break
		}
	}
	if len(missing) > 0 {
		t.Fatalf("events never delivered: %v (receiver saw %+v)", missing, hits)
	}
	mu.Lock()
	first := hits[0].id
	var sameID int
	for _, h := range hits {
		if h.id == first {
			sameID++
		}
	}
	mu.Unlock()
	if sameID != 3 {
		t.Errorf("the first event was tried %d times under its webhook-id, want 503, 503 and then 200 (3)", sameID)
	}
	t.Logf("all events delivered %s after the kill", time.Since(killed).Round(time.Millisecond))

	// The delivery log on the survivor shows the attempts of the first.
	var log struct {
		Deliveries []struct {
			MessageID string `json:"message_id"`
			Status    string `json:"status"`
			Attempts  []struct {
				StatusCode int `json:"status_code"`
			} `json:"attempts"`
		}
	}
	if code := call(t, "GET", "http://"+w2.addr+"/v1/webhooks/"+created.ID+"/deliveries", webhookAdmin, nil, &log); code != 200 {
		t.Fatalf("deliveries = %d", code)
	}
	found := false
	for _, d := range log.Deliveries {
		if d.MessageID == first {
			found = true
			// The attempt in flight when w1 died may be missing from the log:
			// w1 could not write it down, which is why it was made again.
			n := len(d.Attempts)
			if d.Status != "delivered" || n < 2 || d.Attempts[0].StatusCode != 503 || d.Attempts[n-1].StatusCode != 200 {
				t.Errorf("delivery log of %s: %+v", first, d)
			}
		}
	}
	if !found {
		t.Errorf("the delivery log lacks %s: %+v", first, log)
	}

	// A silence marks the incident; its webhooks stop.
	var sl struct{ ID string }
	if code := call(t, "POST", "http://"+w2.addr+"/v1/silences", webhookAdmin,
		map[string]any{"service": "whatsapp", "ends_at": time.Now().Add(time.Hour), "comment": "known"}, &sl); code != http.StatusCreated {
		t.Fatalf("POST /v1/silences = %d", code)
	}
	list, err := getIncidents("http://" + w2.addr + "/v1/incidents?service=whatsapp")
	if err != nil || len(list) == 0 || list[0].SilencedBy != sl.ID {
		t.Errorf("incidents after the silence: %+v, %v; want silenced_by %s", list, err, sl.ID)
	}
}

// webhookHit is one request a test receiver answered.
type webhookHit struct {
	id     string
	status int
}

func countID(hits []webhookHit, id string) int {
	n := 0
	for _, h := range hits {
		if h.id == id {
			n++
		}
	}
	return n
}
