package openapi

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/decoy-mock/decoy/defaultapi"
)

// BenchmarkValidatorQuickCheck is what the quick check (quickcheck.go,
// scalar.go) must keep paying for: a valid value of the default API judged
// with it and by the compiled JSON Schema alone, and an invalid one
// explained by the compiled schema's error tree.
func BenchmarkValidatorQuickCheck(b *testing.B) {
	spec, err := Load(defaultapi.FS, defaultapi.SpecFile, LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	op := spec.Operation("listSessions")
	body := op.Op.RequestBody.Value.Content.Get("application/json").Schema.Value
	var limit *openapi3.Schema
	for _, p := range spec.Doc.Components.Parameters {
		if p.Value.Name == "limit" && p.Value.In == "query" && p.Value.Schema.Value.Type.Includes("null") {
			limit = p.Value.Schema.Value
		}
	}
	if limit == nil {
		b.Fatal("no nullable limit parameter in the default spec")
	}
	decode := func(s string) any {
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			b.Fatal(err)
		}
		return v
	}
	cases := []struct {
		name   string
		dir    Direction
		schema *openapi3.Schema
		value  any
		valid  bool
	}{
		{"body", DirRequest, body, decode(`{"status": "active", "filters": {}, "sort": {}}`), true},
		{"limit", DirNone, limit, int64(25), true},
		{"body-invalid", DirRequest, body, decode(`{"status": "paused"}`), false},
		{"limit-invalid", DirNone, limit, int64(500), false},
	}
	for _, c := range cases {
		for _, quick := range []bool{true, false} {
			name := c.name + "/compiled"
			if quick {
				name = c.name + "/quick"
			}
			b.Run(name, func(b *testing.B) {
				v := NewValidator(ValidatorOptions{OpenAPI31: true, Direction: c.dir, StringFormats: requestStringFormats(), Document: spec.Doc})
				if !quick {
					v.compiled(c.schema).quick = nil
				}
				if got := len(v.problems(c.schema, c.value)) == 0; got != c.valid {
					b.Fatalf("valid %v, want %v", got, c.valid)
				}
				b.ReportAllocs()
				for b.Loop() {
					v.problems(c.schema, c.value)
				}
			})
		}
	}
}
