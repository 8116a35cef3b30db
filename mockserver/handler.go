package mockserver

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/decoy-mock/decoy/fixtures"
	"github.com/decoy-mock/decoy/openapi"
	"github.com/decoy-mock/decoy/scenarios"
)

// AdminPrefix is the path prefix of Decoy's own API.
const AdminPrefix = "/__decoy/"

// exchange is what Decoy records of one request while answering it.
type exchange struct {
	start  time.Time
	op     *openapi.Operation
	params map[string]string
	query  *openapi.Query
	body   []byte
	// bodyJSON is body decoded (json.Number numbers) when it is clean
	// JSON; the fixtures take it over.
	bodyJSON   any
	prefs      Preferences
	status     int
	source     string // "example", "generated", "decoy", "admin"
	violations []openapi.Violation
	// gap is set when Decoy answered a status the spec does not document.
	gap bool
	// scenario and rule name what a scenario did to this request, if anything.
	scenario, rule string
	// client is the client key: X-Decoy-Client, else "".
	client string
	// closest are the path templates nearest an unmatched path.
	closest []string
	// kind is the problem kind of a Decoy error ("no-route", "unauthorized"…).
	kind string
	// fixture names the stub or collection that answered.
	fixture string
	// honoured is set when the answer is the one the request's
	// preferences asked for, so Preference-Applied may be sent.
	honoured bool
	// respHeader is the header map of the answer written (nil: none
	// written); respBody the start of its body the journal keeps, and
	// respBytes the body's full length.
	respHeader http.Header
	respBody   []byte
	respBytes  int
}

// queryValues is the request's parsed query; nil (parse it again) before
// routing has parsed it.
func (ex *exchange) queryValues() url.Values {
	if ex.query == nil {
		return nil
	}
	return ex.query.Values
}

// Sources of an answer, as logged and journaled.
const (
	sourceExample   = "example"
	sourceGenerated = "generated"
	sourceDecoy     = "decoy"
	sourceAdmin     = "admin"
)

// handle answers one request, in the order a real API works: route,
// security, validation, then the answer. Every failure is a *decoyError
// rendered by renderError.
func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	st := s.state.Load()
	ex := &exchange{start: s.now(), client: firstHeader(r.Header, "X-Decoy-Client")}
	if !s.cfg.DisableAdmin && (strings.HasPrefix(r.URL.Path, AdminPrefix) || r.URL.Path == strings.TrimSuffix(AdminPrefix, "/")) {
		ex.source = sourceAdmin
		if de := s.checkHeaderBlock(r); de != nil {
			ex.status = writeProblem(w, de)
		} else if s.adminAllowed(r) {
			ex.status = s.admin(st, w, r)
		} else {
			w.Header().Set("WWW-Authenticate", `Bearer realm="decoy-admin"`)
			ex.status = writeProblem(w, &decoyError{status: http.StatusUnauthorized, kind: "admin-unauthorized", title: "Unauthorized",
				detail: "the admin API needs Authorization: Bearer <the --admin-token value>"})
		}
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
			s.record(r, ex)
			panic(v)
		}
		s.logExchange(r, ex)
		s.record(r, ex)
	}()
	if err := s.answer(st, w, r, ex); err != nil && err != errClientGone {
		s.renderError(st, w, r, ex, asDecoyError(err))
	}
}

// adminAllowed reports whether r may use the admin API: always without an
// admin token, else only with it, compared in constant time.
func (s *Server) adminAllowed(r *http.Request) bool {
	if s.cfg.AdminToken == "" {
		return true
	}
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	return ok && strings.EqualFold(scheme, "Bearer") &&
		subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(s.cfg.AdminToken)) == 1
}

// asDecoyError returns err as a *decoyError, wrapping any other error as a
// 500.
func asDecoyError(err error) *decoyError {
	var de *decoyError
	if !errors.As(err, &de) {
		de = &decoyError{status: http.StatusInternalServerError, kind: "internal", title: "Internal error", detail: err.Error()}
	}
	return de
}

func (s *Server) answer(st *state, w http.ResponseWriter, r *http.Request, ex *exchange) error {
	if de := s.checkHeaderBlock(r); de != nil {
		return de
	}
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
		return &decoyError{status: http.StatusNotFound, kind: "no-route", title: "No such path", detail: detail, extra: extra}
	case errors.Is(err, openapi.ErrMethodNotAllowed):
		if r.Method == http.MethodOptions {
			w.Header().Set("Allow", entry.Allow)
			ex.status, ex.source, ex.respHeader = http.StatusNoContent, sourceDecoy, w.Header()
			w.WriteHeader(http.StatusNoContent)
			return nil
		}
		return &decoyError{status: http.StatusMethodNotAllowed, kind: "method-not-allowed", title: "Method not allowed",
			detail: fmt.Sprintf("%s is not an operation of %s; allowed: %s", r.Method, entry.Template, entry.Allow),
			header: http.Header{"Allow": {entry.Allow}}, contract: true}
	case err != nil:
		return err
	}
	ex.op, ex.params = op, params

	// The query is parsed once, here, for everything that reads it.
	values, qerr := url.ParseQuery(r.URL.RawQuery)
	ex.query = &openapi.Query{Values: values, Err: qerr}
	prefs, err := ParsePreferences(r.Header["Prefer"], ex.query.Values)
	if err != nil {
		return &decoyError{status: http.StatusUnprocessableEntity, kind: "malformed-preference", title: "Malformed preference", detail: err.Error()}
	}
	ex.prefs = prefs
	stripPreferQuery(r.URL, ex.query.Values)
	if ok, problem, challenges := op.Check(r); !ok {
		return &decoyError{status: http.StatusUnauthorized, kind: "unauthorized", title: "Unauthorized", detail: problem,
			header: http.Header{"Www-Authenticate": challenges}, contract: true}
	}

	d, applied, err := s.decide(st, r, ex, op, params)
	if err != nil {
		return err
	}
	if !applied {
		return s.answerOp(w, r, ex, op, params, nil)
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
		if err := s.answerOp(buf, r, ex, op, params, &d); err != nil {
			s.renderError(st, buf, r, ex, asDecoyError(err))
		}
		ex.kind = "fault-" + d.Fault.String()
		breakResponse(w, buf, d.Fault)
		return nil
	}
	return s.answerOp(w, r, ex, op, params, &d)
}

// errClientGone says nothing is to be written: the client left, or a fault
// dropped the connection.
var errClientGone = errors.New("no answer: the connection is gone")

// answerOp answers a request routed to op that passed security: validation,
// then the answer, unless the scenario decision d forces a status.
func (s *Server) answerOp(w http.ResponseWriter, r *http.Request, ex *exchange, op *openapi.Operation, params map[string]string, d *scenarios.Decision) error {
	prefs := ex.prefs
	st := s.state.Load()
	if r.ContentLength > s.cfg.MaxBodyBytes {
		// Refused on its declared length, without reading a byte of it.
		return &decoyError{status: http.StatusRequestEntityTooLarge, kind: "payload-too-large", title: "Payload too large",
			detail: fmt.Sprintf("the request body is %d bytes, larger than the limit of %d bytes", r.ContentLength, s.cfg.MaxBodyBytes), contract: true}
	}
	var body []byte
	var err error
	switch {
	case r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0:
	case r.ContentLength > 0 && r.ContentLength <= 64<<10:
		// A small declared length: one exact read. (A large one grows
		// as the bytes arrive, so a client cannot make Decoy reserve
		// megabytes it never sends.)
		body = make([]byte, r.ContentLength)
		var n int
		n, err = io.ReadFull(r.Body, body)
		body = body[:n]
	default:
		body, err = io.ReadAll(http.MaxBytesReader(nil, r.Body, s.cfg.MaxBodyBytes))
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &decoyError{status: http.StatusRequestEntityTooLarge, kind: "payload-too-large", title: "Payload too large",
				detail: fmt.Sprintf("the request body is larger than %d bytes", s.cfg.MaxBodyBytes), contract: true}
		}
		return &decoyError{status: http.StatusBadRequest, kind: "unreadable-body", title: "Unreadable body", detail: "reading the request body: " + err.Error(), contract: true}
	}
	ex.body = body
	vs, decoded := checkJSON(r, body)
	if vs == nil {
		vs = op.ValidateRequest(r.Context(), openapi.Request{HTTP: r, PathParams: params, Body: withDefaults(op, r, body, decoded), BodyJSON: decoded, Query: ex.query})
	}
	ex.bodyJSON = decoded
	ex.violations = vs
	if d != nil {
		// A forced status answers whatever the request; its violations are
		// still recorded, so a contract test under a scenario sees them.
		if status := forcedStatus(*d); status != 0 {
			return s.forced(w, r, ex, op, status, *d)
		}
	}
	if len(vs) > 0 {
		strict := s.cfg.Validation == ValidationStrict
		if prefs.Validate != nil {
			strict = *prefs.Validate
		}
		if strict {
			return validationError(op, vs)
		}
	}

	if answered, err := s.fromFixtures(st, w, r, ex, op, params); err != nil || answered {
		return err
	}
	status := op.SuccessStatus()
	if prefs.Code != 0 {
		if op.Lookup(prefs.Code) == nil {
			return &decoyError{status: http.StatusNotFound, kind: "undocumented-code", title: "Status not documented",
				detail: fmt.Sprintf("%s does not document a %d response; documented: %s", op.ID, prefs.Code, strings.Join(op.Statuses(), ", ")),
				extra:  map[string]any{"documented": op.Statuses()}}
		}
		status = prefs.Code
	}
	if status == 0 {
		return &decoyError{status: http.StatusNotImplemented, kind: "no-response", title: "No documented response",
			detail: fmt.Sprintf("%s documents no response to answer with", op.ID)}
	}
	return s.respond(w, r, ex, op, status, op.LookupOrDefault(status))
}

// fromFixtures answers from a matching stub or a collection. It reports
// whether it answered; a request the fixtures reject (an unknown key, a bad
// cursor) is an error in the shape the spec documents for its status. A
// client asking for a named example or dynamic data gets the spec's.
func (s *Server) fromFixtures(st *state, w http.ResponseWriter, r *http.Request, ex *exchange, op *openapi.Operation, params map[string]string) (bool, error) {
	if st.fixtures == nil || ex.prefs.Example != "" || (ex.prefs.Dynamic != nil && *ex.prefs.Dynamic) {
		return false, nil
	}
	ans, err := s.answerFixtures(st, fixtures.Call{Op: op, HTTP: r, Query: ex.queryValues(), PathParams: params, Body: ex.body, BodyJSON: ex.bodyJSON, Status: ex.prefs.Code, Client: ex.client, Lenient: len(ex.violations) > 0})
	if err != nil {
		var fe *fixtures.RequestError
		if !errors.As(err, &fe) {
			return false, err
		}
		if ex.prefs.Code != 0 && fe.Status == http.StatusNotFound {
			// The client asked for a status: the spec's response for it
			// answers, whatever the fixtures hold for this key.
			return false, nil
		}
		de := &decoyError{status: fe.Status, kind: fe.Code, title: http.StatusText(fe.Status), detail: fe.Message, contract: true}
		if fe.Parameter != "" || fe.Location == "body" {
			loc := fe.Location
			if loc == "" {
				loc = "query"
			}
			de.violations = []openapi.Violation{{Location: loc, Parameter: fe.Parameter, Pointer: fe.Pointer, Code: fe.Code, Message: fe.Message}}
			if fixtureBreach(fe) {
				// A limit out of bounds, a sort on no field, a write that
				// would break the item: the request broke a rule of the
				// API, like any invalid parameter. It is journaled and
				// counted.
				ex.violations = append(ex.violations, de.violations...)
			}
		}
		return false, de
	}
	if ans == nil {
		return false, nil
	}
	if accept := firstHeader(r.Header, "Accept"); accept != "" && ans.ContentType != "" && quality(parseAccept(accept), ans.ContentType) == 0 {
		return false, &decoyError{status: http.StatusNotAcceptable, kind: "not-acceptable", title: "Not acceptable",
			detail: fmt.Sprintf("the response can be %s, which Accept: %q excludes", ans.ContentType, accept),
			extra:  map[string]any{"available": []string{ans.ContentType}}, contract: true}
	}
	for k, v := range ans.Header {
		w.Header()[k] = v
	}
	if resp := op.LookupOrDefault(ans.Status); resp != nil && len(resp.Headers) > 0 {
		s.fillHeaders(w.Header(), op, resp, s.seed(r, ex, ans.Status))
	}
	ex.source, ex.fixture, ex.honoured = ans.Source, ans.Name, true
	body := ans.Body
	if ans.Template != nil {
		body = s.rendered(r, ex, op, ans.Status, mediaOf(op.LookupOrDefault(ans.Status), ans.ContentType), ans.Template, ans.Body)
	}
	s.write(w, r, ex, ans.Status, ans.ContentType, body)
	ans.Release() // written (copied out) by now
	return true, nil
}

// fixtureBreach reports whether the fixtures refused a request because it
// broke the contract, rather than because of what the mock's data holds. A
// well-formed request for a key no item has, a write that conflicts with a
// stored item, or a cursor the data cannot honour (issued before the
// fixtures changed, for another query, or not by Decoy: page_key and its
// kin are opaque strings to the spec) is answered with the documented 4xx
// the real API would give: coverage of that status, never a violation, so a
// client's "not found" test passes decoy report --fail-on-violations.
func fixtureBreach(fe *fixtures.RequestError) bool {
	switch fe.Code {
	case fixtures.CodeNotFound, fixtures.CodeConflict, fixtures.CodeInvalidCursor, fixtures.CodeStaleCursor:
		return false
	}
	return true
}

// answerFixtures asks the fixtures of st, or, for an operation that writes,
// those being served now, under the reload lock, so that no write lands
// on a store a reload already copied (see Reload).
func (s *Server) answerFixtures(st *state, in fixtures.Call) (*fixtures.Answer, error) {
	if !st.fixtures.Writes(in.Op.ID) {
		return st.fixtures.Answer(in)
	}
	s.carryMu.RLock()
	defer s.carryMu.RUnlock()
	return s.current().fixtures.Answer(in)
}

// forced answers the status a scenario forces: the operation's documented
// response for it (the rule's named example, else the first, else generated
// data), or a problem document for an undocumented 5xx or 429 the rule
// explicitly allows.
func (s *Server) forced(w http.ResponseWriter, r *http.Request, ex *exchange, op *openapi.Operation, status int, d scenarios.Decision) error {
	resp := op.Lookup(status)
	if d.Undocumented || resp == nil {
		ex.status, ex.source, ex.kind, ex.gap = status, sourceScenario, "scenario", true
		de := &decoyError{status: status, kind: "scenario", title: http.StatusText(status),
			detail: fmt.Sprintf("scenario rule %s answered %d, which %s does not document", d.Rule, status, op.ID)}
		s.write(w, r, ex, status, "application/problem+json", de.problemBody(op))
		return nil
	}
	if d.Body != nil {
		return s.forcedBody(w, r, ex, op, status, resp, d)
	}
	if d.Example != "" {
		ex.prefs.Example = d.Example
	}
	if err := s.respond(w, r, ex, op, status, resp); err != nil {
		return err
	}
	ex.source = sourceScenario
	return nil
}

// forcedBody answers a forced status with the rule's own body, the
// request's values filled in. Should a filled-in value break the schema,
// the spec's example for the status answers instead.
func (s *Server) forcedBody(w http.ResponseWriter, r *http.Request, ex *exchange, op *openapi.Operation, status int, resp *openapi.Response, d scenarios.Decision) error {
	media := mediaOf(resp, "application/json")
	if media == nil {
		return s.respond(w, r, ex, op, status, resp) // checked at load: cannot happen
	}
	if accept := firstHeader(r.Header, "Accept"); accept != "" && quality(parseAccept(accept), contentType(media)) == 0 {
		return &decoyError{status: http.StatusNotAcceptable, kind: "not-acceptable", title: "Not acceptable",
			detail: fmt.Sprintf("the response can be %s, which Accept: %q excludes", contentType(media), accept),
			extra:  map[string]any{"available": []string{contentType(media)}}, contract: true}
	}
	fallback := marshal(d.Body.Value())
	if len(media.Examples) > 0 {
		fallback = media.Examples[0].Body
	}
	body := s.rendered(r, ex, op, status, media, d.Body, fallback)
	s.fillHeaders(w.Header(), op, resp, s.seed(r, ex, status))
	ex.honoured = true
	ex.source = sourceScenario
	s.write(w, r, ex, status, contentType(media), body)
	return nil
}

// validationError picks the status the spec documents for an invalid request:
// 415 for a body of the wrong type, else the first of 422, 400 and default.
func validationError(op *openapi.Operation, vs []openapi.Violation) *decoyError {
	msgs := make([]string, len(vs))
	for i, v := range vs {
		msgs[i] = v.Message
	}
	de := &decoyError{kind: "validation-failed", title: "Request does not match the contract",
		detail: strings.Join(msgs, "; "), violations: vs, contract: true}
	switch {
	case openapi.UnsupportedMediaType(vs):
		de.status, de.kind, de.title = http.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported media type"
	case op.Lookup(http.StatusUnprocessableEntity) != nil:
		de.status = http.StatusUnprocessableEntity
	case op.Lookup(http.StatusBadRequest) != nil:
		de.status = http.StatusBadRequest
	default:
		de.status = http.StatusUnprocessableEntity
	}
	return de
}

// renderError writes de: in the shape the spec documents for its status when
// it is a contract status the spec documents, else as problem+json.
func (s *Server) renderError(st *state, w http.ResponseWriter, r *http.Request, ex *exchange, de *decoyError) {
	for k, v := range de.header {
		w.Header()[k] = v
	}
	ex.status, ex.source, ex.kind = de.status, sourceDecoy, de.kind
	ex.honoured = false // an error is not what any preference asked for
	if de.contract && ex.op != nil {
		resp := ex.op.LookupOrDefault(de.status)
		if resp != nil {
			s.fillHeaders(w.Header(), ex.op, resp, s.seed(r, ex, de.status))
			body, media := s.errorBody(ex, resp, de)
			s.write(w, r, ex, de.status, media, body)
			return
		}
		ex.gap = true
	}
	s.write(w, r, ex, de.status, "application/problem+json", de.problemBody(ex.op))
}

func (s *Server) logExchange(r *http.Request, ex *exchange) {
	breaks := len(ex.violations)
	if breachKinds[ex.kind] {
		breaks++
	}
	level := slog.LevelInfo
	if breaks > 0 || ex.gap {
		level = slog.LevelWarn
	}
	h := s.log.Handler()
	ctx := r.Context()
	if !h.Enabled(ctx, level) {
		return
	}
	now := s.now()
	line := RequestLine{Time: now, Level: level, Method: r.Method, Path: r.URL.Path, Status: ex.status,
		Duration: now.Sub(ex.start), Source: ex.source, Violations: breaks}
	if ex.op != nil {
		line.Operation = ex.op.ID
	}
	if level == slog.LevelWarn {
		for i, v := range ex.violations {
			if i == 5 {
				line.More = len(ex.violations) - 5
				break
			}
			line.Messages = append(line.Messages, v.Message)
		}
		if ex.gap {
			line.Gap = fmt.Sprintf("status %d is not documented", ex.status)
		}
	}
	if rl, ok := h.(RequestLogger); ok {
		rl.LogRequest(line)
		return
	}
	// A record made here, not by Logger.LogAttrs, which would walk the
	// stack for the caller's PC on every request (no handler of Decoy's
	// shows it).
	rec := slog.NewRecord(now, level, "request", 0)
	rec.AddAttrs(
		slog.String("method", line.Method),
		slog.String("path", line.Path),
		slog.Int("status", line.Status),
		slog.Duration("duration", line.Duration),
	)
	if line.Operation != "" {
		rec.AddAttrs(slog.String("operation", line.Operation))
	}
	rec.AddAttrs(slog.String("source", line.Source), slog.Int("violations", line.Violations))
	for i, m := range line.Messages {
		rec.AddAttrs(slog.String("violation."+strconv.Itoa(i), m))
	}
	if line.More > 0 {
		rec.AddAttrs(slog.Int("more", line.More))
	}
	if line.Gap != "" {
		rec.AddAttrs(slog.String("spec_gap", line.Gap))
	}
	_ = h.Handle(ctx, rec)
}

// sortedKeys returns m's keys in order, so that anything built from a map is
// deterministic.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
