package openapi

import (
	"encoding/json"
	"slices"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3"
)

// quickCheck judges a value against a schema without the library, for the
// shapes real request bodies and parameters mostly have: primitives
// (scalarCheck), and objects and arrays of them with properties, required,
// additionalProperties, items and size bounds. Like scalarCheck it only
// ever says "certainly valid": false means "ask the library", which also
// words what is wrong. A nil *quickCheck says false to everything.
//
// The library runs a general JSON Schema validator (3.1) or its 3.0
// visitor, both of which allocate and walk far more than a request body of
// a few fields needs.
type quickCheck struct {
	// any accepts every value but null: the schema constrains nothing.
	any bool
	// null accepts null (a 3.1 schema whose types include "null").
	null   bool
	scalar *scalarCheck
	object *objectCheck
	array  *arrayCheck
}

type objectCheck struct {
	props map[string]*quickCheck // nil check: ask the library
	// required names the properties that must be present.
	required []string
	// closed refuses properties not in props; else extra, when set,
	// judges them (nil extra with extraChecked: ask the library).
	closed       bool
	extra        *quickCheck
	extraChecked bool
	minProps     int
	maxProps     int // -1: no bound
}

type arrayCheck struct {
	items    *quickCheck // nil with itemsChecked: ask the library
	itemsAny bool
	minItems int
	maxItems int // -1: no bound
}

// newQuickCheck returns the check of s in a document of the given dialect,
// or nil when s uses a keyword it does not know. Checks of a schema graph
// are built once per schema, cycles included.
func newQuickCheck(s *openapi3.Schema, op31 bool) *quickCheck {
	return newQuickCheckFormats(s, op31, nil)
}

// newQuickCheckFormats is newQuickCheck for a Validator whose string
// formats are formats (ValidatorOptions.StringFormats).
func newQuickCheckFormats(s *openapi3.Schema, op31 bool, formats map[string]openapi3.StringFormatValidator) *quickCheck {
	return (&quickBuilder{op31: op31, formats: formats, built: map[*openapi3.Schema]*quickCheck{}}).build(s)
}

type quickBuilder struct {
	op31    bool
	formats map[string]openapi3.StringFormatValidator
	built   map[*openapi3.Schema]*quickCheck
}

// maxQuickSchemas bounds the schemas one check is built of: a body schema
// reaching hundreds of others is the library's to judge.
const maxQuickSchemas = 256

func (b *quickBuilder) build(s *openapi3.Schema) *quickCheck {
	if s == nil {
		return nil
	}
	if q, ok := b.built[s]; ok {
		return q // nil while a failed build is recorded, or the shared check of a cycle
	}
	if len(b.built) >= maxQuickSchemas || !quickKnows(s) {
		b.built[s] = nil
		return nil
	}
	q := &quickCheck{}
	b.built[s] = q
	if s.Type == nil || len(s.Type.Slice()) == 0 {
		if quickConstrains(s) {
			b.built[s] = nil
			return nil
		}
		q.any = true
		return q
	}
	types := s.Type.Slice()
	var object, array, scalar bool
	for _, t := range types {
		switch t {
		case openapi3.TypeObject:
			object = true
		case openapi3.TypeArray:
			array = true
		case openapi3.TypeNull:
			if !b.op31 {
				b.built[s] = nil
				return nil // "null" is no 3.0 type: the library's business
			}
			q.null = len(s.Enum) == 0 || slices.ContainsFunc(s.Enum, func(e any) bool { return e == nil })
		default:
			scalar = true
		}
	}
	switch {
	case object && !array && !scalar:
		if !quickObjectOnly(s) {
			b.built[s] = nil
			return nil
		}
		q.object = b.objectCheck(s)
	case array && !object && !scalar:
		if !quickArrayOnly(s) {
			b.built[s] = nil
			return nil
		}
		q.array = b.arrayCheck(s)
	case scalar && !object && !array:
		if q.scalar = newScalarCheck(s); q.scalar == nil {
			b.built[s] = nil
			return nil
		}
		q.scalar.formats = b.formats
	default:
		b.built[s] = nil
		return nil
	}
	return q
}

func (b *quickBuilder) objectCheck(s *openapi3.Schema) *objectCheck {
	o := &objectCheck{required: s.Required, minProps: int(min(s.MinProps, 1<<30)), maxProps: -1}
	if s.MaxProps != nil {
		o.maxProps = int(min(*s.MaxProps, 1<<30))
	}
	if len(s.Properties) > 0 {
		o.props = make(map[string]*quickCheck, len(s.Properties))
		for name, ref := range s.Properties {
			if ref == nil {
				o.props[name] = nil
				continue
			}
			o.props[name] = b.build(ref.Value)
		}
	}
	switch ap := s.AdditionalProperties; {
	case ap.Has != nil && !*ap.Has:
		o.closed = true
	case ap.Schema != nil:
		o.extraChecked = true
		o.extra = b.build(ap.Schema.Value)
	}
	return o
}

func (b *quickBuilder) arrayCheck(s *openapi3.Schema) *arrayCheck {
	a := &arrayCheck{minItems: int(min(s.MinItems, 1<<30)), maxItems: -1}
	if s.MaxItems != nil {
		a.maxItems = int(min(*s.MaxItems, 1<<30))
	}
	if s.Items == nil {
		a.itemsAny = true
	} else {
		a.items = b.build(s.Items.Value)
	}
	return a
}

// quickKnows reports whether s uses only keywords a quickCheck reads (or
// that only annotate). Direction-dependent ones (readOnly, writeOnly) and
// everything that combines or references schemas are the library's.
func quickKnows(s *openapi3.Schema) bool {
	return len(s.OneOf)+len(s.AnyOf)+len(s.AllOf) == 0 && s.Not == nil && s.Always == nil &&
		s.MultipleOf == nil && s.Const == nil && !s.ReadOnly && !s.WriteOnly && !s.UniqueItems &&
		s.Discriminator == nil && len(s.PrefixItems) == 0 && s.Contains == nil &&
		s.MinContains == nil && s.MaxContains == nil && len(s.PatternProperties) == 0 &&
		len(s.DependentSchemas) == 0 && s.PropertyNames == nil && s.If == nil && s.Then == nil &&
		s.Else == nil && len(s.DependentRequired) == 0 &&
		s.UnevaluatedItems.Schema == nil && s.UnevaluatedProperties.Schema == nil &&
		s.UnevaluatedItems.Has == nil && s.UnevaluatedProperties.Has == nil &&
		s.SchemaDialect == "" && s.SchemaID == "" && s.Anchor == "" && s.DynamicRef == "" &&
		s.DynamicAnchor == "" && s.ContentMediaType == "" && s.ContentEncoding == "" &&
		s.ContentSchema == nil && len(s.Defs) == 0
}

// quickConstrains reports whether a schema without a type still
// constrains values (then it is the library's).
func quickConstrains(s *openapi3.Schema) bool {
	return s.Nullable || scalarKeywords(s) || objectKeywords(s) || arrayKeywords(s)
}

// quickObjectOnly reports whether an object schema has no keyword of
// another type (which the library might still read).
func quickObjectOnly(s *openapi3.Schema) bool { return !scalarKeywords(s) && !arrayKeywords(s) }

// quickArrayOnly is quickObjectOnly for arrays.
func quickArrayOnly(s *openapi3.Schema) bool { return !scalarKeywords(s) && !objectKeywords(s) }

// scalarKeywords reports whether s has a keyword about strings, numbers
// or enumerated values.
func scalarKeywords(s *openapi3.Schema) bool {
	return s.Format != "" || len(s.Enum) > 0 || s.ExclusiveMin.IsSet() || s.ExclusiveMax.IsSet() ||
		s.AllowEmptyValue || s.Min != nil || s.Max != nil || s.MinLength != 0 || s.MaxLength != nil || s.Pattern != ""
}

// objectKeywords reports whether s has a keyword about objects.
func objectKeywords(s *openapi3.Schema) bool {
	return len(s.Required) > 0 || len(s.Properties) > 0 || s.MinProps != 0 || s.MaxProps != nil ||
		s.AdditionalProperties.Has != nil || s.AdditionalProperties.Schema != nil
}

// arrayKeywords reports whether s has a keyword about arrays.
func arrayKeywords(s *openapi3.Schema) bool {
	return s.MinItems != 0 || s.MaxItems != nil || s.Items != nil
}

// valid reports whether v is certainly valid.
func (q *quickCheck) valid(v any) bool {
	if q == nil {
		return false
	}
	switch x := v.(type) {
	case nil:
		return q.null
	case map[string]any:
		return q.any || q.object != nil && q.object.valid(x)
	case []any:
		return q.any || q.array != nil && q.array.valid(x)
	case json.Number:
		if q.any {
			return true
		}
		// As the library reads it: an integer, else a float.
		if n, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return q.scalar != nil && q.scalar.valid(n)
		}
		f, err := strconv.ParseFloat(string(x), 64)
		return err == nil && q.scalar != nil && q.scalar.valid(f)
	}
	return q.any || q.scalar != nil && q.scalar.valid(v)
}

func (o *objectCheck) valid(m map[string]any) bool {
	if len(m) < o.minProps || o.maxProps >= 0 && len(m) > o.maxProps {
		return false
	}
	for k, v := range m {
		if c, ok := o.props[k]; ok {
			if !c.valid(v) {
				return false
			}
			continue
		}
		switch {
		case o.closed:
			return false
		case o.extraChecked && !o.extra.valid(v):
			return false
		}
	}
	for _, k := range o.required {
		if _, ok := m[k]; !ok {
			return false
		}
	}
	return true
}

func (a *arrayCheck) valid(s []any) bool {
	if len(s) < a.minItems || a.maxItems >= 0 && len(s) > a.maxItems {
		return false
	}
	if a.itemsAny {
		return true
	}
	for _, e := range s {
		if !a.items.valid(e) {
			return false
		}
	}
	return true
}
