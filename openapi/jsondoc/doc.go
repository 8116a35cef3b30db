// Package jsondoc loads a JSON OpenAPI 3 document into kin-openapi's types
// many times faster than kin-openapi does, to exactly the document
// kin-openapi's loader builds. It is the fast path of openapi.Load, kept
// apart from the core of openapi because it is large and mirrors the
// library rather than saying anything about specs.
//
// kin-openapi decodes JSON through its YAML parser and then re-decodes
// every object by reflection to collect its extensions and origins, which
// takes seconds on a large spec such as GitHub's. Decode reads the bytes
// once, with a small scanner of its own, and builds the openapi3 types
// directly, setting every field kin-openapi's own decoder sets before $refs
// are resolved; Load then resolves them with the caller's loader.
//
// The rule it keeps: whatever it builds is what kin-openapi builds from the
// same bytes, and whatever it is not sure of it leaves to kin-openapi. A
// document that is not JSON, or holds something the fast path does not
// mirror (a duplicate key, which kin-openapi's YAML parser refuses before it
// falls back to its JSON decoder, invalid UTF-8, a value of an unexpected
// type, ...) makes Decode and Load return a *NotFastError or a
// *SyntaxError (LeftToLibrary says so), and the caller takes kin-openapi's
// path for the whole document.
//
// Origins are recorded as kin-openapi records Origin.Key (the file, line and
// column of the key heading an element, or of an array item's first key), so
// findings and errors name the same place; the per-field locations
// (Origin.Fields, Origin.Sequences) and Key.EndLine/EndColumn are not, nor
// the origins inside the siblings of a $ref, which kinDecode reads.
//
// The equivalence with kin-openapi is checked by decode_test.go: on every
// OpenAPI 3 document of the repository's test data, which must all take the
// fast path; on every field of every type with values of every JSON kind;
// and by FuzzDecodeJSON. The one YAML library it uses is the module's own
// (go.yaml.in/yaml/v4), for the objects it hands to kin-openapi's decoder.
package jsondoc
