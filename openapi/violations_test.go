package openapi

import (
	"context"
	"math/big"
	"net/http/httptest"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/decoy-mock/decoy/defaultapi"
)

// TestKindMessages pins the words of each kind of JSON Schema error, as
// clients read them in problem documents.
func TestKindMessages(t *testing.T) {
	rat := func(s string) *big.Rat { r, _ := new(big.Rat).SetString(s); return r }
	tests := []struct {
		name string
		kind jsonschema.ErrorKind
		code string
		want string
	}{
		{"maximum", &kind.Maximum{Got: rat("500"), Want: rat("100")}, "maximum", "must be at most 100 (got 500)"},
		{"maximum over a thousand", &kind.Maximum{Got: rat("2147483649"), Want: rat("1000")}, "maximum", "must be at most 1000 (got 2147483649)"},
		{"minimum fraction", &kind.Minimum{Got: rat("-0.5"), Want: rat("0")}, "minimum", "must be at least 0 (got -0.5)"},
		{"exclusive maximum", &kind.ExclusiveMaximum{Got: rat("10"), Want: rat("10")}, "maximum", "must be less than 10 (got 10)"},
		{"exclusive minimum", &kind.ExclusiveMinimum{Got: rat("0"), Want: rat("0")}, "minimum", "must be greater than 0 (got 0)"},
		{"multiple of", &kind.MultipleOf{Got: rat("7"), Want: rat("5")}, "multiple-of", "must be a multiple of 5 (got 7)"},
		{"max length", &kind.MaxLength{Got: 12, Want: 10}, "max-length", "must be at most 10 characters long (got 12)"},
		{"min length", &kind.MinLength{Got: 0, Want: 1}, "min-length", "must be at least 1 characters long (got 0)"},
		{"max items", &kind.MaxItems{Got: 3, Want: 2}, "max-items", "must have at most 2 items (got 3)"},
		{"min items", &kind.MinItems{Got: 0, Want: 1}, "min-items", "must have at least 1 items (got 0)"},
		{"max properties", &kind.MaxProperties{Got: 3, Want: 2}, "max-properties", "must have at most 2 properties (got 3)"},
		{"min properties", &kind.MinProperties{Got: 0, Want: 1}, "min-properties", "must have at least 1 properties (got 0)"},
		{"type", &kind.Type{Got: "string", Want: []string{"integer", "null"}}, "type", "must be integer or null, not string"},
		{"required one", &kind.Required{Missing: []string{"id"}}, "required", `required property "id" is missing`},
		{"required two", &kind.Required{Missing: []string{"id", "name"}}, "required", "required properties 'id', 'name' are missing"},
		{"additional", &kind.AdditionalProperties{Properties: []string{"x"}}, "additional-properties", "properties 'x' are not allowed"},
		{"pattern", &kind.Pattern{Got: "customer_support", Want: "^agt_[0-9a-zA-Z_-]+$"}, "pattern", "'customer_support' does not match pattern '^agt_[0-9a-zA-Z_-]+$'"},
		{"pattern quote", &kind.Pattern{Got: `it's "x"`, Want: "^a$"}, "pattern", `'it\'s "x"' does not match pattern '^a$'`},
		{"enum", &kind.Enum{Got: "paused", Want: []any{"active", "idle", nil}}, "enum", "value must be one of 'active', 'idle', null"},
		{"enum one", &kind.Enum{Got: "x", Want: []any{"y"}}, "enum", "value must be 'y'"},
		{"const", &kind.Const{Got: 1, Want: 2}, "const", "value must be 2"},
		{"one of", &kind.OneOf{}, "one-of", "'oneOf' failed, none matched"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := kindMessage(tt.kind); got != tt.want {
				t.Errorf("message %q, want %q", got, tt.want)
			}
			if got := kindCode(tt.kind); got != tt.code {
				t.Errorf("code %q, want %q", got, tt.code)
			}
		})
	}
}

// TestInvalidRequestsSkipTheLibrary: the default API's invalid requests
// are judged by the compiled validator, not by kin-openapi's request
// validation (which compiled each 3.1 schema again, at about a thousand
// allocations a request). Counted in allocations, which do not depend on
// the machine's load.
func TestInvalidRequestsSkipTheLibrary(t *testing.T) {
	spec, err := Load(defaultapi.FS, defaultapi.SpecFile, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		method, target, body string
		want                 int
	}{
		{"GET", "/v2/agents/customer_support/sessions?limit=500", "", 2},
		{"POST", "/v1/agents/sessions/list?limit=250", `{"status": "paused"}`, 2},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.target, nil)
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("X-Namespace", "ns_demo")
			op, _, params, err := spec.Match(r.Method, r.URL.EscapedPath())
			if err != nil {
				t.Fatal(err)
			}
			req := Request{HTTP: r, PathParams: params, Body: []byte(tt.body), Query: parseQuery(r.URL.RawQuery)}
			if tt.body != "" {
				req.BodyJSON = map[string]any{"status": "paused"}
			}
			ctx := context.Background()
			if vs := op.ValidateRequest(ctx, req); len(vs) != tt.want {
				t.Fatalf("violations %v, want %d", vs, tt.want)
			}
			allocs := testing.AllocsPerRun(20, func() { op.ValidateRequest(ctx, req) })
			if allocs > 200 {
				t.Errorf("%.0f allocations per invalid request: the library's path was taken", allocs)
			}
		})
	}
}
