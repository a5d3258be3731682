package detect

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/seismo-dev/seismo"
)

// GroupsOf maps each service with a parent company to its detection group:
// the parent's name, lower-cased, with anything but [a-z0-9._-] turned into
// '-'. A service without a parent is a group of its own, named by its id.
//
// A group is the detector's unit of state and of atomicity: its series'
// lifecycles, baselines and chart records, its incidents' working state,
// and one minute's write of all of them, live under one Redis hash tag (see
// Store). Services of one company share a group so that their incidents
// can be related (see Detector) in the same transaction that opens them,
// wherever shards fall.
func GroupsOf(services []seismo.Service) map[string]string {
	out := map[string]string{}
	for _, sv := range services {
		if sv.Parent == "" {
			continue
		}
		out[sv.ID] = groupName(sv.Parent)
	}
	return out
}

func groupName(parent string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(parent)) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	if b.Len() == 0 {
		return "-"
	}
	return b.String()
}

// ShardOf returns the shard, of n, that evaluates a detection group: FNV-1a
// of its name, so every process places every group the same way.
func ShardOf(group string, n int) int {
	if n <= 1 {
		return 0
	}
	return memberShard(group, n)
}

// firsts are the first minutes with data on time, as Record keeps them.
type firsts struct {
	all      int64            // of all the data
	ok       bool             // false while there is none
	services map[string]int64 // of each service
	groups   map[string]int64 // of each detection group: its services' earliest
}

// readFirsts reads the first minutes with data. Once the watermark is past
// a minute, none of them can move to it or before it: a post on time is
// never behind the watermark.
func (s *Store) readFirsts(ctx context.Context) (firsts, error) {
	zs, err := s.rdb.ZRangeWithScores(ctx, s.key(keyFirst), 0, -1).Result()
	if err != nil {
		return firsts{}, fmt.Errorf("read the services' first minutes: %w", err)
	}
	f := firsts{services: map[string]int64{}, groups: map[string]int64{}}
	for _, z := range zs {
		member, _ := z.Member.(string)
		m := int64(z.Score)
		if member == firstMember {
			f.all, f.ok = m, true
			continue
		}
		if svc, found := strings.CutPrefix(member, prefixServiceFirst); found {
			f.services[svc] = m
			g := s.group(svc)
			if cur, seen := f.groups[g]; !seen || m < cur {
				f.groups[g] = m
			}
		}
	}
	return f, nil
}

// activeSeries lists the series of every group with data on time at or
// after minute from, from the groups' series indexes.
func (s *Store) activeSeries(ctx context.Context, from int64) ([]string, error) {
	f, err := s.readFirsts(ctx)
	if err != nil || len(f.groups) == 0 {
		return nil, err
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.StringSliceCmd, 0, len(f.groups))
	for _, g := range slices.Sorted(maps.Keys(f.groups)) {
		cmds = append(cmds, pipe.ZRangeByScore(ctx, s.indexKey(g), &redis.ZRangeBy{
			Min: strconv.FormatInt(from, 10), Max: "+inf"}))
	}
	if err := execPipeline(ctx, pipe); err != nil {
		return nil, fmt.Errorf("read the series indexes: %w", err)
	}
	var out []string
	for _, c := range cmds {
		out = append(out, c.Val()...)
	}
	return out, nil
}
