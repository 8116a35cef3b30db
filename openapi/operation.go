package openapi

import (
	"cmp"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
)

// Operation is one method on one path of the spec, with what a request to it
// needs precomputed.
type Operation struct {
	// ID is the operationId, or "METHOD /path" when the spec gives none.
	ID string
	// Method is the upper-case HTTP method.
	Method string
	// Path is the path template as written in the spec, e.g. "/pets/{id}".
	Path string
	// Op is the operation as the library loaded it.
	Op *openapi3.Operation
	// Route is what openapi3filter needs to validate a request to Op.
	Route *routers.Route
	// Security lists the requirements, any one of which must be met; nil or
	// empty means the operation is public.
	Security []Requirement
	// Responses lists the documented responses, exact statuses in ascending
	// order, then ranges ("4XX"), then default.
	Responses []*Response
	// BodyTypes lists the media types the request body accepts, in document
	// order; empty when the operation takes no body.
	BodyTypes []string
	// BodyRequired says whether the request body is required.
	BodyRequired bool
	// OpenAPI31 says the operation comes from a 3.1 document, whose schemas
	// follow JSON Schema 2020-12.
	OpenAPI31 bool

	// plan is what ValidateRequest precomputes, on first use; nil (an
	// Operation not built by Load) leaves validation to the library.
	plan *lazyPlan
}

// Response is one documented response of an operation.
type Response struct {
	// Code is the key as written: "200", "4XX" or "default".
	Code string
	// Status is the exact status, 100 times the class for a range ("4XX" is
	// 400), 0 for default.
	Status int
	// Range says Code is a range such as "4XX".
	Range bool
	// Description is the response's description.
	Description string
	// Content lists the media types in document order.
	Content []*Media
	// Headers lists the documented response headers, sorted by name.
	Headers []*Header
}

// Media is one media type of a response, with its examples checked.
type Media struct {
	// Type is the media range as written, e.g. "application/json".
	Type string
	// Schema is the media type's schema; nil when the spec gives none.
	Schema *openapi3.SchemaRef
	// Examples are the examples that validate against Schema, in document
	// order: the media type's `example` first (named ""), then `examples`.
	Examples []*Example
	// JSON says the media type carries JSON (application/json, +json).
	JSON bool
}

// Example is one example value, serialized once at load.
type Example struct {
	// Name is the key under `examples`; "" for a lone `example`.
	Name string
	// Value is the decoded example.
	Value any
	// Body is Value as the media type's bytes (JSON, or a string as is).
	Body []byte
}

// Header is a documented response header.
type Header struct {
	Name     string
	Required bool
	Schema   *openapi3.SchemaRef
	// Example is the header's own example, nil when it has none.
	Example any
}

// Lookup returns the response documented for status: the exact code, else
// its range ("4XX"). It returns nil when neither is documented; default is
// not consulted (see LookupOrDefault).
func (o *Operation) Lookup(status int) *Response {
	var ranged *Response
	for _, r := range o.Responses {
		switch {
		case r.Range && r.Status == status/100*100:
			ranged = r
		case !r.Range && r.Status == status:
			return r
		}
	}
	return ranged
}

// LookupOrDefault returns Lookup(status), else the default response, else nil.
func (o *Operation) LookupOrDefault(status int) *Response {
	if r := o.Lookup(status); r != nil {
		return r
	}
	return o.Default()
}

// Default returns the response documented as `default`, or nil.
func (o *Operation) Default() *Response {
	if n := len(o.Responses); n > 0 && o.Responses[n-1].Code == "default" {
		return o.Responses[n-1]
	}
	return nil
}

// SuccessStatus returns the status a normal answer uses: the lowest
// documented 2xx, else 200 for a 2XX range or a default, else the lowest
// documented status. It returns 0 for an operation that documents nothing.
func (o *Operation) SuccessStatus() int {
	for _, r := range o.Responses {
		if r.Status >= 200 && r.Status < 300 {
			return r.Status
		}
	}
	if len(o.Responses) == 0 {
		return 0
	}
	if o.Default() != nil {
		return http.StatusOK
	}
	return o.Responses[0].Status
}

// Statuses returns the documented codes as written, in Responses order.
func (o *Operation) Statuses() []string {
	out := make([]string, len(o.Responses))
	for i, r := range o.Responses {
		out[i] = r.Code
	}
	return out
}

// Operation returns the operation with the given operationId, or the one
// named "METHOD /path"; nil when there is none.
func (s *Spec) Operation(id string) *Operation {
	if op, ok := s.byID[id]; ok {
		return op
	}
	method, p, ok := strings.Cut(id, " ")
	if !ok {
		return nil
	}
	for _, op := range s.Operations {
		if op.Method == strings.ToUpper(method) && op.Path == p {
			return op
		}
	}
	return nil
}

// index builds Operations, byID, the router and the findings. An
// operation that cannot be served is left out with a finding that names it.
func (s *Spec) index() error {
	s.byID = map[string]*Operation{}
	var server *openapi3.Server
	if len(s.Doc.Servers) > 0 {
		server = s.Doc.Servers[0]
	}
	paths := s.Doc.Paths.InMatchingOrder()
	slices.Sort(paths)
	for _, p := range paths {
		item := s.Doc.Paths.Value(p)
		methods := make([]string, 0, 8)
		for m := range item.Operations() {
			methods = append(methods, m)
		}
		slices.Sort(methods)
		for _, m := range methods {
			op, err := s.newOperation(p, m, item, server)
			if err != nil {
				s.Findings = append(s.Findings, Finding{Where: where(item.GetOperation(m).Origin), Pointer: "/paths/" + escapePointer(p) + "/" + strings.ToLower(m), Class: ClassUnroutable,
					Message: fmt.Sprintf("%s %s is left out: %v", m, p, err)})
				continue
			}
			if prev, dup := s.byID[op.ID]; dup {
				id := m + " " + p
				s.Findings = append(s.Findings, Finding{Where: where(op.Op.Origin), Pointer: "/paths/" + escapePointer(p) + "/" + strings.ToLower(m) + "/operationId", Class: ClassInvalid,
					Message: fmt.Sprintf("operationId %q is used by both %s %s and %s %s; Decoy names this one %q", op.ID, prev.Method, prev.Path, op.Method, op.Path, id)})
				op.ID = id
			}
			s.byID[op.ID] = op
			s.Operations = append(s.Operations, op)
		}
	}
	// The router takes operations in document order, so that of two
	// templates that match the same requests the first written serves.
	inOrder := slices.Clone(s.Operations)
	line := func(op *Operation) int {
		if o := s.Doc.Paths.Value(op.Path); o != nil && o.Origin != nil && o.Origin.Key != nil {
			return o.Origin.Key.Line
		}
		return 0
	}
	slices.SortStableFunc(inOrder, func(a, b *Operation) int { return line(a) - line(b) })
	var left []*Operation
	r, err := newRouter(inOrder, serverPrefixes(s.Doc.Servers), func(op *Operation, err error) {
		left = append(left, op)
		s.Findings = append(s.Findings, Finding{Where: where(op.Op.Origin), Pointer: "/paths/" + escapePointer(op.Path) + "/" + strings.ToLower(op.Method), Class: routeClass(err),
			Message: fmt.Sprintf("%s %s is left out: %v", op.Method, op.Path, err)})
	})
	if err != nil {
		return err
	}
	if len(left) > 0 {
		s.Operations = slices.DeleteFunc(s.Operations, func(op *Operation) bool { return slices.Contains(left, op) })
		for _, op := range left {
			if s.byID[op.ID] == op {
				delete(s.byID, op.ID)
			}
		}
	}
	s.router = r
	return nil
}

// routeClass classes an error of the router.
func routeClass(err error) string {
	var c *routeConflict
	if errors.As(err, &c) {
		return ClassPathConflict
	}
	return ClassUnroutable
}

func (s *Spec) newOperation(p, method string, item *openapi3.PathItem, server *openapi3.Server) (*Operation, error) {
	raw := item.GetOperation(method)
	op := &Operation{
		ID:        raw.OperationID,
		Method:    method,
		Path:      p,
		Op:        raw,
		OpenAPI31: s.Version == "3.1",
		plan:      &lazyPlan{spec: s},
		Route: &routers.Route{
			Spec: s.Doc, Server: server, Path: p, PathItem: item,
			Method: method, Operation: raw,
		},
	}
	if op.ID == "" {
		op.ID = method + " " + p
	}
	sec, err := s.requirements(raw)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, p, err)
	}
	op.Security = sec
	if rb := raw.RequestBody; rb != nil && rb.Value != nil {
		op.BodyRequired = rb.Value.Required
		op.BodyTypes = orderedKeys(rb.Value.Content)
	}
	if raw.Responses != nil {
		for code, ref := range raw.Responses.Map() {
			if ref == nil || ref.Value == nil {
				continue
			}
			resp, err := s.newResponse(op, code, ref.Value)
			if err != nil {
				return nil, err
			}
			op.Responses = append(op.Responses, resp)
		}
	}
	slices.SortFunc(op.Responses, func(a, b *Response) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a.Status, b.Status))
	})
	op.documentedRealms()
	return op, nil
}

// rank orders exact statuses before ranges before default.
func rank(r *Response) int {
	switch {
	case r.Code == "default":
		return 2
	case r.Range:
		return 1
	}
	return 0
}

func (s *Spec) newResponse(op *Operation, code string, raw *openapi3.Response) (*Response, error) {
	resp := &Response{Code: code}
	if raw.Description != nil {
		resp.Description = *raw.Description
	}
	switch {
	case code == "default":
	case len(code) == 3 && strings.HasSuffix(strings.ToUpper(code), "XX") && code[0] >= '1' && code[0] <= '5':
		resp.Range = true
		resp.Status = int(code[0]-'0') * 100
	default:
		n, err := strconv.Atoi(code)
		if err != nil || n < 100 || n > 599 {
			return nil, fmt.Errorf("%s: %s %s: response %q is not a status code, a range like 4XX, or default", where(raw.Origin), op.Method, op.Path, code)
		}
		resp.Status = n
	}
	pointer := "/paths/" + escapePointer(op.Path) + "/" + strings.ToLower(op.Method) + "/responses/" + code
	for _, mt := range orderedKeys(raw.Content) {
		m := s.newMedia(mt, raw.Content[mt], pointer+"/content/"+escapePointer(mt))
		resp.Content = append(resp.Content, m)
	}
	for name, ref := range raw.Headers {
		if ref == nil || ref.Value == nil || strings.EqualFold(name, "Content-Type") || framingHeaders[http.CanonicalHeaderKey(name)] {
			continue
		}
		h := &Header{Name: http.CanonicalHeaderKey(name), Required: ref.Value.Required, Schema: ref.Value.Schema, Example: ref.Value.Example}
		if h.Example == nil {
			for _, ex := range ref.Value.Examples {
				if ex != nil && ex.Value != nil {
					h.Example = ex.Value.Value
					break
				}
			}
		}
		if h.Example != nil && h.Schema != nil && h.Schema.Value != nil {
			if err := h.Schema.Value.VisitJSON(h.Example, s.schemaOptions()...); err != nil {
				s.Findings = append(s.Findings, Finding{Where: where(ref.Value.Origin), Pointer: pointer + "/headers/" + escapePointer(name) + "/example", Class: ClassBadExample, Message: "example does not match its schema: " + SchemaErrorMessage(err)})
				h.Example = nil
			}
		}
		resp.Headers = append(resp.Headers, h)
	}
	slices.SortFunc(resp.Headers, func(a, b *Header) int { return strings.Compare(a.Name, b.Name) })
	return resp, nil
}

func (s *Spec) schemaOptions() []openapi3.SchemaValidationOption {
	if s.Version == "3.1" {
		return []openapi3.SchemaValidationOption{openapi3.EnableJSONSchema2020(), openapi3.VisitAsResponse(), PatternOption()}
	}
	return []openapi3.SchemaValidationOption{openapi3.VisitAsResponse(), PatternOption()}
}

func (s *Spec) newMedia(mt string, raw *openapi3.MediaType, pointer string) *Media {
	m := &Media{Type: mt, JSON: IsJSON(mt)}
	if raw == nil {
		return m
	}
	m.Schema = raw.Schema
	add := func(name string, value any, origin *openapi3.Origin, ptr string) {
		if m.Schema != nil && m.Schema.Value != nil {
			if err := m.Schema.Value.VisitJSON(value, s.schemaOptions()...); err != nil {
				s.Findings = append(s.Findings, Finding{Where: where(origin), Pointer: ptr, Class: ClassBadExample, Message: "example does not match its schema, so Decoy generates data instead: " + SchemaErrorMessage(err)})
				return
			}
		}
		body, err := encodeExample(m, value)
		if err != nil {
			s.Findings = append(s.Findings, Finding{Where: where(origin), Pointer: ptr, Class: ClassInvalid, Message: err.Error()})
			return
		}
		m.Examples = append(m.Examples, &Example{Name: name, Value: value, Body: body})
	}
	if raw.Example != nil {
		add("", raw.Example, raw.Origin, pointer+"/example")
	}
	names := make([]string, 0, len(raw.Examples))
	for name, ex := range raw.Examples {
		if ex != nil && ex.Value != nil {
			names = append(names, name)
		}
	}
	slices.SortFunc(names, func(a, b string) int {
		return cmp.Or(cmp.Compare(line(raw.Examples[a].Value.Origin), line(raw.Examples[b].Value.Origin)), strings.Compare(a, b))
	})
	for _, name := range names {
		ex := raw.Examples[name].Value
		if ex.Value == nil {
			if ex.ExternalValue != "" {
				s.Findings = append(s.Findings, Finding{Where: where(ex.Origin), Pointer: pointer + "/examples/" + escapePointer(name), Class: ClassExternalExample, Message: "externalValue examples are not fetched; Decoy generates data instead"})
			}
			continue
		}
		add(name, ex.Value, ex.Origin, pointer+"/examples/"+escapePointer(name)+"/value")
	}
	return m
}

func encodeExample(m *Media, value any) ([]byte, error) {
	if str, ok := value.(string); ok && !m.JSON {
		return []byte(str), nil
	}
	var schema *openapi3.Schema
	if m.Schema != nil {
		schema = m.Schema.Value
	}
	body, err := MarshalOrdered(value, schema)
	if err != nil {
		return nil, fmt.Errorf("example cannot be encoded: %w", err)
	}
	return body, nil
}

// IsJSON reports whether a media type carries JSON: application/json, any
// +json suffix, or a JSON wildcard.
func IsJSON(mediaType string) bool {
	if mediaType == "application/json" {
		return true // the usual case, without parsing
	}
	mt, _, err := mime.ParseMediaType(mediaType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(mediaType))
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "*/*" || mt == "application/*"
}

// orderedKeys returns a content map's media types in document order (by the
// line the library recorded), falling back to JSON first, then by name.
func orderedKeys(c openapi3.Content) []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		la, lb := 0, 0
		if c[a] != nil {
			la = line(c[a].Origin)
		}
		if c[b] != nil {
			lb = line(c[b].Origin)
		}
		ja, jb := 1, 1
		if IsJSON(a) {
			ja = 0
		}
		if IsJSON(b) {
			jb = 0
		}
		return cmp.Or(cmp.Compare(la, lb), cmp.Compare(ja, jb), strings.Compare(a, b))
	})
	return keys
}

func line(o *openapi3.Origin) int {
	if o == nil || o.Key == nil {
		return 0
	}
	return o.Key.Line
}

// where renders an origin as "file:line:col", or "" when unknown.
func where(o *openapi3.Origin) string {
	if o == nil || o.Key == nil || o.Key.Line == 0 {
		return ""
	}
	return fmt.Sprintf("%s:%d:%d", o.Key.File, o.Key.Line, o.Key.Column)
}

// framingHeaders are response headers the HTTP server writes itself, from
// how it sends the body and the connection (and the encoding of the body): a spec may document them
// (Transfer-Encoding: chunked), but Decoy must not fill them in, or the
// answer would say chunked and send a Content-Length.
var framingHeaders = map[string]bool{
	"Content-Length": true, "Transfer-Encoding": true, "Connection": true,
	"Keep-Alive": true, "Upgrade": true, "Trailer": true, "Te": true,
	"Proxy-Connection": true,
	// Decoy sends bodies as they are; a documented Content-Encoding: gzip
	// filled in over a plain body makes the answer unreadable.
	"Content-Encoding": true,
}

// escapePointer escapes a JSON pointer token (RFC 6901).
func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// headerValue is h.Get for a key already in canonical form (a constant
// such as "Content-Type"): the first value, without canonicalizing the key
// again on every request. Servers canonicalize the keys they parse.
func headerValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}
