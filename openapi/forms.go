package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Form bodies (application/x-www-form-urlencoded and multipart/form-data)
// are decoded by Decoy into the JSON-like value the schema describes, then
// judged by the same Validator as JSON bodies. The library's decoders
// refuse the shapes real forms carry (arrays of objects, JSON parts inside
// objects) with messages no client should read; this decoder follows the
// OpenAPI serialization rules where the spec states them (the media type's
// encoding map: style, explode, contentType) and the conventions of the
// common form encoders where it does not:
//
//   - a primitive is coerced to the schema's type (integer, number,
//     boolean); a value that does not coerce stays a string, so the
//     validator names the field and the type it wanted. An empty value of
//     a non-string type is absent (an HTML form's empty input).
//   - an array is the repeated field (tags=a&tags=b, tags[]=a), the
//     delimited value when explode is false (ids=1,2,3; space- and
//     pipeDelimited), indexed fields (items[0]=a), or a JSON array.
//   - an object is deepObject fields (filter[color]=red), a JSON value (a
//     part whose Content-Type, or whose encoding's, is JSON, or a value
//     that is a JSON object), the pairs of a non-exploded form value
//     (color,red,size,3), or, for an exploded form object, the top-level
//     fields named by its properties.
//   - an array of objects is indexed fields (items[0][name]=x), one JSON
//     array, or one JSON object per repeated field.
//   - a file part (one with a filename) is its bytes, as a string.
//   - a part of a media type Decoy cannot decode (XML, say) whose schema
//     wants more than bytes is left out and accepted unchecked; the
//     caller records a finding.
//
// Fields the schema does not name are kept as strings, so that
// additionalProperties judges them.

// formField is one name=value of a form: a urlencoded pair or a part.
type formField struct {
	name, value string
	// json says the value is JSON: the part's Content-Type says so, or
	// the encoding's contentType does.
	json bool
	// file says the part carries a file (it has a filename): its bytes
	// are never coerced.
	file bool
	// opaque is the media type of a part Decoy has no decoder for (not
	// JSON, not text); "" for the others.
	opaque string
}

// maxFormDepth bounds the [segments] of a field name that are nested;
// deeper ones stay part of the last key.
const maxFormDepth = 16

// formDecoder builds one form's value and collects what could not be read.
type formDecoder struct {
	enc map[string]*openapi3.Encoding
	// styled says style and explode apply (urlencoded); multipart ignores
	// them, as the OpenAPI specification says.
	styled   bool
	problems []Violation
	// opaque lists the top-level fields left out of the value: parts of
	// a media type Decoy cannot decode into what their schema describes.
	opaque []opaqueField
}

type opaqueField struct{ name, mediaType string }

func (d *formDecoder) problem(pointer, code, msg string) {
	d.problems = append(d.problems, Violation{Location: "body", Pointer: pointer, Code: code,
		Message: fmt.Sprintf("request body %s: %s", pointer, msg)})
}

// decodeURLEncoded decodes an application/x-www-form-urlencoded body for
// schema s (nil: every field a string) and the media type's encoding map.
// It returns the value and the fields that could not be read.
func decodeURLEncoded(body []byte, s *openapi3.Schema, enc map[string]*openapi3.Encoding) (any, []Violation) {
	d := &formDecoder{enc: enc, styled: true}
	var fields []formField
	for pair := range strings.SplitSeq(string(body), "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			d.problem("", "parse", fmt.Sprintf("field name %q is not valid %%-encoding", clip(k)))
			continue
		}
		value, err := url.QueryUnescape(v)
		if err != nil {
			d.problem("/"+escapePointer(name), "parse", "the value is not valid %-encoding")
			continue
		}
		fields = append(fields, formField{name: name, value: value, json: d.declaredJSON(name)})
	}
	return d.build(fields, s), d.problems
}

// decodeMultipart decodes a multipart/form-data body with the boundary of
// its Content-Type, as decodeURLEncoded does.
func decodeMultipart(body []byte, boundary string, s *openapi3.Schema, enc map[string]*openapi3.Encoding) (any, []Violation) {
	v, d := decodeMultipartFields(body, boundary, s, enc)
	return v, d.problems
}

// decodeMultipartFields is decodeMultipart, returning the decoder with
// what it left out.
func decodeMultipartFields(body []byte, boundary string, s *openapi3.Schema, enc map[string]*openapi3.Encoding) (any, *formDecoder) {
	d := &formDecoder{enc: enc}
	if boundary == "" {
		d.problem("", "parse", "the multipart Content-Type has no boundary parameter")
		return nil, d
	}
	r := multipart.NewReader(bytes.NewReader(body), boundary)
	var fields []formField
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			d.problem("", "parse", "not a valid multipart body: "+err.Error())
			return nil, d
		}
		name := p.FormName()
		data, err := io.ReadAll(p)
		if err != nil {
			d.problem("/"+escapePointer(name), "parse", "the part cannot be read: "+err.Error())
			return nil, d
		}
		if name == "" {
			continue // not a form field (no Content-Disposition name)
		}
		f := formField{name: name, value: string(data), file: p.FileName() != ""}
		if ct := p.Header.Get("Content-Type"); ct != "" {
			mt, _, err := mime.ParseMediaType(ct)
			f.json = err == nil && isJSONMedia(mt)
			if err == nil && !f.json && !strings.HasPrefix(mt, "text/") {
				f.opaque = mt
			}
		} else {
			f.json = d.declaredJSON(name)
		}
		fields = append(fields, f)
	}
	return d.build(fields, s), d
}

// declaredJSON reports whether the encoding of the field's property says
// its content type is JSON.
func (d *formDecoder) declaredJSON(name string) bool {
	base, _ := splitFormName(name)
	if e := d.enc[base]; e != nil && e.ContentType != "" {
		for ct := range strings.SplitSeq(e.ContentType, ",") {
			if mt, _, err := mime.ParseMediaType(strings.TrimSpace(ct)); err == nil && isJSONMedia(mt) {
				return true
			}
		}
	}
	return false
}

func isJSONMedia(mt string) bool { return mt == "application/json" || strings.HasSuffix(mt, "+json") }

// splitFormName splits "items[0][name]" into "items" and ["0", "name"];
// a name without well-formed brackets is all base.
func splitFormName(name string) (string, []string) {
	i := strings.IndexByte(name, '[')
	if i <= 0 || !strings.HasSuffix(name, "]") {
		return name, nil
	}
	base, rest := name[:i], name[i:]
	var path []string
	for rest != "" {
		if rest[0] != '[' {
			return name, nil
		}
		j := strings.IndexByte(rest, ']')
		if j < 0 {
			return name, nil
		}
		seg := rest[1:j]
		if strings.IndexByte(seg, '[') >= 0 {
			return name, nil
		}
		path = append(path, seg)
		rest = rest[j+1:]
	}
	if len(path) > maxFormDepth {
		path = path[:maxFormDepth]
	}
	return base, path
}

// formNode is the fields of one name, and those nested under it by
// [segments].
type formNode struct {
	fields []formField
	kids   map[string]*formNode
	order  []string // kid keys, first seen first
}

func (n *formNode) kid(key string) *formNode {
	if n.kids == nil {
		n.kids = map[string]*formNode{}
	}
	k, ok := n.kids[key]
	if !ok {
		k = &formNode{}
		n.kids[key] = k
		n.order = append(n.order, key)
	}
	return k
}

// build assembles the fields into the object s describes.
func (d *formDecoder) build(fields []formField, s *openapi3.Schema) any {
	root := &formNode{}
	for _, f := range fields {
		base, path := splitFormName(f.name)
		n := root.kid(base)
		for i, seg := range path {
			if seg == "" && i == len(path)-1 {
				break // name[]: one more value of name
			}
			n = n.kid(seg)
		}
		n.fields = append(n.fields, f)
	}
	out := make(map[string]any, len(root.order))
	claimed := map[string]bool{}
	for _, name := range root.order {
		prop := propertySchema(s, name)
		if mt := opaqueFor(root.kids[name], prop); mt != "" {
			d.opaque = append(d.opaque, opaqueField{name, mt})
			claimed[name] = true
			continue
		}
		style, explode := d.style(name)
		if v, ok := d.value(root.kids[name], prop, "/"+escapePointer(name), style, explode); ok {
			out[name] = v
		}
		claimed[name] = true
	}
	// An exploded form object spreads its properties over the top level
	// (color=red&size=3 for a property "filter"): gather them when the
	// object was not given under its own name.
	if d.styled && s != nil {
		for _, name := range schemaPropertyNames(s) {
			if claimed[name] {
				continue
			}
			prop := propertySchema(s, name)
			style, explode := d.style(name)
			if prop == nil || !hasType(prop, openapi3.TypeObject) || style != openapi3.SerializationForm || !explode {
				continue
			}
			m := map[string]any{}
			for _, sub := range schemaPropertyNames(prop) {
				if n, ok := root.kids[sub]; ok && !slices.Contains(schemaPropertyNames(s), sub) {
					if v, ok := d.value(n, propertySchema(prop, sub), "/"+escapePointer(name)+"/"+escapePointer(sub), openapi3.SerializationForm, true); ok {
						m[sub] = v
						delete(out, sub)
					}
				}
			}
			if len(m) > 0 {
				out[name] = m
			}
		}
	}
	return out
}

// opaqueFor returns the media type of a part of n that Decoy cannot
// decode into what schema s describes (bytes are a string, or an array of
// strings, and nothing else); "" when every part can be read.
func opaqueFor(n *formNode, s *openapi3.Schema) string {
	if len(schemaTypes(s)) == 0 || hasType(s, openapi3.TypeString) {
		return ""
	}
	if hasType(s, openapi3.TypeArray) {
		if items := itemsSchema(s); len(schemaTypes(items)) == 0 || hasType(items, openapi3.TypeString) {
			return ""
		}
	}
	for _, f := range n.fields {
		if f.opaque != "" {
			return f.opaque
		}
	}
	return ""
}

// style returns the style and explode of a top-level property (OpenAPI's
// defaults: form, exploded).
func (d *formDecoder) style(name string) (string, bool) {
	style, explode := openapi3.SerializationForm, true
	if e := d.enc[name]; e != nil && d.styled {
		if e.Style != "" {
			style = e.Style
		}
		explode = style == openapi3.SerializationForm
		if e.Explode != nil {
			explode = *e.Explode
		}
	}
	return style, explode
}

// value is the value of node n for schema s (nil: unconstrained); ok is
// false when the field is absent (an empty value of a non-string type).
func (d *formDecoder) value(n *formNode, s *openapi3.Schema, ptr, style string, explode bool) (any, bool) {
	switch {
	case hasType(s, openapi3.TypeArray):
		return d.array(n, s, ptr, style, explode), true
	case hasType(s, openapi3.TypeObject) || s == nil && len(n.kids) > 0 && len(n.fields) == 0:
		return d.object(n, s, ptr, explode)
	}
	if len(n.fields) == 0 {
		return d.object(n, s, ptr, explode)
	}
	if s == nil && len(n.fields) > 1 {
		// An unconstrained repeated field: all its values.
		out := make([]any, len(n.fields))
		for i, f := range n.fields {
			out[i], _ = d.scalar(f, nil, ptr)
		}
		return out, true
	}
	return d.scalar(n.fields[0], s, ptr)
}

// scalar is one field's value for schema s.
func (d *formDecoder) scalar(f formField, s *openapi3.Schema, ptr string) (any, bool) {
	if f.json {
		return d.json(f, ptr)
	}
	if f.file {
		return f.value, true
	}
	return coerce(f.value, s)
}

func (d *formDecoder) json(f formField, ptr string) (any, bool) {
	dec := json.NewDecoder(strings.NewReader(f.value))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		d.problem(ptr, "parse", "the value is not valid JSON")
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		d.problem(ptr, "parse", "the value is not valid JSON")
		return nil, false
	}
	return v, true
}

// looksJSON reports whether an untyped value is meant as a JSON object or
// array (a client that serializes nested values as JSON without saying so).
func looksJSON(v string) bool {
	v = strings.TrimSpace(v)
	return len(v) >= 2 && (v[0] == '{' && v[len(v)-1] == '}' || v[0] == '[' && v[len(v)-1] == ']') && json.Valid([]byte(v))
}

func (d *formDecoder) array(n *formNode, s *openapi3.Schema, ptr, style string, explode bool) []any {
	items := itemsSchema(s)
	structured := hasType(items, openapi3.TypeObject) || hasType(items, openapi3.TypeArray)
	out := []any{}
	for _, f := range n.fields {
		itemPtr := ptr + "/" + strconv.Itoa(len(out))
		switch {
		case f.json || !f.file && looksJSON(f.value) && (structured || strings.HasPrefix(strings.TrimSpace(f.value), "[")):
			v, ok := d.json(f, itemPtr)
			if !ok {
				continue
			}
			if list, isList := v.([]any); isList && !hasType(items, openapi3.TypeArray) {
				out = append(out, list...)
				continue
			}
			out = append(out, v)
		case !explode && !f.file:
			sep := ","
			switch style {
			case openapi3.SerializationSpaceDelimited:
				sep = " "
			case openapi3.SerializationPipeDelimited:
				sep = "|"
			}
			if f.value == "" {
				continue
			}
			for part := range strings.SplitSeq(f.value, sep) {
				v, _ := coerceItem(part, items)
				out = append(out, v)
			}
		case f.file:
			out = append(out, f.value)
		default:
			v, _ := coerceItem(f.value, items)
			out = append(out, v)
		}
	}
	for _, key := range indexOrder(n) {
		if v, ok := d.value(n.kids[key], items, ptr+"/"+strconv.Itoa(len(out)), openapi3.SerializationForm, true); ok {
			out = append(out, v)
		}
	}
	return out
}

// coerceItem is coerce for an array item, where an empty value is still an
// item: the validator then says what it should have been.
func coerceItem(raw string, s *openapi3.Schema) (any, bool) {
	if v, ok := coerce(raw, s); ok {
		return v, true
	}
	return raw, true
}

// indexOrder returns n's kid keys: numeric indexes in ascending order, then
// the others as first seen.
func indexOrder(n *formNode) []string {
	keys := slices.Clone(n.order)
	slices.SortStableFunc(keys, func(a, b string) int {
		ia, ea := strconv.Atoi(a)
		ib, eb := strconv.Atoi(b)
		switch {
		case ea == nil && eb == nil:
			return ia - ib
		case ea == nil:
			return -1
		case eb == nil:
			return 1
		}
		return 0
	})
	return keys
}

func (d *formDecoder) object(n *formNode, s *openapi3.Schema, ptr string, explode bool) (any, bool) {
	m := map[string]any{}
	for _, f := range n.fields {
		switch {
		case f.json || !f.file && looksJSON(f.value):
			v, ok := d.json(f, ptr)
			if !ok {
				continue
			}
			if obj, isObj := v.(map[string]any); isObj && len(n.fields) == 1 {
				for k, val := range obj {
					m[k] = val
				}
				continue
			}
			if len(n.fields) == 1 && len(n.kids) == 0 {
				return v, true // not an object: the validator says so
			}
		case !explode && !f.file:
			// color,red,size,3
			parts := strings.Split(f.value, ",")
			if len(parts)%2 != 0 {
				return f.value, true
			}
			for i := 0; i < len(parts); i += 2 {
				if v, ok := coerce(parts[i+1], propertySchema(s, parts[i])); ok {
					m[parts[i]] = v
				}
			}
		default:
			if len(n.fields) == 1 && len(n.kids) == 0 {
				if f.value == "" && !hasType(s, openapi3.TypeString) {
					return nil, false
				}
				return f.value, true // a lone string: the validator says what it wanted
			}
		}
	}
	for _, key := range n.order {
		if v, ok := d.value(n.kids[key], propertySchema(s, key), ptr+"/"+escapePointer(key), openapi3.SerializationForm, true); ok {
			m[key] = v
		}
	}
	return m, true
}

// coerce converts a form value to the first of s's types it reads as,
// else keeps the string (the validator then says what type it wanted).
// ok is false for an empty value of a schema without the string type: the
// field is absent.
func coerce(raw string, s *openapi3.Schema) (any, bool) {
	types := schemaTypes(s)
	if len(types) == 0 {
		return raw, true
	}
	if raw == "" && !slices.Contains(types, openapi3.TypeString) {
		if slices.Contains(types, openapi3.TypeNull) {
			return nil, true
		}
		return nil, false
	}
	for _, t := range types {
		switch t {
		case openapi3.TypeInteger:
			if n, err := strconv.ParseInt(raw, 10, 64); err == nil {
				return json.Number(strconv.FormatInt(n, 10)), true
			}
		case openapi3.TypeNumber:
			if f, err := strconv.ParseFloat(raw, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
				return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), true
			}
		case openapi3.TypeBoolean:
			switch strings.ToLower(raw) {
			case "true", "1", "on":
				return true, true
			case "false", "0", "off":
				return false, true
			}
		case openapi3.TypeNull:
			if raw == "null" {
				return nil, true
			}
		case openapi3.TypeString:
			return raw, true
		}
	}
	return raw, true
}

// schemaTypes returns the types s allows, looking through allOf, anyOf and
// oneOf when s names none; an object or array schema without a type says
// so with its keywords.
func schemaTypes(s *openapi3.Schema) []string {
	return schemaTypesDepth(s, 0)
}

func schemaTypesDepth(s *openapi3.Schema, depth int) []string {
	if s == nil || depth > 8 {
		return nil
	}
	if s.Type != nil && len(s.Type.Slice()) > 0 {
		return s.Type.Slice()
	}
	var out []string
	for _, list := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
		for _, ref := range list {
			if ref != nil {
				for _, t := range schemaTypesDepth(ref.Value, depth+1) {
					if !slices.Contains(out, t) {
						out = append(out, t)
					}
				}
			}
		}
	}
	if len(out) == 0 {
		switch {
		case len(s.Properties) > 0 || s.AdditionalProperties.Schema != nil:
			out = []string{openapi3.TypeObject}
		case s.Items != nil:
			out = []string{openapi3.TypeArray}
		}
	}
	return out
}

func hasType(s *openapi3.Schema, t string) bool { return slices.Contains(schemaTypes(s), t) }

// propertySchema is the schema of property name of s: its own, one of
// allOf, anyOf or oneOf's, else additionalProperties'; nil when none says.
func propertySchema(s *openapi3.Schema, name string) *openapi3.Schema {
	return propertySchemaDepth(s, name, 0)
}

func propertySchemaDepth(s *openapi3.Schema, name string, depth int) *openapi3.Schema {
	if s == nil || depth > 8 {
		return nil
	}
	if ref := s.Properties[name]; ref != nil {
		return ref.Value
	}
	for _, list := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
		for _, ref := range list {
			if ref != nil {
				if p := propertySchemaDepth(ref.Value, name, depth+1); p != nil {
					return p
				}
			}
		}
	}
	if ap := s.AdditionalProperties.Schema; ap != nil {
		return ap.Value
	}
	return nil
}

// schemaPropertyNames lists the properties s names, its combinators'
// included, sorted.
func schemaPropertyNames(s *openapi3.Schema) []string {
	var out []string
	var walk func(s *openapi3.Schema, depth int)
	walk = func(s *openapi3.Schema, depth int) {
		if s == nil || depth > 8 {
			return
		}
		for name := range s.Properties {
			if !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
		for _, list := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
			for _, ref := range list {
				if ref != nil {
					walk(ref.Value, depth+1)
				}
			}
		}
	}
	walk(s, 0)
	slices.Sort(out)
	return out
}

// itemsSchema is the items schema of an array schema s (or of one of its
// combinators); nil when none says.
func itemsSchema(s *openapi3.Schema) *openapi3.Schema {
	return itemsSchemaDepth(s, 0)
}

func itemsSchemaDepth(s *openapi3.Schema, depth int) *openapi3.Schema {
	if s == nil || depth > 8 {
		return nil
	}
	if s.Items != nil {
		return s.Items.Value
	}
	for _, list := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
		for _, ref := range list {
			if ref != nil {
				if it := itemsSchemaDepth(ref.Value, depth+1); it != nil {
					return it
				}
			}
		}
	}
	return nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
