package classify_test

import (
	"testing"

	"github.com/seismo-dev/seismo"
)

// TestQuotedQuestions covers mocked outage questions in every quoting
// style people type: German „…“, guillemets, straight and curly
// apostrophes. A quoted question that opens the post or is answered with
// "no" is someone else's words, not a report; a quoted app error is a
// report.
func TestQuotedQuestions(t *testing.T) {
	runVerdicts(t, []verdictCase{
		{name: "german low-high quotes", text: "„Ist WhatsApp down?“ Nein, du hast mich nur blockiert", services: svc("whatsapp")},
		{name: "apostrophe quotes answered no", text: "'is twitter down?' no mate, nobody is replying to you", services: svc("x")},
		{name: "curly apostrophes", text: "‘is youtube down?’ no, your video just isn't that good", services: svc("youtube")},
		{name: "spanish inverted mark in quotes", text: "'¿se cayó whatsapp?' no, amigo, es que nadie te escribe", services: svc("whatsapp")},
		{name: "portuguese", text: "'o zap caiu?' não, ninguém te respondeu mesmo", services: svc("whatsapp")},
		{name: "quoted question opening the post", text: "'is discord down?' lol the server just got quiet", services: svc("discord")},
		{name: "quoted app error is a report", text: "netflix keeps saying 'Something went wrong' on every show", complaint: true, services: svc("netflix"), problem: "server_error"},
		{name: "quote not at the start and not answered", text: "my friend asked 'is insta down?' and yes it is, nothing loads", complaint: true, services: svc("instagram"), problem: "total_outage"},
		{name: "elision is not a quote", text: "'cause whatsapp is down again lol", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
	})
}

// TestSentenceScope covers cues whose reach is their sentence: past and
// news rule out the outage told in their own sentence only, and the
// author's own side named in a question still leaves the question about
// the service.
func TestSentenceScope(t *testing.T) {
	runVerdicts(t, []verdictCase{
		{name: "news in the same sentence", text: "yesterday whatsapp was down for three hours in half of europe", services: svc("whatsapp")},
		{name: "past in another sentence", text: "youtube worked fine yesterday. now every video just keeps buffering", complaint: true, services: svc("youtube"), problem: "media"},
		{name: "year in another sentence", text: "flashbacks to 2021. whatsapp, insta and facebook all down again", complaint: true, services: svc("whatsapp", "instagram", "facebook"), problem: "total_outage"},
		{name: "hedged question naming own router", text: "is netflix down or is it my router?", complaint: true, services: svc("netflix"), problem: "total_outage"},
		{name: "own router told, not asked", text: "netflix wasn't loading, turned out it was my router", services: svc("netflix")},
	})
}

// TestFineTakenBack covers a service said to work and then to fail after
// "but": the working word does not shield it from the failure.
func TestFineTakenBack(t *testing.T) {
	runVerdicts(t, []verdictCase{
		{name: "opens but", text: "instagram opens, but stories won't load at all", complaint: true, services: svc("instagram"), problem: "media"},
		{name: "german aber", text: "WhatsApp öffnet sich, aber die Nachrichten kommen nicht an", complaint: true, services: svc("whatsapp"), problem: "messages"},
		{name: "other service fine", text: "insta loads fine but twitter is down", complaint: true, services: svc("x"), problem: "total_outage"},
	})
}

// TestLanguageIdentification covers the language of posts whose cue words
// are English or whose short words belong to several languages.
func TestLanguageIdentification(t *testing.T) {
	c := testClassifier(t)
	tests := []struct {
		name, text, want string
	}{
		{name: "two-letter words of several languages", text: "Nouvelle recette sur ma chaîne YouTube : la soupe de ma tante", want: "fr"},
		{name: "quoted English error in Italian", text: "ChatGPT mi risponde «Something went wrong» a ogni domanda, è giù?", want: "it"},
		{name: "English cue word in French", text: "Telegram est down ou c'est mon wifi ?", want: "fr"},
		{name: "English post keeps its English", text: "send me the pics on whatsapp later pls", want: "en"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &seismo.Post{ID: "x", Text: tc.text}
			if got := c.Language(p); got != tc.want {
				t.Errorf("Language(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}
