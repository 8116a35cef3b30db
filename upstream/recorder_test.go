package upstream_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/decoy-mock/decoy/fixtures"
	"github.com/decoy-mock/decoy/upstream"
)

// TestRecorderKeepsAnEarlierSession: a second session adds to the files of
// the first instead of replacing them, and collapses what both recorded.
func TestRecorderKeepsAnEarlierSession(t *testing.T) {
	spec := defaultSpec(t)
	op := spec.Operation("listAgentSessions")
	body := op.Lookup(200).Content[0].Examples[0].Body
	dir := t.TempDir()
	record := func(agent string) {
		t.Helper()
		rec, err := upstream.NewRecorder(dir)
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest(http.MethodGet, "/v2/agents/"+agent+"/sessions", nil)
		err = rec.Record(upstream.Exchange{Op: op, Request: r, PathParams: map[string]string{"agent_key": agent},
			Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: body})
		if err != nil {
			t.Fatal(err)
		}
	}
	record("agt_customer_support")
	record("agt_other")            // a new session: added
	record("agt_customer_support") // recorded by the first: collapsed
	store, err := fixtures.LoadStore(os.DirFS(dir), ".", spec, fixtures.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(store.Stubs()); n != 2 {
		t.Errorf("%d stubs, want 2", n)
	}
}

func TestRecorderRefusesAFileItCannotAddTo(t *testing.T) {
	spec := defaultSpec(t)
	op := spec.Operation("listAgentSessions")
	dir := t.TempDir()
	path := filepath.Join(dir, "listAgentSessions.yaml")
	if err := os.WriteFile(path, []byte("stubs: {not: a list}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rec, err := upstream.NewRecorder(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/v2/agents/agt_a/sessions", nil)
	err = rec.Record(upstream.Exchange{Op: op, Request: r, Status: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: op.Lookup(200).Content[0].Examples[0].Body})
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("err = %v, want it to name %s", err, path)
	}
	if data, _ := os.ReadFile(path); string(data) != "stubs: {not: a list}\n" {
		t.Errorf("the file was changed: %s", data)
	}
}
