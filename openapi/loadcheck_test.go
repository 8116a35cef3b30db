package openapi

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/getkin/kin-openapi/openapi3"
)

// sharedRefsSpec returns an OpenAPI 3.0 JSON spec with n operations, each
// referencing the component schema Thing from its response, its request body
// and a parameter, plus the components given (JSON members of
// components.schemas, after Thing's).
func sharedRefsSpec(n int, thing, more string) string {
	var paths []string
	for i := range n {
		paths = append(paths, fmt.Sprintf(`"/things%d/{id}": {
			"parameters": [{"name": "id", "in": "path", "required": true, "schema": {"$ref": "#/components/schemas/Id"}}],
			"post": {
				"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
				"responses": {"200": {"description": "ok",
					"headers": {"X-Id": {"schema": {"$ref": "#/components/schemas/Id"}}},
					"content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}}}}}
			}
		}`, i))
	}
	if more != "" {
		more = ", " + more
	}
	return `{"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
		"paths": {` + strings.Join(paths, ",") + `},
		"components": {"schemas": {
			"Id": {"type": "string"},
			"Thing": ` + thing + more + `
		}}}`
}

// validThing is a component that references others, directly and in a cycle.
const validThing = `{"type": "object", "required": ["id"], "properties": {
	"id": {"$ref": "#/components/schemas/Id"},
	"parent": {"$ref": "#/components/schemas/Thing"},
	"tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
	"kind": {"oneOf": [{"$ref": "#/components/schemas/Tag"}, {"$ref": "#/components/schemas/Id"}],
		"discriminator": {"propertyName": "k", "mapping": {"tag": "#/components/schemas/Tag"}}}
}}`

const validTag = `"Tag": {"type": "object", "properties": {"k": {"type": "string"}, "owner": {"$ref": "#/components/schemas/Thing"}}}`

// decodeDoc decodes and resolves a JSON spec as Load does.
func decodeDoc(t *testing.T, data string) *openapi3.T {
	t.Helper()
	loader := &openapi3.Loader{Context: context.Background(), IncludeOrigin: true}
	doc, _, _, err := loadDocument([]byte(data), loader, &url.URL{Path: "spec.json"})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// componentRefs returns, for every SchemaRef of doc that references a
// component schema (the entries of Components.Schemas aside), the
// component's schema.
func componentRefs(doc *openapi3.T) map[*openapi3.SchemaRef]*openapi3.Schema {
	s := &refSharer{
		components:    make(map[string]*openapi3.Schema),
		entries:       make(map[*openapi3.SchemaRef]bool),
		seenSchemas:   make(map[*openapi3.Schema]bool),
		seenCallbacks: make(map[*openapi3.Callback]bool),
	}
	for name, ref := range doc.Components.Schemas {
		s.entries[ref] = true
		s.components[name] = ref.Value
	}
	s.document(doc)
	refs := make(map[*openapi3.SchemaRef]*openapi3.Schema)
	for _, ref := range s.refs {
		refs[ref] = s.component(ref)
	}
	return refs
}

// checkRestored fails unless every reference to a component schema in doc
// points at the component's own schema (compared by pointer).
func checkRestored(t *testing.T, doc *openapi3.T, wantRefs int) {
	t.Helper()
	refs := componentRefs(doc)
	if len(refs) < wantRefs {
		t.Fatalf("found %d references to components, want at least %d", len(refs), wantRefs)
	}
	for ref, c := range refs {
		name := unescapePointerToken(strings.TrimPrefix(ref.Ref, componentSchemaPrefix))
		if c == nil || ref.Value != doc.Components.Schemas[name].Value {
			t.Fatalf("reference %s was not restored", ref.Ref)
		}
	}
}

func TestSharedRefsValidSpecLoadsAndIsRestored(t *testing.T) {
	data := sharedRefsSpec(50, validThing, validTag)
	doc := decodeDoc(t, data)

	// While shared, the references point at the placeholder.
	refs := componentRefs(doc)
	restore := shareRefs(doc)
	swapped := 0
	var placeholder *openapi3.Schema
	for ref := range refs {
		if ref.Value != doc.Components.Schemas[strings.TrimPrefix(ref.Ref, componentSchemaPrefix)].Value {
			swapped++
			if placeholder == nil {
				placeholder = ref.Value
			}
			if ref.Value != placeholder || !ref.Value.IsEmpty() {
				t.Fatalf("reference %s points at %p, not at the one empty placeholder", ref.Ref, ref.Value)
			}
		}
	}
	for _, ref := range doc.Components.Schemas {
		if ref.Value == placeholder {
			t.Fatal("a component entry was swapped")
		}
	}
	// 50 × (path parameter, response header, request body, response items),
	// and id, parent, tags' items, the two oneOf members and Tag's owner.
	if want := 50*4 + 6; swapped != want {
		t.Errorf("swapped %d references, want %d", swapped, want)
	}
	restore()
	checkRestored(t, doc, 50*4+6)

	if err := validateDocument(context.Background(), doc); err != nil {
		t.Fatal(err)
	}
	checkRestored(t, doc, 50*4+6)

	spec, err := Load(fstest.MapFS{"spec.json": {Data: []byte(data)}}, "spec.json", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(spec.Operations) != 50 {
		t.Errorf("%d operations, want 50", len(spec.Operations))
	}
	checkRestored(t, spec.Doc, 50*4+6)
}

// TestSharedRefsInvalidComponent: an invalid component referenced from many
// operations fails to load with the error kin gives without the shortcut.
func TestSharedRefsInvalidComponent(t *testing.T) {
	tests := map[string]struct{ thing, more string }{
		// kin reports it for the component and again for each use.
		"bad type": {`{"type": "object", "properties": {"id": {"$ref": "#/components/schemas/Id"}, "n": {"type": "integer", "format": "int32", "multipleOf": -1}}}`, ""},
		// A problem in a component reached only through another one.
		"deep": {`{"type": "object", "properties": {"tag": {"$ref": "#/components/schemas/Tag"}}}`,
			`"Tag": {"type": "array"}`},
		// A default checked against a referenced component: kin reads the
		// component through the reference, so it must not be shared.
		"default through a ref": {`{"type": "object", "properties": {"tag": {"$ref": "#/components/schemas/Tag"}}, "default": {"tag": {}}}`,
			`"Tag": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}`},
		"default on an inline schema": {`{"type": "object", "properties": {"tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}, "default": [1]}}}`,
			`"Tag": {"type": "object"}`},
		// A component whose name kin refuses is not validated as a component.
		"bad name": {`{"type": "object", "properties": {"tag": {"$ref": "#/components/schemas/B%C3%A4d"}}}`,
			`"Bäd": {"type": "array"}`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			data := sharedRefsSpec(20, tt.thing, tt.more)
			doc := decodeDoc(t, data)
			want := doc.Validate(context.Background(), validateOptions...)
			if want == nil {
				t.Fatal("kin accepts the spec; the test is wrong")
			}
			checkRestored(t, doc, 20*4)
			// The shortcut alone sees that the spec is invalid...
			if err := validateShared(context.Background(), doc, validateOptions...); err == nil {
				t.Fatal("the spec is valid with the references shared")
			}
			checkRestored(t, doc, 20*4)
			// ...and the error returned is kin's own.
			got := validateDocument(context.Background(), doc)
			if got == nil || got.Error() != want.Error() {
				t.Fatalf("error\n%v\nwant\n%v", got, want)
			}
			checkRestored(t, doc, 20*4)

			// Load serves the spec, each of kin's problems a finding.
			spec, err := Load(fstest.MapFS{"spec.json": {Data: []byte(data)}}, "spec.json", LoadOptions{})
			if err != nil {
				t.Fatalf("Load refused the spec: %v", err)
			}
			// (A default that breaks its schema is mended once, in the
			// component, where kin reports it at every use.)
			if len(spec.Findings) == 0 {
				t.Errorf("no findings, want kin's problems: %v", want)
			}
		})
	}
}

// TestSharedRefsPanicRestores: the references are restored when validation
// panics (here in a regular expression compiler given as an option).
func TestSharedRefsPanicRestores(t *testing.T) {
	doc := decodeDoc(t, sharedRefsSpec(3, validThing, validTag+`, "Code": {"type": "string", "pattern": "^a"}`))
	panicky := openapi3.SetRegexCompiler(func(string) (openapi3.RegexMatcher, error) { panic("compiler failed") })
	panicked := func() (panicked bool) {
		defer func() { panicked = recover() != nil }()
		_ = validateShared(context.Background(), doc, append(validateOptions, panicky)...)
		return false
	}()
	if !panicked {
		t.Fatal("validation did not panic")
	}
	checkRestored(t, doc, 3*4)
}

// TestSharedRefsLargeSpecs: on the large specs of the benchmarks (when
// DECOY_GITHUB_SPEC names one), the shortcut gives kin's result exactly.
func TestSharedRefsLargeSpecs(t *testing.T) {
	p := os.Getenv("DECOY_GITHUB_SPEC")
	if p == "" {
		t.Skip("DECOY_GITHUB_SPEC is not set")
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Skip(err)
	}
	loader := &openapi3.Loader{Context: context.Background(), IncludeOrigin: true}
	doc, _, _, err := loadDocument(data, loader, &url.URL{Path: filepath.Base(p)})
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprint(doc.Validate(context.Background(), validateOptions...))
	if got := fmt.Sprint(validateShared(context.Background(), doc, validateOptions...)); got != want {
		t.Fatalf("shortcut gives\n%.2000s\nkin gives\n%.2000s", got, want)
	}
	checkRestored(t, doc, 1)
}
