// Package sharedstate keeps in Redis (or Valkey) the state several replicas
// of Decoy must share to answer as one mock: the scenario counters and
// rate-limit windows (it implements scenarios.Counters), the active
// scenario, the journal, and the written worlds of stateful collections
// (it implements fixtures.Worlds). Without it each replica keeps its own, in
// memory, which is the default and the fastest.
//
// Open connects and fails when Redis cannot be reached, so that a
// misconfigured replica refuses to start. Once serving, an operation that
// cannot reach Redis within the configured timeout returns an error
// wrapping ErrUnavailable. A refused or broken connection is an outage at
// once; a timeout makes the store probe Redis at once, and the probe
// decides. During an outage the store reports itself degraded (Health),
// logs it once, probes Redis with backoff until it answers again, and
// operations fail at once rather than wait.
//
// Keys are "decoy:NAMESPACE:…", so that several mocks share one Redis
// without mixing: n:RULE␞KEY (a hash of the call and fired counts of one
// rule and client key), w:RULE␞KEY (the sorted set of a rate-limit
// window), active (the active scenario), clients (a hash of the scenario
// each client key was switched into), journal (a stream bounded with
// XADD MAXLEN ~), journal:epoch (changes when its ids start over, see
// JournalEpoch), coll:NAME (a hash of each world's version and items, by
// client key), collclients:NAME (its client worlds, first created first,
// at most MaxClientWorlds) and worldver (the counter of world versions).
// Worlds and client choices do not expire. Counter keys expire after a day
// without calls, window keys one window after their last call.
//
// What the request path reads on every call without a round trip, the
// active scenario and the client choices, each replica mirrors: a change
// is published on the channel named as its key, and a poll once a second
// catches up with what a replica missed (see WatchActive and
// WatchClientScenarios).
package sharedstate
