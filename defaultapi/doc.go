// Package defaultapi is the API Decoy serves when given no spec: the two
// "list sessions" endpoints of the agent sessions API, laid out exactly as a
// user's own project folder is (openapi.yaml, fixtures/, scenarios/), so that
// `decoy init DIR` can write it out as a starting point.
//
// It is data, embedded with go:embed, and imports nothing of Decoy: the
// library (mockserver.DefaultProject, mockserver/decoytest), the CLI and the
// tests all read it from here, so none of them needs to import a command.
package defaultapi
