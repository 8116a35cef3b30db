package mockserver

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/decoy-mock/decoy/openapi"
)

// Config says what a Server serves and how. Only Spec is required.
type Config struct {
	// Spec is the loaded OpenAPI document to serve; New fails without one.
	Spec *openapi.Spec
	// Logger receives one line per request; nil means no logging.
	Logger *slog.Logger
	// Seed makes generated data reproducible: the same seed and request give
	// the same body. 0 is a valid seed like any other.
	Seed uint64
	// CORS answers browser preflights and adds CORS headers to every
	// response; false leaves CORS to the spec. The CLI turns it on.
	CORS bool
	// MaxBodyBytes bounds a request body; 0 means 10 MiB. A larger body is
	// answered with 413.
	MaxBodyBytes int64
	// Now tells the time; nil means time.Now.
	Now func() time.Time
}

// Server is the mock: an http.Handler that answers every request from the
// spec. It is safe for concurrent use.
type Server struct {
	cfg   Config
	log   *slog.Logger
	now   func() time.Time
	state atomic.Pointer[state]
	// handler is the middleware chain, built once in New.
	handler http.Handler
}

// state is everything built from one load of the user's files. It is never
// modified once published, so a reload can swap it atomically.
type state struct {
	spec *openapi.Spec
	// expose is the Access-Control-Expose-Headers value.
	expose string
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
	s := &Server{cfg: cfg, log: cfg.Logger, now: cfg.Now}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.state.Store(newState(cfg.Spec))
	s.handler = s.recoverPanics(s.cors(http.HandlerFunc(s.handle)))
	return s, nil
}

func newState(spec *openapi.Spec) *state {
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
	return &state{spec: spec, expose: strings.Join(expose, ", ")}
}

// Spec returns the spec being served.
func (s *Server) Spec() *openapi.Spec { return s.state.Load().spec }

// ServeHTTP answers r from the spec; see DESIGN.md for the order of checks.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}
