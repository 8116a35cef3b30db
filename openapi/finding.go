package openapi

import "strings"

// Finding is a flaw of a spec that Decoy serves around, such as an example
// that does not match its schema (Decoy generates data instead) or a
// response without a description. Where is "file:line:col" when known;
// Pointer is the JSON pointer inside the document; Class groups findings of
// one kind (one of the Class constants) so that tools can count them.
type Finding struct {
	Where   string `json:"where,omitempty"`
	Pointer string `json:"pointer"`
	Class   string `json:"class"`
	Message string `json:"message"`
}

func (f Finding) String() string {
	var b strings.Builder
	if f.Where != "" {
		b.WriteString(f.Where)
		b.WriteString(": ")
	}
	b.WriteString(f.Pointer)
	b.WriteString(": ")
	b.WriteString(f.Message)
	if f.Class != "" {
		b.WriteString(" [")
		b.WriteString(f.Class)
		b.WriteString("]")
	}
	return b.String()
}

// The classes of findings. Each names one kind of flaw seen in real API
// descriptions; `decoy validate` groups findings by them.
const (
	// ClassInfo: info missing, or its title or version empty.
	ClassInfo = "info"
	// ClassResponseDescription: a response without a description.
	ClassResponseDescription = "response-description"
	// ClassPathQuery: a paths key with a query string; Decoy routes the
	// path part.
	ClassPathQuery = "path-query"
	// ClassPathConflict: two templates that differ only in parameter names
	// with the same method; the first in document order serves.
	ClassPathConflict = "path-conflict"
	// ClassPathParameter: a path parameter used but not declared (served
	// as a string), or declared but not in the template (ignored).
	ClassPathParameter = "path-parameter"
	// ClassWrongDialect: a keyword of the other OpenAPI version (3.1
	// keywords in a 3.0 document, exclusiveMinimum in the other form, a
	// type array in 3.0, nullable without type).
	ClassWrongDialect = "wrong-dialect"
	// ClassRefSiblings: fields next to a $ref that the version ignores.
	ClassRefSiblings = "ref-siblings"
	// ClassRefKind: a $ref whose target is another kind of object than its
	// place wants (a schema $ref to a parameter, a response $ref to a
	// schema).
	ClassRefKind = "ref-kind"
	// ClassWrongShape: a value of the wrong shape where the OpenAPI
	// document's own schema wants a string, a list or an object.
	ClassWrongShape = "wrong-shape"
	// ClassBadDefault: a default or enum that does not match its schema.
	ClassBadDefault = "bad-default"
	// ClassBadExample: an example that does not match its schema; Decoy
	// generates data instead.
	ClassBadExample = "bad-example"
	// ClassPattern: a pattern that needs an ECMAScript engine, or that no
	// engine can compile (ignored).
	ClassPattern = "pattern"
	// ClassTupleItems: Swagger 2.0 / draft-4 tuple items (items: [A, B]).
	ClassTupleItems = "tuple-items"
	// ClassUnknownFormat: a format Decoy does not assert (an annotation).
	ClassUnknownFormat = "unknown-format"
	// ClassUnsupportedMedia: a request body Decoy cannot decode; it is
	// accepted and checked as far as it can be.
	ClassUnsupportedMedia = "unsupported-media"
	// ClassSchema: a schema that cannot be compiled as written; what
	// remains of it is validated.
	ClassSchema = "schema"
	// ClassUnroutable: an operation that cannot be routed and is left out.
	ClassUnroutable = "unroutable"
	// ClassExternalExample: an externalValue example, not fetched.
	ClassExternalExample = "external-example"
	// ClassOperationRef: an operation given as a $ref (OpenAPI allows
	// $refs for path items, not operations); Decoy inlines it.
	ClassOperationRef = "operation-ref"
	// ClassPostman: something of a Postman collection Decoy cannot infer.
	ClassPostman = "postman"
	// ClassInvalid: any other way the document breaks the OpenAPI
	// specification that Decoy serves around.
	ClassInvalid = "invalid"
)
