package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"sort"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/classify"
	"github.com/seismo-dev/seismo/detect"
	"github.com/seismo-dev/seismo/internal/lines"
	"github.com/seismo-dev/seismo/simulate"
)

func runBacktest(ctx context.Context, args []string, sio stdio) error {
	fs := newFlagSet("backtest", "backtest --posts FILE [--truth FILE] [flags] > events.jsonl\n       seismo backtest --series FILE.csv > alerts.csv", sio.err)
	postsFile := fs.String("posts", "", "file of Post JSON lines (- for standard input); posts need not be sorted")
	seriesFile := fs.String("series", "", "CSV file with header timestamp,value (- for standard input): run the detector on one count series\nand write timestamp,value,alert to stdout instead of reading posts")
	truthFile := fs.String("truth", "", "truth file written by seismo simulate: score the incidents against it")
	var knobs knobFlags
	fs.Var(&knobs, "knob", knobUsage+"\n(the defaults are detect.DefaultConfig for posts, detect.SeriesConfig for --series)")
	redisAddr := fs.String("redis-addr", "", "Redis to count in (keys get a unique prefix and expire); empty: embedded in-process Redis,\nwhose HyperLogLog estimates differ slightly from redis-server's above about a hundred reporters")
	flush := fs.Duration("flush", time.Hour, "event time to keep evaluating after the last post, so open incidents can resolve")
	reporterKey := fs.String("reporter-key", "", "secret key for hashing authors, as seismo run's --reporter-key (default random): with the\nsame key the distinct-reporter counts, and so the incidents, are those of the live pipeline")
	var cf classifierFlags
	cf.register(fs)
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	switch {
	case *seriesFile != "" && *postsFile != "":
		return fmt.Errorf("%w: --posts and --series exclude each other", errUsage)
	case *seriesFile != "":
		cfg, err := knobs.detectConfig(detect.SeriesConfig())
		if err != nil {
			return err
		}
		return runSeriesBacktest(ctx, *seriesFile, cfg, sio)
	case *postsFile == "":
		return fmt.Errorf("%w: --posts or --series is required", errUsage)
	}
	dcfg, err := knobs.detectConfig(detect.DefaultConfig())
	if err != nil {
		return err
	}
	if *flush < 0 {
		return fmt.Errorf("%w: --flush must not be negative", errUsage)
	}
	var truth *simulate.Truth
	if *truthFile != "" {
		t, err := readTruth(*truthFile)
		if err != nil {
			return err
		}
		truth = t
	}
	in, err := openInput(*postsFile, sio.in)
	if err != nil {
		return err
	}
	defer in.Close()
	posts, rejected, err := readPosts(in, sio.err)
	if err != nil {
		return err
	}
	cls, err := cf.build()
	if err != nil {
		return err
	}

	var rdb redis.UniversalClient
	prefix := "seismo"
	if *redisAddr != "" {
		rdb = redis.NewClient(&redis.Options{Addr: *redisAddr, DialTimeout: 5 * time.Second,
			ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second})
		// A unique prefix keeps a backtest from touching live data.
		prefix = "seismo-backtest-" + randomHex(4)
	} else {
		mr, client, err := embeddedRedis()
		if err != nil {
			return err
		}
		defer mr.Close()
		rdb = client
	}
	defer rdb.Close()

	out := bufio.NewWriter(sio.out)
	defer out.Flush()
	enc := json.NewEncoder(out)
	sum := backtestSummary{posts: len(posts) + rejected.total(), rejected: rejected, incidents: map[string]seismo.Incident{}}
	emit := func(events []seismo.Event) error {
		for _, ev := range events {
			if err := enc.Encode(ev); err != nil {
				return err
			}
		}
		return nil
	}
	key := []byte(*reporterKey)
	if len(key) == 0 {
		key = []byte(randomHex(32))
	}
	if err := detectPosts(ctx, posts, cls, dcfg, rdb, prefix, key, *flush, emit, &sum); err != nil {
		return err
	}
	if err := out.Flush(); err != nil {
		return err
	}
	sum.write(sio.err)
	if truth != nil {
		writeScore(sio.err, truth, simulate.Score(truth, sum.log))
	}
	return nil
}

// detectPosts runs posts, sorted by event time, through classify, record
// and detect on rdb under prefix, hashing authors with reporterKey, then
// lets event time run on for flush after the last post. Every event goes to
// emit and into sum, in order.
func detectPosts(ctx context.Context, posts []seismo.Post, cls *classify.Classifier, cfg detect.Config, rdb redis.UniversalClient,
	prefix string, reporterKey []byte, flush time.Duration, emit func([]seismo.Event) error, sum *backtestSummary) error {
	store, err := detect.NewStore(rdb, detect.StoreConfig{Prefix: prefix, ReporterKey: reporterKey})
	if err != nil {
		return err
	}
	det, err := detect.NewDetector(store, cfg, cls.Services(), discardLogger())
	if err != nil {
		return err
	}
	if sum.incidents == nil {
		sum.incidents = map[string]seismo.Incident{}
	}
	record := func(events []seismo.Event) error {
		for _, ev := range events {
			sum.events++
			sum.incidents[ev.Data.ID] = ev.Data
			sum.log = append(sum.log, ev)
		}
		return emit(events)
	}
	if err := replay(ctx, posts, cls, store, det, record, sum); err != nil {
		return err
	}
	if len(posts) > 0 {
		end := posts[len(posts)-1].CreatedAt.Add(flush)
		events, err := det.Advance(ctx, end)
		if err != nil {
			return err
		}
		if err := record(events); err != nil {
			return err
		}
	}
	return nil
}

// replay feeds posts, sorted by event time, through classify → record →
// detect in chunks. After a chunk is recorded the watermark is the time of
// its last post: every earlier post is counted and every later one is newer.
func replay(ctx context.Context, posts []seismo.Post, cls *classify.Classifier, store *detect.Store,
	det *detect.Detector, emit func([]seismo.Event) error, sum *backtestSummary) error {
	const chunk = 4096
	reports := make([]seismo.Report, 0, chunk)
	for start := 0; start < len(posts); start += chunk {
		batch := posts[start:min(start+chunk, len(posts))]
		reports = reports[:len(batch)]
		g, _ := errgroup.WithContext(ctx)
		g.SetLimit(runtime.GOMAXPROCS(0))
		for i := range batch {
			g.Go(func() error {
				reports[i] = seismo.Report{Post: batch[i], Signal: cls.Classify(&batch[i])}
				return nil
			})
		}
		_ = g.Wait()
		for i := range reports {
			if s := &reports[i].Signal; s.Counts() {
				if s.Complaint {
					sum.complaints++
				} else {
					sum.recoveries++
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

// rejections counts invalid input lines by reason.
type rejections map[seismo.Reason]int

func (r rejections) total() int {
	n := 0
	for _, v := range r {
		n += v
	}
	return n
}

// readPosts decodes and validates every line; invalid lines are counted and
// the first few reported with their line numbers.
func readPosts(in io.Reader, errw io.Writer) ([]seismo.Post, rejections, error) {
	const showFirst = 5
	lr := lines.NewReader(in, seismo.MaxPostBytes)
	var posts []seismo.Post
	rej := rejections{}
	for {
		line, n, tooLong, err := lr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("read posts: %w", err)
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
			reason := seismo.RejectReason(err)
			rej[reason]++
			if rej.total() <= showFirst {
				fmt.Fprintf(errw, "line %d: %v\n", n, err)
			}
			continue
		}
		posts = append(posts, p)
	}
	sort.SliceStable(posts, func(i, j int) bool { return posts[i].CreatedAt.Before(posts[j].CreatedAt) })
	return posts, rej, nil
}

type backtestSummary struct {
	posts                  int
	rejected               rejections
	complaints, recoveries int
	events                 int
	incidents              map[string]seismo.Incident
	// log is every event in order, for latencies and scoring.
	log []seismo.Event
}

func (s *backtestSummary) write(w io.Writer) {
	fmt.Fprintf(w, "backtest: %d posts, %d invalid", s.posts, s.rejected.total())
	if len(s.rejected) > 0 {
		reasons := make([]string, 0, len(s.rejected))
		for r := range s.rejected {
			reasons = append(reasons, string(r))
		}
		sort.Strings(reasons)
		fmt.Fprint(w, " (")
		for i, r := range reasons {
			if i > 0 {
				fmt.Fprint(w, ", ")
			}
			fmt.Fprintf(w, "%s %d", r, s.rejected[seismo.Reason(r)])
		}
		fmt.Fprint(w, ")")
	}
	fmt.Fprintf(w, "; %d complaints and %d recoveries counted; %d events, %d incidents\n",
		s.complaints, s.recoveries, s.events, len(s.incidents))
	if n := s.rejected[seismo.ReasonMissingTime]; n > 0 && n == s.posts {
		fmt.Fprintln(w, "backtest: no post has a created_at; detection runs in event time and needs one."+
			" To judge posts without times, use seismo classify.")
	}
	ids := make([]string, 0, len(s.incidents))
	for id := range s.incidents {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	opened := openedAt(s.log)
	for _, id := range ids {
		in := s.incidents[id]
		fmt.Fprintf(w, "  %s %s %s started %s", in.ID, in.Status, in.Severity, in.StartedAt.Format(time.RFC3339))
		if at, ok := opened[id]; ok {
			fmt.Fprintf(w, " opened %s (%s after start)", at.Format(time.RFC3339), at.Sub(in.StartedAt))
		}
		if in.ResolvedAt != nil {
			fmt.Fprintf(w, " resolved %s", in.ResolvedAt.Format(time.RFC3339))
		}
		fmt.Fprint(w, " countries")
		for _, c := range in.Countries {
			fmt.Fprintf(w, " %s(%d)", c.Country, c.Reporters)
		}
		fmt.Fprintln(w)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
