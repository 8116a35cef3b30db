package scenarios

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
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
	// Key is the rule's own key, for the counters it keeps per value of
	// it (ClientKeyCounters); the zero Key otherwise.
	Key Key
	// KeyValue is the value of Key those counters are kept for, as they
	// are kept: its SHA-256 when longer than 64 bytes, "" for the calls
	// that did not carry it. It is often a credential: the caller masks it
	// before showing it.
	KeyValue string
}

// ClientCounters returns the counters every rule keeps for the
// X-Decoy-Client key client, in scenario and rule order, leaving out rules
// that counted nothing for it. It reads the counters where they live
// (memory or the shared store) without changing them. A rule with its own
// `key:` (other than the client) keeps one counter per key value inside
// the client; ClientKeyCounters lists those. It returns an error naming
// the rule when the store cannot be reached.
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

// ClientKeyCounters returns the counters that the rules with their own key
// (`key: header:NAME` or `key: ip`) keep inside the X-Decoy-Client key
// client, one per value of the key, read where they live without changing
// them: at most limit of them, in scenario and rule order, then by value;
// more reports that others were left out. It returns an error when the
// store cannot be reached.
func (s *Set) ClientKeyCounters(ctx context.Context, client string, limit int) (counters []CounterState, more bool, err error) {
	if s == nil || client == "" || limit <= 0 {
		return nil, false, nil
	}
	order := map[*Rule]int{}
	var rules []*Rule
	for _, name := range s.names {
		for _, r := range s.byName[name].Rules {
			if r.Key.Kind == KeyHeader || r.Key.Kind == KeyIP {
				order[r] = len(rules)
				rules = append(rules, r)
			}
		}
	}
	if len(rules) == 0 {
		return nil, false, nil
	}
	now := s.now()
	prefix := normalizeKey(client) + keySep
	keys, more, err := s.counters.Keys(ctx, KeyQuery{Rules: rules, Prefix: prefix, Limit: limit, Now: now})
	if err != nil {
		return nil, false, fmt.Errorf("listing the key values of client %q: %w", client, err)
	}
	slices.SortFunc(keys, func(a, b KeyUse) int {
		if c := cmp.Compare(order[a.Rule], order[b.Rule]); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	for _, k := range keys {
		r := k.Rule
		t, ok, err := s.counters.Read(ctx, Call{Rule: r, Key: k.Key, Now: now})
		if err != nil {
			return nil, false, fmt.Errorf("reading the counters of rule %s: %w", r, err)
		}
		if !ok {
			continue // expired since it was listed
		}
		st := CounterState{Rule: r.String(), Scenario: r.Scenario, Calls: t.Calls, Fired: t.Fired,
			Key: r.Key, KeyValue: strings.TrimPrefix(k.Key, prefix)}
		if r.RateLimit != nil {
			rl := t.RateLimit
			st.RateLimit = &rl
		}
		counters = append(counters, st)
	}
	return counters, more, nil
}
