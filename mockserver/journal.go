package mockserver

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/decoy-mock/decoy/openapi"
)

// Bounds on what one journal entry keeps, so that the journal's memory is
// size × a constant whatever the clients send.
const (
	maxEntryHeaders    = 32
	maxHeaderValue     = 256
	maxEntryPath       = 2048
	maxEntryQuery      = 2048
	maxEntryViolations = 20
	maxViolationText   = 512
	// maskKeep is how many characters of a secret the journal shows.
	maskKeep = 4
)

// Entry is one exchange as the journal keeps it: the request (secrets
// masked, body truncated), what Decoy made of it and what it answered.
type Entry struct {
	// ID increases by one per recorded exchange and is never reused, not
	// even after a reset.
	ID   uint64    `json:"id"`
	Time time.Time `json:"time"`
	// Method, Path (escaped, as received) and Query (without the __code…
	// preference parameters Decoy consumed; secrets masked).
	Method string `json:"method"`
	Path   string `json:"path"`
	Query  string `json:"query,omitempty"`
	// Headers are the request headers, sorted by name, at most 32, each
	// value cut at 256 bytes; credentials (Authorization, cookies, the
	// headers any apiKey scheme of the spec names, on every route, and
	// names that look like secrets) keep their scheme word and first four
	// characters. HeadersOmitted counts the headers left out.
	Headers        map[string]string `json:"headers,omitempty"`
	HeadersOmitted int               `json:"headers_omitted,omitempty"`
	// Body is the request body as Decoy read it, cut past the journal's
	// body size with a marker, with the values of JSON and form fields
	// named like secrets (password, token, api_key…, at any depth) masked;
	// BodyBytes is its full length. Requests
	// refused before their body is read (no route, 405, 401) have none.
	Body      string `json:"body,omitempty"`
	BodyBytes int    `json:"body_bytes,omitempty"`
	// Client is the X-Decoy-Client header.
	Client    string `json:"client,omitempty"`
	Operation string `json:"operation,omitempty"`
	Scenario  string `json:"scenario,omitempty"`
	Rule      string `json:"rule,omitempty"`
	// Violations are the ways the request broke the contract's parameters
	// and body (at most 20; ViolationsOmitted counts the rest).
	Violations        []openapi.Violation `json:"violations,omitempty"`
	ViolationsOmitted int                 `json:"violations_omitted,omitempty"`
	// ResponseViolations are the ways the upstream's answer broke the
	// contract (proxy mode; at most 20, ResponseViolationsOmitted counts
	// the rest): Location is "status", "header", "content-type" or "body".
	ResponseViolations        []openapi.Violation `json:"response_violations,omitempty"`
	ResponseViolationsOmitted int                 `json:"response_violations_omitted,omitempty"`
	// Notes are what the proxy found that breaks no rule: a body too
	// large to check, an exchange not recorded and why.
	Notes []string `json:"notes,omitempty"`
	// Breaks are the violation kinds of this exchange as GET
	// /__decoy/violations groups them ("missing-parameter", "unknown-route"…).
	Breaks []string `json:"breaks,omitempty"`
	Status int      `json:"status"`
	// Source is what answered: "stub", "collection", "example",
	// "generated", "scenario", "upstream" (the API a proxy forwards to) or
	// "decoy" (an error of Decoy's own).
	Source string `json:"source"`
	// Kind is the problem kind of a Decoy error ("no-route", "unauthorized"…).
	Kind string `json:"kind,omitempty"`
	// Gap says the status is one the operation does not document.
	Gap        bool    `json:"gap,omitempty"`
	DurationMS float64 `json:"duration_ms"`
	// Closest are, for a request no operation matches, the operations
	// nearest to it and what of the request did not match them.
	Closest []Miss `json:"closest,omitempty"`
	// Response is what Decoy answered; nil when no answer was written (a
	// fault that dropped the connection, a client that left).
	Response *EntryResponse `json:"response,omitempty"`

	// raw holds what Query, Headers and Body are built from until the
	// entry is first read.
	raw rawRequest
}

// EntryResponse is an answer as the journal keeps it, bounded and masked
// as the request is.
type EntryResponse struct {
	Status int `json:"status"`
	// Headers are the response headers Decoy set, sorted by name, at most
	// 32, each value cut at 256 bytes, credentials masked as in a request
	// (Set-Cookie keeps its attributes); HeadersOmitted counts the headers
	// left out. net/http adds Date (and may add Content-Type) when it
	// writes them.
	Headers        map[string]string `json:"headers,omitempty"`
	HeadersOmitted int               `json:"headers_omitted,omitempty"`
	// Body is the body sent, cut past the journal's body size with a
	// marker, secret-named JSON and form fields masked; BodyBytes is its
	// full length. A HEAD answer has none.
	Body      string `json:"body,omitempty"`
	BodyBytes int    `json:"body_bytes,omitempty"`
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
func (e *Entry) build(bodyBytes int) {
	raw := &e.raw
	if !raw.pending {
		return
	}
	secretQuery, secretHeader := raw.names.lists(raw.op)
	e.Query = truncate(maskQuery(raw.rawQuery, secretQuery), maxEntryQuery)
	h := raw.header
	if raw.pairs != nil {
		h = pairsHeader(raw.pairs)
	}
	e.Headers, e.HeadersOmitted = headers(h, secretHeader)
	if len(raw.body) > 0 {
		e.BodyBytes = len(raw.body)
		e.Body = maskBody(raw.body, bodyBytes, h.Get("Content-Type"), nil)
	}
	if raw.answered {
		rh := pairsHeader(raw.respPairs)
		resp := &EntryResponse{Status: e.Status, BodyBytes: raw.respBytes}
		resp.Headers, resp.HeadersOmitted = headers(rh, secretHeader)
		if len(raw.respBody) > 0 {
			resp.Body = maskBody(raw.respBody, len(raw.respBody), rh.Get("Content-Type"), nil)
			if cut := raw.respBytes - len(raw.respBody); cut > 0 {
				resp.Body += "…[truncated " + strconv.Itoa(cut) + " bytes]"
			}
		}
		e.Response = resp
	}
	*raw = rawRequest{}
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

// secretsOf lists the query parameters and headers op's API key schemes
// use, whose values the journal masks.
func secretsOf(op *openapi.Operation) (query, header []string) {
	if op == nil {
		return nil, nil
	}
	for _, req := range op.Security {
		for _, sch := range req {
			if sch.Kind != openapi.SchemeAPIKey {
				continue
			}
			switch sch.In {
			case "query":
				query = append(query, sch.Param)
			case "header":
				header = append(header, http.CanonicalHeaderKey(sch.Param))
			}
		}
	}
	return query, header
}

// Miss is an operation close to an unmatched request, hoverfly's "closest
// miss": Mismatch names what differed, "path" and/or "method".
type Miss struct {
	Operation string   `json:"operation"`
	Method    string   `json:"method"`
	Path      string   `json:"path"`
	Mismatch  []string `json:"mismatch"`
}

// summary is e without its bulky parts, for listings: the request's
// headers and body, and the response's body.
func (e Entry) summary() Entry {
	e.Headers, e.HeadersOmitted, e.Body = nil, 0, ""
	if e.Response != nil {
		resp := *e.Response
		resp.Body = ""
		e.Response = &resp
	}
	return e
}

// Journal keeps the most recent exchanges in a bounded ring buffer, and
// apart from it the tallies of coverage and contract violations since start
// or reset, which survive the ring's evictions. Its memory is bounded by the
// ring size and by the spec (operations × statuses × kinds), never by the
// traffic. It is safe for concurrent use.
type Journal struct {
	size, bodyBytes int

	mu sync.Mutex
	// buf grows to size, then head wraps around it; head is the slot of
	// the next entry and n the number of entries held.
	buf     []Entry
	head, n int
	lastID  uint64
	tally   tally

	// secrets caches the apiKey names of the spec last served.
	secrets atomic.Pointer[secretNames]
}

// NewJournal returns a journal keeping size exchanges (0 means 1000) and
// bodyBytes of each request body (0 means 4096). Negative values count as 0.
func NewJournal(size, bodyBytes int) *Journal {
	if size <= 0 {
		size = 1000
	}
	if bodyBytes <= 0 {
		bodyBytes = 4096
	}
	return &Journal{size: size, bodyBytes: bodyBytes, tally: newTally()}
}

// Size returns how many exchanges the journal keeps at most.
func (j *Journal) Size() int { return j.size }

// Journal returns the server's request journal.
func (s *Server) Journal() *Journal { return s.journal }

// Len returns how many exchanges the journal holds now.
func (j *Journal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.n
}

// Reset forgets every entry, the coverage counts and the violations, as
// POST /__decoy/reset asks. Entry ids keep increasing.
func (j *Journal) Reset() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.clearLocked()
	j.tally = newTally()
}

// Clear forgets the entries only, as DELETE /__decoy/requests asks; coverage
// and violations are kept.
func (j *Journal) Clear() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.clearLocked()
}

func (j *Journal) clearLocked() {
	clear(j.buf)
	j.buf, j.head, j.n = j.buf[:0], 0, 0
}

// add stores e under the next id, counts ev, and returns the id.
func (j *Journal) add(e Entry, ev event) uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.lastID++
	e.ID = j.lastID
	if len(j.buf) < j.size {
		if len(j.buf) == cap(j.buf) {
			// Grow by doubling, but never past size: the ring's memory is
			// exactly size entries at most.
			grown := make([]Entry, len(j.buf), min(j.size, max(16, 2*cap(j.buf))))
			copy(grown, j.buf)
			j.buf = grown
		}
		j.buf = append(j.buf, e)
	} else {
		j.buf[j.head] = e
	}
	j.head = (j.head + 1) % j.size
	j.n = min(j.n+1, j.size)
	j.tally.count(e, ev)
	return e.ID
}

// nth returns the k-th newest entry (0 is the newest); j.mu is held.
func (j *Journal) nth(k int) *Entry {
	return &j.buf[((j.head-1-k)%len(j.buf)+len(j.buf))%len(j.buf)]
}

// Entry returns the entry with the given id; false when it was evicted,
// cleared, or never existed.
func (j *Journal) Entry(id uint64) (Entry, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	// The ring holds a run of consecutive ids ending at lastID.
	if id == 0 || id > j.lastID || j.lastID-id >= uint64(j.n) {
		return Entry{}, false
	}
	e := j.nth(int(j.lastID - id))
	e.build(j.bodyBytes)
	return *e, true
}

// Filter selects journal entries; the zero value selects all.
type Filter struct {
	// Operation is an operation id; "" means any.
	Operation string
	// Status is an exact status, or a class (4 for "4xx") when Class is
	// set; 0 means any.
	Status int
	Class  bool
	// Violations keeps only exchanges that broke the contract.
	Violations bool
	// Client is an X-Decoy-Client value; "" means any.
	Client string
	// SinceID keeps entries with a greater id; SinceTime entries at or
	// after it.
	SinceID   uint64
	SinceTime time.Time
	// Limit is the most entries returned; 0 means the journal's size.
	Limit int
}

func (f Filter) match(e *Entry) bool {
	switch {
	case f.Operation != "" && e.Operation != f.Operation,
		f.Status != 0 && !f.Class && e.Status != f.Status,
		f.Status != 0 && f.Class && e.Status/100 != f.Status,
		f.Violations && len(e.Breaks) == 0,
		f.Client != "" && e.Client != f.Client,
		f.SinceID != 0 && e.ID <= f.SinceID,
		!f.SinceTime.IsZero() && e.Time.Before(f.SinceTime):
		return false
	}
	return true
}

// Entries returns the entries f selects, newest first.
func (j *Journal) Entries(f Filter) []Entry {
	limit := f.Limit
	if limit <= 0 || limit > j.size {
		limit = j.size
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	out := []Entry{}
	for k := 0; k < j.n && len(out) < limit; k++ {
		e := j.nth(k)
		if f.SinceID != 0 && e.ID <= f.SinceID {
			break // older ones have smaller ids still
		}
		if f.match(e) {
			e.build(j.bodyBytes)
			out = append(out, *e)
		}
	}
	return out
}

// record adds one answered exchange to the journal; admin requests are not
// journaled.
func (s *Server) record(r *http.Request, ex *exchange) {
	if ex.source == sourceAdmin {
		return
	}
	st := s.state.Load()
	names := s.journal.secretsFor(st.spec)
	e := s.journal.entrySpec(r, ex, names)
	e.Time = ex.start
	e.DurationMS = float64(s.now().Sub(ex.start).Microseconds()) / 1000
	ev := event{breaks: s.breaks(st, r, ex)}
	for _, b := range ev.breaks {
		e.Breaks = append(e.Breaks, b.kind)
	}
	if len(ev.breaks) > 0 {
		e.build(s.journal.bodyBytes) // a violation group may quote its query
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
	s.journal.add(e, ev)
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

// headers returns h's headers sorted by name, at most maxEntryHeaders, with
// credentials masked, and the number left out.
func headers(h http.Header, secret []string) (map[string]string, int) {
	if len(h) == 0 {
		return nil, 0
	}
	names := sortedKeys(h)
	omitted := max(0, len(names)-maxEntryHeaders)
	names = names[:len(names)-omitted]
	out := make(map[string]string, len(names))
	for _, name := range names {
		v := strings.Join(h[name], ", ")
		switch {
		case name == "Set-Cookie":
			vs := make([]string, len(h[name]))
			for i, c := range h[name] {
				vs[i] = maskSetCookie(c)
			}
			v = strings.Join(vs, ", ")
		case name == "Cookie":
			v = maskCookies(v)
		case name == "Authorization", name == "Proxy-Authorization", secretName(name), slices.Contains(secret, name):
			v = maskCredential(v)
		}
		out[truncate(name, maxHeaderValue)] = truncate(v, maxHeaderValue)
	}
	return out, omitted
}

// secretWords are the parts of names that carry credentials.
var secretWords = []string{"apikey", "token", "secret", "password", "passwd", "auth", "session", "signature", "credential", "accesskey", "privatekey"}

// secretName reports whether a header or query parameter name looks like it
// carries a credential (X-API-Key, X-Auth-Token, access_token…).
func secretName(name string) bool {
	var b [64]byte
	n := b[:0]
	for i := 0; i < len(name) && len(n) < len(b); i++ {
		switch c := name[i]; {
		case c == '-' || c == '_' || c == '.':
		case c >= 'A' && c <= 'Z':
			n = append(n, c+'a'-'A')
		default:
			n = append(n, c)
		}
	}
	norm := string(n)
	if norm == "key" || norm == "sig" {
		return true
	}
	for _, w := range secretWords {
		if strings.Contains(norm, w) {
			return true
		}
	}
	return false
}

// maskCredential keeps an Authorization-style value's scheme word and the
// first characters of its credential: "Bearer sk_test_123" → "Bearer sk_t…".
func maskCredential(v string) string {
	v = strings.TrimSpace(v)
	if word, cred, ok := strings.Cut(v, " "); ok && isToken(word) {
		return word + " " + maskSecret(strings.TrimSpace(cred))
	}
	return maskSecret(v)
}

// maskSecret keeps the first four characters of a secret longer than eight
// (shorter ones would be mostly shown), and marks the cut with "…".
func maskSecret(v string) string {
	if utf8.RuneCountInString(v) <= 2*maskKeep {
		return "…"
	}
	i, n := 0, 0
	for i = range v {
		if n == maskKeep {
			break
		}
		n++
	}
	return v[:i] + "…"
}

// maskCookies masks the value of every cookie in a Cookie header.
func maskCookies(v string) string {
	parts := strings.Split(v, ";")
	for i, p := range parts {
		name, val, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok {
			parts[i] = name + "=" + maskSecret(val)
		} else {
			parts[i] = maskSecret(strings.TrimSpace(p))
		}
	}
	return strings.Join(parts, "; ")
}

// maskSetCookie masks the value of a Set-Cookie header's cookie and keeps
// its attributes (Path, Max-Age…).
func maskSetCookie(v string) string {
	pair, attrs, _ := strings.Cut(v, ";")
	name, val, ok := strings.Cut(strings.TrimSpace(pair), "=")
	if !ok {
		return maskSecret(strings.TrimSpace(pair))
	}
	out := name + "=" + maskSecret(val)
	if attrs != "" {
		out += ";" + attrs
	}
	return out
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", c)) {
			return false
		}
	}
	return true
}

// maskQuery masks the values of the query parameters that carry
// credentials: those named by the operation's apiKey schemes, and those
// whose names look like secrets. The order and encoding of the others are
// kept as sent.
func maskQuery(raw string, secret []string) string {
	if raw == "" {
		return ""
	}
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		k, v, ok := strings.Cut(p, "=")
		if !ok || v == "" {
			continue
		}
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		if slices.ContainsFunc(secret, func(s string) bool { return strings.EqualFold(s, name) }) || secretName(name) {
			val, err := url.QueryUnescape(v)
			if err != nil {
				val = v
			}
			parts[i] = k + "=" + url.QueryEscape(maskSecret(val))
		}
	}
	return strings.Join(parts, "&")
}

// truncate cuts s to at most n bytes on a character boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
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

// addJournalEndpoints adds the journal's admin endpoints to m: the request
// journal, violations, coverage and the whole report.
func (s *Server) addJournalEndpoints(m map[string]adminEndpoint) {
	m["requests"] = adminEndpoint{
		doc:    []string{"GET /__decoy/requests", "DELETE /__decoy/requests", "GET /__decoy/requests/{id}"},
		handle: s.adminRequests,
	}
	m["violations"] = adminEndpoint{doc: []string{"GET /__decoy/violations"}, handle: s.adminViolations}
	m["coverage"] = adminEndpoint{doc: []string{"GET /__decoy/coverage"}, handle: s.adminCoverage}
	m["report"] = adminEndpoint{doc: []string{"GET /__decoy/report"}, handle: s.adminReport}
}

// requestList is the body of GET /__decoy/requests.
type requestList struct {
	// Count is len(Entries); Held is how many entries the journal holds and
	// Size how many it can.
	Count   int     `json:"count"`
	Held    int     `json:"held"`
	Size    int     `json:"size"`
	Entries []Entry `json:"entries"`
}

func (s *Server) adminRequests(st *state, w http.ResponseWriter, r *http.Request, rest string) int {
	if rest != "" {
		if !allow(w, r, "", http.MethodGet, http.MethodHead) {
			return http.StatusMethodNotAllowed
		}
		id, err := strconv.ParseUint(rest, 10, 64)
		if err != nil {
			return badParameter(w, "id", fmt.Sprintf("%q is not an entry id (a positive integer)", rest))
		}
		e, ok := s.journal.Entry(id)
		if !ok {
			return writeProblem(w, &decoyError{status: http.StatusNotFound, kind: "no-entry", title: "No such journal entry",
				detail: fmt.Sprintf("the journal holds no entry %d: it was never recorded, or was cleared or evicted (the journal keeps %d)", id, s.journal.Size())})
		}
		return writeJSON(w, http.StatusOK, e)
	}
	if !allow(w, r, rest, http.MethodGet, http.MethodHead, http.MethodDelete) {
		return http.StatusMethodNotAllowed
	}
	if r.Method == http.MethodDelete {
		s.journal.Clear()
		w.WriteHeader(http.StatusNoContent)
		return http.StatusNoContent
	}
	f, param, err := s.parseFilter(r.URL.Query())
	if err != nil {
		return badParameter(w, param, err.Error())
	}
	entries := s.journal.Entries(f)
	for i := range entries {
		entries[i] = entries[i].summary()
	}
	return writeJSON(w, http.StatusOK, requestList{Count: len(entries), Held: s.journal.Len(), Size: s.journal.Size(), Entries: entries})
}

// filterParams are the query parameters of GET /__decoy/requests.
var filterParams = []string{"operation", "status", "violations", "client", "since", "limit"}

// parseFilter reads a Filter from the query; on error it also returns the
// name of the offending parameter.
func (s *Server) parseFilter(q url.Values) (Filter, string, error) {
	f := Filter{Limit: min(100, s.journal.Size())}
	for _, name := range sortedKeys(q) {
		if !slices.Contains(filterParams, name) {
			return f, name, fmt.Errorf("unknown parameter %q (known: %s)", name, strings.Join(filterParams, ", "))
		}
		v := q.Get(name)
		switch name {
		case "operation":
			f.Operation = v
		case "client":
			f.Client = v
		case "status":
			if len(v) == 3 && strings.EqualFold(v[1:], "xx") && v[0] >= '1' && v[0] <= '5' {
				f.Status, f.Class = int(v[0]-'0'), true
				break
			}
			n, err := strconv.Atoi(v)
			if err != nil || n < 100 || n > 599 {
				return f, name, fmt.Errorf("%q is not a status (100 to 599) or a class such as 4xx", v)
			}
			f.Status = n
		case "violations":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return f, name, fmt.Errorf("%q is not true or false", v)
			}
			f.Violations = b
		case "since":
			if id, err := strconv.ParseUint(v, 10, 64); err == nil {
				f.SinceID = id
				break
			}
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return f, name, fmt.Errorf("%q is neither an entry id nor an RFC 3339 time such as 2024-03-11T09:12:04Z", v)
			}
			f.SinceTime = t
		case "limit":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return f, name, fmt.Errorf("%q is not a positive integer", v)
			}
			f.Limit = min(n, s.journal.Size())
		}
	}
	return f, "", nil
}

// badParameter answers 400 naming the query parameter that is wrong.
func badParameter(w http.ResponseWriter, param, detail string) int {
	return writeProblem(w, &decoyError{status: http.StatusBadRequest, kind: "bad-parameter", title: "Bad parameter",
		detail: fmt.Sprintf("parameter %q: %s", param, detail), extra: map[string]any{"parameter": param}})
}
