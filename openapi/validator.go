package openapi

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Direction says which way a value travels, which decides (under the
// OpenAPI 3.0 rules) whether readOnly and writeOnly properties may appear.
type Direction int

const (
	// DirNone checks neither readOnly nor writeOnly, as for parameters.
	DirNone Direction = iota
	// DirRequest is a value a client sends: readOnly properties are refused.
	DirRequest
	// DirResponse is a value a server sends: writeOnly properties are refused.
	DirResponse
)

// String returns "request", "response" or "none".
func (d Direction) String() string {
	switch d {
	case DirRequest:
		return "request"
	case DirResponse:
		return "response"
	}
	return "none"
}

// ValidatorOptions say how a Validator judges values. The zero value checks
// OpenAPI 3.0 schemas in no direction with the library's formats.
type ValidatorOptions struct {
	// OpenAPI31 says the schemas follow JSON Schema 2020-12 (a 3.1 document).
	OpenAPI31 bool
	// Direction is the way the values travel.
	Direction Direction
	// StringFormats override the library's string formats of the same name
	// (openapi3.WithStringFormatValidators); nil means none.
	StringFormats map[string]openapi3.StringFormatValidator
	// Document is the 3.1 document the schemas belong to: a schema whose
	// JSON Schema 2020-12 keywords the library cannot compile alone is
	// compiled in it (doccompile.go). nil compiles schemas alone.
	Document *openapi3.T
}

// Validator is the one validator of a spec's values: parameters, request
// bodies, responses, fixtures and generated data are all judged by a
// Validator of their Spec (Spec.Validator, Spec.GeneratedValidator). It
// says what Schema.VisitJSON says with the options it was made with, and
// compiles each schema once for the life of the Spec.
//
// The library compiles a fresh JSON Schema 2020-12 validator on every
// VisitJSON call of a 3.1 schema, which costs far more than the validation
// itself. Validator compiles each schema once, the way the library does
// (the same JSON document, draft, formats and $ref handling), and keeps it;
// a value it refuses is explained from that compiled schema's error tree
// (problems), so an invalid value costs no compile either. Schemas the
// library judges with its OpenAPI 3.0 visitor (every 3.0 schema, and 3.1
// schemas it cannot compile) are visited by that visitor directly. In
// front of both sits a quick check (quickcheck.go) that can only say
// "valid", for the shapes most values have.
//
// A Validator is safe for concurrent use. It holds on to every schema it has
// seen, so it belongs to one loaded document.
type Validator struct {
	op31    bool
	formats map[string]openapi3.StringFormatValidator
	// opts are the library's options, errors included.
	opts []openapi3.SchemaValidationOption
	// quick are the options of the 3.0 visitor when only validity matters.
	quick []openapi3.SchemaValidationOption
	cache sync.Map // *openapi3.Schema → *compileOnce
	// compiles counts the schemas compiled, for the tests.
	compiles atomic.Int64
	// docs compiles schemas in their 3.1 document; nil for 3.0.
	docs *docSchemas
}

// Validator returns the Validator of the document's values that travel in
// direction d: DirNone for parameters, DirRequest for request bodies,
// DirResponse for responses. It compiles each schema once for the life of
// the Spec.
func (s *Spec) Validator(d Direction) *Validator {
	s.validatorsOnce.Do(func() {
		formats := requestStringFormats()
		for i := range s.validators {
			o := ValidatorOptions{OpenAPI31: s.Version == "3.1", Direction: Direction(i), Document: s.Doc}
			if Direction(i) != DirResponse {
				// Formats are asserted on what clients send; what Decoy
				// sends (fixtures, examples, generated data) is judged
				// as before.
				o.StringFormats = formats
			}
			s.validators[i] = NewValidator(o)
		}
	})
	return s.validators[d]
}

// GeneratedValidator returns the Validator that judges values Decoy
// generates for the document (fixtures.Generate) travelling in direction d
// (DirRequest or DirResponse; DirNone is DirResponse): strict asserts the
// stricter string formats (StrictStringFormat), else the library's. It is
// Schema.VisitJSON with those options and the document's dialect, with each
// schema compiled once for the life of the Spec instead of on every call.
func (s *Spec) GeneratedValidator(d Direction, strict bool) *Validator {
	s.generatedOnce.Do(func() {
		for i, dir := range []Direction{DirRequest, DirResponse} {
			o := ValidatorOptions{OpenAPI31: s.Version == "3.1", Direction: dir}
			s.generated[i][0] = NewValidator(o)
			o.StringFormats = strictStringFormats
			s.generated[i][1] = NewValidator(o)
		}
	})
	i, j := 1, 0
	if d == DirRequest {
		i = 0
	}
	if strict {
		j = 1
	}
	return s.generated[i][j]
}

// compileOnce compiles one schema once, however many requests need it at
// the same moment: the first requests after a start or a reload arrive
// together, and each would otherwise compile its own copy.
type compileOnce struct {
	once sync.Once
	c    *compiledSchema
}

// NewValidator returns an empty Validator; schemas are compiled on first use.
func NewValidator(o ValidatorOptions) *Validator {
	v := &Validator{op31: o.OpenAPI31, formats: o.StringFormats}
	if o.OpenAPI31 && o.Document != nil {
		v.docs = &docSchemas{doc: o.Document}
	}
	dir := []openapi3.SchemaValidationOption{PatternOption()}
	switch o.Direction {
	case DirRequest:
		dir = append(dir, openapi3.VisitAsRequest())
	case DirResponse:
		dir = append(dir, openapi3.VisitAsResponse())
	}
	if o.StringFormats != nil {
		dir = append(dir, openapi3.WithStringFormatValidators(o.StringFormats))
	}
	v.quick = append([]openapi3.SchemaValidationOption{openapi3.FailFast()}, dir...)
	v.opts = append([]openapi3.SchemaValidationOption{openapi3.MultiErrors()}, dir...)
	if o.OpenAPI31 {
		v.opts = append(v.opts, openapi3.EnableJSONSchema2020())
	}
	return v
}

// Options returns the options Schema.VisitJSON takes to judge values as v
// does, with every error reported.
func (v *Validator) Options() []openapi3.SchemaValidationOption {
	return v.opts[:len(v.opts):len(v.opts)]
}

// Valid reports whether value matches s. A nil schema accepts everything.
func (v *Validator) Valid(s *openapi3.Schema, value any) (ok bool) {
	if s == nil {
		return true
	}
	defer func() {
		// The library may panic on odd values; the error path will tell.
		if recover() != nil {
			ok = false
		}
	}()
	c := v.compiled(s)
	if c.quick.valid(value) {
		return true
	}
	switch c.mode {
	case modeCompiled, modeDocument:
		return c.schema.Validate(value) == nil
	case modeVisitor:
		return s.VisitJSON(value, v.quick...) == nil
	}
	return s.VisitJSON(value, v.opts...) == nil
}

// Validate returns nil when value matches s, else an error listing every
// way it does not (SchemaErrorMessage words it): for a schema compiled
// once, the JSON Schema library's error tree; else the error
// Schema.VisitJSON returns with MultiErrors and v's options. A nil schema
// accepts everything.
func (v *Validator) Validate(s *openapi3.Schema, value any) error {
	if v.Valid(s, value) {
		return nil
	}
	c := v.compiled(s)
	if c.mode == modeCompiled || c.mode == modeDocument {
		if ps := v.problems(s, value); len(ps) > 0 {
			return schemaErrors(ps)
		}
		return nil
	}
	return s.VisitJSON(value, v.opts...)
}

// problems returns nil when value matches s, else the leaves of the
// validator's error tree. A schema compiled once (every 3.1 schema the
// library would compile, and those compiled in their document) answers
// from its compiled form: an invalid value costs no compile. The others are
// judged by the library's 3.0 visitor, as the library judges them.
func (v *Validator) problems(s *openapi3.Schema, value any) (out []schemaProblem) {
	if s == nil {
		return nil
	}
	defer func() {
		// The library may panic on odd values.
		if r := recover(); r != nil {
			out = []schemaProblem{{code: "invalid", message: fmt.Sprintf("the value could not be validated: %v", r)}}
		}
	}()
	c := v.compiled(s)
	if c.quick.valid(value) {
		return nil
	}
	switch c.mode {
	case modeCompiled, modeDocument:
		err := c.schema.Validate(value)
		if err == nil {
			return nil
		}
		return problemsOf(err)
	case modeVisitor:
		if s.VisitJSON(value, v.quick...) == nil {
			return nil
		}
	}
	return problemsOf(s.VisitJSON(value, v.opts...))
}

type validationMode int

const (
	// modeLibrary leaves every call to Schema.VisitJSON, as is.
	modeLibrary validationMode = iota
	// modeCompiled uses the JSON Schema 2020-12 validator compiled once.
	modeCompiled
	// modeVisitor uses the library's OpenAPI 3.0 visitor, which it would
	// use too, without the compile it would do first.
	modeVisitor
	// modeDocument uses the JSON Schema 2020-12 validator compiled in the
	// whole document, for a schema the library cannot compile alone; its
	// errors are the JSON Schema library's (problems).
	modeDocument
)

type compiledSchema struct {
	mode   validationMode
	schema *jsonschema.Schema
	// quick, when set, judges values first, without the library.
	quick *quickCheck
}

func (v *Validator) compiled(s *openapi3.Schema) *compiledSchema {
	e, ok := v.cache.Load(s)
	if !ok {
		e, _ = v.cache.LoadOrStore(s, new(compileOnce))
	}
	co := e.(*compileOnce)
	co.once.Do(func() {
		v.compiles.Add(1)
		co.c = v.compile(s)
		if co.c.mode != modeCompiled && v.docs != nil && anySchema(s, needsDocument) {
			if schema := v.docs.compile(v, s); schema != nil {
				co.c = &compiledSchema{mode: modeDocument, schema: schema}
			}
		}
		co.c.quick = newQuickCheckFormats(s, v.op31, v.formats)
	})
	return co.c
}

// compile decides how s is judged, following the library's
// Schema.useJSONSchema2020 step by step.
func (v *Validator) compile(s *openapi3.Schema) *compiledSchema {
	if !v.op31 {
		return &compiledSchema{mode: modeVisitor}
	}
	// The library's fallback visitor runs with the 2020-12 switch on, which
	// changes one thing: `nullable` is ignored. Without the switch (the
	// quick options) the visitor is the same only if no schema says it.
	fallback := modeVisitor
	if anySchema(s, func(x *openapi3.Schema) bool { return x.Nullable }) {
		fallback = modeLibrary
	}
	uses2020 := anySchema(s, uses2020Keyword)
	raw, err := json.Marshal(s)
	if err != nil {
		return &compiledSchema{mode: modeLibrary}
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return &compiledSchema{mode: modeLibrary}
	}
	hasRefs := containsInternalSchemaRef(doc)
	if hasRefs && !uses2020 {
		return &compiledSchema{mode: fallback}
	}
	m, _ := doc.(map[string]any)
	if hasRefs && !addInternalSchemaRefs(m, s) {
		return &compiledSchema{mode: modeLibrary}
	}
	// The library compiles with jsonschema's default regexp engine (Go's
	// regexp on the pattern as written) and, where that fails (an
	// ECMAScript-only pattern), falls back to its visitor, which matches
	// with PatternOption. So this compile keeps that engine: one that
	// compiled more patterns would judge values on a path the library
	// does not take.
	compiler := jsonschema.NewCompiler()
	compiler.DefaultDraft(jsonschema.Draft2020)
	v.registerFormats(compiler, m)
	const url = "https://example.com/schema.json"
	if err := compiler.AddResource(url, doc); err != nil {
		return v.compileFailed(uses2020, fallback)
	}
	schema, err := compiler.Compile(url)
	if err != nil {
		return v.compileFailed(uses2020, fallback)
	}
	return &compiledSchema{mode: modeCompiled, schema: schema}
}

// compileFailed is what the library does when the schema does not compile:
// the 3.0 visitor, unless 2020-12 keywords are used, where it may also fail.
func (v *Validator) compileFailed(uses2020 bool, fallback validationMode) *compiledSchema {
	if uses2020 {
		return &compiledSchema{mode: modeLibrary}
	}
	return &compiledSchema{mode: fallback}
}

// anySchema reports whether pred holds for s or a schema reachable from it.
func anySchema(s *openapi3.Schema, pred func(*openapi3.Schema) bool) bool {
	errFound := errStopWalk
	err := openapi3.NewSchemaRef("", s).WalkSubtree(func(_ string, ref *openapi3.SchemaRef) error {
		if pred(ref.Value) {
			return errFound
		}
		return nil
	})
	return err == errFound
}

var errStopWalk = fmt.Errorf("found")

// uses2020Keyword is the library's schemaHasJSONSchema2020FallbackGuardKeyword.
func uses2020Keyword(s *openapi3.Schema) bool {
	return s.Const != nil ||
		len(s.PrefixItems) != 0 || s.Contains != nil ||
		len(s.PatternProperties) != 0 ||
		len(s.DependentSchemas) != 0 || s.PropertyNames != nil ||
		s.UnevaluatedItems.Has != nil || s.UnevaluatedItems.Schema != nil ||
		s.UnevaluatedProperties.Has != nil || s.UnevaluatedProperties.Schema != nil ||
		s.If != nil || s.Then != nil || s.Else != nil ||
		len(s.DependentRequired) != 0 || len(s.Defs) != 0 ||
		s.ContentSchema != nil
}

// needsDocument reports whether s uses a keyword that the library's
// fallback visitor would drop.
func needsDocument(s *openapi3.Schema) bool {
	return uses2020Keyword(s) || s.DynamicRef != "" || s.DynamicAnchor != "" || s.Anchor != ""
}

const componentSchemas = "#/components/schemas/"

// containsInternalSchemaRef is the library's function of the same name.
func containsInternalSchemaRef(node any) bool {
	switch node := node.(type) {
	case map[string]any:
		if ref, ok := node["$ref"].(string); ok && strings.HasPrefix(ref, componentSchemas) {
			return true
		}
		for _, value := range node {
			if containsInternalSchemaRef(value) {
				return true
			}
		}
	case []any:
		for _, value := range node {
			if containsInternalSchemaRef(value) {
				return true
			}
		}
	}
	return false
}

// addInternalSchemaRefs copies the target of every component $ref under s
// into schemaMap's $defs and points the refs there, as the library does. It
// reports false when it cannot be sure to build the library's document (a
// $ref with sibling keywords, whose target the library keeps privately, or
// a $ref it did not reach); the caller then leaves s to the library.
func addInternalSchemaRefs(schemaMap map[string]any, s *openapi3.Schema) bool {
	if schemaMap == nil {
		return false
	}
	// The library's walk also reports a $ref to a schema it has visited
	// already (a cycle, a shared target); WalkSubtree does not, so every
	// visited schema's own sub-schema refs are looked at instead.
	values := map[string]*openapi3.Schema{}
	ok := true
	note := func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Ref == "" || !strings.HasPrefix(ref.Ref, componentSchemas) || ref.Value == nil {
			return
		}
		if prev, seen := values[ref.Ref]; seen {
			ok = ok && prev == ref.Value
			return
		}
		if own, err := json.Marshal(ref); err != nil || string(own) != `{"$ref":`+quoteJSON(ref.Ref)+`}` {
			ok = false
		}
		values[ref.Ref] = ref.Value
	}
	_ = openapi3.NewSchemaRef("", s).WalkSubtree(func(_ string, ref *openapi3.SchemaRef) error {
		note(ref)
		for _, sub := range subSchemas(ref.Value) {
			note(sub)
		}
		return nil
	})
	if !ok || len(values) == 0 {
		return false
	}
	refs := make(map[string]any, len(values))
	for ref, value := range values {
		raw, err := json.Marshal(value)
		if err != nil {
			return false
		}
		var target any
		if err := json.Unmarshal(raw, &target); err != nil {
			return false
		}
		refs[ref] = target
	}
	ids := make(map[string]string, len(refs))
	for ref := range refs {
		ids[ref] = fmt.Sprintf("ref%d", len(ids))
	}
	defs := make(map[string]any, len(refs))
	rewriteInternalSchemaRefs(schemaMap, refs, ids, defs)
	if len(defs) > 0 {
		schemaMap["$defs"] = defs
		rewriteInternalSchemaRefs(defs, refs, ids, defs)
	}
	// Every component $ref now points into $defs; one that does not was
	// not reached, and the library's document would differ: do not guess.
	return !containsInternalSchemaRef(schemaMap)
}

// subSchemas lists the sub-schemas of s the library's walk descends into.
func subSchemas(s *openapi3.Schema) []*openapi3.SchemaRef {
	var out []*openapi3.SchemaRef
	for _, r := range s.Properties {
		out = append(out, r)
	}
	out = append(out, s.Items, s.AdditionalProperties.Schema)
	out = append(out, s.AllOf...)
	out = append(out, s.AnyOf...)
	out = append(out, s.OneOf...)
	out = append(out, s.Not)
	out = append(out, s.PrefixItems...)
	out = append(out, s.Contains)
	for _, r := range s.PatternProperties {
		out = append(out, r)
	}
	for _, r := range s.DependentSchemas {
		out = append(out, r)
	}
	out = append(out, s.PropertyNames, s.If, s.Then, s.Else, s.UnevaluatedItems.Schema, s.UnevaluatedProperties.Schema, s.ContentSchema)
	for _, r := range s.Defs {
		out = append(out, r)
	}
	return out
}

func quoteJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// rewriteInternalSchemaRefs is the library's function of the same name.
func rewriteInternalSchemaRefs(node any, refs map[string]any, ids map[string]string, defs map[string]any) {
	pending := []any{node}
	for len(pending) > 0 {
		current := pending[len(pending)-1]
		pending = pending[:len(pending)-1]
		switch current := current.(type) {
		case map[string]any:
			if ref, ok := current["$ref"].(string); ok {
				if id, exists := ids[ref]; exists {
					current["$ref"] = "#/$defs/" + id
					if _, added := defs[id]; !added {
						defs[id] = refs[ref]
						pending = append(pending, refs[ref])
					}
				}
			}
			for _, value := range current {
				pending = append(pending, value)
			}
		case []any:
			for _, value := range current {
				pending = append(pending, value)
			}
		}
	}
}

// registerFormats asserts every format the document names, with the
// library's validators, as its registerFormatValidators does.
func (v *Validator) registerFormats(compiler *jsonschema.Compiler, schemaMap map[string]any) {
	formats := map[string]struct{}{}
	collectFormats(schemaMap, formats)
	if len(formats) == 0 {
		return
	}
	for format := range formats {
		compiler.RegisterFormat(&jsonschema.Format{Name: format, Validate: v.formatValidator(format)})
	}
	compiler.AssertFormat()
}

func collectFormats(node any, formats map[string]struct{}) {
	switch node := node.(type) {
	case map[string]any:
		if format, ok := node["format"].(string); ok && format != "" {
			formats[format] = struct{}{}
		}
		for _, value := range node {
			collectFormats(value, formats)
		}
	case []any:
		for _, value := range node {
			collectFormats(value, formats)
		}
	}
}

// formatValidator is the library's function of the same name; the format
// tables are read at validation time, as the library reads them.
func (v *Validator) formatValidator(format string) func(any) error {
	return func(value any) error {
		switch value := value.(type) {
		case string:
			f, ok := v.formats[format]
			if !ok {
				if f, ok = openapi3.SchemaStringFormats[format]; !ok {
					return nil
				}
			}
			return f.Validate(value)
		case json.Number:
			if number, err := value.Float64(); err == nil {
				return numberFormat(format, number)
			}
		case float64:
			return numberFormat(format, value)
		case float32:
			return numberFormat(format, float64(value))
		case int:
			return numberFormat(format, float64(value))
		case int32:
			return numberFormat(format, float64(value))
		case int64:
			return numberFormat(format, float64(value))
		}
		return nil
	}
}

func numberFormat(format string, value float64) error {
	if value == math.Trunc(value) && !math.IsInf(value, 0) {
		if f, ok := openapi3.SchemaIntegerFormats[format]; ok {
			return f.Validate(int64(value))
		}
	}
	if f, ok := openapi3.SchemaNumberFormats[format]; ok {
		return f.Validate(value)
	}
	return nil
}
