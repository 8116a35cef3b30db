package mockserver_test

import (
	"strings"
	"testing"
)

// TestV1SessionsAreScopedByNamespace: v1 sessions belong to the namespace
// the X-Namespace header names, as v2's belong to the agent in the path.
// Issue 15 item 12: ns_nope listed all 45 sessions, whose namespace_id was
// another.
func TestV1SessionsAreScopedByNamespace(t *testing.T) {
	ts := withProject(t)
	for _, tt := range []struct {
		namespace string
		total     int
	}{
		{"ns_demo", 45},
		{"ns_4h7d2k9p1qzt", 3},
		{"ns_empty", 0}, // a stub: the namespace exists, with no sessions yet
	} {
		res := do(t, ts, call{method: "POST", path: v1 + "?limit=100", header: with(authV1, "X-Namespace", tt.namespace), body: `{"status": null}`})
		if res.status != 200 {
			t.Fatalf("%s: status %d: %s", tt.namespace, res.status, res.body)
		}
		body := res.json(t)
		if body["total"] != float64(tt.total) {
			t.Errorf("%s: total %v, want %d", tt.namespace, body["total"], tt.total)
		}
		for _, s := range body["sessions"].([]any) {
			if ns := s.(map[string]any)["namespace_id"]; ns != tt.namespace {
				t.Errorf("X-Namespace %s lists a session of namespace %v", tt.namespace, ns)
			}
		}
	}
	res := do(t, ts, call{method: "POST", path: v1, header: with(authV1, "X-Namespace", "ns_nope"), body: `{}`})
	if res.status != 404 {
		t.Fatalf("unknown namespace: status %d, want the documented 404: %s", res.status, res.body)
	}
	e := res.json(t)["error"].(map[string]any)
	if e["code"] != "namespace_not_found" || !strings.Contains(e["message"].(string), "ns_nope") {
		t.Errorf("unknown namespace: %v, want namespace_not_found naming ns_nope", e)
	}
	contractKept(t, ts, "listSessions", "404")
}
