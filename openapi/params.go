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

// requestPlan is what the fast path of ValidateRequest needs of an
// operation, in the order the library validates.
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

// paramCheck decodes and judges one parameter as the library does, for the
// shapes it is sure of: a primitive schema in the default style of its
// place. Anything else is left to the library (fast is false).
type paramCheck struct {
	p      *openapi3.Parameter
	v      *Validator
	fast   bool
	header string
	types  []string
	int32  bool
	schema *openapi3.Schema
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
	pc.header = http.CanonicalHeaderKey(p.Name)
	pc.types = types
	pc.int32 = s.Format == "int32"
	pc.schema = s
}

// valid reports whether the parameter is valid in req, decoding it as the
// library's decoders do (q is the parsed query). false means "ask the
// library", which knows what is wrong.
func (pc *paramCheck) valid(req Request, q url.Values) bool {
	p := pc.p
	var (
		raw            string
		found, present bool
	)
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
				return false
			}
			raw, found, present = c.Value, true, true
		}
	}
	var value any
	if present {
		v, ok := pc.parse(raw)
		if !ok {
			return false
		}
		value = v
	}
	if p.Required && !found {
		return false
	}
	if value == nil {
		return p.AllowEmptyValue || !found
	}
	if s, ok := value.(string); ok && s == "" && p.AllowEmptyValue {
		return true
	}
	return pc.v.Valid(pc.schema, value)
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

// documentBodyError is the error of a JSON request body that a schema
// compiled in its document refuses (Validator.documentError); nil
// otherwise.
func (plan *requestPlan) documentBodyError(o *Operation, req Request) error {
	rb := o.Op.RequestBody.Value
	if rb == nil || req.BodyJSON == nil {
		return nil
	}
	mt := MediaFor(rb.Content, headerValue(req.HTTP.Header, "Content-Type"))
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return plan.body.documentError(mt.Schema.Value, req.BodyJSON)
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
