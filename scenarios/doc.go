// Package scenarios loads scenario files and decides, for one request, what
// a selected scenario does instead of the normal answer: force a documented
// status, wait, break the connection, or rate-limit. It holds the per-client
// counters that make "after 3 calls" and "5 per minute" work, and nothing
// else: the mock (package mockserver) carries the decisions out.
//
// # Files
//
// A scenario file is YAML; each document in it is one scenario:
//
//	name: rate-limited
//	description: v2 list allows 5 requests per minute per API key
//	rules:
//	  - operations: [listAgentSessions]   # operationId, "METHOD /path", or "*"
//	    match:                            # optional; every entry must hold
//	      path: {agent_key: agt_customer_support}
//	      query: {enabled: "true"}
//	      headers: {X-Namespace: ns_demo}
//	    rateLimit: {limit: 5, window: 1m, key: header:Authorization}
//
// Fields are decoded strictly: an unknown field, a wrong type, a bad
// duration, a status the operation does not document, an example name its
// response does not have, an impossible `when` are each an *Error naming
// file, line, column and field, and Load reports all of them at once.
//
// What a rule does (at least one of status, sequence, latency, fault,
// rateLimit):
//
//	status             force a status the operation documents
//	example            the named example of that status (or of a rate limit's 429)
//	body               the JSON body of that status instead, checked against its
//	                   schema; {{request.header.X-Namespace}}, {{request.path.NAME}}
//	                   and {{request.query.NAME}} in its strings are filled in
//	headers            extra response headers
//	latency            wait first: 300ms, or a seeded range 100ms..2s
//	fault              reset | empty | truncated | malformed
//	rateLimit          {limit, window, key}: 429 once a key is over the limit
//	sequence           statuses of successive calls: [200, 200, 429, 200]
//	allowUndocumented  allow an undocumented 5xx or 429 (answered as problem+json)
//	key                header:NAME | ip | client: keep the rule's counters per
//	                   this value (see Counters and client keys)
//
// Latency combines with anything. A truncated or malformed fault combines
// with status (the status whose answer is broken); reset and empty send
// nothing, so they take no status or headers. A rate limit takes no status,
// sequence, fault or when.
//
// When it does it (the default is every call):
//
//	after: N        the first N matching calls pass untouched (N >= 1)
//	times: N        only N calls are affected, then calls pass (N >= 1)
//	every: N        every Nth matching call (N >= 2)
//	probability: p  each call with chance p in (0, 1], or "25%"
//
// Keys combine: counting n from 1 over the calls that match the rule, the
// rule fires when n > after, (n - after) is a multiple of every, the seeded
// draw for n is under probability, and it has fired fewer than times times.
// So {after: 3, times: 2} affects calls 4 and 5. every and probability both
// pick calls and are rejected together. A rule whose `when` does not fire
// lets the next rule of the scenario try.
//
// # Sequences
//
// A sequence gives the status of each affected call in turn. 200, or the
// operation's own success status, means "answer normally"; any other entry
// forces that status, which the operation must document (or be a 5xx or 429
// under allowUndocumented). After the last entry the sequence sticks at it:
// [200, 200, 429, 200] answers normally from the fourth call on, and
// [200, 503] keeps failing once it has started. Reset starts it over.
//
// # Undocumented statuses
//
// A scenario may only force a status the operation documents (exactly or
// by range, like 4XX; default does not count), so its body follows the
// contract. The exceptions are the statuses infrastructure returns without
// the API's designer writing them down: a 5xx, and a 429 from a rate
// limiter or gateway. A rule that sets allowUndocumented: true may force
// those (status, a sequence entry, or a rate limit's 429) on an operation
// that does not document them; Decision.Undocumented then tells the mock to
// answer application/problem+json and record the gap. allowUndocumented on
// any other status is an error.
//
// # Counters and client keys
//
// Counters (calls seen, calls affected, sequence position) and rate limiters
// are kept per scenario, rule and client key. The client key is the
// X-Decoy-Client header when sent; else, for a rate-limit rule, the value of
// its key (the Authorization header, the client IP, …); else "", one counter
// shared by every caller. Two test runs sending different X-Decoy-Client
// values never disturb each other. So X-Decoy-Client puts all the API keys
// of one test run under one rate limit: a rule that sets its own key
// (`key: header:X-Api-Key`, `ip` or `client`, beside rateLimit) counts per
// that value instead, within the X-Decoy-Client's when one is sent. Keys
// longer than 64 bytes are kept as their SHA-256. A rule key's value
// counted without X-Decoy-Client is kept apart from every client key, so
// that Set.Clients, which lists the clients holding counters, never takes
// an Authorization header for a client; ClientKeyCounters lists a
// client's counters per value of a rule key. Reset clears every
// counter, or one client key's (with every value of a rule key under it).
//
// Memory stays bounded: a rule tracks at most Options.MaxClients keys
// (DefaultMaxClients, 10,000), forgetting the least recently seen when a new
// one arrives; a forgotten key starts again from zero.
//
// # Rate limiting
//
// The limiter is an exact sliding-window log: per key it remembers when each
// admitted call arrived during the last window, and admits a call when fewer
// than limit were admitted in the window before it. A call at t counts until
// t+window, so a client that made limit calls at t gets 429 with RetryAfter
// = t+window-now and passes again from t+window, without a reset. Unlike a
// token bucket, no window-long interval ever admits more than limit calls,
// which is what a contract test of "5 per minute" expects. Refused calls do
// not count. Memory per key is one time per admitted call of the window,
// growing only as calls arrive, and limit is at most MaxLimit. The clock is
// Options.Now, so tests move time instead of sleeping.
//
// # Reproducibility
//
// Latency ranges and probabilities draw from a SplitMix64 stream keyed by
// Options.Seed, the scenario, the rule and the call count n of the client
// key: never from time or a global source. The same seed and the same calls
// give the same decisions, and every client key sees the same pattern.
package scenarios
