package mockserver_test

import (
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/decoy-mock/decoy/defaultapi"
	"github.com/decoy-mock/decoy/fixtures"
	"github.com/decoy-mock/decoy/mockserver"
)

// A valid request answered with a documented 4xx from the fixtures, the
// collections' state or a scenario keeps the contract: it is coverage of
// that status, never a violation. (Issue 15 item 10: the README's own
// "documented 404" failed decoy report --fail-on-violations.)

// contractKept checks that nothing since the last reset counts as a
// violation, in the journal or in /__decoy/violations, and that op's
// documented status was covered.
func contractKept(t *testing.T, ts *httptest.Server, op, status string) {
	t.Helper()
	m := &mockserverTS{ts.URL, ts.Client()}
	var v mockserver.Violations
	m.get(t, "/__decoy/violations", &v)
	if v.Requests != 0 || v.Total != 0 || len(v.Groups) != 0 {
		t.Errorf("violations = %+v, want none", v)
	}
	var list struct {
		Entries []mockserver.Entry `json:"entries"`
	}
	m.get(t, "/__decoy/requests", &list)
	if len(list.Entries) == 0 {
		t.Fatal("the journal holds nothing")
	}
	for _, e := range list.Entries {
		if len(e.Violations) > 0 || len(e.Breaks) > 0 {
			t.Errorf("journal entry %d (%s %s → %d) has violations %+v, breaks %v", e.ID, e.Method, e.Path, e.Status, e.Violations, e.Breaks)
		}
	}
	var only struct {
		Count int `json:"count"`
	}
	m.get(t, "/__decoy/requests?violations=true", &only)
	if only.Count != 0 {
		t.Errorf("GET /__decoy/requests?violations=true lists %d entries, want 0", only.Count)
	}
	var c mockserver.Coverage
	m.get(t, "/__decoy/coverage", &c)
	for _, oc := range c.Operations {
		if oc.Operation != op {
			continue
		}
		for _, rc := range oc.Responses {
			if rc.Code == status {
				if !rc.Hit {
					t.Errorf("coverage of %s %s: not hit: %+v", op, status, oc.Responses)
				}
				return
			}
		}
	}
	t.Errorf("coverage has no %s response %s: %+v", op, status, c.Operations)
}

func TestDocumentedNotFoundOfAnAgentIsNoViolation(t *testing.T) {
	ts := withProject(t)
	res := do(t, ts, call{method: "GET", path: "/v2/agents/agt_nobody/sessions", header: authV2})
	if res.status != 404 || !strings.Contains(string(res.body), "agent_not_found") {
		t.Fatalf("status %d, want the documented 404: %s", res.status, res.body)
	}
	contractKept(t, ts, "listAgentSessions", "404")
}

func TestStatefulMissingItemIsNoViolation(t *testing.T) {
	ts, _, _ := crudServer(t, nil, true)
	res := do(t, ts, call{method: "GET", path: "/pets/42"})
	if res.status != 404 {
		t.Fatalf("status %d, want 404: %s", res.status, res.body)
	}
	contractKept(t, ts, "getPet", "404")
}

// A cursor issued before the fixtures changed is a cursor Decoy gave out:
// whatever the mock answers to it (the next page, or the documented 400
// saying the data changed), the client kept the contract.
func TestCursorFromBeforeAFixtureEditIsNoViolation(t *testing.T) {
	load := func(extra string) mockserver.Config {
		t.Helper()
		spec := loadSpec(t, "default")
		data, err := defaultapi.FS.ReadFile("fixtures/agent-sessions.yaml")
		if err != nil {
			t.Fatal(err)
		}
		fsys := fstest.MapFS{"fixtures/agent-sessions.yaml": {Data: append(data, []byte(extra)...)}}
		store, err := fixtures.LoadStore(fsys, "fixtures", spec, fixtures.StoreOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return mockserver.Config{Spec: spec, Fixtures: store, Seed: 42}
	}
	srv, err := mockserver.New(load(""))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	const list = "/v2/agents/agt_customer_support/sessions?limit=2"
	first := do(t, ts, call{method: "GET", path: list, header: authV2})
	key, _ := first.json(t)["metadata"].(map[string]any)["page_key"].(string)
	if key == "" {
		t.Fatalf("no page_key: %s", first.body)
	}
	// The edit: one more session of the agent.
	if err := srv.Reload(load(`
      - id: ase_customer_support_999
        agent_key: agt_customer_support
        description: "Added while the client was paging"
        enabled: true
        created_at: '2024-01-01T00:00:00Z'
`)); err != nil {
		t.Fatal(err)
	}
	res := do(t, ts, call{method: "GET", path: list + "&page_key=" + key, header: authV2})
	if res.status != 200 && res.status != 400 {
		t.Fatalf("status %d, want the next page or the documented 400: %s", res.status, res.body)
	}
	contractKept(t, ts, "listAgentSessions", strconv.Itoa(res.status))
}
