package detect

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"
)

// prefixRelay starts the key of a relay's cursor: "relay:<name>".
const prefixRelay = "relay:"

// RelayCursor is how far a relay of the incident event stream has got: the
// stream id of the last event it delivered. It is kept in Redis so that the
// next leader's relay resumes where the last one stopped.
type RelayCursor struct {
	s   *Store
	key string
}

// RelayCursor returns the cursor of the relay called name (the topic it
// writes to), kept at <prefix>:relay:<name>. It expires IncidentTTL after
// its last move, like the events it points into.
func (s *Store) RelayCursor(name string) *RelayCursor {
	return &RelayCursor{s: s, key: s.key(prefixRelay + name)}
}

// Load returns the saved stream id, or "0" (the start of the stream) when
// none is.
func (c *RelayCursor) Load(ctx context.Context) (string, error) {
	id, err := c.s.rdb.Get(ctx, c.key).Result()
	if errors.Is(err, redis.Nil) {
		return "0", nil
	}
	return id, err
}

// Save stores id, the stream id of the last event delivered.
func (c *RelayCursor) Save(ctx context.Context, id string) error {
	return c.s.rdb.Set(ctx, c.key, id, c.s.cfg.IncidentTTL).Err()
}
