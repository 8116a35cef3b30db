package mockserver

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDashboardFiles(t *testing.T) {
	ts := httptest.NewServer(journalServer(t))
	t.Cleanup(ts.Close)
	for _, tc := range []struct {
		name, method, path string
		want               int
		ctype, contains    string
	}{
		{"page", "GET", "/__decoy/", 200, "text/html; charset=utf-8", `<script type="module" src="/__decoy/ui/app.js">`},
		{"script", "GET", "/__decoy/ui/app.js", 200, "text/javascript; charset=utf-8", "new TextDecoderStream()"},
		{"style", "GET", "/__decoy/ui/app.css", 200, "text/css; charset=utf-8", "prefers-color-scheme: dark"},
		// The page names its icon, so that a browser opening it does not
		// ask the mock for /favicon.ico, an unknown route the journal would
		// count as a violation.
		{"page's icon", "GET", "/__decoy/", 200, "text/html; charset=utf-8", `<link rel="icon" href="/__decoy/ui/icon.svg"`},
		{"icon", "GET", "/__decoy/ui/icon.svg", 200, "image/svg+xml", "<svg"},
		{"head", "HEAD", "/__decoy/ui/app.js", 200, "text/javascript; charset=utf-8", ""},
		{"unknown file", "GET", "/__decoy/ui/nope.js", 404, "application/problem+json", `the dashboard has no file \"nope.js\"`},
		{"escape", "GET", "/__decoy/ui/../dashboard.go", 404, "", ""},
		{"post", "POST", "/__decoy/", 405, "application/problem+json", "allowed: GET, HEAD"},
		{"spec", "GET", "/__decoy/spec", 200, "application/json", `"openapi": "3.1`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, ts.URL+tc.path, nil)
			resp, err := ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("%d, want %d: %s", resp.StatusCode, tc.want, body)
			}
			if tc.ctype != "" && resp.Header.Get("Content-Type") != tc.ctype {
				t.Errorf("Content-Type %q, want %q", resp.Header.Get("Content-Type"), tc.ctype)
			}
			if !strings.Contains(string(body), tc.contains) {
				t.Errorf("body lacks %q:\n%.300s", tc.contains, body)
			}
		})
	}
}

// TestDashboardFollowsTheAdminGate: with --admin-token the page's own files
// need no token (a browser cannot send one when it opens the page), while
// every piece of data does; a page of another site gets nothing.
func TestDashboardFollowsTheAdminGate(t *testing.T) {
	ts := httptest.NewServer(journalServer(t, func(c *Config) { c.AdminToken = "s3cret" }))
	t.Cleanup(ts.Close)
	for _, tc := range []struct {
		name, method, path, origin, token string
		want                              int
	}{
		{"page without token", "GET", "/__decoy/", "", "", 200},
		{"script without token", "GET", "/__decoy/ui/app.js", "", "", 200},
		{"data without token", "GET", "/__decoy/requests", "", "", 401},
		{"spec without token", "GET", "/__decoy/spec", "", "", 401},
		{"events without token", "GET", "/__decoy/events", "", "", 401},
		{"data with token", "GET", "/__decoy/requests", "", "s3cret", 200},
		{"page from another site", "GET", "/__decoy/", "https://evil.example", "", 403},
		{"POST to the page", "POST", "/__decoy/", "", "", 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, ts.URL+tc.path, nil)
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			resp, err := ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var problem map[string]any
			json.NewDecoder(resp.Body).Decode(&problem)
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("%d, want %d (%v)", resp.StatusCode, tc.want, problem["detail"])
			}
		})
	}
}
