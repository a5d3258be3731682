package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/broker"
	"github.com/seismo-dev/seismo/ingest"
	"github.com/seismo-dev/seismo/simulate"
)

// SoakOptions say how to feed seismo run for long.
type SoakOptions struct {
	Rate     int           // posts produced per second
	Duration time.Duration // of producing
	Relevant float64       // share of the posts that name a service
	// RetentionBytes bounds each partition of the broker, as a production
	// topic is bounded; a consumer that falls further behind loses posts,
	// and the soak fails.
	RetentionBytes int64
	// Every is how often lag and memory are sampled.
	Every time.Duration
	// RedisAddr, Binary and Log as in Options.
	RedisAddr string
	Binary    string
	Log       io.Writer
}

// Validate reports the first bad option.
func (o SoakOptions) Validate() error {
	switch {
	case o.Rate < 1 || o.Duration < time.Second || o.Every < 100*time.Millisecond:
		return errors.New("want a rate of at least 1, a duration of at least 1s and samples at least 100ms apart")
	case !(o.Relevant >= 0 && o.Relevant <= 1):
		return errors.New("want relevant in [0, 1]")
	case o.RetentionBytes < 1<<20:
		return errors.New("want a retention of at least 1 MiB")
	}
	return loopbackRedis(o.RedisAddr)
}

// SoakSample is the state at one moment of a soak.
type SoakSample struct {
	At       time.Duration // since producing began
	Produced int64
	Handled  int64 // by seismo run
	RSS      int64 // seismo run's resident memory, bytes
}

// SoakResult is what a soak measured.
type SoakResult struct {
	SoakOptions
	Samples []SoakSample
	// Produced is the posts written; Handled those seismo run handled by
	// the end, Drained how long after the last was written.
	Produced, Handled int64
	Produce, Drained  time.Duration
	MaxRSS            int64
}

// Soak produces a firehose at Rate for Duration to a broker that keeps a
// bounded backlog, while a seismo run process counts it into Redis, and
// samples its lag and memory every Every.
func Soak(ctx context.Context, o SoakOptions) (SoakResult, error) {
	res := SoakResult{SoakOptions: o}
	if err := o.Validate(); err != nil {
		return res, err
	}
	log := locked(o.Log)
	say := sayer(log)
	redisAddr, _, closeRedis, err := openRedis(ctx, o.RedisAddr, false)
	if err != nil {
		return res, err
	}
	defer closeRedis()
	b, err := broker.Start(broker.Config{Addr: "127.0.0.1:0", Partitions: 3, RetentionBytes: o.RetentionBytes})
	if err != nil {
		return res, err
	}
	defer b.Close()
	proc, err := startSeismo(o.Binary, b.Addr(), redisAddr, log, "--group", "bench")
	if err != nil {
		return res, err
	}
	defer proc.stop()
	if err := proc.waitReady(ctx, time.Minute); err != nil {
		return res, err
	}

	posts := int(o.Rate * int(o.Duration/time.Second))
	sc, err := simulate.Firehose(posts, o.Relevant, 1)
	if err != nil {
		return res, err
	}
	say("producing %d posts/s for %s, %.0f%% naming a service, to partitions of at most %d MB", o.Rate, o.Duration, 100*o.Relevant, o.RetentionBytes>>20)
	var produced atomic.Int64
	began := time.Now()
	prodErr := make(chan error, 1)
	pctx, stopProducing := context.WithCancel(ctx)
	go func() { prodErr <- producePaced(pctx, b.Addr(), ingest.DefaultConfig().Topic, sc, o.Rate, &produced) }()
	defer func() {
		// The producer ends before the broker closes.
		stopProducing()
		if prodErr != nil {
			<-prodErr
		}
	}()

	client := &http.Client{Timeout: 5 * time.Second}
	metrics := "http://" + proc.httpAddr + "/metrics"
	sample := func() (SoakSample, error) {
		s := SoakSample{At: time.Since(began), Produced: produced.Load()}
		var err error
		if s.Handled, err = scrapeCounter(ctx, client, metrics, "seismo_ingest_messages_total"); err != nil {
			return s, err
		}
		s.RSS, err = procStatus(proc.cmd.Process.Pid, "VmRSS")
		return s, err
	}
	tick := time.NewTicker(o.Every)
	defer tick.Stop()
	var produceDone time.Time
	failed := 0
	for produceDone.IsZero() || res.Handled < res.Produced {
		select {
		case err := <-prodErr:
			if err != nil {
				return res, fmt.Errorf("producer: %w", err)
			}
			produceDone = time.Now()
			res.Produce = produceDone.Sub(began)
			res.Produced = produced.Load()
			prodErr = nil
			// From now on the question is when the last post is
			// handled: look often.
			tick.Reset(50 * time.Millisecond)
		case <-tick.C:
		case <-proc.done:
			return res, fmt.Errorf("seismo run exited: %v", proc.err)
		case <-ctx.Done():
			return res, ctx.Err()
		}
		s, err := sample()
		if err != nil {
			// A scrape can time out under load; three in a row end it.
			if failed++; failed < 3 {
				continue
			}
			return res, err
		}
		failed = 0
		// After production, only the first and the last sample are kept.
		if n := len(res.Samples); produceDone.IsZero() || n < 2 || res.Samples[n-2].At < res.Produce {
			res.Samples = append(res.Samples, s)
		} else {
			res.Samples[n-1] = s
		}
		res.Handled = s.Handled
		if !produceDone.IsZero() && time.Since(produceDone) > time.Minute && res.Handled < res.Produced {
			return res, fmt.Errorf("seismo run handled %d of %d posts a minute after the last was produced: it fell behind the retention and lost posts, or stalled", res.Handled, res.Produced)
		}
	}
	res.Drained = time.Since(produceDone)
	if res.MaxRSS, err = peakRSS(proc.cmd.Process.Pid); err != nil {
		return res, err
	}
	if err := proc.stop(); err != nil {
		return res, fmt.Errorf("seismo run: %w", err)
	}
	return res, nil
}

// producePaced writes the scenario's posts to the topic at rate posts a
// second by the wall clock, counting them in n.
func producePaced(ctx context.Context, addr, topic string, sc *simulate.Scenario, rate int, n *atomic.Int64) error {
	w := &kafka.Writer{Addr: kafka.TCP(addr), Topic: topic, Balancer: &kafka.Hash{}, BatchSize: 2000,
		BatchTimeout: 5 * time.Millisecond, RequiredAcks: kafka.RequireAll, WriteTimeout: 10 * time.Second}
	defer w.Close()
	// A write of a tenth of a second's posts at a time: the pace is kept
	// to within that.
	chunk := max(rate/10, 1)
	msgs := make([]kafka.Message, 0, chunk)
	start := time.Now()
	var sent int64
	flush := func() error {
		due := start.Add(time.Duration(float64(sent) / float64(rate) * float64(time.Second)))
		select {
		case <-time.After(time.Until(due)):
		case <-ctx.Done():
			return ctx.Err()
		}
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := w.WriteMessages(wctx, msgs...); err != nil {
			return err
		}
		sent += int64(len(msgs))
		n.Store(sent)
		msgs = msgs[:0]
		return nil
	}
	err := sc.Generate(func(p seismo.Post) error {
		v, err := json.Marshal(p)
		if err != nil {
			return err
		}
		msgs = append(msgs, kafka.Message{Key: []byte(p.Author), Value: v})
		if len(msgs) == chunk {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// WriteTable writes the samples and the summary.
func (r SoakResult) WriteTable(w io.Writer) {
	fmt.Fprintf(w, "%10s %12s %12s %10s %12s %8s\n", "time", "produced", "handled", "lag", "lag (s)", "RSS MB")
	var maxLag int64
	for _, s := range r.Samples {
		lag := max(s.Produced-s.Handled, 0)
		maxLag = max(maxLag, lag)
		fmt.Fprintf(w, "%10s %12d %12d %10d %12.2f %8.0f\n", s.At.Round(time.Second), s.Produced, s.Handled, lag,
			float64(lag)/float64(r.Rate), float64(s.RSS)/(1<<20))
	}
	first, last := r.rssAround(0.1), r.rssAround(1)
	fmt.Fprintf(w, "produced %d posts in %s (%.0f posts/s, asked %d); seismo run handled every one %s after the last\n",
		r.Produced, r.Produce.Round(time.Millisecond), float64(r.Produced)/r.Produce.Seconds(), r.Rate, r.Drained.Round(time.Millisecond))
	fmt.Fprintf(w, "largest lag %d posts (%.2f s of production); RSS %.0f MB after a tenth of the run, %.0f MB at its end, peak %.0f MB\n",
		maxLag, float64(maxLag)/float64(r.Rate), float64(first)/(1<<20), float64(last)/(1<<20), float64(r.MaxRSS)/(1<<20))
}

// rssAround is the resident memory sampled at the share f of the
// production time (the last sample for 1).
func (r SoakResult) rssAround(f float64) int64 {
	if len(r.Samples) == 0 {
		return 0
	}
	at := time.Duration(f * float64(r.Produce))
	for _, s := range r.Samples {
		if s.At >= at {
			return s.RSS
		}
	}
	return r.Samples[len(r.Samples)-1].RSS
}
