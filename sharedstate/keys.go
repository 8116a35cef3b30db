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
// database), a bounded number of rounds, keeps those of q.Rules whose key
// starts with q.Prefix, and reads when each was last counted from its
// remaining time to live (one pipeline of PTTL): a counter key lives the
// counter TTL after its last call. Counters of rules that are no longer
// loaded (an edited scenario, another version of the files) are skipped.
// It returns an error wrapping ErrUnavailable when Redis cannot be
// reached in time.
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
	more := false
	err := s.do(ctx, func(ctx context.Context) error {
		out, names, more = out[:0], names[:0], false
		seen := map[string]bool{} // SCAN may return a key twice
		var cursor uint64
		for round := 0; ; round++ {
			if round == maxScanRounds {
				more = true
				break
			}
			keys, next, err := s.client.Scan(ctx, cursor, match, scanCount).Result()
			if err != nil {
				return err
			}
			for _, k := range keys {
				id, key, ok := strings.Cut(strings.TrimPrefix(k, base), keySep)
				r := byID[id]
				if !ok || r == nil || !strings.HasPrefix(key, q.Prefix) || seen[k] {
					continue
				}
				if len(out) == q.Limit {
					more = true
					break
				}
				seen[k] = true
				out = append(out, scenarios.KeyUse{Rule: r, Key: key})
				names = append(names, k)
			}
			if more || next == 0 {
				break
			}
			cursor = next
		}
		if len(names) == 0 {
			return nil
		}
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
