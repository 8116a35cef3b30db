package openapi

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// quickSchemas are body-like schemas around every keyword quickCheck reads,
// and some it must leave to the library.
var quickSchemas = []string{
	`{}`,
	`{"description": "anything"}`,
	`{"type":"object"}`,
	`{"type":["object","null"]}`,
	`{"type":"object","properties":{"status":{"type":["string","null"],"enum":["active","idle",null]},"filters":{"type":["object","null"],"additionalProperties":true},"sort":{"type":["object","null"]}}}`,
	`{"type":"object","required":["name"],"properties":{"name":{"type":"string","minLength":1},"age":{"type":"integer","minimum":0}}}`,
	`{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}`,
	`{"type":"object","additionalProperties":{"type":"integer"}}`,
	`{"type":"object","additionalProperties":{"type":"string","format":"date-time"}}`,
	`{"type":"object","minProperties":1,"maxProperties":2}`,
	`{"type":"object","properties":{"when":{"type":"string","format":"date-time"},"n":{"type":"number","maximum":5}}}`,
	`{"type":"object","properties":{"id":{"type":"string","readOnly":true},"name":{"type":"string"}},"required":["id"]}`,
	`{"type":"object","properties":{"secret":{"type":"string","writeOnly":true}}}`,
	`{"type":"object","properties":{"inner":{"type":"object","required":["x"],"properties":{"x":{"type":"boolean"}}}}}`,
	`{"type":"object","properties":{"tags":{"type":"array","items":{"type":"string","maxLength":3},"maxItems":2}}}`,
	`{"type":"object","nullable":true,"properties":{"a":{"type":"integer","nullable":true}}}`,
	`{"type":"array"}`,
	`{"type":"array","items":{}}`,
	`{"type":"array","items":{"type":"integer","format":"int32"},"minItems":1}`,
	`{"type":"array","items":{"type":"object","properties":{"a":{"type":"string"}}}}`,
	`{"type":"array","uniqueItems":true}`,
	`{"type":["string","null"],"enum":["a",null]}`,
	`{"type":["integer","null"],"maximum":3}`,
	`{"type":"object","properties":{"a":{"type":"string"}},"allOf":[{"required":["a"]}]}`,
	`{"type":["object","string"]}`,
	`{"type":"null"}`,
	`{"type":"object","enum":[{"a":1}]}`,
	`{"type":"object","properties":{"a":{"const":"x"}}}`,
	`{"properties":{"a":{"type":"string"}}}`,
}

// quickValues builds JSON values (as the body decoder makes them, json.Number
// numbers, and as Go values) around the keywords above.
func quickValues(r *rand.Rand) []any {
	keys := []string{"status", "filters", "sort", "name", "age", "a", "n", "when", "id", "secret", "inner", "x", "tags", "other"}
	scalars := []any{nil, true, false, "", "a", "abcd", "active", "idle", "paused", "2024-03-11T09:12:04Z", "not a date",
		json.Number("0"), json.Number("-1"), json.Number("3"), json.Number("4.5"), json.Number("7"), json.Number("2147483648"), json.Number("1.0"),
		int64(2), 2.5, float64(-3)}
	var gen func(depth int) any
	gen = func(depth int) any {
		switch k := r.IntN(10); {
		case k < 5 || depth > 2:
			return scalars[r.IntN(len(scalars))]
		case k < 8:
			m := map[string]any{}
			for range r.IntN(4) {
				m[keys[r.IntN(len(keys))]] = gen(depth + 1)
			}
			return m
		default:
			a := []any{}
			for range r.IntN(4) {
				a = append(a, gen(depth+1))
			}
			return a
		}
	}
	vals := append([]any{}, scalars...)
	vals = append(vals, map[string]any{}, []any{}, map[string]any{"status": "active", "filters": map[string]any{}, "sort": map[string]any{}},
		map[string]any{"name": "x"}, map[string]any{"name": "x", "age": json.Number("3")}, map[string]any{"a": "b"},
		map[string]any{"inner": map[string]any{"x": true}}, map[string]any{"tags": []any{"a", "abc"}}, []any{json.Number("1")})
	for range 400 {
		vals = append(vals, gen(0))
	}
	return vals
}

// TestQuickCheckNeverAcceptsWhatTheLibraryRefuses: quickCheck may only say
// valid when the library does, in both dialects and every direction; and it
// must say so for most of what the library accepts, or it is of no use.
func TestQuickCheckNeverAcceptsWhatTheLibraryRefuses(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	vals := quickValues(r)
	accepted, libraryAccepted := 0, 0
	for _, raw := range quickSchemas {
		for _, op31 := range []bool{false, true} {
			for _, dir := range []Direction{DirNone, DirRequest, DirResponse} {
				var s openapi3.Schema
				if err := json.Unmarshal([]byte(raw), &s); err != nil {
					t.Fatalf("%s: %v", raw, err)
				}
				q := newQuickCheck(&s, op31)
				v := NewValidator(ValidatorOptions{OpenAPI31: op31, Direction: dir})
				for _, val := range vals {
					want, panicked := libraryValid(&s, val, v.Options())
					if panicked {
						continue
					}
					got := q.valid(val)
					if got && !want {
						b, _ := json.Marshal(val)
						t.Errorf("3.1=%v direction %d schema %s value %s (%T): quickCheck accepts what the library refuses", op31, dir, raw, b, val)
					}
					if want && q != nil {
						libraryAccepted++
						if got {
							accepted++
						}
					}
				}
			}
		}
	}
	t.Logf("quickCheck accepted %d of the %d values the library accepts", accepted, libraryAccepted)
	if libraryAccepted == 0 || accepted*10 < libraryAccepted*6 {
		t.Errorf("quickCheck accepted %d of the %d values the library accepts: the fast path is not taken", accepted, libraryAccepted)
	}
}

// TestQuickCheckLeavesOtherSchemasToTheLibrary lists schemas quickCheck
// must not judge at all.
func TestQuickCheckLeavesOtherSchemasToTheLibrary(t *testing.T) {
	for _, raw := range []string{
		`{"type":"array","uniqueItems":true}`,
		`{"type":"object","properties":{"a":{"type":"string"}},"allOf":[{"required":["a"]}]}`,
		`{"type":["object","string"]}`,
		`{"type":"object","enum":[{"a":1}]}`,
		`{"properties":{"a":{"type":"string"}}}`,
		`{"nullable":true}`,
		`{"type":"object","minLength":2}`,
		`{"type":"array","required":["a"]}`,
		`{"$schema":"http://json-schema.org/draft-04/schema#","type":"object"}`,
		`{"type":"object","patternProperties":{"^a":{"type":"string"}}}`,
	} {
		var s openapi3.Schema
		if err := json.Unmarshal([]byte(raw), &s); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		if newQuickCheck(&s, true) != nil || newQuickCheck(&s, false) != nil {
			t.Errorf("%s: got a quickCheck", raw)
		}
	}
	// 3.0 has no "null" type.
	var s openapi3.Schema
	_ = json.Unmarshal([]byte(`{"type":["string","null"]}`), &s)
	if newQuickCheck(&s, false) != nil {
		t.Error(`3.0 {"type":["string","null"]}: got a quickCheck`)
	}
}

// TestQuickCheckCycles builds the check of a schema that contains itself
// and judges values nested deeper than the cycle.
func TestQuickCheckCycles(t *testing.T) {
	tree := &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeObject}, Properties: openapi3.Schemas{
		"name": openapi3.NewSchemaRef("", openapi3.NewStringSchema()),
	}}
	tree.Properties["children"] = openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeArray}, Items: openapi3.NewSchemaRef("", tree)})
	q := newQuickCheck(tree, true)
	if q == nil {
		t.Fatal("no quickCheck for a recursive schema")
	}
	var good, bad any
	if err := json.NewDecoder(strings.NewReader(`{"name":"a","children":[{"name":"b","children":[{"name":"c"}]}]}`)).Decode(&good); err != nil {
		t.Fatal(err)
	}
	if err := json.NewDecoder(strings.NewReader(`{"name":"a","children":[{"name":"b","children":[{"name":3}]}]}`)).Decode(&bad); err != nil {
		t.Fatal(err)
	}
	if !q.valid(good) {
		t.Error("a valid tree is not accepted")
	}
	if q.valid(bad) {
		t.Error("a tree with a bad leaf is accepted")
	}
}
