package upstream

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/decoy-mock/decoy/openapi"
)

// Response violation codes, beside the schema codes of openapi.Violation
// ("required", "type", "enum"…).
const (
	// CodeUndocumentedStatus: the operation documents no response for
	// the status (and no default).
	CodeUndocumentedStatus = "undocumented-status"
	// CodeUndocumentedContentType: the response's media type is not one
	// the spec documents for the status.
	CodeUndocumentedContentType = "undocumented-content-type"
	// CodeMissingContentType: a body without a Content-Type.
	CodeMissingContentType = "missing-content-type"
	// CodeUnexpectedBody: a body where the spec documents none.
	CodeUnexpectedBody = "unexpected-body"
)

// Response is what CheckResponse needs of an answer.
type Response struct {
	Status int
	Header http.Header
	// Body is the whole body; Complete false says it was cut (a body
	// larger than the bound), so the body's schema is not checked.
	Body     []byte
	Complete bool
	// Head says the request was a HEAD: no body is expected.
	Head bool
}

// CheckResponse checks resp, an answer to op, against the spec: the status
// is documented, every documented header is there when required and
// matches its schema, the media type is documented, and a JSON body
// matches its schema. It returns the violations found, each with
// Location "status", "header", "content-type" or "body"; nil means the
// answer keeps the contract.
func CheckResponse(op *openapi.Operation, resp Response) []openapi.Violation {
	doc := op.LookupOrDefault(resp.Status)
	if doc == nil {
		return []openapi.Violation{{Location: "status", Code: CodeUndocumentedStatus,
			Message: fmt.Sprintf("response status %d is not documented for %s (documented: %s)", resp.Status, op.ID, strings.Join(op.Statuses(), ", "))}}
	}
	var out []openapi.Violation
	for _, h := range doc.Headers {
		out = append(out, checkHeader(op, h, resp.Header)...)
	}
	if resp.Head || resp.Status == http.StatusNoContent || resp.Status == http.StatusNotModified || (resp.Complete && len(resp.Body) == 0) {
		return out
	}
	ct := resp.Header.Get("Content-Type")
	if len(doc.Content) == 0 {
		return append(out, openapi.Violation{Location: "body", Code: CodeUnexpectedBody,
			Message: fmt.Sprintf("the %s response of %s documents no body, and one was sent (%s)", doc.Code, op.ID, describeType(ct))})
	}
	if ct == "" {
		return append(out, openapi.Violation{Location: "content-type", Code: CodeMissingContentType,
			Message: fmt.Sprintf("response body has no Content-Type (documented: %s)", mediaTypes(doc))})
	}
	media := matchMedia(doc, ct)
	if media == nil {
		return append(out, openapi.Violation{Location: "content-type", Code: CodeUndocumentedContentType,
			Message: fmt.Sprintf("response Content-Type %q is not documented for status %d (documented: %s)", ct, resp.Status, mediaTypes(doc))})
	}
	if !resp.Complete || !media.JSON || media.Schema == nil || media.Schema.Value == nil {
		return out
	}
	return append(out, checkBody(op, media.Schema.Value, resp.Body)...)
}

func describeType(ct string) string {
	if ct == "" {
		return "no Content-Type"
	}
	return ct
}

func mediaTypes(r *openapi.Response) string {
	types := make([]string, len(r.Content))
	for i, m := range r.Content {
		types[i] = m.Type
	}
	return strings.Join(types, ", ")
}

// matchMedia finds the documented media type ct falls under: the same type,
// else a documented range ("application/*", "*/*").
func matchMedia(r *openapi.Response, ct string) *openapi.Media {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil
	}
	var ranged *openapi.Media
	for _, m := range r.Content {
		doc, _, err := mime.ParseMediaType(m.Type)
		if err != nil {
			doc = strings.ToLower(strings.TrimSpace(m.Type))
		}
		switch {
		case doc == mt:
			return m
		case doc == "*/*", strings.HasSuffix(doc, "/*") && strings.HasPrefix(mt, strings.TrimSuffix(doc, "*")):
			if ranged == nil {
				ranged = m
			}
		}
	}
	return ranged
}

// checkBody decodes a JSON body and checks it against s.
func checkBody(op *openapi.Operation, s *openapi3.Schema, body []byte) []openapi.Violation {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return []openapi.Violation{{Location: "body", Code: "parse", Message: "response body is not valid JSON: " + err.Error()}}
	}
	if _, err := dec.Token(); err != io.EOF {
		return []openapi.Violation{{Location: "body", Code: "parse", Message: "response body: unexpected data after the JSON value"}}
	}
	if op.Validator(openapi.DirResponse).Valid(s, v) {
		return nil
	}
	err := s.VisitJSON(v, schemaOptions(op)...)
	if err == nil {
		return nil
	}
	errs := openapi.SchemaErrors(err)
	if len(errs) == 0 {
		return []openapi.Violation{{Location: "body", Code: "invalid", Message: "response body: " + err.Error()}}
	}
	out := make([]openapi.Violation, 0, len(errs))
	seen := map[string]bool{}
	for _, se := range errs {
		v := openapi.Violation{Location: "body", Code: schemaCode(se)}
		if ptr := se.JSONPointer(); len(ptr) > 0 {
			v.Pointer = "/" + strings.Join(escapeAll(ptr), "/")
		}
		msg := openapi.SchemaErrorMessage(se)
		if v.Pointer != "" {
			msg = strings.TrimPrefix(msg, v.Pointer+": ")
			v.Message = "response body " + v.Pointer + ": " + msg
		} else {
			v.Message = "response body: " + msg
		}
		if seen[v.Message] {
			continue
		}
		seen[v.Message] = true
		out = append(out, v)
	}
	return out
}

func schemaOptions(op *openapi.Operation) []openapi3.SchemaValidationOption {
	opts := []openapi3.SchemaValidationOption{openapi3.MultiErrors(), openapi3.VisitAsResponse(), openapi.PatternOption()}
	if op.OpenAPI31 {
		opts = append(opts, openapi3.EnableJSONSchema2020())
	}
	return opts
}

// schemaCode is the kebab-case kind of a schema error: its keyword.
func schemaCode(se *openapi3.SchemaError) string {
	switch f := se.SchemaField; f {
	case "":
		return "invalid"
	case "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties", "uniqueItems",
		"additionalProperties", "multipleOf", "exclusiveMinimum", "exclusiveMaximum", "oneOf", "anyOf", "allOf":
		var b strings.Builder
		for i, r := range f {
			if r >= 'A' && r <= 'Z' {
				if i > 0 {
					b.WriteByte('-')
				}
				r += 'a' - 'A'
			}
			b.WriteRune(r)
		}
		return b.String()
	default:
		return f
	}
}

func escapeAll(toks []string) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1")
	}
	return out
}

// checkHeader checks one documented response header.
func checkHeader(op *openapi.Operation, h *openapi.Header, got http.Header) []openapi.Violation {
	values := got.Values(h.Name)
	if len(values) == 0 {
		if h.Required {
			return []openapi.Violation{{Location: "header", Parameter: h.Name, Code: "required",
				Message: fmt.Sprintf("response header %s is required and missing", h.Name)}}
		}
		return nil
	}
	if h.Schema == nil || h.Schema.Value == nil {
		return nil
	}
	raw := strings.Join(values, ", ")
	v := headerValue(h.Schema.Value, raw)
	err := h.Schema.Value.VisitJSON(v, schemaOptions(op)...)
	if err == nil {
		return nil
	}
	errs := openapi.SchemaErrors(err)
	msg := openapi.SchemaErrorMessage(err)
	code := "invalid"
	if len(errs) > 0 {
		code = schemaCode(errs[0])
	}
	return []openapi.Violation{{Location: "header", Parameter: h.Name, Code: code,
		Message: fmt.Sprintf("response header %s: %q: %s", h.Name, raw, msg)}}
}

// headerValue reads a header's text as the value its schema's type asks
// for (the "simple" style: an array is comma-separated); text that does
// not parse stays a string, which the schema then refuses by type.
func headerValue(s *openapi3.Schema, raw string) any {
	if s.Type == nil {
		return raw
	}
	for _, t := range s.Type.Slice() {
		switch t {
		case openapi3.TypeInteger:
			if n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64); err == nil {
				return n
			}
		case openapi3.TypeNumber:
			if f, err := strconv.ParseFloat(strings.TrimSpace(raw), 64); err == nil {
				return f
			}
		case openapi3.TypeBoolean:
			if b, err := strconv.ParseBool(strings.TrimSpace(raw)); err == nil {
				return b
			}
		case openapi3.TypeArray:
			parts := strings.Split(raw, ",")
			out := make([]any, len(parts))
			for i, p := range parts {
				out[i] = strings.TrimSpace(p)
				if s.Items != nil && s.Items.Value != nil {
					out[i] = headerValue(s.Items.Value, strings.TrimSpace(p))
				}
			}
			return out
		case openapi3.TypeString:
			return raw
		}
	}
	return raw
}
