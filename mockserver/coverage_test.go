package mockserver_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/decoy-mock/decoy/mockserver"
)

// contractSession is a client test run against the default API: some good
// requests, and one of each way to break the contract.
func contractSession(t *testing.T, first ...call) *mockserverTS {
	t.Helper()
	ts, _ := newServer(t, "default")
	v2 := "/v2/agents/agt_customer_support/sessions"
	v1 := "/v1/agents/sessions/list"
	good := `{"status": "active", "filters": {}, "sort": {}}`
	steps := []struct {
		call   call
		status int
	}{
		{call{method: "GET", path: v2, header: authV2}, 200},
		{call{method: "GET", path: v2 + "?limit=500", header: authV2}, 400},
		{call{method: "GET", path: v2 + "?limit=ten", header: authV2}, 400},
		{call{method: "GET", path: v2}, 401},
		{call{method: "POST", path: v1, header: authV1, body: good}, 200},
		{call{method: "POST", path: v1, header: with(authV1, "Content-Type", "text/plain"), body: "status=active"}, 415},
		{call{method: "POST", path: v1, header: authV2, body: `{}`}, 422},
		{call{method: "POST", path: v1, header: authV1, body: `{"status": "paused"}`}, 422},
		{call{method: "POST", path: v1, header: with(authV1, "Prefer", "code=429"), body: good}, 429},
		// An error about Decoy's own controls is not an answer of the API:
		// it counts for no coverage and breaks no contract.
		{call{method: "GET", path: v2, header: with(authV2, "Prefer", "code=418")}, 404},
		{call{method: "GET", path: "/v2/agents/agt_a/session", header: authV2}, 404},
		{call{method: "DELETE", path: v2, header: authV2}, 405},
		{call{method: "GET", path: "/v2/agents/agt_a/session", header: authV2}, 404},
		// validate=false answers normally but still records the violation.
		{call{method: "POST", path: v1 + "?limit=500", header: with(authV1, "Prefer", "validate=false"), body: good}, 200},
		// One request, two kinds.
		{call{method: "GET", path: v2 + "?limit=0&enabled=x", header: authV2}, 400},
	}
	for _, c := range first {
		do(t, ts, c)
	}
	for i, s := range steps {
		if res := do(t, ts, s.call); res.status != s.status {
			t.Fatalf("step %d %s %s: status %d, want %d: %s", i+1, s.call.method, s.call.path, res.status, s.status, res.body)
		}
	}
	return &mockserverTS{ts.URL, ts.Client()}
}

type mockserverTS struct {
	url    string
	client *http.Client
}

func (m *mockserverTS) get(t *testing.T, path string, v any) *http.Response {
	t.Helper()
	resp, err := m.client.Get(m.url + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if v != nil {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}
	return resp
}

func TestViolationsGroupedByOperationAndKind(t *testing.T) {
	m := contractSession(t)
	var v mockserver.Violations
	m.get(t, "/__decoy/violations", &v)
	var got []string
	for _, g := range v.Groups {
		got = append(got, fmt.Sprintf("%s %s ×%d", g.Operation, g.Kind, g.Count))
	}
	want := []string{
		"listAgentSessions missing-credential ×1",
		"listAgentSessions wrong-type ×2",
		"listAgentSessions invalid-parameter ×2",
		"listSessions unsupported-media-type ×1",
		"listSessions missing-parameter ×1",
		"listSessions invalid-parameter ×1",
		"listSessions bad-body ×1",
		"(no route) unknown-route ×2",
		"(no route) method-not-allowed ×1",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("groups:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if v.Total != 12 || v.Requests != 11 {
		t.Errorf("total %d, requests %d; want 12 breaks in 11 requests", v.Total, v.Requests)
	}
	examples := map[string]mockserver.ViolationExample{}
	for _, g := range v.Groups {
		examples[g.Operation+" "+g.Kind] = g.Example
	}
	checks := []struct {
		group, target, message string
		status                 int
	}{
		{"listAgentSessions invalid-parameter", "/v2/agents/agt_customer_support/sessions?limit=500", `query parameter "limit": must be at most 100`, 400},
		{"listAgentSessions missing-credential", "/v2/agents/agt_customer_support/sessions", "Authorization header is missing", 401},
		{"listSessions unsupported-media-type", "/v1/agents/sessions/list", `Content-Type "text/plain" is not accepted`, 415},
		{"listSessions invalid-parameter", "/v1/agents/sessions/list?limit=500", `"limit"`, 200},
		{"(no route) unknown-route", "/v2/agents/agt_a/session", "closest paths: /v2/agents/{agent_key}/sessions", 404},
		{"(no route) method-not-allowed", "/v2/agents/agt_customer_support/sessions", "allowed: GET, HEAD, OPTIONS", 405},
	}
	for _, c := range checks {
		e := examples[c.group]
		if e.Target != c.target || e.Status != c.status || !strings.Contains(e.Message, c.message) || e.ID == 0 {
			t.Errorf("%s example = %+v; want %s → %d, message with %q", c.group, e, c.target, c.status, c.message)
		}
	}
	if len(v.UnknownPaths) != 1 || v.UnknownPaths[0] != (mockserver.UnknownPath{Method: "GET", Path: "/v2/agents/agt_a/session", Count: 2}) {
		t.Errorf("unknown paths = %+v", v.UnknownPaths)
	}
	// The example names an entry the journal still holds.
	var e mockserver.Entry
	m.get(t, fmt.Sprintf("/__decoy/requests/%d", examples["listSessions bad-body"].ID), &e)
	if e.Operation != "listSessions" || e.Status != 422 || len(e.Violations) != 1 || e.Violations[0].Pointer != "/status" {
		t.Errorf("bad-body example entry = %+v", e)
	}
}

func TestCoverageCountsDocumentedResponses(t *testing.T) {
	m := contractSession(t)
	var c mockserver.Coverage
	m.get(t, "/__decoy/coverage", &c)
	got := map[string]string{}
	for _, op := range c.Operations {
		var hits []string
		for _, r := range op.Responses {
			if r.Hit {
				hits = append(hits, fmt.Sprintf("%s×%d", r.Code, r.Count))
			}
		}
		got[op.Operation] = fmt.Sprintf("%d/%d %v%% req=%d %s", op.Covered, op.Documented, op.Percent, op.Requests, strings.Join(hits, " "))
	}
	want := map[string]string{
		"listAgentSessions": "3/6 50% req=6 200×1 400×3 401×1",
		"listSessions":      "3/8 37.5% req=6 200×2 422×2 429×1",
	}
	for op, w := range want {
		if got[op] != w {
			t.Errorf("%s: %s, want %s", op, got[op], w)
		}
	}
	wantTotals := mockserver.CoverageTotals{Requests: 15, Operations: 2, OperationsHit: 2, OperationsPercent: 100,
		Responses: 14, ResponsesHit: 6, ResponsesPercent: 42.9}
	if c.Totals != wantTotals {
		t.Errorf("totals = %+v\nwant     %+v", c.Totals, wantTotals)
	}
	if len(c.Gaps) != 1 || c.Gaps[0] != (mockserver.Gap{Operation: "listSessions", Method: "POST", Path: "/v1/agents/sessions/list", Status: 415, Count: 1}) {
		t.Errorf("gaps = %+v; want the 415 v1 does not document", c.Gaps)
	}
	if c.Title != "Agent Sessions API (Decoy default)" {
		t.Errorf("title %q", c.Title)
	}
}

func TestReportEndpointCombinesCoverageAndViolations(t *testing.T) {
	m := contractSession(t)
	var r mockserver.Report
	m.get(t, "/__decoy/report", &r)
	want := mockserver.Summary{Requests: 15, Operations: 2, OperationsHit: 2, Responses: 14, ResponsesHit: 6, Coverage: 42.9,
		Violations: 12, ViolationKinds: 8, Gaps: 1}
	if r.Summary != want {
		t.Errorf("summary = %+v\nwant      %+v", r.Summary, want)
	}
	// The report's parts are exactly what the two endpoints say.
	var c mockserver.Coverage
	var v mockserver.Violations
	m.get(t, "/__decoy/coverage", &c)
	m.get(t, "/__decoy/violations", &v)
	built := mockserver.NewReport(c, v, r.Generated)
	a, _ := json.Marshal(built)
	b, _ := json.Marshal(r)
	if string(a) != string(b) {
		t.Errorf("NewReport(coverage, violations) differs from GET /__decoy/report:\n%s\n%s", a, b)
	}
}

func TestCoverageHTMLIsSelfContainedAndEscaped(t *testing.T) {
	m := contractSession(t, call{method: "GET", path: "/%3Cscript%3Ealert(1)%3C/script%3E"})
	resp, err := m.client.Get(m.url + "/__decoy/coverage?format=html")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	page := string(body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, w := range []string{
		"<style>", "Agent Sessions API (Decoy default)", "listAgentSessions", "3/6 (50%)", "37.5%",
		"Spec gaps", "<code>415</code>", "unsupported-media-type", `class="bar fair"`, "width: 50%",
		"&lt;script&gt;alert(1)&lt;/script&gt;",
	} {
		if !strings.Contains(page, w) {
			t.Errorf("page lacks %q", w)
		}
	}
	for _, bad := range []string{"<script", "src=", "<link", "@import", "url("} {
		if strings.Contains(page, bad) {
			t.Errorf("page has %q: it must be self-contained, with everything escaped", bad)
		}
	}
}

func TestAdminEndpointsRejectBadParameters(t *testing.T) {
	ts, _ := newServer(t, "default")
	tests := []struct {
		call   call
		status int
		param  string
	}{
		{call{method: "GET", path: "/__decoy/coverage?format=pdf"}, 400, "format"},
		{call{method: "GET", path: "/__decoy/coverage?fmt=html"}, 400, "fmt"},
		{call{method: "POST", path: "/__decoy/coverage"}, 405, ""},
		{call{method: "DELETE", path: "/__decoy/violations"}, 405, ""},
		{call{method: "GET", path: "/__decoy/report/x"}, 404, ""},
	}
	for _, tt := range tests {
		res := do(t, ts, tt.call)
		if res.status != tt.status || res.header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s %s: %d %s", tt.call.method, tt.call.path, res.status, res.body)
			continue
		}
		if tt.param != "" && res.json(t)["parameter"] != tt.param {
			t.Errorf("%s: problem does not name %q: %s", tt.call.path, tt.param, res.body)
		}
	}
	// None of these is journaled or counted.
	var c mockserver.Coverage
	res := do(t, ts, call{method: "GET", path: "/__decoy/coverage"})
	if err := json.Unmarshal(res.body, &c); err != nil || c.Totals.Requests != 0 {
		t.Errorf("admin requests counted: %+v %v", c.Totals, err)
	}
}

func TestViolationKindsOfDecoyErrors(t *testing.T) {
	ts, _ := newServer(t, "default", func(c *mockserver.Config) { c.MaxBodyBytes = 64 })
	v1 := "/v1/agents/sessions/list"
	v2 := "/v2/agents/agt_customer_support/sessions"
	steps := []struct {
		call   call
		status int
	}{
		{call{method: "POST", path: v1, header: authV1, body: `{"status": "active", "filters": {"user_id": "a-rather-long-user-id-0123456789"}}`}, 413},
		{call{method: "GET", path: v2, header: with(authV2, "Accept", "text/xml")}, 406},
		{call{method: "POST", path: v1, header: authV1}, 422},
	}
	for _, s := range steps {
		if res := do(t, ts, s.call); res.status != s.status {
			t.Fatalf("%s %s: status %d, want %d: %s", s.call.method, s.call.path, res.status, s.status, res.body)
		}
	}
	var v mockserver.Violations
	if err := json.Unmarshal(do(t, ts, call{method: "GET", path: "/__decoy/violations"}).body, &v); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range v.Groups {
		got = append(got, g.Operation+" "+g.Kind+": "+g.Example.Message)
	}
	want := []string{
		// Worded as the answer told the client (issue 16: no longer
		// rebuilt for the report).
		"listAgentSessions not-acceptable: the response can be application/json; none of them is acceptable to Accept: \"text/xml\"",
		"listSessions payload-too-large: the request body is 80 bytes, larger than the limit of 64 bytes",
		"listSessions missing-body: request body is required but missing",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("groups:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
