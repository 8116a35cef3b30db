package mockserver

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/decoy-mock/decoy/openapi"
	"github.com/decoy-mock/decoy/scenarios"
)

// AdminPrefix is the path prefix of Decoy's own API.
const AdminPrefix = "/__decoy/"

// handle answers one request from st, in the order a real API works (the
// package documentation lists the steps and the files they live in): the
// admin API apart, then answer; every failure is an error that
// renderError writes; and every exchange is logged and journaled, even
// one a fault or a panic ends.
func (s *Server) handle(st *state, w http.ResponseWriter, r *http.Request) {
	ex := &exchange{start: s.now(), client: firstHeader(r.Header, "X-Decoy-Client")}
	if !s.cfg.DisableAdmin && isAdminPath(r.URL.Path) {
		// Decoy's own API, behind its gate; logged, not journaled.
		ex.source = sourceAdmin
		s.serveAdmin(st, w, r, ex)
		s.logExchange(r, ex)
		return
	}
	defer func() {
		// Runs on panics too: a fault aborts the connection with
		// http.ErrAbortHandler, and the exchange is still logged.
		if v := recover(); v != nil {
			if v != http.ErrAbortHandler && ex.status == 0 {
				ex.status, ex.kind = http.StatusInternalServerError, "internal"
			}
			s.logExchange(r, ex)
			s.record(st, r, ex)
			panic(v)
		}
		s.logExchange(r, ex)
		s.record(st, r, ex)
	}()
	if err := s.answer(st, w, r, ex); err != nil && err != errClientGone {
		s.renderError(st, w, r, ex, asDecoyError(err))
	}
}

// answer routes the request, checks its credentials and asks the scenario
// in force, then has answerOp answer it (through a faulty writer when the
// scenario breaks the answer).
func (s *Server) answer(st *state, w http.ResponseWriter, r *http.Request, ex *exchange) error {
	// 1. The header block's bound (431).
	if de := s.checkHeaderBlock(r); de != nil {
		return de
	}
	// 2. Route: no path is 404 (with the closest paths), no method 405
	// (an OPTIONS request gets 204 with Allow).
	op, entry, params, err := st.spec.Match(r.Method, r.URL.EscapedPath())
	switch {
	case errors.Is(err, openapi.ErrNoRoute):
		detail := fmt.Sprintf("no operation of the spec matches %s %s", r.Method, r.URL.Path)
		var extra map[string]any
		if closest := st.spec.Closest(r.URL.EscapedPath(), 3); len(closest) > 0 {
			detail += "; closest paths: " + strings.Join(closest, ", ")
			extra = map[string]any{"closest": closest}
			ex.closest = closest
		}
		return problemOf("no-route", detail).withExtra(extra)
	case errors.Is(err, openapi.ErrMethodNotAllowed):
		if r.Method == http.MethodOptions {
			w.Header().Set("Allow", entry.Allow)
			ex.status, ex.source, ex.respHeader = http.StatusNoContent, sourceDecoy, w.Header()
			w.WriteHeader(http.StatusNoContent)
			return nil
		}
		return problemOf("method-not-allowed", fmt.Sprintf("%s is not an operation of %s; allowed: %s", r.Method, entry.Template, entry.Allow)).withHeader(http.Header{"Allow": {entry.Allow}})
	case err != nil:
		return err
	}
	ex.op, ex.params = op, params

	// 3. The query, parsed once here for everything that reads it, and
	// the client's preferences (Prefer, or ?__code=…).
	values, qerr := url.ParseQuery(r.URL.RawQuery)
	ex.query = &openapi.Query{Values: values, Err: qerr}
	prefs, err := ParsePreferences(r.Header["Prefer"], ex.query.Values)
	if err != nil {
		return problemOf("malformed-preference", err.Error())
	}
	ex.prefs = prefs
	stripPreferQuery(r.URL, ex.query.Values)
	// 4. Security: the credentials the operation requires (401).
	if ok, problem, challenges := op.Check(r); !ok {
		return problemOf("unauthorized", problem).withHeader(http.Header{"Www-Authenticate": challenges})
	}

	// 5. The scenario in force: latency, headers, faults, or a status
	// answerOp forces.
	d, applied, err := s.decide(st, r, ex, op, params)
	if err != nil {
		return err
	}
	if !applied {
		return s.answerOp(st, w, r, ex, op, params, nil)
	}
	if d.Latency > 0 && !wait(r.Context(), d.Latency) {
		ex.kind = "client-gone"
		return errClientGone
	}
	applyHeaders(w.Header(), d)
	switch d.Fault {
	case scenarios.FaultReset, scenarios.FaultEmpty:
		ex.source, ex.kind = sourceScenario, "fault-"+d.Fault.String()
		abortConnection(w, d.Fault)
		return errClientGone
	case scenarios.FaultTruncated, scenarios.FaultMalformed:
		buf := newBufferedWriter(w.Header())
		if err := s.answerOp(st, buf, r, ex, op, params, &d); err != nil {
			s.renderError(st, buf, r, ex, asDecoyError(err))
		}
		ex.kind = "fault-" + d.Fault.String()
		breakResponse(w, buf, d.Fault)
		return nil
	}
	return s.answerOp(st, w, r, ex, op, params, &d)
}

// errClientGone says nothing is to be written: the client left, or a fault
// dropped the connection.
var errClientGone = errors.New("no answer: the connection is gone")

// answerOp answers a request routed to op that passed security: validation,
// then the answer, unless the scenario decision d forces a status.
func (s *Server) answerOp(st *state, w http.ResponseWriter, r *http.Request, ex *exchange, op *openapi.Operation, params map[string]string, d *scenarios.Decision) error {
	if s.proxied(st, op) {
		// 6–9 in proxy mode: validate, forward, check the answer
		// (upstream.go).
		return s.proxy(w, r, ex, op, params, d)
	}
	prefs := ex.prefs
	// 6. The body (413, 400), checked as JSON (jsonbody.go) and validated
	// with the parameters against the operation.
	body, err := s.readBody(r)
	if err != nil {
		return err
	}
	ex.body = body
	vs, decoded := checkJSON(r, body)
	if vs == nil {
		vs = op.ValidateRequest(r.Context(), openapi.Request{HTTP: r, PathParams: params, Body: withDefaults(op, r, body, decoded), BodyJSON: decoded, Query: ex.query})
	}
	ex.bodyJSON = decoded
	ex.violations = vs
	if s.cfg.Upstream != nil {
		// A mock-only operation of a proxy: its answers name their
		// violations as the proxied ones do.
		setViolationsHeader(w.Header(), vs, nil)
	}
	// 7. A status the scenario forces answers whatever the request.
	if d != nil {
		// A forced status answers whatever the request; its violations are
		// still recorded, so a contract test under a scenario sees them.
		if status := forcedStatus(*d); status != 0 {
			return s.forced(w, r, ex, op, status, *d)
		}
	}
	// 8. An invalid request gets the error the spec documents (strict
	// validation), or is answered and its violations only recorded.
	if len(vs) > 0 {
		strict := s.cfg.Validation == ValidationStrict
		if prefs.Validate != nil {
			strict = *prefs.Validate
		}
		if strict {
			return validationError(op, vs)
		}
	}
	// 9. The answer: a fixture (stub or collection), else the spec's
	// response for the preferred or success status (respond.go).
	if answered, err := s.fromFixtures(st, w, r, ex, op, params); err != nil || answered {
		return err
	}
	status := op.SuccessStatus()
	if prefs.Code != 0 {
		if op.Lookup(prefs.Code) == nil {
			return problemOf("undocumented-code", fmt.Sprintf("%s does not document a %d response; documented: %s", op.ID, prefs.Code, strings.Join(op.Statuses(), ", "))).withExtra(map[string]any{"documented": op.Statuses()})
		}
		status = prefs.Code
	}
	if status == 0 {
		return problemOf("no-response", fmt.Sprintf("%s documents no response to answer with", op.ID))
	}
	return s.respond(w, r, ex, op, status, op.LookupOrDefault(status))
}
