package classify_test

import (
	"testing"

	"github.com/seismo-dev/seismo"
)

// The commonest ways of asking whether a service is down must stay
// complaints whatever phrases the lexicons gain: a longer phrase that
// contains "down" once swallowed it as a mere question.
func TestCommonEnglishComplaints(t *testing.T) {
	c := testClassifier(t)
	for _, text := range []string{
		"is WhatsApp down for anyone else?",
		"whatsapp down for you too?",
		"Instagram down for everyone or just me?",
		"is youtube down?",
		"whatsapp is down again",
		"instagram's down again",
		"WhatsApp down?? messages won't send",
		"is it just me or is gmail not loading",
		"#whatsappdown",
	} {
		p := seismo.Post{ID: "t", Text: text}
		if s := c.Classify(&p); !s.Complaint || len(s.Services) != 1 {
			t.Errorf("%q: complaint %v services %v, want a complaint about one service", text, s.Complaint, s.Services)
		}
	}
}

// During one service's outage people ask whether another is down too: such
// a question is marked Collateral and does not count, however it is put,
// while a report that asks others whether they see it too still counts.
func TestClassifyCollateral(t *testing.T) {
	c := testClassifier(t)
	for _, tc := range []struct {
		text       string
		collateral bool
	}{
		{"is insta down too?", true},
		{"kya insta bhi down hai?", true},
		{"¿también se cayó instagram?", true},
		// Alternative questions: "working, or down too?".
		{"is gmail working or did it crash too?", true},
		{"youtube va o è morto anche lui?", true},
		{"Instagram çalışıyor mu, yoksa o da mı çöktü?", true},
		{"funktioniert Insta noch oder ist es auch down?", true},
		{"o insta tá normal ou caiu também?", true},
		{"instagram marche ou il est tombé aussi ?", true},
		{"insta chal raha hai ya wo bhi down hai?", true},
		{"الانستا شغال ولا وقع هو كمان؟", true},
		{"الانستا شغال ولا وقع معاه؟", true},
		// Reports: the "too" is about other people, or there is a symptom.
		{"whatsapp down for you too?", false},
		{"is whatsapp down for anyone else too or just me?", false},
		{"is whatsapp down or is it just me? my sister's won't load either", false},
		{"whatsapp messages won't send, is it down or did it break for you too?", false},
		{"is netflix down or is it just me, not loading too?", false},
		{"is instagram down or just me, feed won't load too?", false},
	} {
		p := seismo.Post{ID: "t", Text: tc.text}
		s := c.Classify(&p)
		if !s.Complaint || s.Collateral != tc.collateral {
			t.Errorf("%q: complaint %v collateral %v, want a complaint with collateral %v", tc.text, s.Complaint, s.Collateral, tc.collateral)
		}
	}
}
