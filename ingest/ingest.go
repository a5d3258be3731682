// Package ingest is the Kafka consumer that feeds the counters: it takes
// part in a consumer group, fetches posts from the partitions it is
// assigned, decodes and validates them, classifies them, dead-letters what
// cannot be counted, records the rest and only then commits, in partition
// order. It reports the progress of each partition it owns (offsets, end
// offset, event time) to the Recorder, from which the detector derives its
// watermark, and marks the posts that arrive behind their partition's
// watermark as late.
//
// Delivery is at least once: a crash or a rebalance redelivers everything
// after the last commit, and the Recorder counts idempotently, so the
// effect is exactly once.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
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
// posts are recorded again. ReportProgress stores the progress of the
// partitions a worker owns in one consumer-group generation and returns
// those it was refused because a later generation owns them; Resume
// returns the progress stored for partitions, so that a new owner goes on
// with their event time where the last one left it.
type Recorder interface {
	Record(ctx context.Context, reports []seismo.Report) error
	ReportProgress(ctx context.Context, owner seismo.PartitionOwner, parts []seismo.PartitionProgress) (refused []int, err error)
	Resume(ctx context.Context, topic string, partitions []int) (map[int]seismo.PartitionProgress, error)
}

// Backoff bounds for retrying a batch whose writes failed.
const (
	retryMin = 100 * time.Millisecond
	retryMax = 5 * time.Second
)

// fetchBuffer is the capacity of the channel between the partition fetchers
// and the processing loop. It is small on purpose: kafka-go already queues
// messages inside each reader, and whatever sits here when a generation
// ends is simply redelivered.
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
	// Only the loop touches it; each generation starts it from the stored
	// progress.
	marks map[int]time.Time
	// backlog is, per partition owned, its end offset when the generation
	// began: a message below it was waiting to be read (a replay, a
	// reset, a new group), one at or past it was produced while this
	// worker read. Only the loop touches it.
	backlog map[int]int64

	mu sync.Mutex
	// gen is the current generation's ownership, nil between generations.
	gen *ownership
	// health is what Ready judges by; the consumer's lock guards it.
	health health
	// reportMu serialises progress reports, so that an older snapshot
	// never lands after a newer one.
	reportMu sync.Mutex
}

// health is the wall-clock record of the worker's standing with Kafka.
type health struct {
	joined   bool      // ever in a generation
	inGen    bool      // in a generation now
	left     time.Time // when the last generation ended
	contact  time.Time // last answer from the brokers about owned partitions
	lastFail string    // the last failure to reach them, if any since
}

// ownership is what a worker owns in one consumer-group generation.
type ownership struct {
	owner seismo.PartitionOwner
	parts map[int]*partition
}

// partition is what the worker knows of one partition it owns. The
// consumer's lock guards it.
type partition struct {
	// next is the offset of the next message to handle: everything before
	// it is committed. end is the partition's end offset when last seen.
	next, end int64
	// newest is the newest created_at committed, zero before the first.
	newest time.Time
	// caughtSince is the wall clock at which next >= end was first seen,
	// zero while it is not.
	caughtSince time.Time
	// endAsked is when the broker was last asked for end: every message
	// produced before then is below it.
	endAsked time.Time
}

type consumerMetrics struct {
	reg        *metrics.Registry
	messages   metrics.Counter
	late       metrics.Counter
	reports    metrics.Counter
	batchErrs  metrics.Counter
	minimal    metrics.Counter
	owned      metrics.Gauge
	generation metrics.Gauge
}

func (m consumerMetrics) rejected(r seismo.Reason) metrics.Counter {
	return m.reg.Counter("seismo_ingest_rejected_total", "Messages dead-lettered, by reason.", "reason", string(r))
}

const lagMetric = "seismo_ingest_lag_messages"

// freshReports is how many report intervals a report's word that a
// partition is caught up holds: a missed report or two is no reason to hold
// the detector back, a worker that died is.
const freshReports = 3

func (m consumerMetrics) lag(p int) metrics.Gauge {
	return m.reg.Gauge(lagMetric, "Messages of each partition this worker owns that are not handled yet: end offset minus committed offset.",
		"partition", strconv.Itoa(p))
}

func (m consumerMetrics) watermark(p int) metrics.Gauge {
	return m.reg.Gauge("seismo_ingest_watermark_seconds", "Event-time watermark of each partition this worker owns, unix seconds.",
		"partition", strconv.Itoa(p))
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
			reg:        reg,
			messages:   reg.Counter("seismo_ingest_messages_total", "Messages handled and committed, valid or dead-lettered; redeliveries count again."),
			late:       reg.Counter("seismo_ingest_late_total", "Posts older than their partition's watermark when they arrived, still recorded."),
			reports:    reg.Counter("seismo_ingest_reports_total", "Posts whose signal counts (complaint or recovery about a service)."),
			batchErrs:  reg.Counter("seismo_ingest_batch_errors_total", "Failed attempts to dead-letter, record or commit a batch."),
			minimal:    reg.Counter("seismo_ingest_dlq_minimal_total", "Dead letters written without value and original headers because the full ones could not be written."),
			owned:      reg.Gauge("seismo_ingest_partitions_owned", "Partitions of the posts topic this worker owns in the current consumer-group generation."),
			generation: reg.Gauge("seismo_ingest_generation", "The consumer-group generation this worker is in, 0 between generations."),
		},
		marks:   map[int]time.Time{},
		backlog: map[int]int64{},
	}
	return c, nil
}

// Processed returns how many messages were fully handled and committed,
// valid and dead-lettered alike.
func (c *Consumer) Processed() uint64 { return c.processed.Load() }

// Owned returns the progress of the partitions this worker owns in the
// current consumer-group generation, by partition; none between
// generations.
func (c *Consumer) Owned() []seismo.PartitionProgress {
	_, parts := c.snapshot()
	return parts
}

// Ready reports whether the worker is doing its job, for a readiness
// probe: it has joined the consumer group; it is in a generation, or was
// within RebalanceTimeout (a rebalance is routine, not a failure); and
// while it owns partitions the brokers have answered within a few report
// intervals. A worker that owns none is kept in the group by kafka-go's
// heartbeats, whose failure ends the generation.
func (c *Consumer) Ready() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, now := c.health, time.Now()
	switch {
	case !h.joined:
		return fmt.Errorf("ingest: not yet in consumer group %s", c.cfg.GroupID)
	case !h.inGen && now.Sub(h.left) > c.cfg.RebalanceTimeout:
		return fmt.Errorf("ingest: out of consumer group %s for %s", c.cfg.GroupID, now.Sub(h.left).Round(time.Second))
	case h.inGen && c.gen != nil && len(c.gen.parts) > 0 && now.Sub(h.contact) > c.readyWithin():
		return fmt.Errorf("ingest: no answer from Kafka for %s: %s", now.Sub(h.contact).Round(time.Second), h.lastFail)
	}
	return nil
}

// readyWithin is how long the brokers may stay silent about owned
// partitions before the worker is not ready: a few report intervals and a
// request's timeout.
func (c *Consumer) readyWithin() time.Duration {
	return freshReports*c.cfg.PublishInterval + c.cfg.OpTimeout
}

// Run consumes until ctx is cancelled, then stops fetching, finishes the
// batch in hand within ShutdownTimeout, leaves the group and returns nil.
// It returns an error when the batch in hand could not be finished before
// ShutdownTimeout (its messages are not committed and will be
// redelivered). Failures to join the group or to reach the broker are
// logged and retried. A Consumer runs once.
func (c *Consumer) Run(ctx context.Context) error {
	if !c.running.CompareAndSwap(false, true) {
		return errors.New("ingest: Run called twice")
	}
	group, err := kafka.NewConsumerGroup(c.groupConfig())
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	w := c.newWriter()
	client := &kafka.Client{Addr: kafka.TCP(c.cfg.Brokers...), Timeout: c.cfg.OpTimeout,
		Transport: &kafka.Transport{DialTimeout: 10 * time.Second, ClientID: c.clientID()}}
	c.log.Info("ingest started", "group", c.cfg.GroupID, "brokers", c.cfg.Brokers)

	var runErr error
	var lastErr string
	for ctx.Err() == nil {
		gen, err := group.Next(ctx)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, kafka.ErrGroupClosed) {
				break
			}
			// kafka-go backs off between attempts to join; log each
			// distinct failure once.
			if err.Error() != lastErr {
				c.log.Warn("joining the consumer group failed, retrying", "err", err)
				lastErr = err.Error()
			}
			continue
		}
		lastErr = ""
		if err := c.generation(ctx, gen, w, client); err != nil {
			runErr = err
			break
		}
	}

	var errs []error
	if runErr != nil {
		errs = append(errs, runErr)
	}
	// Closing the group leaves it, so the partitions move to the other
	// workers at once instead of after the session timeout.
	if cerr := group.Close(); cerr != nil {
		errs = append(errs, fmt.Errorf("leave the consumer group: %w", cerr))
	}
	if cerr := w.Close(); cerr != nil {
		errs = append(errs, fmt.Errorf("close DLQ writer: %w", cerr))
	}
	c.log.Info("ingest stopped", "processed", c.Processed())
	return errors.Join(errs...)
}

func (c *Consumer) groupConfig() kafka.ConsumerGroupConfig {
	return kafka.ConsumerGroupConfig{
		ID:                c.cfg.GroupID,
		Brokers:           c.cfg.Brokers,
		Dialer:            c.dialer(),
		Topics:            []string{c.cfg.Topic},
		HeartbeatInterval: c.cfg.HeartbeatInterval,
		SessionTimeout:    c.cfg.SessionTimeout,
		RebalanceTimeout:  c.cfg.RebalanceTimeout,
		JoinGroupBackoff:  time.Second,
		// A new group reads the topic from its start: posts are event-time
		// data and replaying them is normal.
		StartOffset: kafka.FirstOffset,
		// Pick up partitions added to the topic without a restart.
		WatchPartitionChanges:  true,
		PartitionWatchInterval: 5 * time.Second,
		Timeout:                c.cfg.OpTimeout,
		Logger:                 kafkaLogger(c.log, slog.LevelDebug),
		ErrorLogger:            kafkaLogger(c.log, slog.LevelWarn),
	}
}

// generation consumes the partitions gen assigns to this worker until the
// generation ends (a rebalance) or ctx is done. Everything that touches
// the partitions runs under gen.Start, so kafka-go does not let this worker
// join the next generation, where the partitions may go elsewhere, before
// the batch in hand is finished and its progress reported. It returns an
// error only when the batch in hand could not be finished on shutdown.
func (c *Consumer) generation(ctx context.Context, gen *kafka.Generation, w *kafka.Writer, client *kafka.Client) error {
	var ids []int
	for _, a := range gen.Assignments[c.cfg.Topic] {
		ids = append(ids, a.ID)
	}
	slices.Sort(ids)
	log := c.log.With("generation", gen.ID)
	log.Info("consumer-group generation", "partitions", ids)
	c.m.generation.Set(float64(gen.ID))
	defer c.m.generation.Set(0)
	c.mu.Lock()
	// Joining took answers from the group coordinator.
	c.health = health{joined: true, inGen: true, contact: time.Now()}
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.health.inGen, c.health.left = false, time.Now()
		c.mu.Unlock()
	}()

	done := make(chan error, 1)
	gen.Start(func(gctx context.Context) {
		done <- c.own(ctx, gctx, gen, ids, w, client, log)
	})
	return <-done
}

// own runs one generation's work under gen.Start: it sets the partitions
// up, starts a fetcher for each and the progress reporter, and runs the
// batch loop until the generation or ctx ends.
func (c *Consumer) own(ctx, gctx context.Context, gen *kafka.Generation, ids []int, w *kafka.Writer,
	client *kafka.Client, log *slog.Logger) error {
	// Stop when either ends: the generation (a rebalance) or the process.
	stop, cancel := context.WithCancel(gctx)
	defer cancel()
	defer context.AfterFunc(ctx, cancel)()

	own, starts, err := c.setUp(stop, gen, ids, client)
	if err != nil {
		// Only the end of the generation or of ctx interrupts setUp.
		return nil
	}
	c.mu.Lock()
	c.gen = own
	c.mu.Unlock()
	defer c.release(own)
	c.report(stop, own, log)

	msgs := make(chan kafka.Message, fetchBuffer)
	var wg sync.WaitGroup
	defer wg.Wait()
	for p, off := range starts {
		if _, ok := own.parts[p]; !ok {
			continue // refused: a later generation owns it
		}
		wg.Go(func() { c.fetch(stop, p, off, msgs, log) })
	}
	wg.Go(func() { c.reportLoop(stop, own, client, log) })
	return c.loop(ctx, stop, msgs, gen, w)
}

// setUp resolves where each assigned partition starts and ends and where
// its event time stands, then claims the partitions for this generation.
// It retries until it succeeds or stop ends.
func (c *Consumer) setUp(stop context.Context, gen *kafka.Generation, ids []int, client *kafka.Client) (*ownership, map[int]int64, error) {
	starts := map[int]int64{}
	for _, a := range gen.Assignments[c.cfg.Topic] {
		starts[a.ID] = a.Offset
	}
	own := &ownership{
		owner: seismo.PartitionOwner{Topic: c.cfg.Topic, Worker: c.cfg.WorkerID, Generation: gen.ID,
			StaleAfter: c.cfg.SessionTimeout, FreshFor: freshReports * c.cfg.PublishInterval},
		parts: map[int]*partition{},
	}
	for attempt := 1; ; attempt++ {
		err := func() error {
			ctx, cancel := context.WithTimeout(stop, c.cfg.OpTimeout)
			defer cancel()
			count, err := c.partitionCount(ctx)
			if err != nil {
				return err
			}
			own.owner.Partitions = count
			if len(ids) == 0 {
				return nil
			}
			asked := c.cfg.Now()
			offsets, err := listOffsets(ctx, client, c.cfg.Topic, ids)
			if err != nil {
				return err
			}
			stored, err := c.rec.Resume(ctx, c.cfg.Topic, ids)
			if err != nil {
				return err
			}
			clear(c.marks)
			clear(c.backlog)
			for _, p := range ids {
				o := offsets[p]
				start := starts[p]
				if start < 0 { // no committed offset yet: from the first
					start = o.FirstOffset
				}
				starts[p] = start
				pt := &partition{next: start, end: max(o.LastOffset, start), endAsked: asked}
				c.backlog[p] = pt.end
				// Go on with the event time where the last owner left it,
				// if it left it exactly here: after a reset of the group's
				// offsets, or a crash between commit and report, the stored
				// mark belongs to another place in the partition.
				if s, ok := stored[p]; ok && s.Next == start && !s.Newest.IsZero() {
					pt.newest = s.Newest
					c.marks[p] = s.Newest
				}
				own.parts[p] = pt
			}
			return nil
		}()
		if err == nil {
			return own, starts, nil
		}
		if stop.Err() != nil {
			return nil, nil, stop.Err()
		}
		c.log.Warn("setting up the assigned partitions failed, retrying", "err", err, "attempt", attempt)
		if !sleep(stop, backoff(attempt)) {
			return nil, nil, stop.Err()
		}
	}
}

// partitionCount returns how many partitions the topic has.
func (c *Consumer) partitionCount(ctx context.Context) (int, error) {
	var errs []error
	for _, b := range c.cfg.Brokers {
		parts, err := c.dialer().LookupPartitions(ctx, "tcp", b, c.cfg.Topic)
		if err == nil {
			return len(parts), nil
		}
		errs = append(errs, err)
	}
	return 0, fmt.Errorf("list the partitions of %s: %w", c.cfg.Topic, errors.Join(errs...))
}

// listOffsets returns the first and end offsets of partitions of topic.
func listOffsets(ctx context.Context, client *kafka.Client, topic string, ids []int) (map[int]kafka.PartitionOffsets, error) {
	reqs := make([]kafka.OffsetRequest, 0, 2*len(ids))
	for _, p := range ids {
		reqs = append(reqs, kafka.FirstOffsetOf(p), kafka.LastOffsetOf(p))
	}
	res, err := client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
	if err != nil {
		return nil, fmt.Errorf("list offsets of %s: %w", topic, err)
	}
	out := make(map[int]kafka.PartitionOffsets, len(ids))
	for _, po := range res.Topics[topic] {
		if po.Error != nil {
			return nil, fmt.Errorf("list offsets of %s/%d: %w", topic, po.Partition, po.Error)
		}
		out[po.Partition] = po
	}
	for _, p := range ids {
		if _, ok := out[p]; !ok {
			return nil, fmt.Errorf("list offsets of %s: no answer for partition %d", topic, p)
		}
	}
	return out, nil
}

// release forgets the partitions of a generation that ended, and their
// metrics: another worker may own them now.
func (c *Consumer) release(own *ownership) {
	c.mu.Lock()
	if c.gen == own {
		c.gen = nil
	}
	c.mu.Unlock()
	for p := range own.parts {
		c.m.reg.Delete(lagMetric, "partition", strconv.Itoa(p))
		c.m.reg.Delete("seismo_ingest_watermark_seconds", "partition", strconv.Itoa(p))
	}
	c.m.owned.Set(0)
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

func (c *Consumer) readerConfig(p int) kafka.ReaderConfig {
	return kafka.ReaderConfig{
		Brokers:   c.cfg.Brokers,
		Topic:     c.cfg.Topic,
		Partition: p,
		Dialer:    c.dialer(),
		// Fetch responses may carry a whole record batch larger than this
		// (KIP-74), so it is a target, not a hard cap on message size.
		MaxBytes: 4 << 20,
		// Short fetch waits keep the reader responsive to shutdown and
		// rebalances; MinBytes 1 returns data as soon as there is any.
		MinBytes:         1,
		MaxWait:          500 * time.Millisecond,
		ReadBatchTimeout: 10 * time.Second,
		ReadLagInterval:  -1,
		Logger:           kafkaLogger(c.log, slog.LevelDebug),
		ErrorLogger:      kafkaLogger(c.log, slog.LevelWarn),
	}
}

func (c *Consumer) dialer() *kafka.Dialer {
	return &kafka.Dialer{Timeout: 10 * time.Second, DualStack: true, ClientID: c.clientID()}
}

// clientID names this worker to the brokers: the group's members carry it
// (kafka-consumer-groups --describe shows which worker holds what), and
// the range assignor orders members by it, so the same set of workers
// gets the same assignment in every generation.
func (c *Consumer) clientID() string {
	id := []byte("seismo-ingest-" + c.cfg.WorkerID)
	for i, b := range id {
		// Older brokers accept only these characters in a client id.
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '.' || b == '_' || b == '-') {
			id[i] = '_'
		}
	}
	return string(id)
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

// fetch feeds out with partition p's messages from offset until stop ends.
func (c *Consumer) fetch(stop context.Context, p int, offset int64, out chan<- kafka.Message, log *slog.Logger) {
	r := kafka.NewReader(c.readerConfig(p))
	defer r.Close()
	if err := r.SetOffset(offset); err != nil {
		log.Error("set the reader's offset", "partition", p, "offset", offset, "err", err)
		return
	}
	attempt := 0
	for {
		m, err := r.FetchMessage(stop)
		if err != nil {
			if stop.Err() != nil {
				return
			}
			attempt++
			log.Warn("fetch failed, retrying", "partition", p, "err", err, "attempt", attempt)
			if !sleep(stop, backoff(attempt)) {
				return
			}
			continue
		}
		attempt = 0
		c.mu.Lock()
		pt := c.owned(p)
		if pt != nil {
			pt.end = max(pt.end, m.HighWaterMark)
		}
		c.mu.Unlock()
		if pt == nil {
			return // refused: a later generation owns it
		}
		select {
		case out <- m:
		case <-stop.Done():
			return
		}
	}
}

// owned returns the state of partition p if this worker owns it now. The
// caller holds c.mu.
func (c *Consumer) owned(p int) *partition {
	if c.gen == nil {
		return nil
	}
	return c.gen.parts[p]
}

// loop gathers batches and handles them until ctx or stop is done. A batch
// in hand when ctx is done is finished; one in hand when only the
// generation ended is dropped: its partitions may have moved, and another
// worker redelivers it.
func (c *Consumer) loop(ctx, stop context.Context, msgs <-chan kafka.Message, gen *kafka.Generation, w *kafka.Writer) error {
	// The batch in hand is finished on a context that outlives ctx by
	// ShutdownTimeout, so a cancel does not abort writes half-way; the
	// end of the generation does.
	wctx, stopWork := graceContext(ctx, c.cfg.ShutdownTimeout)
	defer stopWork()
	defer context.AfterFunc(stop, func() {
		if ctx.Err() == nil {
			stopWork()
		}
	})()
	batch := make([]kafka.Message, 0, c.cfg.BatchSize)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		if stop.Err() != nil { // a ready message must not win over the end
			return nil
		}
		select {
		case <-stop.Done():
			return nil
		case m := <-msgs:
			batch = append(batch, m)
		}
		timer.Reset(c.cfg.BatchWait)
	gather:
		for len(batch) < c.cfg.BatchSize {
			select {
			case m := <-msgs:
				batch = append(batch, m)
			case <-timer.C:
				break gather
			case <-stop.Done():
				break gather
			}
		}
		timer.Stop()
		if ctx.Err() == nil && stop.Err() != nil {
			return nil // the generation ended: the batch is redelivered elsewhere
		}
		batch = c.keepOwned(batch)
		if len(batch) == 0 {
			continue
		}
		if err := c.handle(wctx, gen, w, batch); err != nil {
			if ctx.Err() == nil {
				return nil // the generation ended mid-batch: likewise
			}
			return err
		}
		batch = batch[:0]
	}
}

// keepOwned drops the messages of partitions this worker no longer owns
// (a later generation's owner reported them): they are that owner's to
// handle.
func (c *Consumer) keepOwned(batch []kafka.Message) []kafka.Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.DeleteFunc(batch, func(m kafka.Message) bool { return c.owned(m.Partition) == nil })
}

// item is one message of a batch on its way through.
type item struct {
	msg    kafka.Message
	post   seismo.Post
	signal seismo.Signal
	reason seismo.Reason // "" while the post is valid
	errMsg string
	late   bool // older than its partition's watermark when checked
	// panicked holds the classifier's panic until the event time is
	// checked: a post outside the time range is rejected for that first.
	panicked string
}

// items takes a batch through decoding, classification and the event-time
// checks. Decoding and classifying depend on nothing but the post, so they
// run Concurrency at a time; the time checks follow in the batch's order,
// since each moves its partition's mark.
func (c *Consumer) items(batch []kafka.Message) []item {
	items := make([]item, len(batch))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(c.cfg.Concurrency, len(batch)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(items) {
					return
				}
				items[i] = decode(batch[i])
				if items[i].reason == "" {
					c.classify(&items[i])
				}
			}
		})
	}
	wg.Wait()
	for i := range items {
		it := &items[i]
		if it.reason != "" {
			continue
		}
		c.checkTime(it)
		if it.reason == "" && it.panicked != "" {
			it.reason, it.errMsg = ReasonClassifierPanic, it.panicked
		}
	}
	return items
}

// handle takes one batch from decoding to commit. It returns an error only
// when ctx ends before the batch is committed.
func (c *Consumer) handle(ctx context.Context, gen *kafka.Generation, w *kafka.Writer, batch []kafka.Message) error {
	items := c.items(batch)

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
		{"commit offsets", false, func(context.Context) error {
			return gen.CommitOffsets(commitOffsets(commits))
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
	c.committedBatch(ctx, items, len(reports), commits)
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
		if !sleep(ctx, backoff(attempt)) {
			return fmt.Errorf("gave up after %d attempts: %w", attempt, err)
		}
		c.log.Warn("batch step failed, retrying", "step", name, "batch", size, "attempt", attempt, "err", err)
	}
}

// decode decodes the post of m into an item, or gives the item its reason.
func decode(m kafka.Message) item {
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
	return it
}

// checkTime checks the event time of a decoded post: against the wall
// clock for the future, and against the newest post of its own partition
// for the past. An accepted post moves its partition's mark and is late when it is
// older than the partition's watermark (the mark minus Lateness). Marks
// depend only on each partition's order, so which posts are late does not
// depend on how partitions interleave. Only a partition's first post that
// arrives while the worker reads is judged by the other partitions' marks
// (see streamMark).
func (c *Consumer) checkTime(it *item) {
	m, t := it.msg, it.post.CreatedAt
	// Only the future is bounded by the clock: a replay is all past, and
	// a post from the future (a local time sent with a Z suffix) would
	// drag the watermark ahead of every real post.
	if ahead := t.Sub(c.cfg.Now()); ahead > c.cfg.MaxAhead {
		it.reason = seismo.ReasonTimeOutOfRange
		it.errMsg = fmt.Sprintf("created_at %s is %s ahead of the clock (skew allowed: %s)",
			t.Format(time.RFC3339), roundDuration(ahead), roundDuration(c.cfg.MaxAhead))
		return
	}
	newest, marked := c.marks[m.Partition]
	if !marked {
		// The first post of a partition has no mark of its own. One that
		// was produced while the worker read is held to the rest of the
		// stream, so that it cannot bring in a post from days before
		// everything else; one of a backlog is not, since partitions of a
		// replayed topic may start days apart. Either sets the mark.
		if ref, ok := c.streamMark(m.Partition); ok && m.Offset >= c.backlog[m.Partition] && ref.Sub(t) > c.cfg.MaxBehind {
			it.reason = seismo.ReasonTimeOutOfRange
			it.errMsg = fmt.Sprintf("created_at %s is %s behind the newest post of the stream (%s, the least of the other partitions' newest), more than %s, and its partition has no newer post",
				t.Format(time.RFC3339), roundDuration(ref.Sub(t)), ref.Format(time.RFC3339), roundDuration(c.cfg.MaxBehind))
			return
		}
		c.marks[m.Partition] = t
		return
	}
	if behind := newest.Sub(t); behind > c.cfg.MaxBehind {
		it.reason = seismo.ReasonTimeOutOfRange
		it.errMsg = fmt.Sprintf("created_at %s is %s behind the newest post of its partition (%s), more than %s",
			t.Format(time.RFC3339), roundDuration(behind), newest.Format(time.RFC3339), roundDuration(c.cfg.MaxBehind))
		return
	}
	it.late = t.Before(newest.Add(-c.cfg.Lateness))
	if t.After(newest) {
		c.marks[m.Partition] = t
	}
}

// streamMark is what a partition p without a mark is judged by: the least
// mark of the other partitions this worker owns that have one, so a
// partition that lags the rest, as one may while a replay is read unevenly,
// never makes it too strict. ok is false when no other partition has a
// mark: a stream whose first posts these are may start anywhere.
func (c *Consumer) streamMark(p int) (ref time.Time, ok bool) {
	for q, t := range c.marks {
		if q != p && (!ok || t.Before(ref)) {
			ref, ok = t, true
		}
	}
	return ref, ok
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

// classify runs the classifier on one post, turning a panic into a dead
// letter so one post cannot stop the consumer.
func (c *Consumer) classify(it *item) {
	defer func() {
		if v := recover(); v != nil {
			it.panicked = fmt.Sprintf("classifier panicked: %v", v)
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
// the committed messages, the highest of each partition. It reports the
// progress at once, so the detector can move on.
func (c *Consumer) committedBatch(ctx context.Context, items []item, counted int, commits []kafka.Message) {
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

	c.mu.Lock()
	own := c.gen
	for _, m := range commits {
		if pt := c.owned(m.Partition); pt != nil {
			pt.next = max(pt.next, m.Offset+1)
			pt.newest = c.marks[m.Partition]
			// A partition that delivered is not silent: its idle
			// countdown starts again when it is next seen caught up.
			pt.caughtSince = time.Time{}
		}
	}
	c.mu.Unlock()
	if own != nil {
		c.report(ctx, own, c.log)
	}
	c.log.Debug("batch committed", "messages", len(items), "counted", counted, "dead", dead, "late", late)
}

// snapshot returns the progress of the partitions owned now, and updates
// when each became caught up.
func (c *Consumer) snapshot() (*ownership, []seismo.PartitionProgress) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == nil {
		return nil, nil
	}
	now := c.cfg.Now()
	ids := make([]int, 0, len(c.gen.parts))
	for p := range c.gen.parts {
		ids = append(ids, p)
	}
	slices.Sort(ids)
	out := make([]seismo.PartitionProgress, 0, len(ids))
	for _, p := range ids {
		pt := c.gen.parts[p]
		pp := seismo.PartitionProgress{Partition: p, Next: pt.next, End: max(pt.end, pt.next), Newest: pt.newest,
			EndAge: now.Sub(pt.endAsked)}
		if !pt.newest.IsZero() {
			pp.Watermark = pt.newest.Add(-c.cfg.Lateness)
		}
		switch {
		case !pp.CaughtUp():
			pt.caughtSince = time.Time{}
		case pt.caughtSince.IsZero():
			pt.caughtSince = now
			fallthrough
		default:
			pp.IdleIn = c.cfg.IdleTimeout - now.Sub(pt.caughtSince)
		}
		out = append(out, pp)
	}
	return c.gen, out
}

// report sends the progress of the partitions of own, if they are still
// owned, once. A failure is logged; the report loop sends again within
// PublishInterval. Partitions a later generation owns are dropped.
func (c *Consumer) report(ctx context.Context, own *ownership, log *slog.Logger) {
	c.reportMu.Lock()
	defer c.reportMu.Unlock()
	cur, parts := c.snapshot()
	if cur != own {
		return // the generation ended
	}
	// The store dates the end offsets from when the report runs, which
	// may be up to the report's timeout after the snapshot: counting that
	// in keeps the date no later than the ask. A report that takes longer
	// fails, and the next one goes out a publish interval later.
	timeout := min(c.cfg.OpTimeout, 2*c.cfg.PublishInterval)
	for i := range parts {
		parts[i].EndAge += timeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	refused, err := c.rec.ReportProgress(ctx, own.owner, parts)
	if err != nil && errors.Is(err, context.Canceled) {
		// The generation or the process ended; the next owner reports.
		log.Debug("progress report abandoned", "err", err)
		return
	}
	if err != nil {
		log.Warn("report progress failed", "err", err)
		return
	}
	for _, pp := range parts {
		if slices.Contains(refused, pp.Partition) {
			continue
		}
		c.m.lag(pp.Partition).Set(float64(pp.End - pp.Next))
		if !pp.Watermark.IsZero() {
			c.m.watermark(pp.Partition).Set(float64(pp.Watermark.UnixMilli()) / 1000)
		}
	}
	if len(refused) > 0 {
		log.Warn("a later consumer-group generation owns partitions; no longer reading them", "partitions", refused)
		c.mu.Lock()
		for _, p := range refused {
			delete(own.parts, p)
		}
		c.mu.Unlock()
		for _, p := range refused {
			c.m.reg.Delete(lagMetric, "partition", strconv.Itoa(p))
			c.m.reg.Delete("seismo_ingest_watermark_seconds", "partition", strconv.Itoa(p))
		}
	}
	c.m.owned.Set(float64(len(parts) - len(refused)))
}

// reportLoop reports progress every PublishInterval until stop ends, after
// asking the broker for the end offsets of the partitions owned: a
// partition that receives nothing is caught up, and stops holding the
// detector's watermark back after IdleTimeout, only if its owner says so.
func (c *Consumer) reportLoop(stop context.Context, own *ownership, client *kafka.Client, log *slog.Logger) {
	t := time.NewTicker(c.cfg.PublishInterval)
	defer t.Stop()
	var lastErr string
	for {
		select {
		case <-stop.Done():
			return
		case <-t.C:
		}
		c.mu.Lock()
		ids := make([]int, 0, len(own.parts))
		for p := range own.parts {
			ids = append(ids, p)
		}
		c.mu.Unlock()
		if len(ids) > 0 {
			ctx, cancel := context.WithTimeout(stop, c.cfg.OpTimeout)
			asked := c.cfg.Now()
			offsets, err := listOffsets(ctx, client, c.cfg.Topic, ids)
			cancel()
			if err != nil && stop.Err() == nil {
				c.mu.Lock()
				c.health.lastFail = err.Error()
				c.mu.Unlock()
			}
			switch {
			case err != nil && err.Error() != lastErr && stop.Err() == nil:
				log.Warn("reading end offsets failed", "err", err)
				lastErr = err.Error()
			case err == nil:
				lastErr = ""
				c.mu.Lock()
				c.health.contact, c.health.lastFail = time.Now(), ""
				for p, o := range offsets {
					if pt := own.parts[p]; pt != nil {
						pt.end, pt.endAsked = max(pt.end, o.LastOffset), asked
					}
				}
				c.mu.Unlock()
			}
		}
		c.report(stop, own, log)
	}
}

// commitOffsets turns the highest message of each partition into the
// offsets to commit: the next one to read.
func commitOffsets(commits []kafka.Message) map[string]map[int]int64 {
	out := map[string]map[int]int64{}
	for _, m := range commits {
		if out[m.Topic] == nil {
			out[m.Topic] = map[int]int64{}
		}
		out[m.Topic][m.Partition] = m.Offset + 1
	}
	return out
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
		msg := strings.TrimSpace(fmt.Sprintf(format, args...)) // some end with a newline; slog adds its own
		lv := level
		if lv > slog.LevelInfo && strings.Contains(msg, "i/o timeout") {
			// A fetch that outlived its deadline on a slow broker: the
			// reader retries it at once, and a broker that stays away
			// shows in the end-offset reads, the lag and /readyz.
			lv = slog.LevelInfo
		}
		if l.Enabled(ctx, lv) {
			l.Log(ctx, lv, msg, "lib", "kafka-go")
		}
	})
}
