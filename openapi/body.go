package openapi

import (
	"fmt"
	"mime"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// bodyKind says who reads a request body of a media type.
type bodyKind int

const (
	// bodyLibrary: JSON, text/plain and YAML, which the library's decoders
	// read as the schema means them (with the fast path for JSON).
	bodyLibrary bodyKind = iota
	// bodyForm: application/x-www-form-urlencoded, decoded by forms.go.
	bodyForm
	// bodyMultipart: multipart/form-data, decoded by forms.go.
	bodyMultipart
	// bodyBytes: anything else (images, PDFs, archives, CSV, XML…): taken
	// as bytes, checked for presence and size.
	bodyBytes
)

// kindOf returns who reads a body of the (lower-case, parameter-free)
// media type mt.
func kindOf(mt string) bodyKind {
	switch {
	case isJSONMedia(mt), mt == "text/plain", mt == "application/yaml", mt == "application/x-yaml":
		return bodyLibrary
	case mt == "application/x-www-form-urlencoded":
		return bodyForm
	case mt == "multipart/form-data":
		return bodyMultipart
	}
	return bodyBytes
}

// ownBody returns the kind of the request's body when Decoy reads it itself
// (not bodyLibrary), with the media type it was sent as; it returns
// bodyLibrary when the library does. It allocates nothing for a JSON body,
// the common case.
func (o *Operation) ownBody(contentType string) (bodyKind, string) {
	if o.Op.RequestBody == nil || o.Op.RequestBody.Value == nil || contentType == "" {
		return bodyLibrary, ""
	}
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	return kindOf(mt), mt
}

// validateOwnBody checks a body Decoy reads itself (kind is not
// bodyLibrary): a form is decoded and validated against its schema; any
// other body is checked for presence and size, and, where its schema says
// more than Decoy can check of bytes, noted once as a finding.
func (o *Operation) validateOwnBody(req Request, kind bodyKind, mt string) []Violation {
	rb := o.Op.RequestBody.Value
	key, media := mediaFor(rb.Content, mt)
	if media == nil {
		return nil // not documented: the 415 was decided before
	}
	if len(req.Body) == 0 {
		if rb.Required {
			return []Violation{{Location: "body", Code: "required", Message: "request body is required but empty"}}
		}
		return nil
	}
	var schema *openapi3.Schema
	if media.Schema != nil {
		schema = media.Schema.Value
	}
	pointer := "/paths/" + escapePointer(o.Path) + "/" + strings.ToLower(o.Method) + "/requestBody/content/" + escapePointer(key)
	var (
		value    any
		problems []Violation
		// opaque are the pointers of parts accepted unchecked.
		opaque []string
	)
	if kind != bodyBytes && schema != nil && len(schemaTypes(schema)) > 0 && !hasType(schema, openapi3.TypeObject) {
		// A form whose schema is not an object (a string, say): there are
		// no fields to decode; take it as bytes, as the spec's author may
		// have meant.
		kind = bodyBytes
	}
	switch kind {
	case bodyForm:
		value, problems = decodeURLEncoded(req.Body, schema, media.Encoding)
	case bodyMultipart:
		var boundary string
		if _, params, err := mime.ParseMediaType(headerValue(req.HTTP.Header, "Content-Type")); err == nil {
			boundary = params["boundary"]
		}
		var d *formDecoder
		value, d = decodeMultipartFields(req.Body, boundary, schema, media.Encoding)
		problems = d.problems
		for _, f := range d.opaque {
			opaque = append(opaque, "/"+escapePointer(f.name))
			o.noteFinding(Finding{Where: where(media.Origin), Pointer: pointer + "/schema/properties/" + escapePointer(f.name), Class: ClassUnsupportedMedia,
				Message: fmt.Sprintf("multipart part %q comes as %s, which Decoy cannot decode into what its schema describes: the part is accepted unchecked", f.name, f.mediaType)})
		}
	default:
		return o.checkBytes(req.Body, schema, mt, pointer, media)
	}
	if schema == nil || value == nil {
		return problems
	}
	for _, v := range problemViolations(Violation{Location: "body"}, "request body", o.Validator(DirRequest).problems(schema, value)) {
		if !slices.ContainsFunc(opaque, func(p string) bool { return v.Pointer == p || strings.HasPrefix(v.Pointer, p+"/") }) {
			problems = append(problems, v)
		}
	}
	return problems
}

// mediaFor returns the content key and media type that serve a body of
// media type mt, as the library's Content.Get finds them (exact, then
// type/*, then */*).
func mediaFor(c openapi3.Content, mt string) (string, *openapi3.MediaType) {
	media := c.Get(mt)
	if media == nil {
		return "", nil
	}
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if c[k] == media {
			return k, media
		}
	}
	return mt, media
}

// checkBytes checks a body Decoy does not decode: its size against the
// schema's minLength and maxLength (bytes, as for format: binary), and
// notes once a schema that says more than bytes can be checked for.
func (o *Operation) checkBytes(body []byte, s *openapi3.Schema, mt, pointer string, media *openapi3.MediaType) []Violation {
	if s == nil {
		return nil
	}
	var out []Violation
	size := uint64(len(body))
	if s.MaxLength != nil && size > *s.MaxLength {
		out = append(out, Violation{Location: "body", Code: "max-length",
			Message: fmt.Sprintf("request body: %d bytes of %s is more than the maxLength of %d bytes", size, mt, *s.MaxLength)})
	}
	if size < s.MinLength {
		out = append(out, Violation{Location: "body", Code: "min-length",
			Message: fmt.Sprintf("request body: %d bytes of %s is less than the minLength of %d bytes", size, mt, s.MinLength)})
	}
	if !sizeSaysAll(s) {
		o.noteFinding(Finding{Where: where(media.Origin), Pointer: pointer + "/schema", Class: ClassUnsupportedMedia,
			Message: fmt.Sprintf("Decoy has no decoder for %s request bodies: it accepts them and checks only their presence and size, not the rest of the schema", mt)})
	}
	return out
}

// sizeSaysAll reports whether checking a body's presence and size is all
// schema s asks of it: a string (binary, base64, any format) with at most
// length bounds, or no constraint at all.
func sizeSaysAll(s *openapi3.Schema) bool {
	if s.Type != nil && len(s.Type.Slice()) > 0 && !s.Type.Is(openapi3.TypeString) {
		return false
	}
	return len(s.Enum) == 0 && s.Const == nil && s.Pattern == "" && len(s.AllOf)+len(s.AnyOf)+len(s.OneOf) == 0 &&
		s.Not == nil && !objectKeywords(s) && !arrayKeywords(s) && s.Min == nil && s.Max == nil
}
