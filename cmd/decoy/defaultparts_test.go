package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// serveDefault runs decoy serve with args on a free port until the test
// ends, and returns its URL once it answers (startServe).
func serveDefault(t *testing.T, args ...string) string {
	t.Helper()
	return startServe(t, args...)
}

// getAuth sends a GET with the default API's credentials and the given
// headers, "Name: value" each.
func getAuth(t *testing.T, url string, headers ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer sk_test_123")
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestFixturesAndScenariosFoldersReplaceTheEmbeddedOnes: --fixtures DIR and
// --scenarios DIR work with the embedded default API (they were a usage
// error), and replace its own fixtures or scenarios, as they replace a
// project folder's; the other part stays the embedded one.
func TestFixturesAndScenariosFoldersReplaceTheEmbeddedOnes(t *testing.T) {
	fixturesDir := writeFiles(t, map[string]string{"mine.yaml": `
stubs:
  - operation: listAgentSessions
    match:
      path: {agent_key: agt_mine}
    response:
      body:
        sessions: []
        metadata: {page_key: null, total_count: 0}
`})
	scenariosDir := writeFiles(t, map[string]string{"mine.yaml": `
name: mine
description: every v2 list is forbidden
rules:
  - operations: [listAgentSessions]
    status: 403
`})

	t.Run("fixtures", func(t *testing.T) {
		url := serveDefault(t, "--fixtures", fixturesDir)
		if status, body := getAuth(t, url+"/v2/agents/agt_mine/sessions"); status != 200 || !strings.Contains(body, `"total_count":0`) {
			t.Errorf("the folder's stub: %d %s", status, body)
		}
		// The embedded collection is gone: agt_nobody is no longer the
		// fixtures' 404, the spec's example answers.
		if status, body := getAuth(t, url+"/v2/agents/agt_nobody/sessions"); status != 200 {
			t.Errorf("agt_nobody without the embedded fixtures: %d %s", status, body)
		}
		// The embedded scenarios stay.
		if status, _ := getAuth(t, url+"/v2/agents/agt_mine/sessions", "Prefer: scenario=forbidden"); status != 403 {
			t.Errorf("embedded scenario: %d", status)
		}
	})
	t.Run("scenarios", func(t *testing.T) {
		url := serveDefault(t, "--scenarios", scenariosDir)
		if status, _ := getAuth(t, url+"/v2/agents/agt_customer_support/sessions", "Prefer: scenario=mine"); status != 403 {
			t.Errorf("the folder's scenario: %d", status)
		}
		if status, body := getAuth(t, url+"/v2/agents/agt_customer_support/sessions", "Prefer: scenario=rate-limited"); status != 400 || !strings.Contains(body, "known: mine") {
			t.Errorf("an embedded scenario is still there: %d %s", status, body)
		}
		// The embedded fixtures stay.
		if status, body := getAuth(t, url+"/v2/agents/agt_nobody/sessions"); status != 404 || !strings.Contains(body, "agent_not_found") {
			t.Errorf("embedded fixtures: %d %s", status, body)
		}
	})
	t.Run("validate", func(t *testing.T) {
		out, stderr, err := runCLI(t, "validate", "--fixtures", fixturesDir, "--scenarios", scenariosDir)
		if err != nil {
			t.Fatalf("validate: %v\n%s%s", err, out, stderr)
		}
		bad := writeFiles(t, map[string]string{"bad.yaml": "stubs:\n  - operation: nope\n"})
		if _, stderr, err := runCLI(t, "validate", "--fixtures", bad); err == nil || !strings.Contains(stderr, "bad.yaml:2") {
			t.Errorf("a broken fixtures folder with the default API: err %v, stderr %q", err, stderr)
		}
	})
}
