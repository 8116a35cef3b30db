package mockserver

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/decoy-mock/decoy/openapi"
)

// refFillError is fillError as it was before errorShape: it decodes and
// modifies its own copy of the template on every call. The shaped fill
// must answer the same, without touching the shared template.
func refFillError(obj any, detail string, vs []openapi.Violation, keepExtra bool) any {
	m, ok := obj.(map[string]any)
	if !ok {
		if _, isString := obj.(string); isString {
			return detail
		}
		return obj
	}
	if len(vs) > 0 {
		for _, k := range sortedKeys(m) {
			if list, ok := m[k].([]any); ok && len(list) > 0 {
				if tmpl, ok := list[0].(map[string]any); ok && findKey(tmpl, messageKeys) != "" {
					items := make([]any, len(vs))
					for i, v := range vs {
						items[i] = refViolationItem(tmpl, v, keepExtra)
					}
					m[k] = items
					if mk := findKey(m, messageKeys); mk != "" {
						if _, isString := m[mk].(string); isString {
							m[mk] = detail
						}
					}
					return m
				}
			}
		}
	}
	refSetMessage(m, detail, 3)
	return m
}

func refSetMessage(obj map[string]any, detail string, depth int) bool {
	if k := findKey(obj, messageKeys); k != "" {
		if _, isString := obj[k].(string); isString {
			obj[k] = detail
			return true
		}
	}
	if depth == 0 {
		return false
	}
	for _, k := range sortedKeys(obj) {
		if inner, ok := obj[k].(map[string]any); ok && refSetMessage(inner, detail, depth-1) {
			return true
		}
	}
	return false
}

func TestErrorShapeFillsAsBeforeAndLeavesTheTemplate(t *testing.T) {
	templates := []string{
		`"plain text"`,
		`42`,
		`null`,
		`[{"message": "x"}]`,
		`{"message": "bad", "code": 400}`,
		`{"code": 400}`,
		`{"message": 7, "error": {"message": "nested"}}`,
		`{"error": {"detail": {"msg": "deep", "n": 1}, "x": [1, 2]}}`,
		`{"a": {"b": {"c": {"d": {"message": "too deep"}}}}}`,
		`{"message": "invalid", "errors": [{"field": "name", "message": "required", "rule": "x", "hint": "h"}]}`,
		`{"detail": [{"loc": ["body", "name"], "msg": "required", "type": "missing"}]}`,
		`{"message": ["a list"], "errors": [{"message": "m", "path": "a.b", "code": "c"}]}`,
		`{"errors": [], "zz": [{"reason": "r"}], "aa": [{"nope": 1}]}`,
		`{"error": {"message": "m", "errors": [{"message": "inner"}]}}`,
		`{"errors": [{"message": "m", "loc": 7, "code": 3, "extra": {"k": "v"}}]}`,
		`{"errors": [{"description": "m", "pointer": "/a", "kind": "x"}], "title": "t"}`,
	}
	vss := [][]openapi.Violation{
		nil,
		{{Location: "query", Parameter: "limit", Code: "maximum", Message: "limit must be at most 100"}},
		{{Location: "body", Pointer: "/status", Code: "enum", Message: "status must be one of active, closed"},
			{Location: "header", Parameter: "X-Namespace", Code: "required", Message: "X-Namespace is required"},
			{Location: "body", Pointer: "/items/0/name", Code: "minLength", Message: "too short"}},
	}
	for _, src := range templates {
		for _, vs := range vss {
			for _, keepExtra := range []bool{false, true} {
				var shared, own any
				if err := json.Unmarshal([]byte(src), &shared); err != nil {
					t.Fatal(err)
				}
				_ = json.Unmarshal([]byte(src), &own)
				sh := shapeOf(shared)
				got := sh.fill("the detail", slices.Clone(vs), keepExtra)
				want := refFillError(own, "the detail", slices.Clone(vs), keepExtra)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s with %d violations, keepExtra %v:\ngot  %s\nwant %s", src, len(vs), keepExtra, marshal(got), marshal(want))
				}
				var fresh any
				_ = json.Unmarshal([]byte(src), &fresh)
				if !reflect.DeepEqual(shared, fresh) {
					t.Errorf("%s: fill changed the shared template to %s", src, marshal(shared))
				}
			}
		}
	}
}

// refViolationItem is the list entry as fillError built it before
// entryShape.
func refViolationItem(tmpl map[string]any, v openapi.Violation, keepExtra bool) map[string]any {
	item := make(map[string]any, len(tmpl))
	for k, val := range tmpl {
		if keepExtra || slices.Contains(messageKeys, k) || slices.Contains(locationKeys, k) || slices.Contains(codeKeys, k) {
			item[k] = val
		}
	}
	if k := findKey(item, messageKeys); k != "" {
		item[k] = v.Message
	}
	if k := findKey(item, locationKeys); k != "" {
		where := []any{v.Location}
		if v.Parameter != "" {
			where = append(where, v.Parameter)
		}
		if v.Pointer != "" {
			for _, p := range strings.Split(strings.TrimPrefix(v.Pointer, "/"), "/") {
				where = append(where, p)
			}
		}
		switch item[k].(type) {
		case []any:
			item[k] = where
		case string:
			parts := make([]string, len(where))
			for i, w := range where {
				parts[i] = fmt.Sprint(w)
			}
			item[k] = strings.Join(parts, ".")
		}
	}
	if k := findKey(item, codeKeys); k != "" {
		if _, isString := item[k].(string); isString {
			item[k] = v.Code
		}
	}
	return item
}
