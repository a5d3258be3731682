package outcome

import (
	"math/rand/v2"
	"os"
	"time"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/simulate"
)

// Stream returns the posts of the scenario file at path in the order these
// tests produce them: by event time, each created_at moved by up to 10s
// either way by a generator seeded with seed (disorder within the default
// lateness, 30s, as a real stream's clocks give), and a last quiet post two
// hours after the rest so that every run evaluates past the end of the
// outages. The last post's seconds are past the lateness, so the live
// watermark (its time minus 30s) and the backtest's (its time) end at the
// same minute.
func Stream(path string, seed uint64) ([]seismo.Post, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sc, err := simulate.Parse(data)
	if err != nil {
		return nil, err
	}
	var posts []seismo.Post
	if err := sc.Generate(func(p seismo.Post) error { posts = append(posts, p); return nil }); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, seed+1))
	for i := range posts {
		posts[i].CreatedAt = posts[i].CreatedAt.Add(time.Duration(rng.IntN(20_001)-10_000) * time.Millisecond)
	}
	last := posts[len(posts)-1].CreatedAt.Add(2 * time.Hour).Truncate(time.Minute).Add(45 * time.Second)
	return append(posts, seismo.Post{ID: "last", Text: "good night everyone", CreatedAt: last,
		Source: "test", Author: "last", Country: "GB"}), nil
}

// Span is the range of minutes an outcome of posts is read over: from the
// start of the first post's day to an hour past the last post.
func Span(posts []seismo.Post) (from, to time.Time) {
	return posts[0].CreatedAt.Truncate(24 * time.Hour), posts[len(posts)-1].CreatedAt.Add(time.Hour)
}
