package api_test

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/api"
)

// hostile is post text that would be markup, or end a CDATA section, if
// it were pasted into a feed.
const hostile = `WhatsApp down <script>alert("x")</script> ]]><b>&amp;</b>`

func feedIncidents() *fakeIncidents {
	t0 := time.Date(2024, 4, 3, 18, 10, 0, 0, time.UTC)
	resolved := t0.Add(-2 * time.Hour)
	return &fakeIncidents{list: []seismo.Incident{
		{ID: "whatsapp-20240403T1810Z", Service: "whatsapp", ServiceName: "WhatsApp", Status: seismo.StatusOpen,
			Severity: seismo.SeverityDanger, StartedAt: t0, UpdatedAt: t0.Add(6 * time.Minute),
			Countries: []seismo.CountryEntry{
				{Country: "IN", Status: seismo.StatusOpen, Reporters: 30},
				{Country: "GB", Status: seismo.StatusOpen, Severity: seismo.SeverityDanger, Reporters: 84},
				{Country: "ZZ", Status: seismo.StatusOpen, Reporters: 200},
				{Country: "BR", Status: seismo.StatusOpen, Reporters: 61},
				{Country: "US", Status: seismo.StatusResolved, Reporters: 20},
				{Country: "FR", Status: seismo.StatusPending, Reporters: 90},
				{Country: "DE", Status: seismo.StatusOpen, Reporters: 10},
			},
			Global:   &seismo.CountryEntry{Country: "*", Status: seismo.StatusOpen, Reporters: 240},
			Problems: []seismo.ProblemShare{{Problem: "total_outage", Complaints: 41, Share: 0.61}},
			Samples:  []seismo.Sample{{PostID: "p1", Text: hostile, Country: "GB"}}},
		{ID: "instagram-20240403T1600Z", Service: "instagram", Status: seismo.StatusResolved,
			Severity: seismo.SeverityWarning, StartedAt: t0.Add(-130 * time.Minute), ResolvedAt: &resolved,
			UpdatedAt: resolved, Countries: []seismo.CountryEntry{{Country: "US", Status: seismo.StatusResolved, Reporters: 12}}},
	}}
}

func feedServer(t *testing.T, publicURL string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(api.New(api.Config{Incidents: feedIncidents(), PublicURL: publicURL,
		Services: []seismo.Service{{ID: "whatsapp", Name: "WhatsApp"}, {ID: "instagram", Name: "Instagram"}}}))
	t.Cleanup(srv.Close)
	return srv
}

func fetch(t *testing.T, url, wantType string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != wantType {
		t.Errorf("GET %s: Content-Type %q, want %q", url, ct, wantType)
	}
	return body
}

const (
	wantTitle0 = "WhatsApp outage in GB, BR and 3 more (danger)"
	wantTitle1 = "Instagram outage in US (warning, resolved)"
)

func TestJSONFeed(t *testing.T) {
	srv := feedServer(t, "")
	body := fetch(t, srv.URL+"/v1/feed.json", "application/feed+json")
	if strings.Contains(string(body), "<script") {
		t.Errorf("the JSON feed carries <script raw:\n%s", body)
	}
	var f api.JSONFeed
	if err := json.Unmarshal(body, &f); err != nil {
		t.Fatal(err)
	}
	if f.Version != "https://jsonfeed.org/version/1.1" || f.Title == "" || f.HomePageURL != srv.URL+"/" ||
		f.FeedURL != srv.URL+"/v1/feed.json" {
		t.Errorf("feed = %+v", f)
	}
	if len(f.Items) != 2 {
		t.Fatalf("%d items, want 2", len(f.Items))
	}
	it := f.Items[0]
	if it.ID != "whatsapp-20240403T1810Z" || it.Title != wantTitle0 ||
		it.URL != srv.URL+"/incidents/whatsapp-20240403T1810Z" ||
		!it.DatePublished.Equal(time.Date(2024, 4, 3, 18, 10, 0, 0, time.UTC)) ||
		!it.DateModified.Equal(time.Date(2024, 4, 3, 18, 16, 0, 0, time.UTC)) {
		t.Errorf("item 0 = %+v", it)
	}
	for _, want := range []string{"open", "severity danger", "Started 2024-04-03 18:10 UTC", "GB 84 (open, danger)",
		"unknown country 200", "FR 90 (pending)", "All countries together: 240", "total outage 61%", hostile} {
		if !strings.Contains(it.ContentText, want) {
			t.Errorf("item 0 content_text lacks %q:\n%s", want, it.ContentText)
		}
	}
	it = f.Items[1]
	if it.ID != "instagram-20240403T1600Z" || it.Title != wantTitle1 || !strings.Contains(it.ContentText, "resolved 2024-04-03 16:10 UTC") {
		t.Errorf("item 1 = %+v", it)
	}

	// Filters are those of /v1/incidents; the feed URL keeps them.
	body = fetch(t, srv.URL+"/v1/feed.json?service=instagram", "application/feed+json")
	f = api.JSONFeed{}
	if err := json.Unmarshal(body, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 1 || f.FeedURL != srv.URL+"/v1/feed.json?service=instagram" || !strings.Contains(f.Title, "Instagram") {
		t.Errorf("filtered feed = %+v", f)
	}
	// An empty feed has a list of no items.
	if body := fetch(t, srv.URL+"/v1/feed.json?status=pending", "application/feed+json"); !strings.Contains(string(body), `"items":[]`) {
		t.Errorf("empty feed:\n%s", body)
	}
	if got := get(t, srv.URL+"/v1/feed.json?service=myspace", nil); got != 400 {
		t.Errorf("unknown service: status %d, want 400", got)
	}
}

// atom is what the test reads of an Atom feed.
type atom struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Links   []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Author struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Entries []struct {
		ID        string `xml:"id"`
		Title     string `xml:"title"`
		Updated   string `xml:"updated"`
		Published string `xml:"published"`
		Link      struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Summary struct {
			Type string `xml:"type,attr"`
			Text string `xml:",chardata"`
		} `xml:"summary"`
	} `xml:"entry"`
}

func TestAtomFeed(t *testing.T) {
	srv := feedServer(t, "https://status.example.com/")
	body := fetch(t, srv.URL+"/v1/feed.atom", "application/atom+xml; charset=utf-8")
	for _, raw := range []string{"<script", "]]>", "<b>"} {
		if strings.Contains(string(body), raw) {
			t.Errorf("the Atom feed carries %s raw:\n%s", raw, body)
		}
	}
	var f atom
	dec := xml.NewDecoder(strings.NewReader(string(body)))
	dec.Strict = true
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("not XML: %v\n%s", err, body)
	}
	self := ""
	for _, l := range f.Links {
		if l.Rel == "self" {
			self = l.Href
		}
	}
	if f.ID == "" || f.Title == "" || f.Author.Name == "" || self != "https://status.example.com/v1/feed.atom" {
		t.Errorf("feed id %q title %q author %q self %q", f.ID, f.Title, f.Author.Name, self)
	}
	if u, err := time.Parse(time.RFC3339, f.Updated); err != nil || !u.Equal(time.Date(2024, 4, 3, 18, 16, 0, 0, time.UTC)) {
		t.Errorf("feed updated %q (%v), want the newest entry's", f.Updated, err)
	}
	if len(f.Entries) != 2 {
		t.Fatalf("%d entries, want 2", len(f.Entries))
	}
	e := f.Entries[0]
	if e.ID != "tag:status.example.com,2024-04-03:incident/whatsapp-20240403T1810Z" || e.Title != wantTitle0 ||
		e.Link.Href != "https://status.example.com/incidents/whatsapp-20240403T1810Z" ||
		e.Published != "2024-04-03T18:10:00Z" || e.Updated != "2024-04-03T18:16:00Z" || e.Summary.Type != "text" {
		t.Errorf("entry 0 = %+v", e)
	}
	if !strings.Contains(e.Summary.Text, hostile) {
		t.Errorf("entry 0 summary lacks the post as text:\n%s", e.Summary.Text)
	}
	if e := f.Entries[1]; e.Title != wantTitle1 || !strings.HasPrefix(e.ID, "tag:status.example.com,2024-04-03:") {
		t.Errorf("entry 1 = %+v", e)
	}
}
