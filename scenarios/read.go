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

// KeyedCounters are the counters that rules with their own key keep
// inside one client, one per value of the key (see Set.KeyCounters).
type KeyedCounters struct {
	Counters []CounterState
	// More says that some were left out.
	More bool
}

// ClientKeyCounters returns the counters that the rules with their own key
// (`key: header:NAME` or `key: ip`) keep inside the X-Decoy-Client key
// client, one per value of the key: see KeyCounters, of which it is the
// one-client case.
func (s *Set) ClientKeyCounters(ctx context.Context, client string, limit int) ([]CounterState, bool, error) {
	all, err := s.KeyCounters(ctx, []string{client}, limit)
	if err != nil {
		return nil, false, err
	}
	k := all[client]
	return k.Counters, k.More, nil
}

// KeyCounters returns, for each X-Decoy-Client key of clients, the
// counters that the rules with their own key (`key: header:NAME` or
// `key: ip`) keep inside it, one per value of the key, read where they
// live without changing them: at most perClient per client, in scenario
// and rule order, then by value. It walks the store's keys once for all
// the clients (a shared store's walk costs round trips). A client with
// none is left out of the map. It returns an error when the store cannot
// be reached.
func (s *Set) KeyCounters(ctx context.Context, clients []string, perClient int) (map[string]KeyedCounters, error) {
	out := map[string]KeyedCounters{}
	if s == nil || len(clients) == 0 || perClient <= 0 {
		return out, nil
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
		return out, nil
	}
	byKey := map[string]string{} // the client part of a counter key → client
	for _, c := range clients {
		if c != "" {
			byKey[normalizeKey(c)] = c
		}
	}
	taken, more := map[string]int{}, map[string]bool{}
	keep := func(_ *Rule, key string) bool {
		part, _, ok := strings.Cut(key, keySep)
		c, wanted := byKey[part]
		if !ok || !wanted {
			return false
		}
		if taken[c] == perClient {
			more[c] = true
			return false
		}
		taken[c]++
		return true
	}
	now := s.now()
	prefix := ""
	if len(byKey) == 1 {
		for k := range byKey {
			prefix = k + keySep // lets a shared store match one client's keys only
		}
	}
	keys, cut, err := s.counters.Keys(ctx, KeyQuery{Rules: rules, Prefix: prefix, Keep: keep, Limit: len(byKey) * perClient, Now: now})
	if err != nil {
		return nil, fmt.Errorf("listing the counters per key value of %d clients: %w", len(byKey), err)
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
			return nil, fmt.Errorf("reading the counters of rule %s: %w", r, err)
		}
		if !ok {
			continue // expired since it was listed
		}
		part, value, _ := strings.Cut(k.Key, keySep)
		c := byKey[part]
		st := CounterState{Rule: r.String(), Scenario: r.Scenario, Calls: t.Calls, Fired: t.Fired, Key: r.Key, KeyValue: value}
		if r.RateLimit != nil {
			rl := t.RateLimit
			st.RateLimit = &rl
		}
		kc := out[c]
		kc.Counters = append(kc.Counters, st)
		out[c] = kc
	}
	for _, c := range byKey {
		// A walk the store cut short may have missed any client's values.
		if more[c] || cut {
			kc := out[c]
			kc.More = true
			out[c] = kc
		}
	}
	return out, nil
}
