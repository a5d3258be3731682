package source_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/metrics"
	"github.com/seismo-dev/seismo/source"
	"github.com/seismo-dev/seismo/source/sourcetest"
)

func startMastodon(t *testing.T, addr, instance, token string, reg *metrics.Registry) (*running, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pos, err := source.ResumeCursor(ctx, source.ResumeConfig{Brokers: []string{addr}, Topic: topic, Source: source.MastodonSource, Streams: []string{instance}})
	if err != nil {
		t.Fatal(err)
	}
	m := source.NewMetrics(reg)
	cursors := map[string]string{}
	for s, p := range pos {
		cursors[s] = p.Resume
	}
	r, err := source.NewMastodon(source.MastodonConfig{Instances: []string{instance}, Token: token, Cursors: cursors, Rewind: 2 * time.Second, Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	p, err := source.NewProducer(source.ProducerConfig{Brokers: []string{addr}, Topic: topic, Source: source.MastodonSource,
		BatchSize: 5, Resume: cursors, Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	run := &running{cancel: cancel, done: make(chan error, 1)}
	go func() { run.done <- source.Pipe(ctx, r, p, 10*time.Second) }()
	return run, cursors[instance]
}

// mastodonStatuses returns n statuses from id first on, of every kind an
// instance streams, and the posts seismo must produce from them.
func mastodonStatuses(instance string, first, n int) ([]sourcetest.Status, map[string]seismo.Post) {
	host := strings.TrimPrefix(instance, "http://")
	created := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	want := map[string]seismo.Post{}
	var out []sourcetest.Status
	for i := first; i < first+n; i++ {
		at := created.Add(time.Duration(i) * time.Second)
		id := fmt.Sprint(at.UnixMilli() << 16) // a Mastodon id: its creation time, then a sequence
		st := sourcetest.Status{
			ID: id, URI: fmt.Sprintf("https://remote.example/users/u%d/statuses/%s", i%7, id),
			URL: fmt.Sprintf("https://remote.example/@u%d/%s", i%7, id), CreatedAt: at.Format("2006-01-02T15:04:05.000Z"),
			Content:  fmt.Sprintf(`<p>is <a href="https://instagram.com" rel="nofollow"><span class="invisible">https://</span><span class="">instagram.com</span></a> down &amp; broken? <span class="h-card"><a href="https://remote.example/@ops" class="u-url mention">@<span>ops</span></a></span> #%d</p><p>second &lt;b&gt;line&lt;/b&gt;</p>`, i),
			Language: "en", Account: sourcetest.Author{ID: fmt.Sprint(i % 7), Acct: fmt.Sprintf("u%d@remote.example", i%7)},
		}
		text := fmt.Sprintf("is https://instagram.com down & broken? @ops #%d\n\nsecond <b>line</b>", i)
		keep := true
		switch i % 8 {
		case 1:
			st.Account.Acct = fmt.Sprintf("local%d", i%3) // a local account: no domain in acct
		case 2:
			boosted := st
			st.Reblog = &boosted
			keep = false
		case 3:
			st.Sensitive = true
			keep = false
		case 4:
			st.Content = "" // media only
			keep = false
		case 5:
			st.SpoilerText = "outage talk"
			text = "outage talk\n" + text
		case 6:
			st.Language = "pt-BR"
			st.Account.Fields = []sourcetest.Field{{Name: "Pronouns", Value: "she/her"}, {Name: "Localização", Value: "<p>Porto Alegre, RS 🇧🇷</p>"}}
		case 7:
			st.CreatedAt = "not a time"
			keep = false
		}
		out = append(out, st)
		if !keep {
			continue
		}
		author := st.Account.Acct
		if !strings.Contains(author, "@") {
			author += "@" + host
		}
		want[st.URI] = seismo.Post{ID: st.URI, Text: text, CreatedAt: at, Source: "mastodon", Author: author,
			Lang: strings.SplitN(st.Language, "-", 2)[0], URL: st.URL}
		if len(st.Account.Fields) > 0 {
			p := want[st.URI]
			p.Location = "Porto Alegre, RS 🇧🇷"
			want[st.URI] = p
		}
	}
	return out, want
}

func waitStreams(t *testing.T, m *sourcetest.Mastodon, opened int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		o, open := m.Streams()
		if o >= opened && open > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d streams opened, %d open; want %d opened and one open", o, open, opened)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestMastodon(t *testing.T) {
	addr := startBroker(t)
	const token = "s3cret"
	ms := sourcetest.NewMastodon(token)
	defer ms.Close()
	reg := metrics.New()
	want := map[string]seismo.Post{}
	post := func(first, n int) []sourcetest.Status {
		sts, w := mastodonStatuses(ms.URL(), first, n)
		for id, p := range w {
			want[id] = p
		}
		ms.Post(sts...)
		return sts
	}

	// Statuses from before the first start are not read: the stream is
	// live, and the topic has no cursor to catch up from.
	post(0, 5)
	ms.DropAfter(14)
	run, cursor := startMastodon(t, addr, ms.URL(), token, reg)
	if cursor != "" {
		t.Fatalf("an empty topic gave cursor %q", cursor)
	}
	waitStreams(t, ms, 1)
	for id := range want {
		delete(want, id)
	}
	// Events that are no new status, among statuses; the stream drops
	// after 14 events, and what is posted while it is away comes back
	// through the timeline.
	ms.Send("delete", "117738184765440000")
	ms.Send("status.update", `{"id":"1"}`)
	ms.Send("notification", `{}`)
	ms.Send("update", `{"id": "113`)
	post(10, 10)
	post(20, 30)
	waitFor(t, addr, want)
	run.stop(t)

	// Posted while seismo was stopped: the restart catches up from the
	// cursor on the topic.
	post(50, 60)
	run, cursor = startMastodon(t, addr, ms.URL(), token, reg)
	if cursor == "" {
		t.Fatal("the restart found no cursor on the topic")
	}
	waitStreams(t, ms, 3)
	post(110, 10)
	recs := waitFor(t, addr, want)
	run.stop(t)

	var sinceIDs []string
	for _, r := range ms.Requests() {
		u, _ := url.Parse(r)
		sinceIDs = append(sinceIDs, u.Query().Get("since_id"))
	}
	if len(sinceIDs) < 2 || sinceIDs[0] == "" {
		t.Fatalf("timeline requests %v: want catch-ups after the drop and the restart", ms.Requests())
	}
	seen := map[string]int{}
	for _, r := range recs {
		p := r.post
		w, ok := want[p.ID]
		if !ok {
			t.Errorf("unexpected record %s: %q", p.ID, p.Text)
			continue
		}
		if p.Text != w.Text || !p.CreatedAt.Equal(w.CreatedAt) || p.Author != w.Author || p.Lang != w.Lang ||
			p.URL != w.URL || p.Source != w.Source || p.Location != w.Location {
			t.Errorf("record %s:\n got %+v\nwant %+v", p.ID, p, w)
		}
		if r.headers[source.HeaderSource] != "mastodon" || r.headers[source.HeaderStream] != ms.URL() {
			t.Errorf("record %s headers %v", p.ID, r.headers)
		}
		seen[p.ID]++
		if seen[p.ID] > 1 {
			// A duplicate is one a catch-up read again: newer than the
			// since_id it asked from.
			id := r.headers[source.HeaderCursor]
			again := false
			for _, m := range sinceIDs {
				again = again || (len(m) == len(id) && m < id)
			}
			if !again {
				t.Errorf("record %s (id %s) came twice, and no catch-up (%v) read it", p.ID, id, sinceIDs)
			}
		}
	}
	if len(seen) != len(want) {
		t.Errorf("%d distinct posts on the topic, want %d", len(seen), len(want))
	}
	opened, _ := ms.Streams()
	t.Logf("%d records, %d distinct posts of %d valid, %d duplicates, all read again by a catch-up; %d streams opened, %d timeline requests",
		len(recs), len(seen), len(want), len(recs)-len(seen), opened, len(sinceIDs))
	wantSkipped(t, reg, "mastodon", "boost", "sensitive", "no_text", "invalid_post", "not_update", "malformed")
}

// A gap longer than the catch-up's pages loses its oldest statuses, not
// its newest, and says so.
func TestMastodonCatchUpLimit(t *testing.T) {
	addr := startBroker(t)
	ms := sourcetest.NewMastodon("")
	defer ms.Close()
	sts, _ := mastodonStatuses(ms.URL(), 0, 200)
	var plain []sourcetest.Status // every status one that makes a post
	for i, st := range sts {
		st.Reblog, st.Sensitive, st.Content = nil, false, fmt.Sprintf("<p>down? %d</p>", i)
		st.CreatedAt = time.Date(2026, 12, 7, 12, 0, i, 0, time.UTC).Format(time.RFC3339)
		plain = append(plain, st)
	}
	reg := metrics.New()
	m := source.NewMetrics(reg)
	// The topic has the first status; the 199 after it were posted while
	// the source was away, and one page of 40 may be read.
	r, err := source.NewMastodon(source.MastodonConfig{Instances: []string{ms.URL()}, Cursors: map[string]string{ms.URL(): plain[0].ID},
		CatchUpPages: 1, Rewind: time.Millisecond, Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	ms.Post(plain...)
	p, err := source.NewProducer(source.ProducerConfig{Brokers: []string{addr}, Topic: topic, Source: source.MastodonSource, Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	newest := map[string]seismo.Post{}
	for _, st := range plain[len(plain)-40:] {
		newest[st.URI] = seismo.Post{ID: st.URI}
	}
	ctx, cancel := context.WithCancel(context.Background())
	run := &running{cancel: cancel, done: make(chan error, 1)}
	go func() { run.done <- source.Pipe(ctx, r, p, 10*time.Second) }()
	recs := waitFor(t, addr, newest)
	run.stop(t)
	if len(recs) != 40 {
		t.Errorf("%d records, want the newest 40", len(recs))
	}
	var text strings.Builder
	reg.WriteTo(&text)
	if !strings.Contains(text.String(), `seismo_source_gaps_total{source="mastodon"} 1`) {
		t.Errorf("the gap was not counted:\n%s", text.String())
	}
}
