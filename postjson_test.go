package seismo

import (
	"reflect"
	"testing"
	"unicode/utf8"
)

var scanSeeds = []struct {
	in   string
	fast bool // scanPost takes it, rather than leaving it to encoding/json
}{
	{`{"id":"1","text":"whatsapp down","created_at":"2024-04-03T19:00:00Z"}`, true},
	{` {"id" : "1" , "text":"x\n\"y\" \u00e9 \ud83d\ude00 \/ \\","created_at":"2024-04-03T19:00:00Z","lang":"it","country":"it","source":"bluesky","location":"Roma","url":"https://x.test/1"} `, true},
	{`{"id":"1","author":"did:plc:abc","author":-12.5e+3,"text":"a"}`, true},
	{`{"id":"1","text":"a","text":null}`, true},
	{`{"id":"1","id":null,"created_at":"x","created_at":null}`, true},
	{`{"id":"1","extra":{"a":[1,2.5,-0,true,false,null,"s\"",{}],"b":[]},"geo":null}`, true},
	{`{}`, true},
	{`{"id":"1","geo":{"lat":1,"lon":2}}`, false},
	{`{"ID":"1","text":"a"}`, false},
	{`{"teXt":"a"}`, false},
	{`{"id":"1","author":true}`, false},
	{`{"id":"1","created_at":12}`, false},
	{`{"id":1}`, false},
	{`{"id":"1",}`, false},
	{`{"id":"1"} x`, false},
	{`{"id":"1","n":01}`, false},
	{`{"id":"1","n":1.}`, false},
	{`{"id":"1","n":-}`, false},
	{`{"id":"a` + "\t" + `b"}`, false},
	{`{"i\u0064":"1"}`, false},
	{`{"id":"1","s":"\x"}`, false},
	{`[1]`, false},
	{`null`, false},
	{`{"id":"1","x":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`, false},
}

// TestScanPost checks that the fast decoder takes what it should and agrees
// with encoding/json on it.
func TestScanPost(t *testing.T) {
	for _, tc := range scanSeeds {
		var fast postFields
		if got := scanPost([]byte(tc.in), &fast); got != tc.fast {
			t.Errorf("scanPost(%s) = %v, want %v", tc.in, got, tc.fast)
			continue
		}
		if tc.fast {
			sameAsReference(t, []byte(tc.in), fast)
		}
	}
}

// FuzzScanPost holds the fast decoder to encoding/json: whatever it takes,
// encoding/json takes too, with the same fields.
func FuzzScanPost(f *testing.F) {
	for _, tc := range scanSeeds {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !utf8.Valid(data) || !ValidEscapes(data) {
			return // scanPost's precondition, which DecodePost checks first
		}
		var fast postFields
		if !scanPost(data, &fast) {
			return
		}
		sameAsReference(t, data, fast)
	})
}

func sameAsReference(t *testing.T, data []byte, fast postFields) {
	t.Helper()
	var ref postFields
	if err := decodeFields(data, &ref); err != nil {
		t.Fatalf("scanPost took %q, encoding/json rejects it: %v", data, err)
	}
	if !reflect.DeepEqual(fast, ref) {
		t.Fatalf("scanPost(%q)\n got %+v\nwant %+v", data, fast, ref)
	}
}

// BenchmarkDecodePost decodes a typical message, through the fast decoder
// and through encoding/json.
func BenchmarkDecodePost(b *testing.B) {
	msg := []byte(`{"id":"bsky:3kq2x7c","text":"Instagram è giù da mezz'ora, non carica niente 😡 #instagramdown","created_at":"2026-03-14T18:02:11.412Z","source":"bluesky","author":"did:plc:7x2kq4mnp3","lang":"it","country":"IT","url":"https://bsky.app/profile/x/post/3kq2x7c"}`)
	b.Run("scan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := DecodePost(msg); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var f postFields
			if err := decodeFields(msg, &f); err != nil {
				b.Fatal(err)
			}
		}
	})
}
