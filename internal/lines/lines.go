// Package lines reads newline-separated records with a bound on their
// length, for the commands that read posts as JSON lines.
package lines

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// Reader reads newline-separated records with a bound on their length, so
// one huge line cannot exhaust memory: the rest of an overlong line is
// skipped and reported.
type Reader struct {
	r    *bufio.Reader
	max  int
	line int
}

// NewReader returns a Reader of r whose lines hold at most max bytes
// without their newline.
func NewReader(r io.Reader, max int) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, 64<<10), max: max}
}

// Next returns the next line without its newline and its 1-based number.
// tooLong reports a line over the limit (its content is dropped). At the end
// it returns io.EOF.
func (lr *Reader) Next() (line []byte, n int, tooLong bool, err error) {
	var buf []byte
	for {
		chunk, err := lr.r.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(chunk) > lr.max+1 { // +1 for the newline
				tooLong, buf = true, nil
			} else {
				buf = append(buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && (err != io.EOF || (len(buf) == 0 && !tooLong)) {
			return nil, lr.line, false, err
		}
		lr.line++
		return bytes.TrimRight(buf, "\r\n"), lr.line, tooLong, nil
	}
}
