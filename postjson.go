package seismo

import (
	"bytes"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// postFields are the fields of a message as the contract types them, before
// trimming and validation. Both decoders of a post fill them.
type postFields struct {
	id, text, source, lang, country, location, url string
	author                                         string
	geo                                            *Geo
	createdAt                                      string
	hasCreatedAt                                   bool // a string, not null or absent
}

// wireKeys are the keys a Post has on the wire; encoding/json also matches
// them case-insensitively, which the fast decoder leaves to it.
var wireKeys = []string{"id", "text", "created_at", "source", "author", "lang", "country", "location", "geo", "url"}

// scanPost decodes data into f without reflection when data is a JSON
// object whose known fields have their plain types: strings, an author that
// is a string or a number, null anywhere, no geo, and keys spelled as the
// contract spells them. It reports false for anything else (valid or not),
// and the caller then decodes with encoding/json, whose results and errors
// stay the reference; the fuzz test holds the two to the same answer.
// data must be valid UTF-8 with no lone surrogate escapes.
func scanPost(data []byte, f *postFields) bool {
	s := postScanner{data: data}
	s.space()
	if !s.consume('{') {
		return false
	}
	// One conversion for the whole message: fields without escapes are
	// substrings of it, so a post costs one allocation, not one per field.
	s.str = string(data)
	s.space()
	if s.consume('}') {
		return s.end()
	}
	for {
		s.space()
		a, b, ok := s.plainString()
		if !ok {
			return false
		}
		key := data[a:b]
		s.space()
		if !s.consume(':') {
			return false
		}
		s.space()
		if !s.field(key, f) {
			return false
		}
		s.space()
		if s.consume(',') {
			continue
		}
		if s.consume('}') {
			return s.end()
		}
		return false
	}
}

type postScanner struct {
	data []byte
	str  string // data as a string, set once the object opens
	i    int
}

func (s *postScanner) space() {
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *postScanner) consume(c byte) bool {
	if s.i < len(s.data) && s.data[s.i] == c {
		s.i++
		return true
	}
	return false
}

// end reports whether only white space follows the object.
func (s *postScanner) end() bool {
	s.space()
	return s.i == len(s.data)
}

func (s *postScanner) null() bool {
	if bytes.HasPrefix(s.data[s.i:], []byte("null")) {
		s.i += 4
		return true
	}
	return false
}

// field decodes the value of key into f, or skips it when key is not one
// of the contract's.
func (s *postScanner) field(key []byte, f *postFields) bool {
	var dst *string
	switch string(key) {
	case "id":
		dst = &f.id
	case "source":
		dst = &f.source
	case "lang":
		dst = &f.lang
	case "country":
		dst = &f.country
	case "location":
		dst = &f.location
	case "url":
		dst = &f.url
	case "text":
		if s.null() { // a *string: null clears it
			f.text = ""
			return true
		}
		dst = &f.text
	case "created_at":
		if s.null() {
			f.createdAt, f.hasCreatedAt = "", false
			return true
		}
		v, ok := s.string()
		f.createdAt, f.hasCreatedAt = v, ok
		return ok
	case "author":
		if s.null() {
			f.author = ""
			return true
		}
		if s.i < len(s.data) && s.data[s.i] != '"' {
			a := s.i
			if !s.number() {
				return false
			}
			f.author = s.str[a:s.i] // json.Number keeps the literal
			return true
		}
		dst = &f.author
	case "geo":
		if s.null() {
			f.geo = nil
			return true
		}
		return false
	default:
		for _, k := range wireKeys {
			if bytes.EqualFold(key, []byte(k)) {
				return false // encoding/json would take it as k
			}
		}
		return s.skip(0)
	}
	if s.null() { // null leaves a string field as it was
		return true
	}
	v, ok := s.string()
	if ok {
		*dst = v
	}
	return ok
}

// plainString reads a string without escapes, returning its bounds.
func (s *postScanner) plainString() (a, b int, ok bool) {
	if !s.consume('"') {
		return 0, 0, false
	}
	a = s.i
	for ; s.i < len(s.data); s.i++ {
		switch c := s.data[s.i]; {
		case c == '"':
			s.i++
			return a, s.i - 1, true
		case c == '\\' || c < 0x20:
			return 0, 0, false
		}
	}
	return 0, 0, false
}

// string reads a string value, decoding its escapes.
func (s *postScanner) string() (string, bool) {
	if !s.consume('"') {
		return "", false
	}
	a := s.i
	for s.i < len(s.data) {
		c := s.data[s.i]
		switch {
		case c == '"':
			s.i++
			return s.str[a : s.i-1], true
		case c == '\\':
			return s.escaped(a)
		case c < 0x20:
			return "", false
		}
		s.i++
	}
	return "", false
}

// escaped finishes a string that started at a and has an escape at s.i.
func (s *postScanner) escaped(a int) (string, bool) {
	var b strings.Builder
	b.Grow(s.i - a + 16)
	b.WriteString(s.str[a:s.i])
	for s.i < len(s.data) {
		c := s.data[s.i]
		switch {
		case c == '"':
			s.i++
			return b.String(), true
		case c < 0x20:
			return "", false
		case c != '\\':
			b.WriteByte(c)
			s.i++
			continue
		}
		if s.i+1 >= len(s.data) {
			return "", false
		}
		e := s.data[s.i+1]
		s.i += 2
		switch e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := hex4(s.data, s.i)
			if !ok {
				return "", false
			}
			s.i += 4
			if utf16.IsSurrogate(r) {
				lo, ok := hex4(s.data, s.i+2)
				if !ok || s.data[s.i] != '\\' || s.data[s.i+1] != 'u' {
					return "", false
				}
				if r = utf16.DecodeRune(r, lo); r == utf8.RuneError {
					return "", false
				}
				s.i += 6
			}
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	return "", false
}

// maxSkipDepth bounds the nesting of an unknown field's value that the fast
// decoder walks; deeper values go to encoding/json.
const maxSkipDepth = 32

// skip checks and passes over one JSON value.
func (s *postScanner) skip(depth int) bool {
	if s.i >= len(s.data) || depth > maxSkipDepth {
		return false
	}
	switch c := s.data[s.i]; c {
	case '"':
		_, ok := s.string()
		return ok
	case '{', '[':
		closing := byte('}')
		if c == '[' {
			closing = ']'
		}
		s.i++
		s.space()
		if s.consume(closing) {
			return true
		}
		for {
			s.space()
			if c == '{' {
				if _, ok := s.string(); !ok {
					return false
				}
				s.space()
				if !s.consume(':') {
					return false
				}
				s.space()
			}
			if !s.skip(depth + 1) {
				return false
			}
			s.space()
			if s.consume(',') {
				continue
			}
			return s.consume(closing)
		}
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	default:
		return s.number()
	}
}

func (s *postScanner) literal(lit string) bool {
	if bytes.HasPrefix(s.data[s.i:], []byte(lit)) {
		s.i += len(lit)
		return true
	}
	return false
}

// number passes over a JSON number, checking its grammar.
func (s *postScanner) number() bool {
	s.consume('-')
	switch {
	case s.consume('0'):
	case s.digits() == 0:
		return false
	}
	if s.consume('.') && s.digits() == 0 {
		return false
	}
	if s.consume('e') || s.consume('E') {
		if !s.consume('+') {
			s.consume('-')
		}
		if s.digits() == 0 {
			return false
		}
	}
	return true
}

func (s *postScanner) digits() int {
	n := 0
	for s.i < len(s.data) && '0' <= s.data[s.i] && s.data[s.i] <= '9' {
		s.i++
		n++
	}
	return n
}

// ScanText reads the fields of a message that say what a post says (id,
// text, lang, country, location) as they stand, neither trimmed nor
// validated, without reflection, for readers that judge text without the
// rest of the contract (seismo classify). ok is false unless the message
// has the plain shape scanPost reads; the caller then decodes it with
// encoding/json, which gives the same fields where both apply. data must
// be valid UTF-8 with no lone surrogate escapes.
func ScanText(data []byte) (p Post, ok bool) {
	var f postFields
	if !scanPost(data, &f) {
		return Post{}, false
	}
	return Post{ID: f.id, Text: f.text, Lang: f.lang, Country: f.country, Location: f.location}, true
}
