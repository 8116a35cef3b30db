package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/decoy-mock/decoy/defaultapi"
	"github.com/decoy-mock/decoy/internal/junit"
	"github.com/decoy-mock/decoy/mockserver"
	"github.com/decoy-mock/decoy/openapi"
)

// decoyWith starts the default API and sends it the given requests, each
// "METHOD path" with the default credentials; "!" before the method sends
// none.
func decoyWith(t *testing.T, requests ...string) (*httptest.Server, *mockserver.Server) {
	t.Helper()
	spec, err := openapi.Load(defaultapi.FS, defaultapi.SpecFile, openapi.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := mockserver.New(mockserver.Config{Spec: spec, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	for _, r := range requests {
		method, path, _ := strings.Cut(r, " ")
		anonymous := strings.HasPrefix(method, "!")
		method = strings.TrimPrefix(method, "!")
		var body *strings.Reader
		if method == "POST" {
			body = strings.NewReader(`{"status": "active", "filters": {}, "sort": {}}`)
		} else {
			body = strings.NewReader("")
		}
		req, _ := http.NewRequest(method, ts.URL+path, body)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Namespace", "ns_demo")
		if !anonymous {
			req.Header.Set("Authorization", "Bearer sk_test_123")
		}
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	return ts, srv
}

const (
	v2 = "/v2/agents/agt_customer_support/sessions"
	v1 = "/v1/agents/sessions/list"
)

func report(t *testing.T, args ...string) (stdout string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = reportCmd(t.Context(), args, &out, &errb)
	return out.String(), err
}

func TestReportExitBehaviour(t *testing.T) {
	clean, _ := decoyWith(t, "GET "+v2, "POST "+v1)
	broken, _ := decoyWith(t, "GET "+v2, "GET "+v2+"?limit=500", "!GET "+v2, "GET /nowhere", "POST "+v1)
	tests := []struct {
		name string
		args []string
		// contract says the error must be errContract; wantErr is a
		// substring of any error; "" means success.
		contract bool
		wantErr  string
	}{
		{"clean run passes with --fail-on-violations", []string{"--url", clean.URL, "--fail-on-violations"}, false, ""},
		{"violations without the flag pass", []string{"--url", broken.URL}, false, ""},
		{"violations with the flag fail", []string{"--url", broken.URL, "--fail-on-violations"}, true, "3 of 5 requests broke the contract"},
		{"coverage above the bar passes", []string{"--url", clean.URL, "--min-coverage", "14"}, false, ""},
		{"coverage below the bar fails", []string{"--url", clean.URL, "--min-coverage", "80"}, true, "14.3% of the documented responses were returned, below --min-coverage 80"},
		{"both reasons are named", []string{"--url", broken.URL, "--fail-on-violations", "--min-coverage", "80"}, true, "--fail-on-violations); 28.6% of"},
		{"min-coverage must be a percentage", []string{"--url", clean.URL, "--min-coverage", "150"}, false, "not a percentage"},
		{"url must be http", []string{"--url", "ftp://example.com"}, false, "not an http(s) URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := report(t, tt.args...)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("err = %v, want success\n%s", err, out)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
			case errors.Is(err, errContract) != tt.contract:
				t.Fatalf("errors.Is(%v, errContract) = %v, want %v", err, !tt.contract, tt.contract)
			}
		})
	}
}

func TestReportUnreachableNamesTheURL(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close()
	_, err = report(t, "--url", url, "--fail-on-violations")
	if err == nil || errors.Is(err, errContract) || !strings.Contains(err.Error(), "cannot reach Decoy at "+url) {
		t.Fatalf("err = %v, want one naming %s", err, url)
	}
	// A server that is not Decoy is named too.
	other := httptest.NewServer(http.NotFoundHandler())
	defer other.Close()
	_, err = report(t, "--url", other.URL)
	if err == nil || !strings.Contains(err.Error(), "is Decoy serving at "+other.URL) {
		t.Fatalf("err = %v", err)
	}
}

func TestReportSummary(t *testing.T) {
	ts, _ := decoyWith(t, "GET "+v2, "GET "+v2+"?limit=500", "!GET "+v2, "GET /nowhere", "POST "+v1)
	out, err := report(t, "--url", ts.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		"Decoy report: Agent Sessions API (Decoy default) 1.0.0 (openapi.yaml), 5 requests",
		"Operations exercised:  2/2 (100%)",
		"Responses returned:    4/14 (28.6%)",
		"listAgentSessions  GET /v2/agents/{agent_key}/sessions  3/6  50%    missing 403 404 429",
		"Violations: 3 in 3 requests (3 kinds)",
		"listAgentSessions  missing-credential  ×1  e.g. GET /v2/agents/agt_customer_support/sessions → 401: the Authorization header is missing",
		"(no route)         unknown-route       ×1  e.g. GET /nowhere → 404: no operation of the spec matches GET /nowhere",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("summary lacks %q:\n%s", w, out)
		}
	}
	out, err = report(t, "--url", ts.URL, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r mockserver.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil || r.Summary.Violations != 3 || r.Summary.ResponsesHit != 4 {
		t.Fatalf("--json: %v %+v", err, r.Summary)
	}
}

func TestReportFromEnvironment(t *testing.T) {
	ts, _ := decoyWith(t, "GET /nowhere")
	t.Setenv("DECOY_URL", ts.URL)
	t.Setenv("DECOY_FAIL_ON_VIOLATIONS", "true")
	if _, err := report(t); !errors.Is(err, errContract) {
		t.Fatalf("err = %v, want the contract failure DECOY_FAIL_ON_VIOLATIONS asks for", err)
	}
	if _, err := report(t, "--fail-on-violations=false"); err != nil {
		t.Fatalf("a flag wins over the environment: %v", err)
	}
}

func TestReportJUnit(t *testing.T) {
	ts, _ := decoyWith(t,
		"GET "+v2, "GET "+v2+"?limit=500", "GET "+v2+"?limit=501", "!GET "+v2, // listAgentSessions: 2 kinds
		"GET /nowhere", "DELETE "+v2, // (no route)
	)
	dir := t.TempDir()
	file := filepath.Join(dir, "decoy.xml")
	if err := os.WriteFile(file, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := report(t, "--url", ts.URL, "--junit", file, "--min-coverage", "50"); !errors.Is(err, errContract) {
		t.Fatalf("err = %v; coverage is below 50%%", err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc junit.Suites
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("JUnit XML does not parse: %v\n%s", err, data)
	}
	if len(doc.Suites) != 1 {
		t.Fatalf("%d suites", len(doc.Suites))
	}
	s := doc.Suites[0]
	got := map[string][]string{}
	skipped := map[string]bool{}
	for _, tc := range s.Cases {
		if tc.Classname != "Agent Sessions API (Decoy default)" {
			t.Errorf("%s: classname %q", tc.Name, tc.Classname)
		}
		kinds := []string{}
		if f := tc.Failure; f != nil {
			kinds = append(kinds, f.Type)
			// The rest of the kinds are in the one failure's text.
			for _, k := range []string{"missing-credential", "invalid-parameter", "unknown-route", "method-not-allowed"} {
				if k != f.Type && strings.Contains(f.Text, k+" seen") {
					kinds = append(kinds, k)
				}
			}
		}
		got[tc.Name] = kinds
		skipped[tc.Name] = tc.Skipped != nil
	}
	want := map[string][]string{
		"listAgentSessions (GET /v2/agents/{agent_key}/sessions)": {"missing-credential", "invalid-parameter"},
		"listSessions (POST /v1/agents/sessions/list)":            {},
		"(no route)":              {"unknown-route", "method-not-allowed"},
		"response coverage ≥ 50%": {"coverage"},
	}
	if len(got) != len(want) {
		t.Errorf("cases %v, want %v", got, want)
	}
	for name, kinds := range want {
		if strings.Join(got[name], ",") != strings.Join(kinds, ",") {
			t.Errorf("%s: failures %v, want %v", name, got[name], kinds)
		}
	}
	if !skipped["listSessions (POST /v1/agents/sessions/list)"] || skipped["listAgentSessions (GET /v2/agents/{agent_key}/sessions)"] {
		t.Errorf("skipped = %v; want only the never-called operation skipped", skipped)
	}
	if s.Tests != 4 || s.Failures != 3 || s.Skipped != 1 || doc.Failures != 3 {
		t.Errorf("suite tests %d failures %d skipped %d; top failures %d", s.Tests, s.Failures, s.Skipped, doc.Failures)
	}
	for _, tc := range s.Cases {
		if strings.HasPrefix(tc.Name, "listAgentSessions") {
			props := map[string]string{}
			for _, p := range tc.Properties.List {
				props[p.Name] = p.Value
			}
			if props["responses"] != "3/6" || props["uncovered"] != "403 404 429" || props["requests"] != "4" {
				t.Errorf("properties = %v", props)
			}
			if f := tc.Failure; !strings.Contains(f.Message, "missing-credential ×1") || !strings.Contains(f.Message, "(and 1 more kind)") ||
				!strings.Contains(f.Text, "invalid-parameter seen 2 times") || !strings.Contains(f.Text, "GET /v2/agents/agt_customer_support/sessions?limit=500 → 400") {
				t.Errorf("failure = %+v", f)
			}
		}
	}
	assertNoTempFiles(t, dir)
}

func TestWriteReportFile(t *testing.T) {
	_, srv := decoyWith(t, "GET "+v2, "GET /nowhere")
	dir := t.TempDir()
	file := filepath.Join(dir, "report.json")
	for range 2 { // the second write replaces the first
		if err := writeReportFile(file, srv.Report()); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var r mockserver.Report
	if err := json.Unmarshal(data, &r); err != nil || r.Summary.Requests != 2 || r.Summary.Violations != 1 {
		t.Fatalf("report file: %v %+v", err, r.Summary)
	}
	if info, _ := os.Stat(file); info.Mode().Perm() != 0o644 {
		t.Errorf("mode %v", info.Mode())
	}
	assertNoTempFiles(t, dir)
	if err := writeReportFile(filepath.Join(dir, "missing", "r.json"), srv.Report()); err == nil || !strings.Contains(err.Error(), "r.json") {
		t.Errorf("writing into a missing folder: %v", err)
	}
}

func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

// TestReportSendsTheAdminToken is the regression test of issue 15 item 9:
// `decoy report` could not authenticate to a Decoy run with --admin-token,
// and DECOY_ADMIN_TOKEN was ignored.
func TestReportSendsTheAdminToken(t *testing.T) {
	base := startServe(t, "--admin-token", "s3cret-token")
	// The server reads DECOY_ADMIN_TOKEN too: set it only after it started.
	if _, err := report(t, "--url", base); err == nil || !strings.Contains(err.Error(), "--admin-token") {
		t.Errorf("no token: err = %v, want one saying to pass --admin-token", err)
	}
	if _, err := report(t, "--url", base, "--admin-token", "wrong"); err == nil || !strings.Contains(err.Error(), "not the one") {
		t.Errorf("a wrong token: err = %v", err)
	}
	out, err := report(t, "--url", base, "--admin-token", "s3cret-token")
	if err != nil || !strings.Contains(out, "Decoy report:") {
		t.Errorf("--admin-token: err = %v, out = %q", err, out)
	}
	t.Setenv("DECOY_ADMIN_TOKEN", "s3cret-token")
	out, err = report(t, "--url", base, "--json")
	if err != nil || !strings.Contains(out, `"coverage"`) {
		t.Errorf("DECOY_ADMIN_TOKEN: err = %v, out = %.200q", err, out)
	}
}

// TestReportJUnitHasOneFailurePerTestCase: a test case with several kinds of
// violation had one <failure> element each, which the JUnit schema does not
// allow (reporters showed only the first). Checked on the raw XML against
// what the schema expects of each element.
func TestReportJUnitHasOneFailurePerTestCase(t *testing.T) {
	ts, _ := decoyWith(t, "GET "+v2+"?limit=500", "!GET "+v2, "GET /nowhere", "DELETE "+v2)
	file := filepath.Join(t.TempDir(), "decoy.xml")
	if _, err := report(t, "--url", ts.URL, "--junit", file); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// A generic walk of the elements, independent of Decoy's own types.
	type node struct {
		XMLName xml.Name
		Attrs   []xml.Attr `xml:",any,attr"`
		Nodes   []node     `xml:",any"`
	}
	var root node
	if err := xml.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	attr := func(n node, name string) (string, bool) {
		for _, a := range n.Attrs {
			if a.Name.Local == name {
				return a.Value, true
			}
		}
		return "", false
	}
	need := func(n node, names ...string) {
		t.Helper()
		for _, name := range names {
			if _, ok := attr(n, name); !ok {
				t.Errorf("<%s> lacks the %s attribute", n.XMLName.Local, name)
			}
		}
	}
	if root.XMLName.Local != "testsuites" {
		t.Fatalf("root is <%s>", root.XMLName.Local)
	}
	need(root, "tests", "failures", "errors", "time")
	cases, failing := 0, 0
	for _, suite := range root.Nodes {
		need(suite, "name", "tests", "failures", "errors", "skipped", "time", "timestamp")
		for _, tc := range suite.Nodes {
			if tc.XMLName.Local != "testcase" {
				continue
			}
			cases++
			need(tc, "name", "classname", "time")
			n := 0
			for _, c := range tc.Nodes {
				if c.XMLName.Local == "failure" {
					n++
					need(c, "message", "type")
				}
			}
			if n > 1 {
				name, _ := attr(tc, "name")
				t.Errorf("test case %q has %d <failure> elements, the schema allows one", name, n)
			}
			if n == 1 {
				failing++
			}
		}
		if got, _ := attr(suite, "failures"); got != strconv.Itoa(failing) {
			t.Errorf("suite failures=%s, but %d test cases fail", got, failing)
		}
		if got, _ := attr(suite, "tests"); got != strconv.Itoa(cases) {
			t.Errorf("suite tests=%s, but it has %d test cases", got, cases)
		}
	}
	if failing != 2 {
		t.Errorf("%d failing test cases, want 2 (listAgentSessions and (no route))\n%s", failing, data)
	}
}

// TestReportPassesADocumentedNotFound: a client testing its "not found"
// path sends a valid request that the default API's fixtures answer with
// the documented 404 (an agent with no sessions, the README's example). It
// kept the contract, so --fail-on-violations exits 0 (issue 15 item 10).
func TestReportPassesADocumentedNotFound(t *testing.T) {
	cfg, err := mockserver.LoadProject(t.Context(), mockserver.Project{SpecFS: defaultapi.FS, SpecFile: defaultapi.SpecFile,
		FixturesFS: defaultapi.FS, FixturesDir: "fixtures", ScenariosFS: defaultapi.FS, ScenariosDir: "scenarios"})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := mockserver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	for _, c := range []struct {
		method, path, namespace, prefer string
		status                          int
	}{
		{"GET", "/v2/agents/agt_nobody/sessions", "", "", 404},
		{"POST", v1, "ns_nope", "", 404},
		{"POST", v1, "ns_demo", "scenario=namespace-not-found", 404},
		{"GET", v2, "", "scenario=agent-not-found", 404},
	} {
		req, _ := http.NewRequest(c.method, ts.URL+c.path, strings.NewReader(`{"status": "active"}`))
		req.Header.Set("Authorization", "Bearer sk_test_123")
		req.Header.Set("Content-Type", "application/json")
		if c.namespace != "" {
			req.Header.Set("X-Namespace", c.namespace)
		}
		if c.prefer != "" {
			req.Header.Set("Prefer", c.prefer)
		}
		if c.method == "GET" {
			req.Body, req.ContentLength = http.NoBody, 0
		}
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s %s (X-Namespace %q, Prefer %q): status %d, want %d", c.method, c.path, c.namespace, c.prefer, resp.StatusCode, c.status)
		}
	}
	if out, err := report(t, "--url", ts.URL, "--fail-on-violations"); err != nil {
		t.Fatalf("decoy report --fail-on-violations: %v\n%s", err, out)
	}
}
