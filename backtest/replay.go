// Package backtest runs the detector over recorded traffic as fast as it
// can and scores what it finds. Posts are replayed in event time through
// classify, detect.Store and detect.Detector, the same code the live
// pipeline counts and detects with, so a replay of a stream gives the live
// run's incidents; a count series goes through the series detector instead.
// The incidents are scored against the truth of a simulated scenario, and
// series alerts against the labelled windows of the Numenta Anomaly
// Benchmark (package nab).
//
// A replay counts in the detect.Store its caller gives it; OpenStore opens
// one on an embedded Redis, or under a prefix of its own on a real one.
package backtest

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/classify"
	"github.com/seismo-dev/seismo/detect"
)

// Options configure a replay of posts. Classifier, Store and Config are
// required.
type Options struct {
	// Classifier classifies every post.
	Classifier *classify.Classifier
	// Store records the posts and keeps the detector's state. A replay
	// writes what the live pipeline writes, so its Redis or key prefix
	// should be its own.
	Store *detect.Store
	// Config configures the detector, as detect.DefaultConfig does.
	Config detect.Config
	// Flush is the event time to keep evaluating after the last post, so
	// that incidents still open can resolve.
	Flush time.Duration
	// Emit, if not nil, receives the events of each step in order as soon
	// as they are produced; an error from it ends the replay.
	Emit func([]seismo.Event) error
}

// EventLines returns an Options.Emit that writes each event to w as a JSON
// line.
func EventLines(w io.Writer) func([]seismo.Event) error {
	enc := json.NewEncoder(w)
	return func(events []seismo.Event) error {
		for _, ev := range events {
			if err := enc.Encode(ev); err != nil {
				return err
			}
		}
		return nil
	}
}

// Result is what a replay produced.
type Result struct {
	// Complaints and Recoveries count the posts classified as such (a
	// signal that counts, seismo.Signal.Counts), collateral complaints
	// left out as the detector leaves them out.
	Complaints, Recoveries int
	// Events is every incident event in order.
	Events []seismo.Event
	// Incidents is the last state of every incident, by id.
	Incidents map[string]seismo.Incident
}

// Replay runs posts through classify, record and detect in order of event
// time (posts need not be sorted; the slice is not modified), then lets
// event time run on for opt.Flush after the last post.
func Replay(ctx context.Context, posts []seismo.Post, opt Options) (*Result, error) {
	byTime := func(a, b seismo.Post) int { return a.CreatedAt.Compare(b.CreatedAt) }
	if !slices.IsSortedFunc(posts, byTime) {
		posts = slices.Clone(posts)
		slices.SortStableFunc(posts, byTime)
	}
	// The detector's log would only repeat what the events say.
	det, err := detect.NewDetector(opt.Store, opt.Config, opt.Classifier.Services(), slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	res := &Result{Incidents: map[string]seismo.Incident{}}
	record := func(events []seismo.Event) error {
		for _, ev := range events {
			res.Incidents[ev.Data.ID] = ev.Data
			res.Events = append(res.Events, ev)
		}
		if opt.Emit == nil {
			return nil
		}
		return opt.Emit(events)
	}
	if err := replay(ctx, posts, opt.Classifier, opt.Store, det, record, res); err != nil {
		return nil, err
	}
	if len(posts) > 0 {
		end := posts[len(posts)-1].CreatedAt.Add(opt.Flush)
		events, err := det.Advance(ctx, end)
		if err != nil {
			return nil, err
		}
		if err := record(events); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// replay feeds posts, sorted by event time, through classify → record →
// detect in chunks. After a chunk is recorded the watermark is the time of
// its last post: every earlier post is counted and every later one is newer.
func replay(ctx context.Context, posts []seismo.Post, cls *classify.Classifier, store *detect.Store,
	det *detect.Detector, emit func([]seismo.Event) error, res *Result) error {
	const chunk = 4096
	reports := make([]seismo.Report, 0, chunk)
	for start := 0; start < len(posts); start += chunk {
		batch := posts[start:min(start+chunk, len(posts))]
		reports = reports[:len(batch)]
		// A few workers take the posts in turn: a goroutine per post
		// spent much of its time growing a new stack.
		var next atomic.Int64
		var wg sync.WaitGroup
		for range min(runtime.GOMAXPROCS(0), len(batch)) {
			wg.Go(func() {
				for i := int(next.Add(1)) - 1; i < len(batch); i = int(next.Add(1)) - 1 {
					reports[i] = seismo.Report{Post: batch[i], Signal: cls.Classify(&batch[i])}
				}
			})
		}
		wg.Wait()
		for i := range reports {
			if s := &reports[i].Signal; s.Counts() && !s.Collateral {
				if s.Complaint {
					res.Complaints++
				} else {
					res.Recoveries++
				}
			}
		}
		if err := store.Record(ctx, reports); err != nil {
			return err
		}
		events, err := det.Advance(ctx, batch[len(batch)-1].CreatedAt)
		if err != nil {
			return err
		}
		if err := emit(events); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}
