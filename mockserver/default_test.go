package mockserver_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/decoy-mock/decoy/defaultapi"
	"github.com/decoy-mock/decoy/mockserver"
)

// The embedded default API, end to end: the behaviour a new user sees first.

func TestDefaultV2ListAnswersTheSeedExample(t *testing.T) {
	ts, _ := newServer(t, "default")
	res := do(t, ts, call{method: "GET", path: "/v2/agents/agt_customer_support/sessions?limit=25&enabled=true", header: authV2})
	if res.status != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", res.status, res.body)
	}
	if ct := res.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	body := res.json(t)
	sessions := body["sessions"].([]any)
	if len(sessions) != 3 || sessions[0].(map[string]any)["id"] != "ase_customer_support_001" {
		t.Errorf("sessions = %v, want the seed's three sessions", sessions)
	}
	meta := body["metadata"].(map[string]any)
	if meta["total_count"] != float64(127) {
		t.Errorf("total_count = %v, want 127", meta["total_count"])
	}
}

func TestDefaultV1ListAnswers200(t *testing.T) {
	ts, _ := newServer(t, "default")
	res := do(t, ts, call{method: "POST", path: "/v1/agents/sessions/list?limit=10&offset=0", header: authV1,
		body: `{"status": "active", "filters": {}, "sort": {}}`})
	if res.status != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", res.status, res.body)
	}
	body := res.json(t)
	for _, k := range []string{"sessions", "total", "pagination"} {
		if _, ok := body[k]; !ok {
			t.Errorf("response lacks required %q: %s", k, res.body)
		}
	}
}

func TestDefaultSecurity(t *testing.T) {
	ts, _ := newServer(t, "default")
	tests := []struct {
		name   string
		call   call
		status int
		// inMessage must appear in error.message
		inMessage string
	}{
		{"v2 no credentials", call{method: "GET", path: "/v2/agents/agt_a/sessions"}, 401, "Authorization header is missing"},
		{"v2 wrong scheme", call{method: "GET", path: "/v2/agents/agt_a/sessions", header: map[string]string{"Authorization": "Basic dTpw"}}, 401, `"Basic" scheme`},
		{"v2 bearer without token", call{method: "GET", path: "/v2/agents/agt_a/sessions", header: map[string]string{"Authorization": "Bearer"}}, 401, "no valid Bearer token"},
		{"v2 bearer with spaces", call{method: "GET", path: "/v2/agents/agt_a/sessions", header: map[string]string{"Authorization": "Bearer a b"}}, 401, "no valid Bearer token"},
		{"v2 lower-case scheme is fine", call{method: "GET", path: "/v2/agents/agt_a/sessions", header: map[string]string{"Authorization": "bearer abc"}}, 200, ""},
		{"v1 no credentials", call{method: "POST", path: "/v1/agents/sessions/list", header: map[string]string{"X-Namespace": "ns"}, body: `{}`}, 401, "Authorization"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := do(t, ts, tt.call)
			if res.status != tt.status {
				t.Fatalf("status %d, want %d: %s", res.status, tt.status, res.body)
			}
			if tt.status != 401 {
				return
			}
			if got := res.header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
				t.Errorf("WWW-Authenticate = %q, want a Bearer challenge", got)
			}
			e := res.json(t)["error"].(map[string]any)
			if e["code"] != "unauthorized" {
				t.Errorf("error.code = %v, want the spec's unauthorized", e["code"])
			}
			if msg, _ := e["message"].(string); !strings.Contains(msg, tt.inMessage) {
				t.Errorf("error.message = %q, want it to contain %q", msg, tt.inMessage)
			}
		})
	}
}

func TestDefaultValidation(t *testing.T) {
	ts, _ := newServer(t, "default")
	tests := []struct {
		name   string
		call   call
		status int
		// want are substrings of the violation messages, in order.
		want []string
	}{
		{"v2 limit above maximum", call{method: "GET", path: "/v2/agents/agt_a/sessions?limit=500", header: authV2}, 400, []string{`query parameter "limit"`, "100"}},
		{"v2 limit not an integer", call{method: "GET", path: "/v2/agents/agt_a/sessions?limit=ten", header: authV2}, 400, []string{`query parameter "limit"`}},
		{"v2 agent_key breaks pattern", call{method: "GET", path: "/v2/agents/customer_support/sessions", header: authV2}, 400, []string{`path parameter "agent_key"`}},
		{"v2 enabled not boolean", call{method: "GET", path: "/v2/agents/agt_a/sessions?enabled=maybe", header: authV2}, 400, []string{`query parameter "enabled"`}},
		{"v2 empty page_key", call{method: "GET", path: "/v2/agents/agt_a/sessions?page_key=", header: authV2}, 400, []string{`query parameter "page_key"`}},
		{"v2 two violations at once", call{method: "GET", path: "/v2/agents/agt_a/sessions?limit=0&enabled=x", header: authV2}, 400, []string{`"limit"`, `"enabled"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := do(t, ts, tt.call)
			if res.status != tt.status {
				t.Fatalf("status %d, want %d: %s", res.status, tt.status, res.body)
			}
			e := res.json(t)["error"].(map[string]any)
			if e["code"] != "invalid_request" {
				t.Errorf("error.code = %v, want invalid_request", e["code"])
			}
			msg := e["message"].(string)
			for _, w := range tt.want {
				i := strings.Index(msg, w)
				if i < 0 {
					t.Fatalf("error.message %q lacks %q", msg, w)
				}
				msg = msg[i+len(w):]
			}
		})
	}
}

// The v1 endpoint is a FastAPI service: it documents 422 with a detail list,
// which Decoy fills with one entry per violation.
func TestDefaultV1ValidationUsesFastAPIShape(t *testing.T) {
	ts, _ := newServer(t, "default")
	res := do(t, ts, call{method: "POST", path: "/v1/agents/sessions/list?limit=250", header: authV1, body: `{"status": "paused"}`})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422: %s", res.status, res.body)
	}
	detail := res.json(t)["detail"].([]any)
	if len(detail) != 2 {
		t.Fatalf("detail has %d entries, want 2 (limit and status): %s", len(detail), res.body)
	}
	var locs []string
	for _, d := range detail {
		loc, _ := json.Marshal(d.(map[string]any)["loc"])
		locs = append(locs, string(loc))
	}
	joined := strings.Join(locs, " ")
	if !strings.Contains(joined, `["query","limit"]`) || !strings.Contains(joined, `["body","status"]`) {
		t.Errorf("locs = %s, want query/limit and body/status", joined)
	}
}

func TestDefaultV1MissingNamespaceHeader(t *testing.T) {
	ts, _ := newServer(t, "default")
	res := do(t, ts, call{method: "POST", path: "/v1/agents/sessions/list", header: authV2, body: `{}`})
	if res.status != http.StatusUnprocessableEntity || !bytes.Contains(res.body, []byte("X-Namespace")) {
		t.Fatalf("status %d, want 422 naming X-Namespace: %s", res.status, res.body)
	}
}

func TestDefaultV1WrongContentTypeIs415(t *testing.T) {
	ts, _ := newServer(t, "default")
	res := do(t, ts, call{method: "POST", path: "/v1/agents/sessions/list", header: with(authV1, "Content-Type", "text/plain"), body: `status=active`})
	if res.status != http.StatusUnsupportedMediaType {
		t.Fatalf("status %d, want 415: %s", res.status, res.body)
	}
	if ct := res.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q: a 415 the spec does not document is a problem document", ct)
	}
	if !bytes.Contains(res.body, []byte("application/json")) {
		t.Errorf("415 should name the accepted type: %s", res.body)
	}
}

func TestDefaultV1MalformedJSON(t *testing.T) {
	ts, _ := newServer(t, "default")
	res := do(t, ts, call{method: "POST", path: "/v1/agents/sessions/list", header: authV1, body: `{"status": `})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422: %s", res.status, res.body)
	}
}

func TestDefaultRouting(t *testing.T) {
	ts, _ := newServer(t, "default")
	t.Run("unknown path is 404 with the closest paths", func(t *testing.T) {
		res := do(t, ts, call{method: "GET", path: "/v2/agents/agt_a/session", header: authV2})
		if res.status != 404 || res.header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("status %d %s: %s", res.status, res.header.Get("Content-Type"), res.body)
		}
		if !bytes.Contains(res.body, []byte("/v2/agents/{agent_key}/sessions")) {
			t.Errorf("404 should suggest the closest path: %s", res.body)
		}
	})
	t.Run("known path, other method is 405 with Allow", func(t *testing.T) {
		res := do(t, ts, call{method: "DELETE", path: "/v2/agents/agt_a/sessions", header: authV2})
		if res.status != 405 {
			t.Fatalf("status %d: %s", res.status, res.body)
		}
		if allow := res.header.Get("Allow"); allow != "GET, HEAD, OPTIONS" {
			t.Errorf("Allow = %q", allow)
		}
	})
	t.Run("HEAD answers like GET without a body", func(t *testing.T) {
		res := do(t, ts, call{method: "HEAD", path: "/v2/agents/agt_a/sessions", header: authV2})
		if res.status != 200 || len(res.body) != 0 {
			t.Fatalf("status %d, body %q", res.status, res.body)
		}
	})
}

func TestDefaultPrefer(t *testing.T) {
	ts, _ := newServer(t, "default")
	v2 := "/v2/agents/agt_customer_support/sessions"
	tests := []struct {
		name   string
		call   call
		status int
		check  func(t *testing.T, r result)
	}{
		{"code=404 answers the spec's 404", call{method: "GET", path: v2, header: with(authV2, "Prefer", "code=404")}, 404, func(t *testing.T, r result) {
			if code := r.json(t)["error"].(map[string]any)["code"]; code != "agent_not_found" {
				t.Errorf("error.code = %v", code)
			}
			if r.header.Get("Preference-Applied") != "code=404" {
				t.Errorf("Preference-Applied = %q", r.header.Get("Preference-Applied"))
			}
		}},
		{"code=429 fills the documented rate-limit headers", call{method: "GET", path: v2, header: with(authV2, "Prefer", "code=429")}, 429, func(t *testing.T, r result) {
			for _, h := range []string{"Retry-After", "X-Ratelimit-Limit", "X-Ratelimit-Remaining", "X-Ratelimit-Reset"} {
				if r.header.Get(h) == "" {
					t.Errorf("%s missing", h)
				}
			}
		}},
		{"undocumented code is a 404 problem", call{method: "GET", path: v2, header: with(authV2, "Prefer", "code=418")}, 404, func(t *testing.T, r result) {
			if !bytes.Contains(r.body, []byte("does not document a 418")) || !bytes.Contains(r.body, []byte("undocumented-code")) {
				t.Errorf("body: %s", r.body)
			}
		}},
		{"malformed code is 422", call{method: "GET", path: v2, header: with(authV2, "Prefer", "code=abc")}, 422, func(t *testing.T, r result) {
			if !bytes.Contains(r.body, []byte(`code=\"abc\"`)) {
				t.Errorf("body should quote the bad value: %s", r.body)
			}
		}},
		{"malformed dynamic is 422", call{method: "GET", path: v2, header: with(authV2, "Prefer", "dynamic=perhaps")}, 422, nil},
		{"unknown example is 404", call{method: "GET", path: v2, header: with(authV2, "Prefer", "example=nope")}, 404, nil},
		{"security runs before Prefer", call{method: "GET", path: v2, header: map[string]string{"Prefer": "code=404"}}, 401, nil},
		{"validation runs before Prefer", call{method: "GET", path: v2 + "?limit=1000", header: with(authV2, "Prefer", "code=404")}, 400, nil},
		{"query fallback __code", call{method: "GET", path: v2 + "?__code=403", header: authV2}, 403, nil},
		{"query fallback ignored when Prefer is sent", call{method: "GET", path: v2 + "?__code=403", header: with(authV2, "Prefer", "code=404")}, 404, nil},
		{"unknown preferences are ignored", call{method: "GET", path: v2, header: with(authV2, "Prefer", "return=minimal, respond-async")}, 200, nil},
		{"dynamic=true generates schema-true data", call{method: "GET", path: v2, header: with(authV2, "Prefer", "dynamic=true")}, 200, func(t *testing.T, r result) {
			if bytes.Contains(r.body, []byte("ase_customer_support_001")) {
				t.Errorf("dynamic=true answered the static example: %s", r.body)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := do(t, ts, tt.call)
			if res.status != tt.status {
				t.Fatalf("status %d, want %d: %s", res.status, tt.status, res.body)
			}
			if tt.check != nil {
				tt.check(t, res)
			}
		})
	}
}

func TestGeneratedDataIsDeterministic(t *testing.T) {
	ts, _ := newServer(t, "default")
	get := func(seed string) []byte {
		h := with(authV2, "Prefer", "dynamic=true"+seed)
		return do(t, ts, call{method: "GET", path: "/v2/agents/agt_a/sessions", header: h}).body
	}
	a, b := get(""), get("")
	if !bytes.Equal(a, b) {
		t.Errorf("same request, same seed, different bodies:\n%s\n%s", a, b)
	}
	if c := get(", seed=other"); bytes.Equal(a, c) {
		t.Errorf("seed=other gave the same body as the server seed")
	}
	other, _ := newServer(t, "default", func(c *mockserver.Config) { c.Seed = 7 })
	d := do(t, other, call{method: "GET", path: "/v2/agents/agt_a/sessions", header: with(authV2, "Prefer", "dynamic=true")}).body
	if bytes.Equal(a, d) {
		t.Errorf("--seed 7 gave the same body as --seed 42")
	}
}

func TestOneLogLinePerRequest(t *testing.T) {
	var buf bytes.Buffer
	ts, _ := newServer(t, "default", func(c *mockserver.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&buf, nil))
	})
	do(t, ts, call{method: "GET", path: "/v2/agents/agt_a/sessions?limit=500", header: authV2})
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("%d log lines, want 1:\n%s", len(lines), buf.String())
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"method": "GET", "path": "/v2/agents/agt_a/sessions", "operation": "listAgentSessions", "status": float64(400), "violations": float64(1)}
	for k, v := range want {
		if rec[k] != v {
			t.Errorf("log %s = %v, want %v", k, rec[k], v)
		}
	}
	if _, ok := rec["duration"]; !ok {
		t.Errorf("log line has no duration: %s", lines[0])
	}
}

func TestCORS(t *testing.T) {
	ts, _ := newServer(t, "default")
	pre := do(t, ts, call{method: "OPTIONS", path: "/v2/agents/agt_a/sessions", header: map[string]string{
		"Origin": "http://localhost:5173", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"}})
	if pre.status != 204 || pre.header.Get("Access-Control-Allow-Origin") != "http://localhost:5173" ||
		pre.header.Get("Access-Control-Allow-Headers") != "authorization" || pre.header.Get("Access-Control-Allow-Credentials") != "true" {
		t.Fatalf("preflight: %d %v", pre.status, pre.header)
	}
	res := do(t, ts, call{method: "GET", path: "/v2/agents/agt_a/sessions", header: with(authV2, "Origin", "http://localhost:5173")})
	if res.header.Get("Access-Control-Allow-Origin") != "http://localhost:5173" || !strings.Contains(res.header.Get("Access-Control-Expose-Headers"), "Retry-After") {
		t.Errorf("CORS headers: %v", res.header)
	}
	off, _ := newServer(t, "default", func(c *mockserver.Config) { c.CORS = false })
	if h := do(t, off, call{method: "GET", path: "/v2/agents/agt_a/sessions", header: with(authV2, "Origin", "http://x")}).header.Get("Access-Control-Allow-Origin"); h != "" {
		t.Errorf("CORS off still sent Allow-Origin %q", h)
	}
}

func TestAdminHealthAndRoutes(t *testing.T) {
	ts, _ := newServer(t, "default")
	if res := do(t, ts, call{method: "GET", path: "/__decoy/health"}); res.status != 200 || res.json(t)["status"] != "ok" {
		t.Errorf("health: %d %s", res.status, res.body)
	}
	res := do(t, ts, call{method: "GET", path: "/__decoy/routes"})
	var routes []mockserver.Route
	if err := json.Unmarshal(res.body, &routes); err != nil || len(routes) != 2 {
		t.Fatalf("routes: %v %s", err, res.body)
	}
	if res := do(t, ts, call{method: "GET", path: "/__decoy/nope"}); res.status != 404 {
		t.Errorf("unknown admin endpoint: %d", res.status)
	}
}

func TestBodyTooLargeIs413(t *testing.T) {
	ts, _ := newServer(t, "default", func(c *mockserver.Config) { c.MaxBodyBytes = 64 })
	res := do(t, ts, call{method: "POST", path: "/v1/agents/sessions/list", header: authV1, body: `{"filters": {"a": "` + strings.Repeat("x", 100) + `"}}`})
	if res.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413: %s", res.status, res.body)
	}
}

func TestValidateFalseAnswersButKeepsViolations(t *testing.T) {
	var buf bytes.Buffer
	ts, _ := newServer(t, "default", func(c *mockserver.Config) { c.Logger = slog.New(slog.NewJSONHandler(&buf, nil)) })
	res := do(t, ts, call{method: "GET", path: "/v2/agents/agt_a/sessions?limit=500", header: with(authV2, "Prefer", "validate=false")})
	if res.status != 200 {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	if !strings.Contains(buf.String(), `"violations":1`) {
		t.Errorf("violations not logged: %s", buf.String())
	}
	// With the default fixtures too: pagination clamps the limit instead of
	// refusing it.
	project := withProject(t)
	if res := do(t, project, call{method: "GET", path: "/v2/agents/agt_customer_support/sessions?limit=500", header: with(authV2, "Prefer", "validate=false")}); res.status != 200 {
		t.Errorf("project, validate=false: %d %s", res.status, res.body)
	}
	report, _ := newServer(t, "default", func(c *mockserver.Config) { c.Validation = mockserver.ValidationReport })
	if res := do(t, report, call{method: "GET", path: "/v2/agents/agt_a/sessions?limit=500", header: authV2}); res.status != 200 {
		t.Errorf("report mode: %d", res.status)
	}
	if res := do(t, report, call{method: "GET", path: "/v2/agents/agt_a/sessions?limit=500", header: with(authV2, "Prefer", "validate=true")}); res.status != 400 {
		t.Errorf("report mode with validate=true: %d", res.status)
	}
}

func TestCORSHeaders(t *testing.T) {
	ts, _ := newServer(t, "default")
	tests := []struct {
		name   string
		call   call
		status int
		want   map[string]string
	}{
		{"preflight on any path", call{method: "OPTIONS", path: "/not/a/route", header: map[string]string{"Origin": "http://a.test", "Access-Control-Request-Method": "DELETE"}},
			204, map[string]string{"Access-Control-Allow-Origin": "http://a.test", "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS", "Access-Control-Max-Age": "600", "Vary": "Origin"}},
		{"preflight echoes requested headers", call{method: "OPTIONS", path: "/v1/agents/sessions/list", header: map[string]string{"Origin": "http://a.test", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, x-namespace, content-type"}},
			204, map[string]string{"Access-Control-Allow-Headers": "authorization, x-namespace, content-type", "Access-Control-Allow-Credentials": "true"}},
		{"OPTIONS without preflight headers lists Allow", call{method: "OPTIONS", path: "/v1/agents/sessions/list"},
			204, map[string]string{"Allow": "OPTIONS, POST"}},
		{"errors carry CORS headers too", call{method: "GET", path: "/v2/agents/agt_a/sessions", header: map[string]string{"Origin": "http://a.test"}},
			401, map[string]string{"Access-Control-Allow-Origin": "http://a.test", "Access-Control-Allow-Credentials": "true"}},
		{"no Origin: any origin", call{method: "GET", path: "/v2/agents/agt_a/sessions", header: authV2},
			200, map[string]string{"Access-Control-Allow-Origin": "*"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := do(t, ts, tt.call)
			if res.status != tt.status {
				t.Fatalf("status %d, want %d: %s", res.status, tt.status, res.body)
			}
			for k, v := range tt.want {
				if got := res.header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestAdminToken(t *testing.T) {
	ts, _ := newServer(t, "default", func(c *mockserver.Config) { c.AdminToken = "s3cret" })
	if res := do(t, ts, call{method: "GET", path: "/__decoy/health"}); res.status != 401 || !strings.HasPrefix(res.header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("no token: %d %v", res.status, res.header)
	}
	if res := do(t, ts, call{method: "GET", path: "/__decoy/health", header: map[string]string{"Authorization": "Bearer wrong"}}); res.status != 401 {
		t.Errorf("wrong token: %d", res.status)
	}
	if res := do(t, ts, call{method: "GET", path: "/__decoy/health", header: map[string]string{"Authorization": "Bearer s3cret"}}); res.status != 200 {
		t.Errorf("right token: %d", res.status)
	}
	// The API itself does not need the admin token.
	if res := do(t, ts, call{method: "GET", path: "/v2/agents/agt_a/sessions", header: authV2}); res.status != 200 {
		t.Errorf("API: %d", res.status)
	}
	off, _ := newServer(t, "default", func(c *mockserver.Config) { c.DisableAdmin = true })
	if res := do(t, off, call{method: "GET", path: "/__decoy/health"}); res.status != 404 || !bytes.Contains(res.body, []byte("no-route")) {
		t.Errorf("admin off: %d %s", res.status, res.body)
	}
}

func TestDeepJSONIsRefused(t *testing.T) {
	ts, _ := newServer(t, "default")
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	res := do(t, ts, call{method: "POST", path: "/v1/agents/sessions/list", header: authV1, body: `{"filters": {"a": ` + deep + `}}`})
	if res.status != 422 || !bytes.Contains(res.body, []byte("nested deeper than 128")) {
		t.Errorf("%d %.300s", res.status, res.body)
	}
	// Brackets inside strings do not count.
	res = do(t, ts, call{method: "POST", path: "/v1/agents/sessions/list", header: authV1, body: `{"filters": {"q": "` + strings.Repeat("[", 500) + `"}}`})
	if res.status != 200 {
		t.Errorf("brackets in a string: %d %.300s", res.status, res.body)
	}
}

func TestDeclaredBodyTooLargeIsRefusedUnread(t *testing.T) {
	ts, _ := newServer(t, "default", func(c *mockserver.Config) { c.MaxBodyBytes = 1024 })
	req, _ := http.NewRequest("POST", ts.URL+"/v1/agents/sessions/list", strings.NewReader(strings.Repeat(" ", 4096)))
	for k, v := range authV1 {
		req.Header.Set(k, v)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Errorf("status %d, want 413", resp.StatusCode)
	}
}

func TestAdminRefusesOtherSites(t *testing.T) {
	ts, _ := newServer(t, "default")
	for _, c := range []call{
		{method: "GET", path: "/__decoy/requests", header: map[string]string{"Origin": "https://evil.example"}},
		{method: "POST", path: "/__decoy/reset", header: map[string]string{"Origin": "https://evil.example"}},
		{method: "OPTIONS", path: "/__decoy/scenario", header: map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "PUT"}},
	} {
		res := do(t, ts, c)
		if res.status != 403 || res.header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%s %s from another site: %d %v", c.method, c.path, res.status, res.header)
		}
	}
	for _, origin := range []string{"http://localhost:5173", "http://127.0.0.1:3000", "http://[::1]:8080"} {
		if res := do(t, ts, call{method: "GET", path: "/__decoy/health", header: map[string]string{"Origin": origin}}); res.status != 200 || res.header.Get("Access-Control-Allow-Origin") != origin {
			t.Errorf("from %s: %d", origin, res.status)
		}
	}
	// The mocked API itself answers any origin, as the real one would with CORS.
	if res := do(t, ts, call{method: "GET", path: "/v2/agents/agt_a/sessions", header: with(authV2, "Origin", "https://app.example")}); res.status != 200 {
		t.Errorf("API from another site: %d", res.status)
	}
}

func TestEveryResponseHeaderIsExposed(t *testing.T) {
	ts, _ := newServer(t, "default")
	res := do(t, ts, call{method: "GET", path: "/v2/agents/agt_a/sessions", header: with(authV2, "Origin", "http://localhost:5173", "Prefer", "code=429")})
	exposed := res.header.Get("Access-Control-Expose-Headers")
	for _, h := range []string{"Retry-After", "Preference-Applied", "X-Ratelimit-Reset"} {
		if !strings.Contains(strings.ToLower(exposed), strings.ToLower(h)) {
			t.Errorf("%s not exposed: %q", h, exposed)
		}
	}
}

func TestPreferenceAppliedOnlyWhenHonoured(t *testing.T) {
	ts, _ := newServer(t, "default")
	for _, c := range []call{
		{method: "GET", path: "/v2/agents/agt_a/sessions", header: map[string]string{"Prefer": "code=404"}},                         // 401 first
		{method: "GET", path: "/v2/agents/agt_a/sessions?limit=500", header: with(authV2, "Prefer", "code=404")},                    // 400 first
		{method: "GET", path: "/v2/agents/agt_a/sessions", header: with(authV2, "Prefer", "code=418")},                              // refused
		{method: "GET", path: "/v2/agents/agt_a/sessions", header: with(authV2, "Prefer", "example=nope")},                          // refused
		{method: "GET", path: "/v2/agents/agt_a/sessions", header: with(authV2, "Prefer", "code=200", "Accept", "application/xml")}, // 406
	} {
		if res := do(t, ts, c); res.header.Get("Preference-Applied") != "" {
			t.Errorf("%v: %d with Preference-Applied %q", c.header, res.status, res.header.Get("Preference-Applied"))
		}
	}
	if res := do(t, ts, call{method: "GET", path: "/v2/agents/agt_a/sessions", header: with(authV2, "Prefer", "code=404")}); res.header.Get("Preference-Applied") != "code=404" {
		t.Errorf("honoured: %q", res.header.Get("Preference-Applied"))
	}
}

// withProject serves the embedded default API with its fixtures and
// scenarios, as decoy serve does.
func withProject(t *testing.T) *httptest.Server {
	t.Helper()
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
	return ts
}
