package source_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/broker"
	"github.com/seismo-dev/seismo/metrics"
	"github.com/seismo-dev/seismo/source"
	"github.com/seismo-dev/seismo/source/sourcetest"
)

const topic = "seismo.posts"

func startBroker(t *testing.T) string {
	t.Helper()
	b, err := broker.Start(broker.Config{Addr: "127.0.0.1:0", Partitions: 3})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b.Addr()
}

// record is one message of the posts topic, decoded.
type record struct {
	post    seismo.Post
	headers map[string]string
}

// readTopic returns every record on the topic, decoded.
func readTopic(t *testing.T, addr string) []record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	msgs, err := sourcetest.ReadTopic(ctx, addr, topic)
	if err != nil {
		t.Fatal(err)
	}
	var out []record
	for _, m := range msgs {
		p, err := seismo.DecodePost(m.Value)
		if err != nil {
			t.Fatalf("a record on the topic is no valid post: %v: %s", err, m.Value)
		}
		h := map[string]string{}
		for _, x := range m.Headers {
			h[x.Key] = string(x.Value)
		}
		if string(m.Key) != p.Author {
			t.Errorf("record %s is keyed %q, want its author %q", p.ID, m.Key, p.Author)
		}
		out = append(out, record{post: p, headers: h})
	}
	return out
}

// waitFor polls the topic until it holds every id of want.
func waitFor(t *testing.T, addr string, want map[string]seismo.Post) []record {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		recs := readTopic(t, addr)
		have := map[string]bool{}
		for _, r := range recs {
			have[r.post.ID] = true
		}
		missing := 0
		for id := range want {
			if !have[id] {
				missing++
			}
		}
		if missing == 0 {
			return recs
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d posts never reached the topic", missing, len(want))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// running is a source started the way seismo source starts it.
type running struct {
	cancel context.CancelFunc
	done   chan error
}

func (r *running) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			t.Fatalf("the source ended with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the source did not stop")
	}
}

const rewind = 2 * time.Second

func startBluesky(t *testing.T, addr string, urls []string, reg *metrics.Registry) (*running, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pos, err := source.ResumeCursor(ctx, source.ResumeConfig{Brokers: []string{addr}, Topic: topic, Source: source.BlueskySource, Streams: []string{""}})
	if err != nil {
		t.Fatal(err)
	}
	m := source.NewMetrics(reg)
	j, err := source.NewJetstream(source.JetstreamConfig{URLs: urls, Cursor: pos[""].Cursor, Rewind: rewind, Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	p, err := source.NewProducer(source.ProducerConfig{Brokers: []string{addr}, Topic: topic, Source: source.BlueskySource,
		Split: j.Split, BatchSize: 7, Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	r := &running{cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- source.Pipe(ctx, j, p, 10*time.Second) }()
	return r, pos[""].Cursor
}

// blueskyStream publishes n events from t0 on, a tenth of a second apart,
// of every kind Jetstream sends and some it should not, and returns the
// posts seismo must produce from them, by id.
func blueskyStream(js *sourcetest.Jetstream, t0 int64, n int, tag string) map[string]seismo.Post {
	want := map[string]seismo.Post{}
	created := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	var frames []sourcetest.Frame
	for i := range n {
		us := t0 + int64(i)*100_000
		did := fmt.Sprintf("did:plc:user%02d", i%9)
		rkey := fmt.Sprintf("3l%s%04d", tag, i)
		at := created.Add(time.Duration(i) * time.Second)
		switch i % 10 {
		case 0, 1, 2, 3, 4:
			text := fmt.Sprintf("whatsapp down again? post %s-%d", tag, i)
			lang := []string{"en", "pt-BR", "ar"}[i%3]
			frames = append(frames, sourcetest.BlueskyPost(us, did, rkey, text, at, lang))
			id := "at://" + did + "/app.bsky.feed.post/" + rkey
			want[id] = seismo.Post{ID: id, Text: text, CreatedAt: at, Source: "bluesky", Author: did,
				Lang: strings.SplitN(lang, "-", 2)[0], URL: "https://bsky.app/profile/" + did + "/post/" + rkey}
		case 5:
			frames = append(frames, sourcetest.Commit(us, did, "delete", "app.bsky.feed.post", rkey, nil))
		case 6:
			frames = append(frames, sourcetest.Commit(us, did, "create", "app.bsky.feed.like", rkey,
				map[string]any{"$type": "app.bsky.feed.like", "createdAt": at.Format(time.RFC3339)}))
		case 7:
			frames = append(frames, sourcetest.Identity(us, did), sourcetest.Account(us, did))
		case 8:
			// Posts that are no valid post: too long, image only, a
			// broken date, an update of an existing post.
			bad := []sourcetest.Frame{
				sourcetest.BlueskyPost(us, did, rkey, strings.Repeat("ok ", 4000), at),
				sourcetest.BlueskyPost(us, did, rkey, "", at),
				sourcetest.Commit(us, did, "create", "app.bsky.feed.post", rkey,
					map[string]any{"$type": "app.bsky.feed.post", "text": "when?", "createdAt": "yesterday"}),
				sourcetest.Commit(us, did, "update", "app.bsky.feed.post", rkey,
					map[string]any{"$type": "app.bsky.feed.post", "text": "edited", "createdAt": at.Format(time.RFC3339)}),
			}
			frames = append(frames, bad[(i/10)%len(bad)])
		case 9:
			// Frames that are not JSON, or JSON of no known kind.
			if i%20 == 9 {
				frames = append(frames, sourcetest.Frame{TimeUS: us, Data: []byte(`{"did":"did:plc:x","time_us":` + strconv.FormatInt(us, 10))})
			} else {
				frames = append(frames, sourcetest.Frame{TimeUS: us, Data: []byte(`{"did":"did:plc:x","time_us":` + strconv.FormatInt(us, 10) + `,"kind":"sync"}`)})
			}
		}
	}
	js.Publish(frames...)
	return want
}

func TestBluesky(t *testing.T) {
	addr := startBroker(t)
	js := sourcetest.NewJetstream()
	defer js.Close()
	reg := metrics.New()

	// First run: the stream drops after 23 frames and again after 41.
	const t0 = int64(1_765_000_000_000_000)
	want := blueskyStream(js, t0, 200, "a")
	js.DropAfter(23, 41)
	run, cursor := startBluesky(t, addr, []string{js.URL()}, reg)
	if cursor != "" {
		t.Fatalf("an empty topic gave cursor %q", cursor)
	}
	waitFor(t, addr, want)
	run.stop(t)

	// Second run: it resumes from the topic, after more was published.
	for id, p := range blueskyStream(js, t0+200*100_000, 100, "b") {
		want[id] = p
	}
	run, cursor = startBluesky(t, addr, []string{js.URL()}, reg)
	if cursor == "" {
		t.Fatal("the restart found no cursor on the topic")
	}
	recs := waitFor(t, addr, want)
	run.stop(t)

	conns := js.Connections()
	if len(conns) < 4 {
		t.Fatalf("%d connections, want at least 4 (two drops and a restart)", len(conns))
	}
	for i, q := range conns {
		if q.Get("wantedCollections") != "app.bsky.feed.post" {
			t.Errorf("connection %d asked for %q", i, q.Get("wantedCollections"))
		}
		if (i == 0) != (q.Get("cursor") == "") {
			t.Errorf("connection %d: cursor %q", i, q.Get("cursor"))
		}
	}
	// The restart asked for the newest cursor on the topic, rewound.
	restart := conns[len(conns)-1].Get("cursor")
	newest, _ := strconv.ParseInt(cursor, 10, 64)
	if c, _ := strconv.ParseInt(restart, 10, 64); c != newest-rewind.Microseconds() {
		t.Errorf("the restart resumed from %s, want the newest cursor %d less the rewind", restart, newest)
	}

	// Every valid post, exactly as mapped, nothing else; duplicates only
	// from the rewound windows that the reconnects and the restart read
	// again.
	var windows [][2]int64
	for _, q := range conns[1:] {
		c, _ := strconv.ParseInt(q.Get("cursor"), 10, 64)
		windows = append(windows, [2]int64{c, c + rewind.Microseconds()})
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
			p.URL != w.URL || p.Source != w.Source || p.Country != "" {
			t.Errorf("record %s:\n got %+v\nwant %+v", p.ID, p, w)
		}
		if r.headers[source.HeaderSource] != "bluesky" || r.headers[source.HeaderCursor] == "" {
			t.Errorf("record %s headers %v", p.ID, r.headers)
		}
		seen[p.ID]++
		if seen[p.ID] > 1 {
			us, _ := strconv.ParseInt(r.headers[source.HeaderCursor], 10, 64)
			inside := false
			for _, win := range windows {
				inside = inside || (us >= win[0] && us <= win[1])
			}
			if !inside {
				t.Errorf("record %s (time_us %d) came twice, outside every rewound window %v", p.ID, us, windows)
			}
		}
	}
	if len(seen) != len(want) {
		t.Errorf("%d distinct posts on the topic, want %d", len(seen), len(want))
	}
	t.Logf("%d records, %d distinct posts of %d valid, %d duplicates, all within the rewound windows of %d reconnections",
		len(recs), len(seen), len(want), len(recs)-len(seen), len(conns)-1)

	// What was skipped was counted, by reason.
	text := wantSkipped(t, reg, "bluesky", "malformed", "not_commit", "other_collection", "not_create", "invalid_post", "no_text")
	if !strings.Contains(text, `seismo_source_reconnects_total{source="bluesky"}`) {
		t.Error("no reconnect counted")
	}
}

// A Jetstream that refuses connections is passed over for the next one.
func TestBlueskyFailover(t *testing.T) {
	addr := startBroker(t)
	js := sourcetest.NewJetstream()
	defer js.Close()
	want := blueskyStream(js, 1_765_000_000_000_000, 30, "f")
	reg := metrics.New()
	run, _ := startBluesky(t, addr, []string{"ws://127.0.0.1:1/subscribe", js.URL()}, reg)
	waitFor(t, addr, want)
	run.stop(t)
	if n := len(js.Connections()); n != 1 {
		t.Errorf("%d connections to the working Jetstream, want 1", n)
	}
}

// wantSkipped checks that the metrics count skips of every reason, and
// returns them in the text format.
func wantSkipped(t *testing.T, reg *metrics.Registry, src string, reasons ...string) string {
	t.Helper()
	var text strings.Builder
	reg.WriteTo(&text)
	for _, reason := range reasons {
		if !strings.Contains(text.String(), `seismo_source_skipped_total{source="`+src+`",reason="`+reason+`"}`) {
			t.Errorf("no skipped count for %s", reason)
		}
	}
	return text.String()
}

// A frame larger than the reader accepts (from an instance that ignores
// maxMessageSizeBytes) fails the connection once; the next reads it, and
// the stream goes on past it.
func TestBlueskyOversizeFrame(t *testing.T) {
	addr := startBroker(t)
	js := sourcetest.NewJetstream()
	defer js.Close()
	const t0 = int64(1_765_000_000_000_000)
	created := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	want := map[string]seismo.Post{}
	for i := range 6 {
		text := fmt.Sprintf("instagram down? %d", i)
		if i == 3 {
			text = strings.Repeat("instagram down ", 600) // 9,000 bytes: a valid post in a 9 KB frame
		}
		rkey := fmt.Sprintf("3big%d", i)
		js.Publish(sourcetest.BlueskyPost(t0+int64(i)*1000, "did:plc:big", rkey, text, created))
		id := "at://did:plc:big/app.bsky.feed.post/" + rkey
		want[id] = seismo.Post{ID: id}
	}
	reg := metrics.New()
	m := source.NewMetrics(reg)
	j, err := source.NewJetstream(source.JetstreamConfig{URLs: []string{js.URL()}, MaxMessageBytes: 2000, Rewind: rewind, Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	p, err := source.NewProducer(source.ProducerConfig{Brokers: []string{addr}, Topic: topic, Source: source.BlueskySource, Split: j.Split, Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	run := &running{cancel: cancel, done: make(chan error, 1)}
	go func() { run.done <- source.Pipe(ctx, j, p, 10*time.Second) }()
	waitFor(t, addr, want)
	run.stop(t)
	wantSkipped(t, reg, "bluesky", "oversize_frame")
	if n := len(js.Connections()); n != 2 {
		t.Errorf("%d connections, want 2: the one the frame ended and the one that read it", n)
	}
}
