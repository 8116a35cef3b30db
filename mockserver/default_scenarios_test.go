package mockserver_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/decoy-mock/decoy/defaultapi"
	"github.com/decoy-mock/decoy/scenarios"
)

const v1 = "/v1/agents/sessions/list"

// TestEveryDefaultScenarioCoversBothEndpoints: a QA engineer who selects a
// default scenario gets it on both seed endpoints, except the two whose
// name says which endpoint they are about (agent-not-found is v2's
// agent_not_found, namespace-not-found v1's namespace_not_found; not-found
// is both). Issue 15 item 11: rate-limited answered v1 normally.
func TestEveryDefaultScenarioCoversBothEndpoints(t *testing.T) {
	spec := loadSpec(t, "default")
	set, err := scenarios.Load(defaultapi.FS, "scenarios", spec, scenarios.Options{})
	if err != nil {
		t.Fatal(err)
	}
	only := map[string]string{"agent-not-found": "listAgentSessions", "namespace-not-found": "listSessions"}
	for _, sum := range set.List() {
		want := []string{"listAgentSessions", "listSessions"}
		if op, ok := only[sum.Name]; ok {
			want = []string{op}
		}
		covered := []string{}
		for _, op := range []string{"listAgentSessions", "listSessions"} {
			if slices.Contains(sum.Operations, op) || slices.Contains(sum.Operations, "*") {
				covered = append(covered, op)
			}
		}
		if fmt.Sprint(covered) != fmt.Sprint(want) {
			t.Errorf("scenario %s covers %v, want %v", sum.Name, covered, want)
		}
	}
	for _, name := range []string{"not-found", "rate-limited", "sequence"} {
		if set.Lookup(name) == nil {
			t.Errorf("the default API has no %s scenario", name)
		}
	}
}

func TestRateLimitedScenarioOnV1(t *testing.T) {
	ts, _ := newServer(t, "default", withScenarios(t, ""))
	h := with(authV1, "Prefer", "scenario=rate-limited")
	body := `{"status": "active"}`
	for i := 1; i <= 5; i++ {
		res := do(t, ts, call{method: "POST", path: v1, header: h, body: body})
		if res.status != 200 || res.header.Get("X-RateLimit-Remaining") != fmt.Sprint(5-i) || res.header.Get("Preference-Applied") != "scenario=rate-limited" {
			t.Fatalf("call %d: %d remaining=%q Preference-Applied=%q", i, res.status, res.header.Get("X-RateLimit-Remaining"), res.header.Get("Preference-Applied"))
		}
	}
	res := do(t, ts, call{method: "POST", path: v1, header: h, body: body})
	if res.status != 429 || res.header.Get("Retry-After") == "" || res.json(t)["error"].(map[string]any)["code"] != "rate_limit_exceeded" {
		t.Fatalf("6th call: %d Retry-After=%q %s", res.status, res.header.Get("Retry-After"), res.body)
	}
}

func TestSequenceScenarioOnV1(t *testing.T) {
	ts, _ := newServer(t, "default", withScenarios(t, ""))
	h := with(authV1, "Prefer", "scenario=sequence", "X-Decoy-Client", "retry-test-v1")
	var got []int
	for i := 0; i < 5; i++ {
		got = append(got, do(t, ts, call{method: "POST", path: v1, header: h, body: `{}`}).status)
	}
	if fmt.Sprint(got) != "[200 200 429 200 200]" {
		t.Errorf("statuses %v, want 200 200 429 200 200", got)
	}
}

func TestNotFoundScenarioOnBothEndpoints(t *testing.T) {
	ts, _ := newServer(t, "default", withScenarios(t, ""))
	for _, c := range []struct {
		call call
		code string
	}{
		{call{method: "GET", path: v2, header: with(authV2, "Prefer", "scenario=not-found")}, "agent_not_found"},
		{call{method: "POST", path: v1, header: with(authV1, "Prefer", "scenario=not-found"), body: `{}`}, "namespace_not_found"},
	} {
		res := do(t, ts, c.call)
		if res.status != 404 || res.json(t)["error"].(map[string]any)["code"] != c.code {
			t.Errorf("%s %s: %d %s, want 404 %s", c.call.method, c.call.path, res.status, res.body, c.code)
		}
	}
}

// TestScenarioThatDoesNotApplyClaimsNothing: a scenario with no rule for
// the operation leaves the answer alone, and Preference-Applied does not
// claim it was applied (it did for rate-limited on v1).
func TestScenarioThatDoesNotApplyClaimsNothing(t *testing.T) {
	ts, _ := newServer(t, "default", withScenarios(t, ""))
	for _, c := range []call{
		{method: "POST", path: v1, header: with(authV1, "Prefer", "scenario=agent-not-found"), body: `{}`},
		{method: "GET", path: v2, header: with(authV2, "Prefer", "scenario=namespace-not-found")},
		{method: "GET", path: v2 + "?__scenario=namespace-not-found", header: authV2},
	} {
		res := do(t, ts, c)
		if res.status != http.StatusOK {
			t.Errorf("%s %s %v: status %d, want the normal 200: %s", c.method, c.path, c.header["Prefer"], res.status, res.body)
		}
		if pa := res.header.Get("Preference-Applied"); strings.Contains(pa, "scenario") {
			t.Errorf("%s %s %v: Preference-Applied %q claims a scenario that does not apply", c.method, c.path, c.header["Prefer"], pa)
		}
	}
	// Other preferences taken are still echoed.
	res := do(t, ts, call{method: "GET", path: v2, header: with(authV2, "Prefer", "scenario=namespace-not-found, code=403")})
	if res.status != 403 || res.header.Get("Preference-Applied") != "code=403" {
		t.Errorf("status %d, Preference-Applied %q; want 403 and code=403", res.status, res.header.Get("Preference-Applied"))
	}
	// A scenario that applies but whose rule lets this call through (every
	// 3rd call is reset) was applied.
	res = do(t, ts, call{method: "GET", path: v2, header: with(authV2, "Prefer", "scenario=flaky", "X-Decoy-Client", "flaky-1")})
	if res.status != 200 || res.header.Get("Preference-Applied") != "scenario=flaky" {
		t.Errorf("flaky, 1st call: %d, Preference-Applied %q", res.status, res.header.Get("Preference-Applied"))
	}
}
