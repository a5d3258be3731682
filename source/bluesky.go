package source

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/seismo-dev/seismo"
)

// BlueskySource is the name bluesky posts carry.
const BlueskySource = "bluesky"

// DefaultJetstreamURLs returns Bluesky's public Jetstream instances.
func DefaultJetstreamURLs() []string {
	return []string{
		"wss://jetstream2.us-east.bsky.network/subscribe",
		"wss://jetstream1.us-east.bsky.network/subscribe",
		"wss://jetstream1.us-west.bsky.network/subscribe",
		"wss://jetstream2.us-west.bsky.network/subscribe",
	}
}

// postCollection is the collection of Bluesky posts.
const postCollection = "app.bsky.feed.post"

// JetstreamConfig says where to read Bluesky's posts.
type JetstreamConfig struct {
	// URLs are Jetstream subscribe endpoints, tried in turn: a failed
	// connection moves to the next.
	URLs []string
	// Cursor is the newest time_us on the topic (ResumeCursor's
	// Position.Cursor); empty starts at the live end.
	Cursor string
	// Rewind is subtracted from every resume cursor, default 5s. It covers
	// the batch that a crash may have left half-written (the producer
	// keeps each batch within half of it, Split) and the small skew
	// between Jetstream instances, as Jetstream asks for gapless playback.
	Rewind time.Duration
	// MaxMessageBytes is the largest frame Jetstream is asked to send,
	// default 1 MiB. The reader accepts twice that, and more after a frame
	// that did not fit (an instance that ignores the request), up to 64 MiB.
	MaxMessageBytes int64
	// IdleTimeout ends a connection that sent nothing for that long,
	// default 1 minute: the firehose is never quiet that long.
	IdleTimeout time.Duration
	// DialTimeout bounds one connection attempt, default 15s.
	DialTimeout time.Duration
	Log         *slog.Logger
	Metrics     *Metrics
}

// Jetstream reads Bluesky posts from Jetstream.
type Jetstream struct {
	cfg     JetstreamConfig
	limiter *logLimiter
	// cursor is the time_us of the newest event read; only Run touches it.
	cursor int64
	// readLimit is the largest frame a connection reads; it grows when a
	// frame did not fit, so that the next connection reads that frame
	// (and skips it as no valid post) instead of failing on it forever.
	readLimit int64
}

// maxReadLimit bounds how far readLimit grows.
const maxReadLimit = 64 << 20

// NewJetstream checks cfg and returns a Jetstream reader.
func NewJetstream(cfg JetstreamConfig) (*Jetstream, error) {
	if len(cfg.URLs) == 0 {
		cfg.URLs = DefaultJetstreamURLs()
	}
	for _, u := range cfg.URLs {
		pu, err := url.Parse(u)
		if err != nil || (pu.Scheme != "ws" && pu.Scheme != "wss") || pu.Host == "" {
			return nil, fmt.Errorf("source: jetstream url %q: want ws:// or wss://host/subscribe", u)
		}
	}
	if cfg.Rewind <= 0 {
		cfg.Rewind = 5 * time.Second
	}
	if cfg.MaxMessageBytes <= 0 {
		cfg.MaxMessageBytes = 1 << 20
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = time.Minute
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = 15 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	j := &Jetstream{cfg: cfg, limiter: newLogLimiter(10 * time.Second), readLimit: 2 * cfg.MaxMessageBytes}
	if cfg.Cursor != "" {
		us, err := strconv.ParseInt(cfg.Cursor, 10, 64)
		if err != nil || us < 0 {
			return nil, fmt.Errorf("source: jetstream cursor %q is not a time in microseconds", cfg.Cursor)
		}
		j.cursor = us
	}
	return j, nil
}

// Split keeps a producer's batch within half the rewind of stream time, so
// that a restart from the newest cursor on the topic, rewound, reads again
// whatever a crash left unwritten.
func (j *Jetstream) Split(first, next string) bool {
	a, err1 := strconv.ParseInt(first, 10, 64)
	b, err2 := strconv.ParseInt(next, 10, 64)
	return err1 == nil && err2 == nil && b-a >= j.cfg.Rewind.Microseconds()/2
}

// Run reads the stream and sends every post to p until ctx ends,
// reconnecting with backoff and moving between the URLs on failure.
func (j *Jetstream) Run(ctx context.Context, p *Producer) error {
	for attempt, n := 0, 0; ; n++ {
		u := j.cfg.URLs[n%len(j.cfg.URLs)]
		if n > 0 {
			j.cfg.Metrics.reconnect(BlueskySource)
		}
		read, err := j.session(ctx, u, p)
		if ctx.Err() != nil {
			return nil
		}
		if read > 0 {
			attempt = 0 // it worked for a while: start the backoff again
		}
		attempt++
		wait := backoff(attempt, 500*time.Millisecond, 30*time.Second)
		j.cfg.Log.Warn("jetstream connection ended, reconnecting", "url", u, "events", read, "err", err, "wait", wait.Round(time.Millisecond))
		if !sleep(ctx, wait) {
			return nil
		}
	}
}

// subscribeURL adds the collection filter, the frame limit and the
// rewound cursor to a subscribe URL.
func (j *Jetstream) subscribeURL(base string) string {
	u, _ := url.Parse(base) // checked in NewJetstream
	q := u.Query()
	q.Set("wantedCollections", postCollection)
	q.Set("maxMessageSizeBytes", strconv.FormatInt(j.cfg.MaxMessageBytes, 10))
	if j.cursor > 0 {
		q.Set("cursor", strconv.FormatInt(max(j.cursor-j.cfg.Rewind.Microseconds(), 1), 10))
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// session reads one connection until it fails, and returns how many
// events it read.
func (j *Jetstream) session(ctx context.Context, base string, p *Producer) (int, error) {
	dctx, cancel := context.WithTimeout(ctx, j.cfg.DialTimeout)
	conn, _, err := websocket.Dial(dctx, j.subscribeURL(base), nil)
	cancel()
	if err != nil {
		return 0, err
	}
	defer conn.CloseNow()
	conn.SetReadLimit(j.readLimit)
	j.cfg.Metrics.streamOpen(1)
	defer j.cfg.Metrics.streamOpen(-1)
	j.cfg.Log.Info("jetstream connected", "url", base, "cursor", j.cursor)
	read := 0
	for {
		rctx, cancel := context.WithTimeout(ctx, j.cfg.IdleTimeout)
		typ, data, err := conn.Read(rctx)
		cancel()
		if err != nil {
			if errors.Is(err, websocket.ErrMessageTooBig) {
				j.cfg.Metrics.skipped(BlueskySource, "oversize_frame")
				j.readLimit = min(4*j.readLimit, maxReadLimit)
			}
			return read, err
		}
		read++
		if typ != websocket.MessageText {
			j.skip("binary_frame", "jetstream sent a binary frame", "bytes", len(data))
			continue
		}
		post, us, err := j.decode(data)
		if us > j.cursor {
			j.cursor = us
			j.cfg.Metrics.lag(BlueskySource, time.Since(time.UnixMicro(us)))
		}
		if err != nil {
			var s skip
			if errors.As(err, &s) {
				j.skip(s.reason, "jetstream event skipped", "detail", s.detail)
			}
			continue
		}
		if err := p.Send(ctx, post, "", formatMicros(us)); err != nil {
			return read, err
		}
	}
}

func (j *Jetstream) skip(reason, msg string, args ...any) {
	j.cfg.Metrics.skipped(BlueskySource, reason)
	if reason == "malformed" || reason == "invalid_post" || reason == "binary_frame" {
		j.limiter.warn(j.cfg.Log, reason, msg, append(args, "reason", reason)...)
	}
}

// skip is why an event gave no post.
type skip struct{ reason, detail string }

func (s skip) Error() string { return s.reason + ": " + s.detail }

// jetstreamEvent is the part of a Jetstream event seismo reads.
type jetstreamEvent struct {
	DID    string `json:"did"`
	TimeUS int64  `json:"time_us"`
	Kind   string `json:"kind"`
	Commit *struct {
		Operation  string          `json:"operation"`
		Collection string          `json:"collection"`
		RKey       string          `json:"rkey"`
		Record     json.RawMessage `json:"record"`
	} `json:"commit"`
}

type blueskyPost struct {
	Type      string   `json:"$type"`
	Text      *string  `json:"text"`
	CreatedAt string   `json:"createdAt"`
	Langs     []string `json:"langs"`
}

// decode turns one frame into a post. It returns the event's time_us
// whenever the frame has one, and a skip error for every event that is
// not a new post.
func (j *Jetstream) decode(data []byte) (seismo.Post, int64, error) {
	var ev jetstreamEvent
	if err := json.Unmarshal(data, &ev); err != nil {
		return seismo.Post{}, 0, skip{"malformed", err.Error()}
	}
	kind := ev.Kind
	if kind != "commit" && kind != "identity" && kind != "account" {
		kind = "other"
	}
	j.cfg.Metrics.event(BlueskySource, kind)
	switch {
	case ev.TimeUS <= 0:
		return seismo.Post{}, 0, skip{"malformed", "no time_us"}
	case ev.Kind != "commit":
		return seismo.Post{}, ev.TimeUS, skip{"not_commit", ev.Kind}
	case ev.Commit == nil:
		return seismo.Post{}, ev.TimeUS, skip{"malformed", "commit event without commit"}
	case ev.Commit.Collection != postCollection:
		return seismo.Post{}, ev.TimeUS, skip{"other_collection", ev.Commit.Collection}
	case ev.Commit.Operation != "create":
		return seismo.Post{}, ev.TimeUS, skip{"not_create", ev.Commit.Operation}
	case !strings.HasPrefix(ev.DID, "did:") || ev.Commit.RKey == "" || strings.ContainsAny(ev.Commit.RKey, "/?#"):
		return seismo.Post{}, ev.TimeUS, skip{"malformed", "bad did or rkey"}
	}
	var rec blueskyPost
	if err := json.Unmarshal(ev.Commit.Record, &rec); err != nil {
		return seismo.Post{}, ev.TimeUS, skip{"invalid_post", "record: " + err.Error()}
	}
	if rec.Type != "" && rec.Type != postCollection {
		return seismo.Post{}, ev.TimeUS, skip{"invalid_post", "record type " + rec.Type}
	}
	post := seismo.Post{
		ID:     "at://" + ev.DID + "/" + postCollection + "/" + ev.Commit.RKey,
		Author: ev.DID,
		Source: BlueskySource,
		URL:    "https://bsky.app/profile/" + ev.DID + "/post/" + ev.Commit.RKey,
	}
	if rec.Text != nil {
		post.Text = *rec.Text
	}
	if strings.TrimSpace(post.Text) == "" {
		// Image-only posts: common and not worth a warning.
		return seismo.Post{}, ev.TimeUS, skip{"no_text", ""}
	}
	if len(rec.Langs) > 0 {
		post.Lang = primaryLanguage(rec.Langs[0])
	}
	t, err := time.Parse(time.RFC3339Nano, rec.CreatedAt)
	if err != nil {
		return seismo.Post{}, ev.TimeUS, skip{"invalid_post", fmt.Sprintf("createdAt %q", rec.CreatedAt)}
	}
	post.CreatedAt = t.UTC()
	if err := post.Validate(); err != nil {
		return seismo.Post{}, ev.TimeUS, skip{"invalid_post", err.Error()}
	}
	return post, ev.TimeUS, nil
}

// primaryLanguage keeps the language of a BCP 47 tag: "pt-BR" is "pt".
func primaryLanguage(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	if len(tag) > 8 {
		return ""
	}
	return tag
}
