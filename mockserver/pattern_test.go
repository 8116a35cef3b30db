package mockserver_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/decoy-mock/decoy/openapi"
)

// TestECMAScriptPatterns: a spec whose patterns Go's RE2 cannot compile
// (lookaround, backreferences, repeat counts above 1000) loads, requests
// are judged by the patterns as ECMAScript reads them, and generated
// responses match them.
func TestECMAScriptPatterns(t *testing.T) {
	for _, name := range []string{"ecma-pattern.yaml", "ecma-pattern-31.yaml"} {
		t.Run(name, func(t *testing.T) {
			ts, spec := newServer(t, name)
			var pattern int
			for _, f := range spec.Findings {
				if f.Class == openapi.ClassPattern {
					pattern++
				}
			}
			if pattern != 7 {
				t.Errorf("%d pattern findings, want 7 (6 ECMAScript, 1 ignored): %v", pattern, spec.Findings)
			}
			for _, c := range []struct {
				path string
				want int
				code string
			}{
				{"/a/bar", 200, ""},
				{"/a/foobar", 422, "pattern"},
				{"/a/bar?ref=zz", 200, ""},
				{"/a/bar?ref=zy", 422, "pattern"},
				{"/a/bar?broken=anything", 200, ""}, // no engine compiles it: ignored
			} {
				r := do(t, ts, call{method: http.MethodGet, path: c.path})
				if r.status != c.want {
					t.Errorf("GET %s = %d, want %d\n%s", c.path, r.status, c.want, r.body)
					continue
				}
				if c.code != "" && !hasViolation(r, c.code) {
					t.Errorf("GET %s: no %q violation in %s", c.path, c.code, r.body)
				}
				if c.want == 200 {
					checkThing(t, r.json(t))
				}
			}
			ok := `{"id": "123", "code": "AB1C", "price": "$5", "tag": "ccd"}`
			if r := do(t, ts, call{method: http.MethodPost, path: "/things", body: ok}); r.status != 201 {
				t.Errorf("POST a valid thing = %d\n%s", r.status, r.body)
			}
			for _, bad := range []string{
				`{"id": "0123", "code": "AB1C", "price": "$5", "tag": "ccd"}`,
				`{"id": "123", "code": "AB1X", "price": "$5", "tag": "ccd"}`,
				`{"id": "123", "code": "AB1C", "price": "$5", "tag": "cde"}`,
			} {
				r := do(t, ts, call{method: http.MethodPost, path: "/things", body: bad})
				if r.status != 422 || !hasViolation(r, "pattern") {
					t.Errorf("POST %s = %d, want 422 with a pattern violation\n%s", bad, r.status, r.body)
				}
			}
			// Generated, not the example: every seed gives a matching thing.
			for seed := range 20 {
				r := do(t, ts, call{method: http.MethodGet, path: "/a/bar", header: map[string]string{"Prefer": fmt.Sprintf("dynamic=true, seed=%d", seed)}})
				if r.status != 200 {
					t.Fatalf("seed %d: %d\n%s", seed, r.status, r.body)
				}
				checkThing(t, r.json(t))
			}
		})
	}
}

// checkThing checks a Thing by hand, against what its patterns say.
func checkThing(t *testing.T, m map[string]any) {
	t.Helper()
	id, _ := m["id"].(string)
	code, _ := m["code"].(string)
	price, _ := m["price"].(string)
	tag, _ := m["tag"].(string)
	if len(id) < 3 || strings.HasPrefix(id, "0") || strings.Trim(id, "0123456789") != "" {
		t.Errorf("id %q does not match its pattern", id)
	}
	if len(code) != 4 || code[0] < 'A' || code[0] > 'Z' || strings.HasSuffix(code, "X") || strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
		t.Errorf("code %q does not match its pattern", code)
	}
	if p := strings.TrimPrefix(price, "$"); p == "" || strings.Trim(p, "0123456789") != "" {
		t.Errorf("price %q does not match its pattern", price)
	}
	if len(tag) != 3 || tag[0] != tag[1] || strings.Trim(tag, "abcdefghijklmnopqrstuvwxyz") != "" {
		t.Errorf("tag %q does not match its pattern", tag)
	}
}

func hasViolation(r result, code string) bool {
	var walk func(any) bool
	walk = func(v any) bool {
		switch v := v.(type) {
		case map[string]any:
			if v["code"] == code {
				return true
			}
			for _, x := range v {
				if walk(x) {
					return true
				}
			}
		case []any:
			for _, x := range v {
				if walk(x) {
					return true
				}
			}
		}
		return false
	}
	var m map[string]any
	_ = json.Unmarshal(r.body, &m)
	return walk(m)
}
