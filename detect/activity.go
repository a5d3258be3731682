package detect

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/seismo-dev/seismo"
)

// maxActivityMinutes bounds one Activity read: one minute bucket per minute.
const maxActivityMinutes = 24 * 60

// Activity returns the activity of one series in the minutes of [from, to),
// at most a day of them, with up to samples sample posts, newest first.
// Buckets live BucketTTL and samples SampleTTL, so older spans come back
// empty.
func (s *Store) Activity(ctx context.Context, service, country string, from, to time.Time, samples int) (seismo.Activity, error) {
	act := seismo.Activity{Problems: []seismo.ProblemShare{}, Languages: []seismo.LanguageShare{}, Samples: []seismo.Sample{}}
	sr, err := seriesOf(service, country)
	if err != nil {
		return act, err
	}
	lo, hi := unixMinute(from), unixMinute(to.Add(-time.Nanosecond))
	if hi < lo {
		return act, nil
	}
	if hi-lo+1 > maxActivityMinutes {
		return act, seismo.Invalid(fmt.Sprintf("activity span is %d minutes, limit %d", hi-lo+1, maxActivityMinutes))
	}
	pipe := s.rdb.Pipeline()
	buckets := make([]*redis.MapStringStringCmd, 0, hi-lo+1)
	lists := make([]*redis.StringSliceCmd, 0, hi-lo+1)
	for m := hi; m >= lo; m-- { // newest first, as samples are shown
		buckets = append(buckets, pipe.HGetAll(ctx, s.minuteKey(sr, "b", m)))
		if samples > 0 {
			lists = append(lists, pipe.LRange(ctx, s.minuteKey(sr, "s", m), 0, -1))
		}
	}
	if err := execPipeline(ctx, pipe); err != nil {
		return act, fmt.Errorf("read activity of %s: %w", sr, err)
	}
	problems, langs := map[seismo.Problem]int64{}, map[string]int64{}
	for _, b := range buckets {
		for f, v := range b.Val() {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				continue
			}
			switch {
			case f == "complaints":
				act.Complaints += n
			case strings.HasPrefix(f, "p:"):
				problems[seismo.Problem(f[2:])] += n
			case strings.HasPrefix(f, "l:"):
				langs[f[2:]] += n
			}
		}
	}
	share := func(n int64) float64 {
		if act.Complaints == 0 {
			return 0
		}
		return float64(n) / float64(act.Complaints)
	}
	for p, n := range problems {
		act.Problems = append(act.Problems, seismo.ProblemShare{Problem: p, Complaints: int(n), Share: share(n)})
	}
	slices.SortFunc(act.Problems, func(a, b seismo.ProblemShare) int {
		return cmp.Or(cmp.Compare(b.Complaints, a.Complaints), cmp.Compare(a.Problem, b.Problem))
	})
	for l, n := range langs {
		act.Languages = append(act.Languages, seismo.LanguageShare{Lang: l, Complaints: n, Share: share(n)})
	}
	slices.SortFunc(act.Languages, func(a, b seismo.LanguageShare) int {
		return cmp.Or(cmp.Compare(b.Complaints, a.Complaints), cmp.Compare(a.Lang, b.Lang))
	})
	for _, l := range lists {
		for _, raw := range l.Val() {
			if len(act.Samples) >= samples {
				break
			}
			var sm seismo.Sample
			if err := json.Unmarshal([]byte(raw), &sm); err != nil {
				continue // written by this package; a bad one is skipped, not fatal
			}
			act.Samples = append(act.Samples, sm)
		}
	}
	return act, nil
}
