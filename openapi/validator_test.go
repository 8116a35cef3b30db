package openapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/decoy-mock/decoy/defaultapi"
)

// fastSpecs are the documents the fast paths are checked against the
// library on: every spec of the test suites.
var fastSpecs = []struct {
	fsys fs.FS
	name string
}{
	{defaultapi.FS, defaultapi.SpecFile},
	{os.DirFS("../mockserver/testdata/specs"), "swagger2-petstore.yaml"},
	{os.DirFS("../mockserver/testdata/specs"), "multifile/openapi.yaml"},
	{os.DirFS("../mockserver/testdata/specs"), "circular.yaml"},
	{os.DirFS("../mockserver/testdata/specs"), "polymorphism.yaml"},
	{os.DirFS("../mockserver/testdata/specs"), "security.yaml"},
	{os.DirFS("../mockserver/testdata/specs"), "features-31.yaml"},
	{os.DirFS("../fixtures/testdata"), "petstore.yaml"},
	{os.DirFS("../fixtures/testdata"), "page.yaml"},
	{os.DirFS("../fixtures/testdata"), "cursor-link.yaml"},
	{os.DirFS("../scenarios/testdata"), "spec.yaml"},
	{os.DirFS("testdata"), "routes.yaml"},
	{os.DirFS("testdata"), "fast-31.yaml"},
}

func loadFastSpecs(t *testing.T) []*Spec {
	t.Helper()
	var out []*Spec
	for _, f := range fastSpecs {
		if _, err := fs.Stat(f.fsys, f.name); err != nil {
			continue // a suite's spec that is gone is not this test's business
		}
		spec, err := Load(f.fsys, f.name, LoadOptions{})
		if err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		out = append(out, spec)
	}
	return out
}

// valueCorpus returns the values every schema of spec is tried with: plain
// values of every JSON type, every example, default and enum value the
// document holds, and their members, as Go values and as JSON decodes them
// with UseNumber.
func valueCorpus(spec *Spec) []any {
	vals := []any{nil, true, false, 0.0, 1.0, -1.0, 2.5, 1e12, int64(25), "", "a", "agt_x",
		"2024-03-11T09:12:04Z", "not a date", "a@b.test", "00000000-0000-0000-0000-000000000000",
		[]any{}, []any{"x"}, []any{1.0, 1.0}, map[string]any{}, map[string]any{"id": "x", "name": "y"}}
	var add func(v any, depth int)
	add = func(v any, depth int) {
		if v == nil || depth > 2 || len(vals) > 400 {
			return
		}
		vals = append(vals, v)
		switch t := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(mapsKeys(t)) {
				add(t[k], depth+1)
			}
		case []any:
			for _, e := range t {
				add(e, depth+1)
			}
		}
	}
	_ = spec.Doc.WalkSchemas(func(_ string, ref *openapi3.SchemaRef) error {
		s := ref.Value
		add(s.Example, 0)
		add(s.Default, 0)
		for _, e := range s.Examples {
			add(e, 0)
		}
		for _, e := range s.Enum {
			add(e, 1)
		}
		return nil
	})
	for _, op := range spec.Operations {
		for _, r := range op.Responses {
			for _, m := range r.Content {
				for _, ex := range m.Examples {
					add(ex.Value, 0)
				}
			}
		}
		if rb := op.Op.RequestBody; rb != nil && rb.Value != nil {
			for _, mt := range rb.Value.Content {
				if mt == nil {
					continue
				}
				add(mt.Example, 0)
				for _, ex := range mt.Examples {
					if ex != nil && ex.Value != nil {
						add(ex.Value.Value, 0)
					}
				}
			}
		}
	}
	n := len(vals)
	for _, v := range vals[:n] {
		b, err := json.Marshal(v)
		if err != nil {
			continue
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.UseNumber()
		var w any
		if dec.Decode(&w) == nil {
			vals = append(vals, w)
		}
	}
	return vals
}

func mapsKeys(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func libraryValid(s *openapi3.Schema, v any, opts []openapi3.SchemaValidationOption) (ok bool, panicked bool) {
	defer func() {
		if recover() != nil {
			ok, panicked = false, true
		}
	}()
	return s.VisitJSON(v, opts...) == nil, false
}

// TestValidatorAgreesWithTheLibrary checks that Validator.Valid says what
// Schema.VisitJSON says, for every schema of every test spec and a corpus
// of values, in every direction.
func TestValidatorAgreesWithTheLibrary(t *testing.T) {
	checked := 0
	modes := map[validationMode]int{}
	// The library compiles a 3.1 schema on every call: sample 1 value in
	// every, for each schema.
	every := 11
	if testing.Short() {
		every = 41
	}
	for _, spec := range loadFastSpecs(t) {
		vals := valueCorpus(spec)
		var schemas []*openapi3.Schema
		_ = spec.Doc.WalkSchemas(func(_ string, ref *openapi3.SchemaRef) error {
			schemas = append(schemas, ref.Value)
			return nil
		})
		for _, dir := range []Direction{DirNone, DirRequest, DirResponse} {
			v := NewValidator(ValidatorOptions{OpenAPI31: spec.Version == "3.1", Direction: dir})
			for i, s := range schemas {
				for j, val := range vals {
					if spec.Version == "3.1" && (i+j)%every != 0 {
						continue
					}
					want, panicked := libraryValid(s, val, v.Options())
					if panicked {
						continue
					}
					if got := v.Valid(s, val); got != want {
						raw, _ := json.Marshal(s)
						t.Errorf("%s: direction %d: schema %s: value %#v: Valid = %v, the library says %v", spec.File, dir, raw, val, got, want)
					}
					checked++
				}
				modes[v.compiled(s).mode]++
			}
		}
	}
	t.Logf("%d checks; schemas by mode: library %d, compiled %d, visitor %d", checked, modes[modeLibrary], modes[modeCompiled], modes[modeVisitor])
	if modes[modeCompiled] == 0 {
		t.Error("no schema took the compiled path")
	}
}

// TestFastRequestValidationAgreesWithTheLibrary sends every operation of
// every test spec requests with each parameter and the body varied over
// valid and invalid values, and checks that ValidateRequest reports exactly
// the violations the library alone reports.
func TestFastRequestValidationAgreesWithTheLibrary(t *testing.T) {
	raws := []string{"", "1", "0", "-1", "25", "250", "1.5", "abc", "true", "maybe", "agt_customer_support", "ns_1", "a,b", "x y"}
	bodies := []string{"", "{}", "null", "[]", "{bad", `{"status": "paused"}`, `{"status": "active", "filters": {}, "sort": {}}`, `{"name": "Rex"}`, `"x"`, "42"}
	ctx := context.Background()
	total := 0
	for _, spec := range loadFastSpecs(t) {
		for _, op := range spec.Operations {
			params := op.plan.spec.mustPlan(op).params
			base := map[*openapi3.Parameter]string{}
			for _, pc := range params {
				if pc.p.Example != nil {
					base[pc.p] = fmt.Sprint(pc.p.Example)
				} else {
					base[pc.p] = "1"
				}
			}
			opBodies := append([]string(nil), bodies...)
			if rb := op.Op.RequestBody; rb != nil && rb.Value != nil {
				for _, mt := range rb.Value.Content {
					for _, ex := range mt.Examples {
						if ex != nil && ex.Value != nil {
							b, _ := json.Marshal(ex.Value.Value)
							opBodies = append(opBodies, string(b))
						}
					}
				}
			}
			check := func(values map[*openapi3.Parameter]string, omit *openapi3.Parameter, body, ct string) {
				t.Helper()
				req := buildRequest(op, values, omit, body, ct)
				// As the server sends it: a JSON body decoded once, so the
				// compiled validator judges it, valid or not.
				if mt, _, _ := strings.Cut(ct, ";"); body != "" && isJSONMedia(strings.TrimSpace(mt)) {
					dec := json.NewDecoder(strings.NewReader(body))
					dec.UseNumber()
					var v any
					if dec.Decode(&v) == nil && v != nil {
						req.BodyJSON = v
					}
				}
				got := op.ValidateRequest(ctx, req)
				lib := *op
				lib.plan = nil
				req2 := buildRequest(op, values, omit, body, ct)
				want := lib.ValidateRequest(ctx, req2)
				total++
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s %s: %s %s body %q (%s):\n got %v\nwant %v", spec.File, op.ID, req.HTTP.Method, req.HTTP.URL, body, ct, got, want)
				}
			}
			ct := ""
			if len(op.BodyTypes) > 0 {
				ct = op.BodyTypes[0]
			}
			firstBody := ""
			if len(opBodies) > len(bodies) {
				firstBody = opBodies[len(bodies)]
			}
			check(base, nil, firstBody, ct)
			for _, pc := range params {
				check(base, pc.p, firstBody, ct)
				for _, raw := range raws {
					values := maps(base)
					values[pc.p] = raw
					check(values, nil, firstBody, ct)
				}
			}
			if len(op.BodyTypes) > 0 {
				for _, body := range opBodies {
					for _, ct := range []string{ct, "", "application/json; charset=utf-8", "text/plain"} {
						check(base, nil, body, ct)
					}
				}
			}
		}
	}
	t.Logf("%d requests compared", total)
}

func maps(m map[*openapi3.Parameter]string) map[*openapi3.Parameter]string {
	out := make(map[*openapi3.Parameter]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// mustPlan is requestPlan for a test that needs one.
func (s *Spec) mustPlan(op *Operation) *requestPlan {
	p := op.requestPlan()
	if p == nil {
		panic("operation without a plan")
	}
	return p
}

func buildRequest(op *Operation, values map[*openapi3.Parameter]string, omit *openapi3.Parameter, body, ct string) Request {
	p := op.Path
	pathParams := map[string]string{}
	q := url.Values{}
	header := http.Header{}
	var cookies []string
	for param, v := range values {
		if param == omit {
			continue
		}
		switch param.In {
		case "path":
			pathParams[param.Name] = v
			p = strings.ReplaceAll(p, "{"+param.Name+"}", url.PathEscape(v))
		case "query":
			q.Set(param.Name, v)
		case "header":
			header.Set(param.Name, v)
		case "cookie":
			cookies = append(cookies, param.Name+"="+v)
		}
	}
	target := path.Clean("/" + p)
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	r := httptest.NewRequest(op.Method, "http://example.test"+target, strings.NewReader(body))
	for k, v := range header {
		r.Header[k] = v
	}
	if len(cookies) > 0 {
		slices.Sort(cookies)
		r.Header.Set("Cookie", strings.Join(cookies, "; "))
	}
	if ct != "" {
		r.Header.Set("Content-Type", ct)
	}
	return Request{HTTP: r, PathParams: pathParams, Body: []byte(body)}
}

// TestValidatorCompilesOnceUnderConcurrency: the first requests after a
// start arrive together; a schema is compiled once for all of them.
func TestValidatorCompilesOnceUnderConcurrency(t *testing.T) {
	var s openapi3.Schema
	if err := json.Unmarshal([]byte(`{"type":"object","required":["a"],"properties":{"a":{"type":"string","minLength":2}}}`), &s); err != nil {
		t.Fatal(err)
	}
	v := NewValidator(ValidatorOptions{OpenAPI31: true})
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if !v.Valid(&s, map[string]any{"a": "ok"}) {
				t.Error("a valid value was refused")
			}
		}()
	}
	close(start)
	wg.Wait()
	if n := v.compiles.Load(); n != 1 {
		t.Errorf("compiled %d times, want 1", n)
	}
}

// FuzzRequestValidationAgreesWithTheLibrary sends the default API's two
// operations fuzzed parameter values and bodies, and wants from
// ValidateRequest (which judges and words what it decodes itself) exactly
// the violations of the library alone.
func FuzzRequestValidationAgreesWithTheLibrary(f *testing.F) {
	spec, err := Load(defaultapi.FS, defaultapi.SpecFile, LoadOptions{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add("25", "0", "agt_customer_support", `{"status": "active", "filters": {}, "sort": {}}`)
	f.Add("500", "-1", "customer_support", `{"status": "paused"}`)
	f.Add("", "x", "", `{"limit": 1e400, "status": null}`)
	f.Add("1.5", "true", "agt_\u00e9", `[]`)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, a, b, key, body string) {
		for _, op := range spec.Operations {
			values := map[*openapi3.Parameter]string{}
			for _, pc := range op.requestPlan().params {
				switch pc.p.Name {
				case "limit", "page_size":
					values[pc.p] = a
				case "offset", "page_key":
					values[pc.p] = b
				case "agent_key":
					values[pc.p] = key
				default:
					values[pc.p] = "ns_demo"
				}
			}
			ct := ""
			if len(op.BodyTypes) > 0 {
				ct = op.BodyTypes[0]
			}
			req := buildRequest(op, values, nil, body, ct)
			if ct != "" {
				dec := json.NewDecoder(strings.NewReader(body))
				dec.UseNumber()
				var v any
				if dec.Decode(&v) == nil && v != nil && !dec.More() {
					req.BodyJSON = v
				}
			}
			got := op.ValidateRequest(ctx, req)
			lib := *op
			lib.plan = nil
			want := lib.ValidateRequest(ctx, buildRequest(op, values, nil, body, ct))
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s %q %q %q %q:\n got %v\nwant %v", op.ID, a, b, key, body, got, want)
			}
		}
	})
}
