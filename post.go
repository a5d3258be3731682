package seismo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxTextBytes is the largest post text accepted, in bytes of UTF-8.
const MaxTextBytes = 10_000

// MaxPostBytes bounds a whole encoded post. The text may use 10,000 bytes and
// JSON escaping can multiply that, so the envelope is generous but finite.
const MaxPostBytes = 64 << 10

// Event times outside this range are absurd whatever the watermark: they come
// from zero values, seconds-vs-milliseconds mix-ups or broken clocks.
var (
	minEventTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	maxEventTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// Geo is a point given by the source, in degrees.
type Geo struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Post is one public post, the value of one message on the posts topic.
type Post struct {
	ID        string    `json:"id"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
	Source    string    `json:"source,omitempty"`
	// Author is an opaque account id. seismo never stores it raw: reporter
	// counting uses a keyed hash of it.
	Author   string `json:"author,omitempty"`
	Lang     string `json:"lang,omitempty"`
	Country  string `json:"country,omitempty"`
	Location string `json:"location,omitempty"`
	Geo      *Geo   `json:"geo,omitempty"`
	URL      string `json:"url,omitempty"`
}

// Reason says why a message was rejected. It travels in the DLQ header and
// labels the rejection metric, so the set is small and stable.
type Reason string

// Rejection reasons.
const (
	ReasonTooLarge       Reason = "too_large"
	ReasonBadJSON        Reason = "bad_json"
	ReasonMissingID      Reason = "missing_id"
	ReasonBadID          Reason = "bad_id"
	ReasonMissingText    Reason = "missing_text"
	ReasonMissingTime    Reason = "missing_created_at"
	ReasonBadTime        Reason = "bad_created_at"
	ReasonTextTooLong    Reason = "text_too_long"
	ReasonInvalidUTF8    Reason = "invalid_utf8"
	ReasonBadCountry     Reason = "bad_country"
	ReasonBadGeo         Reason = "bad_geo"
	ReasonTimeOutOfRange Reason = "time_out_of_range"
)

// InvalidPostError reports a message that is not a valid Post.
type InvalidPostError struct {
	Reason Reason
	Detail string
}

func (e *InvalidPostError) Error() string {
	if e.Detail == "" {
		return "invalid post: " + string(e.Reason)
	}
	return "invalid post: " + string(e.Reason) + ": " + e.Detail
}

func invalid(r Reason, format string, args ...any) error {
	return &InvalidPostError{Reason: r, Detail: fmt.Sprintf(format, args...)}
}

// RejectReason returns the reason carried by err, or "" when err is not an
// *InvalidPostError.
func RejectReason(err error) Reason {
	var ie *InvalidPostError
	if errors.As(err, &ie) {
		return ie.Reason
	}
	return ""
}

// wirePost mirrors Post with a raw created_at, so that a bad timestamp gets
// its own reason instead of a generic JSON error.
type wirePost struct {
	ID        string          `json:"id"`
	Text      *string         `json:"text"`
	CreatedAt json.RawMessage `json:"created_at"`
	Source    string          `json:"source"`
	Author    json.RawMessage `json:"author"`
	Lang      string          `json:"lang"`
	Country   string          `json:"country"`
	Location  string          `json:"location"`
	Geo       *Geo            `json:"geo"`
	URL       string          `json:"url"`
}

// DecodePost parses and validates one message value against the Post
// contract. Unknown fields are ignored. The error, when not nil, is an
// *InvalidPostError.
func DecodePost(data []byte) (Post, error) {
	if len(data) > MaxPostBytes {
		return Post{}, invalid(ReasonTooLarge, "message is %d bytes, limit %d", len(data), MaxPostBytes)
	}
	// encoding/json silently replaces invalid UTF-8 with U+FFFD; the contract
	// asks for valid UTF-8, so check the raw bytes first.
	if !utf8.Valid(data) {
		return Post{}, invalid(ReasonInvalidUTF8, "message is not valid UTF-8")
	}
	// It also turns an escaped lone surrogate (\ud800) into U+FFFD: the
	// text it stands for is no more UTF-8 than raw invalid bytes.
	if !ValidEscapes(data) {
		return Post{}, invalid(ReasonInvalidUTF8, "message escapes a lone UTF-16 surrogate")
	}
	var f postFields
	if !scanPost(data, &f) {
		if err := decodeFields(data, &f); err != nil {
			return Post{}, err
		}
	}
	p := Post{
		ID:       strings.TrimSpace(f.id),
		Text:     f.text,
		Source:   f.source,
		Author:   f.author,
		Lang:     strings.ToLower(strings.TrimSpace(f.lang)),
		Country:  strings.ToUpper(strings.TrimSpace(f.country)),
		Location: f.location,
		Geo:      f.geo,
		URL:      f.url,
	}
	if !f.hasCreatedAt {
		return Post{}, invalid(ReasonMissingTime, "created_at is required")
	}
	t, err := time.Parse(time.RFC3339Nano, f.createdAt)
	if err != nil {
		return Post{}, invalid(ReasonBadTime, "created_at %q is not RFC 3339", f.createdAt)
	}
	p.CreatedAt = t.UTC()
	return p, p.Validate()
}

// decodeFields decodes data into f with encoding/json: the reference for
// what scanPost takes, and the decoder of everything it does not.
func decodeFields(data []byte, f *postFields) error {
	var w wirePost
	if err := json.Unmarshal(data, &w); err != nil {
		return invalid(ReasonBadJSON, "%v", err)
	}
	*f = postFields{id: w.ID, source: w.Source, lang: w.Lang, country: w.Country,
		location: w.Location, geo: w.Geo, url: w.URL}
	if w.Text != nil {
		f.text = *w.Text
	}
	author, err := decodeAuthor(w.Author)
	if err != nil {
		return err
	}
	f.author = author
	if len(w.CreatedAt) == 0 || bytes.Equal(w.CreatedAt, []byte("null")) {
		return nil
	}
	if err := json.Unmarshal(w.CreatedAt, &f.createdAt); err != nil {
		return invalid(ReasonBadTime, "created_at must be an RFC 3339 string")
	}
	f.hasCreatedAt = true
	return nil
}

// ValidEscapes reports whether every \u escape in the JSON text data that
// stands for a UTF-16 surrogate is half of a pair, high then low, so that
// the escapes decode to valid UTF-8. Backslashes occur only inside strings
// of valid JSON, so the scan needs no notion of where strings are.
func ValidEscapes(data []byte) bool {
	for i := 0; i < len(data); {
		k := bytes.IndexByte(data[i:], '\\')
		if k < 0 {
			return true
		}
		i += k
		if i+1 >= len(data) || data[i+1] != 'u' {
			i += 2 // an escape of one character, \\ included
			continue
		}
		r, ok := hex4(data, i+2)
		i += 6
		if !ok || r < 0xd800 || r > 0xdfff {
			continue // not a surrogate; malformed escapes are the decoder's to reject
		}
		if r >= 0xdc00 { // a low half with no high one before it
			return false
		}
		if i+1 >= len(data) || data[i] != '\\' || data[i+1] != 'u' {
			return false
		}
		if lo, ok := hex4(data, i+2); !ok || lo < 0xdc00 || lo > 0xdfff {
			return false
		}
		i += 6
	}
	return true
}

// hex4 decodes the four hex digits at data[i:].
func hex4(data []byte, i int) (rune, bool) {
	if i+4 > len(data) {
		return 0, false
	}
	var r rune
	for _, c := range data[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// decodeAuthor accepts a string or a number: sources disagree on id types and
// the value is opaque anyway.
func decodeAuthor(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String(), nil
	}
	return "", invalid(ReasonBadJSON, "author must be a string or a number")
}

// Validate checks the fields of a Post against the contract.
func (p *Post) Validate() error {
	switch {
	case p.ID == "":
		return invalid(ReasonMissingID, "id is required")
	case len(p.ID) > 256:
		return invalid(ReasonBadID, "id is %d bytes, limit 256", len(p.ID))
	case len(p.Source) > 64 || strings.ContainsAny(p.Source, ": \t\r\n"):
		return invalid(ReasonBadID, "source must be at most 64 bytes without colons or spaces")
	case strings.TrimSpace(p.Text) == "":
		return invalid(ReasonMissingText, "text is required")
	case len(p.Text) > MaxTextBytes:
		return invalid(ReasonTextTooLong, "text is %d bytes, limit %d", len(p.Text), MaxTextBytes)
	case !utf8.ValidString(p.Text):
		return invalid(ReasonInvalidUTF8, "text is not valid UTF-8")
	case p.CreatedAt.IsZero():
		return invalid(ReasonMissingTime, "created_at is required")
	case p.CreatedAt.Before(minEventTime) || !p.CreatedAt.Before(maxEventTime):
		return invalid(ReasonTimeOutOfRange, "created_at %s is outside %d-%d",
			p.CreatedAt.Format(time.RFC3339), minEventTime.Year(), maxEventTime.Year()-1)
	}
	if p.Country != "" && !IsCountryCode(p.Country) {
		return invalid(ReasonBadCountry, "country %q is not an ISO 3166-1 alpha-2 code", p.Country)
	}
	if g := p.Geo; g != nil && (g.Lat < -90 || g.Lat > 90 || g.Lon < -180 || g.Lon > 180) {
		return invalid(ReasonBadGeo, "geo %v,%v is out of range", g.Lat, g.Lon)
	}
	return nil
}
