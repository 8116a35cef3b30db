package mockserver_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestSecuritySchemes(t *testing.T) {
	ts, _ := newServer(t, "security.yaml")
	const basic = "Basic dXNlcjpwYXNz" // user:pass
	tests := []struct {
		name      string
		path      string
		header    map[string]string
		status    int
		challenge string // expected WWW-Authenticate prefix on 401
		problem   bool   // 401 undocumented: a problem document
	}{
		{"bearer ok", "/bearer", map[string]string{"Authorization": "Bearer abc.def"}, 200, "", false},
		{"bearer missing", "/bearer", nil, 401, "Bearer", false},
		{"basic ok", "/basic", map[string]string{"Authorization": basic}, 200, "", false},
		{"basic not base64", "/basic", map[string]string{"Authorization": "Basic %%%"}, 401, "Basic", false},
		{"basic without colon", "/basic", map[string]string{"Authorization": "Basic dXNlcg=="}, 401, "Basic", false},
		{"header key ok", "/header-key", map[string]string{"X-API-Key": "k"}, 200, "", false},
		{"header key missing, 401 undocumented", "/header-key", nil, 401, "ApiKey", true},
		{"query key ok", "/query-key?api_key=k", nil, 200, "", false},
		{"query key missing", "/query-key", nil, 401, "ApiKey", false},
		{"cookie key ok", "/cookie-key", map[string]string{"Cookie": "session_id=abc"}, 200, "", false},
		{"cookie key missing", "/cookie-key", map[string]string{"Cookie": "other=abc"}, 401, "ApiKey", true},
		{"either: bearer", "/either", map[string]string{"Authorization": "Bearer t"}, 200, "", false},
		{"either: api key", "/either", map[string]string{"X-API-Key": "k"}, 200, "", false},
		{"either: neither", "/either", nil, 401, "Bearer", false},
		{"both: both", "/both", map[string]string{"X-API-Key": "k", "Authorization": basic}, 200, "", false},
		{"both: only one", "/both", map[string]string{"X-API-Key": "k"}, 401, "", true},
		{"public overrides global", "/public", nil, 200, "", false},
		{"oauth2 takes a bearer token", "/oauth", map[string]string{"Authorization": "Bearer t"}, 200, "", false},
		{"oauth2 missing", "/oauth", nil, 401, "Bearer", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := do(t, ts, call{method: "GET", path: tt.path, header: tt.header})
			if res.status != tt.status {
				t.Fatalf("status %d, want %d: %s", res.status, tt.status, res.body)
			}
			if tt.status != 401 {
				return
			}
			if got := res.header.Get("WWW-Authenticate"); !strings.HasPrefix(got, tt.challenge) {
				t.Errorf("WWW-Authenticate = %q, want %q…", got, tt.challenge)
			}
			isProblem := res.header.Get("Content-Type") == "application/problem+json"
			if isProblem != tt.problem {
				t.Errorf("problem document = %v, want %v: %s", isProblem, tt.problem, res.body)
			}
		})
	}
}

func TestFeatures31(t *testing.T) {
	ts, _ := newServer(t, "features-31.yaml")
	user := map[string]string{"X-Tenant": "tn_acme", "Cookie": "session=s3ss10n-abcdef"}
	t.Run("concrete path beats templated", func(t *testing.T) {
		res := do(t, ts, call{method: "GET", path: "/users/me", header: user})
		if res.status != 200 {
			t.Fatalf("status %d: %s", res.status, res.body)
		}
		// /users/{id} would have failed: "me" is not an integer.
	})
	t.Run("missing cookie and header parameters", func(t *testing.T) {
		res := do(t, ts, call{method: "GET", path: "/users/me"})
		if res.status != 400 || !bytes.Contains(res.body, []byte("X-Tenant")) || !bytes.Contains(res.body, []byte("session")) {
			t.Fatalf("status %d: %s", res.status, res.body)
		}
	})
	t.Run("documented headers are filled", func(t *testing.T) {
		res := do(t, ts, call{method: "GET", path: "/users?tag=a&tag=b"})
		if res.header.Get("X-Request-Id") != "3fa85f64-5717-4562-b3fc-2c963f66afa6" || res.header.Get("X-Total-Count") != "2" {
			t.Errorf("headers: %v", res.header)
		}
	})
	t.Run("named example", func(t *testing.T) {
		ok := do(t, ts, call{method: "GET", path: "/users"}).json(t)
		empty := do(t, ts, call{method: "GET", path: "/users", header: map[string]string{"Prefer": "example=empty"}}).json(t)
		if len(ok["items"].([]any)) == 0 || len(empty["items"].([]any)) != 0 {
			t.Errorf("first example %v, empty example %v", ok, empty)
		}
		res := do(t, ts, call{method: "GET", path: "/users", header: map[string]string{"Prefer": "example=nope"}})
		if res.status != 404 || !bytes.Contains(res.body, []byte("known: ok, empty")) {
			t.Errorf("unknown example: %d %s", res.status, res.body)
		}
	})
	t.Run("Accept negotiation", func(t *testing.T) {
		tests := []struct{ accept, want string }{
			{"", "application/json"},
			{"text/plain", "text/plain"},
			{"application/xml", "application/xml"},
			{"text/*;q=0.5, application/json;q=0.4", "text/plain"},
			{"application/json;q=0, */*;q=0.1", "text/plain"},
		}
		for _, tt := range tests {
			res := do(t, ts, call{method: "GET", path: "/users/1", header: map[string]string{"Accept": tt.accept}})
			if got := res.header.Get("Content-Type"); got != tt.want || res.status != 200 {
				t.Errorf("Accept %q: %d %s, want %s", tt.accept, res.status, got, tt.want)
			}
		}
		res := do(t, ts, call{method: "GET", path: "/users/1", header: map[string]string{"Accept": "image/png"}})
		if res.status != http.StatusNotAcceptable {
			t.Errorf("Accept image/png: %d, want 406", res.status)
		}
		xml := do(t, ts, call{method: "GET", path: "/users/1", header: map[string]string{"Accept": "application/xml"}})
		if !bytes.HasPrefix(xml.body, []byte("<?xml")) || !bytes.Contains(xml.body, []byte("<user>")) {
			t.Errorf("XML body: %s", xml.body)
		}
		text := do(t, ts, call{method: "GET", path: "/users/1", header: map[string]string{"Accept": "text/plain"}})
		if string(text.body) != "Ada Lovelace <ada@example.com>" {
			t.Errorf("text body: %q", text.body)
		}
	})
	t.Run("204 has no body", func(t *testing.T) {
		res := do(t, ts, call{method: "DELETE", path: "/users/1"})
		if res.status != 204 || len(res.body) != 0 {
			t.Errorf("%d %q", res.status, res.body)
		}
	})
	t.Run("only default documented answers 200", func(t *testing.T) {
		res := do(t, ts, call{method: "GET", path: "/orgs/org_acme/members/1"})
		if res.status != 200 || res.json(t)["role"] != "owner" {
			t.Errorf("%d %s", res.status, res.body)
		}
	})
	t.Run("validation status: 422 before 400", func(t *testing.T) {
		res := do(t, ts, call{method: "POST", path: "/users", body: `{"name": 5}`})
		if res.status != 422 {
			t.Errorf("%d %s", res.status, res.body)
		}
	})
	t.Run("validation status: 400 when only 400", func(t *testing.T) {
		res := do(t, ts, call{method: "GET", path: "/users/0"})
		if res.status != 400 || res.json(t)["code"] != "bad_request" {
			t.Errorf("%d %s", res.status, res.body)
		}
	})
	t.Run("validation status: no 4xx documented is a 422 problem", func(t *testing.T) {
		res := do(t, ts, call{method: "GET", path: "/users?limit=0"})
		if res.status != 422 || res.header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("%d %s %s", res.status, res.header.Get("Content-Type"), res.body)
		}
		var p struct {
			Validation []struct{ Location, Parameter, Code, Message string }
		}
		if err := json.Unmarshal(res.body, &p); err != nil || len(p.Validation) != 1 {
			t.Fatalf("%v %s", err, res.body)
		}
		if v := p.Validation[0]; v.Location != "query" || v.Parameter != "limit" || v.Code != "minimum" {
			t.Errorf("violation %+v", v)
		}
	})
	t.Run("form body accepted", func(t *testing.T) {
		res := do(t, ts, call{method: "POST", path: "/users", body: "name=Grace+Hopper&email=grace%40example.com",
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
		if res.status != 201 {
			t.Errorf("%d %s", res.status, res.body)
		}
	})
}

func TestSwagger2(t *testing.T) {
	ts, _ := newServer(t, "swagger2-petstore.yaml")
	key := map[string]string{"api_key": "k"}
	t.Run("served under basePath and without it", func(t *testing.T) {
		for _, p := range []string{"/v2/pets", "/pets"} {
			if res := do(t, ts, call{method: "GET", path: p, header: key}); res.status != 200 {
				t.Errorf("%s: %d %s", p, res.status, res.body)
			}
		}
	})
	t.Run("integer path parameter", func(t *testing.T) {
		if res := do(t, ts, call{method: "GET", path: "/v2/pets/abc", header: key}); res.status < 400 || res.status >= 500 {
			t.Errorf("%d %s", res.status, res.body)
		}
	})
	t.Run("api key required", func(t *testing.T) {
		if res := do(t, ts, call{method: "GET", path: "/v2/pets"}); res.status != 401 {
			t.Errorf("%d %s", res.status, res.body)
		}
	})
}

func TestPolymorphismHasNoFalsePositives(t *testing.T) {
	ts, spec := newServer(t, "polymorphism.yaml")
	op := spec.Operation("createPet")
	if op == nil {
		t.Fatal("no createPet")
	}
	tests := []struct {
		name   string
		path   string
		body   string
		status int
	}{
		{"cat by discriminator", "/pets", `{"pet_type": "cat", "name": "Tom", "hunts": true}`, 201},
		{"dog by discriminator", "/pets", `{"pet_type": "dog", "name": "Rex", "breed": "collie"}`, 201},
		{"allOf + nullable owner may be null", "/pets", `{"pet_type": "dog", "name": "Rex", "breed": "collie", "owner": null}`, 201},
		{"unknown discriminator value", "/pets", `{"pet_type": "cow", "name": "Daisy"}`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := do(t, ts, call{method: "POST", path: tt.path, body: tt.body})
			if tt.status == 0 {
				if res.status < 400 || res.status >= 500 {
					t.Errorf("invalid body accepted: %d %s", res.status, res.body)
				}
				return
			}
			if res.status != tt.status {
				t.Errorf("%d, want %d: %s", res.status, tt.status, res.body)
			}
		})
	}
}
