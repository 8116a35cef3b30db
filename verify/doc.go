// Package verify checks a real provider against its OpenAPI contract: it
// drives the provider with requests built from the spec (its examples, the
// fixtures' stubs and collection items, seeded generated requests, and
// negative cases that must be refused with a documented 4xx) and judges
// every answer against the spec (status documented, content type, headers,
// body schema). It is what `decoy verify` runs, and a Go test can call Run
// directly.
//
// The request flow of one run: build the cases of every selected operation
// (cases.go), order them so that creates come before reads, updates and
// deletes of the same collection (phases, with the created id carried
// from a Location header, a link or the body), send them within the bounds
// of Config (concurrency, rate, timeout), check each answer (check.go), and
// gather a Report that can be written as text, JSON, JUnit XML or HTML
// (output.go). Credentials are masked in everything a Report holds.
package verify
