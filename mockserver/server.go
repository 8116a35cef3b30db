package mockserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/decoy-mock/decoy/fixtures"
	"github.com/decoy-mock/decoy/openapi"
	"github.com/decoy-mock/decoy/scenarios"
	"github.com/decoy-mock/decoy/upstream"
)

// Config says what a Server serves and how. Only Spec is required.
type Config struct {
	// Spec is the loaded OpenAPI document to serve; New fails without one.
	Spec *openapi.Spec
	// Fixtures are the stubs and collections that answer before the spec's
	// examples; nil means none.
	Fixtures *fixtures.Store
	// Scenarios are the named behaviours a request or the admin API can
	// select; nil means none.
	Scenarios *scenarios.Set
	// Scenario is the scenario active for every request from the start;
	// "" means none. New fails when Scenarios has no such scenario.
	Scenario string
	// Logger receives one line per request; nil means no logging.
	Logger *slog.Logger
	// Seed makes generated data reproducible: the same seed and request give
	// the same body. 0 is a valid seed like any other.
	Seed uint64
	// Dynamic answers with data generated from the schema instead of the
	// spec's examples and the fixtures, as Prism's -d does, for every
	// request that does not choose for itself (its Prefer: dynamic=false
	// still gets examples and fixtures). No Preference-Applied header is
	// sent for it: the client asked for nothing. false, the zero value,
	// answers with examples and fixtures.
	Dynamic bool
	// CORS answers browser preflights and adds CORS headers to every
	// response; false leaves CORS to the spec. The CLI turns it on.
	CORS bool
	// MaxBodyBytes bounds a request body; 0 means 10 MiB. A larger body is
	// answered with 413, except by a proxy (Upstream), which streams it
	// to the upstream unchecked.
	MaxBodyBytes int64
	// MaxHeaderBytes bounds a request's header block (the request line, the
	// header lines and the blank line after them, each header counted as
	// "Name: value"); 0 means 1 MiB. A larger block is answered 431 with a
	// problem document, and journaled. net/http reads a header block before
	// any handler sees it and refuses a larger one than its own
	// http.Server.MaxHeaderBytes (plus 4 KiB it adds) with a plain-text 431
	// of its own: set that field to HTTPMaxHeaderBytes(MaxHeaderBytes).
	MaxHeaderBytes int
	// Now tells the time; nil means time.Now.
	Now func() time.Time
	// AdminToken, when set, makes the admin API (/__decoy/) require
	// "Authorization: Bearer <AdminToken>"; "" leaves it open, which is
	// right on loopback only (the CLI turns the admin API off when it
	// listens beyond loopback without a token).
	AdminToken string
	// AllowedHosts are the Host names, besides loopback ones (localhost,
	// *.localhost, 127.0.0.0/8, [::1]), the admin API answers, compared
	// without port and case; "*" allows any. nil means loopback names only,
	// except that with an AdminToken a connection that came in on a
	// non-loopback address is answered whatever its Host (the token is the
	// guard there). Other hosts get 403, so that a page renamed to this
	// address by DNS rebinding cannot read the journal.
	AllowedHosts []string
	// DisableAdmin turns the admin API off: /__decoy/ paths are routed like
	// any other path of the spec.
	DisableAdmin bool
	// Validation says what an invalid request gets: ValidationStrict (the
	// zero value) answers it with the documented error; ValidationReport
	// answers it normally and only records its violations.
	Validation ValidationMode
	// JournalSize is the number of exchanges the journal keeps, the oldest
	// dropped first; 0 means 1000.
	JournalSize int
	// JournalBodyBytes is how much of a request body the journal keeps;
	// 0 means 4096.
	JournalBodyBytes int
	// Upstream, when not nil, turns the mock into a validating proxy:
	// every request that passes security and the scenario is validated,
	// then forwarded to it, and its answer checked (see upstream.Proxy).
	// nil means every answer comes from the mock.
	Upstream *upstream.Proxy
	// MockOnly are the operations the mock answers although Upstream is
	// set (see MockOnly for the patterns); nil means none.
	MockOnly []string
	// Shared, when set, keeps the active scenario (and, see
	// Project.Counters, the scenario counters) where every replica of the
	// mock shares them; nil keeps them in memory. A part of an answer that
	// needs it while it cannot be reached is a 503 problem document, and
	// GET /__decoy/health answers "degraded".
	Shared SharedState
}

// Server is the mock: an http.Handler that answers every request from the
// spec. It is safe for concurrent use.
type Server struct {
	cfg   Config
	log   *slog.Logger
	now   func() time.Time
	state atomic.Pointer[state]
	// carryMu makes a reload's carry-over and its swap one step for the
	// state users write: Reload holds it to copy the old state's
	// collections and counters into the new one and publish it; every
	// change of that state (a collection write, a scenario decision, a
	// reset) holds it in read mode and applies to the state current then
	// (see current).
	carryMu sync.RWMutex
	// handler is the middleware chain, built once in New; ServeHTTP hands
	// it the state, loaded once per request.
	handler stateHandler
	// adminTable maps the first segment under /__decoy/ to its endpoint.
	adminTable map[string]adminEndpoint
	journal    *Journal
	// shared sends the journal to the shared state; nil without one.
	shared *sharedJournal
	events *hub // the journal's subscribers (events.go)
	// epoch names this process's journal for the event stream's hello
	// (epoch.go); with a shared state the shared journal's is used.
	epoch string
	// eventPing is how often an idle event stream pings (and, with a
	// shared state, checks the journal's epoch): eventPing unless a test
	// shortens it.
	eventPing time.Duration
	// clients are the scenarios chosen per client key (clientchoices.go):
	// in memory, or shared by the replicas with Config.Shared.
	clients clientChoices
	// active is the scenario selected for all requests; nil means none.
	active atomic.Pointer[string]
	// failure is the last reload that failed (see ReloadFailed); nil
	// means none.
	failure atomic.Pointer[reloadFailure]
	// errorTemplates are the spec's error examples, prepared for errorBody
	// on first use (respond.go).
	errorTemplates atomic.Pointer[errorTemplates]
}

// state is everything built from one load of the user's files. It is never
// modified once published, so a reload can swap it atomically.
type state struct {
	spec      *openapi.Spec
	fixtures  *fixtures.Store
	scenarios *scenarios.Set
	// expose is the Access-Control-Expose-Headers value.
	expose exposeList
}

// New checks cfg and builds a Server. It returns an error when cfg has no
// spec; everything a request needs is prepared here, never at request time.
func New(cfg Config) (*Server, error) {
	if cfg.Spec == nil {
		return nil, errors.New("mockserver: Config.Spec is required")
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 10 << 20
	}
	if cfg.MaxHeaderBytes <= 0 {
		cfg.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	s := &Server{cfg: cfg, log: cfg.Logger, now: cfg.Now}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.state.Store(newState(cfg))
	if cfg.Scenario != "" {
		if cfg.Scenarios == nil || cfg.Scenarios.Lookup(cfg.Scenario) == nil {
			return nil, errors.New(unknownScenario(s.state.Load(), cfg.Scenario).detail)
		}
		name := cfg.Scenario
		s.active.Store(&name)
		if cfg.Shared != nil {
			if err := cfg.Shared.SetActive(context.Background(), name); err != nil {
				return nil, fmt.Errorf("--scenario %s: %w", name, err)
			}
		}
	}
	s.journal = NewJournal(cfg.JournalSize, cfg.JournalBodyBytes)
	s.events = newHub()
	s.epoch, s.eventPing = newEpoch(), eventPing
	s.clients = &memoryChoices{}
	if cfg.Shared != nil {
		shared := &sharedChoices{store: cfg.Shared}
		s.clients = shared
		s.watchShared(shared)
		s.startSharedJournal()
	}
	s.adminTable = s.adminEndpoints()
	s.handler = s.recoverPanics(s.cors(s.handle))
	return s, nil
}

func newState(cfg Config) *state {
	spec := cfg.Spec
	expose := []string{"Link", "Location", "Preference-Applied", "Retry-After", "WWW-Authenticate",
		"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"}
	for _, op := range spec.Operations {
		for _, r := range op.Responses {
			for _, h := range r.Headers {
				if !slices.ContainsFunc(expose, func(e string) bool { return strings.EqualFold(e, h.Name) }) {
					expose = append(expose, h.Name)
				}
			}
		}
	}
	slices.SortFunc(expose, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return &state{spec: spec, fixtures: cfg.Fixtures, scenarios: cfg.Scenarios, expose: newExposeList(expose)}
}

// Reload swaps in what cfg says to serve (its Spec, Fixtures and
// Scenarios; the rest of the Config is kept from New) as one new immutable
// state. What users wrote carries over in the same step: the collections'
// writes and client worlds (see fixtures.Store.CarryFrom), and the
// counters and rate-limit windows of every scenario whose rules did not
// change (see scenarios.Set.CarryFrom). Requests in flight finish on the
// state they started with, except that a write or a scenario decision made
// after the swap applies to the new state. It returns an error, and keeps
// serving the old state, when cfg has no spec or when the written state
// does not fit the new files (an item its new schema refuses, or no
// Fixtures at all; POST /__decoy/reset drops the writes). An active
// scenario the new files no longer define is cleared, and logged, as is
// each client's choice of a scenario the reload removed (of every replica,
// with a shared state).
func (s *Server) Reload(cfg Config) error {
	if cfg.Spec == nil {
		return errors.New("mockserver: Reload needs a Spec")
	}
	old, err := s.swap(newState(cfg))
	if err != nil {
		return err
	}
	// After the swap, outside carryMu: clearing the shared choices is a
	// round trip, which requests' scenario decisions must not wait for.
	s.dropGoneChoices(old.scenarios, cfg.Scenarios)
	return nil
}

// swap publishes next in place of the state served now, carrying over
// what users wrote (see Reload), and returns the state it replaced. It
// returns an error, and swaps nothing, when the writes do not fit next.
func (s *Server) swap(next *state) (*state, error) {
	// Why a lock and not a snapshot taken before the swap: a write that
	// lands on the old store after its state was copied would be answered
	// 201 and lost, and the copied key sequence would hand its id out
	// again. Every change of user state takes carryMu in read mode and
	// applies to s.current() under it, so while Reload holds it no change
	// is in progress, none can start on the old state once it is copied,
	// and the first ones after see the new state. Only the copy and the
	// swap are inside: a request in flight holds the read lock for its
	// write alone, never across latency or network I/O, so a reload
	// waits at most for the writes in progress.
	s.carryMu.Lock()
	defer s.carryMu.Unlock()
	old := s.state.Load()
	if next.fixtures == nil && old.fixtures.Written() {
		return nil, fmt.Errorf("the edited project has no fixtures to keep the collections' writes in (POST %sreset drops the writes; then save again)", AdminPrefix)
	}
	if err := next.fixtures.CarryFrom(old.fixtures); err != nil {
		return nil, fmt.Errorf("the collections' writes do not fit the edited files (POST %sreset drops the writes; then save again): %w", AdminPrefix, err)
	}
	if old.scenarios != nil && next.scenarios != nil {
		kept := next.scenarios.CarryFrom(old.scenarios)
		var changed []string
		for _, name := range next.scenarios.Names() {
			if old.scenarios.Lookup(name) != nil && !slices.Contains(kept, name) {
				changed = append(changed, name)
			}
		}
		if len(changed) > 0 {
			s.log.Info("scenarios whose rules changed start their counters from zero", "scenarios", changed)
		}
	}
	s.state.Store(next)
	if p := s.active.Load(); p != nil && (next.scenarios == nil || next.scenarios.Lookup(*p) == nil) {
		s.active.Store(nil)
		s.log.Warn("the active scenario is gone after the reload; no scenario is active now", "scenario", *p)
	}
	return old, nil
}

// dropGoneChoices clears the client choices of the scenarios that were in
// before and are not in after, and logs each: those clients follow the
// global scenario now. Only the scenarios this reload removed count: a
// choice another replica made of a scenario this one never had is not
// this replica's to clear (its files may be the older ones).
func (s *Server) dropGoneChoices(before, after *scenarios.Set) {
	if before == nil {
		return
	}
	var gone []string
	for _, name := range before.Names() {
		if after == nil || after.Lookup(name) == nil {
			gone = append(gone, name)
		}
	}
	if len(gone) == 0 {
		return
	}
	dropped, err := s.clients.dropGone(context.Background(), gone)
	if err != nil {
		s.log.Warn("the clients' choices of the scenarios gone after the reload stay in the shared state; this replica ignores them", "scenarios", gone, "err", err)
	}
	for _, client := range slices.Sorted(maps.Keys(dropped)) {
		s.log.Warn("a client's scenario is gone after the reload; the client follows the global scenario now", "client", client, "scenario", dropped[client])
	}
}

// current returns the state being served, for a change of the state users
// write; the caller holds carryMu in read mode (see Reload).
func (s *Server) current() *state { return s.state.Load() }

// Fixtures returns the collections and stubs being served (nil for none):
// after a Reload, the new store, which holds the writes of the old one.
func (s *Server) Fixtures() *fixtures.Store { return s.state.Load().fixtures }

// Spec returns the spec being served.
func (s *Server) Spec() *openapi.Spec { return s.state.Load().spec }

// ServeHTTP answers r from the spec; see the package documentation for the
// order of checks.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The one load of the state for this request: every step below gets
	// st, so a request that spans a reload is answered, logged and
	// journaled wholly from the files it started with (see Reload).
	s.handler(s.state.Load(), w, r)
}

// stateHandler answers one request from the state st. The middleware
// (recoverPanics, cors) and handle are stateHandlers, so that the state
// ServeHTTP loaded reaches every step.
type stateHandler func(st *state, w http.ResponseWriter, r *http.Request)

// ValidationMode says what Decoy does with a request that breaks the contract.
type ValidationMode int

const (
	// ValidationStrict answers an invalid request with the error the spec
	// documents for it.
	ValidationStrict ValidationMode = iota
	// ValidationReport answers an invalid request as if it were valid, and
	// still journals its violations.
	ValidationReport
)

// String returns "strict" or "report".
func (m ValidationMode) String() string {
	if m == ValidationReport {
		return "report"
	}
	return "strict"
}

// UnmarshalText parses "strict" (or "true") and "report" (or "false").
func (m *ValidationMode) UnmarshalText(b []byte) error {
	switch strings.ToLower(string(b)) {
	case "strict", "true":
		*m = ValidationStrict
	case "report", "false":
		*m = ValidationReport
	default:
		return fmt.Errorf("unknown validation mode %q (known: strict, report; true, false)", b)
	}
	return nil
}

// MarshalText returns String().
func (m ValidationMode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

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
