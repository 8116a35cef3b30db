package openapi

import (
	"encoding/json"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

func TestApplyDefaults(t *testing.T) {
	var s openapi3.Schema
	if err := json.Unmarshal([]byte(`{
		"type": "object",
		"allOf": [{"properties": {"fromAllOf": {"type": "integer", "default": 1}}}],
		"properties": {
			"done": {"type": "boolean", "default": false},
			"owner": {"type": "string", "readOnly": true, "default": "server"},
			"secret": {"type": "string", "writeOnly": true, "default": "hidden"},
			"meta": {"type": "object", "default": {}, "properties": {"n": {"type": "integer", "default": 3}}},
			"list": {"type": "array", "items": {"type": "object", "properties": {"on": {"type": "boolean", "default": true}}}},
			"absent": {"type": "object", "properties": {"x": {"type": "integer", "default": 1}}}
		}
	}`), &s); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		in        string
		asRequest bool
		want      string
	}{
		{"request", `{"list": [{}, {"on": false}, 7]}`, true,
			`{"done": false, "fromAllOf": 1, "secret": "hidden", "meta": {"n": 3}, "list": [{"on": true}, {"on": false}, 7]}`},
		{"response", `{}`, false, `{"done": false, "fromAllOf": 1, "owner": "server", "meta": {"n": 3}}`},
		{"what is there stays", `{"done": true, "meta": {"n": 5}, "fromAllOf": null}`, true,
			`{"done": true, "fromAllOf": null, "secret": "hidden", "meta": {"n": 5}}`},
		{"not an object", `"text"`, true, `"text"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v, want any
			if err := json.Unmarshal([]byte(tc.in), &v); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
				t.Fatal(err)
			}
			changed := ApplyDefaults(&s, v, tc.asRequest)
			got, _ := json.Marshal(v)
			w, _ := json.Marshal(want)
			if string(got) != string(w) {
				t.Fatalf("got  %s\nwant %s", got, w)
			}
			if changed != (tc.in != tc.want) {
				t.Fatalf("changed = %v", changed)
			}
		})
	}
	// A default is copied: changing what was filled in leaves the schema's.
	v := map[string]any{}
	ApplyDefaults(&s, v, true)
	v["meta"].(map[string]any)["n"] = 9.0
	if d := s.Properties["meta"].Value.Default.(map[string]any); len(d) != 0 {
		t.Fatalf("the schema's default changed to %v", d)
	}
}

func TestApplyDefaultsAllOfCycle(t *testing.T) {
	s := &openapi3.Schema{}
	s.AllOf = openapi3.SchemaRefs{{Value: s}}
	if ApplyDefaults(s, map[string]any{}, true) {
		t.Fatal("changed a value by a schema without defaults")
	}
}
