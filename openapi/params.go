package openapi

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// Document returns the Spec o belongs to, whose validators judge its
// values; nil for an Operation not built by Load.
func (o *Operation) Document() *Spec {
	if o == nil || o.plan == nil {
		return nil
	}
	return o.plan.spec
}

// lazyPlan builds an operation's requestPlan on its first request, so that
// loading a spec of a thousand operations compiles nothing it does not
// serve.
type lazyPlan struct {
	once sync.Once
	spec *Spec
	plan *requestPlan
	// findings are what the operation's requests revealed about the spec.
	findings runtimeFindings
}

// requestPlan is how ValidateRequest judges one operation's parameters and
// body, in the order the library validates: each parameter Decoy can
// decode itself (paramCheck) and a JSON body are judged, valid or not, by
// the spec's Validator; the rest by kin-openapi's request validation.
type requestPlan struct {
	params []paramCheck
	// body judges request bodies.
	body *Validator
}

func (o *Operation) requestPlan() *requestPlan {
	if o.plan == nil {
		return nil
	}
	o.plan.once.Do(func() { o.plan.plan = o.buildPlan(o.plan.spec) })
	return o.plan.plan
}

func (o *Operation) buildPlan(s *Spec) *requestPlan {
	plan := &requestPlan{body: s.Validator(DirRequest)}
	values := s.Validator(DirNone)
	add := func(p *openapi3.Parameter) {
		if p.Schema == nil && p.Content == nil {
			return // the library accepts anything
		}
		pc := paramCheck{p: p, v: values}
		pc.prepare()
		plan.params = append(plan.params, pc)
	}
	ops := o.Op.Parameters
	for _, ref := range o.Route.PathItem.Parameters {
		if ops != nil && ops.GetByInAndName(ref.Value.In, ref.Value.Name) != nil {
			continue
		}
		add(ref.Value)
	}
	for _, ref := range ops {
		add(ref.Value)
	}
	return plan
}

// paramCheck decodes and judges one parameter as the library's
// ValidateParameter does, and words its violations as that function's
// errors are worded, for the shapes it is sure of: a primitive schema in
// the default style of its place. Anything else is left to the library
// (fast is false). TestFastRequestValidationAgreesWithTheLibrary compares
// the two on every test spec.
type paramCheck struct {
	p    *openapi3.Parameter
	v    *Validator
	fast bool
	// subject names the parameter in its violations: query parameter "limit".
	subject string
	header  string
	types   []string
	int32   bool
	schema  *openapi3.Schema
}

func (pc *paramCheck) prepare() {
	p := pc.p
	if p.Content != nil || p.Schema == nil || p.Schema.Value == nil {
		return
	}
	s := p.Schema.Value
	if len(s.AllOf) > 0 || len(s.AnyOf) > 0 || len(s.OneOf) > 0 || s.Not != nil || s.Type == nil {
		return
	}
	types := s.Type.Slice()
	if len(types) == 0 {
		return
	}
	for _, t := range types {
		switch t {
		case openapi3.TypeInteger, openapi3.TypeNumber, openapi3.TypeBoolean, openapi3.TypeString, openapi3.TypeNull:
		default:
			return
		}
	}
	sm, err := p.SerializationMethod()
	if err != nil {
		return
	}
	switch p.In {
	case openapi3.ParameterInPath, openapi3.ParameterInHeader:
		if sm.Style != openapi3.SerializationSimple {
			return
		}
	case openapi3.ParameterInQuery, openapi3.ParameterInCookie:
		if sm.Style != openapi3.SerializationForm {
			return
		}
	default:
		return
	}
	pc.fast = true
	pc.subject = p.In + " parameter " + strconv.Quote(p.Name)
	pc.header = http.CanonicalHeaderKey(p.Name)
	pc.types = types
	pc.int32 = s.Format == "int32"
	pc.schema = s
}

// check returns the parameter's violations in req, as the library's
// ValidateParameter finds and words them, without the library; nil means
// valid. ok is false when it cannot tell (a malformed Cookie header):
// the caller then asks the library.
func (pc *paramCheck) check(req Request, q url.Values) (vs []Violation, ok bool) {
	p := pc.p
	raw, found, present, ok := pc.lookup(req, q)
	if !ok {
		return nil, false
	}
	base := Violation{Location: p.In, Parameter: p.Name}
	subject := pc.subject
	var value any
	if present {
		v, ok := pc.parse(raw)
		if !ok {
			base.Code = "parse"
			base.Message = subject + ": " + parseReason(raw, pc.parseFailure())
			return []Violation{base}, true
		}
		value = v
	}
	if p.Required && !found {
		base.Code = "required"
		base.Message = subject + ": value is required but missing"
		return []Violation{base}, true
	}
	if value == nil {
		if p.AllowEmptyValue || !found {
			return nil, true
		}
		base.Code = "invalid"
		base.Message = subject + ": empty value is not allowed"
		return []Violation{base}, true
	}
	if s, isStr := value.(string); isStr && s == "" && p.AllowEmptyValue {
		return nil, true
	}
	return problemViolations(base, subject, pc.v.problems(pc.schema, value)), true
}

// lookup finds the parameter's raw value as the library's decoder does:
// found says the name was sent, present that a value came with it. ok is
// false for a Cookie header that does not parse.
func (pc *paramCheck) lookup(req Request, q url.Values) (raw string, found, present, ok bool) {
	p := pc.p
	switch p.In {
	case openapi3.ParameterInPath:
		if len(req.PathParams) > 0 {
			if v, ok := req.PathParams[p.Name]; ok && v != "" {
				raw, found, present = v, true, true
			}
		}
	case openapi3.ParameterInQuery:
		if len(q) > 0 {
			values, ok := q[p.Name]
			found = ok
			if len(values) > 0 {
				// The first non-empty value, as the library takes it.
				raw, present = values[0], true
				if raw == "" {
					for _, v := range values[1:] {
						if v != "" {
							raw = v
							break
						}
					}
				}
			}
		}
	case openapi3.ParameterInHeader:
		values, ok := req.HTTP.Header[pc.header]
		found = ok
		if len(values) > 0 {
			raw, present = values[0], true
		}
	case openapi3.ParameterInCookie:
		c, err := req.HTTP.Cookie(p.Name)
		if err != http.ErrNoCookie {
			if err != nil {
				return "", false, false, false
			}
			raw, found, present = c.Value, true, true
		}
	}
	return raw, found, present, true
}

// parseFailure is the library's reason for a value none of the schema's
// types parses: that of the last type tried, or, when that is null (which
// the library calls a non-primitive type), the other types named.
func (pc *paramCheck) parseFailure() string {
	last := pc.types[len(pc.types)-1]
	if last != openapi3.TypeNull {
		return "an invalid " + last
	}
	var types []string
	for _, t := range pc.types {
		if t != openapi3.TypeNull {
			types = append(types, t)
		}
	}
	return "an invalid " + strings.Join(types, " or ")
}

// parse is the library's parsePrimitive: the first of the schema's types
// the raw value parses as; nil for an empty value of a non-string type.
func (pc *paramCheck) parse(raw string) (any, bool) {
	for _, typ := range pc.types {
		if raw == "" && typ != openapi3.TypeString {
			return nil, true
		}
		switch typ {
		case openapi3.TypeInteger:
			if pc.int32 {
				if v, err := strconv.ParseInt(raw, 10, 32); err == nil {
					return int32(v), true
				}
				continue
			}
			if v, err := strconv.ParseInt(raw, 10, 64); err == nil {
				return v, true
			}
		case openapi3.TypeNumber:
			if strings.ContainsFunc(raw, func(r rune) bool { return !strings.ContainsRune("+-.0123456789eE", r) }) {
				continue
			}
			if v, err := strconv.ParseFloat(raw, 64); err == nil {
				return v, true
			}
		case openapi3.TypeBoolean:
			if v, err := strconv.ParseBool(raw); err == nil {
				return v, true
			}
		case openapi3.TypeString:
			return raw, true
		}
	}
	return nil, false
}

// bodyViolations returns the violations of a JSON request body already
// decoded (Request.BodyJSON), judged by the compiled validator, as the
// library's ValidateRequestBody finds and words them. ok is false for any
// other body, which the caller leaves to the library.
func (plan *requestPlan) bodyViolations(o *Operation, req Request) (vs []Violation, ok bool) {
	rb := o.Op.RequestBody.Value
	if rb == nil || len(req.Body) == 0 || req.BodyJSON == nil || len(rb.Content) == 0 {
		return nil, false
	}
	ct := headerValue(req.HTTP.Header, "Content-Type")
	mt := MediaFor(rb.Content, ct)
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil || mt.Encoding[""] != nil {
		return nil, false
	}
	if s := mt.Schema.Value; s.Type.Is(openapi3.TypeString) && s.Format == "binary" {
		return nil, false
	}
	mediaType, _, _ := strings.Cut(ct, ";")
	mediaType = strings.ToLower(strings.TrimSpace(mediaType))
	if mediaType != "application/json" && !strings.HasSuffix(mediaType, "+json") {
		return nil, false
	}
	return problemViolations(Violation{Location: "body"}, "request body", plan.body.problems(mt.Schema.Value, req.BodyJSON)), true
}

// validBody reports whether the request body is valid, decoding it with the
// library's registered decoder as its ValidateRequestBody does. false means
// "ask the library".
func (plan *requestPlan) validBody(o *Operation, req Request) bool {
	rb := o.Op.RequestBody.Value
	if rb == nil {
		return false
	}
	if len(req.Body) == 0 {
		return !rb.Required
	}
	if len(rb.Content) == 0 {
		return true
	}
	mt := MediaFor(rb.Content, headerValue(req.HTTP.Header, "Content-Type"))
	if mt == nil {
		return false
	}
	if mt.Schema == nil {
		return true
	}
	schema := mt.Schema
	if schema.Value == nil || mt.Encoding[""] != nil {
		return false
	}
	if schema.Value.Type.Is(openapi3.TypeString) && schema.Value.Format == "binary" {
		return false
	}
	mediaType, _, _ := strings.Cut(headerValue(req.HTTP.Header, "Content-Type"), ";")
	mediaType = strings.ToLower(strings.TrimSpace(mediaType))
	if req.BodyJSON != nil && (mediaType == "application/json" || strings.HasSuffix(mediaType, "+json")) {
		return plan.body.Valid(schema.Value, req.BodyJSON)
	}
	decoder := openapi3filter.RegisteredBodyDecoder(mediaType)
	if decoder == nil && strings.HasSuffix(mediaType, "+json") {
		decoder = openapi3filter.RegisteredBodyDecoder("application/json")
	}
	if decoder == nil {
		decoder = openapi3filter.RegisteredBodyDecoder("*/*")
	}
	if decoder == nil {
		return false
	}
	value, err := decoder(bytes.NewReader(req.Body), req.HTTP.Header, schema, func(name string) *openapi3.Encoding { return mt.Encoding[name] })
	if err != nil {
		return false
	}
	return plan.body.Valid(schema.Value, value)
}

// Validator returns the Validator of the operation's document for values
// travelling in direction d (see Spec.Validator). For an Operation not built
// by Load it returns a new Validator, correct but without a shared cache.
func (o *Operation) Validator(d Direction) *Validator {
	if o.plan == nil || o.plan.spec == nil {
		opts := ValidatorOptions{OpenAPI31: o.OpenAPI31, Direction: d}
		if d != DirResponse {
			opts.StringFormats = requestStringFormats()
		}
		return NewValidator(opts)
	}
	return o.plan.spec.Validator(d)
}
