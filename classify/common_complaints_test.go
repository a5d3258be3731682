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
