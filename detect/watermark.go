package detect

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/seismo-dev/seismo"
)

// staleWorkers is how many WorkerTTLs after its last heartbeat a worker's
// entry is deleted; until then it is only ignored.
const staleWorkers = 100

// watermarkTTL keeps the watermark hash from outliving all workers forever.
const watermarkTTL = 24 * time.Hour

// PublishWatermark records worker's event-time watermark with a wall-clock
// heartbeat.
func (s *Store) PublishWatermark(ctx context.Context, worker string, wm time.Time) error {
	if worker == "" {
		return seismo.Invalid("watermark worker id is empty")
	}
	now, err := s.now(ctx)
	if err != nil {
		return fmt.Errorf("publish watermark of %s: %w", worker, err)
	}
	v := strconv.FormatInt(wm.UnixMilli(), 10) + ":" + strconv.FormatInt(now.UnixMilli(), 10)
	pipe := s.rdb.Pipeline()
	pipe.HSet(ctx, s.key(keyWatermark), worker, v)
	pipe.Expire(ctx, s.key(keyWatermark), watermarkTTL)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("publish watermark of %s: %w", worker, err)
	}
	return nil
}

// Watermark returns the minimum watermark over the workers whose heartbeat
// is younger than WorkerTTL; ok is false when no live worker has published.
// Entries of workers long gone are deleted on the way.
func (s *Store) Watermark(ctx context.Context) (wm time.Time, ok bool, err error) {
	all, err := s.rdb.HGetAll(ctx, s.key(keyWatermark)).Result()
	if err != nil {
		return time.Time{}, false, fmt.Errorf("read watermarks: %w", err)
	}
	now, err := s.now(ctx)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("read watermarks: %w", err)
	}
	var stale []string
	for worker, v := range all {
		w, hb, perr := parseWatermark(v)
		age := now.Sub(hb)
		switch {
		case perr != nil || age > staleWorkers*s.cfg.WorkerTTL:
			stale = append(stale, worker)
		case age < s.cfg.WorkerTTL && (!ok || w.Before(wm)):
			wm, ok = w, true
		}
	}
	if len(stale) > 0 {
		if err := s.rdb.HDel(ctx, s.key(keyWatermark), stale...).Err(); err != nil {
			return time.Time{}, false, fmt.Errorf("delete stale watermarks: %w", err)
		}
	}
	return wm, ok, nil
}

// now returns the heartbeat clock: StoreConfig.Now, or the Redis server's
// time.
func (s *Store) now(ctx context.Context) (time.Time, error) {
	if s.cfg.Now != nil {
		return s.cfg.Now(), nil
	}
	t, err := s.rdb.Time(ctx).Result()
	if err != nil {
		return time.Time{}, fmt.Errorf("read the Redis clock: %w", err)
	}
	return t, nil
}

func parseWatermark(v string) (wm, heartbeat time.Time, err error) {
	a, b, found := strings.Cut(v, ":")
	if !found {
		return time.Time{}, time.Time{}, fmt.Errorf("watermark %q: no heartbeat", v)
	}
	w, err := strconv.ParseInt(a, 10, 64)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("watermark %q: %w", v, err)
	}
	h, err := strconv.ParseInt(b, 10, 64)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("watermark %q: %w", v, err)
	}
	return time.UnixMilli(w).UTC(), time.UnixMilli(h), nil
}
