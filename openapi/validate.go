package openapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// Violation is one way a request breaks the contract: its kind (Code),
// where (Location, Parameter, Pointer) and a sentence for a person
// (Message). ValidateRequest returns them; the server turns them into the
// spec's error body or a problem document.
type Violation struct {
	// Location is where: "path", "query", "header", "cookie" or "body".
	Location string `json:"location"`
	// Parameter names the parameter for path, query, header and cookie.
	Parameter string `json:"parameter,omitempty"`
	// Pointer is the JSON pointer inside the body, "" for the body as a whole.
	Pointer string `json:"pointer,omitempty"`
	// Code is the kind, stable and kebab-case: "required", "type", "enum",
	// "maximum", "pattern", "format", "unsupported-media-type", "parse"...
	Code string `json:"code"`
	// Message is a readable sentence naming the parameter or pointer.
	Message string `json:"message"`
}

func (v Violation) String() string { return v.Message }

// Request is what ValidateRequest needs of a request: the request with its
// URL as received, the path parameters Match returned, and the body read.
type Request struct {
	HTTP       *http.Request
	PathParams map[string]string
	Body       []byte
	// Query is HTTP.URL's query already parsed (url.ParseQuery's values
	// and error), so that a request's query is parsed once; nil parses it
	// here.
	Query *Query
	// BodyJSON, when not nil, is Body already decoded as the library's
	// JSON body decoder decodes it (encoding/json with UseNumber), so that
	// a JSON body is decoded once; it is only read.
	BodyJSON any
}

// Query is a parsed URL query and the error parsing it gave (a bad
// %-escape), if any: the values are those url.ParseQuery could read.
type Query struct {
	Values url.Values
	Err    error
}

// parseQuery parses a raw URL query.
func parseQuery(raw string) *Query {
	v, err := url.ParseQuery(raw)
	return &Query{Values: v, Err: err}
}

// query returns req's parsed query.
func (req Request) query() *Query {
	if req.Query != nil {
		return req.Query
	}
	if req.HTTP == nil || req.HTTP.URL == nil {
		return &Query{}
	}
	return parseQuery(req.HTTP.URL.RawQuery)
}

var noAuth = func(context.Context, *openapi3filter.AuthenticationInput) error { return nil }

// ValidateRequest checks parameters and body of req against the operation
// and returns every violation, in a stable order; nil means valid. Security
// is not checked here (see Check). It never fails otherwise.
//
// It judges as openapi3filter.ValidateRequest does. A parameter or body it
// can decode itself (the common case: primitive parameters, a JSON body) is
// judged by the spec's Validator, valid or not, and its violations are the
// leaves of the JSON Schema library's error tree; anything else is handed
// to kin-openapi, whose error tree is read the same way. Either way a
// violation is worded from the error's fields, never from its text.
func (o *Operation) ValidateRequest(ctx context.Context, req Request) []Violation {
	query := req.query()
	out := o.ambiguous(req.HTTP, query)
	excludeBody := false
	// own is a body Decoy reads itself (forms, bytes), after the rest.
	var own func() []Violation
	if len(o.BodyTypes) > 0 {
		ct := headerValue(req.HTTP.Header, "Content-Type")
		switch {
		case len(req.Body) == 0 && ct == "":
			if o.BodyRequired {
				out = append(out, Violation{Location: "body", Code: "required", Message: "request body is required but missing"})
			}
			excludeBody = true
		case !o.accepts(ct):
			out = append(out, Violation{Location: "header", Parameter: "Content-Type", Code: "unsupported-media-type",
				Message: fmt.Sprintf("Content-Type %q is not accepted; the operation takes %s", ct, strings.Join(o.BodyTypes, ", "))})
			excludeBody = true
		}
		if kind, mt := o.ownBody(ct); !excludeBody && kind != bodyLibrary {
			excludeBody = true
			own = func() []Violation { return o.validateOwnBody(req, kind, mt) }
		}
	}
	plan := o.requestPlan()
	if plan == nil {
		out = append(out, o.validateWithLibrary(ctx, req, excludeBody)...)
		if own != nil {
			out = append(out, own()...)
		}
		return out
	}
	// The library's order: path-item parameters, the operation's, the body.
	// A parameter or body the plan decodes itself is judged by the
	// compiled validator, valid or not; only the rest costs the library.
	var slow *openapi3filter.RequestValidationInput
	input := func() *openapi3filter.RequestValidationInput {
		if slow == nil {
			slow = o.libraryInput(ctx, req, false)
		}
		return slow
	}
	for i := range plan.params {
		pc := &plan.params[i]
		if pc.fast {
			if vs, ok := pc.check(req, query.Values); ok {
				out = append(out, vs...)
				continue
			}
		}
		if err := openapi3filter.ValidateParameter(ctx, input(), pc.p); err != nil {
			out = append(out, violations(err)...)
		}
	}
	if !excludeBody && o.Op.RequestBody != nil {
		if vs, ok := plan.bodyViolations(o, req); ok {
			out = append(out, vs...)
		} else if !plan.validBody(o, req) {
			if err := openapi3filter.ValidateRequestBody(ctx, input(), o.Op.RequestBody.Value); err != nil {
				out = append(out, violations(err)...)
			}
		}
	}
	if own != nil {
		out = append(out, own()...)
	}
	return out
}

// libraryInput is what the library validates: a copy of the request with
// the body read, and the options Decoy judges with.
func (o *Operation) libraryInput(ctx context.Context, req Request, excludeBody bool) *openapi3filter.RequestValidationInput {
	clone := req.HTTP.Clone(ctx)
	clone.Body = io.NopCloser(bytes.NewReader(req.Body))
	clone.ContentLength = int64(len(req.Body))
	return &openapi3filter.RequestValidationInput{
		Request:    clone,
		PathParams: req.PathParams,
		Route:      o.Route,
		Options: &openapi3filter.Options{
			MultiError:          true,
			AuthenticationFunc:  noAuth,
			SkipSettingDefaults: true,
			ExcludeRequestBody:  excludeBody,
			// The formats Decoy asserts (formats.go), as the fast path does,
			// and patterns matched as Decoy matches them.
			SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.WithStringFormatValidators(o.Validator(DirNone).formats), PatternOption()},
		},
	}
}

// validateWithLibrary is ValidateRequest done by the library alone, for an
// operation built without a plan.
func (o *Operation) validateWithLibrary(ctx context.Context, req Request, excludeBody bool) []Violation {
	if err := openapi3filter.ValidateRequest(ctx, o.libraryInput(ctx, req, excludeBody)); err != nil {
		return violations(err)
	}
	return nil
}

// UnsupportedMediaType reports whether vs holds a Content-Type violation,
// which a server answers with 415.
func UnsupportedMediaType(vs []Violation) bool {
	for _, v := range vs {
		if v.Code == "unsupported-media-type" {
			return true
		}
	}
	return false
}

func (o *Operation) accepts(contentType string) bool {
	if contentType == "" {
		return false
	}
	if _, _, err := mime.ParseMediaType(contentType); err != nil {
		return false
	}
	return MediaFor(o.Op.RequestBody.Value.Content, contentType) != nil
}

// MediaFor is the media type of content that a Content-Type header value
// names: the key written the same, else the same type and subtype whatever
// the parameters on either side ("application/xml; charset=utf-8" is
// documented so in real specs), else a wildcard key (text/*, */*). nil when
// none fits.
func MediaFor(content openapi3.Content, contentType string) *openapi3.MediaType {
	if mt := content.Get(contentType); mt != nil {
		return mt
	}
	bare, _, _ := strings.Cut(contentType, ";")
	bare = strings.ToLower(strings.TrimSpace(bare))
	for key, mt := range content {
		k, _, _ := strings.Cut(key, ";")
		if strings.ToLower(strings.TrimSpace(k)) == bare {
			return mt
		}
	}
	return nil
}

// violations flattens the library's error tree into Violations.
func violations(err error) []Violation {
	var me openapi3.MultiError
	if errors.As(err, &me) && !isRequestError(err) {
		var out []Violation
		for _, e := range me {
			out = append(out, violations(e)...)
		}
		return out
	}
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		var se *openapi3filter.SecurityRequirementsError
		if errors.As(err, &se) {
			return nil
		}
		return []Violation{{Location: "request", Code: "invalid", Message: err.Error()}}
	}
	base := Violation{Location: "body"}
	subject := "request body"
	if p := re.Parameter; p != nil {
		base.Location, base.Parameter = p.In, p.Name
		subject = fmt.Sprintf("%s parameter %q", p.In, p.Name)
	}
	if re.Err == nil || errors.Is(re.Err, openapi3filter.ErrInvalidRequired) || errors.Is(re.Err, openapi3filter.ErrInvalidEmptyValue) {
		v := base
		reason := re.Reason
		if re.Err != nil {
			reason = re.Err.Error()
		}
		switch {
		case errors.Is(re.Err, openapi3filter.ErrInvalidRequired):
			v.Code = "required"
		case errors.Is(re.Err, openapi3filter.ErrInvalidEmptyValue):
			v.Code = "invalid"
		default:
			// The library says only in words what a bare RequestError
			// is about ("request body has not been sent").
			v.Code = codeFromReason(reason)
		}
		v.Message = subject + ": " + reason
		return []Violation{v}
	}
	if !hasSchemaError(re.Err) {
		v := base
		v.Code = "parse"
		var pe *openapi3filter.ParseError
		if errors.As(re.Err, &pe) {
			root := pe
			for {
				inner, ok := root.Cause.(*openapi3filter.ParseError)
				if !ok {
					break
				}
				root = inner
			}
			reason := root.Reason
			if strings.Contains(reason, "non primitive") && re.Parameter != nil && re.Parameter.Schema != nil && re.Parameter.Schema.Value != nil && re.Parameter.Schema.Value.Type != nil {
				// The library's word for a value that fits none of a type
				// list such as [integer, "null"]: name the types instead.
				var types []string
				for _, t := range re.Parameter.Schema.Value.Type.Slice() {
					if t != "null" {
						types = append(types, t)
					}
				}
				reason = "an invalid " + strings.Join(types, " or ")
			}
			if root.Value != nil && reason != "" {
				v.Message = subject + ": " + parseReason(root.Value, reason)
			} else {
				v.Message = subject + ": " + pe.Error()
			}
		} else {
			msg := re.Err.Error()
			if re.Reason != "" && re.Reason != msg {
				msg = re.Reason + ": " + msg
			}
			v.Message = subject + ": " + msg
		}
		return []Violation{v}
	}
	return problemViolations(base, subject, problemsOf(re.Err))
}

// hasSchemaError reports whether err holds a schema error of the library's.
func hasSchemaError(err error) bool {
	var se *openapi3.SchemaError
	return errors.As(err, &se)
}

// problemViolations places a value's schema problems: in a parameter (base
// names it) or at their pointer in the body.
func problemViolations(base Violation, subject string, ps []schemaProblem) []Violation {
	out := make([]Violation, 0, len(ps))
	for _, p := range ps {
		v := base
		if base.Location == "body" {
			v.Pointer = p.ptr()
		}
		v.Code = p.code
		if v.Pointer != "" {
			v.Message = subject + " " + v.Pointer + ": " + p.message
		} else {
			v.Message = subject + ": " + p.message
		}
		out = append(out, v)
	}
	return out
}

func isRequestError(err error) bool {
	_, ok := err.(*openapi3filter.RequestError)
	return ok
}

// SchemaErrors returns the leaves of the library's tree of schema errors
// (MultiErrors, wrappers such as a $ref or allOf whose causes say what is
// wrong), in order; empty when err holds none.
func SchemaErrors(err error) []*openapi3.SchemaError {
	var out []*openapi3.SchemaError
	collectSchemaErrors(err, &out)
	return out
}

func collectSchemaErrors(err error, out *[]*openapi3.SchemaError) {
	var me openapi3.MultiError
	if errors.As(err, &me) {
		for _, e := range me {
			collectSchemaErrors(e, out)
		}
		return
	}
	var se *openapi3.SchemaError
	if !errors.As(err, &se) {
		return
	}
	// A wrapper (a $ref, allOf, a 3.1 schema with several failing keywords)
	// says only "validation failed"; its causes say what is wrong.
	if se.Origin != nil && se.SchemaField != "oneOf" && se.SchemaField != "anyOf" {
		var inner openapi3.MultiError
		if errors.As(se.Origin, &inner) {
			before := len(*out)
			for _, e := range inner {
				collectSchemaErrors(e, out)
			}
			if len(*out) > before {
				return
			}
		}
	}
	*out = append(*out, se)
}

func escapeAll(ptr []string) []string {
	out := make([]string, len(ptr))
	for i, p := range ptr {
		out[i] = escapePointer(p)
	}
	return out
}

// SchemaErrorMessage renders a schema validation error compactly: the JSON
// pointer and the reason, without the schema dump. Multiple errors are
// joined with "; ".
func SchemaErrorMessage(err error) string {
	ps := problemsOf(err)
	parts := make([]string, 0, len(ps))
	for _, p := range ps {
		if ptr := p.ptr(); ptr != "" {
			parts = append(parts, ptr+": "+p.message)
		} else {
			parts = append(parts, p.message)
		}
	}
	return strings.Join(parts, "; ")
}

func codeFromReason(reason string) string {
	switch {
	case strings.Contains(reason, "required"):
		return "required"
	case strings.Contains(reason, "Content-Type"), strings.Contains(reason, "content type"):
		return "unsupported-media-type"
	}
	return "invalid"
}

func codeFromField(field, reason string) string {
	switch field {
	case "":
		if strings.Contains(reason, "required") {
			return "required"
		}
		return "schema"
	case "minimum", "exclusiveMinimum":
		return "minimum"
	case "maximum", "exclusiveMaximum":
		return "maximum"
	case "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties":
		return kebab(field)
	case "additionalProperties":
		return "additional-properties"
	case "uniqueItems":
		return "unique-items"
	case "multipleOf":
		return "multiple-of"
	case "oneOf", "anyOf", "allOf":
		return kebab(field)
	case "nullable":
		return "type"
	}
	return kebab(field)
}

func kebab(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('-')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ValidateResponse checks a response the mock produced against the spec:
// its status is documented, its headers and body match their schemas. It
// returns nil when the response is within the contract, else an error naming
// what broke.
func (o *Operation) ValidateResponse(ctx context.Context, req *http.Request, pathParams map[string]string, status int, header http.Header, body []byte) error {
	if o.LookupOrDefault(status) == nil {
		return fmt.Errorf("status %d is not documented for %s", status, o.ID)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req, PathParams: pathParams, Route: o.Route,
			Options: &openapi3filter.Options{AuthenticationFunc: noAuth},
		},
		Status:  status,
		Header:  header,
		Options: &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true, AuthenticationFunc: noAuth},
	}
	in.Options.SchemaValidationOptions = []openapi3.SchemaValidationOption{PatternOption()}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(ctx, in); err != nil {
		return fmt.Errorf("%s: %d response breaks the contract: %s", o.ID, status, SchemaErrorMessage(err))
	}
	return nil
}

// ambiguous finds what a lenient parser would silently resolve one way: a
// query string that does not decode (a bad %-escape is dropped by
// url.Query), and a single-valued query or header parameter given several
// different values (which one would the real API take?).
func (o *Operation) ambiguous(r *http.Request, q *Query) []Violation {
	var out []Violation
	query := q.Values
	if q.Err != nil {
		for _, pair := range strings.Split(r.URL.RawQuery, "&") {
			k, v, _ := strings.Cut(pair, "=")
			name, kerr := url.QueryUnescape(k)
			if kerr != nil {
				out = append(out, Violation{Location: "query", Code: "parse", Message: fmt.Sprintf("query parameter %q: the name is not valid %%-encoding", k)})
				continue
			}
			if _, verr := url.QueryUnescape(v); verr != nil {
				out = append(out, Violation{Location: "query", Parameter: name, Code: "parse",
					Message: fmt.Sprintf("query parameter %q: the value is not valid %%-encoding (%v)", name, verr)})
			}
		}
	}
	for _, list := range []openapi3.Parameters{o.Route.PathItem.Parameters, o.Op.Parameters} {
		for _, ref := range list {
			p := ref.Value
			if p == nil || p.Schema == nil || p.Schema.Value == nil || p.Schema.Value.Type.Is("array") || p.Schema.Value.Type.Is("object") {
				continue
			}
			var values []string
			switch p.In {
			case openapi3.ParameterInQuery:
				values = query[p.Name]
			case openapi3.ParameterInHeader:
				values = r.Header.Values(p.Name)
			default:
				continue
			}
			if len(values) < 2 || allSame(values) {
				continue
			}
			out = append(out, Violation{Location: p.In, Parameter: p.Name, Code: "repeated",
				Message: fmt.Sprintf("%s parameter %q: given %d different values (%s); it takes one", p.In, p.Name, len(values), strings.Join(quoteAll(values, 5), ", "))})
		}
	}
	return out
}

func allSame(vs []string) bool {
	for _, v := range vs[1:] {
		if v != vs[0] {
			return false
		}
	}
	return true
}

func quoteAll(vs []string, max int) []string {
	out := make([]string, 0, len(vs))
	for i, v := range vs {
		if i == max {
			out = append(out, "…")
			break
		}
		if len(v) > 40 {
			v = v[:40] + "…"
		}
		out = append(out, fmt.Sprintf("%q", v))
	}
	return out
}
