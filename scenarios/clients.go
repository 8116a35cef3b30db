package scenarios

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ClientSeen is an X-Decoy-Client key that holds counters.
type ClientSeen struct {
	// Client is the X-Decoy-Client value.
	Client string
	// Seen is about when one of its calls was last counted; the zero
	// time when the store cannot tell.
	Seen time.Time
}

// keysPerClient is how many counter keys Clients reads for each client it
// may return: it reads one key per client and rule.
const keysPerClient = 8

// Clients returns the X-Decoy-Client keys that hold counters in a rule of
// the set, where the counters live (memory or the shared store), most
// recently counted first, at most limit of them; more reports that others
// were left out, or that the store stopped reading early to bound its
// work. It lists the clients whose exchanges have left the journal as long
// as their counters and windows live. The counters of callers without
// X-Decoy-Client (kept under an Authorization value, say) are not clients
// and are left out, and so is a client key longer than 64 bytes, kept only
// as its hash. It returns an error when the store cannot be reached.
func (s *Set) Clients(ctx context.Context, limit int) (clients []ClientSeen, more bool, err error) {
	if s == nil || limit <= 0 {
		return nil, false, nil
	}
	var rules []*Rule
	for _, name := range s.names {
		rules = append(rules, s.byName[name].Rules...)
	}
	// One key per client and rule is enough to know the client and when
	// it was last counted; the others (its values of a rule's key) would
	// only use up the limit, and so would the keys of no client.
	type ruleClient struct {
		r      *Rule
		client string
	}
	taken := map[ruleClient]bool{}
	keep := func(r *Rule, key string) bool {
		client, _, _ := strings.Cut(key, keySep)
		if client == "" || len(client) > maxKeyLen || taken[ruleClient{r, client}] {
			return false // no client, one kept as its hash, or one already had
		}
		taken[ruleClient{r, client}] = true
		return true
	}
	keys, more, err := s.counters.Keys(ctx, KeyQuery{Rules: rules, Keep: keep, Limit: limit * keysPerClient, Now: s.now()})
	if err != nil {
		return nil, false, fmt.Errorf("listing the clients that hold counters: %w", err)
	}
	seen := map[string]time.Time{}
	for _, k := range keys {
		client, _, _ := strings.Cut(k.Key, keySep)
		if t, ok := seen[client]; !ok || k.Seen.After(t) {
			seen[client] = k.Seen
		}
	}
	for c, t := range seen {
		clients = append(clients, ClientSeen{Client: c, Seen: t})
	}
	slices.SortFunc(clients, func(a, b ClientSeen) int {
		if c := b.Seen.Compare(a.Seen); c != 0 {
			return c
		}
		return cmp.Compare(a.Client, b.Client)
	})
	if len(clients) > limit {
		clients, more = clients[:limit], true
	}
	return clients, more, nil
}
