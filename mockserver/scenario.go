package mockserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/decoy-mock/decoy/openapi"
	"github.com/decoy-mock/decoy/scenarios"
)

// sourceScenario marks an answer a scenario forced.
const sourceScenario = "scenario"

// scenarioName is the scenario that applies to a request served from st:
// the one it asks for, else its client's (clientchoices.go), else the
// server's active one; "" for none. A client's choice of a scenario st does
// not define is passed over: another replica, serving other files, made
// it, or a reload removed it and the shared state could not be told.
func (s *Server) scenarioName(st *state, prefs Preferences, client string) string {
	if prefs.Scenario != "" {
		return prefs.Scenario
	}
	if name := s.clients.get(client); name != "" && st.scenarios != nil && st.scenarios.Lookup(name) != nil {
		return name
	}
	if p := s.active.Load(); p != nil {
		return *p
	}
	return ""
}

// unknownScenario is the 400 for a scenario name the mock does not have.
func unknownScenario(st *state, name string) *decoyError {
	known := []string{}
	if st.scenarios != nil {
		known = st.scenarios.Names()
	}
	list := "this mock defines no scenarios"
	if len(known) > 0 {
		list = "known: " + strings.Join(known, ", ")
	}
	return problemOf("unknown-scenario", fmt.Sprintf("scenario %q is not defined; %s", name, list)).withExtra(map[string]any{"known": known})
}

// decide asks the scenario in force what to do with the request. It returns
// ok=false when no scenario applies, and an error for an unknown one.
func (s *Server) decide(st *state, r *http.Request, ex *exchange, op *openapi.Operation, params map[string]string) (scenarios.Decision, bool, error) {
	name := s.scenarioName(st, ex.prefs, ex.client)
	if name == "" {
		return scenarios.Decision{}, false, nil
	}
	s.readAhead(st, r, ex, op)
	// The counters move to the new state in a reload (see Reload): a
	// call counts on the state served now, never on one already copied.
	s.carryMu.RLock()
	defer s.carryMu.RUnlock()
	st = s.current()
	if st.scenarios == nil || st.scenarios.Lookup(name) == nil {
		return scenarios.Decision{}, false, unknownScenario(st, name)
	}
	in := scenarios.Input{Op: op, Request: r, PathParams: params, Client: ex.client, RemoteIP: remoteIP(r)}
	d, ok, err := st.scenarios.Decide(r.Context(), name, in)
	if err != nil {
		return scenarios.Decision{}, false, sharedStateError(err)
	}
	if ok {
		ex.scenario, ex.rule = d.Scenario, d.Rule
	} else if ex.prefs.Scenario != "" && !st.scenarios.Applies(name, in) {
		// The scenario has no rule for this operation: the answer is the
		// normal one, and Preference-Applied must not say otherwise.
		ex.prefs.Applied = slices.DeleteFunc(ex.prefs.Applied, func(p string) bool { return strings.HasPrefix(p, "scenario=") })
	}
	return d, ok, nil
}

// readAhead starts reading the shared world of the collection that will
// answer the request (a list or an item of a collection that other
// operations write), so that the read and the scenario's count, both
// round trips to the shared state, overlap: the request waits for one
// round trip, not two in a row. Nothing is read ahead when the fixtures
// will not be asked (proxy, Prefer: example, code or dynamic data); a
// read the answer does not use (a stub or a forced status answers) costs
// only Redis.
func (s *Server) readAhead(st *state, r *http.Request, ex *exchange, op *openapi.Operation) {
	if st.fixtures == nil || ex.prefs.Example != "" || ex.prefs.Code != 0 || s.dynamic(ex) || s.proxied(st, op) {
		return
	}
	ex.ahead = st.fixtures.ReadAhead(r.Context(), op.ID, ex.client)
}

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// applyHeaders sets a decision's extra and rate-limit headers.
func applyHeaders(h http.Header, d scenarios.Decision) {
	for k, v := range d.Headers {
		h.Set(k, v)
	}
	if rl := d.RateLimit; rl != nil {
		h.Set("X-RateLimit-Limit", strconv.Itoa(rl.Limit))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(rl.Remaining))
		h.Set("X-RateLimit-Reset", strconv.FormatInt(rl.Reset.Unix(), 10))
		if rl.Limited {
			h.Set("Retry-After", strconv.FormatInt(rl.RetryAfterSeconds(), 10))
		}
	}
}

// forcedStatus is the status a decision forces, 0 for none.
func forcedStatus(d scenarios.Decision) int {
	if d.RateLimit != nil && d.RateLimit.Limited {
		return http.StatusTooManyRequests
	}
	return d.Status
}

// wait sleeps for d unless the client goes away first; it reports whether
// the whole time passed.
func wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// abortConnection ends the connection without an HTTP answer: for reset a
// TCP RST (the client sees ECONNRESET), for empty an orderly close before
// any byte. Where the connection cannot be taken over (HTTP/2), it aborts
// the stream.
func abortConnection(w http.ResponseWriter, f scenarios.Fault) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			if tc, ok := conn.(*net.TCPConn); ok && f == scenarios.FaultReset {
				_ = tc.SetLinger(0)
			}
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// bufferedWriter holds a whole response so a fault can break it.
type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newBufferedWriter(h http.Header) *bufferedWriter { return &bufferedWriter{header: h} }

func (b *bufferedWriter) Header() http.Header { return b.header }
func (b *bufferedWriter) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}
func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// breakResponse sends the buffered answer broken as f says: truncated sends
// the headers and half the body, then drops the connection (the client sees
// an unexpected EOF); malformed sends a complete response whose body does
// not parse as its content type.
func breakResponse(w http.ResponseWriter, b *bufferedWriter, f scenarios.Fault) {
	body := b.body.Bytes()
	status := b.status
	if status == 0 {
		status = http.StatusOK
	}
	switch f {
	case scenarios.FaultTruncated:
		if len(body) < 2 {
			body = append(body, []byte(`{"truncated": true}`)...)
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		}
		w.WriteHeader(status)
		_, _ = w.Write(body[:len(body)/2])
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		panic(http.ErrAbortHandler)
	case scenarios.FaultMalformed:
		bad := malformed(w.Header().Get("Content-Type"), body)
		w.Header().Set("Content-Length", strconv.Itoa(len(bad)))
		w.WriteHeader(status)
		_, _ = w.Write(bad)
	}
}

// malformed returns a body that does not parse as contentType.
func malformed(contentType string, body []byte) []byte {
	switch {
	case strings.Contains(contentType, "json"):
		cut := body[:len(body)*2/3]
		return append(append([]byte{}, cut...), []byte(`,,"decoy": malformed`)...)
	case strings.Contains(contentType, "xml"):
		cut := body[:len(body)*2/3]
		return append(append([]byte{}, cut...), []byte(`<<decoy malformed`)...)
	}
	return append([]byte{0xff, 0xfe, 0x00}, body...)
}

// addScenarioEndpoints adds the scenario and reset endpoints to m.
func (s *Server) addScenarioEndpoints(m map[string]adminEndpoint) {
	m["scenarios"] = adminEndpoint{doc: []string{"GET /__decoy/scenarios"}, handle: s.adminScenarios}
	m["scenario"] = adminEndpoint{doc: []string{"GET|PUT|DELETE /__decoy/scenario"}, handle: s.adminScenario}
	m["reset"] = adminEndpoint{doc: []string{"POST /__decoy/reset"}, handle: s.adminReset}
}

// activeJSON is the active scenario as JSON: its name, or null.
func (s *Server) activeJSON() any {
	if p := s.active.Load(); p != nil {
		return *p
	}
	return nil
}

func (s *Server) adminScenarios(st *state, w http.ResponseWriter, r *http.Request, rest string) error {
	if err := allow(r, rest, http.MethodGet, http.MethodHead); err != nil {
		return err
	}
	list := []scenarios.Summary{}
	if st.scenarios != nil {
		list = st.scenarios.List()
	}
	return writeJSON(w, http.StatusOK, map[string]any{"active": s.activeJSON(), "scenarios": list})
}

func (s *Server) adminScenario(st *state, w http.ResponseWriter, r *http.Request, rest string) error {
	if err := allow(r, rest, http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete); err != nil {
		return err
	}
	switch r.Method {
	case http.MethodPut:
		var body struct {
			Name *string `json:"name"`
		}
		dec := json.NewDecoder(io.LimitReader(r.Body, 1<<16))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&body); err != nil || body.Name == nil {
			msg := `the body must be {"name": "SCENARIO"}`
			if err != nil {
				msg += ": " + err.Error()
			}
			return problemOf("bad-admin-request", msg)
		}
		if *body.Name == "" {
			if err := s.setActive(r.Context(), ""); err != nil {
				return err
			}
			break
		}
		if st.scenarios == nil || st.scenarios.Lookup(*body.Name) == nil {
			return unknownScenario(st, *body.Name)
		}
		name := *body.Name
		if err := s.setActive(r.Context(), name); err != nil {
			return err
		}
		s.log.Info("scenario selected", "scenario", name)
	case http.MethodDelete:
		if err := s.setActive(r.Context(), ""); err != nil {
			return err
		}
		s.log.Info("scenario cleared")
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return writeJSON(w, http.StatusOK, map[string]any{"active": s.activeJSON()})
}

func (s *Server) adminReset(st *state, w http.ResponseWriter, r *http.Request, rest string) error {
	if err := allow(r, rest, http.MethodPost); err != nil {
		return err
	}
	client := r.URL.Query().Get("client")
	if r.ContentLength != 0 {
		var body struct {
			Client string `json:"client"`
		}
		dec := json.NewDecoder(io.LimitReader(r.Body, 1<<16))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&body); err != nil && err != io.EOF {
			return problemOf("bad-admin-request", `the body must be empty or {"client": "KEY"}: `+err.Error())
		}
		if body.Client != "" {
			client = body.Client
		}
	}
	if err := s.reset(r.Context(), client); err != nil {
		return err
	}
	scope := "all"
	if client != "" {
		scope = client
	}
	s.log.Info("reset", "scope", scope)
	return writeJSON(w, http.StatusOK, map[string]any{"reset": scope})
}

// SetScenario makes name the scenario of every request that names none; ""
// clears it. It returns an error listing the known scenarios for an unknown
// name, and changes nothing then.
func (s *Server) SetScenario(name string) error {
	if name != "" {
		st := s.state.Load()
		if st.scenarios == nil || st.scenarios.Lookup(name) == nil {
			return errors.New(unknownScenario(st, name).detail)
		}
	}
	if err := s.setActive(context.Background(), name); err != nil {
		return errors.New(err.(*decoyError).detail)
	}
	return nil
}

// Reset clears scenario counters and rate limits, the scenarios clients
// were switched into, and restores the collections from the fixtures: for
// every client, with the journal, violations and coverage, when client is
// ""; else only that client key's. The active scenario stays.
// With a shared state it clears it for every replica, and logs what could
// not be cleared when the shared state cannot be reached.
func (s *Server) Reset(client string) {
	if err := s.reset(context.Background(), client); err != nil {
		s.log.Error("reset", "err", err)
	}
}

// reset is Reset, returning the 503 for a shared state it cannot reach
// (what is in this process's memory is cleared whatever happens).
func (s *Server) reset(ctx context.Context, client string) error {
	s.carryMu.RLock()
	defer s.carryMu.RUnlock()
	st := s.current()
	var err error
	if st.scenarios != nil {
		err = st.scenarios.Reset(ctx, client)
	}
	if ferr := st.fixtures.ResetContext(ctx, client); err == nil {
		err = ferr
	}
	if cerr := s.clients.reset(ctx, client); err == nil {
		err = cerr
	}
	if client == "" {
		s.journal.Reset()
		if s.shared != nil && err == nil {
			err = s.cfg.Shared.ClearEntries(ctx, true)
		}
	}
	if err != nil {
		return sharedStateError(err)
	}
	return nil
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
		return problemOf("not-acceptable", fmt.Sprintf("the response can be %s, which Accept: %q excludes", contentType(media), accept)).withExtra(map[string]any{"available": []string{contentType(media)}})
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
