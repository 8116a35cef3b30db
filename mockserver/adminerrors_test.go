package mockserver_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/decoy-mock/decoy/mockserver"
)

// statusLog keeps the status of every request line logged.
type statusLog struct {
	mu       sync.Mutex
	statuses []int
}

func (l *statusLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *statusLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "request" {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "status" {
			l.mu.Lock()
			l.statuses = append(l.statuses, int(a.Value.Int64()))
			l.mu.Unlock()
		}
		return true
	})
	return nil
}
func (l *statusLog) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *statusLog) WithGroup(string) slog.Handler      { return l }

func (l *statusLog) last() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.statuses) == 0 {
		return 0
	}
	return l.statuses[len(l.statuses)-1]
}

// Issue 16: the admin handlers return errors, as the mock path does, and
// one place renders them. Each refusal is a problem document of its kind,
// with the headers its status needs, and the request line logs the status
// answered.
func TestAdminErrorsAreProblemDocuments(t *testing.T) {
	logs := &statusLog{}
	ts, _ := newServer(t, "default", func(c *mockserver.Config) {
		c.AdminToken = "admin-secret-0123"
		c.Logger = slog.New(logs)
	})
	token := map[string]string{"Authorization": "Bearer admin-secret-0123"}
	for _, tc := range []struct {
		name   string
		call   call
		status int
		kind   string
		header string // "Name: value" the answer must carry
	}{
		{"no token", call{method: "GET", path: "/__decoy/health"}, 401, "admin-unauthorized", `Www-Authenticate: Bearer realm="decoy-admin"`},
		{"wrong token", call{method: "GET", path: "/__decoy/health", header: map[string]string{"Authorization": "Bearer nope"}}, 401, "admin-unauthorized", ""},
		{"cross-site page", call{method: "POST", path: "/__decoy/reset", header: with(token, "Origin", "https://evil.example")}, 403, "admin-cross-origin", ""},
		{"unknown endpoint", call{method: "GET", path: "/__decoy/nope", header: token}, 404, "no-admin-endpoint", ""},
		{"sub-path of an endpoint without any", call{method: "GET", path: "/__decoy/health/x", header: token}, 404, "no-admin-endpoint", ""},
		{"method", call{method: "PUT", path: "/__decoy/health", header: token}, 405, "method-not-allowed", "Allow: GET, HEAD"},
		{"method on collections", call{method: "POST", path: "/__decoy/collections/sessions", header: token}, 405, "method-not-allowed", "Allow: GET, HEAD"},
		{"entry id", call{method: "GET", path: "/__decoy/requests/abc", header: token}, 400, "bad-parameter", ""},
		{"no entry", call{method: "GET", path: "/__decoy/requests/999", header: token}, 404, "no-entry", ""},
		{"filter", call{method: "GET", path: "/__decoy/requests?status=abc", header: token}, 400, "bad-parameter", ""},
		{"coverage format", call{method: "GET", path: "/__decoy/coverage?format=pdf", header: token}, 400, "bad-parameter", ""},
		{"scenario body", call{method: "PUT", path: "/__decoy/scenario", header: token, body: `{"nom": 1}`}, 400, "bad-admin-request", ""},
		{"unknown scenario", call{method: "PUT", path: "/__decoy/scenario", header: token, body: `{"name": "nope"}`}, 400, "unknown-scenario", ""},
		{"no collection", call{method: "GET", path: "/__decoy/collections/nope", header: token}, 404, "no-collection", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := do(t, ts, tc.call)
			if res.status != tc.status || res.header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("status %d, %s, want %d problem+json: %s", res.status, res.header.Get("Content-Type"), tc.status, res.body)
			}
			p := res.json(t)
			if p["type"] != "urn:decoy:problem:"+tc.kind || p["status"] != float64(tc.status) {
				t.Errorf("problem %v, want kind %s and status %d", p, tc.kind, tc.status)
			}
			if name, value, ok := strings.Cut(tc.header, ": "); ok && res.header.Get(name) != value {
				t.Errorf("%s: %q, want %q", name, res.header.Get(name), value)
			}
			if got := logs.last(); got != tc.status {
				t.Errorf("logged status %d, want %d", got, tc.status)
			}
		})
	}
	// And a success is logged with its status too.
	if res := do(t, ts, call{method: "DELETE", path: "/__decoy/requests", header: token}); res.status != http.StatusNoContent || logs.last() != http.StatusNoContent {
		t.Errorf("DELETE /__decoy/requests: status %d, logged %d, want 204", res.status, logs.last())
	}
}
