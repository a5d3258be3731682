package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"unicode/utf8"

	"golang.org/x/sync/errgroup"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/classify"
	"github.com/seismo-dev/seismo/internal/lines"
)

// classifierFlags configure the classifier for every command that builds one.
type classifierFlags struct {
	languages string
	catalog   string
}

func (c *classifierFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.languages, "languages", strings.Join(classify.DefaultLanguages, ","),
		"languages to identify, ISO 639-1 codes, comma-separated")
	fs.StringVar(&c.catalog, "catalog", "", "service catalog file to use instead of the built-in one")
}

func (c *classifierFlags) build() (*classify.Classifier, error) {
	cfg := classify.Config{Languages: list(c.languages)}
	if c.catalog != "" {
		b, err := os.ReadFile(c.catalog)
		if err != nil {
			return nil, fmt.Errorf("read catalog: %w", err)
		}
		cfg.Catalog = b
	}
	cls, err := classify.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	return cls, nil
}

// classifyError is the line written for an input line that is not a post.
type classifyError struct {
	ID    string `json:"id,omitempty"`
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// looseP is the part of a post classify needs. Unlike ingest, classify does
// not require created_at: it judges text, so labelled sets without times
// can be classified.
type looseP struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	Lang    string `json:"lang"`
	Country string `json:"country"`
}

func decodeLoose(line []byte) (seismo.Post, error) {
	if !utf8.Valid(line) {
		return seismo.Post{}, errors.New("invalid_utf8: line is not valid UTF-8")
	}
	var l looseP
	if err := json.Unmarshal(line, &l); err != nil {
		return seismo.Post{}, fmt.Errorf("bad_json: %v", err)
	}
	p := seismo.Post{ID: l.ID, Text: l.Text, Lang: strings.ToLower(l.Lang), Country: strings.ToUpper(l.Country)}
	switch {
	case strings.TrimSpace(p.Text) == "":
		return p, errors.New("missing_text: text is required")
	case len(p.Text) > seismo.MaxTextBytes:
		return p, fmt.Errorf("text_too_long: text is %d bytes, limit %d", len(p.Text), seismo.MaxTextBytes)
	}
	return p, nil
}

func runClassify(ctx context.Context, args []string, sio stdio) error {
	fs := newFlagSet("classify", "classify [flags] < posts.jsonl > signals.jsonl", sio.err)
	var cf classifierFlags
	cf.register(fs)
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	cls, err := cf.build()
	if err != nil {
		return err
	}
	return classifyStream(ctx, cls, sio.in, sio.out)
}

// classifyStream classifies in chunks, in parallel within a chunk, and writes
// results in input order.
func classifyStream(ctx context.Context, cls *classify.Classifier, in io.Reader, out io.Writer) error {
	const chunk = 2048
	lr := lines.NewReader(in, seismo.MaxPostBytes)
	w := bufio.NewWriterSize(out, 64<<10)
	type item struct {
		post seismo.Post
		line int
		err  error
		out  []byte
	}
	items := make([]item, 0, chunk)
	flush := func() error {
		g, _ := errgroup.WithContext(ctx)
		g.SetLimit(runtime.GOMAXPROCS(0))
		for i := range items {
			g.Go(func() error {
				it := &items[i]
				var v any
				if it.err != nil {
					v = classifyError{ID: it.post.ID, Line: it.line, Error: it.err.Error()}
				} else {
					v = cls.Classify(&it.post)
				}
				b, err := json.Marshal(v)
				it.out = b
				return err
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
		for _, it := range items {
			w.Write(it.out)
			w.WriteByte('\n')
		}
		items = items[:0]
		return ctx.Err()
	}
	for {
		line, n, tooLong, err := lr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("read input: %w", err)
		}
		it := item{line: n}
		if tooLong {
			it.err = fmt.Errorf("too_large: line is over %d bytes", seismo.MaxPostBytes)
		} else {
			it.post, it.err = decodeLoose(line)
		}
		items = append(items, it)
		if len(items) == chunk {
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
