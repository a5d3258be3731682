package classify

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/internal/lines"
)

// lineError is the line written for an input line that is not a post.
type lineError struct {
	ID    string `json:"id,omitempty"`
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// looseP is the part of a post Lines needs. Unlike ingest, it does not
// require created_at: it judges text, so labelled sets without times
// can be classified.
type looseP struct {
	ID       string `json:"id"`
	Text     string `json:"text"`
	Lang     string `json:"lang"`
	Country  string `json:"country"`
	Location string `json:"location"`
}

func decodeLoose(line []byte) (seismo.Post, error) {
	if !utf8.Valid(line) {
		return seismo.Post{}, errors.New("invalid_utf8: line is not valid UTF-8")
	}
	if !seismo.ValidEscapes(line) {
		return seismo.Post{}, errors.New("invalid_utf8: line escapes a lone UTF-16 surrogate")
	}
	var l looseP
	if p, ok := seismo.ScanText(line); ok {
		l = looseP{ID: p.ID, Text: p.Text, Lang: p.Lang, Country: p.Country, Location: p.Location}
	} else if err := json.Unmarshal(line, &l); err != nil {
		return seismo.Post{}, fmt.Errorf("bad_json: %v", err)
	}
	p := seismo.Post{ID: l.ID, Text: l.Text, Lang: strings.ToLower(l.Lang), Country: strings.ToUpper(l.Country),
		Location: l.Location}
	switch {
	case strings.TrimSpace(p.Text) == "":
		return p, errors.New("missing_text: text is required")
	case len(p.Text) > seismo.MaxTextBytes:
		return p, fmt.Errorf("text_too_long: text is %d bytes, limit %d", len(p.Text), seismo.MaxTextBytes)
	}
	return p, nil
}

// Lines classifies Post JSON lines from in and writes one line to out for
// every line in, in input order: the Signal, or for a line that is not a
// post its number and why. It works in chunks, in parallel within a chunk.
func (cls *Classifier) Lines(ctx context.Context, in io.Reader, out io.Writer) error {
	const chunk = 2048
	lr := lines.NewReader(in, seismo.MaxPostBytes)
	w := bufio.NewWriterSize(out, 64<<10)
	type item struct {
		raw     []byte // the line, when it is not too long
		line    int
		tooLong bool
		out     []byte
		err     error // of encoding out
	}
	items := make([]item, 0, chunk)
	process := func(it *item) {
		var v any
		var post seismo.Post
		var err error
		if it.tooLong {
			err = fmt.Errorf("too_large: line is over %d bytes", seismo.MaxPostBytes)
		} else {
			post, err = decodeLoose(it.raw)
		}
		if err != nil {
			v = lineError{ID: post.ID, Line: it.line, Error: err.Error()}
		} else {
			v = cls.Classify(&post)
		}
		it.out, it.err = json.Marshal(v)
	}
	flush := func() error {
		// Decoding too runs here, in parallel: it was a third of the work
		// of the one goroutine that reads. A few workers take the items in
		// turn; a goroutine per item spent a tenth of the CPU growing new
		// stacks.
		var next atomic.Int64
		var wg sync.WaitGroup
		for range min(runtime.GOMAXPROCS(0), len(items)) {
			wg.Go(func() {
				for i := int(next.Add(1)) - 1; i < len(items); i = int(next.Add(1)) - 1 {
					process(&items[i])
				}
			})
		}
		wg.Wait()
		for _, it := range items {
			if it.err != nil {
				return it.err
			}
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
		it := item{line: n, tooLong: tooLong}
		if !tooLong {
			it.raw = bytes.Clone(line) // the reader reuses its buffer
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
