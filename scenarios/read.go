package scenarios

import (
	"context"
	"fmt"
)

// CounterState is what one rule's counters hold for one client, for the
// dashboard and GET /__decoy/clients.
type CounterState struct {
	// Rule names the rule: "rate-limited#0".
	Rule string
	// Scenario is the scenario the rule belongs to.
	Scenario string
	// Calls is the number of calls the rule counted for the client.
	Calls uint64
	// Fired is the number of those calls the rule affected (for a rate
	// limit: refused).
	Fired uint64
	// RateLimit is the client's window now, for a rule with a rate limit;
	// nil otherwise.
	RateLimit *RateLimitInfo
}

// ClientCounters returns the counters every rule keeps for the
// X-Decoy-Client key client, in scenario and rule order, leaving out rules
// that counted nothing for it. It reads the counters where they live
// (memory or the shared store) without changing them. A rule with its own
// `key:` (other than the client) keeps one counter per key value inside
// the client; those are not listed. It returns an error naming the rule
// when the store cannot be reached.
func (s *Set) ClientCounters(ctx context.Context, client string) ([]CounterState, error) {
	if s == nil || client == "" {
		return nil, nil
	}
	key := normalizeKey(client)
	now := s.now()
	var out []CounterState
	for _, name := range s.names {
		for _, r := range s.byName[name].Rules {
			if r.Key.Kind != KeyShared && r.Key.Kind != KeyClient {
				continue
			}
			t, ok, err := s.counters.Read(ctx, Call{Rule: r, Key: key, Now: now})
			if err != nil {
				return nil, fmt.Errorf("reading the counters of rule %s: %w", r, err)
			}
			if !ok {
				continue
			}
			st := CounterState{Rule: r.String(), Scenario: r.Scenario, Calls: t.Calls, Fired: t.Fired}
			if r.RateLimit != nil {
				rl := t.RateLimit
				st.RateLimit = &rl
			}
			out = append(out, st)
		}
	}
	return out, nil
}
