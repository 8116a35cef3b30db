package openapi

import (
	"context"
	"errors"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// This file checks a whole document once, at load (validateDocument):
// kin-openapi's document validation, made fast on large specs. It judges
// no request; requests are judged by the Validator (validator.go).

// validateOptions are the options Load validates a document with. Examples
// are checked by Decoy itself, so that a bad example is a finding and not a
// reason to refuse the whole spec. Patterns compile as Decoy matches them
// (pattern.go), so an ECMAScript-only pattern is no reason either.
var validateOptions = []openapi3.ValidationOption{openapi3.DisableExamplesValidation(), openapi3.EnableMultiError(), patternValidationOption()}

// validateDocument is doc.Validate(ctx, validateOptions...), with the same
// result, made fast on documents whose component schemas are referenced from
// many places.
//
// kin-openapi validates a schema with a fresh set of visited schemas per entry
// point (each media type's schema, each parameter's, each component), so a
// large component schema referenced from hundreds of responses, and from other
// components, is validated again each time it is reached: about 90% of the
// time Stripe's spec took to load. Yet every component schema is validated
// anyway, in full, as its own entry of Components.Schemas. So, for the
// duration of one doc.Validate call, shareRefs points every other reference
// to a component schema at an empty placeholder schema, which costs nothing
// to validate, and then restores it.
//
// That finds the same problems as long as no check of kin's reads a component
// through a reference in a way that depends on where it is referenced from.
// With examples not validated (validateOptions; the shortcut relies on it),
// the checks that read through a reference are: the validation of the
// referenced schema itself (done, identically, in the component's own entry,
// since the validation options do not vary between entries once examples are
// off), and the validation of a schema's default value (and the emptiness
// test of a boolean schema with siblings), which read the whole subtree under
// that schema. shareRefs leaves every reference reachable from such a schema
// alone. (The checks of a reference's own siblings read the SchemaRef, which
// keeps its Ref and Extensions; only its Value is swapped.)
//
// The argument holds for whether there is any problem, and for the problems
// that are not about schemas; it does not promise the same wording, order or
// count of schema problems (the shortcut reports a bad component once, where
// kin reports it again for each place that uses it). So when the shortcut
// finds a problem Load refuses a document for, the document is validated
// again the ordinary way, and that error is returned: an invalid document is
// reported exactly as kin reports it, and only valid documents (with at most
// tolerated problems) keep the shortcut's result.
func validateDocument(ctx context.Context, doc *openapi3.T) error {
	err := validateShared(ctx, doc, validateOptions...)
	if err == nil {
		return nil
	}
	for _, e := range flatten(err) {
		if !tolerated(e) {
			return doc.Validate(ctx, validateOptions...)
		}
	}
	return err
}

// tolerated reports whether e is a problem kin reports that Load does not
// refuse a document for (it makes it a finding).
func tolerated(e error) bool {
	var cp *openapi3.ConflictingPathsError
	return errors.As(e, &cp)
}

// validateShared runs doc.Validate with the references to component schemas
// shared (see validateDocument), restoring them when it returns or panics.
func validateShared(ctx context.Context, doc *openapi3.T, opts ...openapi3.ValidationOption) error {
	restore := shareRefs(doc)
	defer restore()
	return doc.Validate(ctx, opts...)
}

// componentSchemaPrefix starts a reference to a component schema of the
// same document.
const componentSchemaPrefix = "#/components/schemas/"

// refSharer finds the references to component schemas in a document.
type refSharer struct {
	// components maps a component schema's name to its schema.
	components map[string]*openapi3.Schema
	// entries are the SchemaRefs of Components.Schemas themselves, which
	// must keep their value: they are where each component is validated.
	entries map[*openapi3.SchemaRef]bool
	// seenSchemas and seenCallbacks guard the walk against cycles and
	// against walking a shared schema twice.
	seenSchemas   map[*openapi3.Schema]bool
	seenCallbacks map[*openapi3.Callback]bool
	// refs are the references to component schemas found.
	refs []*openapi3.SchemaRef
	// reread are the schemas whose whole subtree kin reads when validating
	// them (see rereads).
	reread []*openapi3.Schema
}

// shareRefs points every reference of doc to one of its component schemas,
// other than the component entries and those under a schema that kin reads
// whole (rereads), at one empty placeholder schema. The function it returns
// puts every one back.
func shareRefs(doc *openapi3.T) (restore func()) {
	if doc == nil || doc.Components == nil || len(doc.Components.Schemas) == 0 {
		return func() {}
	}
	s := &refSharer{
		components:    make(map[string]*openapi3.Schema, len(doc.Components.Schemas)),
		entries:       make(map[*openapi3.SchemaRef]bool, len(doc.Components.Schemas)),
		seenSchemas:   make(map[*openapi3.Schema]bool),
		seenCallbacks: make(map[*openapi3.Callback]bool),
	}
	for name, ref := range doc.Components.Schemas {
		if ref == nil {
			continue
		}
		s.entries[ref] = true
		// kin skips validating a component whose name is not a valid
		// identifier (it reports the name instead), so references to it
		// must keep reaching it.
		if ref.Value != nil && openapi3.ValidateIdentifier(name) == nil {
			s.components[name] = ref.Value
		}
	}
	s.document(doc)

	// Leave alone every reference kin reads through while judging a schema
	// that rereads its subtree.
	keep := make(map[*openapi3.SchemaRef]bool)
	under := &subtree{seen: make(map[*openapi3.Schema]bool), refs: keep}
	for _, schema := range s.reread {
		under.schema(schema)
	}

	placeholder := &openapi3.Schema{}
	type swapped struct {
		ref   *openapi3.SchemaRef
		value *openapi3.Schema
	}
	var refs []swapped
	for _, ref := range s.refs {
		if !keep[ref] && ref.Value != placeholder {
			refs = append(refs, swapped{ref, ref.Value})
			ref.Value = placeholder
		}
	}
	return func() {
		for _, r := range refs {
			r.ref.Value = r.value
		}
	}
}

// component returns the component schema ref references, or nil when ref is
// not a reference to a component schema of the document that may be shared.
func (s *refSharer) component(ref *openapi3.SchemaRef) *openapi3.Schema {
	if ref == nil || ref.Value == nil || s.entries[ref] || !strings.HasPrefix(ref.Ref, componentSchemaPrefix) {
		return nil
	}
	name := unescapePointerToken(ref.Ref[len(componentSchemaPrefix):])
	if c := s.components[name]; c == ref.Value {
		return c
	}
	return nil
}

// unescapePointerToken decodes a JSON pointer token (RFC 6901).
func unescapePointerToken(t string) string {
	if !strings.Contains(t, "~") {
		return t
	}
	return strings.NewReplacer("~1", "/", "~0", "~").Replace(t)
}

func (s *refSharer) document(doc *openapi3.T) {
	if c := doc.Components; c != nil {
		for _, ref := range c.Schemas {
			s.schemaRef(ref)
		}
		for _, p := range c.Parameters {
			s.parameter(p)
		}
		for _, h := range c.Headers {
			s.header(h)
		}
		for _, rb := range c.RequestBodies {
			if rb != nil && rb.Value != nil {
				s.content(rb.Value.Content)
			}
		}
		for _, r := range c.Responses {
			s.response(r)
		}
		for _, cb := range c.Callbacks {
			if cb != nil {
				s.callback(cb.Value)
			}
		}
	}
	if doc.Paths != nil {
		for _, item := range doc.Paths.Map() {
			s.pathItem(item)
		}
	}
	for _, item := range doc.Webhooks {
		s.pathItem(item)
	}
}

func (s *refSharer) pathItem(item *openapi3.PathItem) {
	if item == nil {
		return
	}
	for _, p := range item.Parameters {
		s.parameter(p)
	}
	for _, op := range item.Operations() {
		s.operation(op)
	}
}

func (s *refSharer) operation(op *openapi3.Operation) {
	if op == nil {
		return
	}
	for _, p := range op.Parameters {
		s.parameter(p)
	}
	if rb := op.RequestBody; rb != nil && rb.Value != nil {
		s.content(rb.Value.Content)
	}
	if op.Responses != nil {
		for _, r := range op.Responses.Map() {
			s.response(r)
		}
	}
	for _, cb := range op.Callbacks {
		if cb != nil {
			s.callback(cb.Value)
		}
	}
}

func (s *refSharer) callback(cb *openapi3.Callback) {
	if cb == nil || s.seenCallbacks[cb] {
		return
	}
	s.seenCallbacks[cb] = true
	for _, item := range cb.Map() {
		s.pathItem(item)
	}
}

func (s *refSharer) parameter(p *openapi3.ParameterRef) {
	if p == nil || p.Value == nil {
		return
	}
	s.schemaRef(p.Value.Schema)
	s.content(p.Value.Content)
}

func (s *refSharer) header(h *openapi3.HeaderRef) {
	if h == nil || h.Value == nil {
		return
	}
	s.schemaRef(h.Value.Schema)
	s.content(h.Value.Content)
}

func (s *refSharer) response(r *openapi3.ResponseRef) {
	if r == nil || r.Value == nil {
		return
	}
	for _, h := range r.Value.Headers {
		s.header(h)
	}
	s.content(r.Value.Content)
}

func (s *refSharer) content(c openapi3.Content) {
	for _, mt := range c {
		if mt == nil {
			continue
		}
		s.schemaRef(mt.Schema)
		s.schemaRef(mt.ItemSchema)
		for _, enc := range mt.Encoding {
			if enc == nil {
				continue
			}
			for _, h := range enc.Headers {
				s.header(h)
			}
		}
	}
}

// schemaRef notes ref if it references a component schema, and walks the
// schema it leads to, once.
func (s *refSharer) schemaRef(ref *openapi3.SchemaRef) {
	if ref == nil {
		return
	}
	if s.component(ref) != nil {
		s.refs = append(s.refs, ref)
	}
	s.schema(ref.Value)
}

func (s *refSharer) schema(schema *openapi3.Schema) {
	if schema == nil || s.seenSchemas[schema] {
		return
	}
	s.seenSchemas[schema] = true
	if rereads(schema) {
		s.reread = append(s.reread, schema)
	}
	eachSubschema(schema, s.schemaRef)
}

// rereads reports whether kin, validating schema, reads the whole subtree
// under it rather than just the schema: to check its default value against
// it, or (a boolean schema with other keywords) to tell whether the rest is
// empty.
func rereads(schema *openapi3.Schema) bool {
	return schema.Default != nil || schema.Always != nil
}

// subtree collects every reference under the schemas it walks.
type subtree struct {
	seen map[*openapi3.Schema]bool
	refs map[*openapi3.SchemaRef]bool
}

func (t *subtree) schemaRef(ref *openapi3.SchemaRef) {
	if ref == nil {
		return
	}
	t.refs[ref] = true
	t.schema(ref.Value)
}

func (t *subtree) schema(schema *openapi3.Schema) {
	if schema == nil || t.seen[schema] {
		return
	}
	t.seen[schema] = true
	eachSubschema(schema, t.schemaRef)
}

// eachSubschema calls f for each sub-schema reference of schema, under
// every keyword kin has. A discriminator mapping is held by value in its
// map, so f gets a copy of it: it can be walked, not changed. (None would
// be shared anyway: kin leaves a mapping of the root document unresolved,
// Value nil, and resolves one of another file against that file, not
// against the document's components.)
func eachSubschema(schema *openapi3.Schema, f func(*openapi3.SchemaRef)) {
	if d := schema.Discriminator; d != nil {
		for _, m := range d.Mapping {
			ref := openapi3.SchemaRef(m)
			f(&ref)
		}
	}
	for _, refs := range [...]openapi3.SchemaRefs{schema.OneOf, schema.AnyOf, schema.AllOf, schema.PrefixItems} {
		for _, ref := range refs {
			f(ref)
		}
	}
	for _, ref := range [...]*openapi3.SchemaRef{
		schema.Not, schema.Items, schema.AdditionalProperties.Schema,
		schema.Contains, schema.PropertyNames,
		schema.UnevaluatedItems.Schema, schema.UnevaluatedProperties.Schema,
		schema.If, schema.Then, schema.Else, schema.ContentSchema,
	} {
		f(ref)
	}
	for _, refs := range [...]openapi3.Schemas{schema.Properties, schema.PatternProperties, schema.DependentSchemas, schema.Defs} {
		for _, ref := range refs {
			f(ref)
		}
	}
}
