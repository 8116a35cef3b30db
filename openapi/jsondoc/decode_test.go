package jsondoc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"

	"github.com/decoy-mock/decoy/openapi"
	"github.com/decoy-mock/decoy/openapi/jsondoc"
)

// equivalenceSpec is an OpenAPI 3 document as JSON, and the folder its
// $refs are read from.
type equivalenceSpec struct {
	file string
	data []byte
}

// equivalenceSpecs returns, as JSON, every OpenAPI 3 document under the
// repository's test data (fuzz corpora included) and the default API, and
// GitHub's when DECOY_GITHUB_SPEC names it.
func equivalenceSpecs(t *testing.T) []equivalenceSpec {
	t.Helper()
	var specs []equivalenceSpec
	for _, root := range []string{"../testdata", "../../mockserver/testdata", "../../defaultapi"} {
		err := filepath.WalkDir(root, func(file string, entry fs.DirEntry, err error) error {
			if err != nil || entry.IsDir() {
				return err
			}
			for _, data := range documentsIn(t, file) {
				if doc, ok := asJSON(file, data); ok {
					specs = append(specs, equivalenceSpec{file: file, data: doc})
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if p := os.Getenv("DECOY_GITHUB_SPEC"); p != "" {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		specs = append(specs, equivalenceSpec{file: p, data: data})
	}
	return specs
}

// documentsIn returns the documents file holds: its bytes, or the inputs of
// a Go fuzz corpus entry.
func documentsIn(t testing.TB, file string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("go test fuzz v1\n")) {
		return [][]byte{data}
	}
	var docs [][]byte
	for _, line := range strings.Split(string(data), "\n")[1:] {
		quoted, ok := strings.CutPrefix(line, "[]byte(")
		if !ok {
			continue
		}
		if doc, err := strconv.Unquote(strings.TrimSuffix(quoted, ")")); err == nil {
			docs = append(docs, []byte(doc))
		}
	}
	return docs
}

// asJSON returns the document data as indented JSON, converting YAML, and
// false when it is not an OpenAPI 3 document or cannot be converted (YAML
// that is not JSON-compatible, an alias bomb).
func asJSON(file string, data []byte) ([]byte, bool) {
	if strings.HasSuffix(file, ".json") {
		return data, bytes.Contains(data, []byte(`"openapi"`))
	}
	if len(data) > 1<<20 || bytes.Count(data, []byte("*")) > 50 {
		return nil, false // aliases: converting could explode
	}
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil || len(root.Content) == 0 {
		return nil, false
	}
	top, ok := nodeValue(root.Content[0]).(map[string]any)
	if !ok || top["openapi"] == nil {
		return nil, false
	}
	out, err := json.MarshalIndent(top, "", "  ")
	if err != nil || len(out) > 4<<20 {
		return nil, false
	}
	return out, true
}

// nodeValue returns the value n holds with every key as its text, which
// JSON needs (YAML reads "200:" as an integer key), and nil for a value
// JSON cannot hold.
func nodeValue(n *yaml.Node) any {
	switch n.Kind {
	case yaml.AliasNode:
		return nodeValue(n.Alias)
	case yaml.MappingNode:
		obj := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			obj[n.Content[i].Value] = nodeValue(n.Content[i+1])
		}
		return obj
	case yaml.SequenceNode:
		list := make([]any, len(n.Content))
		for i, c := range n.Content {
			list[i] = nodeValue(c)
		}
		return list
	}
	var scalar any
	if n.Decode(&scalar) != nil {
		return nil
	}
	return scalar
}

// overlayFS serves data as name, and every other file from the folder FS.
type overlayFS struct {
	fs.FS
	name string
	data []byte
}

func (o overlayFS) Open(name string) (fs.File, error) {
	if name == o.name {
		return fstest.MapFS{name: {Data: o.data}}.Open(name)
	}
	return o.FS.Open(name)
}

// newTestLoader returns a loader configured as openapi.Load configures one,
// reading $refs from fsys.
func newTestLoader(fsys fs.FS, origins bool) *openapi3.Loader {
	return &openapi3.Loader{
		Context:               context.Background(),
		IsExternalRefsAllowed: true,
		IncludeOrigin:         origins,
		ReadFromURIFunc: func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
			p := path.Clean(u.Path)
			if u.Scheme != "" || u.Host != "" || !fs.ValidPath(p) {
				return nil, fmt.Errorf("$ref %s: only relative file paths are read", u)
			}
			return fs.ReadFile(fsys, p)
		},
	}
}

// loadBoth loads data with kin-openapi's loader and with the fast path,
// each with a loader of its own, turning a panic into an error.
func loadBoth(fsys fs.FS, name string, data []byte, origins bool) (kin, fast *openapi3.T, kinErr, fastErr error) {
	location := &url.URL{Path: name}
	kin, kinErr = recovered(func() (*openapi3.T, error) {
		return newTestLoader(fsys, origins).LoadFromDataWithPath(data, location)
	})
	fast, fastErr = recovered(func() (*openapi3.T, error) {
		return jsondoc.Load(data, newTestLoader(fsys, origins), location)
	})
	return kin, fast, kinErr, fastErr
}

// recovered calls load, turning a panic into an error.
func recovered(load func() (*openapi3.T, error)) (doc *openapi3.T, err error) {
	defer func() {
		if v := recover(); v != nil {
			doc, err = nil, fmt.Errorf("panic: %v", v)
		}
	}()
	return load()
}

// TestDecodeJSONMatchesKin checks that the fast path builds, for every
// OpenAPI 3 document of the test data (as JSON), exactly the document
// kin-openapi's loader builds, after $refs are resolved: every field,
// exported or not, and the file, line, column and name of every Origin.Key.
func TestDecodeJSONMatchesKin(t *testing.T) {
	for _, spec := range equivalenceSpecs(t) {
		t.Run(filepath.ToSlash(spec.file), func(t *testing.T) {
			file, data := spec.file, spec.data
			name := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file)) + ".json"
			fsys := overlayFS{FS: os.DirFS(filepath.Dir(file)), name: name, data: data}
			for _, origins := range []bool{false, true} {
				kin, fast, kinErr, fastErr := loadBoth(fsys, name, data, origins)
				if jsondoc.LeftToLibrary(fastErr) && kinErr != nil {
					// Neither decodes it as written (testdata/realworld):
					// Load repairs its raw tree and tries again.
					return
				}
				if jsondoc.LeftToLibrary(fastErr) {
					t.Fatalf("the fast path left the document to kin-openapi: %v", fastErr)
				}
				if fmt.Sprint(kinErr) != fmt.Sprint(fastErr) {
					t.Fatalf("origins %v: kin-openapi: %v\nfast path: %v", origins, kinErr, fastErr)
				}
				if kinErr != nil {
					return
				}
				if diffs := diffDocs(kin, fast); len(diffs) > 0 {
					t.Fatalf("origins %v: the documents differ (kin-openapi, then the fast path):\n%s", origins, strings.Join(diffs, "\n"))
				}
			}
		})
	}
}

// TestDecodeJSONLeavesToKin checks what the fast path leaves to
// kin-openapi, and that Load still loads it.
func TestDecodeJSONLeavesToKin(t *testing.T) {
	doc := func(schema string) string {
		return `{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": {"S": ` + schema + `}}}`
	}
	tests := []struct {
		name, data string
		syntax     bool
	}{
		{"duplicate key", doc(`{"type": "string", "type": "integer"}`), false},
		{"surrogate escape", doc(`{"description": "\ud83d\ude00"}`), false},
		{"invalid UTF-8", doc("{\"description\": \"\xff\"}"), false},
		{"U+0085", doc("{\"description\": \"\u0085\"}"), false},
		{"U+FFFF", doc("{\"description\": \"\uffff\"}"), false},
		{"U+2028", doc("{\"description\": \"a \u2028 b\"}"), false},
		{"number out of range", doc(`{"minimum": 1e400}`), false},
		{"fractional count", doc(`{"minLength": 5.0}`), false},
		{"null schema", doc(`{"properties": {"a": null}}`), false},
		{"string where a number goes", doc(`{"maximum": "5"}`), false},
		{"YAML flow style", `{openapi: 3.1.0, info: {title: t, version: "1"}, paths: {}}`, true},
		{"trailing comma", `{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var decoded openapi3.T
			err := jsondoc.Decode([]byte(tt.data), &decoded, "openapi.json", true)
			var syntax *jsondoc.SyntaxError
			var notFast *jsondoc.NotFastError
			switch {
			case tt.syntax && !errors.As(err, &syntax):
				t.Fatalf("err = %v, want a syntax error", err)
			case !tt.syntax && !errors.As(err, &notFast):
				t.Fatalf("err = %v, want the document left to kin-openapi", err)
			}
			// Load then takes kin-openapi's path: what kin loads, Load
			// loads; what kin refuses, Load repairs with a finding or
			// refuses too.
			fsys := fstest.MapFS{"openapi.json": {Data: []byte(tt.data)}}
			spec, loadErr := openapi.Load(fsys, "openapi.json", openapi.LoadOptions{})
			_, kinErr := newTestLoader(fsys, true).LoadFromDataWithPath([]byte(tt.data), &url.URL{Path: "openapi.json"})
			switch {
			case kinErr == nil && loadErr != nil:
				t.Errorf("Load: %v; kin-openapi loads it", loadErr)
			case kinErr != nil && loadErr == nil && !hasClass(spec.Findings, openapi.ClassWrongShape):
				t.Errorf("Load repaired what kin-openapi refuses (%v) without a finding: %v", kinErr, spec.Findings)
			}
		})
	}
}

// TestJSONRefBackIntoTheRootDocument checks that a $ref from another file
// back into the root document reaches the root document itself, as with
// kin-openapi's loader, rather than a second copy of it read again.
func TestJSONRefBackIntoTheRootDocument(t *testing.T) {
	fsys := os.DirFS("../testdata/backref")
	data, err := os.ReadFile("../testdata/backref/root.json")
	if err != nil {
		t.Fatal(err)
	}
	kin, fast, kinErr, fastErr := loadBoth(fsys, "root.json", data, true)
	if kinErr != nil || fastErr != nil {
		t.Fatalf("kin-openapi: %v; fast path: %v", kinErr, fastErr)
	}
	for name, doc := range map[string]*openapi3.T{"kin-openapi": kin, "fast path": fast} {
		media := doc.Paths.Value("/pets").Get.Responses.Value("200").Value.Content["application/json"]
		if media.Schema.Value.Items.Value != doc.Components.Schemas["Pet"].Value {
			t.Errorf("%s: the $ref back into root.json reaches a copy of it", name)
		}
	}
}

// TestAdoptFieldsCoversT checks that adoptFields moves every exported field
// of openapi3.T, so a field kin-openapi adds is not silently dropped.
func TestAdoptFieldsCoversT(t *testing.T) {
	var src, dst openapi3.T
	v := reflect.ValueOf(&src).Elem()
	for i := range v.NumField() {
		if f := v.Field(i); v.Type().Field(i).IsExported() {
			f.Set(nonZero(f.Type()))
		}
	}
	jsondoc.AdoptFields(&dst, &src)
	if diffs := diffDocs(&src, &dst); len(diffs) > 0 {
		t.Errorf("adoptFields left out:\n%s", strings.Join(diffs, "\n"))
	}
}

// nonZero returns a non-zero value of type t.
func nonZero(t reflect.Type) reflect.Value {
	switch t.Kind() {
	case reflect.Pointer:
		return reflect.New(t.Elem())
	case reflect.Map:
		return reflect.MakeMap(t)
	case reflect.Slice:
		return reflect.MakeSlice(t, 1, 1)
	case reflect.String:
		return reflect.ValueOf("x").Convert(t)
	}
	panic("nonZero: unhandled kind " + t.Kind().String())
}

// FuzzDecodeJSON feeds documents to the fast path, and objects it puts where
// each kind of OpenAPI object goes in a document: the fast path never panics,
// never takes for JSON what is not, and a document it decodes is one
// kin-openapi's loader decodes too, to the same document, origins included.
func FuzzDecodeJSON(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFastPath(t, data)
		if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '{' && len(data) < 4096 {
			for _, tmpl := range objectPlaces {
				checkFastPath(t, []byte(strings.Replace(tmpl, "@", string(data), 1)))
			}
		}
	})
}

// objectPlaces are documents with an object of each kind marked "@".
var objectPlaces = []string{
	`{"openapi": "3.1.0", "info": @, "paths": {}}`,
	`{"openapi": "3.1.0", "servers": [@]}`,
	`{"openapi": "3.1.0", "paths": {"/a": @}}`,
	`{"openapi": "3.1.0", "paths": {"/a": {"get": @}}}`,
	`{"openapi": "3.1.0", "paths": {"/a": {"get": {"parameters": [@], "responses": @}}}}`,
	`{"openapi": "3.1.0", "paths": {"/a": {"get": {"responses": {"200": @}}}}, "components": {"schemas": {"S": {}}}}`,
	`{"openapi": "3.0.3", "paths": {"/a": {"post": {"requestBody": {"content": {"a/b": @}}}}}, "components": {"schemas": {"S": {}}}}`,
	`{"openapi": "3.1.0", "components": {"schemas": {"S": {"type": "string"}, "T": @}}}`,
	`{"openapi": "3.0.3", "components": {"schemas": {"S": {"type": "string"}, "T": {"properties": {"p": @}}}}}`,
	`{"openapi": "3.1.0", "components": @}`,
	`{"openapi": "3.1.0", "components": {"securitySchemes": {"s": @}, "headers": {"h": @}, "links": {"l": @}, "examples": {"e": @}}}`,
}

// checkFastPath fails t when the fast path takes for JSON what is not, or
// decodes data to something other than what kin-openapi's loader builds.
func checkFastPath(t *testing.T, data []byte) {
	t.Helper()
	var decoded openapi3.T
	err := jsondoc.Decode(data, &decoded, "openapi.json", true)
	var syntax *jsondoc.SyntaxError
	if errors.As(err, &syntax) && json.Valid(data) {
		t.Fatalf("valid JSON refused as a syntax error: %v\n%s", err, data)
	}
	if err == nil && !json.Valid(data) {
		t.Fatalf("invalid JSON decoded:\n%s", data)
	}
	if err == nil {
		compareWithKin(t, data)
	}
}

// fuzzSeeds returns the test data's documents as JSON, and objects of the
// shapes the fast path handles specially.
func fuzzSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	for _, pattern := range []string{"../testdata/*.json", "../testdata/*.yaml", "../../mockserver/testdata/specs/*.yaml"} {
		matches, _ := filepath.Glob(pattern)
		for _, file := range matches {
			for _, data := range documentsIn(f, file) {
				if doc, ok := asJSON(file, data); ok && len(doc) < 64<<10 {
					seeds = append(seeds, doc)
				}
			}
		}
	}
	if len(seeds) < 10 {
		f.Fatalf("only %d seed documents found in the test data: has it moved?", len(seeds))
	}
	for _, object := range []string{
		`{"$ref": "#/components/schemas/S", "description": "d"}`, `{"$ref": ""}`, `{"$ref": 1}`, `{"$ref": "#/components/schemas/S", "x-a": 1}`,
		`{"type": ["string", null], "required": ["a", null], "enum": [1, null]}`, `{"exclusiveMinimum": true, "exclusiveMaximum": 3}`,
		`{"minimum": -0, "maximum": 1e308, "example": 1e400, "default": 12345678901234567890}`, `{"title": null, "minLength": null}`,
		`{"additionalProperties": {"$ref": "#/components/schemas/S"}, "items": false, "prefixItems": [true, {}]}`,
		`{"x-a": {"b": [{}]}, "unknown": 1}`, `{"description": "\u00e9 \/ \u0000", "summary": "s"}`, `{"type": "object", "type": "string"}`,
		`{"name": "n", "in": "query", "schema": {"type": "integer"}, "examples": {"a": {"value": 1}}, "content": {"a/b": {}}}`,
		`{"description": "d", "content": {"a/b": {"schema": {"type": "string"}, "example": "x"}}, "headers": {"h": {"schema": {}}}}`,
		`{"200": {"description": "ok"}, "x-r": 1}`, `{"get": {"responses": {}}, "parameters": [{"$ref": "#/x"}], "$ref": "#/paths/~1a"}`,
		`{"type": "oauth2", "flows": {"implicit": {"authorizationUrl": "u", "scopes": {"a": "b"}}}}`,
		`{"url": "/{v}", "variables": {"v": {"default": "d", "enum": ["d"]}}}`, `{"title": "t", "version": "1", "contact": {}, "license": {"name": "l"}}`,
	} {
		seeds = append(seeds, []byte(object))
	}
	return seeds
}

// pathStep is one step of the path from a document's root to a value.
type pathStep struct {
	parent *pathStep
	name   string
}

func (p *pathStep) String() string {
	var steps []string
	for ; p != nil; p = p.parent {
		steps = append(steps, p.name)
	}
	slices.Reverse(steps)
	return strings.Join(steps, "")
}

// differ walks two values in step and lists where they differ, comparing
// unexported fields too, an *openapi3.Origin by its Key only (the file,
// line, column and name the fast path records), and pointers by what they
// point to.
type differ struct {
	seen  map[[2]uintptr]bool
	diffs []string
}

// diffDocs lists where two documents differ, at most 20 places.
func diffDocs(a, b *openapi3.T) []string {
	d := &differ{seen: map[[2]uintptr]bool{}}
	d.walk(&pathStep{name: "T"}, reflect.ValueOf(a), reflect.ValueOf(b))
	return d.diffs
}

var (
	originType = reflect.TypeFor[*openapi3.Origin]()
	urlType    = reflect.TypeFor[*url.URL]()
)

// differs records a difference at p.
func (d *differ) differs(p *pathStep, format string, args ...any) {
	if len(d.diffs) < 20 {
		d.diffs = append(d.diffs, p.String()+": "+fmt.Sprintf(format, args...))
	}
}

func (d *differ) walk(p *pathStep, a, b reflect.Value) {
	if len(d.diffs) >= 20 {
		return
	}
	switch {
	case a.Type() == originType:
		if ka, kb := originKey(a), originKey(b); ka != kb {
			d.differs(p, "origin %s vs %s", ka, kb)
		}
		return
	case a.Type() == urlType:
		if fmt.Sprint(a) != fmt.Sprint(b) {
			d.differs(p, "%v vs %v", a, b)
		}
		return
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		d.walkIndirect(p, a, b)
	case reflect.Struct:
		for i := range a.NumField() {
			d.walk(&pathStep{p, "." + a.Type().Field(i).Name}, a.Field(i), b.Field(i))
		}
	case reflect.Map:
		d.walkMap(p, a, b)
	case reflect.Slice:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			d.differs(p, "%s vs %s", describe(a), describe(b))
			return
		}
		for i := range a.Len() {
			d.walk(&pathStep{p, fmt.Sprintf("[%d]", i)}, a.Index(i), b.Index(i))
		}
	default:
		d.walkScalar(p, a, b)
	}
}

// walkIndirect compares what two pointers or interfaces hold.
func (d *differ) walkIndirect(p *pathStep, a, b reflect.Value) {
	if a.IsNil() || b.IsNil() {
		if a.IsNil() != b.IsNil() {
			d.differs(p, "%s vs %s", describe(a), describe(b))
		}
		return
	}
	if a.Kind() == reflect.Pointer {
		pair := [2]uintptr{a.Pointer(), b.Pointer()}
		if d.seen[pair] {
			return
		}
		d.seen[pair] = true
	}
	a, b = a.Elem(), b.Elem()
	if a.Type() != b.Type() {
		d.differs(p, "%s vs %s", a.Type(), b.Type())
		return
	}
	d.walk(p, a, b)
}

// walkMap compares two maps, which have string keys here.
func (d *differ) walkMap(p *pathStep, a, b reflect.Value) {
	if a.IsNil() != b.IsNil() {
		d.differs(p, "%s vs %s", describe(a), describe(b))
		return
	}
	keys := map[string]reflect.Value{}
	for _, k := range append(a.MapKeys(), b.MapKeys()...) {
		keys[fmt.Sprint(k)] = k
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range keys {
			if !yield(k) {
				return
			}
		}
	})
	for _, name := range names {
		k := keys[name]
		va, vb := a.MapIndex(k), b.MapIndex(k)
		step := &pathStep{p, fmt.Sprintf("[%q]", name)}
		if !va.IsValid() || !vb.IsValid() {
			d.differs(step, "present %v vs %v", va.IsValid(), vb.IsValid())
			continue
		}
		d.walk(step, va, vb)
	}
}

// walkScalar compares two values of a basic kind.
func (d *differ) walkScalar(p *pathStep, a, b reflect.Value) {
	var same bool
	switch a.Kind() {
	case reflect.String:
		same = a.String() == b.String()
	case reflect.Bool:
		same = a.Bool() == b.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		same = a.Int() == b.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		same = a.Uint() == b.Uint()
	case reflect.Float32, reflect.Float64:
		same = math.Float64bits(a.Float()) == math.Float64bits(b.Float())
	case reflect.Func:
		same = a.IsNil() == b.IsNil()
	default:
		d.differs(p, "cannot compare a %s", a.Kind())
		return
	}
	if !same {
		d.differs(p, "%s vs %s", describe(a), describe(b))
	}
}

// describe renders a value for a difference.
func describe(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice, reflect.Func:
		if v.IsNil() {
			return "nil"
		}
	}
	switch v.Kind() {
	case reflect.Map, reflect.Slice:
		return fmt.Sprintf("%s of %d", v.Type(), v.Len())
	case reflect.String:
		return fmt.Sprintf("%q", v.String())
	case reflect.Bool:
		return fmt.Sprint(v.Bool())
	case reflect.Int, reflect.Int64:
		return fmt.Sprint(v.Int())
	case reflect.Uint, reflect.Uint64:
		return fmt.Sprint(v.Uint())
	case reflect.Float64:
		return fmt.Sprint(v.Float())
	}
	return v.Type().String()
}

// originKey renders the part of an origin the fast path records.
func originKey(v reflect.Value) string {
	if v.IsNil() || v.Elem().FieldByName("Key").IsNil() {
		return "none"
	}
	k := v.Elem().FieldByName("Key").Elem()
	return fmt.Sprintf("%s:%d:%d %q", k.FieldByName("File").String(), k.FieldByName("Line").Int(), k.FieldByName("Column").Int(), k.FieldByName("Name").String())
}

// fieldPlaces are documents with an object of each openapi3 type, marked
// by the member "@", which TestDecodeJSONFieldsMatchKin replaces.
var fieldPlaces = []struct {
	typ  any
	tmpl string
}{
	{openapi3.T{}, `{"@": 0}`},
	{openapi3.Info{}, `{"info": {"@": 0}}`},
	{openapi3.Contact{}, `{"info": {"contact": {"@": 0}}}`},
	{openapi3.License{}, `{"info": {"license": {"@": 0}}}`},
	{openapi3.ExternalDocs{}, `{"externalDocs": {"@": 0}}`},
	{openapi3.Tag{}, `{"tags": [{"@": 0}]}`},
	{openapi3.Server{}, `{"servers": [{"@": 0}]}`},
	{openapi3.ServerVariable{}, `{"servers": [{"url": "/", "variables": {"v": {"@": 0}}}]}`},
	{openapi3.PathItem{}, `{"paths": {"/a": {"@": 0}}}`},
	{openapi3.Operation{}, `{"paths": {"/a": {"get": {"@": 0}}}}`},
	{openapi3.Parameter{}, `{"paths": {"/a": {"parameters": [{"@": 0}]}}}`},
	{openapi3.RequestBody{}, `{"paths": {"/a": {"post": {"requestBody": {"@": 0}}}}}`},
	{openapi3.Response{}, `{"paths": {"/a": {"get": {"responses": {"200": {"@": 0}}}}}}`},
	{openapi3.Header{}, `{"components": {"headers": {"h": {"@": 0}}}}`},
	{openapi3.MediaType{}, `{"components": {"requestBodies": {"b": {"content": {"a/b": {"@": 0}}}}}}`},
	{openapi3.Encoding{}, `{"components": {"requestBodies": {"b": {"content": {"a/b": {"encoding": {"e": {"@": 0}}}}}}}}`},
	{openapi3.Example{}, `{"components": {"examples": {"e": {"@": 0}}}}`},
	{openapi3.Link{}, `{"components": {"links": {"l": {"@": 0}}}}`},
	{openapi3.Components{}, `{"components": {"@": 0}}`},
	{openapi3.SecurityScheme{}, `{"components": {"securitySchemes": {"s": {"@": 0}}}}`},
	{openapi3.OAuthFlows{}, `{"components": {"securitySchemes": {"s": {"flows": {"@": 0}}}}}`},
	{openapi3.OAuthFlow{}, `{"components": {"securitySchemes": {"s": {"flows": {"implicit": {"@": 0}}}}}}`},
	{openapi3.Schema{}, `{"components": {"schemas": {"T": {"@": 0}}}}`},
	{openapi3.Schema{}, `{"openapi": "3.0.3", "paths": {"/a": {"get": {"responses": {"200": {"content": {"a/b": {"schema": {"items": {"@": 0}}}}}}}}}}`},
	{openapi3.Discriminator{}, `{"components": {"schemas": {"T": {"discriminator": {"@": 0}}}}}`},
	{openapi3.XML{}, `{"components": {"schemas": {"T": {"xml": {"@": 0}}}}}`},
	{openapi3.Paths{}, `{"paths": {"@": 0}}`},
	{openapi3.Responses{}, `{"paths": {"/a": {"get": {"responses": {"@": 0}}}}}`},
	{openapi3.Callback{}, `{"paths": {"/a": {"get": {"callbacks": {"c": {"@": 0}}}}}}`},
}

// fieldValues are values of every JSON kind, and of the shapes OpenAPI
// fields take.
var fieldValues = []string{
	`null`, `true`, `false`, `0`, `7`, `-1`, `1.5`, `5.0`, `1e400`, `"s"`, `""`, `"#/components/schemas/S"`,
	`[]`, `["a"]`, `["a", null]`, `[1]`, `[{}]`, `[{"name": "n"}]`, `[null]`, `{}`, `{"a": 1}`, `{"a": "b"}`, `{"a": ["b"]}`,
	`{"a": null}`, `{"a": {}}`, `{"$ref": "#/components/schemas/S"}`, `{"type": "string"}`, `{"get": {}}`,
}

// TestDecodeJSONFieldsMatchKin puts every key each openapi3 type declares
// (and "$ref", an extension and an unknown key) with each of fieldValues
// where an object of that type goes, and checks that the fast path either
// leaves the document to kin-openapi or builds what kin-openapi builds.
func TestDecodeJSONFieldsMatchKin(t *testing.T) {
	decoded, total := 0, 0
	for _, place := range fieldPlaces {
		keys := append(declaredKeys(reflect.TypeOf(place.typ)), "$ref", "x-a", "unknown", "200", "/b")
		for _, key := range keys {
			for _, value := range fieldValues {
				total++
				if compareWithKin(t, placeMember(t, place.tmpl, key, value)) {
					decoded++
				}
			}
		}
	}
	t.Logf("the fast path decoded %d of %d documents", decoded, total)
}

// placeMember returns the document tmpl with its "@" member replaced by key
// and value, a version and a schema S for $refs to name.
func placeMember(t *testing.T, tmpl, key, value string) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(tmpl), &doc); err != nil {
		t.Fatal(err)
	}
	if !replaceMarker(doc, key, json.RawMessage(value)) {
		t.Fatalf("no marker in %s", tmpl)
	}
	if _, ok := doc["openapi"]; !ok {
		doc["openapi"] = "3.1.0"
	}
	components, ok := doc["components"].(map[string]any)
	if !ok && doc["components"] == nil {
		components = map[string]any{}
		doc["components"] = components
	}
	if schemas, ok := components["schemas"].(map[string]any); ok {
		schemas["S"] = map[string]any{"type": "string"}
	} else if components != nil && components["schemas"] == nil {
		components["schemas"] = map[string]any{"S": map[string]any{"type": "string"}}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// replaceMarker replaces the member "@" of the object it finds in v.
func replaceMarker(v any, key string, value json.RawMessage) bool {
	switch v := v.(type) {
	case map[string]any:
		if _, ok := v["@"]; ok {
			delete(v, "@")
			v[key] = value
			return true
		}
		for _, e := range v {
			if replaceMarker(e, key, value) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if replaceMarker(e, key, value) {
				return true
			}
		}
	}
	return false
}

// compareWithKin fails t when the fast path decodes data differently from
// kin-openapi, or decodes what kin-openapi refuses. It reports whether the
// fast path decoded data.
func compareWithKin(t *testing.T, data []byte) bool {
	t.Helper()
	fsys := fstest.MapFS{"openapi.json": {Data: data}}
	if err := jsondoc.Decode(data, new(openapi3.T), "openapi.json", false); jsondoc.LeftToLibrary(err) {
		return false // kin-openapi's path, which there is no need to compare
	}
	kin, fast, kinErr, fastErr := loadBoth(fsys, "openapi.json", data, true)
	if fmt.Sprint(kinErr) != fmt.Sprint(fastErr) {
		t.Errorf("%s\nkin-openapi: %v\nfast path: %v", data, kinErr, fastErr)
		return false
	}
	if kinErr != nil {
		return true
	}
	if diffs := diffDocs(kin, fast); len(diffs) > 0 {
		t.Errorf("%s\nthe documents differ (kin-openapi, then the fast path):\n%s", data, strings.Join(diffs, "\n"))
	}
	return true
}

// declaredKeys lists the keys a type declares in its yaml tags.
func declaredKeys(t reflect.Type) []string {
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			keys = append(keys, declaredKeys(f.Type)...)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if f.IsExported() && name != "" && name != "-" {
			keys = append(keys, name)
		}
	}
	return keys
}

// githubSpec returns the path and bytes of GitHub's REST API description,
// which DECOY_GITHUB_SPEC names (bench/run.sh fetches it), and skips b
// when it is not there.
func githubSpec(b *testing.B) (string, []byte) {
	b.Helper()
	p := os.Getenv("DECOY_GITHUB_SPEC")
	if p == "" {
		b.Skip("DECOY_GITHUB_SPEC is not set")
	}
	data, err := os.ReadFile(p)
	if err != nil {
		b.Skip(err)
	}
	return p, data
}

// BenchmarkDecodeJSON decodes GitHub's REST API description (see
// githubSpec) with the fast path, origins included, without resolving its
// $refs.
func BenchmarkDecodeJSON(b *testing.B) {
	_, data := githubSpec(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var doc openapi3.T
		if err := jsondoc.Decode(data, &doc, "api.github.com.json", true); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoad loads GitHub's REST API description (see githubSpec),
// origins included and $refs resolved, with the
// fast path and with kin-openapi's loader alone: the fast path stays only
// while it keeps a clear lead here.
func BenchmarkLoad(b *testing.B) {
	p, data := githubSpec(b)
	fsys, location := os.DirFS(filepath.Dir(p)), &url.URL{Path: filepath.Base(p)}
	for _, way := range []struct {
		name string
		load func(*openapi3.Loader) (*openapi3.T, error)
	}{
		{"fast", func(l *openapi3.Loader) (*openapi3.T, error) { return jsondoc.Load(data, l, location) }},
		{"kin", func(l *openapi3.Loader) (*openapi3.T, error) { return l.LoadFromDataWithPath(data, location) }},
	} {
		b.Run(way.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := way.load(newTestLoader(fsys, true)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func hasClass(findings []openapi.Finding, class string) bool {
	for _, f := range findings {
		if f.Class == class {
			return true
		}
	}
	return false
}
