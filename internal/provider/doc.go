// Package provider is a small real implementation of Decoy's default API
// (defaultapi: POST /v1/agents/sessions/list and GET
// /v2/agents/{agent_key}/sessions), written in plain Go without any of
// Decoy's spec machinery, serving the default fixtures' sessions with
// limit/offset and page_key paging and the documented errors.
//
// It exists to be the provider side of tests: `decoy verify` and the
// validating proxy are run against it. Options.Drift switches on the kinds
// of drift a real API shows against its contract (a renamed field, an
// undocumented 500, a wrong type, a missing header), one at a time or
// together, so a test can check that exactly the injected drift is found.
package provider
