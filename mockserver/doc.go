// Package mockserver is Decoy's mock: an http.Handler that answers every
// request from an OpenAPI document, with the fixtures and scenarios of a
// project, and never outside the contract. It also keeps the journal of
// what clients sent (coverage, violations) and serves Decoy's own admin
// API under /__decoy/.
//
// # Embedding
//
// Build a Config (LoadProject reads a project's spec, fixtures and
// scenarios, each checked against the spec, every problem named with its
// file and place), then New, and serve the Server like any handler:
//
//	cfg, err := mockserver.LoadProject(ctx, mockserver.DefaultProject())
//	if err != nil {
//		return err
//	}
//	cfg.Seed = 42 // reproducible generated data
//	srv, err := mockserver.New(cfg)
//	if err != nil {
//		return err
//	}
//	ts := httptest.NewServer(srv)
//
// Package decoytest wraps this for Go tests. Only Config.Spec is
// required; every other field documents its zero value. Everything a
// request needs (routes, validators, serialized examples) is prepared
// when the spec and the fixtures load, never at request time. The package
// sets no process-wide state and tunes nothing of the runtime: GOGC,
// GOMEMLIMIT and socket options are the embedding program's to choose.
//
// # The request flow
//
// ServeHTTP loads the state once and hands it down the chain, whose
// steps run in the order a real API would check a request:
//
//  1. recover.go: a panic anywhere below becomes a 500 problem document.
//  2. cors.go: a browser preflight is answered 204; every other answer
//     exposes its headers to the calling page (Config.CORS).
//  3. handler.go (handle): /__decoy/ goes to the admin API behind its
//     gate (admingate.go: header bound, token, Host and Origin; the
//     endpoints in admin.go, journaladmin.go, scenario.go; the web
//     dashboard's in dashboard.go, clients.go and events.go, the journal
//     as server-sent events, published from record.go).
//  4. handler.go (answer): the header block's bound (headerblock.go);
//     the route, 404 with the closest paths or 405 with Allow; the query
//     and the client's preferences (prefer.go); the operation's security,
//     401.
//  5. scenario.go: the scenario in force may delay, add headers, break
//     the answer (reset, empty, truncated, malformed) or force a status.
//  6. handler.go (answerOp): the body (body.go: 413, 400), checked as
//     JSON (jsonbody.go: depth, UTF-8, duplicate keys, number range) and
//     validated with the parameters against the operation; an invalid
//     request gets the error the spec documents.
//  7. fixtures.go: a matching stub or collection answers; else
//     respond.go: the spec's example or generated data for the preferred
//     or success status, the media type negotiated from Accept, the
//     documented headers (fallback.go when no body can be generated).
//  8. problem.go: every error of the steps above is rendered in one
//     place, in the spec's documented shape for its status when it has
//     one, else as RFC 7807 problem+json; kinds.go is the one table of
//     problem kinds (status, title, breach of the contract or Decoy's own
//     control).
//  9. requestlog.go logs one line; record.go journals the exchange
//     (journal.go: the bounded ring; masking.go: what it hides; report.go
//     and coverage.go: the tallies of violations and coverage).
//
// Internal steps return errors, as Caddy's handlers do; only renderError
// (and, for the admin API, serveAdmin) writes them.
//
// # State and reloads
//
// Everything built from one load of the files (spec, fixtures, scenarios)
// is a state, never modified once published and swapped whole by Reload.
// A request reads the state once, in ServeHTTP, and is routed, answered,
// logged and journaled from it, even when a reload happens meanwhile.
// What users write (collection writes, scenario counters) lives in the
// state too and is carried into the next one within the swap; a write or
// a scenario decision made after the swap applies to the new state (see
// Reload), so that nothing written is lost: a request that writes may
// therefore be routed by the old spec and stored in the new fixtures. A reload that fails keeps the old state serving, and
// GET /__decoy/health says so (health.go).
//
// # Several replicas
//
// With Config.Shared (package sharedstate, on Redis) the replicas of one
// mock share what must agree between them (shared.go): the scenario
// counters and rate-limit windows (through the scenarios' Counters, keyed
// by each rule's content, so that a reload keeps them as CarryFrom does),
// the active scenario and the scenario each client was switched into
// (both mirrored by every replica, so that a request reads them without a
// round trip; sharedchoices.go), resets, and the journal, which every
// replica appends to in the background and the admin endpoints read back
// whole. Written collections keep their worlds there through the
// fixtures' Worlds; under a scenario that counts, a read of one is
// started before the count (readAhead in scenario.go), so that the
// request waits for one round trip, not two in a row. A part of an answer
// that needs the shared state while it cannot be reached is a 503
// shared-state-unavailable problem; the rest answers as ever.
package mockserver
