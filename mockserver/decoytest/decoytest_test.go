package decoytest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
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

func send(t *testing.T, srv *decoytest.Server, method, path, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, got
}

// Regression: decoytest had no stateful option, so a client's write was
// never seen by its next read.
func TestStatefulKeepsWrites(t *testing.T) {
	spec := decoytest.Spec("../testdata/specs/crud-petstore.yaml")
	srv := decoytest.NewServer(t, spec, decoytest.Stateful())
	status, body := send(t, srv, "POST", "/pets", `{"name":"Nibbles","species":"dog"}`)
	if status != 201 {
		t.Fatalf("POST /pets: %d %s", status, body)
	}
	var pet struct{ ID json.Number }
	if err := json.Unmarshal(body, &pet); err != nil || pet.ID == "" {
		t.Fatalf("POST /pets answered %s: %v", body, err)
	}
	id := pet.ID.String()
	if status, body := send(t, srv, "GET", "/pets/"+id, ""); status != 200 || !strings.Contains(string(body), "Nibbles") {
		t.Errorf("GET /pets/%s after the create: %d %s", id, status, body)
	}
	if status, _ := send(t, srv, "DELETE", "/pets/"+id, ""); status != 204 {
		t.Errorf("DELETE /pets/%s: %d", id, status)
	}
	if status, _ := send(t, srv, "GET", "/pets/"+id, ""); status != 404 {
		t.Errorf("GET /pets/%s after the delete: %d, want 404", id, status)
	}

	// Without the option, nothing is kept.
	plain := decoytest.NewServer(t, spec)
	if plain.Mock.Fixtures() != nil {
		t.Errorf("without Stateful, a spec with no fixtures has a store")
	}
}

// The README's "build the handler yourself" example: LoadProject with the
// project's fixtures and scenarios, not only its spec.
func TestLoadProjectAsTheReadmeDoes(t *testing.T) {
	api := os.DirFS("../../defaultapi")
	cfg, err := mockserver.LoadProject(t.Context(), mockserver.Project{
		SpecFS: api, SpecFile: "openapi.yaml",
		FixturesFS: api, FixturesDir: "fixtures",
		ScenariosFS: api, ScenariosDir: "scenarios",
	})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Fixtures == nil || len(cfg.Fixtures.Collections()) == 0 {
		t.Errorf("LoadProject loaded no fixtures")
	}
	if cfg.Scenarios == nil || cfg.Scenarios.Len() == 0 {
		t.Errorf("LoadProject loaded no scenarios")
	}
}
