package mockserver

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/decoy-mock/decoy/openapi"
)

// AdminPrefix is the path prefix of Decoy's own API.
const AdminPrefix = "/__decoy/"

// exchange is what Decoy records of one request while answering it.
type exchange struct {
	start      time.Time
	op         *openapi.Operation
	params     map[string]string
	body       []byte
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
	ex := &exchange{start: s.now(), client: r.Header.Get("X-Decoy-Client")}
	if strings.HasPrefix(r.URL.Path, AdminPrefix) || r.URL.Path == strings.TrimSuffix(AdminPrefix, "/") {
		ex.source = sourceAdmin
		ex.status = s.admin(st, w, r)
		s.logExchange(r, ex)
		return
	}
	if err := s.answer(st, w, r, ex); err != nil {
		var de *decoyError
		if !errors.As(err, &de) {
			de = &decoyError{status: http.StatusInternalServerError, kind: "internal", title: "Internal error", detail: err.Error()}
		}
		s.renderError(st, w, r, ex, de)
	}
	s.logExchange(r, ex)
	s.record(r, ex)
}

func (s *Server) answer(st *state, w http.ResponseWriter, r *http.Request, ex *exchange) error {
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
			ex.status, ex.source = http.StatusNoContent, sourceDecoy
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

	prefs, err := ParsePreferences(r.Header.Values("Prefer"), r.URL.Query())
	if err != nil {
		return &decoyError{status: http.StatusUnprocessableEntity, kind: "malformed-preference", title: "Malformed preference", detail: err.Error()}
	}
	ex.prefs = prefs
	stripPreferQuery(r.URL)
	if prefs.Scenario != "" {
		return &decoyError{status: http.StatusBadRequest, kind: "unknown-scenario", title: "Unknown scenario",
			detail: fmt.Sprintf("scenario %q is not defined; this mock defines no scenarios", prefs.Scenario),
			extra:  map[string]any{"known": []string{}}}
	}

	if ok, problem, challenges := op.Check(r); !ok {
		return &decoyError{status: http.StatusUnauthorized, kind: "unauthorized", title: "Unauthorized", detail: problem,
			header: http.Header{"Www-Authenticate": challenges}, contract: true}
	}

	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, s.cfg.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &decoyError{status: http.StatusRequestEntityTooLarge, kind: "payload-too-large", title: "Payload too large",
				detail: fmt.Sprintf("the request body is larger than %d bytes", s.cfg.MaxBodyBytes), contract: true}
		}
		return &decoyError{status: http.StatusBadRequest, kind: "unreadable-body", title: "Unreadable body", detail: "reading the request body: " + err.Error(), contract: true}
	}
	ex.body = body
	if vs := op.ValidateRequest(r.Context(), openapi.Request{HTTP: r, PathParams: params, Body: body}); len(vs) > 0 {
		ex.violations = vs
		strict := s.cfg.Validation == ValidationStrict
		if prefs.Validate != nil {
			strict = *prefs.Validate
		}
		if strict {
			return validationError(op, vs)
		}
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
	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", ex.status),
		slog.Duration("duration", s.now().Sub(ex.start)),
	}
	if ex.op != nil {
		attrs = append(attrs, slog.String("operation", ex.op.ID))
	}
	attrs = append(attrs, slog.String("source", ex.source), slog.Int("violations", len(ex.violations)))
	level := slog.LevelInfo
	if len(ex.violations) > 0 || ex.gap {
		level = slog.LevelWarn
		for i, v := range ex.violations {
			if i == 5 {
				attrs = append(attrs, slog.Int("more", len(ex.violations)-5))
				break
			}
			attrs = append(attrs, slog.String(fmt.Sprintf("violation.%d", i), v.Message))
		}
		if ex.gap {
			attrs = append(attrs, slog.String("spec_gap", fmt.Sprintf("status %d is not documented", ex.status)))
		}
	}
	s.log.LogAttrs(r.Context(), level, "request", attrs...)
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
