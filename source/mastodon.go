package source

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/seismo-dev/seismo"
)

// MastodonSource is the name Mastodon posts carry.
const MastodonSource = "mastodon"

// MastodonConfig says which Mastodon instances to read.
type MastodonConfig struct {
	// Instances are base addresses, https://mastodon.social.
	Instances []string
	// Local reads each instance's local timeline instead of its federated
	// one: only the posts of its own accounts.
	Local bool
	// Token is the bearer token most instances ask for.
	Token string
	// Cursors are, by instance, the status ids to catch up from at start
	// (ResumeCursor).
	Cursors map[string]string
	// CatchUpPages bounds a catch-up through the REST timeline, in pages
	// of 40 statuses read newest first, default 100: when a gap is longer,
	// its oldest part is what is missing.
	CatchUpPages int
	// Rewind widens every catch-up back in time, default 10 minutes. A
	// Mastodon id tells when a status was written, not when it reached the
	// instance: a status that federates late arrives with an id below ones
	// already read, and only a rewound catch-up reads it.
	Rewind time.Duration
	// IdleTimeout ends a stream that sent nothing, not even a heartbeat,
	// for that long, default 2 minutes.
	IdleTimeout time.Duration
	// RequestTimeout bounds a REST request and the wait for a stream's
	// response headers, default 20s.
	RequestTimeout time.Duration
	// MaxEventBytes is the largest event read from a stream, default 1 MiB.
	MaxEventBytes int
	// Client makes the requests; nil uses one with the timeouts above.
	Client  *http.Client
	Log     *slog.Logger
	Metrics *Metrics
}

// Mastodon reads public posts from Mastodon instances.
type Mastodon struct {
	cfg     MastodonConfig
	limiter *logLimiter
}

// NewMastodon checks cfg and returns a Mastodon reader.
func NewMastodon(cfg MastodonConfig) (*Mastodon, error) {
	if len(cfg.Instances) == 0 {
		return nil, errors.New("source: no Mastodon instance")
	}
	cfg.Instances = slices.Clone(cfg.Instances)
	for i, in := range cfg.Instances {
		u, err := url.Parse(in)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return nil, fmt.Errorf("source: instance %q: want https://host", in)
		}
		cfg.Instances[i] = u.Scheme + "://" + u.Host
	}
	if cfg.CatchUpPages <= 0 {
		cfg.CatchUpPages = 100
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 2 * time.Minute
	}
	if cfg.Rewind <= 0 {
		cfg.Rewind = 10 * time.Minute
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 20 * time.Second
	}
	if cfg.MaxEventBytes <= 0 {
		cfg.MaxEventBytes = 1 << 20
	}
	if cfg.Client == nil {
		// No Client.Timeout: it would end every stream. The dial, the TLS
		// handshake and the response headers are bounded instead, and
		// each request has its own deadline or idle watchdog.
		cfg.Client = &http.Client{Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: cfg.RequestTimeout,
			IdleConnTimeout:       90 * time.Second,
			MaxIdleConnsPerHost:   2,
		}}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Mastodon{cfg: cfg, limiter: newLogLimiter(10 * time.Second)}, nil
}

// Instances returns the instances read, as their streams are named in
// record headers: scheme and host.
func (m *Mastodon) Instances() []string { return slices.Clone(m.cfg.Instances) }

// Resume sets the status id each instance catches up from at start
// (ResumeCursor's Position.Resume, by instance). Call it before Run.
func (m *Mastodon) Resume(cursors map[string]string) { m.cfg.Cursors = cursors }

// Run reads every instance until ctx ends.
func (m *Mastodon) Run(ctx context.Context, p *Producer) error {
	var wg sync.WaitGroup
	for _, in := range m.cfg.Instances {
		wg.Go(func() { m.instance(ctx, in, p) })
	}
	wg.Wait()
	return nil
}

// instance reads one instance's stream, reconnecting with backoff; before
// reading a new connection it catches up from the newest status read,
// through the REST timeline.
func (m *Mastodon) instance(ctx context.Context, base string, p *Producer) {
	last := m.cfg.Cursors[base]
	for attempt, n := 0, 0; ; n++ {
		if n > 0 {
			m.cfg.Metrics.reconnect(MastodonSource)
		}
		read, err := m.session(ctx, base, &last, p)
		if ctx.Err() != nil {
			return
		}
		if read > 0 {
			attempt = 0
		}
		attempt++
		wait := backoff(attempt, time.Second, time.Minute)
		m.cfg.Log.Warn("mastodon stream ended, reconnecting", "instance", base, "events", read, "err", err, "wait", wait.Round(time.Millisecond))
		if !sleep(ctx, wait) {
			return
		}
	}
}

func (m *Mastodon) streamPath() string {
	if m.cfg.Local {
		return "/api/v1/streaming/public/local"
	}
	return "/api/v1/streaming/public"
}

func (m *Mastodon) authorize(req *http.Request) {
	if m.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+m.cfg.Token)
	}
	req.Header.Set("User-Agent", "seismo (outage detection from public posts)")
}

// session opens the stream, catches up from *last, then reads events
// until the stream fails. It returns how many events it read.
func (m *Mastodon) session(ctx context.Context, base string, last *string, p *Producer) (int, error) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(sctx, http.MethodGet, base+m.streamPath(), nil)
	if err != nil {
		return 0, err
	}
	m.authorize(req)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := m.cfg.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, httpError(resp)
	}
	m.cfg.Metrics.streamOpen(1)
	defer m.cfg.Metrics.streamOpen(-1)
	// The stream is open: what is posted from now on waits in it while
	// the catch-up reads what was posted before. Both may hold a status;
	// ingest counts a post id once.
	if *last != "" {
		if err := m.catchUp(ctx, base, last, p); err != nil {
			if ctx.Err() != nil {
				return 0, err
			}
			// The stream still works: read it, and count the gap.
			m.cfg.Metrics.gap(MastodonSource)
			m.cfg.Log.Warn("mastodon catch-up failed: statuses posted while disconnected are missing", "instance", base, "err", err)
		}
	}
	m.cfg.Log.Info("mastodon stream open", "instance", base, "since", *last)
	idle := time.AfterFunc(m.cfg.IdleTimeout, cancel)
	defer idle.Stop()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), m.cfg.MaxEventBytes)
	var event string
	var data bytes.Buffer
	read := 0
	for sc.Scan() {
		idle.Reset(m.cfg.IdleTimeout)
		line := sc.Bytes()
		switch {
		case len(line) == 0:
			if event != "" || data.Len() > 0 {
				read++
				if err := m.dispatch(ctx, base, event, data.Bytes(), last, p); err != nil {
					return read, err
				}
			}
			event = ""
			data.Reset()
		case line[0] == ':':
			// A heartbeat comment.
		default:
			field, value, _ := bytes.Cut(line, []byte(":"))
			value = bytes.TrimPrefix(value, []byte(" "))
			switch string(field) {
			case "event":
				event = string(value)
			case "data":
				if data.Len() > 0 {
					data.WriteByte('\n')
				}
				data.Write(value)
			}
		}
	}
	if sctx.Err() != nil && ctx.Err() == nil {
		// The watchdog ended the request: the read error only says so.
		return read, fmt.Errorf("no event or heartbeat for %s", m.cfg.IdleTimeout)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			m.cfg.Metrics.skipped(MastodonSource, "oversize_event")
		}
		return read, err
	}
	return read, io.ErrUnexpectedEOF
}

// dispatch handles one stream event. Only errors that end the session
// (ctx over) are returned.
func (m *Mastodon) dispatch(ctx context.Context, base, event string, data []byte, last *string, p *Producer) error {
	kind := event
	switch event {
	case "update", "delete", "status.update":
	default:
		kind = "other"
	}
	m.cfg.Metrics.event(MastodonSource, kind)
	if event != "update" {
		m.cfg.Metrics.skipped(MastodonSource, "not_update")
		return nil
	}
	var st mastodonStatus
	if err := json.Unmarshal(data, &st); err != nil {
		m.skip("malformed", "mastodon event skipped", "instance", base, "err", err)
		return nil
	}
	return m.send(ctx, base, &st, last, p)
}

// send turns a status into a post and sends it, moving *last forward.
func (m *Mastodon) send(ctx context.Context, base string, st *mastodonStatus, last *string, p *Producer) error {
	if st.ID == "" {
		m.skip("malformed", "mastodon status without an id", "instance", base)
		return nil
	}
	if cursorLess(*last, st.ID) {
		*last = st.ID
	}
	post, reason, err := st.post(base)
	if reason != "" {
		if err != nil {
			m.skip(reason, "mastodon status skipped", "instance", base, "id", st.ID, "err", err)
		} else {
			m.cfg.Metrics.skipped(MastodonSource, reason)
		}
		return nil
	}
	if t, err := time.Parse(time.RFC3339Nano, st.CreatedAt); err == nil {
		m.cfg.Metrics.lag(MastodonSource, time.Since(t))
	}
	return p.Send(ctx, post, base, st.ID)
}

func (m *Mastodon) skip(reason, msg string, args ...any) {
	m.cfg.Metrics.skipped(MastodonSource, reason)
	m.limiter.warn(m.cfg.Log, reason, msg, append(args, "reason", reason)...)
}

// catchUp reads the REST timeline from a little before *last (Rewind) to
// its newest status, newest page first so that a gap longer than
// CatchUpPages loses its oldest part, and sends it oldest first, as ingest
// wants event time to advance.
func (m *Mastodon) catchUp(ctx context.Context, base string, last *string, p *Producer) error {
	since := rewindID(*last, m.cfg.Rewind)
	var statuses []mastodonStatus
	maxID := ""
	complete := false
	for range m.cfg.CatchUpPages {
		q := url.Values{"since_id": {since}, "limit": {"40"}}
		if maxID != "" {
			q.Set("max_id", maxID)
		}
		if m.cfg.Local {
			q.Set("local", "true")
		}
		page, err := m.timeline(ctx, base+"/api/v1/timelines/public?"+q.Encode())
		if err != nil {
			return err
		}
		oldest := ""
		for _, st := range page {
			if st.ID != "" && (oldest == "" || cursorLess(st.ID, oldest)) {
				oldest = st.ID
			}
		}
		if oldest == "" || (maxID != "" && !cursorLess(oldest, maxID)) {
			complete = true // nothing older, or an instance that ignores max_id
			break
		}
		statuses = append(statuses, page...)
		maxID = oldest
	}
	if !complete {
		m.cfg.Metrics.gap(MastodonSource)
		m.cfg.Log.Warn("mastodon catch-up stopped at its page limit: the oldest statuses of the gap are missing",
			"instance", base, "pages", m.cfg.CatchUpPages, "since", since, "oldest_read", maxID)
	}
	slices.SortFunc(statuses, func(a, b mastodonStatus) int {
		switch {
		case cursorLess(a.ID, b.ID):
			return -1
		case cursorLess(b.ID, a.ID):
			return 1
		}
		return 0
	})
	for i := range statuses {
		if i > 0 && statuses[i].ID == statuses[i-1].ID {
			continue
		}
		if err := m.send(ctx, base, &statuses[i], last, p); err != nil {
			return err
		}
	}
	return nil
}

// rewindID moves a Mastodon status id back by d: its upper bits are the
// milliseconds of its creation. Ids of other servers' forms are kept.
func rewindID(id string, d time.Duration) string {
	n, err := strconv.ParseUint(id, 10, 64)
	back := uint64(d.Milliseconds()) << 16
	if err != nil || n <= back {
		return id
	}
	return strconv.FormatUint(n-back, 10)
}

func (m *Mastodon) timeline(ctx context.Context, u string) ([]mastodonStatus, error) {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	m.authorize(req)
	req.Header.Set("Accept", "application/json")
	resp, err := m.cfg.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, httpError(resp)
	}
	var out []mastodonStatus
	if err := json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(&out); err != nil {
		return nil, fmt.Errorf("decode the timeline: %w", err)
	}
	return out, nil
}

func httpError(resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	return fmt.Errorf("%s: %s: %s", resp.Request.URL.Redacted(), resp.Status, strings.TrimSpace(string(body)))
}

// mastodonStatus is the part of a Mastodon status seismo reads.
type mastodonStatus struct {
	ID          string          `json:"id"`
	URI         string          `json:"uri"`
	URL         *string         `json:"url"`
	CreatedAt   string          `json:"created_at"`
	Content     string          `json:"content"`
	SpoilerText string          `json:"spoiler_text"`
	Sensitive   bool            `json:"sensitive"`
	Language    *string         `json:"language"`
	Reblog      json.RawMessage `json:"reblog"`
	Account     struct {
		Acct   string `json:"acct"`
		Fields []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"fields"`
	} `json:"account"`
}

// locationLabels are the names people give the profile field that says
// where they are, lower-cased.
var locationLabels = map[string]bool{
	"location": true, "located in": true, "based in": true, "lives in": true, "where": true, "city": true, "country": true, "home": true, "place": true,
	"ort": true, "wohnort": true, "standort": true, "heimat": true, "lieu": true, "localisation": true, "ville": true, "pays": true,
	"ubicación": true, "ubicacion": true, "lugar": true, "ciudad": true, "país": true, "localização": true, "localizacao": true, "local": true, "cidade": true,
	"luogo": true, "città": true, "posizione": true, "konum": true, "şehir": true, "yer": true, "ülke": true,
	"الموقع": true, "موقع": true, "المكان": true, "مكان": true, "المدينة": true, "الدولة": true, "स्थान": true, "शहर": true, "देश": true,
	"📍": true, "🌍": true, "🌎": true, "🌏": true, "🏠": true, "🗺️": true,
}

// location is the account's declared location: the first profile field
// whose name says so. It is the account's own words, never checked.
func (st *mastodonStatus) location() string {
	for _, f := range st.Account.Fields {
		if locationLabels[strings.ToLower(strings.TrimSpace(htmlText(f.Name)))] {
			if v := htmlText(f.Value); v != "" && len(v) <= 200 {
				return v
			}
		}
	}
	return ""
}

// post maps a status to a post, or says why it is skipped: boosts (the
// boosted status arrives on its own), statuses marked sensitive, and
// statuses with no text (media only).
func (st *mastodonStatus) post(base string) (seismo.Post, string, error) {
	if len(st.Reblog) > 0 && string(st.Reblog) != "null" {
		return seismo.Post{}, "boost", nil
	}
	if st.Sensitive {
		return seismo.Post{}, "sensitive", nil
	}
	post := seismo.Post{ID: st.URI, Source: MastodonSource, Text: htmlText(st.Content)}
	if st.SpoilerText != "" {
		// A content warning is public text too, and may be all the
		// complaint says.
		post.Text = strings.TrimSpace(st.SpoilerText + "\n" + post.Text)
	}
	if strings.TrimSpace(post.Text) == "" {
		return seismo.Post{}, "no_text", nil
	}
	acct := st.Account.Acct
	if acct != "" && !strings.Contains(acct, "@") {
		// A local account: its acct has no domain.
		acct += "@" + strings.TrimPrefix(strings.TrimPrefix(base, "https://"), "http://")
	}
	post.Author = acct
	post.Location = st.location()
	if st.Language != nil {
		post.Lang = primaryLanguage(*st.Language)
	}
	if st.URL != nil {
		post.URL = *st.URL
	}
	if post.URL == "" {
		post.URL = st.URI
	}
	t, err := time.Parse(time.RFC3339Nano, st.CreatedAt)
	if err != nil {
		return seismo.Post{}, "invalid_post", fmt.Errorf("created_at %q", st.CreatedAt)
	}
	post.CreatedAt = t.UTC()
	if err := post.Validate(); err != nil {
		return seismo.Post{}, "invalid_post", err
	}
	return post, "", nil
}
