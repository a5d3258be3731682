package notify

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Webhook signing follows the Standard Webhooks specification
// (standardwebhooks.com), so receivers can verify deliveries with its
// libraries: a secret is "whsec_" and the base64 of its key, and a
// signature is "v1," and the base64 of HMAC-SHA256(key, "id.timestamp.body").

const (
	whsecPrefix = "whsec_"
	// The specification asks for keys of 24 to 64 bytes.
	minSecretBytes = 24
	maxSecretBytes = 64
)

// NewSecret returns a new signing secret with a key of 32 random bytes.
func NewSecret() (string, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("webhook secret: %w", err)
	}
	return whsecPrefix + base64.StdEncoding.EncodeToString(key), nil
}

// ParseSecret returns the key of a secret "whsec_<base64>". It refuses a
// key shorter than 24 bytes, which would make signatures guessable, or
// longer than 64. Errors do not repeat the secret, so they can be logged.
func ParseSecret(secret string) ([]byte, error) {
	enc, ok := strings.CutPrefix(secret, whsecPrefix)
	if !ok {
		return nil, errors.New(`webhook secret: does not start with "whsec_"`)
	}
	key, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return nil, errors.New("webhook secret: not valid base64 after whsec_")
	}
	if len(key) < minSecretBytes || len(key) > maxSecretBytes {
		return nil, fmt.Errorf("webhook secret: key of %d bytes, want %d to %d", len(key), minSecretBytes, maxSecretBytes)
	}
	return key, nil
}

// Sign returns the webhook-signature header value for a delivery of body
// with message id msgID (the webhook-id header) at ts (the
// webhook-timestamp header, in unix seconds): "v1,<base64 signature>".
func Sign(secret, msgID string, ts time.Time, body []byte) (string, error) {
	return SignAll([]string{secret}, msgID, ts, body)
}

// SignAll signs with each secret and returns the signatures separated by
// spaces, as the header carries them while a secret is rotated: receivers
// that know either the old or the new secret accept the delivery.
func SignAll(secrets []string, msgID string, ts time.Time, body []byte) (string, error) {
	if len(secrets) == 0 {
		return "", errors.New("webhook signature: no secret")
	}
	if msgID == "" {
		return "", errors.New("webhook signature: empty message id")
	}
	if ts.IsZero() {
		return "", errors.New("webhook signature: zero timestamp")
	}
	signed := make([]byte, 0, len(msgID)+22+len(body))
	signed = append(signed, msgID...)
	signed = append(signed, '.')
	signed = strconv.AppendInt(signed, ts.Unix(), 10)
	signed = append(signed, '.')
	signed = append(signed, body...)

	var header strings.Builder
	for i, s := range secrets {
		key, err := ParseSecret(s)
		if err != nil {
			return "", fmt.Errorf("webhook signature with secret %d: %w", i+1, err)
		}
		mac := hmac.New(sha256.New, key)
		mac.Write(signed)
		if i > 0 {
			header.WriteByte(' ')
		}
		header.WriteString("v1,")
		header.WriteString(base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	}
	return header.String(), nil
}
