package mockserver

import (
	"net/http"
	"slices"

	"github.com/decoy-mock/decoy/openapi"
	"github.com/decoy-mock/decoy/upstream"
)

// Two vocabularies of kinds meet here. A problem kind names an answer Decoy
// gives instead of the normal one ("no-route", "validation-failed"…): it is
// the last word of the problem document's type, and the Kind of a journal
// entry. A violation kind (Kind…) names a way a request broke the contract,
// as GET /__decoy/violations groups them. problemKinds says, for each
// problem kind, its status and title, whether the spec's documented body
// for the status answers it, and whether it is a breach of the contract by
// itself (and under which violation kind it counts) or a matter of Decoy's
// own controls (which coverage does not count). Parameter and body
// violations are classified by violationKind.

// The kinds of contract violation, as GET /__decoy/violations groups them.
const (
	KindUnknownRoute         = "unknown-route"
	KindMethodNotAllowed     = "method-not-allowed"
	KindMissingCredential    = "missing-credential"
	KindMissingParameter     = "missing-parameter"
	KindWrongType            = "wrong-type"
	KindInvalidParameter     = "invalid-parameter"
	KindMissingBody          = "missing-body"
	KindBadBody              = "bad-body"
	KindUnsupportedMediaType = "unsupported-media-type"
	KindNotAcceptable        = "not-acceptable"
	KindPayloadTooLarge      = "payload-too-large"

	// The kinds of violation an upstream's answer can show (proxy mode:
	// provider drift).
	KindUndocumentedStatus = "undocumented-status"
	KindBadResponseHeader  = "bad-response-header"
	KindBadContentType     = "bad-response-content-type"
	KindBadResponseBody    = "bad-response-body"
)

// Sides of the contract a violation is on.
const (
	SideRequest  = "request"
	SideResponse = "response"
)

// sideOf is the side a violation kind is on.
func sideOf(kind string) string {
	switch kind {
	case KindUndocumentedStatus, KindBadResponseHeader, KindBadContentType, KindBadResponseBody:
		return SideResponse
	}
	return SideRequest
}

// kindOrder is the order kinds are listed in: roughly the order a request
// is checked in.
var kindOrder = []string{KindUnknownRoute, KindMethodNotAllowed, KindMissingCredential, KindPayloadTooLarge,
	KindUnsupportedMediaType, KindMissingParameter, KindWrongType, KindInvalidParameter, KindMissingBody, KindBadBody, KindNotAcceptable,
	KindUndocumentedStatus, KindBadResponseHeader, KindBadContentType, KindBadResponseBody}

// violationKind is the group of one parameter or body violation.
func violationKind(v openapi.Violation) string {
	switch {
	case v.Code == "unsupported-media-type":
		return KindUnsupportedMediaType
	case v.Location == "body" && v.Code == "required" && v.Pointer == "":
		return KindMissingBody
	case v.Location == "body":
		return KindBadBody
	case v.Code == "required":
		return KindMissingParameter
	case v.Code == "type", v.Code == "parse":
		return KindWrongType
	}
	return KindInvalidParameter
}

func kindRank(kind string) int {
	if i := slices.Index(kindOrder, kind); i >= 0 {
		return i
	}
	return len(kindOrder)
}

// problemKind is what Decoy knows of one kind of problem.
type problemKind struct {
	// status is the status it is answered with; 0 when it depends on the
	// request (set by the code that finds it).
	status int
	// title is the problem document's title.
	title string
	// contract says the status is one the API itself would answer (401,
	// 405, 413…): the spec's documented body for it answers when there is
	// one, else a problem document, recorded as a gap in the spec.
	contract bool
	// breach is the violation kind the problem counts as by itself; ""
	// when it is none (parameter and body violations count one by one).
	breach string
	// control says the problem is about Decoy's own controls (a bad
	// Prefer, an unknown scenario), not an answer of the API: coverage
	// counts it for no documented response.
	control bool
	// upstream says the upstream package writes the problem document
	// (a proxy's 502 and 504); the table lists it so that coverage and
	// the journal know it.
	upstream bool
}

// problemKinds is the one table of Decoy's problem kinds. Fixture errors
// (not-found, conflict, invalid-cursor…) take their kind, status and title
// from the fixtures' error, and a forced undocumented status ("scenario")
// from the scenario rule.
var problemKinds = map[string]problemKind{
	// The request flow, in the order it checks.
	"header-too-large":       {status: 431, title: "Request header fields too large"},
	"no-route":               {status: 404, title: "No such path", breach: KindUnknownRoute},
	"method-not-allowed":     {status: 405, title: "Method not allowed", contract: true, breach: KindMethodNotAllowed},
	"malformed-preference":   {status: 422, title: "Malformed preference", control: true},
	"unauthorized":           {status: 401, title: "Unauthorized", contract: true, breach: KindMissingCredential},
	"unknown-scenario":       {status: 400, title: "Unknown scenario", control: true},
	"payload-too-large":      {status: 413, title: "Payload too large", contract: true, breach: KindPayloadTooLarge},
	"unreadable-body":        {status: 400, title: "Unreadable body", contract: true, breach: KindBadBody},
	"unsupported-media-type": {status: 415, title: "Unsupported media type", contract: true},
	"validation-failed":      {title: "Request does not match the contract", contract: true}, // 422, 400 or default: see validationError
	"undocumented-code":      {status: 404, title: "Status not documented", control: true},
	"no-response":            {status: 501, title: "No documented response", control: true},
	"unknown-example":        {status: 404, title: "Example not found", control: true},
	"not-acceptable":         {status: 406, title: "Not acceptable", contract: true, breach: KindNotAcceptable},
	"cannot-generate":        {status: 500, title: "Cannot generate a response", control: true},
	"internal":               {status: 500, title: "Internal error", control: true},
	// A proxy's (written by the upstream package): answers of Decoy's,
	// not of the API, so coverage does not count them.
	upstream.KindUnreachable:  {status: 502, title: "Bad gateway", control: true, upstream: true},
	upstream.KindTimeout:      {status: 504, title: "Gateway timeout", control: true, upstream: true},
	upstream.KindBrokenAnswer: {status: 502, title: "Bad gateway", control: true, upstream: true},
	// A part of the answer needs the state replicas share (--shared-state)
	// and it cannot be reached; answers that need none keep working.
	"shared-state-unavailable": {status: 503, title: "Shared state unavailable", control: true},
	// The admin API's (never journaled).
	"admin-unauthorized": {status: 401, title: "Unauthorized", control: true},
	"admin-host":         {status: 403, title: "Forbidden", control: true},
	"admin-cross-origin": {status: 403, title: "Forbidden", control: true},
	"no-admin-endpoint":  {status: 404, title: "No such admin endpoint", control: true},
	"bad-parameter":      {status: 400, title: "Bad parameter", control: true},
	"bad-admin-request":  {status: 400, title: "Bad request", control: true},
	"no-entry":           {status: 404, title: "No such journal entry", control: true},
	"no-collection":      {status: 404, title: "No such collection", control: true},
}

// problemOf returns the problem of the given kind with detail, its status
// and title from problemKinds. A kind missing from the table is Decoy's
// mistake: it is answered as an internal error that names the kind
// (TestProblemKindsAreInTheTable keeps it from happening).
func problemOf(kind, detail string) *decoyError {
	k, ok := problemKinds[kind]
	if !ok {
		return problemOf("internal", "unknown problem kind "+kind+": "+detail)
	}
	return &decoyError{status: k.status, kind: kind, title: k.title, detail: detail, contract: k.contract}
}

// withExtra adds fields to the problem document and returns e.
func (e *decoyError) withExtra(extra map[string]any) *decoyError {
	e.extra = extra
	return e
}

// withHeader adds response headers and returns e.
func (e *decoyError) withHeader(h http.Header) *decoyError {
	e.header = h
	return e
}

// breachOf is the violation kind a problem kind counts as by itself; "" for
// none.
func breachOf(kind string) string { return problemKinds[kind].breach }

// controlKind reports whether a problem kind is about Decoy itself rather
// than the API's contract.
func controlKind(kind string) bool { return problemKinds[kind].control }
