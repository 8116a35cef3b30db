package provider

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/decoy-mock/decoy/defaultapi"
	"github.com/decoy-mock/decoy/openapi"
)

func start(t *testing.T, d Drift) *httptest.Server {
	t.Helper()
	p, err := New(Options{Drift: d})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return srv
}

type exchange struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

func do(t *testing.T, srv *httptest.Server, method, path, body string, header ...string) exchange {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s %s: body is not a JSON object: %q", method, path, raw)
	}
	return exchange{resp.StatusCode, resp.Header, m, raw}
}

const bearer = "Bearer sk_test"

// TestConformingAnswersMatchTheSpec checks each documented behaviour and
// that every answer validates against the default API's spec, judged by
// the openapi package (not by package verify, which tests the provider's
// drift the other way round).
func TestConformingAnswersMatchTheSpec(t *testing.T) {
	spec, err := openapi.Load(defaultapi.FS, defaultapi.SpecFile, openapi.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	srv := start(t, 0)
	v1, v2 := "/v1/agents/sessions/list", "/v2/agents/agt_customer_support/sessions"
	tests := []struct {
		name, method, path, body string
		header                   []string
		status                   int
		check                    func(t *testing.T, e exchange)
	}{
		{"v1 first page", "POST", v1 + "?limit=5", `{"status":null}`, []string{"Authorization", bearer, "X-Namespace", "ns_demo"}, 200, func(t *testing.T, e exchange) {
			if n := len(e.body["sessions"].([]any)); n != 5 {
				t.Errorf("%d sessions, want 5", n)
			}
			if e.body["total"].(float64) != 45 {
				t.Errorf("total %v, want 45", e.body["total"])
			}
			if next := e.body["pagination"].(map[string]any)["next_offset"]; next != 5.0 {
				t.Errorf("next_offset %v, want 5", next)
			}
		}},
		{"v1 last page", "POST", v1 + "?limit=10&offset=40", `{}`, []string{"Authorization", bearer, "X-Namespace", "ns_demo"}, 200, func(t *testing.T, e exchange) {
			pg := e.body["pagination"].(map[string]any)
			if len(e.body["sessions"].([]any)) != 5 || pg["has_more"] != false || pg["next_offset"] != nil {
				t.Errorf("last page: %s", e.raw)
			}
		}},
		{"v1 filter", "POST", v1, `{"status":"active","filters":{"user_id":"user_123"}}`, []string{"Authorization", bearer, "X-Namespace", "ns_demo"}, 200, func(t *testing.T, e exchange) {
			for _, s := range e.body["sessions"].([]any) {
				if s.(map[string]any)["user_id"] != "user_123" || s.(map[string]any)["status"] != "active" {
					t.Errorf("filter let through %v", s)
				}
			}
		}},
		{"v1 empty namespace", "POST", v1, `{}`, []string{"Authorization", bearer, "X-Namespace", "ns_empty"}, 200, nil},
		{"v1 unknown namespace", "POST", v1, `{}`, []string{"Authorization", bearer, "X-Namespace", "ns_nope"}, 404, nil},
		{"v1 no credential", "POST", v1, `{}`, []string{"X-Namespace", "ns_demo"}, 401, func(t *testing.T, e exchange) {
			if e.header.Get("WWW-Authenticate") == "" {
				t.Error("no WWW-Authenticate")
			}
		}},
		{"v1 no namespace", "POST", v1, `{}`, []string{"Authorization", bearer}, 422, nil},
		{"v1 limit not a number", "POST", v1 + "?limit=abc", `{}`, []string{"Authorization", bearer, "X-Namespace", "ns_demo"}, 422, nil},
		{"v1 limit too large", "POST", v1 + "?limit=101", `{}`, []string{"Authorization", bearer, "X-Namespace", "ns_demo"}, 422, nil},
		{"v1 no body", "POST", v1, ``, []string{"Authorization", bearer, "X-Namespace", "ns_demo"}, 422, nil},
		{"v1 bad status", "POST", v1, `{"status":"paused"}`, []string{"Authorization", bearer, "X-Namespace", "ns_demo"}, 422, nil},
		{"v2 first page", "GET", v2 + "?limit=4", ``, []string{"Authorization", bearer}, 200, func(t *testing.T, e exchange) {
			md := e.body["metadata"].(map[string]any)
			if len(e.body["sessions"].([]any)) != 4 || md["total_count"] != 18.0 || md["page_key"] == nil {
				t.Errorf("first page: %s", e.raw)
			}
		}},
		{"v2 enabled", "GET", v2 + "?enabled=false", ``, []string{"Authorization", bearer}, 200, func(t *testing.T, e exchange) {
			for _, s := range e.body["sessions"].([]any) {
				if s.(map[string]any)["enabled"] != false {
					t.Errorf("enabled=false let through %v", s)
				}
			}
		}},
		{"v2 bad page key", "GET", v2 + "?page_key=nope", ``, []string{"Authorization", bearer}, 400, nil},
		{"v2 bad limit", "GET", v2 + "?limit=0", ``, []string{"Authorization", bearer}, 400, nil},
		{"v2 bad agent key", "GET", "/v2/agents/bob/sessions", ``, []string{"Authorization", bearer}, 400, nil},
		{"v2 restricted agent", "GET", "/v2/agents/agt_internal_audit/sessions", ``, []string{"Authorization", bearer}, 403, nil},
		{"v2 unknown agent", "GET", "/v2/agents/agt_nobody/sessions", ``, []string{"Authorization", bearer}, 404, nil},
		{"v2 no credential", "GET", v2, ``, nil, 401, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := do(t, srv, tt.method, tt.path, tt.body, tt.header...)
			if e.status != tt.status {
				t.Fatalf("status %d, want %d: %s", e.status, tt.status, e.raw)
			}
			req := httptest.NewRequest(tt.method, tt.path, nil)
			op, _, params, err := spec.Match(tt.method, req.URL.EscapedPath())
			if err != nil {
				t.Fatal(err)
			}
			if err := op.ValidateResponse(context.Background(), req, params, e.status, e.header, e.raw); err != nil {
				t.Errorf("answer breaks the contract: %v", err)
			}
			if tt.check != nil {
				tt.check(t, e)
			}
		})
	}
}

// TestPageKeysWalkEverySession follows page_key to the end: every session
// once, in order.
func TestPageKeysWalkEverySession(t *testing.T) {
	srv := start(t, 0)
	seen := map[string]bool{}
	path := "/v2/agents/agt_sales_assistant/sessions?limit=5"
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("page keys never end")
		}
		e := do(t, srv, "GET", path, "", "Authorization", bearer)
		for _, s := range e.body["sessions"].([]any) {
			id := s.(map[string]any)["id"].(string)
			if seen[id] {
				t.Fatalf("%s twice", id)
			}
			seen[id] = true
		}
		next, _ := e.body["metadata"].(map[string]any)["page_key"].(string)
		if next == "" {
			break
		}
		path = "/v2/agents/agt_sales_assistant/sessions?limit=5&page_key=" + next
	}
	if len(seen) != 14 {
		t.Errorf("%d sessions, want 14", len(seen))
	}
}

func TestDrifts(t *testing.T) {
	v1 := []string{"Authorization", bearer, "X-Namespace", "ns_demo"}
	t.Run("renamed field", func(t *testing.T) {
		e := do(t, start(t, RenamedField), "GET", "/v2/agents/agt_customer_support/sessions", "", "Authorization", bearer)
		s := e.body["sessions"].([]any)[0].(map[string]any)
		if _, ok := s["agent_key"]; ok || s["agentKey"] == nil {
			t.Errorf("session %v", s)
		}
	})
	t.Run("undocumented 500", func(t *testing.T) {
		if e := do(t, start(t, Undocumented500), "GET", "/v2/agents/agt_customer_support/sessions", "", "Authorization", bearer); e.status != 500 {
			t.Errorf("status %d", e.status)
		}
	})
	t.Run("wrong type", func(t *testing.T) {
		if e := do(t, start(t, WrongType), "POST", "/v1/agents/sessions/list", "{}", v1...); e.body["total"] != "45" {
			t.Errorf("total %#v", e.body["total"])
		}
	})
	t.Run("missing header", func(t *testing.T) {
		if e := do(t, start(t, MissingHeader), "POST", "/v1/agents/sessions/list", "{}"); e.status != 401 || e.header.Get("WWW-Authenticate") != "" {
			t.Errorf("status %d, WWW-Authenticate %q", e.status, e.header.Get("WWW-Authenticate"))
		}
	})
}

func TestDriftText(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Drift
	}{{"", 0}, {"none", 0}, {"renamed-field", RenamedField}, {"wrong-type, missing-header", WrongType | MissingHeader}} {
		var d Drift
		if err := d.UnmarshalText([]byte(tt.in)); err != nil || d != tt.want {
			t.Errorf("%q: %v, %v; want %v", tt.in, d, err, tt.want)
		}
		if back := new(Drift); back.UnmarshalText([]byte(d.String())) != nil || *back != d {
			t.Errorf("%v does not round-trip", d)
		}
	}
	var d Drift
	if err := d.UnmarshalText([]byte("renamed")); err == nil || !strings.Contains(err.Error(), "known: none, renamed-field") {
		t.Errorf("unknown drift: %v", err)
	}
}

// FuzzDriftText: any text either is refused or parses to a set whose
// String parses back to the same set.
func FuzzDriftText(f *testing.F) {
	for _, s := range []string{"", "none", "renamed-field", "wrong-type, missing-header", "undocumented-500,,", "nope", "RENAMED-FIELD"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var d Drift
		if d.UnmarshalText([]byte(s)) != nil {
			return
		}
		var back Drift
		if err := back.UnmarshalText([]byte(d.String())); err != nil || back != d {
			t.Fatalf("%q → %v → %v, %v", s, d, back, err)
		}
	})
}
