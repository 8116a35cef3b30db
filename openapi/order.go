package openapi

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"

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
			buf.Write(appendJSONString(buf.AvailableBuffer(), k))
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
	case string:
		// The leaves of decoded JSON, written as encoding/json writes
		// them without its reflection (an error body is mostly strings).
		buf.Write(appendJSONString(buf.AvailableBuffer(), x))
		return nil
	case float64:
		if !math.IsInf(x, 0) && !math.IsNaN(x) {
			buf.Write(appendJSONFloat(buf.AvailableBuffer(), x))
			return nil
		}
	case bool:
		buf.Write(strconv.AppendBool(buf.AvailableBuffer(), x))
		return nil
	case nil:
		buf.WriteString("null")
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	buf.Write(b)
	return nil
}

// appendJSONString appends s as json.Marshal writes a string: <, > and &
// escaped, invalid UTF-8 replaced, U+2028 and U+2029 escaped
// (TestOrderedLeavesAreEncodingJSON compares the two).
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendJSONFloat appends a finite f as json.Marshal writes a float64: as
// ECMAScript prints a number.
func appendJSONFloat(dst []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// e-09 becomes e-9
		n := len(dst)
		if n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
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
