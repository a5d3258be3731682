// Package ingest is the Kafka consumer that feeds the counters: it fetches
// posts from the posts topic in a consumer group, decodes and validates
// them, classifies them, dead-letters what cannot be counted, records the
// rest and only then commits, in partition order. It also keeps the
// event-time watermark of the partitions it reads and publishes it, and
// marks the posts that arrive behind their partition's watermark as late.
//
// Delivery is at least once: a crash or a rebalance redelivers everything
// after the last commit, and the Recorder counts idempotently, so the
// effect is exactly once.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/seismo-dev/seismo"
	"github.com/seismo-dev/seismo/metrics"
)

// Classifier is what ingest needs from the classifier (implemented by
// *classify.Classifier). It must be safe for concurrent use.
type Classifier interface {
	Classify(p *seismo.Post) seismo.Signal
}

// Recorder is what ingest needs from the store (implemented by
// *detect.Store). Record must be idempotent per post, since redelivered
// posts are recorded again.
type Recorder interface {
	Record(ctx context.Context, reports []seismo.Report) error
	PublishWatermark(ctx context.Context, worker string, wm time.Time) error
}

// Backoff bounds for retrying a batch whose writes failed.
const (
	retryMin = 100 * time.Millisecond
	retryMax = 5 * time.Second
)

// fetchBuffer is the capacity of the channel between the fetch goroutine
// and the processing loop. It is small on purpose: kafka-go already queues
// messages inside the reader, and whatever sits here when the worker stops
// is simply redelivered.
const fetchBuffer = 64

// Consumer reads posts from Kafka and records them. Create it with New and
// run it with Run.
type Consumer struct {
	cfg Config
	cls Classifier
	rec Recorder
	log *slog.Logger
	m   consumerMetrics

	running   atomic.Bool
	processed atomic.Uint64

	// marks is the processing loop's view of event time: the newest
	// accepted created_at of each partition, including the batch in hand.
	// Only the loop touches it.
	marks map[int]time.Time

	mu sync.Mutex
	// track decides the watermark from committed batches and fetches.
	track *tracker
	// stalled is set while a batch step is failing and cleared by the next
	// commit; the published watermark does not move meanwhile.
	stalled bool
	// lastWM is the last watermark computed while not stalled, hasWM
	// whether there is one.
	lastWM time.Time
	hasWM  bool

	kick chan struct{} // asks the publisher to publish now
}

type consumerMetrics struct {
	reg       *metrics.Registry
	messages  metrics.Counter
	late      metrics.Counter
	reports   metrics.Counter
	batchErrs metrics.Counter
	minimal   metrics.Counter
	watermark metrics.Gauge
}

func (m consumerMetrics) rejected(r seismo.Reason) metrics.Counter {
	return m.reg.Counter("seismo_ingest_rejected_total", "Messages dead-lettered, by reason.", "reason", string(r))
}

// New checks the config and returns a Consumer. reg may be nil.
func New(cfg Config, cls Classifier, rec Recorder, reg *metrics.Registry, log *slog.Logger) (*Consumer, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cls == nil || rec == nil {
		return nil, errors.New("ingest: classifier and recorder are required")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Consumer{
		cfg: cfg,
		cls: cls,
		rec: rec,
		log: log.With("component", "ingest", "worker", cfg.WorkerID, "topic", cfg.Topic),
		m: consumerMetrics{
			reg:       reg,
			messages:  reg.Counter("seismo_ingest_messages_total", "Messages handled and committed, valid or dead-lettered."),
			late:      reg.Counter("seismo_ingest_late_total", "Posts older than their partition's watermark when they arrived, still recorded."),
			reports:   reg.Counter("seismo_ingest_reports_total", "Posts whose signal counts (complaint or recovery about a service)."),
			batchErrs: reg.Counter("seismo_ingest_batch_errors_total", "Failed attempts to dead-letter, record or commit a batch."),
			minimal:   reg.Counter("seismo_ingest_dlq_minimal_total", "Dead letters written without value and original headers because the full ones could not be written."),
			watermark: reg.Gauge("seismo_ingest_watermark_seconds", "This worker's event-time watermark, unix seconds."),
		},
		marks: map[int]time.Time{},
		track: newTracker(cfg.Lateness, cfg.IdleTimeout, cfg.Now()),
		kick:  make(chan struct{}, 1),
	}
	return c, nil
}

// Processed returns how many messages were fully handled and committed,
// valid and dead-lettered alike.
func (c *Consumer) Processed() uint64 { return c.processed.Load() }

// Watermark returns the watermark this worker publishes, and false while
// it has none yet. It counts committed posts only: the minimum over the
// partitions that are not idle of the newest committed created_at minus
// Lateness (the maximum when all are idle). A partition is idle when it is
// caught up, has nothing in flight and has been silent for IdleTimeout, or
// has delivered nothing for IdleTimeout since the start or the last
// rebalance. While a batch keeps failing, or while a partition that is not
// idle has no committed post yet, the last value stands.
func (c *Consumer) Watermark() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.stalled {
		if wm, ok := c.track.worker(c.cfg.Now()); ok {
			c.lastWM, c.hasWM = wm, true
		}
	}
	return c.lastWM, c.hasWM
}

// Run consumes until ctx is cancelled, then stops fetching, finishes the
// batch in hand within ShutdownTimeout, leaves the group and returns nil.
// It returns an error when the reader fails for good, or when the batch in
// hand could not be finished before ShutdownTimeout (its messages are not
// committed and will be redelivered). A Consumer runs once.
func (c *Consumer) Run(ctx context.Context) error {
	if !c.running.CompareAndSwap(false, true) {
		return errors.New("ingest: Run called twice")
	}
	c.mu.Lock()
	c.track.rebalanced(c.cfg.Now()) // the start counts as one
	c.mu.Unlock()
	c.expectPartitions(ctx)
	r := kafka.NewReader(c.readerConfig())
	w := c.newWriter()
	c.log.Info("ingest started", "group", c.cfg.GroupID, "brokers", c.cfg.Brokers)

	// The batch in hand is finished on a context that outlives ctx by
	// ShutdownTimeout, so a cancel does not abort writes half-way.
	wctx, stopWork := graceContext(ctx, c.cfg.ShutdownTimeout)
	defer stopWork()

	fetchCtx, stopFetch := context.WithCancel(ctx)
	defer stopFetch()
	msgs := make(chan kafka.Message, fetchBuffer)
	fetchErr := make(chan error, 1)
	pubCtx, stopPublish := context.WithCancel(wctx)
	defer stopPublish()
	var wg sync.WaitGroup
	wg.Go(func() { fetchErr <- c.fetch(fetchCtx, r, msgs) })
	wg.Go(func() { c.publishLoop(pubCtx, r) })

	err := c.loop(ctx, wctx, msgs, fetchErr, r, w)

	stopFetch()
	for range msgs { // unblock the fetcher; these are uncommitted and will be redelivered
	}
	stopPublish()
	wg.Wait()
	// The last committed watermark, so the detector sees the final state.
	if perr := c.publish(wctx); perr != nil {
		c.log.Warn("final watermark publish failed", "err", perr)
	}

	var errs []error
	if err != nil {
		errs = append(errs, err)
	}
	if cerr := w.Close(); cerr != nil {
		errs = append(errs, fmt.Errorf("close DLQ writer: %w", cerr))
	}
	// Closing the reader leaves the group, so the partitions move to the
	// other workers at once instead of after the session timeout.
	if cerr := r.Close(); cerr != nil {
		errs = append(errs, fmt.Errorf("close reader: %w", cerr))
	}
	c.log.Info("ingest stopped", "processed", c.Processed())
	return errors.Join(errs...)
}

// expectPartitions tells the watermarks which partitions the topic has, so
// that the first one to deliver cannot set the watermark alone. Without the
// list (the lookup failed) the watermark starts with whatever comes first.
func (c *Consumer) expectPartitions(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.OpTimeout)
	defer cancel()
	var errs []error
	for _, b := range c.cfg.Brokers {
		parts, err := c.dialer().LookupPartitions(ctx, "tcp", b, c.cfg.Topic)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids := make([]int, len(parts))
		for i, p := range parts {
			ids[i] = p.ID
		}
		c.mu.Lock()
		c.track.expect(ids)
		c.mu.Unlock()
		return
	}
	c.log.Warn("could not list the topic's partitions; the watermark starts with the first to deliver",
		"err", errors.Join(errs...))
}

// graceContext returns a context that is cancelled grace after parent is,
// and a function that releases it.
func graceContext(parent context.Context, grace time.Duration) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(parent))
	var mu sync.Mutex
	var timer *time.Timer
	stopped := false
	stopAfter := context.AfterFunc(parent, func() {
		mu.Lock()
		defer mu.Unlock()
		if !stopped {
			timer = time.AfterFunc(grace, cancel)
		}
	})
	return ctx, func() {
		stopAfter()
		mu.Lock()
		stopped = true
		if timer != nil {
			timer.Stop()
		}
		mu.Unlock()
		cancel()
	}
}

func (c *Consumer) readerConfig() kafka.ReaderConfig {
	return kafka.ReaderConfig{
		Brokers: c.cfg.Brokers,
		GroupID: c.cfg.GroupID,
		Topic:   c.cfg.Topic,
		Dialer:  c.dialer(),
		// Fetch responses may carry a whole record batch larger than this
		// (KIP-74), so it is a target, not a hard cap on message size.
		MaxBytes: 4 << 20,
		// Short fetch waits keep the reader responsive to shutdown and
		// rebalances; MinBytes 1 returns data as soon as there is any.
		MinBytes:          1,
		MaxWait:           500 * time.Millisecond,
		ReadBatchTimeout:  10 * time.Second,
		HeartbeatInterval: c.cfg.HeartbeatInterval,
		SessionTimeout:    c.cfg.SessionTimeout,
		RebalanceTimeout:  c.cfg.RebalanceTimeout,
		JoinGroupBackoff:  time.Second,
		// Synchronous commits: CommitMessages returns once the broker has
		// the offsets, which is what "commit after record" needs.
		CommitInterval: 0,
		// A new group reads the topic from its start: posts are event-time
		// data and replaying them is normal.
		StartOffset: kafka.FirstOffset,
		// Pick up partitions added to the topic without a restart.
		WatchPartitionChanges:  true,
		PartitionWatchInterval: 5 * time.Second,
		ReadLagInterval:        -1,
		Logger:                 kafkaLogger(c.log, slog.LevelDebug),
		ErrorLogger:            kafkaLogger(c.log, slog.LevelWarn),
	}
}

func (c *Consumer) dialer() *kafka.Dialer {
	return &kafka.Dialer{Timeout: 10 * time.Second, DualStack: true, ClientID: "seismo-ingest"}
}

func (c *Consumer) newWriter() *kafka.Writer {
	return &kafka.Writer{
		Addr:  kafka.TCP(c.cfg.Brokers...),
		Topic: c.cfg.DLQTopic,
		// Dead letters of one key share a partition, so they stay in order.
		Balancer:     &kafka.Hash{},
		RequiredAcks: kafka.RequireAll,
		// One WriteMessages per batch: flush it at once rather than waiting
		// the default second for more.
		BatchTimeout: 5 * time.Millisecond,
		BatchSize:    c.cfg.BatchSize,
		BatchBytes:   1 << 20,
		// Retries happen in the batch loop, with backoff and logging; a
		// couple here absorb a leader move.
		MaxAttempts:  3,
		ReadTimeout:  c.cfg.OpTimeout,
		WriteTimeout: c.cfg.OpTimeout,
		Transport: &kafka.Transport{
			DialTimeout: 10 * time.Second,
			IdleTimeout: time.Minute,
			ClientID:    "seismo-ingest-dlq",
		},
		Logger:      kafkaLogger(c.log, slog.LevelDebug),
		ErrorLogger: kafkaLogger(c.log, slog.LevelWarn),
	}
}

// fetch feeds out until ctx is done or the reader fails for good. It owns
// out and closes it.
func (c *Consumer) fetch(ctx context.Context, r *kafka.Reader, out chan<- kafka.Message) error {
	defer close(out)
	attempt := 0
	for {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe) {
				return fmt.Errorf("ingest: reader closed: %w", err)
			}
			attempt++
			c.log.Warn("fetch failed, retrying", "err", err, "attempt", attempt)
			if !sleep(ctx, backoff(attempt)) {
				return nil
			}
			continue
		}
		attempt = 0
		c.pollRebalance(r)
		c.mu.Lock()
		c.track.fetched(m, c.cfg.Now())
		c.mu.Unlock()
		select {
		case out <- m:
		case <-ctx.Done():
			return nil
		}
	}
}

// pollRebalance notes a new consumer-group generation, if the reader
// started one since the last poll. kafka-go says nothing else about
// assignments; this is enough to stop waiting for partitions that moved to
// another worker.
func (c *Consumer) pollRebalance(r *kafka.Reader) {
	if r.Stats().Rebalances == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.track.rebalanced(c.cfg.Now())
}

// loop gathers batches and handles them until ctx is done.
func (c *Consumer) loop(ctx, wctx context.Context, msgs <-chan kafka.Message, fetchErr <-chan error,
	r *kafka.Reader, w *kafka.Writer) error {
	batch := make([]kafka.Message, 0, c.cfg.BatchSize)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		if ctx.Err() != nil { // a ready message must not win over shutdown
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case m, ok := <-msgs:
			if !ok {
				if ctx.Err() != nil {
					return nil
				}
				return <-fetchErr
			}
			batch = append(batch, m)
		}
		timer.Reset(c.cfg.BatchWait)
	gather:
		for len(batch) < c.cfg.BatchSize {
			select {
			case m, ok := <-msgs:
				if !ok {
					break gather
				}
				batch = append(batch, m)
			case <-timer.C:
				break gather
			case <-ctx.Done():
				break gather
			}
		}
		timer.Stop()
		if err := c.handle(wctx, r, w, batch); err != nil {
			return err
		}
		batch = batch[:0]
	}
}

// item is one message of a batch on its way through.
type item struct {
	msg    kafka.Message
	post   seismo.Post
	signal seismo.Signal
	reason seismo.Reason // "" while the post is valid
	errMsg string
	late   bool // older than its partition's watermark when checked
}

// handle takes one batch from decoding to commit. It returns an error only
// when ctx ends before the batch is committed.
func (c *Consumer) handle(ctx context.Context, r *kafka.Reader, w *kafka.Writer, batch []kafka.Message) error {
	items := make([]item, len(batch))
	for i, m := range batch {
		items[i] = c.check(m)
	}
	c.classifyAll(items)

	var dead deadLetters
	var reports []seismo.Report
	for i := range items {
		it := &items[i]
		switch {
		case it.reason != "":
			dead.add(it)
		case it.signal.Counts():
			reports = append(reports, seismo.Report{Post: it.post, Signal: it.signal, Late: it.late})
		}
	}
	commits := highestPerPartition(batch)

	// In this order, each step retried until it succeeds: dead letters and
	// records must be safe before the commit moves past their messages.
	steps := []struct {
		name string
		skip bool
		run  func(context.Context) error
	}{
		{"write dead letters", dead.len() == 0, func(ctx context.Context) error {
			return c.writeDead(ctx, w, &dead)
		}},
		{"record reports", len(reports) == 0, func(ctx context.Context) error {
			return c.rec.Record(ctx, reports)
		}},
		{"commit offsets", false, func(ctx context.Context) error {
			return r.CommitMessages(ctx, commits...)
		}},
	}
	for _, s := range steps {
		if s.skip {
			continue
		}
		if err := c.retry(ctx, s.name, len(batch), s.run); err != nil {
			return fmt.Errorf("ingest: %s for a batch of %d messages (not committed, will be redelivered): %w",
				s.name, len(batch), err)
		}
	}
	c.committedBatch(items, len(reports), commits)
	return nil
}

// writeDead writes the batch's dead letters that are not written yet. When
// the full letters fail for good it logs why and writes minimal ones at
// once; an error of those is returned for the caller to retry.
func (c *Consumer) writeDead(ctx context.Context, w dlqWriter, dead *deadLetters) error {
	err := dead.write(ctx, w)
	if err == nil || !dead.downgrade(err) {
		return err
	}
	c.m.minimal.Add(uint64(dead.len()))
	c.log.Warn("dead letters cannot be written whole; writing minimal ones (no value, no original headers)",
		"count", dead.len(), "failures", dead.failures, "err", err)
	return dead.write(ctx, w)
}

// retry runs op until it succeeds or ctx ends, backing off between tries.
// A failure is logged only when another try follows; the last one is
// returned to the caller instead.
func (c *Consumer) retry(ctx context.Context, name string, size int, op func(context.Context) error) error {
	for attempt := 1; ; attempt++ {
		opCtx, cancel := context.WithTimeoutCause(ctx, c.cfg.OpTimeout,
			fmt.Errorf("%s took longer than %s", name, c.cfg.OpTimeout))
		err := op(opCtx)
		cancel()
		if err == nil {
			return nil
		}
		c.m.batchErrs.Inc()
		c.mu.Lock()
		c.stalled = true
		c.mu.Unlock()
		if !sleep(ctx, backoff(attempt)) {
			return fmt.Errorf("gave up after %d attempts: %w", attempt, err)
		}
		c.log.Warn("batch step failed, retrying", "step", name, "batch", size, "attempt", attempt, "err", err)
	}
}

// check decodes m and checks its event time: against the wall clock for
// the future, and against the newest post of its own partition for the
// past. An accepted post moves its partition's mark and is late when it is
// older than the partition's watermark (the mark minus Lateness). Marks
// depend only on each partition's order, so which posts are late does not
// depend on how partitions interleave.
func (c *Consumer) check(m kafka.Message) item {
	it := item{msg: m}
	post, err := seismo.DecodePost(m.Value)
	if err != nil {
		it.reason, it.errMsg = seismo.RejectReason(err), err.Error()
		if it.reason == "" { // DecodePost promises *InvalidPostError; be safe anyway
			it.reason = seismo.ReasonBadJSON
		}
		return it
	}
	it.post = post
	t := post.CreatedAt
	// Only the future is bounded by the clock: a replay is all past, and
	// a post from the future (a local time sent with a Z suffix) would
	// drag the watermark ahead of every real post.
	if ahead := t.Sub(c.cfg.Now()); ahead > c.cfg.MaxAhead {
		it.reason = seismo.ReasonTimeOutOfRange
		it.errMsg = fmt.Sprintf("created_at %s is %s ahead of the clock (skew allowed: %s)",
			t.Format(time.RFC3339), roundDuration(ahead), roundDuration(c.cfg.MaxAhead))
		return it
	}
	newest, marked := c.marks[m.Partition]
	if !marked { // the first post of a partition sets its mark
		c.marks[m.Partition] = t
		return it
	}
	if behind := newest.Sub(t); behind > c.cfg.MaxBehind {
		it.reason = seismo.ReasonTimeOutOfRange
		it.errMsg = fmt.Sprintf("created_at %s is %s behind the newest post of its partition (%s), more than %s",
			t.Format(time.RFC3339), roundDuration(behind), newest.Format(time.RFC3339), roundDuration(c.cfg.MaxBehind))
		return it
	}
	it.late = t.Before(newest.Add(-c.cfg.Lateness))
	if t.After(newest) {
		c.marks[m.Partition] = t
	}
	return it
}

// roundDuration prints d to the second without trailing zero units:
// 5h30m, 48h, 5m, 1m30s.
func roundDuration(d time.Duration) string {
	s := d.Round(time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// classifyAll classifies the valid posts of items, Concurrency at a time.
func (c *Consumer) classifyAll(items []item) {
	var next atomic.Int64
	workers := min(c.cfg.Concurrency, len(items))
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(items) {
					return
				}
				if items[i].reason == "" {
					c.classify(&items[i])
				}
			}
		})
	}
	wg.Wait()
}

// classify runs the classifier on one post, turning a panic into a dead
// letter so one post cannot stop the consumer.
func (c *Consumer) classify(it *item) {
	defer func() {
		if v := recover(); v != nil {
			it.reason = ReasonClassifierPanic
			it.errMsg = fmt.Sprintf("classifier panicked: %v", v)
			c.log.Error("classifier panicked", "partition", it.msg.Partition, "offset", it.msg.Offset,
				"post_id", it.post.ID, "panic", v)
		}
	}()
	it.signal = c.cls.Classify(&it.post)
	if it.signal.PostID == "" {
		it.signal.PostID = it.post.ID
	}
}

// committedBatch accounts for a batch whose commit succeeded; commits are
// the committed messages, the highest of each partition.
func (c *Consumer) committedBatch(items []item, counted int, commits []kafka.Message) {
	var late, dead int
	for i := range items {
		it := &items[i]
		switch {
		case it.reason != "":
			dead++
			c.m.rejected(it.reason).Inc()
			c.log.Debug("message dead-lettered", "partition", it.msg.Partition, "offset", it.msg.Offset,
				"reason", it.reason, "err", it.errMsg)
		case it.late:
			late++
		}
	}
	c.m.messages.Add(uint64(len(items)))
	c.m.late.Add(uint64(late))
	c.m.reports.Add(uint64(counted))
	c.processed.Add(uint64(len(items)))

	offsets := make(map[int]int64, len(commits))
	for _, m := range commits {
		offsets[m.Partition] = m.Offset
	}
	c.mu.Lock()
	c.track.commit(offsets, c.marks)
	c.stalled = false
	c.mu.Unlock()
	select {
	case c.kick <- struct{}{}:
	default: // a publish is already pending
	}
	c.log.Debug("batch committed", "messages", len(items), "counted", counted, "dead", dead, "late", late)
}

// publishLoop publishes the watermark every PublishInterval, and at once
// after each committed batch, until ctx is done. The detector relies on the
// heartbeat to advance when the topic goes quiet, and to keep counting this
// worker while a batch is stuck. It also notices rebalances when no
// message comes to show them.
func (c *Consumer) publishLoop(ctx context.Context, r *kafka.Reader) {
	t := time.NewTicker(c.cfg.PublishInterval)
	defer t.Stop()
	var lastErr string
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-c.kick:
		}
		c.pollRebalance(r)
		err := c.publish(ctx)
		// Log a failure once until it changes or heals, not every second.
		switch {
		case err != nil && err.Error() != lastErr:
			c.log.Warn("publish watermark failed", "err", err)
			lastErr = err.Error()
		case err == nil && lastErr != "":
			c.log.Info("publish watermark recovered")
			lastErr = ""
		}
	}
}

// publish sends the watermark, if there is one.
func (c *Consumer) publish(ctx context.Context) error {
	wm, ok := c.Watermark()
	if !ok {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.OpTimeout)
	defer cancel()
	if err := c.rec.PublishWatermark(ctx, c.cfg.WorkerID, wm); err != nil {
		return fmt.Errorf("publish watermark %s: %w", wm.Format(time.RFC3339), err)
	}
	c.m.watermark.Set(float64(wm.UnixMilli()) / 1000)
	return nil
}

// highestPerPartition returns the message with the highest offset of each
// partition: committing it commits everything before it.
func highestPerPartition(batch []kafka.Message) []kafka.Message {
	type tp struct {
		topic     string
		partition int
	}
	idx := map[tp]int{}
	var out []kafka.Message
	for _, m := range batch {
		k := tp{m.Topic, m.Partition}
		if i, ok := idx[k]; ok {
			if m.Offset > out[i].Offset {
				out[i] = m
			}
			continue
		}
		idx[k] = len(out)
		out = append(out, m)
	}
	return out
}

// backoff is the wait before retry attempt n (1-based): exponential from
// retryMin, capped at retryMax.
func backoff(attempt int) time.Duration {
	d := retryMin
	for i := 1; i < attempt && d < retryMax; i++ {
		d *= 2
	}
	return min(d, retryMax)
}

// sleep waits d or until ctx is done, and reports whether it waited d.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// kafkaLogger bridges kafka-go's printf logger to slog at one level.
func kafkaLogger(l *slog.Logger, level slog.Level) kafka.Logger {
	return kafka.LoggerFunc(func(format string, args ...any) {
		ctx := context.Background()
		if l.Enabled(ctx, level) {
			// kafka-go ends some messages with a newline; slog adds its own.
			l.Log(ctx, level, strings.TrimSpace(fmt.Sprintf(format, args...)), "lib", "kafka-go")
		}
	})
}
