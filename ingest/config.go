package ingest

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"
)

// Config configures a Consumer. Zero fields take the values of
// DefaultConfig, so a Config with only Brokers set is complete.
type Config struct {
	// Brokers are the bootstrap brokers, host:port. Required.
	Brokers []string
	// Topic is the posts topic, default seismo.posts.
	Topic string
	// GroupID is the consumer group, default seismo-ingest. Workers of one
	// group share the topic's partitions.
	GroupID string
	// DLQTopic receives every message that could not be counted, default
	// seismo.posts.dlq.
	DLQTopic string
	// WorkerID names this worker in the progress reports of the
	// partitions it owns, default hostname-pid.
	WorkerID string

	// BatchSize is the most messages handled in one batch, default 500.
	BatchSize int
	// BatchWait is how long to wait to fill a batch once one message is in
	// hand, default 50ms.
	BatchWait time.Duration

	// Lateness is the allowed lateness subtracted from the newest event time
	// of a partition to get its watermark, default 30s. A post older than
	// its partition's watermark is recorded with Report.Late set.
	Lateness time.Duration
	// IdleTimeout is how long (wall clock) a partition must stay caught
	// up to its end offset, with nothing delivered, before it stops
	// holding the detector's watermark back, default 10s. A partition
	// behind its end offset always holds it back.
	IdleTimeout time.Duration
	// MaxAhead is the clock skew allowed between sources and this host,
	// default 5m: a post whose created_at is more than this ahead of the
	// wall clock is dead-lettered. Nothing else bounds event time from
	// above: gaps in event time are normal, and a replay is all past.
	MaxAhead time.Duration
	// MaxBehind dead-letters a post whose created_at is more than this
	// behind the newest post of its own partition, default 48h (the
	// counters expire after 72h). The first post of a partition, which
	// has no newer one, is judged against the least of the newest posts of
	// the other partitions the worker owns, when it arrives while the
	// worker reads (not as the first of a backlog).
	MaxBehind time.Duration

	// Concurrency is how many posts of a batch are classified at once,
	// default GOMAXPROCS.
	Concurrency int

	// HeartbeatInterval, SessionTimeout and RebalanceTimeout are the
	// consumer-group timings, defaults 1s, 10s and 5s: short enough that a
	// rebalance in the demo or a test does not take half a minute.
	HeartbeatInterval time.Duration
	SessionTimeout    time.Duration
	RebalanceTimeout  time.Duration

	// PublishInterval is how often the progress of the partitions owned is
	// reported while running, after asking the broker for their end
	// offsets, default 1s. It is reported after every committed batch as
	// well. A report's word that a partition is caught up holds for three
	// intervals.
	PublishInterval time.Duration
	// ShutdownTimeout bounds the work done after the context is cancelled:
	// finishing the batch in hand, committing and leaving the group,
	// default 10s.
	ShutdownTimeout time.Duration
	// OpTimeout bounds each write to the DLQ, the Recorder and each commit,
	// default 10s.
	OpTimeout time.Duration

	// Now is the wall clock, default time.Now. Only idleness, rebalances
	// and the MaxAhead check use it; everything else runs on event time.
	Now func() time.Time
}

// DefaultConfig returns the defaults, without brokers.
func DefaultConfig() Config {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "ingest"
	}
	return Config{
		Topic:             "seismo.posts",
		GroupID:           "seismo-ingest",
		DLQTopic:          "seismo.posts.dlq",
		WorkerID:          fmt.Sprintf("%s-%d", host, os.Getpid()),
		BatchSize:         500,
		BatchWait:         50 * time.Millisecond,
		Lateness:          30 * time.Second,
		IdleTimeout:       10 * time.Second,
		MaxAhead:          5 * time.Minute,
		MaxBehind:         48 * time.Hour,
		Concurrency:       runtime.GOMAXPROCS(0),
		HeartbeatInterval: time.Second,
		SessionTimeout:    10 * time.Second,
		RebalanceTimeout:  5 * time.Second,
		PublishInterval:   time.Second,
		ShutdownTimeout:   10 * time.Second,
		OpTimeout:         10 * time.Second,
		Now:               time.Now,
	}
}

// withDefaults fills zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	setString := func(v *string, def string) {
		if *v == "" {
			*v = def
		}
	}
	setDur := func(v *time.Duration, def time.Duration) {
		if *v == 0 {
			*v = def
		}
	}
	setString(&c.Topic, d.Topic)
	setString(&c.GroupID, d.GroupID)
	setString(&c.DLQTopic, d.DLQTopic)
	setString(&c.WorkerID, d.WorkerID)
	if c.BatchSize == 0 {
		c.BatchSize = d.BatchSize
	}
	if c.Concurrency == 0 {
		c.Concurrency = d.Concurrency
	}
	setDur(&c.BatchWait, d.BatchWait)
	setDur(&c.Lateness, d.Lateness)
	setDur(&c.IdleTimeout, d.IdleTimeout)
	setDur(&c.MaxAhead, d.MaxAhead)
	setDur(&c.MaxBehind, d.MaxBehind)
	setDur(&c.HeartbeatInterval, d.HeartbeatInterval)
	setDur(&c.SessionTimeout, d.SessionTimeout)
	setDur(&c.RebalanceTimeout, d.RebalanceTimeout)
	setDur(&c.PublishInterval, d.PublishInterval)
	setDur(&c.ShutdownTimeout, d.ShutdownTimeout)
	setDur(&c.OpTimeout, d.OpTimeout)
	if c.Now == nil {
		c.Now = d.Now
	}
	return c
}

// Validate reports every problem with the config, after zero fields
// have taken their defaults.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	if len(c.Brokers) == 0 {
		errs = append(errs, errors.New("no brokers"))
	}
	for _, b := range c.Brokers {
		if b == "" {
			errs = append(errs, errors.New("empty broker address"))
		}
	}
	if c.Topic == c.DLQTopic {
		errs = append(errs, fmt.Errorf("topic and DLQ topic are both %q", c.Topic))
	}
	if c.BatchSize < 0 {
		errs = append(errs, fmt.Errorf("batch size %d is negative", c.BatchSize))
	}
	if c.Concurrency < 0 {
		errs = append(errs, fmt.Errorf("concurrency %d is negative", c.Concurrency))
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"batch wait", c.BatchWait}, {"lateness", c.Lateness}, {"idle timeout", c.IdleTimeout},
		{"max ahead", c.MaxAhead}, {"max behind", c.MaxBehind},
		{"heartbeat interval", c.HeartbeatInterval}, {"session timeout", c.SessionTimeout},
		{"rebalance timeout", c.RebalanceTimeout}, {"publish interval", c.PublishInterval},
		{"shutdown timeout", c.ShutdownTimeout}, {"op timeout", c.OpTimeout},
	} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("%s %s is negative", d.name, d.v))
		}
	}
	if c.HeartbeatInterval >= c.SessionTimeout {
		errs = append(errs, fmt.Errorf("heartbeat interval %s must be shorter than session timeout %s",
			c.HeartbeatInterval, c.SessionTimeout))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("ingest config: %w", err)
	}
	return nil
}
