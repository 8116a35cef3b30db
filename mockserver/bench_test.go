package mockserver_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/decoy-mock/decoy/defaultapi"
	"github.com/decoy-mock/decoy/fixtures"
	"github.com/decoy-mock/decoy/mockserver"
	"github.com/decoy-mock/decoy/openapi"
	"github.com/decoy-mock/decoy/scenarios"
)

// benchCall is one request the benchmarks send, with the status it must get.
type benchCall struct {
	name         string
	method, path string
	header       map[string]string
	body         string
	status       int
}

// benchCalls are the default API's endpoints, as a client calls them.
var benchCalls = []benchCall{
	{name: "v2-list", method: "GET", path: "/v2/agents/agt_customer_support/sessions?limit=25",
		header: map[string]string{"Authorization": "Bearer sk_bench"}, status: http.StatusOK},
	{name: "v1-list", method: "POST", path: "/v1/agents/sessions/list?limit=10&offset=0",
		header: map[string]string{"Authorization": "Bearer sk_bench", "X-Namespace": "ns_demo", "Content-Type": "application/json"},
		body:   `{"status": "active", "filters": {}, "sort": {}}`, status: http.StatusOK},
	{name: "v2-invalid", method: "GET", path: "/v2/agents/customer_support/sessions?limit=500",
		header: map[string]string{"Authorization": "Bearer sk_bench"}, status: http.StatusBadRequest},
	{name: "v1-invalid", method: "POST", path: "/v1/agents/sessions/list?limit=250",
		header: map[string]string{"Authorization": "Bearer sk_bench", "X-Namespace": "ns_demo", "Content-Type": "application/json"},
		body:   `{"status": "paused"}`, status: http.StatusUnprocessableEntity},
}

func (c benchCall) request() *http.Request {
	var r *http.Request
	if c.body != "" {
		r = httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
	} else {
		r = httptest.NewRequest(c.method, c.path, nil)
	}
	for k, v := range c.header {
		r.Header.Set(k, v)
	}
	return r
}

// benchServe sends c to srv b.N times through the handler.
func benchServe(b *testing.B, srv http.Handler, c benchCall) {
	b.Helper()
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, c.request())
	if w.Code != c.status {
		b.Fatalf("%s %s: status %d, want %d: %s", c.method, c.path, w.Code, c.status, w.Body)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, c.request())
	}
}

// BenchmarkServe answers each default endpoint end to end through the
// handler: with the spec alone, and with the default fixtures and scenarios
// loaded as the CLI loads them.
func BenchmarkServe(b *testing.B) {
	spec := loadSpec(b, "default")
	bare, err := mockserver.New(mockserver.Config{Spec: spec, Seed: 42, CORS: true})
	if err != nil {
		b.Fatal(err)
	}
	store, err := fixtures.LoadStore(defaultapi.FS, "fixtures", spec, fixtures.StoreOptions{})
	if err != nil {
		b.Fatal(err)
	}
	set, err := scenarios.Load(defaultapi.FS, "scenarios", spec, scenarios.Options{})
	if err != nil {
		b.Fatal(err)
	}
	full, err := mockserver.New(mockserver.Config{Spec: spec, Fixtures: store, Scenarios: set, Seed: 42, CORS: true})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range benchCalls {
		b.Run("spec/"+c.name, func(b *testing.B) { benchServe(b, bare, c) })
	}
	for _, c := range benchCalls {
		b.Run("project/"+c.name, func(b *testing.B) { benchServe(b, full, c) })
	}
}

// BenchmarkValidateRequest validates the default API's requests, valid and
// invalid, against their operations.
func BenchmarkValidateRequest(b *testing.B) {
	spec := loadSpec(b, "default")
	for _, c := range benchCalls {
		b.Run(c.name, func(b *testing.B) {
			r := c.request()
			op, _, params, err := spec.Match(r.Method, r.URL.EscapedPath())
			if err != nil {
				b.Fatal(err)
			}
			// As the server calls it: the query parsed and a JSON body
			// decoded (json.Number numbers) beforehand.
			req := openapi.Request{HTTP: r, PathParams: params, Body: []byte(c.body), Query: parsedQuery(r.URL.RawQuery)}
			if c.body != "" {
				dec := json.NewDecoder(strings.NewReader(c.body))
				dec.UseNumber()
				if err := dec.Decode(&req.BodyJSON); err != nil {
					b.Fatal(err)
				}
			}
			ctx := context.Background()
			vs := op.ValidateRequest(ctx, req)
			if valid := c.status < 400; valid != (len(vs) == 0) {
				b.Fatalf("violations %v, want valid=%v", vs, valid)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				op.ValidateRequest(ctx, req)
			}
		})
	}
}

// parsedQuery is a query parsed as the handler parses it, once.
func parsedQuery(raw string) *openapi.Query {
	v, err := url.ParseQuery(raw)
	return &openapi.Query{Values: v, Err: err}
}
