package mockserver

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"unicode/utf8"

	"github.com/decoy-mock/decoy/fixtures"
	"github.com/decoy-mock/decoy/openapi"
	"github.com/decoy-mock/decoy/scenarios"
	"github.com/decoy-mock/decoy/upstream"
)

// sourceUpstream is the source of an answer the upstream gave (proxy mode).
const sourceUpstream = "upstream"

// MockOnly reports whether op is served by the mock although an upstream
// is configured: its operation id, or "METHOD /path" or its path template,
// matches one of patterns (path.Match globs: "listSessions",
// "/v2/agents/*/sessions", "GET /v1/*"). It returns false for no patterns.
// A malformed pattern matches nothing (CheckMockOnly reports it).
func MockOnly(op *openapi.Operation, patterns []string) bool {
	for _, p := range patterns {
		if fixtures.MatchesOperation(op, p) {
			return true
		}
	}
	return false
}

// CheckMockOnly returns an error naming the first malformed pattern, and
// the patterns that match no operation of spec, for the CLI to warn of.
func CheckMockOnly(spec *openapi.Spec, patterns []string) (unmatched []string, err error) {
	for _, p := range patterns {
		if _, err := path.Match(p, ""); err != nil {
			return nil, fmt.Errorf("--mock-only %q: %v", p, err)
		}
		hit := false
		for _, op := range spec.Operations {
			if MockOnly(op, []string{p}) {
				hit = true
				break
			}
		}
		if !hit {
			unmatched = append(unmatched, p)
		}
	}
	return unmatched, nil
}

// proxied reports whether op is answered by the upstream: there is one,
// and neither Config.MockOnly nor the fixture files' mockOnly lists name
// op.
func (s *Server) proxied(st *state, op *openapi.Operation) bool {
	return s.cfg.Upstream != nil && !MockOnly(op, s.cfg.MockOnly) && !MockOnly(op, st.fixtures.MockOnly())
}

// proxy is step 7 in proxy mode: the request, past security and the
// scenario, is validated, then forwarded; the upstream's answer is checked
// by the upstream package and journaled with the request's violations. A
// scenario that forces a status is answered by the mock, as without an
// upstream; an invalid request is answered with the documented error when
// the proxy is strict (--errors, or Prefer: validate=true).
func (s *Server) proxy(w http.ResponseWriter, r *http.Request, ex *exchange, op *openapi.Operation, params map[string]string, d *scenarios.Decision) error {
	body, rest, err := s.readBounded(r)
	if err != nil {
		return err
	}
	ex.body = body
	var vs []openapi.Violation
	if rest == nil {
		var decoded any
		vs, decoded = checkJSON(r, body)
		if vs == nil {
			vs = op.ValidateRequest(r.Context(), openapi.Request{HTTP: r, PathParams: params, Body: withDefaults(op, r, body, decoded), BodyJSON: decoded, Query: ex.query})
		}
		ex.bodyJSON = decoded
	} else {
		// The parameters are checked; the body, larger than the bound,
		// streams to the upstream unchecked.
		for _, v := range op.ValidateRequest(r.Context(), openapi.Request{HTTP: r, PathParams: params, Query: ex.query}) {
			if v.Location != "body" {
				vs = append(vs, v)
			}
		}
		ex.notes = append(ex.notes, fmt.Sprintf("the request body is larger than %d bytes: forwarded without checking it against the schema", s.cfg.MaxBodyBytes))
	}
	ex.violations = vs
	if d != nil {
		if status := forcedStatus(*d); status != 0 {
			setViolationsHeader(w.Header(), vs, nil)
			return s.forced(w, r, ex, op, status, *d)
		}
	}
	strict := s.cfg.Upstream.Errors()
	if ex.prefs.Validate != nil {
		strict = *ex.prefs.Validate
	}
	if len(vs) > 0 && strict {
		setViolationsHeader(w.Header(), vs, nil)
		return validationError(op, vs)
	}
	cw := &captureWriter{ResponseWriter: w, keep: s.journal.bodyBytes}
	res := s.cfg.Upstream.Forward(cw, r, upstream.Call{Op: op, PathParams: params, Body: body, Rest: rest, RequestViolations: vs})
	ex.respViolations = res.Violations
	ex.notes = append(ex.notes, res.Notes...)
	if res.Kind == upstream.KindClientGone {
		ex.kind = "client-gone"
		return errClientGone
	}
	ex.status, ex.source = cw.status, sourceUpstream
	if res.Kind != "" {
		ex.source, ex.kind = sourceDecoy, res.Kind
	}
	if cw.status != 0 {
		ex.respHeader = cw.Header()
		ex.respBody, ex.respBytes = cw.kept, cw.n
	}
	return nil
}

// readBounded reads r's body up to the server's bound. A larger body
// comes back as the bytes read and the reader of the rest, to be streamed
// on unread.
func (s *Server) readBounded(r *http.Request) ([]byte, io.Reader, error) {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return nil, nil, nil
	}
	limit := s.cfg.MaxBodyBytes
	if r.ContentLength > limit {
		return nil, r.Body, nil // not a byte read: it all streams
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, nil, &decoyError{status: http.StatusRequestEntityTooLarge, kind: "payload-too-large", title: "Payload too large",
				detail: err.Error(), contract: true}
		}
		return nil, nil, &decoyError{status: http.StatusBadRequest, kind: "unreadable-body", title: "Unreadable body", detail: "reading the request body: " + err.Error(), contract: true}
	}
	if int64(len(body)) > limit {
		return body, r.Body, nil
	}
	return body, nil, nil
}

func setViolationsHeader(h http.Header, request, response []openapi.Violation) {
	if v := upstream.ViolationsJSON(request, response); v != "" {
		h.Set(upstream.ViolationsHeader, v)
	}
}

// captureWriter passes an answer through, keeping its status, its length
// and the start of its body for the journal.
type captureWriter struct {
	http.ResponseWriter
	status int
	n      int
	keep   int
	kept   []byte
}

func (c *captureWriter) WriteHeader(status int) {
	if c.status == 0 && status >= 200 {
		c.status = status
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *captureWriter) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	if room := c.keep - len(c.kept); room > 0 {
		part := p[:min(room, len(p))]
		if len(part) < len(p) {
			for len(part) > 0 && !utf8.RuneStart(p[len(part)]) {
				part = part[:len(part)-1]
			}
		}
		c.kept = append(c.kept, part...)
	}
	n, err := c.ResponseWriter.Write(p)
	c.n += n
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's writer (to
// flush a streamed answer).
func (c *captureWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// Flush sends what was written so far.
func (c *captureWriter) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// responseKind is the group of one violation of an upstream's answer.
func responseKind(v openapi.Violation) string {
	switch v.Location {
	case "status":
		return KindUndocumentedStatus
	case "header":
		return KindBadResponseHeader
	case "content-type":
		return KindBadContentType
	}
	return KindBadResponseBody
}

// coverageOf is journal j's coverage of spec, naming the upstream in
// proxy mode.
func (s *Server) coverageOf(j *Journal, spec *openapi.Spec) Coverage {
	c := j.Coverage(spec)
	if s.cfg.Upstream != nil {
		c.Upstream = s.cfg.Upstream.URL().Redacted()
	}
	return c
}
