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
// X-Decoy-Client key client: see ClientsCounters, of which it is the
// one-client case.
func (s *Set) ClientCounters(ctx context.Context, client string) ([]CounterState, error) {
	all, err := s.ClientsCounters(ctx, []string{client})
	return all[client], err
}

// ClientsCounters returns, for each X-Decoy-Client key of clients, the
// counters every rule keeps for it, in scenario and rule order, leaving
// out rules that counted nothing for it (and clients with none). It reads
// the counters where they live (memory or the shared store, in one round
// trip for all when the store is a BatchReader) without changing them. A
// rule with its own `key:` (other than the client) keeps one counter per
// key value inside the client; KeyCounters lists those. It returns an
// error when the store cannot be reached.
func (s *Set) ClientsCounters(ctx context.Context, clients []string) (map[string][]CounterState, error) {
	out := map[string][]CounterState{}
	if s == nil {
		return out, nil
	}
	now := s.now()
	var calls []Call
	var whose []string
	for _, client := range clients {
		if client == "" {
			continue
		}
		key := normalizeKey(client)
		for _, name := range s.names {
			for _, r := range s.byName[name].Rules {
				if r.Key.Kind == KeyShared || r.Key.Kind == KeyClient {
					calls = append(calls, Call{Rule: r, Key: key, Now: now})
					whose = append(whose, client)
				}
			}
		}
	}
	read, err := s.readAll(ctx, calls)
	if err != nil {
		return nil, err
	}
	for i, rd := range read {
		if rd.OK {
			out[whose[i]] = append(out[whose[i]], stateOf(calls[i].Rule, rd.Tally))
		}
	}
	return out, nil
}

// stateOf is what r counted, as CounterState shows it.
func stateOf(r *Rule, t Tally) CounterState {
	st := CounterState{Rule: r.String(), Scenario: r.Scenario, Calls: t.Calls, Fired: t.Fired}
	if r.RateLimit != nil {
		rl := t.RateLimit
		st.RateLimit = &rl
	}
	return st
}

// A BatchReader is a Counters that reads many counters in one round trip,
// as a shared store does: the list of clients reads every client's
// counters at once, not one round trip per client and rule.
type BatchReader interface {
	// ReadBatch reads each call's counters as Counters.Read does, the
	// answers in the calls' order.
	ReadBatch(ctx context.Context, calls []Call) ([]Reading, error)
}

// Reading is what Counters.Read answers for one call.
type Reading struct {
	Tally Tally
	// OK is false when the store holds nothing for the call's key.
	OK bool
}

// readAll reads calls with the store's ReadBatch when it has one, else
// one Read at a time.
func (s *Set) readAll(ctx context.Context, calls []Call) ([]Reading, error) {
	if len(calls) == 0 {
		return nil, nil
	}
	if b, ok := s.counters.(BatchReader); ok {
		read, err := b.ReadBatch(ctx, calls)
		if err != nil {
			return nil, fmt.Errorf("reading %d counters: %w", len(calls), err)
		}
		return read, nil
	}
	out := make([]Reading, len(calls))
	for i, c := range calls {
		t, ok, err := s.counters.Read(ctx, c)
		if err != nil {
			return nil, fmt.Errorf("reading the counters of rule %s: %w", c.Rule, err)
		}
		out[i] = Reading{Tally: t, OK: ok}
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
	calls := make([]Call, len(keys))
	for i, k := range keys {
		calls[i] = Call{Rule: k.Rule, Key: k.Key, Now: now}
	}
	read, err := s.readAll(ctx, calls)
	if err != nil {
		return nil, err
	}
	for i, k := range keys {
		if !read[i].OK {
			continue // expired since it was listed
		}
		part, value, _ := strings.Cut(k.Key, keySep)
		c := byKey[part]
		st := stateOf(k.Rule, read[i].Tally)
		st.Key, st.KeyValue = k.Rule.Key, value
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
