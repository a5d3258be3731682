package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	lingua "github.com/pemistahl/lingua-go"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/internal/lines"
)

// peer is the classifier a team writes first, the yardstick of `seismo
// classify`: lingua-go's language of a post, a regular expression of the
// service names, and one of that language's outage words. It knows less
// than seismo's classifier and is not judged on what it finds, only on
// how fast it reads. In its plain form it asks lingua about every post;
// with matchFirst, only about posts that name a service, which is faster
// on a firehose.
type peer struct {
	services   *regexp.Regexp
	outage     map[lingua.Language]*regexp.Regexp
	detector   lingua.LanguageDetector
	matchFirst bool
}

// peerOutageWords are the outage phrases of each language the peer knows.
var peerOutageWords = map[lingua.Language][]string{
	lingua.English:    {"down", "not working", "outage", "broken", "can't log in", "won't load", "crashed", "crashing"},
	lingua.Italian:    {"down", "non funziona", "non va", "problemi", "bloccato", "in tilt"},
	lingua.French:     {"down", "en panne", "ne marche pas", "ne fonctionne pas", "bug", "plantage"},
	lingua.Spanish:    {"down", "caído", "caida", "no funciona", "se cayó", "falla"},
	lingua.Portuguese: {"down", "caiu", "fora do ar", "não funciona", "travado", "instável"},
	lingua.German:     {"down", "geht nicht", "funktioniert nicht", "ausgefallen", "störung"},
	lingua.Turkish:    {"down", "çöktü", "açılmıyor", "çalışmıyor", "erişim sorunu"},
	lingua.Arabic:     {"down", "واقف", "عطل", "لا يعمل", "مش شغال", "متوقف"},
	lingua.Hindi:      {"down", "नहीं चल रहा", "बंद है", "डाउन", "काम नहीं कर रहा"},
}

// newPeer builds the peer for the services' names and ids, with lingua-go
// set up as seismo's classifier sets it up: preloaded models, low accuracy.
func newPeer(services []seismo.Service, matchFirst bool) *peer {
	var names []string
	for _, s := range services {
		for _, n := range []string{s.Name, s.ID} {
			if len([]rune(n)) >= 3 {
				names = append(names, regexp.QuoteMeta(strings.ToLower(n)))
			}
		}
	}
	// Longest first, so that "instagram" wins over a shorter name it holds.
	sort.Slice(names, func(i, j int) bool { return len(names[i]) > len(names[j]) })
	p := &peer{services: regexp.MustCompile(`(?i)\b(` + strings.Join(names, "|") + `)\b`),
		outage: map[lingua.Language]*regexp.Regexp{}, matchFirst: matchFirst}
	var langs []lingua.Language
	for l, words := range peerOutageWords {
		langs = append(langs, l)
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = regexp.QuoteMeta(w)
		}
		p.outage[l] = regexp.MustCompile(`(?i)(` + strings.Join(quoted, "|") + `)`)
	}
	p.detector = lingua.NewLanguageDetectorBuilder().FromLanguages(langs...).WithPreloadedLanguageModels().WithLowAccuracyMode().Build()
	return p
}

// peerSignal is what the peer says of a post.
type peerSignal struct {
	ID        string `json:"id"`
	Service   string `json:"service,omitempty"`
	Lang      string `json:"lang,omitempty"`
	Complaint bool   `json:"complaint"`
}

func (p *peer) classify(post *seismo.Post) peerSignal {
	sig := peerSignal{ID: post.ID}
	var lang lingua.Language
	var known bool
	if !p.matchFirst {
		lang, known = p.detector.DetectLanguageOf(post.Text)
	}
	m := p.services.FindString(post.Text)
	if m == "" {
		return sig
	}
	sig.Service = strings.ToLower(m)
	if p.matchFirst {
		lang, known = p.detector.DetectLanguageOf(post.Text)
	}
	if !known {
		return sig
	}
	sig.Lang = strings.ToLower(lang.IsoCode639_1().String())
	sig.Complaint = p.outage[lang].MatchString(post.Text)
	return sig
}

// lines classifies the post JSON lines of in, decoded with encoding/json,
// in chunks, in parallel within a chunk, and writes a JSON line for each
// to out: the shape of `seismo classify`.
func (p *peer) lines(ctx context.Context, in io.Reader, out io.Writer) error {
	const chunk = 2048
	lr := lines.NewReader(in, seismo.MaxPostBytes)
	w := bufio.NewWriterSize(out, 64<<10)
	raw := make([][]byte, 0, chunk)
	outs := make([][]byte, chunk)
	flush := func() error {
		// A few workers take the lines in turn, as seismo classify's do.
		var next atomic.Int64
		var wg sync.WaitGroup
		errs := make([]error, runtime.GOMAXPROCS(0))
		for k := range min(len(errs), len(raw)) {
			wg.Go(func() {
				for i := int(next.Add(1)) - 1; i < len(raw); i = int(next.Add(1)) - 1 {
					var post seismo.Post
					if err := json.Unmarshal(raw[i], &post); err != nil {
						outs[i] = []byte(`{"error":"bad_json"}`)
						continue
					}
					b, err := json.Marshal(p.classify(&post))
					outs[i] = b
					if err != nil && errs[k] == nil {
						errs[k] = err
					}
				}
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return err
		}
		for i := range raw {
			w.Write(outs[i])
			w.WriteByte('\n')
		}
		raw = raw[:0]
		return ctx.Err()
	}
	for {
		line, _, _, err := lr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		raw = append(raw, append([]byte(nil), line...))
		if len(raw) == chunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	return w.Flush()
}
