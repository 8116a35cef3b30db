package scenarios

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/decoy-mock/decoy/internal/bodytemplate"
)

// TestRuleBody: a rule may give the body of the status it forces, with
// request values filled into placeholders; it is checked against the
// operation's schema at load.
func TestRuleBody(t *testing.T) {
	spec := testSpec(t)
	set := loadYAML(t, spec, Options{}, "s.yaml", `
name: s
rules:
  - operations: [getPet]
    status: 404
    body: {code: "no pet {{request.path.id}}"}
`)
	op := spec.Operation("getPet")
	d, ok, _ := set.Decide(context.Background(), "s", Input{Op: op, Request: httptest.NewRequest("GET", "/pets/rex", nil), PathParams: map[string]string{"id": "rex"}})
	if !ok || d.Status != 404 || d.Body == nil {
		t.Fatalf("decision %+v, %v", d, ok)
	}
	b, _ := json.Marshal(d.Body.Render(bodytemplate.Request{Path: map[string]string{"id": "rex"}}))
	if string(b) != `{"code":"no pet rex"}` {
		t.Errorf("rendered %s", b)
	}
}

func TestRuleBodyErrors(t *testing.T) {
	spec := testSpec(t)
	for _, tt := range []struct {
		name, rule, want string
	}{
		{"without a status", `
  - operations: [getPet]
    latency: 1ms
    body: {code: x}`, `s.yaml:5:11: rules[0].body: body is the answer of status (or of a rate limit's 429); this rule sets neither`},
		{"with an example", `
  - operations: [getPet]
    status: 404
    example: gone
    body: {code: x}`, `rules[0].body: give body or example, not both`},
		{"a bad placeholder", `
  - operations: [getPet]
    status: 404
    body: {code: "{{request.cookie.x}}"}`, `rules[0].body.code: placeholder {{request.cookie.x}}: unknown source "cookie"`},
		{"against the schema", `
  - operations: [getPet]
    status: 404
    body: {code: 7}`, `rules[0].body: does not match getPet's 404 response`},
		{"an undocumented status", `
  - operations: [createPet]
    status: 503
    allowUndocumented: true
    body: {code: x}`, `rules[0].body: createPet's 5XX response has no JSON body`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadYAMLErr(spec, Options{}, "s.yaml", "name: s\nrules:"+tt.rule+"\n")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
