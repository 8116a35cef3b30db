package openapi

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// englishPrinter renders the JSON Schema library's messages.
var englishPrinter = message.NewPrinter(language.English)

// A 3.1 schema that uses JSON Schema 2020-12 keywords kin-openapi cannot
// compile on its own ($refs into $defs, $anchor, $dynamicRef, a component
// that refers to itself beside unevaluatedProperties…) is compiled here
// where it stands, in the whole document: every reference then resolves as
// JSON Schema says, and no keyword is dropped. The library would fall back
// to its 3.0 visitor, which ignores those keywords and accepts what the
// schema refuses.

// docSchemas compiles schemas of one document by their place in it.
type docSchemas struct {
	doc  *openapi3.T
	once sync.Once
	// pointers maps each schema the document writes to its JSON pointer.
	pointers map[*openapi3.Schema]string
	compiler *jsonschema.Compiler
	mu       sync.Mutex // the compiler is not safe for concurrent use
	failed   bool
}

const docURL = "decoy:///openapi.json"

func (d *docSchemas) init(v *Validator) {
	d.pointers = map[*openapi3.Schema]string{}
	indexSchemas(d.doc, d.pointers)
	raw, err := json.Marshal(d.doc)
	if err != nil {
		d.failed = true
		return
	}
	var tree any
	if err := json.Unmarshal(raw, &tree); err != nil {
		d.failed = true
		return
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if m, ok := tree.(map[string]any); ok {
		v.registerFormats(c, m)
	}
	if err := c.AddResource(docURL, tree); err != nil {
		d.failed = true
		return
	}
	d.compiler = c
}

// compile compiles s in its document; nil when s is not written in the
// document (a schema of another file) or does not compile.
func (d *docSchemas) compile(v *Validator, s *openapi3.Schema) *jsonschema.Schema {
	d.once.Do(func() { d.init(v) })
	if d.failed {
		return nil
	}
	ptr, ok := d.pointers[s]
	if !ok {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	schema, err := d.compiler.Compile(docURL + "#" + ptr)
	if err != nil {
		return nil
	}
	return schema
}

// indexSchemas records the JSON pointer of every schema doc writes, in
// components and under paths; a schema reached only through a $ref is
// recorded where it is written.
func indexSchemas(doc *openapi3.T, out map[*openapi3.Schema]string) {
	var schema func(ptr string, ref *openapi3.SchemaRef, depth int)
	schema = func(ptr string, ref *openapi3.SchemaRef, depth int) {
		if ref == nil || ref.Value == nil || ref.Ref != "" || depth > 256 {
			return
		}
		s := ref.Value
		if _, seen := out[s]; seen {
			return
		}
		out[s] = ptr
		for name, sub := range s.Properties {
			schema(ptr+"/properties/"+escapePointer(name), sub, depth+1)
		}
		for name, sub := range s.PatternProperties {
			schema(ptr+"/patternProperties/"+escapePointer(name), sub, depth+1)
		}
		for name, sub := range s.DependentSchemas {
			schema(ptr+"/dependentSchemas/"+escapePointer(name), sub, depth+1)
		}
		for name, sub := range s.Defs {
			schema(ptr+"/$defs/"+escapePointer(name), sub, depth+1)
		}
		for key, list := range map[string]openapi3.SchemaRefs{"allOf": s.AllOf, "anyOf": s.AnyOf, "oneOf": s.OneOf, "prefixItems": s.PrefixItems} {
			for i, sub := range list {
				schema(fmt.Sprintf("%s/%s/%d", ptr, key, i), sub, depth+1)
			}
		}
		for key, sub := range map[string]*openapi3.SchemaRef{
			"items": s.Items, "not": s.Not, "contains": s.Contains, "if": s.If, "then": s.Then, "else": s.Else,
			"propertyNames": s.PropertyNames, "additionalProperties": s.AdditionalProperties.Schema,
			"unevaluatedProperties": s.UnevaluatedProperties.Schema, "unevaluatedItems": s.UnevaluatedItems.Schema,
			"contentSchema": s.ContentSchema,
		} {
			schema(ptr+"/"+key, sub, depth+1)
		}
	}
	content := func(ptr string, c openapi3.Content) {
		for mt, m := range c {
			if m != nil {
				schema(ptr+"/content/"+escapePointer(mt)+"/schema", m.Schema, 0)
			}
		}
	}
	param := func(ptr string, p *openapi3.ParameterRef) {
		if p != nil && p.Value != nil && p.Ref == "" {
			schema(ptr+"/schema", p.Value.Schema, 0)
			content(ptr, p.Value.Content)
		}
	}
	headers := func(ptr string, hs openapi3.Headers) {
		for name, h := range hs {
			if h != nil && h.Value != nil && h.Ref == "" {
				schema(ptr+"/headers/"+escapePointer(name)+"/schema", h.Value.Schema, 0)
			}
		}
	}
	response := func(ptr string, r *openapi3.ResponseRef) {
		if r != nil && r.Value != nil && r.Ref == "" {
			content(ptr, r.Value.Content)
			headers(ptr, r.Value.Headers)
		}
	}
	body := func(ptr string, b *openapi3.RequestBodyRef) {
		if b != nil && b.Value != nil && b.Ref == "" {
			content(ptr, b.Value.Content)
		}
	}
	if c := doc.Components; c != nil {
		for name, s := range c.Schemas {
			schema("/components/schemas/"+escapePointer(name), s, 0)
		}
		for name, p := range c.Parameters {
			param("/components/parameters/"+escapePointer(name), p)
		}
		for name, b := range c.RequestBodies {
			body("/components/requestBodies/"+escapePointer(name), b)
		}
		for name, r := range c.Responses {
			response("/components/responses/"+escapePointer(name), r)
		}
	}
	if doc.Paths == nil {
		return
	}
	for p, item := range doc.Paths.Map() {
		if item == nil || item.Ref != "" {
			continue
		}
		at := "/paths/" + escapePointer(p)
		for i, prm := range item.Parameters {
			param(fmt.Sprintf("%s/parameters/%d", at, i), prm)
		}
		for method, op := range item.Operations() {
			opAt := at + "/" + strings.ToLower(method)
			for i, prm := range op.Parameters {
				param(fmt.Sprintf("%s/parameters/%d", opAt, i), prm)
			}
			body(opAt+"/requestBody", op.RequestBody)
			if op.Responses != nil {
				for code, r := range op.Responses.Map() {
					response(opAt+"/responses/"+escapePointer(code), r)
				}
			}
		}
	}
}
