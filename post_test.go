package seismo_test

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/seismo-dev/seismo"
)

func TestDecodePost(t *testing.T) {
	long := strings.Repeat("a", seismo.MaxTextBytes+1)
	tests := []struct {
		name   string
		in     string
		reason seismo.Reason
	}{
		{"long id", `{"id":"` + strings.Repeat("i", 300) + `","text":"x","created_at":"2024-04-03T19:00:00Z"}`, seismo.ReasonBadID},
		{"source with colon", `{"id":"1","text":"x","created_at":"2024-04-03T19:00:00Z","source":"a:b"}`, seismo.ReasonBadID},
		{"valid", `{"id":"1","text":"whatsapp down","created_at":"2024-04-03T19:00:00Z","author":"a","country":"gb","extra":1}`, ""},
		{"numeric author", `{"id":"1","text":"x","created_at":"2024-04-03T19:00:00+02:00","author":12345}`, ""},
		{"bad json", `{"id":"1",`, seismo.ReasonBadJSON},
		{"not an object", `[1,2]`, seismo.ReasonBadJSON},
		{"missing id", `{"text":"x","created_at":"2024-04-03T19:00:00Z"}`, seismo.ReasonMissingID},
		{"blank id", `{"id":"  ","text":"x","created_at":"2024-04-03T19:00:00Z"}`, seismo.ReasonMissingID},
		{"missing text", `{"id":"1","created_at":"2024-04-03T19:00:00Z"}`, seismo.ReasonMissingText},
		{"blank text", `{"id":"1","text":" \n","created_at":"2024-04-03T19:00:00Z"}`, seismo.ReasonMissingText},
		{"missing time", `{"id":"1","text":"x"}`, seismo.ReasonMissingTime},
		{"null time", `{"id":"1","text":"x","created_at":null}`, seismo.ReasonMissingTime},
		{"numeric time", `{"id":"1","text":"x","created_at":1712170800}`, seismo.ReasonBadTime},
		{"non rfc3339 time", `{"id":"1","text":"x","created_at":"03/04/2024 19:00"}`, seismo.ReasonBadTime},
		{"absurd past", `{"id":"1","text":"x","created_at":"1970-01-01T00:00:00Z"}`, seismo.ReasonTimeOutOfRange},
		{"absurd future", `{"id":"1","text":"x","created_at":"9999-01-01T00:00:00Z"}`, seismo.ReasonTimeOutOfRange},
		{"text too long", `{"id":"1","text":"` + long + `","created_at":"2024-04-03T19:00:00Z"}`, seismo.ReasonTextTooLong},
		{"message too large", `{"id":"1","text":"` + strings.Repeat("\\u0041", seismo.MaxPostBytes/6+1) + `","created_at":"2024-04-03T19:00:00Z"}`, seismo.ReasonTooLarge},
		{"invalid utf8", "{\"id\":\"1\",\"text\":\"caf\xe9\",\"created_at\":\"2024-04-03T19:00:00Z\"}", seismo.ReasonInvalidUTF8},
		{"lone high surrogate", `{"id":"1","text":"\ud800 whatsapp down","created_at":"2024-04-03T19:00:00Z"}`, seismo.ReasonInvalidUTF8},
		{"lone low surrogate", `{"id":"1","text":"whatsapp \uDC00down","created_at":"2024-04-03T19:00:00Z"}`, seismo.ReasonInvalidUTF8},
		{"high surrogate at the end", `{"id":"1","text":"whatsapp down","created_at":"2024-04-03T19:00:00Z","author":"\ud83d"}`, seismo.ReasonInvalidUTF8},
		{"high then not low", `{"id":"1","text":"\ud83d\u0041 whatsapp down","created_at":"2024-04-03T19:00:00Z"}`, seismo.ReasonInvalidUTF8},
		{"surrogate pair", `{"id":"1","text":"\ud83d\ude00 whatsapp down","created_at":"2024-04-03T19:00:00Z"}`, ""},
		{"escaped backslash before u", `{"id":"1","text":"C:\\ud800 whatsapp down","created_at":"2024-04-03T19:00:00Z"}`, ""},
		{"bad country", `{"id":"1","text":"x","created_at":"2024-04-03T19:00:00Z","country":"England"}`, seismo.ReasonBadCountry},
		{"bad geo", `{"id":"1","text":"x","created_at":"2024-04-03T19:00:00Z","geo":{"lat":91,"lon":0}}`, seismo.ReasonBadGeo},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := seismo.DecodePost([]byte(tt.in))
			if got := seismo.RejectReason(err); got != tt.reason {
				t.Fatalf("reason = %q (err %v), want %q", got, err, tt.reason)
			}
			if tt.reason != "" && !strings.Contains(err.Error(), string(tt.reason)) {
				t.Errorf("error %q does not name its reason", err)
			}
		})
	}
}

func TestDecodePostFields(t *testing.T) {
	p, err := seismo.DecodePost([]byte(`{"id":" a1 ","text":"is insta down?","created_at":"2024-04-03T21:00:00+02:00","author":42,"lang":"EN","country":"us","location":"NYC","geo":{"lat":40.7,"lon":-74},"url":"https://x.test/1","source":"test"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2024, 4, 3, 19, 0, 0, 0, time.UTC)
	if p.ID != "a1" || p.Author != "42" || p.Lang != "en" || p.Country != "US" || !p.CreatedAt.Equal(want) ||
		p.CreatedAt.Location() != time.UTC || p.Geo == nil || p.Geo.Lat != 40.7 || p.URL != "https://x.test/1" {
		t.Fatalf("decoded %+v", p)
	}
}

func FuzzDecodePost(f *testing.F) {
	f.Add([]byte(`{"id":"1","text":"whatsapp down","created_at":"2024-04-03T19:00:00Z"}`))
	f.Add([]byte("{\"id\":\"1\",\"text\":\"\xff\"}"))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"id":"1","text":"\ud800 whatsapp down","created_at":"2024-04-03T19:00:00Z"}`))
	f.Add([]byte(`{"id":"1","text":"\ud83d\ude00 \\ud800","created_at":"2024-04-03T19:00:00Z"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := seismo.DecodePost(data)
		if err != nil {
			if seismo.RejectReason(err) == "" {
				t.Fatalf("error without reason: %v", err)
			}
			return
		}
		if p.ID == "" || strings.TrimSpace(p.Text) == "" || len(p.Text) > seismo.MaxTextBytes || p.CreatedAt.IsZero() {
			t.Fatalf("accepted invalid post %+v", p)
		}
		// A lone surrogate escape decodes to U+FFFD; an accepted post
		// may carry U+FFFD only where the message did.
		if strings.ContainsRune(p.Text, utf8.RuneError) && !bytes.Contains(bytes.ToLower(data), []byte(`\ufffd`)) &&
			!bytes.Contains(data, []byte(string(utf8.RuneError))) {
			t.Fatalf("accepted invalid post %+v", p)
		}
	})
}

func TestErrorCode(t *testing.T) {
	if got := seismo.ErrorCode(seismo.NotFound("no such incident")); got != seismo.CodeNotFound {
		t.Errorf("code = %q", got)
	}
	if got := seismo.ErrorCode(strings.NewReader("").UnreadByte()); got != seismo.CodeInternal {
		t.Errorf("code = %q, want internal", got)
	}
	if got := seismo.ErrorMessage(strings.NewReader("").UnreadByte()); got != "internal error" {
		t.Errorf("message = %q", got)
	}
}
