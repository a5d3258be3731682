package api

import (
	"cmp"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/seismo-dev/seismo"
)

// The feeds carry the incidents for feed readers and chat integrations,
// one item per incident, newest first; they take the filters of
// /v1/incidents. Every text in them, posts included, goes through
// encoding/json or encoding/xml, which escape it: it is never markup.

// JSONFeed is the body of GET /v1/feed.json (JSON Feed 1.1).
type JSONFeed struct {
	Version     string         `json:"version"`
	Title       string         `json:"title"`
	HomePageURL string         `json:"home_page_url"`
	FeedURL     string         `json:"feed_url"`
	NextURL     string         `json:"next_url,omitempty"`
	Description string         `json:"description"`
	Items       []JSONFeedItem `json:"items"`
}

// JSONFeedItem is one incident in the JSON feed.
type JSONFeedItem struct {
	ID            string    `json:"id"`
	URL           string    `json:"url"`
	Title         string    `json:"title"`
	ContentText   string    `json:"content_text"`
	DatePublished time.Time `json:"date_published"`
	DateModified  time.Time `json:"date_modified"`
	Tags          []string  `json:"tags"`
}

// Atom 1.0 (RFC 4287), as GET /v1/feed.atom writes it.
type atomFeed struct {
	XMLName   xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID        string      `xml:"id"`
	Title     string      `xml:"title"`
	Subtitle  string      `xml:"subtitle"`
	Updated   string      `xml:"updated"`
	Links     []atomLink  `xml:"link"`
	Author    atomPerson  `xml:"author"`
	Generator string      `xml:"generator"`
	Entries   []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      string         `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published"`
	Link       atomLink       `xml:"link"`
	Summary    atomText       `xml:"summary"`
	Categories []atomCategory `xml:"category"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

// feed is what both feeds are made of.
type feed struct {
	title, home, self string
	next              string // the next page's URL, if any
	items             []feedItem
}

type feedItem struct {
	in                 seismo.Incident
	url, title, text   string
	published, updated time.Time
	tags               []string
}

const feedDescription = "Outages of online services seismo detected from public posts"

func (s *Server) jsonFeed(w http.ResponseWriter, r *http.Request) {
	f, ok := s.feed(w, r)
	if !ok {
		return
	}
	out := JSONFeed{Version: "https://jsonfeed.org/version/1.1", Title: f.title, HomePageURL: f.home,
		FeedURL: f.self, NextURL: f.next, Description: feedDescription, Items: []JSONFeedItem{}}
	for _, it := range f.items {
		out.Items = append(out.Items, JSONFeedItem{ID: it.in.ID, URL: it.url, Title: it.title, ContentText: it.text,
			DatePublished: it.published, DateModified: it.updated, Tags: it.tags})
	}
	writeBulk(w, r, http.StatusOK, "application/feed+json", func(w io.Writer) error {
		return json.NewEncoder(w).Encode(out)
	})
}

func (s *Server) atomFeed(w http.ResponseWriter, r *http.Request) {
	f, ok := s.feed(w, r)
	if !ok {
		return
	}
	out := atomFeed{ID: f.self, Title: f.title, Subtitle: feedDescription,
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: f.self},
			{Rel: "alternate", Href: f.home},
		},
		Author: atomPerson{Name: "seismo"}, Generator: "seismo"}
	if f.next != "" {
		// RFC 5005's paged feed.
		out.Links = append(out.Links, atomLink{Rel: "next", Type: "application/atom+xml", Href: f.next})
	}
	var updated time.Time
	for _, it := range f.items {
		out.Entries = append(out.Entries, atomEntry{
			ID: tagURI(f.home, it.in), Title: it.title,
			Updated: atomTime(it.updated), Published: atomTime(it.published),
			Link:       atomLink{Rel: "alternate", Type: "text/html", Href: it.url},
			Summary:    atomText{Type: "text", Text: it.text},
			Categories: []atomCategory{{Term: it.in.Service}},
		})
		if it.updated.After(updated) {
			updated = it.updated
		}
	}
	if updated.IsZero() {
		updated = time.Now() // an empty feed, which Atom still wants dated
	}
	out.Updated = atomTime(updated)
	writeBulk(w, r, http.StatusOK, "application/atom+xml; charset=utf-8", func(w io.Writer) error {
		if _, err := io.WriteString(w, xml.Header); err != nil {
			return err
		}
		enc := xml.NewEncoder(w)
		enc.Indent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
		_, err := io.WriteString(w, "\n")
		return err
	})
}

// feed reads the incidents a feed request asks for; when it fails, it
// has written the error.
func (s *Server) feed(w http.ResponseWriter, r *http.Request) (feed, bool) {
	flt, err := s.filter(r)
	if err != nil {
		s.writeError(w, r, err)
		return feed{}, false
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.Timeout)
	defer cancel()
	page, err := s.cfg.Incidents.ListIncidents(ctx, flt)
	if err != nil {
		s.writeError(w, r, err)
		return feed{}, false
	}
	base := s.baseURL(r)
	f := feed{title: "seismo: outages", home: base + "/", self: base + r.URL.RequestURI()}
	if page.NextCursor != "" {
		f.next = base + nextURL(r, page.NextCursor)
	}
	if flt.Service != "" {
		f.title = "seismo: " + s.serviceName(flt.Service, "") + " outages"
	}
	for _, in := range page.Incidents {
		updated := in.UpdatedAt
		if updated.IsZero() {
			updated = in.StartedAt
		}
		tags := []string{in.Service, string(in.Status)}
		if in.Severity != "" {
			tags = append(tags, string(in.Severity))
		}
		f.items = append(f.items, feedItem{in: in,
			url:   base + "/incidents/" + url.PathEscape(in.ID),
			title: s.itemTitle(in), text: s.itemText(in),
			published: in.StartedAt.UTC(), updated: updated.UTC(), tags: tags})
	}
	return f, true
}

// baseURL is where the links of a feed point: the configured public URL,
// or else the scheme and host the request came to.
func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return strings.TrimRight(s.cfg.PublicURL, "/")
	}
	u := url.URL{Scheme: "http", Host: r.Host}
	if r.TLS != nil {
		u.Scheme = "https"
	}
	if u.Host == "" {
		u.Host = "localhost"
	}
	return u.String()
}

func (s *Server) serviceName(id, named string) string {
	if named != "" {
		return named
	}
	for _, sv := range s.cfg.Services {
		if sv.ID == id && sv.Name != "" {
			return sv.Name
		}
	}
	return id
}

// byReporters orders countries as a reader wants them: the most
// reporters first.
func byReporters(cs []seismo.CountryEntry) []seismo.CountryEntry {
	cs = slices.Clone(cs)
	slices.SortStableFunc(cs, func(a, b seismo.CountryEntry) int {
		return cmp.Or(cmp.Compare(b.Reporters, a.Reporters), cmp.Compare(a.Country, b.Country))
	})
	return cs
}

// itemTitle names the service, the countries where the incident fired
// (the most reporters first, the unknown country left out) and its
// severity, and its status unless it is open: "WhatsApp outage in GB, BR
// and 3 more (danger)".
func (s *Server) itemTitle(in seismo.Incident) string {
	var fired, any []string
	for _, c := range byReporters(in.Countries) {
		if c.Country == seismo.UnknownCountry {
			continue
		}
		any = append(any, c.Country)
		if c.Status != seismo.StatusPending {
			fired = append(fired, c.Country)
		}
	}
	if len(fired) == 0 {
		fired = any // a pending incident: nothing fired yet
	}
	t := s.serviceName(in.Service, in.ServiceName) + " outage"
	switch n := len(fired); {
	case n == 1:
		t += " in " + fired[0]
	case n > 1 && n <= 3:
		t += " in " + strings.Join(fired[:n-1], ", ") + " and " + fired[n-1]
	case n > 3:
		t += fmt.Sprintf(" in %s and %d more", strings.Join(fired[:2], ", "), n-2)
	}
	var notes []string
	if in.Severity != "" {
		notes = append(notes, string(in.Severity))
	}
	if in.Status != seismo.StatusOpen {
		notes = append(notes, string(in.Status))
	}
	if len(notes) > 0 {
		t += " (" + strings.Join(notes, ", ") + ")"
	}
	return t
}

// maxSampleText bounds a post quoted in a feed item.
const maxSampleText = 280

// itemText summarises an incident in plain text: status and severity,
// when it started and resolved, the countries with their reporters, what
// broke, and a few posts.
func (s *Server) itemText(in seismo.Incident) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s outage, %s", s.serviceName(in.Service, in.ServiceName), in.Status)
	if in.Severity != "" {
		fmt.Fprintf(&b, ", severity %s", in.Severity)
	}
	fmt.Fprintf(&b, ".\nStarted %s", feedTime(in.StartedAt))
	if in.ResolvedAt != nil {
		fmt.Fprintf(&b, ", resolved %s", feedTime(*in.ResolvedAt))
	}
	b.WriteString(".\n")
	if len(in.Countries) > 0 {
		b.WriteString("Reporters by country, at the peak:")
		for i, c := range byReporters(in.Countries) {
			sep := ","
			if i == 0 {
				sep = ""
			}
			name := c.Country
			if name == seismo.UnknownCountry {
				name = "unknown country"
			}
			fmt.Fprintf(&b, "%s %s %d (%s", sep, name, c.Reporters, c.Status)
			if c.Severity != "" {
				fmt.Fprintf(&b, ", %s", c.Severity)
			}
			b.WriteString(")")
		}
		b.WriteString(".\n")
	}
	if in.Global != nil {
		fmt.Fprintf(&b, "All countries together: %d reporters.\n", in.Global.Reporters)
	}
	if len(in.Problems) > 0 {
		b.WriteString("Problems:")
		for i, p := range in.Problems {
			sep := ","
			if i == 0 {
				sep = ""
			}
			fmt.Fprintf(&b, "%s %s %.0f%%", sep, strings.ReplaceAll(string(p.Problem), "_", " "), p.Share*100)
		}
		b.WriteString(".\n")
	}
	if len(in.Related) > 0 {
		fmt.Fprintf(&b, "Related: %s.\n", strings.Join(in.Related, ", "))
	}
	for i, sm := range in.Samples {
		if i == 3 {
			break
		}
		if i == 0 {
			b.WriteString("Posts:\n")
		}
		// One line each: a post's own line breaks would read as the
		// summary's.
		fmt.Fprintf(&b, "- “%s”", truncate(strings.Join(strings.Fields(sm.Text), " "), maxSampleText))
		if sm.Country != "" {
			fmt.Fprintf(&b, " (%s)", sm.Country)
		}
		b.WriteString("\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// truncate cuts s to at most n runes, marking the cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func feedTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 MST") }

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// tagURI names an incident for Atom (RFC 4151): the feed's host, the day
// the incident started, and its id, which is stable across replays.
func tagURI(home string, in seismo.Incident) string {
	host := "localhost"
	if u, err := url.Parse(home); err == nil && validTagHost(u.Hostname()) {
		host = strings.ToLower(u.Hostname())
	}
	return fmt.Sprintf("tag:%s,%s:incident/%s", host, in.StartedAt.UTC().Format("2006-01-02"), url.PathEscape(in.ID))
}

// validTagHost reports whether h is a DNS name as a tag URI's authority
// takes it (an IPv6 literal is not).
func validTagHost(h string) bool {
	if h == "" {
		return false
	}
	for _, c := range h {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}
