package openapi

import (
	"math"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// scalarCheck judges a primitive value (string, bool, int32, int64,
// float64: what parameters decode to) against a schema made only of the
// keywords it knows, without the library. Parameters are validated on every
// request, and the library's general machinery (a JSON Schema validator with
// big.Rat arithmetic for bounds) costs tens of times more than these few
// comparisons.
//
// It is conservative: it says valid only when the library would; a value it
// calls invalid goes to the library, which explains what is wrong. A schema
// with any keyword it does not know gets no scalarCheck at all.
type scalarCheck struct {
	str, boolean, integer, number bool
	enum                          []any
	hasMin, hasMax                bool
	min, max                      float64
	exclMin, exclMax              bool
	minLen                        uint64
	maxLen                        *uint64
	pattern                       openapi3.RegexMatcher
	int32                         bool
	// format is a string format to assert, looked up when a value comes
	// in formats, else the library's table, as the library looks it up.
	format  string
	formats map[string]openapi3.StringFormatValidator
	// matched remembers strings the pattern matched (a path key, a
	// status): the same few values come on request after request, and a
	// map lookup costs a fraction of a regexp match. At most maxMatched.
	matched  sync.Map
	nMatched atomic.Int32
}

// maxMatched bounds the strings a scalarCheck remembers.
const maxMatched = 1024

// newScalarCheck returns the check for s, or nil when s is not a plain
// primitive schema.
func newScalarCheck(s *openapi3.Schema) *scalarCheck {
	if s == nil || s.Type == nil || len(s.OneOf)+len(s.AnyOf)+len(s.AllOf) > 0 || s.Not != nil ||
		s.MultipleOf != nil || s.Const != nil || s.ReadOnly || s.WriteOnly || s.Always != nil ||
		s.Items != nil || len(s.Properties) > 0 || len(s.PrefixItems) > 0 || s.Contains != nil ||
		len(s.PatternProperties) > 0 || len(s.DependentSchemas) > 0 || s.PropertyNames != nil ||
		s.If != nil || s.Then != nil || s.Else != nil || len(s.DependentRequired) > 0 ||
		s.AdditionalProperties.Has != nil || s.AdditionalProperties.Schema != nil ||
		s.UnevaluatedItems.Schema != nil || s.UnevaluatedProperties.Schema != nil ||
		s.UnevaluatedItems.Has != nil || s.UnevaluatedProperties.Has != nil || s.Discriminator != nil ||
		s.DynamicRef != "" || s.SchemaID != "" || s.ContentSchema != nil {
		return nil
	}
	c := &scalarCheck{enum: s.Enum, minLen: s.MinLength, maxLen: s.MaxLength}
	for _, t := range s.Type.Slice() {
		switch t {
		case openapi3.TypeString:
			c.str = true
		case openapi3.TypeBoolean:
			c.boolean = true
		case openapi3.TypeInteger:
			c.integer = true
		case openapi3.TypeNumber:
			c.number = true
		case openapi3.TypeNull:
		default:
			return nil
		}
	}
	switch s.Format {
	case "":
	case "int32":
		c.int32 = true
	case "int64":
	default:
		if c.integer || c.number {
			return nil // number formats are the library's to judge
		}
		c.format = s.Format
	}
	if s.Min != nil {
		c.hasMin, c.min = true, *s.Min
	}
	if s.Max != nil {
		c.hasMax, c.max = true, *s.Max
	}
	if !c.bound(s.ExclusiveMin, &c.hasMin, &c.min, &c.exclMin, math.Max) ||
		!c.bound(s.ExclusiveMax, &c.hasMax, &c.max, &c.exclMax, math.Min) {
		return nil
	}
	if s.Pattern != "" {
		// The library is given the same compiler (PatternOption).
		re, err := schemaPattern(s.Pattern)
		if err != nil {
			return nil
		}
		c.pattern = re
	}
	return c
}

// bound folds an exclusive bound into the inclusive one: the 3.0 boolean
// makes the bound exclusive, the 3.1 number is a bound of its own, and the
// tighter of the two (pick) applies.
func (c *scalarCheck) bound(eb openapi3.ExclusiveBound, has *bool, at *float64, excl *bool, pick func(a, b float64) float64) bool {
	switch {
	case eb.Value != nil:
		v := *eb.Value
		if !*has || pick(*at, v) == v {
			*has, *at, *excl = true, v, true
		}
	case eb.Bool != nil && *eb.Bool:
		if !*has {
			return false // an exclusive flag without a bound: odd; leave it
		}
		*excl = true
	}
	return true
}

// valid reports whether v is certainly valid.
func (c *scalarCheck) valid(v any) bool {
	switch x := v.(type) {
	case string:
		if !c.str {
			return false
		}
		if c.minLen > 0 || c.maxLen != nil {
			n := uint64(utf8.RuneCountInString(x))
			if n < c.minLen || c.maxLen != nil && n > *c.maxLen {
				return false
			}
		}
		if c.pattern != nil && !c.matches(x) {
			return false
		}
		if c.format != "" && !c.formatValid(x) {
			return false
		}
		return c.inEnum(func(e any) bool { s, ok := e.(string); return ok && s == x })
	case bool:
		return c.boolean && c.inEnum(func(e any) bool { b, ok := e.(bool); return ok && b == x })
	case int64:
		return (c.integer || c.number) && c.number64(float64(x), x >= math.MinInt32 && x <= math.MaxInt32)
	case int32:
		return (c.integer || c.number) && c.number64(float64(x), true)
	case float64:
		return c.number && !c.int32 && c.number64(x, false)
	}
	return false
}

// formatValid reports whether s is in the string format, as the library's
// validators (with the table it was given) judge it: a format in neither
// table is an annotation.
func (c *scalarCheck) formatValid(s string) bool {
	f, ok := c.formats[c.format]
	if !ok {
		if f, ok = openapi3.SchemaStringFormats[c.format]; !ok {
			return true
		}
	}
	return f.Validate(s) == nil
}

// matches reports whether the pattern matches s, remembering the first
// maxMatched strings it matched.
func (c *scalarCheck) matches(s string) bool {
	if _, ok := c.matched.Load(s); ok {
		return true
	}
	if !c.pattern.MatchString(s) {
		return false
	}
	if len(s) <= 256 && c.nMatched.Load() < maxMatched {
		if _, loaded := c.matched.LoadOrStore(s, struct{}{}); !loaded {
			c.nMatched.Add(1)
		}
	}
	return true
}

func (c *scalarCheck) number64(f float64, fits32 bool) bool {
	if c.int32 && !fits32 || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1<<53 {
		return false
	}
	if c.hasMin && (f < c.min || c.exclMin && f == c.min) {
		return false
	}
	if c.hasMax && (f > c.max || c.exclMax && f == c.max) {
		return false
	}
	return c.inEnum(func(e any) bool { n, ok := enumNumber(e); return ok && n == f })
}

// inEnum reports whether there is no enum or match accepts one of its
// values.
func (c *scalarCheck) inEnum(match func(any) bool) bool {
	if c.enum == nil {
		return true
	}
	for _, e := range c.enum {
		if match(e) {
			return true
		}
	}
	return false
}

// enumNumber reads a number of an enum. Only float64, what JSON decodes
// to, is taken: how the library compares other kinds is its business.
func enumNumber(e any) (float64, bool) {
	n, ok := e.(float64)
	return n, ok
}
