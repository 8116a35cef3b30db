package decoytest_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/decoy-mock/decoy/mockserver"
	"github.com/decoy-mock/decoy/mockserver/decoytest"
)

func get(t *testing.T, srv *decoytest.Server, path string, header map[string]string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.URL+path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

const sessions = "/v2/agents/agt_customer_support/sessions"

var auth = map[string]string{"Authorization": "Bearer sk_test"}

func TestDefaultAPIWithScenarioAndJournal(t *testing.T) {
	srv := decoytest.NewServer(t)
	if got := get(t, srv, sessions+"?limit=2", auth); got != 200 {
		t.Fatalf("status %d", got)
	}
	srv.UseScenario("agent-not-found")
	if got := get(t, srv, sessions, auth); got != 404 {
		t.Errorf("under agent-not-found: %d", got)
	}
	srv.UseScenario("")
	if got := get(t, srv, sessions+"?limit=500", auth); got != 400 {
		t.Errorf("invalid limit: %d", got)
	}
	if v := srv.Violations(); v.Requests != 1 {
		t.Errorf("violations %+v, want one request", v)
	}
	if got := srv.Requests(mockserver.Filter{Status: 404}); len(got) != 1 {
		t.Errorf("journal 404s: %d", len(got))
	}
	srv.Reset()
	if v := srv.Violations(); v.Requests != 0 {
		t.Errorf("after Reset: %+v", v)
	}
}

func TestSpecFromDisk(t *testing.T) {
	srv := decoytest.NewServer(t, decoytest.Spec("../testdata/specs/swagger2-petstore.yaml"), decoytest.Seed(3))
	if got := get(t, srv, "/v2/pets", map[string]string{"api_key": "k"}); got != 200 {
		t.Errorf("status %d", got)
	}
}

// fakeTB records a Fatal instead of stopping the test.
type fakeTB struct {
	testing.TB
	failed string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed = format
	panic(f)
}

func TestLoadProblemsFailTheTest(t *testing.T) {
	for name, opts := range map[string][]decoytest.Option{
		"unknown scenario": {decoytest.Scenario("nope")},
		"missing spec":     {decoytest.Spec("does-not-exist.yaml")},
	} {
		fake := &fakeTB{TB: t}
		func() {
			defer func() { _ = recover() }()
			decoytest.NewServer(fake, opts...)
		}()
		if fake.failed == "" {
			t.Errorf("%s: NewServer did not fail the test", name)
		}
	}
}
