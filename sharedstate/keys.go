package sharedstate

import (
	"context"
	"strings"

	"github.com/decoy-mock/decoy/scenarios"
	"github.com/redis/go-redis/v9"
)

// scanCount is the COUNT hint of each SCAN round of Keys.
const scanCount = 1000

// maxScanRounds bounds the SCAN rounds of one Keys call, so that listing
// the clients of a Redis that holds millions of keys costs a bounded
// number of round trips (about maxScanRounds × scanCount keys looked at)
// instead of a walk of the whole database. Keys then says it left some out.
const maxScanRounds = 100

// Keys implements scenarios.Counters: it walks the call-count keys of the
// namespace with SCAN (never KEYS, which would block Redis on a large
// database), a bounded number of rounds each with its own timeout, keeps
// those of q.Rules whose key starts with q.Prefix (and that q.Keep keeps),
// and reads when each was last counted from its remaining time to live
// (one pipeline of PTTL): a counter key lives the counter TTL after its
// last call. Counters of rules that are no longer loaded (an edited
// scenario, another version of the files) are skipped. It returns an
// error wrapping ErrUnavailable when Redis cannot be reached in time.
func (s *Redis) Keys(ctx context.Context, q scenarios.KeyQuery) ([]scenarios.KeyUse, bool, error) {
	if q.Limit <= 0 || len(q.Rules) == 0 {
		return nil, false, nil
	}
	byID := make(map[string]*scenarios.Rule, len(q.Rules))
	for _, r := range q.Rules {
		byID[r.ID()] = r
	}
	base := s.prefix + "n:"
	match := base + "*"
	if q.Prefix != "" {
		match = base + "*" + keySep + globEscape(q.Prefix) + "*"
	}
	var out []scenarios.KeyUse
	var names []string
	seen := map[string]bool{} // SCAN may return a key twice
	more := false
	var cursor uint64
	// Each round is its own operation, with its own timeout: a walk of a
	// large database is many quick round trips, not one long one.
	for round := 0; ; round++ {
		if round == maxScanRounds {
			more = true
			break
		}
		var keys []string
		var next uint64
		err := s.do(ctx, func(ctx context.Context) error {
			var err error
			keys, next, err = s.client.Scan(ctx, cursor, match, scanCount).Result()
			return err
		})
		if err != nil {
			return nil, false, err
		}
		for _, k := range keys {
			id, key, ok := strings.Cut(strings.TrimPrefix(k, base), keySep)
			r := byID[id]
			if !ok || r == nil || !strings.HasPrefix(key, q.Prefix) || seen[k] {
				continue
			}
			seen[k] = true
			if q.Keep != nil && !q.Keep(r, key) {
				continue
			}
			if len(out) == q.Limit {
				more = true
				break
			}
			out = append(out, scenarios.KeyUse{Rule: r, Key: key})
			names = append(names, k)
		}
		if more || next == 0 {
			break
		}
		cursor = next
	}
	if len(names) == 0 {
		return out, more, nil
	}
	err := s.do(ctx, func(ctx context.Context) error {
		p := s.client.Pipeline()
		ttls := make([]*redis.DurationCmd, len(names))
		for i, k := range names {
			ttls[i] = p.PTTL(ctx, k)
		}
		if _, err := p.Exec(ctx); err != nil && err != redis.Nil {
			return err
		}
		for i, c := range ttls {
			if left := c.Val(); left > 0 && left <= s.ttl {
				out[i].Seen = q.Now.Add(left - s.ttl)
			}
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return out, more, nil
}
