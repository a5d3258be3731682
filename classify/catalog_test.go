package classify_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/classify"
)

func TestServicesCatalog(t *testing.T) {
	want := []string{"whatsapp", "instagram", "facebook", "messenger", "threads", "signal", "telegram", "x",
		"youtube", "gmail", "tiktok", "snapchat", "discord", "netflix", "spotify", "chatgpt", "outlook", "icloud"}
	parents := map[string]string{"whatsapp": "Meta", "instagram": "Meta", "facebook": "Meta", "messenger": "Meta",
		"threads": "Meta", "youtube": "Google", "gmail": "Google", "outlook": "Microsoft", "icloud": "Apple",
		"tiktok": "ByteDance", "chatgpt": "OpenAI", "x": "X Corp"}
	got := testClassifier(t).Services()
	var ids []string
	for _, s := range got {
		ids = append(ids, s.ID)
		if s.Name == "" || s.Parent == "" {
			t.Errorf("service %q lacks a name or parent: %+v", s.ID, s)
		}
		if p, ok := parents[s.ID]; ok && s.Parent != p {
			t.Errorf("service %q parent = %q, want %q", s.ID, s.Parent, p)
		}
	}
	if !slices.Equal(ids, want) {
		t.Errorf("ids = %v, want %v", ids, want)
	}
	got[0].ID = "changed"
	if testClassifier(t).Services()[0].ID != "whatsapp" {
		t.Error("Services returns the classifier's own slice")
	}
}

func TestUserCatalog(t *testing.T) {
	cat := []byte(`{"services": [
		{"id": "teams", "name": "Microsoft Teams", "parent": "Microsoft", "aliases": ["teams", "ms teams"], "ambiguous": [], "hashtags": ["teamsdown"]},
		{"id": "whatsapp", "name": "WhatsApp", "parent": "Meta", "aliases": ["whatsapp"], "ambiguous": ["wa"], "hashtags": []}
	]}`)
	c, err := classify.New(classify.Config{Catalog: cat, Languages: []string{"en", "de"}})
	if err != nil {
		t.Fatal(err)
	}
	if s := c.Services(); len(s) != 2 || s[0] != (seismo.Service{ID: "teams", Name: "Microsoft Teams", Parent: "Microsoft"}) {
		t.Errorf("Services() = %+v", s)
	}
	tests := []struct {
		text     string
		services []string
		lang     string
	}{
		{"ms teams is down for everyone at work", []string{"teams"}, "en"},
		{"#teamsdown", []string{"teams"}, ""},
		{"Teams geht nicht mehr", []string{"teams"}, "de"},
		{"instagram is down", []string{}, ""}, // not in this catalog
	}
	for _, tc := range tests {
		sig := c.Classify(&seismo.Post{ID: "1", Text: tc.text})
		if !sameSet(sig.Services, tc.services) || sig.Complaint != (len(tc.services) > 0) {
			t.Errorf("%q: services=%v complaint=%v, want %v", tc.text, sig.Services, sig.Complaint, tc.services)
		}
		if tc.lang != "" && sig.Lang != tc.lang {
			t.Errorf("%q: lang %q, want %q", tc.text, sig.Lang, tc.lang)
		}
	}
}

func TestBadCatalog(t *testing.T) {
	svc := func(fields string) string {
		return `{"services": [` + fields + `]}`
	}
	tests := []struct {
		name, catalog, want string
	}{
		{"not json", `{"services": [`, "parse catalog"},
		{"unknown field", `{"services": [], "extra": 1}`, "parse catalog"},
		{"trailing data", `{"services": []} {}`, "trailing data"},
		{"no services", `{"services": []}`, "no services"},
		{"bad id", svc(`{"id": "Whats App", "name": "W", "parent": "M", "aliases": ["w"]}`), "must be lower-case"},
		{"missing name", svc(`{"id": "w", "parent": "M", "aliases": ["w"]}`), "name is required"},
		{"missing parent", svc(`{"id": "w", "name": "W", "aliases": ["w"]}`), "parent is required"},
		{"no alias", svc(`{"id": "w", "name": "W", "parent": "M"}`), "at least one alias"},
		{"empty alias", svc(`{"id": "w", "name": "W", "parent": "M", "aliases": ["!!"]}`), "no letters"},
		{"duplicate id", svc(`{"id": "w", "name": "W", "parent": "M", "aliases": ["w"]}, {"id": "w", "name": "W", "parent": "M", "aliases": ["v"]}`), "duplicate id"},
		{"alias clash", svc(`{"id": "a", "name": "A", "parent": "M", "aliases": ["insta"]}, {"id": "b", "name": "B", "parent": "M", "aliases": ["INSTA"]}`), "already belongs"},
		{"multiword hashtag", svc(`{"id": "a", "name": "A", "parent": "M", "aliases": ["a1"], "hashtags": ["a down"]}`), "one word"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := classify.New(classify.Config{Catalog: []byte(tc.catalog), Languages: []string{"en"}})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "classify: ") {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestConfigLanguages(t *testing.T) {
	if _, err := classify.New(classify.Config{Languages: []string{"en", "nl"}}); err == nil || !strings.Contains(err.Error(), `"nl"`) {
		t.Errorf("unknown language: err = %v", err)
	}
	// One language needs no lingua at all; duplicates and case are fine.
	c, err := classify.New(classify.Config{Languages: []string{"DE", "de"}})
	if err != nil {
		t.Fatal(err)
	}
	sig := c.Classify(&seismo.Post{ID: "1", Text: "WhatsApp geht nicht, bei euch auch?"})
	if !sig.Complaint || sig.Lang != "de" {
		t.Errorf("german-only classifier: %+v", sig)
	}
	// Arabic only: script decides, hints outside the set are ignored.
	c, err = classify.New(classify.Config{Languages: []string{"ar", "hi"}})
	if err != nil {
		t.Fatal(err)
	}
	sig = c.Classify(&seismo.Post{ID: "2", Text: "الواتس واقف عندكم؟", Lang: "en"})
	if !sig.Complaint || sig.Lang != "ar" {
		t.Errorf("arabic-only classifier: %+v", sig)
	}
	if got := classify.DefaultLanguages; strings.Join(got, " ") != "ar it fr en es pt de hi tr" {
		t.Errorf("DefaultLanguages = %v", got)
	}
}

// Ambiguous aliases (single letters, common words) name a service only
// with a cue about them or as a hashtag.
func TestAmbiguousAliases(t *testing.T) {
	runVerdicts(t, []verdictCase{
		{name: "x as letter", text: "I drew an x on the map for the picnic", services: svc()},
		{name: "x with outage", text: "X is down again, can't load anything", complaint: true, services: svc("x"), problem: "total_outage"},
		{name: "x refuge", text: "everyone moved to X because whatsapp is down", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
		{name: "signal word", text: "my signal is so bad in this building", services: svc()},
		{name: "signal service", text: "signal not sending messages for anyone else?", complaint: true, services: svc("signal"), problem: "messages"},
		{name: "face idiom", text: "fell asleep face down on the couch lol", services: svc()},
		{name: "face service", text: "o face caiu?", complaint: true, services: svc("facebook"), problem: "total_outage"},
		{name: "zap word", text: "zap the bugs with the new lamp", services: svc()},
		{name: "zap service", text: "o zap tá fora do ar", complaint: true, services: svc("whatsapp"), problem: "total_outage"},
		{name: "wa arabizi and", text: "el net 3andi wa el phone tamam", services: svc()},
		{name: "ig in list", text: "fb, ig and wa all down at once", complaint: true, services: svc("facebook", "instagram", "whatsapp"), problem: "total_outage"},
		{name: "threads word", text: "sewing with new threads today", services: svc()},
		{name: "snap hashtag", text: "#snapdown", complaint: true, services: svc("snapchat"), problem: "total_outage"},
		{name: "outlook word", text: "the economic outlook is grim", services: svc()},
	})
}
