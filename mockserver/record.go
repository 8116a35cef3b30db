package mockserver

import (
	"net/http"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/decoy-mock/decoy/openapi"
)

// record adds one answered exchange to the journal; admin requests are not
// journaled.
func (s *Server) record(st *state, r *http.Request, ex *exchange) {
	if ex.source == sourceAdmin {
		return
	}
	names := s.journal.secretsFor(st.spec)
	e := s.journal.entrySpec(r, ex, names)
	e.Time = ex.start
	e.DurationMS = float64(s.now().Sub(ex.start).Microseconds()) / 1000
	ev := event{breaks: breaks(ex)}
	for _, b := range ev.breaks {
		e.Breaks = append(e.Breaks, b.kind)
	}
	if len(ev.breaks) > 0 {
		// A violation group may quote the query: masked now; the headers
		// and bodies wait until the entry is read, as for a valid request.
		e.buildQuery()
		// Messages may quote what was sent: never a credential.
		secrets := secretValues(r, ex.body, names, ex.op)
		for i := range ev.breaks {
			ev.breaks[i].message = scrub(ev.breaks[i].message, secrets)
		}
		for i := range e.Violations {
			e.Violations[i].Message = scrub(e.Violations[i].Message, secrets)
		}
		for i := range e.ResponseViolations {
			e.ResponseViolations[i].Message = scrub(e.ResponseViolations[i].Message, secrets)
		}
	}
	if ex.kind == "no-route" || ex.kind == "method-not-allowed" {
		e.Closest = closestMisses(st, r, ex)
	}
	if ex.op != nil {
		ev.op = ex.op
		ev.response = countedResponse(ex)
	}
	if s.shared != nil {
		// Published once the shared journal has given it its id.
		s.shared.add(e, ev)
		return
	}
	s.publishEntry(s.journal.add(e, ev), e)
}

// entry copies what the journal keeps of r and ex, bounded and masked
// (with the names op's schemes give).
func (j *Journal) entry(r *http.Request, ex *exchange) Entry { return j.entrySpec(r, ex, nil) }

// entrySpec copies what the journal keeps of r and ex, bounded, with the
// names of every apiKey scheme of the spec masked.
func (j *Journal) entrySpec(r *http.Request, ex *exchange, names *secretNames) Entry {
	e := Entry{
		Method:   r.Method,
		Path:     truncate(r.URL.EscapedPath(), maxEntryPath),
		Client:   truncate(ex.client, maxHeaderValue),
		Scenario: ex.scenario,
		Rule:     ex.rule,
		Status:   ex.status,
		Source:   ex.source,
		Kind:     ex.kind,
		Gap:      ex.gap,
	}
	if ex.op != nil {
		e.Operation = ex.op.ID
	}
	e.raw = rawRequest{pending: true, header: r.Header, rawQuery: r.URL.RawQuery, body: ex.body, op: ex.op, names: names}
	if ex.respHeader != nil {
		// The response header map is the writer's: copied now, as pairs.
		e.raw.answered, e.raw.respBody, e.raw.respBytes = true, ex.respBody, ex.respBytes
		e.raw.respPairs = headerPairs(ex.respHeader)
	}
	if e.raw.keep(j.bodyBytes) {
		e.raw.flatten()
	} else {
		e.build(j.bodyBytes)
	}
	e.Violations, e.ViolationsOmitted = boundedViolations(ex.violations)
	e.ResponseViolations, e.ResponseViolationsOmitted = boundedViolations(ex.respViolations)
	for i, n := range ex.notes {
		if i == maxEntryViolations {
			break
		}
		e.Notes = append(e.Notes, truncate(n, maxViolationText))
	}
	return e
}

// boundedViolations copies at most maxEntryViolations of vs, their texts
// cut, and counts the rest.
func boundedViolations(vs []openapi.Violation) ([]openapi.Violation, int) {
	n := len(vs)
	if n == 0 {
		return nil, 0
	}
	keep := min(n, maxEntryViolations)
	out := make([]openapi.Violation, keep)
	for i, v := range vs[:keep] {
		v.Message = truncate(v.Message, maxViolationText)
		v.Pointer = truncate(v.Pointer, maxViolationText)
		v.Parameter = truncate(v.Parameter, maxViolationText)
		out[i] = v
	}
	return out, n - keep
}

// rawRequest is the part of a request an entry masks and truncates. Doing
// that on every request cost a map, a sort and a dozen strings each; the
// journal is read far less often than written, so an entry keeps the
// request's headers as a flat list of strings (one allocation), its query
// and body (when they are small: the journal's memory stays bounded) and
// builds its fields when read.
type rawRequest struct {
	pending  bool
	header   http.Header // the request's own map until pairs copies it
	pairs    []string    // the header as name, value, name, value…
	rawQuery string
	body     []byte
	op       *openapi.Operation
	// names are the spec's apiKey names, masked on every route; nil
	// means those of op only.
	names *secretNames
	// The response: its headers (as name, value pairs), the start of its
	// body (at most the journal's body size) and the body's full length.
	answered  bool
	respPairs []string
	respBody  []byte
	respBytes int
}

// Bounds on a request kept raw; a larger one is masked and cut at once.
const (
	maxRawHeaderBytes = 8 << 10
	maxRawQuery       = maxEntryQuery
)

// keepRaw reports whether raw is small enough to keep as it is.
func (raw *rawRequest) keep(bodyBytes int) bool {
	if len(raw.rawQuery) > maxRawQuery || len(raw.header) > maxEntryHeaders || cap(raw.body) > 2*bodyBytes+512 {
		return false
	}
	n := 0
	for k, vs := range raw.header {
		n += len(k)
		for _, v := range vs {
			n += len(v)
		}
	}
	if len(raw.respPairs) > 2*maxEntryHeaders {
		return false
	}
	for _, s := range raw.respPairs {
		n += len(s)
	}
	return n <= maxRawHeaderBytes
}

// flatten copies the header map into pairs and lets go of the map, which
// belongs to the request.
func (raw *rawRequest) flatten() {
	raw.pairs = headerPairs(raw.header)
	raw.header = nil
}

// build fills the entry's Query, Headers and Body from raw, once.
func (e *Entry) build(bodyBytes int) { e.buildMemo(bodyBytes, nil) }

// buildMemo is build, masking the bodies through memo (nil: none).
func (e *Entry) buildMemo(bodyBytes int, memo *bodyMemo) {
	raw := &e.raw
	if !raw.pending {
		return
	}
	e.buildQuery()
	_, secretHeader := raw.names.lists(raw.op)
	var contentType string
	if raw.pairs != nil {
		e.Headers, e.HeadersOmitted = pairHeaders(raw.pairs, secretHeader)
		contentType = pairValue(raw.pairs, "Content-Type")
	} else {
		e.Headers, e.HeadersOmitted = headers(raw.header, secretHeader)
		contentType = raw.header.Get("Content-Type")
	}
	if len(raw.body) > 0 {
		e.BodyBytes = len(raw.body)
		e.Body = memo.mask(raw.body, bodyBytes, len(raw.body), contentType)
	}
	if raw.answered {
		resp := &EntryResponse{Status: e.Status, BodyBytes: raw.respBytes}
		resp.Headers, resp.HeadersOmitted = pairHeaders(raw.respPairs, secretHeader)
		if len(raw.respBody) > 0 {
			resp.Body = memo.mask(raw.respBody, len(raw.respBody), raw.respBytes, pairValue(raw.respPairs, "Content-Type"))
		}
		e.Response = resp
	}
	*raw = rawRequest{}
}

// keptBody returns what an entry shows of a body of full bytes of which
// it kept the first, kept: its first n bytes at most, masked (see
// maskBody), and a marker saying how many were cut.
func keptBody(kept []byte, n, full int, contentType string) string {
	out := maskBody(kept, n, contentType, nil)
	if cut := full - len(kept); cut > 0 {
		out += "…[truncated " + strconv.Itoa(cut) + " bytes]"
	}
	return out
}

// buildQuery fills the entry's Query, masked and cut, from raw while the
// rest of it waits for build.
func (e *Entry) buildQuery() {
	if raw := &e.raw; raw.pending {
		secretQuery, _ := raw.names.lists(raw.op)
		e.Query = truncate(maskQuery(raw.rawQuery, secretQuery), maxEntryQuery)
	}
}

// pairsHeader rebuilds a header from name, value pairs.
func pairsHeader(pairs []string) http.Header {
	h := make(http.Header, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		h[pairs[i]] = append(h[pairs[i]], pairs[i+1])
	}
	return h
}

// headerPairs copies h as name, value pairs: one allocation, the strings
// shared.
func headerPairs(h http.Header) []string {
	n := 0
	for _, vs := range h {
		n += 2 * len(vs)
	}
	pairs := make([]string, 0, n)
	for k, vs := range h {
		for _, v := range vs {
			pairs = append(pairs, k, v)
		}
	}
	return pairs
}

// keepResponseBody copies the start of a response body the journal keeps,
// at most n bytes cut on a character boundary, once, while the body is
// still the writer's (a fixture answer's buffer is reused after).
func (ex *exchange) keepResponseBody(body []byte, n int) {
	ex.respBytes = len(body)
	cut := len(body)
	if cut > n {
		cut = n
		for cut > 0 && !utf8.RuneStart(body[cut]) {
			cut--
		}
	}
	ex.respBody = append([]byte(nil), body[:cut]...)
}

// closestMisses names, for a request no operation answers, the operations
// nearest to it and what did not match: the path (no route) or the method
// (a path the spec has with other methods). Only unmatched requests pay for
// this walk over the operations.
func closestMisses(st *state, r *http.Request, ex *exchange) []Miss {
	var templates []string
	mismatch := []string{"method"}
	if ex.kind == "no-route" {
		templates, mismatch = ex.closest, []string{"path"}
	} else if _, entry, _, _ := st.spec.Match(r.Method, r.URL.EscapedPath()); entry != nil {
		templates = []string{entry.Template}
	}
	var out []Miss
	for _, t := range templates {
		for _, op := range st.spec.Operations {
			if op.Path != t {
				continue
			}
			m := Miss{Operation: op.ID, Method: op.Method, Path: op.Path, Mismatch: mismatch}
			if ex.kind == "no-route" && op.Method != r.Method {
				m.Mismatch = []string{"path", "method"}
			}
			out = append(out, m)
		}
	}
	// A same-method operation is the closer miss.
	slices.SortStableFunc(out, func(a, b Miss) int { return len(a.Mismatch) - len(b.Mismatch) })
	if len(out) > 5 {
		out = out[:5]
	}
	return out
}
