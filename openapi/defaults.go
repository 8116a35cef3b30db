package openapi

import (
	"github.com/getkin/kin-openapi/openapi3"
)

// maxDefaultsDepth bounds how deep ApplyDefaults follows a value and the
// allOf chains of its schema (a recursive schema would otherwise recurse
// for as long as its value does, and an allOf cycle for ever).
const maxDefaultsDepth = 64

// ApplyDefaults fills in, in place, the default the schema s gives each
// property missing from the value v: in every object of v, at any depth
// (through allOf, and into each element of an array whose items schema has
// properties), and within the defaults it fills in. A request (asRequest)
// gets no readOnly property's default, a response no writeOnly one: the
// other side owns those. A default is copied, never shared with the schema.
// It reports whether it changed v; v that is not an object or an array, or
// a nil s, is left as it is.
//
// A server applies a request's defaults before it judges `required`: a
// property the client left out that has a default is not missing, as
// kin-openapi's request filter also has it when it sets defaults.
func ApplyDefaults(s *openapi3.Schema, v any, asRequest bool) bool {
	return applyDefaults(s, v, asRequest, 0)
}

func applyDefaults(s *openapi3.Schema, v any, asRequest bool, depth int) bool {
	if s == nil || depth > maxDefaultsDepth {
		return false
	}
	changed := false
	for _, sub := range s.AllOf {
		if sub != nil && applyDefaults(sub.Value, v, asRequest, depth+1) {
			changed = true
		}
	}
	switch x := v.(type) {
	case map[string]any:
		for name, ref := range s.Properties {
			if ref == nil || ref.Value == nil {
				continue
			}
			p := ref.Value
			cur, ok := x[name]
			if !ok {
				if p.Default == nil || asRequest && p.ReadOnly || !asRequest && p.WriteOnly {
					continue
				}
				cur = copyJSON(p.Default)
				x[name], changed = cur, true
			}
			if applyDefaults(p, cur, asRequest, depth+1) {
				changed = true
			}
		}
	case []any:
		if s.Items != nil {
			for _, e := range x {
				if applyDefaults(s.Items.Value, e, asRequest, depth+1) {
					changed = true
				}
			}
		}
	}
	return changed
}

// copyJSON copies the objects and arrays of a decoded JSON value.
func copyJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = copyJSON(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = copyJSON(e)
		}
		return s
	}
	return v
}

// ApplyRequestDefaults fills in, in place, the defaults the request body
// schema of the media type contentType gives for what body leaves out (see
// ApplyDefaults). It reports whether it changed body; an operation without
// a JSON body schema for contentType changes nothing.
func (o *Operation) ApplyRequestDefaults(contentType string, body any) bool {
	if o == nil || o.Op == nil || o.Op.RequestBody == nil || o.Op.RequestBody.Value == nil || body == nil {
		return false
	}
	mt := MediaFor(o.Op.RequestBody.Value.Content, contentType)
	if mt == nil || mt.Schema == nil {
		return false
	}
	return ApplyDefaults(mt.Schema.Value, body, true)
}
