package mockserver_test

import (
	"bytes"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/decoy-mock/decoy/fixtures"
	"github.com/decoy-mock/decoy/mockserver"
)

// TestNotFoundScenariosNameWhatWasSent: the not-found scenarios fill the
// request's namespace or agent into their bodies. Issue 15 item 12: the
// namespace-not-found body always named my-namespace.
func TestNotFoundScenariosNameWhatWasSent(t *testing.T) {
	ts, spec := newServer(t, "default", withScenarios(t, ""))
	for _, tt := range []struct {
		call       call
		code, want string
	}{
		{call{method: "POST", path: v1, header: with(authV1, "X-Namespace", "ns_nope", "Prefer", "scenario=namespace-not-found"), body: `{}`}, "namespace_not_found", "Namespace 'ns_nope' does not exist"},
		{call{method: "POST", path: v1 + "?__scenario=not-found", header: with(authV1, "X-Namespace", "my-team"), body: `{}`}, "namespace_not_found", "Namespace 'my-team' does not exist"},
		{call{method: "GET", path: "/v2/agents/agt_gone/sessions", header: with(authV2, "Prefer", "scenario=agent-not-found")}, "agent_not_found", "Agent 'agt_gone' does not exist"},
		{call{method: "GET", path: "/v2/agents/agt_gone/sessions?__scenario=not-found", header: authV2}, "agent_not_found", "Agent 'agt_gone' does not exist"},
	} {
		res := checked(t, ts, spec, tt.call, 404)
		e := res.json(t)["error"].(map[string]any)
		if e["code"] != tt.code || e["message"] != tt.want {
			t.Errorf("%s %s: error %v, want %s %q", tt.call.method, tt.call.path, e, tt.code, tt.want)
		}
		if res.header.Get("Content-Type") != "application/json" {
			t.Errorf("Content-Type %q", res.header.Get("Content-Type"))
		}
	}
}

// TestStubBodyPlaceholders: a stub's body takes placeholders too (the same
// mechanism as scenario bodies), and a filled-in value that would break
// the schema gives the body as written instead, with a warning.
func TestStubBodyPlaceholders(t *testing.T) {
	spec := loadSpec(t, "default")
	store, err := fixtures.LoadStore(fstest.MapFS{"fixtures/s.yaml": {Data: []byte(`
stubs:
  - operation: listAgentSessions
    response:
      body:
        sessions:
          - id: ase_1
            agent_key: agt_x
            description: "{{request.path.agent_key}} asked for {{request.query.limit}} on {{request.header.X-Team}}"
            enabled: true
            created_at: '2024-01-01T00:00:00Z'
        metadata:
          page_key: "{{request.query.page_key}}"
          total_count: 1
`)}}, "fixtures", spec, fixtures.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	srv, err := mockserver.New(mockserver.Config{Spec: spec, Fixtures: store, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	res := checked(t, ts, spec, call{method: "GET", path: "/v2/agents/agt_a/sessions?limit=5&page_key=next", header: with(authV2, "X-Team", "blue")}, 200)
	if !strings.Contains(string(res.body), `"description":"agt_a asked for 5 on blue"`) || !strings.Contains(string(res.body), `"page_key":"next"`) {
		t.Errorf("not filled in: %s", res.body)
	}
	// No page_key: "" breaks its minLength, so the body as written answers.
	res = checked(t, ts, spec, call{method: "GET", path: "/v2/agents/agt_a/sessions", header: authV2}, 200)
	if !strings.Contains(string(res.body), `"page_key":"{{request.query.page_key}}"`) {
		t.Errorf("want the body as written: %s", res.body)
	}
	if !strings.Contains(logs.String(), "breaks the schema") {
		t.Errorf("the fallback was silent: %q", logs.String())
	}
}
