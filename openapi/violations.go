package openapi

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// schemaProblem is one way a value breaks a schema: a leaf of the
// validator's error tree, with its place, its kind and its words.
//
// The words come from the error's structure, never from its text: a JSON
// Schema 2020-12 error (3.1 documents) is worded from its kind.ErrorKind
// (the bound and the value of a maximum, the properties a required misses),
// a 3.0 error from the library's SchemaError (its keyword and reason).
type schemaProblem struct {
	// pointer is where in the value, as unescaped tokens; empty for the
	// value as a whole.
	pointer []string
	// code is the kebab-case kind of Violation.Code: "maximum", "type"...
	code    string
	message string
}

// schemaErrors is a value a schema refuses, as the leaves of the
// validator's error tree. Its text is SchemaErrorMessage's.
type schemaErrors []schemaProblem

func (e schemaErrors) Error() string { return SchemaErrorMessage(e) }

// ptr is the problem's place as a JSON pointer, "" for the whole value.
func (p schemaProblem) ptr() string {
	if len(p.pointer) == 0 {
		return ""
	}
	return "/" + strings.Join(escapeAll(p.pointer), "/")
}

// problemsOf returns the leaves of a validation error: a JSON Schema
// library tree, the library's tree of SchemaErrors (MultiErrors and
// wrappers such as a $ref or allOf whose causes say what is wrong), or any
// other error as one problem about the whole value.
func problemsOf(err error) []schemaProblem {
	if err == nil {
		return nil
	}
	if ps, ok := err.(schemaErrors); ok {
		return ps
	}
	if ve, ok := err.(*jsonschema.ValidationError); ok {
		var out []schemaProblem
		jsonSchemaLeaves(ve, &out)
		return out
	}
	var ses []*openapi3.SchemaError
	collectSchemaErrors(err, &ses)
	if len(ses) == 0 {
		return []schemaProblem{{code: "invalid", message: err.Error()}}
	}
	out := make([]schemaProblem, 0, len(ses))
	for _, se := range ses {
		out = append(out, schemaErrorProblem(se))
	}
	return out
}

// jsonSchemaLeaves appends the leaves of a JSON Schema library error: the
// errors that say what is wrong, below the wrappers ($ref, allOf, the
// schema itself) that only say "something below failed". A oneOf or anyOf
// is a leaf: its branches' errors would each describe another schema.
func jsonSchemaLeaves(e *jsonschema.ValidationError, out *[]schemaProblem) {
	switch e.ErrorKind.(type) {
	case *kind.OneOf, *kind.AnyOf:
	default:
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				jsonSchemaLeaves(c, out)
			}
			return
		}
	}
	*out = append(*out, schemaProblem{pointer: e.InstanceLocation, code: kindCode(e.ErrorKind), message: kindMessage(e.ErrorKind)})
}

// schemaErrorProblem is one leaf of the library's tree. A leaf the library
// converted from a JSON Schema 2020-12 error (a 3.1 schema it compiled)
// still holds that error: it is worded from its kind.
func schemaErrorProblem(se *openapi3.SchemaError) schemaProblem {
	p := schemaProblem{pointer: se.JSONPointer()}
	var ve *jsonschema.ValidationError
	if se.Origin == nil && errors.As(se, &ve) {
		p.code, p.message = kindCode(ve.ErrorKind), kindMessage(ve.ErrorKind)
		return p
	}
	p.code = codeFromField(se.SchemaField, se.Reason)
	switch {
	case se.Reason != "":
		p.message = se.Reason
	case se.Origin != nil:
		p.message = se.Origin.Error()
	default:
		p.message = fmt.Sprintf("does not match the schema's %q", se.SchemaField)
	}
	// A wrapper the library converted (a oneOf of a 3.1 schema) starts
	// with the place, which a Violation names apart, and may go on with
	// the causes' dump on further lines.
	if rest, ok := strings.CutPrefix(p.message, `error at "`); ok {
		if _, after, found := strings.Cut(rest, `": `); found {
			p.message = after
		}
	}
	p.message, _, _ = strings.Cut(p.message, "\n")
	p.message = strings.ReplaceAll(p.message, "<nil>", "null")
	return p
}

// kindCode is Violation.Code for a JSON Schema error: its keyword.
func kindCode(k jsonschema.ErrorKind) string {
	path := k.KeywordPath()
	if len(path) == 0 {
		return "schema"
	}
	return codeFromField(path[len(path)-1], "")
}

// kindMessage words a JSON Schema error in the plain words the 3.0
// validator uses, so that both dialects read alike: "must be at most 100
// (got 500)" where the library says "maximum: got 500, want 100". Numbers
// are written as JSON writes them (1000, not the library's "1,000").
func kindMessage(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Maximum:
		return "must be at most " + ratText(k.Want) + " (got " + ratText(k.Got) + ")"
	case *kind.Minimum:
		return "must be at least " + ratText(k.Want) + " (got " + ratText(k.Got) + ")"
	case *kind.ExclusiveMaximum:
		return "must be less than " + ratText(k.Want) + " (got " + ratText(k.Got) + ")"
	case *kind.ExclusiveMinimum:
		return "must be greater than " + ratText(k.Want) + " (got " + ratText(k.Got) + ")"
	case *kind.MultipleOf:
		return "must be a multiple of " + ratText(k.Want) + " (got " + ratText(k.Got) + ")"
	case *kind.MaxLength:
		return fmt.Sprintf("must be at most %d characters long (got %d)", k.Want, k.Got)
	case *kind.MinLength:
		return fmt.Sprintf("must be at least %d characters long (got %d)", k.Want, k.Got)
	case *kind.MaxItems:
		return fmt.Sprintf("must have at most %d items (got %d)", k.Want, k.Got)
	case *kind.MinItems:
		return fmt.Sprintf("must have at least %d items (got %d)", k.Want, k.Got)
	case *kind.MaxProperties:
		return fmt.Sprintf("must have at most %d properties (got %d)", k.Want, k.Got)
	case *kind.MinProperties:
		return fmt.Sprintf("must have at least %d properties (got %d)", k.Want, k.Got)
	case *kind.Type:
		return "must be " + strings.Join(k.Want, " or ") + ", not " + k.Got
	case *kind.Required:
		if len(k.Missing) == 1 {
			return fmt.Sprintf("required property %q is missing", k.Missing[0])
		}
		return "required properties " + quoteList(k.Missing) + " are missing"
	case *kind.AdditionalProperties:
		return "properties " + quoteList(k.Properties) + " are not allowed"
	case *kind.Pattern:
		return quoteName(k.Got) + " does not match pattern " + quoteName(k.Want)
	case *kind.Enum:
		if want, ok := displayAll(k.Want); ok {
			if len(want) == 1 {
				return "value must be " + want[0]
			}
			return "value must be one of " + strings.Join(want, ", ")
		}
	case *kind.Const:
		if want, ok := displayAll([]any{k.Want}); ok {
			return "value must be " + want[0]
		}
	}
	return strings.ReplaceAll(k.LocalizedString(englishPrinter), "<nil>", "null")
}

// ratText writes a bound or value of a numeric error as JSON writes a
// number.
func ratText(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// displayAll writes primitive values as the JSON Schema library does:
// strings quoted ('a'), null, numbers and booleans as they are; ok is false
// when one is an array or object.
func displayAll(vs []any) (out []string, ok bool) {
	out = make([]string, len(vs))
	for i, v := range vs {
		switch v := v.(type) {
		case nil:
			out[i] = "null"
		case string:
			out[i] = quoteName(v)
		case []any, map[string]any:
			return nil, false
		default:
			out[i] = fmt.Sprintf("%v", v)
		}
	}
	return out, true
}

// quoteName quotes s as the JSON Schema library does: 'a'.
func quoteName(s string) string {
	q := strconv.Quote(s)
	q = strings.ReplaceAll(q, `\"`, `"`)
	q = strings.ReplaceAll(q, `'`, `\'`)
	return "'" + q[1:len(q)-1] + "'"
}

// quoteList quotes names as the JSON Schema library does: 'a', 'b'.
func quoteList(names []string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = quoteName(n)
	}
	return strings.Join(parts, ", ")
}

// parseReason words a parameter that could not be parsed: `value "maybe"
// is not a valid boolean`.
func parseReason(value any, reason string) string {
	reason = strings.TrimPrefix(reason, "an invalid ")
	reason = strings.TrimPrefix(reason, "a invalid ")
	if s, ok := value.(string); ok {
		return `value "` + s + `" is not a valid ` + reason
	}
	return "is not a valid " + reason
}
