package seismo

import "time"

// PartitionProgress is how far ingest has got in one partition of the posts
// topic, as the worker that owns the partition reports it. The detector's
// watermark is derived from the progress of every partition of the topic,
// whoever consumes them, so it is a property of the stream.
type PartitionProgress struct {
	Partition int
	// Next is the offset of the next message to handle: every message
	// before it is recorded or dead-lettered, and committed.
	Next int64
	// End is the partition's end offset (the offset the next message
	// produced to it will get) when last seen.
	End int64
	// Newest is the newest created_at among the valid posts before Next,
	// zero before the first.
	Newest time.Time
	// Watermark is Newest minus the allowed lateness: a post of the
	// partition older than it is late. Zero before the first post.
	Watermark time.Time
	// IdleIn is, for a partition that is caught up (Next >= End), how long
	// until it has been caught up for the idle timeout; zero or negative
	// when it has. An idle partition no longer holds the watermark back.
	IdleIn time.Duration
	// EndAge is how long before the report End was asked of the broker:
	// being caught up to it says nothing of posts produced since, so an
	// idle partition lets the watermark pass only as far as the rest of
	// the stream had got by then.
	EndAge time.Duration
}

// CaughtUp reports whether every message of the partition that existed
// when End was seen has been handled.
func (p PartitionProgress) CaughtUp() bool { return p.Next >= p.End }

// PartitionOwner is the worker that reports progress, and the consumer-group
// generation in which it owns the partitions it reports. A report from an
// older generation than the stored one is refused while the newer owner is
// alive, so a worker that lost a partition cannot report on it.
type PartitionOwner struct {
	Topic      string
	Worker     string
	Generation int32
	// Partitions is how many partitions the topic has.
	Partitions int
	// StaleAfter is how long after its last report the owner counts as
	// gone (the consumer group's session timeout): its generation no
	// longer blocks reports of older ones.
	StaleAfter time.Duration
	// FreshFor is how long a report's word that a partition is caught up
	// holds (a few report intervals): once the owner stops reporting,
	// messages may be arriving that nobody reads, so its idle partitions
	// hold the watermark back again long before another worker can take
	// them over.
	FreshFor time.Duration
}
