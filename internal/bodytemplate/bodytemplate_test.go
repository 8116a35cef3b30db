package bodytemplate

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	body := map[string]any{
		"error": map[string]any{
			"code":    "namespace_not_found",
			"message": "Namespace '{{request.header.x-namespace}}' does not exist",
		},
		"agent":  "{{ request.path.agent_key }}",
		"list":   []any{"{{request.query.limit}}/{{request.query.missing}}", 3.0, true, nil},
		"braces": "{{ not a placeholder }} {{request.path.agent_key}}",
	}
	tpl, err := Compile(body)
	if err != nil || tpl == nil {
		t.Fatalf("Compile: %v, %v", tpl, err)
	}
	got := tpl.Render(Request{
		Header: http.Header{"X-Namespace": {"ns_nope", "ns_other"}},
		Path:   map[string]string{"agent_key": "agt_x"},
		Query:  url.Values{"limit": {"5"}},
	})
	b, _ := json.Marshal(got)
	want := `{"agent":"agt_x","braces":"{{ not a placeholder }} agt_x","error":{"code":"namespace_not_found","message":"Namespace 'ns_nope' does not exist"},"list":["5/",3,true,null]}`
	if string(b) != want {
		t.Errorf("rendered\n%s\nwant\n%s", b, want)
	}
	if body["agent"] != "{{ request.path.agent_key }}" {
		t.Error("Render modified the template")
	}
	if tpl.Static() {
		t.Error("a body with placeholders is static")
	}
	// Nothing to fill in: static.
	if tpl, err := Compile(map[string]any{"a": "{{x}}", "b": 1.0}); err != nil || !tpl.Static() {
		t.Errorf("a body without placeholders: %v, %v", tpl, err)
	}
}

func TestCompileErrors(t *testing.T) {
	for _, tt := range []struct {
		body any
		want string
	}{
		{map[string]any{"a": []any{"{{request.cookie.x}}"}}, `/a/0: placeholder {{request.cookie.x}}: unknown source "cookie"`},
		{map[string]any{"a/b": "{{request.header}}"}, `/a~1b: placeholder {{request.header}}: name the header`},
		{"x {{request.path.id", `placeholder "{{request.path.id" is not closed with }}`},
	} {
		_, err := Compile(tt.body)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Compile(%v) = %v, want %q", tt.body, err, tt.want)
		}
	}
}

func FuzzRender(f *testing.F) {
	f.Add("Namespace '{{request.header.X-Namespace}}' {{ x }} {{request.query.")
	f.Fuzz(func(t *testing.T, s string) {
		tpl, err := Compile(s)
		if err != nil || tpl == nil {
			return
		}
		if _, ok := tpl.Render(Request{}).(string); !ok {
			t.Fatal("a string template rendered as something else")
		}
	})
}
