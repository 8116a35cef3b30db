package mockserver

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/decoy-mock/decoy/fixtures"
	"github.com/decoy-mock/decoy/openapi"
)

// fromFixtures answers from a matching stub or a collection. It reports
// whether it answered; a request the fixtures reject (an unknown key, a bad
// cursor) is an error in the shape the spec documents for its status. A
// client asking for a named example or dynamic data gets the spec's.
func (s *Server) fromFixtures(st *state, w http.ResponseWriter, r *http.Request, ex *exchange, op *openapi.Operation, params map[string]string) (bool, error) {
	if st.fixtures == nil || ex.prefs.Example != "" || s.dynamic(ex) {
		return false, nil
	}
	ans, err := s.answerFixtures(st, fixtures.Call{Op: op, HTTP: r, Query: ex.queryValues(), PathParams: params, Body: ex.body, BodyJSON: ex.bodyJSON, Status: ex.prefs.Code, Client: ex.client, Lenient: len(ex.violations) > 0, Ahead: ex.ahead})
	if err != nil {
		var fe *fixtures.RequestError
		if se := (*fixtures.SharedError)(nil); errors.As(err, &se) {
			return false, sharedStateError(se)
		}
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
		return false, problemOf("not-acceptable", fmt.Sprintf("the response can be %s, which Accept: %q excludes", ans.ContentType, accept)).withExtra(map[string]any{"available": []string{ans.ContentType}})
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
