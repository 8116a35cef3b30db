package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/decoy-mock/decoy/defaultapi"
	"github.com/decoy-mock/decoy/internal/junit"
)

// startCommand runs decoy with args (a command first) on a free port of
// 127.0.0.1 until the test ends, and returns its base URL.
func startCommand(t *testing.T, args ...string) string {
	t.Helper()
	return startDecoy(t, func(port string) []string { return slices.Concat(args, []string{"--port", port, "--quiet"}) })
}

func getSessions(t *testing.T, base, query string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/v2/agents/agt_customer_support/sessions"+query, nil)
	req.Header.Set("Authorization", "Bearer sk_test_1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

func writeDefaultSpec(t *testing.T) string {
	t.Helper()
	data, err := fs.ReadFile(defaultapi.FS, defaultapi.SpecFile)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "openapi.yaml")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestProxyCommandForwards: decoy proxy SPEC URL (Prism's form) forwards to
// the upstream (here a Decoy mock of the default API) and returns its
// answer unchanged, one CORS header and all.
func TestProxyCommandForwards(t *testing.T) {
	up := startServe(t)
	proxy := startCommand(t, "proxy", writeDefaultSpec(t), up, "--watch=false")
	_, want := getSessions(t, up, "?limit=2")
	resp, got := getSessions(t, proxy, "?limit=2")
	if resp.StatusCode != 200 || !bytes.Equal(got, want) {
		t.Fatalf("status %d, body %s\nwant the upstream's %s", resp.StatusCode, got, want)
	}
	if n := len(resp.Header.Values("Access-Control-Allow-Origin")); n != 1 {
		t.Errorf("%d Access-Control-Allow-Origin headers, want 1", n)
	}
	if v := resp.Header.Get("Sl-Violations"); v != "" {
		t.Errorf("Sl-Violations %s on a conforming exchange", v)
	}
}

// TestRecordThenServeDir: decoy record --upstream URL --dir DIR, then
// decoy serve --dir DIR answers the recorded requests byte for byte.
func TestRecordThenServeDir(t *testing.T) {
	up := startServe(t)
	dir := filepath.Join(t.TempDir(), "recorded")
	queries := []string{"", "?limit=2", "?limit=1&enabled=true"}
	var want [][]byte
	t.Run("record", func(t *testing.T) {
		rec := startCommand(t, "record", "--upstream", up, "--dir", dir)
		for _, q := range queries {
			resp, body := getSessions(t, rec, q)
			if resp.StatusCode != 200 {
				t.Fatalf("%s: status %d %s", q, resp.StatusCode, body)
			}
			want = append(want, body)
		}
	}) // stopped here, as the user would
	if _, err := os.Stat(filepath.Join(dir, "openapi.yaml")); err != nil {
		t.Fatalf("the recorded folder has no spec: %v", err)
	}
	replay := startServe(t, "--dir", dir)
	for i, q := range queries {
		resp, body := getSessions(t, replay, q)
		if resp.StatusCode != 200 || !bytes.Equal(body, want[i]) {
			t.Errorf("%q replayed %d %s\nwant %s", q, resp.StatusCode, body, want[i])
		}
	}
}

func TestProxyUsageErrors(t *testing.T) {
	spec := writeDefaultSpec(t)
	for _, args := range [][]string{
		{"serve", "--errors"},
		{"serve", "--mock-only", "listSessions"},
		{"serve", "--record", t.TempDir()},
		{"serve", "--upstream", "ftp://example.com"},
		{"serve", "--upstream", "example.com"},
		{"serve", "--upstream", "http://127.0.0.1:1", "--upstream-timeout", "0s"},
		{"serve", "--upstream", "http://127.0.0.1:1", "--mock-only", "[bad"},
		{"proxy", spec},
		{"proxy", "--errors", spec, "http://127.0.0.1:1"},
		{"record", "--upstream", "http://127.0.0.1:1"},
		{"record", "--dir", t.TempDir()},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			_, stderr, err := runCLI(t, append(args, "--port", "0", "--quiet")...)
			if code := exitCodeOf(err); code != 2 {
				t.Errorf("exit %d (%v; %s), want 2", code, err, stderr)
			}
		})
	}
}

// TestReportOfAProxyShowsBothSides: behind decoy proxy, an invalid request
// is consumer drift and an undocumented answer provider drift; decoy
// report prints the side of each, and its JUnit has a test case per
// operation and side, each failing for its own side only.
func TestReportOfAProxyShowsBothSides(t *testing.T) {
	up := startServe(t, "--scenario", "server-error") // v2 answers an undocumented 500
	proxy := startCommand(t, "proxy", writeDefaultSpec(t), up, "--watch=false", "--mock-only", "listSessions")
	resp, _ := getSessions(t, proxy, "")
	if resp.StatusCode != 500 || !strings.Contains(resp.Header.Get("Sl-Violations"), `"response","status"`) {
		t.Fatalf("status %d, Sl-Violations %q; want the upstream's undocumented 500, reported", resp.StatusCode, resp.Header.Get("Sl-Violations"))
	}
	req, _ := http.NewRequest(http.MethodPost, proxy+"/v1/agents/sessions/list?limit=500", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer sk_test_1")
	req.Header.Set("X-Namespace", "ns_1")
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	file := filepath.Join(t.TempDir(), "junit.xml")
	out, err := report(t, "--url", proxy, "--junit", file, "--fail-on-violations")
	if !errors.Is(err, errContract) {
		t.Fatalf("err = %v, want the contract broken", err)
	}
	for _, want := range []string{"Proxying to " + up, "listAgentSessions  response  undocumented-status", "listSessions       request   invalid-parameter"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc junit.Suites
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	failed := map[string]string{}
	for _, tc := range doc.Suites[0].Cases {
		failed[tc.Name] = ""
		if tc.Failure != nil {
			failed[tc.Name] = tc.Failure.Type
		}
	}
	want := map[string]string{
		"listSessions (POST /v1/agents/sessions/list) request":             "invalid-parameter",
		"listSessions (POST /v1/agents/sessions/list) response":            "",
		"listAgentSessions (GET /v2/agents/{agent_key}/sessions) request":  "",
		"listAgentSessions (GET /v2/agents/{agent_key}/sessions) response": "undocumented-status",
	}
	if !maps.Equal(failed, want) {
		t.Errorf("JUnit cases and failures %v, want %v", failed, want)
	}
}
