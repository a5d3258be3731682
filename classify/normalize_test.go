package classify_test

import (
	"strings"
	"testing"

	"github.com/seismo-dev/seismo/classify"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{name: "case", in: "WhatsApp DOWN", want: "whatsapp down"},
		{name: "latin diacritics", in: "Çöktü è già giù ÉCHEC ñandú", want: "coktu e gia giu echec nandu"},
		{name: "sharp s and ligatures", in: "Straße Œuvre", want: "strasse oeuvre"},
		{name: "decomposed accents", in: "cafe\u0301 n\u0303", want: "cafe n"},
		{name: "turkish dotted capital", in: "İnstagram ÇÖKTÜ", want: "instagram coktu"},
		{name: "fullwidth", in: "ＷｈａｔｓＡｐｐ　ｄｏｗｎ", want: "whatsapp down"},
		{name: "math bold", in: "𝐖𝐡𝐚𝐭𝐬𝐀𝐩𝐩", want: "whatsapp"},
		{name: "zero width", in: "whats\u200bapp\u200d down\ufe0f", want: "whatsapp down"},
		{name: "elongation latin", in: "downnnnn sooooo baaaack", want: "down so back"},
		{name: "doubles stay", in: "cool instagramm", want: "cool instagramm"},
		{name: "digits never collapse", in: "2000 1111", want: "2000 1111"},
		{name: "elongation arabic", in: "مييييت واقفففف", want: "ميت واقف"},
		{name: "arabic letter variants", in: "أحمد إسلام آخر مستشفى رسالة مؤسسة طائرة", want: "احمد اسلام اخر مستشفي رساله موسسه طايره"},
		{name: "harakat and tatweel", in: "الواتـــساب مُعَطَّلٌ", want: "الواتساب معطل"},
		{name: "arabic-indic digits", in: "٢٠٢١ ۲۰", want: "2021 20"},
		{name: "arabic punctuation splits", in: "واقف؟عندكم،ولا", want: "واقف عندكم ولا"},
		{name: "devanagari variants meet", in: "व्हाट्सऐप व्हाट्सएप", want: "व्हाट्सएप व्हाट्सएप"},
		{name: "devanagari nukta and digits", in: "फ़ेसबुक २०", want: "फेसबुक 20"},
		{name: "url dropped", in: "see https://twitter.com/x/status/1 now", want: "see now"},
		{name: "www dropped", in: "go to www.whatsapp.com today", want: "go to today"},
		{name: "mention dropped", in: "@WhatsApp are you down?", want: "are you down"},
		{name: "email dropped", in: "mail me at me@gmail.com pls", want: "mail me at pls"},
		{name: "hashtag", in: "#WhatsAppDown again", want: "#whatsappdown again"},
		{name: "arabic hashtag underscores", in: "#واتساب_معطل", want: "#واتساب #معطل"},
		{name: "english n't joins", in: "isn't won't can’t", want: "isnt wont cant"},
		{name: "other apostrophes split", in: "c'è l’insta whatsapp'ta it's", want: "c e l insta whatsapp ta it s"},
		{name: "emoji and symbols dropped", in: "down 😭😭!!! 100% <3", want: "down 100 3"},
		{name: "domain keeps its parts", in: "icloud.com is broken", want: "icloud com is broken"},
		{name: "hyphen splits", in: "WhatsApp-Gruppe", want: "whatsapp gruppe"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := classify.Normalize(tc.in); got != tc.want {
				t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestNormalizeBounded(t *testing.T) {
	long := strings.Repeat("whatsapp down ", 5000) // 70,000 bytes
	got := classify.Normalize(long)
	if n := len(strings.Fields(got)); n == 0 || n > 2500 {
		t.Errorf("got %d tokens from a huge text, want 1..2500", n)
	}
	for _, in := range []string{"", "\xff\xfe\xfd", "#", "@", "'''", "٠", "\u0301", "...???"} {
		_ = classify.Normalize(in) // must not panic
	}
}
