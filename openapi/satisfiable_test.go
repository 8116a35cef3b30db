package openapi

import (
	"slices"
	"testing"
	"testing/fstest"
)

// TestUnsatisfiableSchemaFindings: issue 15 item 8. Schemas that accept no
// value, or none Decoy can build, are findings at load, so `decoy
// validate` names them before a request meets them.
func TestUnsatisfiableSchemaFindings(t *testing.T) {
	const doc = `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  huge: {type: string, minLength: 100000000}
                  crossed: {type: string, minLength: 5, maxLength: 2}
components:
  schemas:
    Gender: {type: string, enum: [M, F], minLength: 4}
    Fine: {type: string, enum: [MALE, F], minLength: 4}
    Closed:
      type: object
      additionalProperties: false
      required: [json_schema]
      properties: {name: {type: string}}
    Range: {type: integer, minimum: 5, maximum: 3}
`
	spec, err := Load(fstest.MapFS{"openapi.yaml": {Data: []byte(doc)}}, "openapi.yaml", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range spec.Findings {
		if f.Class == ClassCannotGenerate {
			got = append(got, f.Pointer)
			if f.Where == "" {
				t.Errorf("%s: no place", f.Pointer)
			}
		}
	}
	want := []string{
		"/components/schemas/Closed/required",
		"/components/schemas/Gender/enum",
		"/components/schemas/Range/minimum",
		"/paths/~1a/get/responses/200/content/application~1json/schema/properties/crossed/minLength",
		"/paths/~1a/get/responses/200/content/application~1json/schema/properties/huge/minLength",
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("cannot-generate findings:\n got %q\nwant %q", got, want)
	}
}
