// Package decoytest starts a Decoy mock inside a Go test, so Go client code
// can be tested against the contract:
//
//	srv := decoytest.NewServer(t, decoytest.Dir("testdata/api"))
//	client := myapi.NewClient(srv.URL)
//	srv.UseScenario("rate-limited")
//	... call the client, then:
//	if v := srv.Violations(); v.Total > 0 { t.Errorf("client broke the contract: %+v", v) }
//
// With no option it serves Decoy's embedded default API. The server is
// closed by t.Cleanup.
package decoytest

import (
	"net/http/httptest"
	"testing"

	"github.com/decoy-mock/decoy/mockserver"
)

// Server is a started mock: an *httptest.Server (URL, Client) and the
// mockserver.Server behind it.
type Server struct {
	*httptest.Server
	// Mock is the handler, for what the helpers here do not cover.
	Mock *mockserver.Server
	tb   testing.TB
}

// Option configures NewServer.
type Option func(*options)

type options struct {
	dir, spec, fixtures, scenarios string
	scenario                       string
	seed                           uint64
	validation                     mockserver.ValidationMode
	stateful                       bool
}

// Dir serves a project folder: openapi.yaml (or .yml/.json), and fixtures/
// and scenarios/ when present.
func Dir(path string) Option { return func(o *options) { o.dir = path } }

// Spec serves the spec file at path (overriding Dir's).
func Spec(path string) Option { return func(o *options) { o.spec = path } }

// Fixtures serves the fixture files in the folder at path.
func Fixtures(path string) Option { return func(o *options) { o.fixtures = path } }

// Scenarios loads the scenario files in the folder at path.
func Scenarios(path string) Option { return func(o *options) { o.scenarios = path } }

// Scenario makes name the scenario of every request from the start.
func Scenario(name string) Option { return func(o *options) { o.scenario = name } }

// Seed seeds generated data.
func Seed(n uint64) Option { return func(o *options) { o.seed = n } }

// Stateful makes a stateful collection of every resource with a list path
// and an item path (/pets + /pets/{id}), as decoy serve --stateful does:
// POST, PUT, PATCH and DELETE change it in memory, and later reads see the
// change. Collections the fixtures declare are kept as they are.
func Stateful() Option { return func(o *options) { o.stateful = true } }

// ReportOnly answers invalid requests normally; their violations are still
// recorded (see Violations).
func ReportOnly() Option { return func(o *options) { o.validation = mockserver.ValidationReport } }

// NewServer loads the mock's files and starts it on 127.0.0.1. It fails the
// test, with every load problem, when a file does not load.
func NewServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	p, err := o.project()
	if err != nil {
		tb.Fatalf("decoytest: %v", err)
	}
	p.Stateful = o.stateful
	cfg, err := mockserver.LoadProject(tb.Context(), p)
	if err != nil {
		tb.Fatalf("decoytest: %v", err)
	}
	cfg.Seed, cfg.Scenario, cfg.Validation = o.seed, o.scenario, o.validation
	mock, err := mockserver.New(cfg)
	if err != nil {
		tb.Fatalf("decoytest: %v", err)
	}
	ts := httptest.NewUnstartedServer(mock)
	ts.Config.MaxHeaderBytes = mockserver.HTTPMaxHeaderBytes(cfg.MaxHeaderBytes)
	ts.Start()
	srv := &Server{Server: ts, Mock: mock, tb: tb}
	tb.Cleanup(srv.Close)
	return srv
}

func (o options) project() (mockserver.Project, error) {
	p, err := mockserver.FindProject(o.dir, mockserver.ProjectFiles{Spec: o.spec, Fixtures: o.fixtures, Scenarios: o.scenarios})
	p.Seed = o.seed
	return p, err
}

// UseScenario makes name the scenario of every request that names none;
// "" clears it. It fails the test for an unknown name.
func (s *Server) UseScenario(name string) {
	s.tb.Helper()
	if err := s.Mock.SetScenario(name); err != nil {
		s.tb.Fatalf("decoytest: %v", err)
	}
}

// Requests returns the journaled exchanges matching f, newest first.
func (s *Server) Requests(f mockserver.Filter) []mockserver.Entry {
	return s.Mock.Journal().Entries(f)
}

// Violations returns the contract breaks seen so far.
func (s *Server) Violations() mockserver.Violations { return s.Mock.Violations() }

// Report returns coverage and violations together.
func (s *Server) Report() mockserver.Report { return s.Mock.Report() }

// Reset clears counters, rate limits, the scenarios clients were switched
// into, the journal, violations and coverage; the active scenario stays.
func (s *Server) Reset() { s.Mock.Reset("") }
