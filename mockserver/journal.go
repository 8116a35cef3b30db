package mockserver

import (
	"sync"
	"sync/atomic"
	"time"

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

// Miss is an operation close to an unmatched request, hoverfly's "closest
// miss": Mismatch names what differed, "path" and/or "method".
type Miss struct {
	Operation string   `json:"operation"`
	Method    string   `json:"method"`
	Path      string   `json:"path"`
	Mismatch  []string `json:"mismatch"`
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

// Journal returns the server's request journal. With a shared state
// (Config.Shared) the entries go to the shared journal instead and this
// one stays empty: read them through GET /__decoy/requests, Coverage and
// Violations.
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
