package openapi

import (
	"bytes"
	"encoding/json"
	"slices"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// People read a JSON body in the order its schema lists the properties
// (id, name, then the rest), not alphabetically as encoding/json writes a
// map. MarshalOrdered writes objects in the order of their schema: the
// properties as the document writes them (allOf branches first, in order),
// then any other keys sorted. Everything else is written as encoding/json
// writes it, byte for byte.

// MarshalOrdered is json.Marshal(v) with the keys of every object in the
// order schema s (nil: none) writes its properties. It fails where
// json.Marshal fails.
func MarshalOrdered(v any, s *openapi3.Schema) ([]byte, error) {
	var buf bytes.Buffer
	if err := appendOrdered(&buf, v, s, 0); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// maxOrderDepth bounds how deep schemas are followed; deeper objects are
// written with sorted keys.
const maxOrderDepth = 64

func appendOrdered(buf *bytes.Buffer, v any, s *openapi3.Schema, depth int) error {
	switch x := v.(type) {
	case map[string]any:
		if depth > maxOrderDepth {
			s = nil
		}
		buf.WriteByte('{')
		for i, k := range keyOrder(x, s) {
			if i > 0 {
				buf.WriteByte(',')
			}
			key, err := json.Marshal(k)
			if err != nil {
				return err
			}
			buf.Write(key)
			buf.WriteByte(':')
			if err := appendOrdered(buf, x[k], propertySchema(s, k), depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	case []any:
		var items *openapi3.Schema
		if s != nil && s.Items != nil {
			items = s.Items.Value
		}
		buf.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := appendOrdered(buf, e, items, depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	buf.Write(b)
	return nil
}

// keyOrder lists the keys of m: those s names, in its order, then the
// others sorted.
func keyOrder(m map[string]any, s *openapi3.Schema) []string {
	keys := make([]string, 0, len(m))
	if s != nil {
		for _, name := range PropertyOrder(s) {
			if _, ok := m[name]; ok {
				keys = append(keys, name)
			}
		}
	}
	if len(keys) == len(m) {
		return keys
	}
	named := len(keys)
	for k := range m {
		if named == 0 || !slices.Contains(keys[:named], k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys[named:])
	return keys
}

// propertyOrders caches PropertyOrder per schema: documents are immutable
// once loaded.
var propertyOrders sync.Map // *openapi3.Schema → []string

// PropertyOrder lists the properties of s in the order the document
// writes them: those of its allOf branches first, in order, then its own,
// then those of its anyOf and oneOf branches. Properties whose place is
// unknown come last of their group, sorted.
func PropertyOrder(s *openapi3.Schema) []string {
	if v, ok := propertyOrders.Load(s); ok {
		return v.([]string)
	}
	var out []string
	seen := map[string]bool{}
	var add func(s *openapi3.Schema, depth int)
	add = func(s *openapi3.Schema, depth int) {
		if s == nil || depth > 16 {
			return
		}
		for _, b := range s.AllOf {
			if b != nil {
				add(b.Value, depth+1)
			}
		}
		own := make([]string, 0, len(s.Properties))
		for name := range s.Properties {
			if !seen[name] {
				own = append(own, name)
			}
		}
		slices.SortFunc(own, func(a, b string) int {
			la, lb := propertyLine(s.Properties[a]), propertyLine(s.Properties[b])
			switch {
			case la != lb && la != 0 && lb != 0:
				return la - lb
			case la != lb:
				return lb - la // a known place before an unknown one
			}
			if a < b {
				return -1
			}
			if a > b {
				return 1
			}
			return 0
		})
		for _, name := range own {
			seen[name] = true
			out = append(out, name)
		}
		for _, list := range [...]openapi3.SchemaRefs{s.AnyOf, s.OneOf} {
			for _, b := range list {
				if b != nil {
					add(b.Value, depth+1)
				}
			}
		}
	}
	add(s, 0)
	propertyOrders.Store(s, out)
	return out
}

// propertyLine is the line a property is written on, 0 when unknown. The
// line of the property's own key is on its reference (a $ref's target has
// the target's line).
func propertyLine(ref *openapi3.SchemaRef) int {
	if ref == nil {
		return 0
	}
	if ref.Origin != nil && ref.Origin.Key != nil && ref.Origin.Key.Line > 0 {
		return ref.Origin.Key.Line
	}
	if ref.Ref == "" && ref.Value != nil && ref.Value.Origin != nil && ref.Value.Origin.Key != nil {
		return ref.Value.Origin.Key.Line
	}
	return 0
}
