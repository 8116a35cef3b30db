package openapi

import (
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// eachSchema calls visit once for every schema doc holds, with the JSON
// pointer of the first place it is reached from: components first (so a
// shared schema is named where it is defined), then paths and webhooks,
// each in key order, so that findings come in a stable order. Schemas
// under parameters, headers, bodies, responses, callbacks and every
// sub-schema keyword are reached.
func eachSchema(doc *openapi3.T, visit func(ptr string, s *openapi3.Schema)) {
	if doc == nil {
		return
	}
	w := &schemaWalker{seen: map[*openapi3.Schema]bool{}, seenCallbacks: map[*openapi3.Callback]bool{}, visit: visit}
	if c := doc.Components; c != nil {
		for _, name := range keysOf(c.Schemas) {
			w.schemaRef("/components/schemas/"+escapePointer(name), c.Schemas[name])
		}
		for _, name := range keysOf(c.Parameters) {
			w.parameter("/components/parameters/"+escapePointer(name), c.Parameters[name])
		}
		for _, name := range keysOf(c.Headers) {
			w.header("/components/headers/"+escapePointer(name), c.Headers[name])
		}
		for _, name := range keysOf(c.RequestBodies) {
			if rb := c.RequestBodies[name]; rb != nil && rb.Value != nil {
				w.content("/components/requestBodies/"+escapePointer(name)+"/content", rb.Value.Content)
			}
		}
		for _, name := range keysOf(c.Responses) {
			w.response("/components/responses/"+escapePointer(name), c.Responses[name])
		}
		for _, name := range keysOf(c.Callbacks) {
			if cb := c.Callbacks[name]; cb != nil {
				w.callback("/components/callbacks/"+escapePointer(name), cb.Value)
			}
		}
	}
	if doc.Paths != nil {
		paths := doc.Paths.Map()
		for _, p := range keysOf(paths) {
			w.pathItem("/paths/"+escapePointer(p), paths[p])
		}
	}
	for _, name := range keysOf(doc.Webhooks) {
		w.pathItem("/webhooks/"+escapePointer(name), doc.Webhooks[name])
	}
}

// schemaWalker visits every schema of a document once.
type schemaWalker struct {
	seen          map[*openapi3.Schema]bool
	seenCallbacks map[*openapi3.Callback]bool
	visit         func(ptr string, s *openapi3.Schema)
}

// keysOf returns m's keys in order, so that findings come in a stable order.
func keysOf[M ~map[string]V, V any](m M) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (w *schemaWalker) pathItem(ptr string, item *openapi3.PathItem) {
	if item == nil {
		return
	}
	for i, p := range item.Parameters {
		w.parameter(fmt.Sprintf("%s/parameters/%d", ptr, i), p)
	}
	ops := item.Operations()
	for _, m := range keysOf(ops) {
		op := ops[m]
		opPtr := ptr + "/" + strings.ToLower(m)
		for i, p := range op.Parameters {
			w.parameter(fmt.Sprintf("%s/parameters/%d", opPtr, i), p)
		}
		if rb := op.RequestBody; rb != nil && rb.Value != nil {
			w.content(opPtr+"/requestBody/content", rb.Value.Content)
		}
		if op.Responses != nil {
			resps := op.Responses.Map()
			for _, code := range keysOf(resps) {
				w.response(opPtr+"/responses/"+escapePointer(code), resps[code])
			}
		}
		for _, name := range keysOf(op.Callbacks) {
			if cb := op.Callbacks[name]; cb != nil {
				w.callback(opPtr+"/callbacks/"+escapePointer(name), cb.Value)
			}
		}
	}
}

func (w *schemaWalker) callback(ptr string, cb *openapi3.Callback) {
	if cb == nil || w.seenCallbacks[cb] {
		return
	}
	w.seenCallbacks[cb] = true
	items := cb.Map()
	for _, expr := range keysOf(items) {
		w.pathItem(ptr+"/"+escapePointer(expr), items[expr])
	}
}

func (w *schemaWalker) parameter(ptr string, p *openapi3.ParameterRef) {
	if p == nil || p.Value == nil {
		return
	}
	w.schemaRef(ptr+"/schema", p.Value.Schema)
	w.content(ptr+"/content", p.Value.Content)
}

func (w *schemaWalker) header(ptr string, h *openapi3.HeaderRef) {
	if h == nil || h.Value == nil {
		return
	}
	w.schemaRef(ptr+"/schema", h.Value.Schema)
	w.content(ptr+"/content", h.Value.Content)
}

func (w *schemaWalker) response(ptr string, r *openapi3.ResponseRef) {
	if r == nil || r.Value == nil {
		return
	}
	for _, name := range keysOf(r.Value.Headers) {
		w.header(ptr+"/headers/"+escapePointer(name), r.Value.Headers[name])
	}
	w.content(ptr+"/content", r.Value.Content)
}

func (w *schemaWalker) content(ptr string, c openapi3.Content) {
	for _, mt := range keysOf(c) {
		m := c[mt]
		if m == nil {
			continue
		}
		mp := ptr + "/" + escapePointer(mt)
		w.schemaRef(mp+"/schema", m.Schema)
		w.schemaRef(mp+"/itemSchema", m.ItemSchema)
		for _, name := range keysOf(m.Encoding) {
			if enc := m.Encoding[name]; enc != nil {
				for _, h := range keysOf(enc.Headers) {
					w.header(mp+"/encoding/"+escapePointer(name)+"/headers/"+escapePointer(h), enc.Headers[h])
				}
			}
		}
	}
}

func (w *schemaWalker) schemaRef(ptr string, ref *openapi3.SchemaRef) {
	if ref == nil || ref.Value == nil || w.seen[ref.Value] {
		return
	}
	s := ref.Value
	w.seen[s] = true
	w.visit(ptr, s)
	for _, kw := range [...]struct {
		name string
		refs openapi3.SchemaRefs
	}{{"oneOf", s.OneOf}, {"anyOf", s.AnyOf}, {"allOf", s.AllOf}, {"prefixItems", s.PrefixItems}} {
		for i, r := range kw.refs {
			w.schemaRef(fmt.Sprintf("%s/%s/%d", ptr, kw.name, i), r)
		}
	}
	for _, kw := range [...]struct {
		name string
		ref  *openapi3.SchemaRef
	}{
		{"not", s.Not}, {"items", s.Items}, {"additionalProperties", s.AdditionalProperties.Schema},
		{"contains", s.Contains}, {"propertyNames", s.PropertyNames},
		{"unevaluatedItems", s.UnevaluatedItems.Schema}, {"unevaluatedProperties", s.UnevaluatedProperties.Schema},
		{"if", s.If}, {"then", s.Then}, {"else", s.Else}, {"contentSchema", s.ContentSchema},
	} {
		w.schemaRef(ptr+"/"+kw.name, kw.ref)
	}
	for _, kw := range [...]struct {
		name string
		refs openapi3.Schemas
	}{{"properties", s.Properties}, {"patternProperties", s.PatternProperties}, {"dependentSchemas", s.DependentSchemas}, {"$defs", s.Defs}} {
		for _, name := range keysOf(kw.refs) {
			w.schemaRef(ptr+"/"+kw.name+"/"+escapePointer(name), kw.refs[name])
		}
	}
}
