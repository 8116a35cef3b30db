package openapi

import (
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

// MaxGeneratedLength is the longest string, in characters, that Decoy
// generates for a schema (fixtures.MaxGeneratedText has the same value): a
// minLength above it is reported at load, and an answer that needs such a
// string gets an example or another documented response instead.
const MaxGeneratedLength = 1 << 20

// unsatisfiable lists, as cannot-generate findings, what makes s accept
// no value, or no value Decoy can build, where that is cheap to see from s
// alone (issue 15 item 8: such schemas were only found by a request that
// then got a 500): an enum none of whose values meets s's other keywords,
// a required property that additionalProperties: false forbids, bounds
// that cross, and a minLength larger than Decoy generates. Deeper
// contradictions (through allOf, oneOf, recursion) are found at request
// time and recorded then.
func unsatisfiable(ptr string, s *openapi3.Schema) []Finding {
	var findings []Finding
	note := func(field, format string, args ...any) {
		f := Finding{Where: where(s.Origin), Pointer: ptr + "/" + field, Class: ClassCannotGenerate,
			Message: fmt.Sprintf(format, args...) + "; Decoy answers with an example or another documented response where it needs a value here"}
		if s.Origin != nil {
			if at, ok := s.Origin.Fields.Lookup(field); ok && at.Line > 0 {
				f.Where = fmt.Sprintf("%s:%d:%d", at.File, at.Line, at.Column)
			}
		}
		findings = append(findings, f)
	}
	if len(s.Enum) > 0 && len(s.AllOf) == 0 && len(s.OneOf) == 0 && len(s.AnyOf) == 0 && s.Not == nil {
		rest := *s
		rest.Enum = nil
		ok := false
		for _, v := range s.Enum {
			if v == nil || rest.VisitJSON(v, openapi3.FailFast(), PatternOption(), openapi3.DisableReadOnlyValidation(), openapi3.DisableWriteOnlyValidation()) == nil {
				ok = true
				break
			}
		}
		if !ok {
			note("enum", "no enum value validates against the rest of the schema")
		}
	}
	if has := s.AdditionalProperties.Has; has != nil && !*has {
		for _, name := range s.Required {
			if _, declared := s.Properties[name]; !declared && len(s.AllOf) == 0 && len(s.PatternProperties) == 0 {
				note("required", "required property %q is not allowed by additionalProperties: false", name)
			}
		}
	}
	if s.MaxLength != nil && s.MinLength > *s.MaxLength {
		note("minLength", "minLength %d is greater than maxLength %d", s.MinLength, *s.MaxLength)
	}
	if s.MinLength > MaxGeneratedLength {
		note("minLength", "minLength %d is more than the %d characters Decoy generates for one value", s.MinLength, MaxGeneratedLength)
	}
	if s.Min != nil && s.Max != nil && *s.Min > *s.Max {
		note("minimum", "minimum %g is greater than maximum %g", *s.Min, *s.Max)
	}
	if s.MaxItems != nil && s.MinItems > *s.MaxItems {
		note("minItems", "minItems %d is greater than maxItems %d", s.MinItems, *s.MaxItems)
	}
	return findings
}
