package mockserver

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// maxListedClients bounds GET /__decoy/clients: the clients switched into
// a scenario, then the most recently seen, are listed; "more" says others
// were left out.
const maxListedClients = 200

// clientList returns the clients of GET /__decoy/clients, sorted by key,
// and whether some were left out. A client is listed where its state is:
// switched into a scenario, holding live counters or rate-limit windows
// (in memory or the shared store, read by Set.Clients), or seen in the
// journal. The journal alone would lose a client whose exchanges it no
// longer holds (evicted, or cleared by DELETE /__decoy/requests) while its
// counters still limit it. The clients switched into a scenario come
// first, so that a choice can always be undone from the list; the others
// by their latest call. It returns a 503 problem when the shared state
// cannot be reached.
func (s *Server) clientList(ctx context.Context, st *state) ([]ClientInfo, bool, error) {
	chosen, err := s.clients.all(ctx)
	if err != nil {
		return nil, false, sharedStateError(err)
	}
	counted, more, err := st.scenarios.Clients(ctx, maxListedClients)
	if err != nil {
		return nil, false, sharedStateError(err)
	}
	j, err := s.journalView(ctx, st.spec)
	if err != nil {
		return nil, false, err
	}
	type candidate struct {
		requests int
		seen     time.Time
	}
	all := map[string]*candidate{}
	get := func(client string) *candidate {
		c := all[client]
		if c == nil {
			c = &candidate{}
			all[client] = c
		}
		return c
	}
	for _, e := range j.Entries(Filter{}) {
		if e.Client != "" {
			c := get(e.Client)
			c.requests++
			if e.Time.After(c.seen) {
				c.seen = e.Time
			}
		}
	}
	for _, cs := range counted {
		if c := get(cs.Client); cs.Seen.After(c.seen) {
			c.seen = cs.Seen
		}
	}
	for client := range chosen {
		get(client)
	}
	keys := make([]string, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		_, ca := chosen[a]
		_, cb := chosen[b]
		switch {
		case ca && !cb:
			return -1
		case cb && !ca:
			return 1
		}
		if c := all[b].seen.Compare(all[a].seen); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	if len(keys) > maxListedClients {
		keys, more = keys[:maxListedClients], true
	}
	slices.Sort(keys)
	own, err := st.scenarios.ClientsCounters(ctx, keys)
	if err != nil {
		return nil, false, sharedStateError(err)
	}
	keyed, err := st.scenarios.KeyCounters(ctx, keys, maxKeyedCounters)
	if err != nil {
		return nil, false, sharedStateError(err)
	}
	list := make([]ClientInfo, len(keys))
	for i, k := range keys {
		list[i] = ClientInfo{Client: k, Scenario: chosen[k], Requests: all[k].requests,
			Counters: s.clientCounters(st, own[k], keyed[k].Counters), MoreKeyed: keyed[k].More}
	}
	return list, more, nil
}

// clientInfo returns one client as GET /__decoy/clients lists it, whether
// or not it is in the list: its scenario, its exchanges in the journal and
// its counters (an empty list for none). It returns a 503 problem when the
// shared state cannot be reached.
func (s *Server) clientInfo(ctx context.Context, st *state, client string) (ClientInfo, error) {
	chosen, err := s.clients.all(ctx)
	if err != nil {
		return ClientInfo{}, sharedStateError(err)
	}
	j, err := s.journalView(ctx, st.spec)
	if err != nil {
		return ClientInfo{}, err
	}
	own, err := st.scenarios.ClientCounters(ctx, client)
	if err != nil {
		return ClientInfo{}, sharedStateError(err)
	}
	keyed, more, err := st.scenarios.ClientKeyCounters(ctx, client, maxKeyedCounters)
	if err != nil {
		return ClientInfo{}, sharedStateError(err)
	}
	return ClientInfo{Client: client, Scenario: chosen[client], Requests: len(j.Entries(Filter{Client: client})),
		Counters: s.clientCounters(st, own, keyed), MoreKeyed: more}, nil
}
