package mockserver_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/decoy-mock/decoy/defaultapi"
	"github.com/decoy-mock/decoy/fixtures"
	"github.com/decoy-mock/decoy/mockserver"
	"github.com/decoy-mock/decoy/openapi"
)

// specs are the documents every contract test runs over: the default and
// each one in testdata/specs.
var specs = []string{
	"default",
	"swagger2-petstore.yaml",
	"multifile/openapi.yaml",
	"circular.yaml",
	"polymorphism.yaml",
	"security.yaml",
	"features-31.yaml",
	"crud-petstore.yaml",
	"petstore.postman_collection.json",
}

func loadSpec(tb testing.TB, name string) *openapi.Spec {
	tb.Helper()
	var (
		spec *openapi.Spec
		err  error
	)
	if name == "default" {
		spec, err = openapi.Load(defaultapi.FS, defaultapi.SpecFile, openapi.LoadOptions{})
	} else {
		p := filepath.Join("testdata", "specs", name)
		spec, err = openapi.Load(os.DirFS(filepath.Dir(p)), filepath.Base(p), openapi.LoadOptions{})
	}
	if err != nil {
		tb.Fatalf("loading %s: %v", name, err)
	}
	return spec
}

func newServer(tb testing.TB, name string, mutate ...func(*mockserver.Config)) (*httptest.Server, *openapi.Spec) {
	tb.Helper()
	spec := loadSpec(tb, name)
	cfg := mockserver.Config{Spec: spec, Seed: 42, CORS: true}
	for _, m := range mutate {
		m(&cfg)
	}
	srv, err := mockserver.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	tb.Cleanup(ts.Close)
	return ts, spec
}

// call is one request of a test, written compactly.
type call struct {
	method, path string
	header       map[string]string
	body         string
}

// result is a response with its body read.
type result struct {
	status int
	header http.Header
	body   []byte
}

func (r result) json(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		tb.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

func do(tb testing.TB, ts *httptest.Server, c call) result {
	tb.Helper()
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequest(c.method, ts.URL+c.path, body)
	if err != nil {
		tb.Fatal(err)
	}
	if c.body != "" && c.header["Content-Type"] == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return result{resp.StatusCode, resp.Header, b}
}

// authV2 is what the default v2 endpoint needs.
var authV2 = map[string]string{"Authorization": "Bearer sk_test_123"}

// authV1 is what the default v1 endpoint needs.
var authV1 = map[string]string{"Authorization": "Bearer sk_test_123", "X-Namespace": "ns_demo"}

func with(base map[string]string, kv ...string) map[string]string {
	m := map[string]string{}
	for k, v := range base {
		m[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(m, kv[i])
			continue
		}
		m[kv[i]] = kv[i+1]
	}
	return m
}

// validRequest builds a request that keeps op's contract: every path
// parameter, the required query, header and cookie parameters, a body from
// the request schema, and credentials for the first security requirement.
func validRequest(tb testing.TB, base string, op *openapi.Operation, seed uint64) *http.Request {
	tb.Helper()
	path := op.Path
	query := url.Values{}
	header := http.Header{}
	var cookies []*http.Cookie
	// Operation parameters override path-item ones of the same name and place.
	var params openapi3.Parameters
	seen := map[string]bool{}
	for _, list := range []openapi3.Parameters{op.Op.Parameters, op.Route.PathItem.Parameters} {
		for _, p := range list {
			if key := p.Value.In + ":" + p.Value.Name; !seen[key] {
				seen[key] = true
				params = append(params, p)
			}
		}
	}
	for i, pref := range params {
		p := pref.Value
		if !p.Required && p.In != "path" {
			continue
		}
		var v any
		switch {
		case p.Example != nil:
			v = p.Example
		case p.Schema != nil:
			g, err := fixtures.Generate(p.Schema, fixtures.GenerateOptions{Seed: seed + uint64(i), UseExamples: true, Direction: openapi.DirRequest, OpenAPI31: op.OpenAPI31})
			if err != nil {
				tb.Fatalf("%s: parameter %s: %v", op.ID, p.Name, err)
			}
			v = g
		default:
			v = "x"
		}
		switch p.In {
		case "path":
			path = strings.ReplaceAll(path, "{"+p.Name+"}", url.PathEscape(scalar(v)))
		case "query":
			if arr, ok := v.([]any); ok {
				for _, e := range arr {
					query.Add(p.Name, scalar(e))
				}
			} else {
				query.Set(p.Name, scalar(v))
			}
		case "header":
			header.Set(p.Name, scalar(v))
		case "cookie":
			cookies = append(cookies, &http.Cookie{Name: p.Name, Value: scalar(v)})
		}
	}
	var body io.Reader
	if len(op.BodyTypes) > 0 {
		ct := op.BodyTypes[0]
		media := op.Op.RequestBody.Value.Content[ct]
		var v any
		if media.Example != nil {
			v = media.Example
		} else {
			g, err := fixtures.Generate(media.Schema, fixtures.GenerateOptions{Seed: seed, UseExamples: true, Direction: openapi.DirRequest, OpenAPI31: op.OpenAPI31})
			if err != nil {
				tb.Fatalf("%s: body: %v", op.ID, err)
			}
			v = g
		}
		switch {
		case openapi.IsJSON(ct):
			b, _ := json.Marshal(v)
			body = bytes.NewReader(b)
		case strings.HasPrefix(ct, "application/x-www-form-urlencoded"):
			form := url.Values{}
			if m, ok := v.(map[string]any); ok {
				for k, e := range m {
					form.Set(k, scalar(e))
				}
			}
			body = strings.NewReader(form.Encode())
		default:
			body = strings.NewReader(scalar(v))
		}
		header.Set("Content-Type", ct)
	}
	u := base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(context.Background(), op.Method, u, body)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header = header
	for _, c := range cookies {
		req.AddCookie(c)
	}
	if len(op.Security) > 0 {
		for _, sch := range op.Security[0] {
			switch sch.Kind {
			case openapi.SchemeBearer:
				req.Header.Set("Authorization", "Bearer test-token")
			case openapi.SchemeBasic:
				req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("user:pass")))
			case openapi.SchemeHTTP:
				req.Header.Set("Authorization", sch.HTTPScheme+" test")
			case openapi.SchemeAPIKey:
				switch sch.In {
				case "query":
					q := req.URL.Query()
					q.Set(sch.Param, "test-key")
					req.URL.RawQuery = q.Encode()
				case "cookie":
					req.AddCookie(&http.Cookie{Name: sch.Param, Value: "test-key"})
				default:
					req.Header.Set(sch.Param, "test-key")
				}
			}
		}
	}
	return req
}

func scalar(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case nil:
		return ""
	case float64:
		return fmt.Sprint(t)
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, k, scalar(t[k]))
		}
		return strings.Join(parts, ",")
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = scalar(e)
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v)
}
