package detect

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// keyReporterKey holds the reporter key workers share (SharedReporterKey).
const keyReporterKey = "reporter-key"

// reporterKeyTTL keeps a shared reporter key through long pauses: a new key
// would count every returning author as a new reporter.
const reporterKeyTTL = 400 * 24 * time.Hour

// SharedReporterKey returns the reporter key that every worker on this
// Redis hashes authors with, kept at <prefix>:reporter-key. The first store
// to ask offers its own ReporterKey and every later one gets that key (the
// first writer wins); each call renews its TTL (400 days). Workers hashing
// with different keys would count one account once per worker, so a
// worker without a configured key makes a store with a random one, asks,
// and hashes with the answer.
func (s *Store) SharedReporterKey(ctx context.Context) ([]byte, error) {
	key := s.key(keyReporterKey)
	var get *redis.StringCmd
	_, err := s.rdb.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
		pipe.SetNX(ctx, key, s.cfg.ReporterKey, reporterKeyTTL)
		get = pipe.Get(ctx, key)
		pipe.Expire(ctx, key, reporterKeyTTL)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("share reporter key: %w", err)
	}
	return get.Bytes()
}
