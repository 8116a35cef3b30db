// Package upstream is the provider side of a contract: it forwards requests
// the mock has checked to a real API (a reverse proxy built on
// net/http/httputil.ReverseProxy), checks the API's answers against the
// spec (the status is documented, the documented headers are present and
// valid, the content type is documented, the body matches its schema), and
// records the exchanges that keep the contract as fixture stubs, so that a
// recorded session can be served again without the API.
//
// It knows nothing of the mock's handler: mockserver hands it an operation
// after security, scenarios and request validation, and journals what it
// reports.
package upstream
