package notify_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/seismo-dev/seismo/notify"
)

// signedHeaders are the headers of a delivery as the official library reads them.
func signedHeaders(msgID string, ts time.Time, signature string) http.Header {
	h := http.Header{}
	h.Set(standardwebhooks.HeaderWebhookID, msgID)
	h.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(standardwebhooks.HeaderWebhookSignature, signature)
	return h
}

// The specification's example, which the official library's tests use too.
func TestSignKnownAnswer(t *testing.T) {
	got, err := notify.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
		time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; err != nil || got != want {
		t.Errorf("Sign = %q, %v; want %q", got, err, want)
	}
}

func TestSignVerifiedByOfficialLibrary(t *testing.T) {
	secret, err := notify.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	msgID := "whatsapp-20240403T1702Z.opened.20240403T1704Z"
	body := []byte(`{"type":"incident.opened","timestamp":"2024-04-03T17:04:00Z","data":{"id":"whatsapp-20240403T1702Z"}}`)
	now := time.Now()
	sig, err := notify.Sign(secret, msgID, now, body)
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Verify(body, signedHeaders(msgID, now, sig)); err != nil {
		t.Errorf("the official library refuses %q: %v", sig, err)
	}
	if want, _ := wh.Sign(msgID, now, body); sig != want {
		t.Errorf("Sign = %q, the official library signs %q", sig, want)
	}
	// Any change to what is signed breaks the signature.
	for _, tc := range []struct {
		name string
		body []byte
		h    http.Header
	}{
		{"body", body[:len(body)-1], signedHeaders(msgID, now, sig)},
		{"id", body, signedHeaders(msgID+"x", now, sig)},
		{"timestamp", body, signedHeaders(msgID, now.Add(-time.Second), sig)},
	} {
		if err := wh.Verify(tc.body, tc.h); !errors.Is(err, standardwebhooks.ErrNoMatchingSignature) {
			t.Errorf("changed %s: Verify = %v, want no matching signature", tc.name, err)
		}
	}
}

// TestSignAllRotation: during a rotation the header holds a signature by
// the old and one by the new secret, and a receiver that knows only one of
// them accepts the delivery.
func TestSignAllRotation(t *testing.T) {
	oldSecret, _ := notify.NewSecret()
	newSecret, _ := notify.NewSecret()
	other, _ := notify.NewSecret()
	msgID, ts := "msg_rotation", time.Unix(1712163840, 0)
	body := []byte(`{"type":"incident.resolved"}`)

	header, err := notify.SignAll([]string{oldSecret, newSecret}, msgID, ts, body)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(header, " ")
	if len(parts) != 2 || !strings.HasPrefix(parts[0], "v1,") || !strings.HasPrefix(parts[1], "v1,") {
		t.Fatalf("SignAll = %q, want two space-separated v1 signatures", header)
	}
	for i, s := range []string{oldSecret, newSecret} {
		if one, _ := notify.Sign(s, msgID, ts, body); one != parts[i] {
			t.Errorf("signature %d is %q, Sign with its secret gives %q", i+1, parts[i], one)
		}
		wh, err := standardwebhooks.NewWebhook(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := wh.VerifyIgnoringTimestamp(body, signedHeaders(msgID, ts, header)); err != nil {
			t.Errorf("secret %d does not verify the rotation header: %v", i+1, err)
		}
	}
	wh, _ := standardwebhooks.NewWebhook(other)
	if err := wh.VerifyIgnoringTimestamp(body, signedHeaders(msgID, ts, header)); !errors.Is(err, standardwebhooks.ErrNoMatchingSignature) {
		t.Errorf("a third secret verifies the rotation header: %v", err)
	}
}

func TestNewSecret(t *testing.T) {
	seen := map[string]bool{}
	for range 10 {
		s, err := notify.NewSecret()
		if err != nil {
			t.Fatal(err)
		}
		key, err := notify.ParseSecret(s)
		if err != nil || len(key) != 32 || !strings.HasPrefix(s, "whsec_") {
			t.Fatalf("NewSecret = %q: key of %d bytes, %v; want whsec_ and 32 bytes", s, len(key), err)
		}
		if seen[s] {
			t.Fatalf("NewSecret repeated %q", s)
		}
		seen[s] = true
	}
}

func TestParseSecretRefuses(t *testing.T) {
	b64 := func(n int) string { return base64.StdEncoding.EncodeToString(make([]byte, n)) }
	for _, tc := range []struct{ secret, want string }{
		{b64(32), `does not start with "whsec_"`},
		{"whsec_", "key of 0 bytes"},
		{"whsec_" + b64(23), "key of 23 bytes, want 24 to 64"},
		{"whsec_" + b64(65), "key of 65 bytes"},
		{"whsec_not base64!", "not valid base64"},
		{"whsec_" + base64.RawURLEncoding.EncodeToString(make([]byte, 32)) + "_-", "not valid base64"},
	} {
		_, err := notify.ParseSecret(tc.secret)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseSecret(%q) = %v, want %q", tc.secret, err, tc.want)
		}
	}
	for _, n := range []int{24, 64} {
		if _, err := notify.ParseSecret("whsec_" + b64(n)); err != nil {
			t.Errorf("ParseSecret of a %d-byte key: %v", n, err)
		}
	}
}

func TestSignRefuses(t *testing.T) {
	secret, _ := notify.NewSecret()
	now := time.Now()
	for name, call := range map[string]func() (string, error){
		"no secret":     func() (string, error) { return notify.SignAll(nil, "m", now, nil) },
		"empty id":      func() (string, error) { return notify.Sign(secret, "", now, nil) },
		"zero time":     func() (string, error) { return notify.Sign(secret, "m", time.Time{}, nil) },
		"bad secret":    func() (string, error) { return notify.Sign("whsec_short", "m", now, nil) },
		"second of two": func() (string, error) { return notify.SignAll([]string{secret, "nope"}, "m", now, nil) },
	} {
		if sig, err := call(); err == nil || sig != "" {
			t.Errorf("%s: got %q, %v; want an error", name, sig, err)
		}
	}
}
