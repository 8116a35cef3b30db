package openapi

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// This file makes a decoded document servable whatever its flaws, each
// repair a finding: the document-level ones (info, response descriptions,
// path keys, path parameters, the other dialect's forms), and the
// problems kin-openapi's validation still reports, which become findings
// instead of reasons to refuse.

// repairs collects the raw-tree repairs of a load (normalizeRaw) across
// the files it reads, and how to map their new lines to the original ones.
type repairs struct {
	// active repairs every file; inactive, only files with an operation
	// given as a $ref (which decode, emptied, rather than fail).
	active   bool
	read     func(name string) ([]byte, error)
	version  string
	findings []Finding
	// lines maps, per file of fsys, a line of the repaired text to the
	// line the user wrote.
	lines map[string]map[int]int
}

// file repairs a file reached by $ref, as the top of a document would be.
func (r *repairs) file(name string, data []byte) []byte {
	if !r.active && !hasOperationRef(data) {
		return data
	}
	version := r.version
	if version == "" {
		version = "3.0"
	}
	norm, changed, err := normalizeRaw(data, name, version, kindAuto, r.read)
	if err != nil || !changed {
		return data
	}
	r.findings = append(r.findings, norm.findings...)
	r.lines[name] = norm.lines
	return norm.data
}

// original maps "file:line:col" in a repaired file to the line the user
// wrote; other places are returned as they are.
func (r *repairs) original(where string) string {
	file, rest, ok := strings.Cut(where, ":")
	if !ok || r == nil || r.lines[file] == nil {
		return where
	}
	lineText, col, _ := strings.Cut(rest, ":")
	line, err := strconv.Atoi(lineText)
	if err != nil {
		return where
	}
	// Findings made by normalizeRaw already name original lines; they are
	// kept apart by not being looked up here (see Load).
	if orig, ok := r.lines[file][line]; ok {
		line = orig
	}
	if col != "" {
		return fmt.Sprintf("%s:%d:%s", file, line, col)
	}
	return fmt.Sprintf("%s:%d", file, line)
}

// repairable reports whether a load error may go away with the raw tree
// repaired: not a file that is neither JSON nor YAML, nor a hostile one.
func repairable(err error) bool {
	var bad *invalidJSONError
	if errors.As(err, &bad) || errors.Is(err, errRemoteRef) {
		return false
	}
	msg := err.Error()
	return !strings.Contains(msg, "leaves") && !strings.Contains(msg, "larger than") &&
		!strings.Contains(msg, "symbolic link") && !strings.Contains(msg, "not YAML or JSON")
}

// rawVersion reads the version a document says it is: "2.0", "3.0" or
// "3.1" ("3.0" when it cannot tell), without decoding the whole document.
func rawVersion(data []byte) string {
	if m := versionKey.FindSubmatch(data); m != nil {
		switch {
		case string(m[1]) == "swagger":
			return "2.0"
		case bytes.HasPrefix(m[2], []byte("3.1")):
			return "3.1"
		}
		return "3.0"
	}
	return "3.0"
}

// versionKey finds the top-level version key of a JSON or YAML document.
var versionKey = regexp.MustCompile(`(?m)(?:^|[{,]\s*)["']?(openapi|swagger)["']?\s*:\s*["']?([0-9.]*)`)

// repairDocument mends, in place, the flaws of a decoded document that
// would stop it from being served as its author meant, and returns a
// finding for each.
func repairDocument(doc *openapi3.T, version string) []Finding {
	r := &docRepair{doc: doc, version: version}
	r.info()
	r.paths()
	r.schemas()
	return r.findings
}

type docRepair struct {
	doc      *openapi3.T
	version  string
	findings []Finding
}

func (r *docRepair) add(origin *openapi3.Origin, pointer, class, format string, args ...any) {
	r.findings = append(r.findings, Finding{Where: where(origin), Pointer: pointer, Class: class, Message: fmt.Sprintf(format, args...)})
}

func (r *docRepair) info() {
	if r.doc.Info == nil {
		r.doc.Info = &openapi3.Info{Title: "untitled", Version: "unversioned"}
		r.add(nil, "/info", ClassInfo, "info is missing; Decoy calls the API %q, version %q", "untitled", "unversioned")
		return
	}
	if strings.TrimSpace(r.doc.Info.Title) == "" {
		r.doc.Info.Title = "untitled"
		r.add(r.doc.Info.Origin, "/info/title", ClassInfo, "info.title is empty; Decoy calls the API %q", "untitled")
	}
	if strings.TrimSpace(r.doc.Info.Version) == "" {
		r.doc.Info.Version = "unversioned"
		r.add(r.doc.Info.Origin, "/info/version", ClassInfo, "info.version is empty; Decoy calls it %q", "unversioned")
	}
}

// paths mends path keys with a query string, path parameters that are
// used but not declared or declared but not used, and responses without
// a description.
func (r *docRepair) paths() {
	if r.doc.Paths == nil {
		r.doc.Paths = openapi3.NewPaths()
		return
	}
	for _, key := range documentOrder(r.doc.Paths) {
		item := r.doc.Paths.Value(key)
		if item == nil {
			continue
		}
		p := key
		if base, query, ok := strings.Cut(key, "?"); ok {
			p = base
			if p == "" {
				p = "/"
			}
			r.doc.Paths.Delete(key)
			if prev := r.doc.Paths.Value(p); prev != nil {
				r.add(item.Origin, "/paths/"+escapePointer(key), ClassPathQuery, "the path key has a query string (?%s), and %q is also a path of the document; Decoy serves the methods %q does not have", query, p, p)
				for method, op := range item.Operations() {
					if prev.GetOperation(method) == nil {
						prev.SetOperation(method, op)
						r.queryParams(op, query)
					}
				}
				item = prev
			} else {
				r.add(item.Origin, "/paths/"+escapePointer(key), ClassPathQuery, "the path key has a query string (?%s); Decoy routes %s and reads the query's parameters from the query", query, p)
				r.doc.Paths.Set(p, item)
				for _, op := range item.Operations() {
					r.queryParams(op, query)
				}
			}
		}
		r.pathParams(p, item)
		r.headerParams(p, item)
		for method, op := range item.Operations() {
			r.responses(p, method, op)
		}
	}
}

// documentOrder lists the keys of paths in the order the document writes
// them (the library's map has none), by their line.
func documentOrder(paths *openapi3.Paths) []string {
	keys := paths.InMatchingOrder()
	line := func(k string) int {
		if item := paths.Value(k); item != nil && item.Origin != nil && item.Origin.Key != nil {
			return item.Origin.Key.Line
		}
		return 0
	}
	slices.SortStableFunc(keys, func(a, b string) int {
		if la, lb := line(a), line(b); la != lb {
			return la - lb
		}
		return strings.Compare(a, b)
	})
	return keys
}

// queryParams declares, as optional string query parameters, the
// parameters a query string in a path key names that the operation does
// not declare.
func (r *docRepair) queryParams(op *openapi3.Operation, query string) {
	for _, pair := range strings.Split(query, "&") {
		name, _, _ := strings.Cut(pair, "=")
		if name == "" || op.Parameters.GetByInAndName("query", name) != nil {
			continue
		}
		op.Parameters = append(op.Parameters, &openapi3.ParameterRef{Value: openapi3.NewQueryParameter(name).WithSchema(openapi3.NewStringSchema())})
	}
}

// pathParams declares, as strings, the template's parameters that neither
// the path item nor the operation declares, and leaves out path parameters
// the template does not have.
func (r *docRepair) pathParams(p string, item *openapi3.PathItem) {
	inTemplate := map[string]bool{}
	for _, m := range paramRE.FindAllStringSubmatch(p, -1) {
		inTemplate[m[1]] = true
	}
	pointer := "/paths/" + escapePointer(p)
	item.Parameters = r.dropPathParams(item.Parameters, inTemplate, pointer, p)
	for _, method := range sortedMethods(item) {
		op := item.GetOperation(method)
		at := pointer + "/" + strings.ToLower(method)
		op.Parameters = r.dropPathParams(op.Parameters, inTemplate, at, p)
		for _, m := range paramRE.FindAllStringSubmatch(p, -1) {
			name := m[1]
			if op.Parameters.GetByInAndName("path", name) != nil || item.Parameters.GetByInAndName("path", name) != nil {
				continue
			}
			r.add(op.Origin, at, ClassPathParameter, "path parameter %q is in the template but not declared; Decoy serves it as a string", name)
			op.Parameters = append(op.Parameters, &openapi3.ParameterRef{Value: openapi3.NewPathParameter(name).WithSchema(openapi3.NewStringSchema())})
		}
	}
}

func (r *docRepair) dropPathParams(params openapi3.Parameters, inTemplate map[string]bool, pointer, p string) openapi3.Parameters {
	kept := params[:0:0]
	for i, ref := range params {
		if ref != nil && ref.Value != nil && ref.Value.In == openapi3.ParameterInPath {
			if !inTemplate[ref.Value.Name] {
				r.add(ref.Value.Origin, fmt.Sprintf("%s/parameters/%d", pointer, i), ClassPathParameter, "path parameter %q is declared but not in the template %s; Decoy ignores it", ref.Value.Name, p)
				continue
			}
			if !ref.Value.Required {
				// The library refuses a path parameter that is not required;
				// a path parameter always is.
				r.add(ref.Value.Origin, fmt.Sprintf("%s/parameters/%d", pointer, i), ClassPathParameter, "path parameter %q does not say required: true; Decoy treats it as required, as every path parameter is", ref.Value.Name)
				v := *ref.Value
				v.Required = true
				ref = &openapi3.ParameterRef{Ref: ref.Ref, Value: &v}
			}
		}
		kept = append(kept, ref)
	}
	if len(kept) == len(params) {
		return params
	}
	return kept
}

// ignoredHeaders are header parameters OpenAPI says to ignore (Accept,
// Content-Type and Authorization are said by the media types and security
// schemes) or that an HTTP server never passes on (hop-by-hop headers).
var ignoredHeaders = map[string]string{
	"Accept":            "OpenAPI says a header parameter named Accept is ignored (the responses' media types say it)",
	"Content-Type":      "OpenAPI says a header parameter named Content-Type is ignored (the request body's media types say it)",
	"Authorization":     "OpenAPI says a header parameter named Authorization is ignored (security schemes say it)",
	"Transfer-Encoding": "Transfer-Encoding is hop-by-hop: an HTTP server consumes it, so a mock cannot check it",
	"Connection":        "Connection is hop-by-hop: an HTTP server consumes it, so a mock cannot check it",
	"Te":                "TE is hop-by-hop: an HTTP server consumes it, so a mock cannot check it",
	"Upgrade":           "Upgrade is hop-by-hop: an HTTP server consumes it, so a mock cannot check it",
}

// headerParams leaves out header parameters that cannot be checked.
func (r *docRepair) headerParams(p string, item *openapi3.PathItem) {
	pointer := "/paths/" + escapePointer(p)
	drop := func(params openapi3.Parameters, at string) openapi3.Parameters {
		kept := params[:0:0]
		for i, ref := range params {
			if ref != nil && ref.Value != nil && ref.Value.In == openapi3.ParameterInHeader {
				if why, ok := ignoredHeaders[http.CanonicalHeaderKey(ref.Value.Name)]; ok {
					r.add(ref.Value.Origin, fmt.Sprintf("%s/parameters/%d", at, i), ClassInvalid, "header parameter %q: %s; Decoy does not check it", ref.Value.Name, why)
					continue
				}
			}
			kept = append(kept, ref)
		}
		if len(kept) == len(params) {
			return params
		}
		return kept
	}
	item.Parameters = drop(item.Parameters, pointer)
	for _, method := range sortedMethods(item) {
		op := item.GetOperation(method)
		op.Parameters = drop(op.Parameters, pointer+"/"+strings.ToLower(method))
	}
}

func sortedMethods(item *openapi3.PathItem) []string {
	var methods []string
	for m := range item.Operations() {
		methods = append(methods, m)
	}
	slices.Sort(methods)
	return methods
}

// responses gives every response a description (the library refuses one
// without) and an operation with no responses a default one.
func (r *docRepair) responses(p, method string, op *openapi3.Operation) {
	pointer := "/paths/" + escapePointer(p) + "/" + strings.ToLower(method) + "/responses"
	if op.Responses == nil || op.Responses.Len() == 0 {
		r.add(op.Origin, pointer, ClassInvalid, "the operation documents no response; Decoy answers 200 with no body")
		op.Responses = openapi3.NewResponses(openapi3.WithStatus(200, &openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription("")}))
		return
	}
	codes := op.Responses.Map()
	keys := make([]string, 0, len(codes))
	for code := range codes {
		keys = append(keys, code)
	}
	slices.Sort(keys)
	for _, code := range keys {
		ref := codes[code]
		if ref == nil || ref.Value == nil || ref.Value.Description != nil {
			continue
		}
		r.add(ref.Value.Origin, pointer+"/"+code, ClassResponseDescription, "the response has no description (OpenAPI requires one)")
		empty := ""
		ref.Value.Description = &empty
	}
	for _, code := range keys {
		ref := codes[code]
		if (code == "204" || code == "304") && ref != nil && ref.Value != nil && len(ref.Value.Content) > 0 {
			r.add(ref.Value.Origin, pointer+"/"+code+"/content", ClassInvalid, "a %s response has no body in HTTP, so its documented content cannot be sent; Decoy answers %s with no body", code, code)
			v := *ref.Value
			v.Content = nil
			codes[code] = &openapi3.ResponseRef{Ref: ref.Ref, Value: &v}
			op.Responses.Set(code, codes[code])
		}
	}
}

// schemas mends, in every schema of the document once, the forms of the
// other dialect that have one meaning, and defaults that break their own
// schema; the same walk notes patterns Decoy cannot match with RE2,
// formats it does not assert, and schemas no value can meet.
func (r *docRepair) schemas() {
	formats := newFormatFinder()
	eachSchema(r.doc, func(pointer string, s *openapi3.Schema) {
		r.schema(pointer, s)
		if f, ok := patternFinding(pointer, s); ok {
			r.findings = append(r.findings, f)
		}
		r.findings = append(r.findings, unsatisfiable(pointer, s)...)
		formats.visit(pointer, s)
	})
	r.findings = append(r.findings, formats.findings()...)
}

func (r *docRepair) schema(pointer string, s *openapi3.Schema) {
	if r.version != "3.1" {
		if s.Type != nil && len(*s.Type) > 1 {
			var other []string
			null := false
			for _, t := range *s.Type {
				if t == "null" {
					null = true
				} else {
					other = append(other, t)
				}
			}
			if null && len(other) == 1 {
				r.add(s.Origin, pointer+"/type", ClassWrongDialect, "type [%s, null] is OpenAPI 3.1; Decoy reads it as type %s with nullable: true", other[0], other[0])
				s.Type = &openapi3.Types{other[0]}
				s.Nullable = true
			} else {
				r.add(s.Origin, pointer+"/type", ClassWrongDialect, "a list of types is OpenAPI 3.1; Decoy accepts any of %s", strings.Join(*s.Type, ", "))
				s.AnyOf = append(s.AnyOf, typeAlternatives(other, null)...)
				s.Type = nil
			}
		}
		r.keywords31(pointer, s)
		if v := s.ExclusiveMin.Value; v != nil {
			r.add(s.Origin, pointer+"/exclusiveMinimum", ClassWrongDialect, "exclusiveMinimum: %v is the OpenAPI 3.1 form; Decoy reads it as minimum: %v, exclusiveMinimum: true", *v, *v)
			s.Min = v
			t := true
			s.ExclusiveMin = openapi3.ExclusiveBound{Bool: &t}
		}
		if v := s.ExclusiveMax.Value; v != nil {
			r.add(s.Origin, pointer+"/exclusiveMaximum", ClassWrongDialect, "exclusiveMaximum: %v is the OpenAPI 3.1 form; Decoy reads it as maximum: %v, exclusiveMaximum: true", *v, *v)
			s.Max = v
			t := true
			s.ExclusiveMax = openapi3.ExclusiveBound{Bool: &t}
		}
	} else {
		if b := s.ExclusiveMin.Bool; b != nil {
			r.add(s.Origin, pointer+"/exclusiveMinimum", ClassWrongDialect, "exclusiveMinimum: %v is the OpenAPI 3.0 form; Decoy reads it as the 3.1 form", *b)
			s.ExclusiveMin = openapi3.ExclusiveBound{}
			if *b && s.Min != nil {
				s.ExclusiveMin.Value, s.Min = s.Min, nil
			}
		}
		if b := s.ExclusiveMax.Bool; b != nil {
			r.add(s.Origin, pointer+"/exclusiveMaximum", ClassWrongDialect, "exclusiveMaximum: %v is the OpenAPI 3.0 form; Decoy reads it as the 3.1 form", *b)
			s.ExclusiveMax = openapi3.ExclusiveBound{}
			if *b && s.Max != nil {
				s.ExclusiveMax.Value, s.Max = s.Max, nil
			}
		}
	}
	if s.Nullable && (s.Type == nil || len(*s.Type) == 0) && len(s.AllOf)+len(s.AnyOf)+len(s.OneOf) == 0 {
		r.add(s.Origin, pointer+"/nullable", ClassWrongDialect, "nullable without a type says nothing in OpenAPI 3.0 (it qualifies type); Decoy accepts any value here, null included")
	}
	if s.Example != nil && s.Type != nil {
		if err := s.VisitJSON(s.Example, openapi3.MultiErrors(), openapi3.DisablePatternValidation()); err != nil {
			r.add(s.Origin, pointer+"/example", ClassBadExample, "example %s does not match its own schema (%s); Decoy generates data instead", compactJSON(s.Example), firstLine(SchemaErrorMessage(err)))
			s.Example = nil
		}
	}
	if s.Default != nil && s.Type != nil {
		if err := s.VisitJSON(s.Default, openapi3.MultiErrors(), openapi3.DisablePatternValidation()); err != nil {
			r.add(s.Origin, pointer+"/default", ClassBadDefault, "default %s does not match its own schema (%s); Decoy ignores it", compactJSON(s.Default), firstLine(SchemaErrorMessage(err)))
			s.Default = nil
		}
	}
}

// keywords31 mends a 3.0 schema that uses keywords of OpenAPI 3.1: a list
// of examples becomes the example; keywords the 3.0 dialect has no
// meaning for are ignored, each with a finding.
func (r *docRepair) keywords31(pointer string, s *openapi3.Schema) {
	if len(s.Examples) > 0 {
		if s.Example == nil {
			s.Example = s.Examples[0]
			r.add(s.Origin, pointer+"/examples", ClassWrongDialect, "examples (a list) in a schema is OpenAPI 3.1; Decoy uses its first value as the example")
		} else {
			r.add(s.Origin, pointer+"/examples", ClassWrongDialect, "examples (a list) in a schema is OpenAPI 3.1; Decoy uses example instead")
		}
		s.Examples = nil
	}
	ignore := func(keyword string, set bool, clear func()) {
		if set {
			r.add(s.Origin, pointer+"/"+keyword, ClassWrongDialect, "%s is an OpenAPI 3.1 keyword; a 3.0 document cannot use it, so Decoy ignores it", keyword)
			clear()
		}
	}
	ignore("const", s.Const != nil, func() { s.Const = nil })
	ignore("contains", s.Contains != nil, func() { s.Contains = nil })
	ignore("minContains", s.MinContains != nil, func() { s.MinContains = nil })
	ignore("maxContains", s.MaxContains != nil, func() { s.MaxContains = nil })
	ignore("prefixItems", len(s.PrefixItems) > 0, func() { s.PrefixItems = nil })
	ignore("patternProperties", len(s.PatternProperties) > 0, func() { s.PatternProperties = nil })
	ignore("propertyNames", s.PropertyNames != nil, func() { s.PropertyNames = nil })
	ignore("dependentSchemas", len(s.DependentSchemas) > 0, func() { s.DependentSchemas = nil })
	ignore("dependentRequired", len(s.DependentRequired) > 0, func() { s.DependentRequired = nil })
	ignore("if", s.If != nil, func() { s.If = nil })
	ignore("then", s.Then != nil, func() { s.Then = nil })
	ignore("else", s.Else != nil, func() { s.Else = nil })
	ignore("$defs", len(s.Defs) > 0, func() { s.Defs = nil })
	ignore("unevaluatedItems", s.UnevaluatedItems.Has != nil || s.UnevaluatedItems.Schema != nil, func() { s.UnevaluatedItems = openapi3.BoolSchema{} })
	ignore("unevaluatedProperties", s.UnevaluatedProperties.Has != nil || s.UnevaluatedProperties.Schema != nil, func() { s.UnevaluatedProperties = openapi3.BoolSchema{} })
	ignore("contentSchema", s.ContentSchema != nil, func() { s.ContentSchema = nil })
}

// typeAlternatives turns a list of types into anyOf alternatives.
func typeAlternatives(types []string, null bool) openapi3.SchemaRefs {
	var out openapi3.SchemaRefs
	for _, t := range types {
		out = append(out, &openapi3.SchemaRef{Value: &openapi3.Schema{Type: &openapi3.Types{t}, Nullable: null}})
	}
	return out
}

func compactJSON(v any) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v", v)
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	out := b.String()
	if len(out) > 60 {
		out = out[:57] + "..."
	}
	return out
}

// dedupe drops findings that say the same thing at the same place: the
// library reports a flaw of a shared schema at each place that uses it.
func dedupe(findings []Finding) []Finding {
	seen := map[string]bool{}
	out := findings[:0]
	for _, f := range findings {
		msg := f.Message
		if i := strings.LastIndex(msg, ": "); i >= 0 && f.Class != ClassUnroutable {
			msg = msg[i+2:]
		}
		key := f.Where + "\x00" + f.Class + "\x00" + msg
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, f)
	}
	return out
}

// sortFindings orders findings by file, line and column, numerically, so
// that they read in the order of the document.
func sortFindings(findings []Finding) {
	place := func(f Finding) (string, int, int) {
		file, rest, _ := strings.Cut(f.Where, ":")
		lineText, colText, _ := strings.Cut(rest, ":")
		line, _ := strconv.Atoi(lineText)
		col, _ := strconv.Atoi(colText)
		return file, line, col
	}
	slices.SortStableFunc(findings, func(a, b Finding) int {
		fa, la, ca := place(a)
		fb, lb, cb := place(b)
		if c := strings.Compare(fa, fb); c != 0 {
			return c
		}
		if la != lb {
			return la - lb
		}
		return ca - cb
	})
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// codeClasses maps kin-openapi's validation error codes to finding
// classes; codes not here are ClassInvalid.
var codeClasses = map[string]string{
	"info-required":                 ClassInfo,
	"info-title-required":           ClassInfo,
	"info-version-required":         ClassInfo,
	"response-description-required": ClassResponseDescription,
	"path-parameters-mismatch":      ClassPathParameter,
	"path-parameter-required":       ClassPathParameter,
	"conflicting-paths":             ClassPathConflict,
	"extra-sibling-fields":          ClassRefSiblings,
	"default-violates-schema":       ClassBadDefault,
	"example-violates-schema":       ClassBadExample,
	"schema-pattern-regex-invalid":  ClassPattern,
	"type-array-for-3-1-plus":       ClassWrongDialect,
}

// validationFinding turns a problem kin-openapi's document validation
// reports into a finding at the place the library names, or the place
// its message names.
func validationFinding(doc *openapi3.T, err error) Finding {
	f := Finding{Pointer: "/", Class: ClassInvalid, Message: err.Error()}
	var coded interface{ Code() string }
	if errors.As(err, &coded) {
		code := coded.Code()
		if c, ok := codeClasses[code]; ok {
			f.Class = c
		} else if strings.HasSuffix(code, "-for-3-1-plus") || strings.HasPrefix(code, "exclusive-bound") {
			f.Class = ClassWrongDialect
		}
	}
	var cp *openapi3.ConflictingPathsError
	if errors.As(err, &cp) {
		f.Class, f.Pointer = ClassPathConflict, "/paths"
		f.Message = fmt.Sprintf("paths %q and %q are the same template with other parameter names; Decoy serves both, and a method both have from the one written first", cp.Path1, cp.Path2)
	}
	if o := errorOrigin(err); o != nil {
		f.Where = where(o)
	}
	if f.Where == "" {
		f.Where = locate(doc, err)
	}
	if p := pointerInError(err.Error()); p != "" && f.Pointer == "/" {
		f.Pointer = p
	}
	return f
}

// errorOrigin finds the Origin the library's typed errors carry, the
// innermost one on the chain.
func errorOrigin(err error) *openapi3.Origin {
	var found *openapi3.Origin
	for e := err; e != nil; e = errors.Unwrap(e) {
		v := reflect.ValueOf(e)
		if v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().Kind() == reflect.Struct {
			if f := v.Elem().FieldByName("Origin"); f.IsValid() {
				if o, ok := f.Interface().(*openapi3.Origin); ok && o != nil && o.Key != nil {
					found = o
				}
			}
		}
	}
	return found
}

// pointerInError builds a JSON pointer from what a validation message
// names: an operation, a path or a component schema.
func pointerInError(msg string) string {
	if m := operationInError.FindStringSubmatch(msg); m != nil {
		return "/paths/" + escapePointer(m[2]) + "/" + strings.ToLower(m[1])
	}
	if m := pathInError.FindStringSubmatch(msg); m != nil {
		return "/paths/" + escapePointer(strings.TrimSuffix(m[1], ":"))
	}
	if m := schemaInError.FindStringSubmatch(msg); m != nil {
		return "/components/schemas/" + escapePointer(m[1])
	}
	return ""
}
