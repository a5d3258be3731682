package backtest

import (
	"fmt"
	"io"
	"sort"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/internal/lines"
)

// Input is a file of posts read for a replay.
type Input struct {
	// Posts are the valid posts, stably sorted by event time.
	Posts []seismo.Post
	// Rejected counts the invalid lines by reason.
	Rejected Rejections
}

// Rejections counts invalid input lines by reason.
type Rejections map[seismo.Reason]int

// Total returns the number of invalid lines.
func (r Rejections) Total() int {
	n := 0
	for _, v := range r {
		n += v
	}
	return n
}

// ReadPosts reads Post JSON lines and checks each as ingest does
// (seismo.DecodePost, at most seismo.MaxPostBytes a line); empty lines are
// skipped. An invalid line is counted by reason and, so that its author can
// find it, passed to invalid (if not nil) with its 1-based number.
func ReadPosts(r io.Reader, invalid func(line int, err error)) (*Input, error) {
	lr := lines.NewReader(r, seismo.MaxPostBytes)
	in := &Input{Rejected: Rejections{}}
	for {
		line, n, tooLong, err := lr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read posts: %w", err)
		}
		if len(line) == 0 && !tooLong {
			continue
		}
		var p seismo.Post
		if tooLong {
			err = &seismo.InvalidPostError{Reason: seismo.ReasonTooLarge, Detail: "line too long"}
		} else {
			p, err = seismo.DecodePost(line)
		}
		if err != nil {
			in.Rejected[seismo.RejectReason(err)]++
			if invalid != nil {
				invalid(n, err)
			}
			continue
		}
		in.Posts = append(in.Posts, p)
	}
	sort.SliceStable(in.Posts, func(i, j int) bool { return in.Posts[i].CreatedAt.Before(in.Posts[j].CreatedAt) })
	return in, nil
}
