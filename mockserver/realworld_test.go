package mockserver_test

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/decoy-mock/decoy/mockserver"
	"github.com/decoy-mock/decoy/openapi"
)

// TestRealWorldFlawedSpecsServe serves each flawed spec of
// openapi/testdata/realworld: a valid request gets a documented answer,
// and an invalid one the documented error.
func TestRealWorldFlawedSpecsServe(t *testing.T) {
	json := map[string]string{"Content-Type": "application/json"}
	tests := []struct {
		spec             string
		valid            call
		validStatus      int
		invalid          call
		invalidStatus    int
		invalidViolation string // a word of the violation; "" to skip
	}{
		{"no-info.yaml", call{method: "GET", path: "/pets?limit=5"}, 200, call{method: "GET", path: "/pets?limit=50"}, 400, "limit"},
		{"empty-title.yaml", call{method: "GET", path: "/pets?limit=5"}, 200, call{method: "GET", path: "/pets?limit=x"}, 400, "limit"},
		{"response-description.yaml", call{method: "GET", path: "/pets"}, 200, call{method: "GET", path: "/pets?limit=11"}, 400, "limit"},
		{"path-query.yaml", call{method: "GET", path: "/api/icons?term=cat"}, 200, call{method: "GET", path: "/api/icons?term=c"}, 400, "term"},
		{"keywords31-in-30.yaml", call{method: "GET", path: "/tags"}, 200, call{method: "GET", path: "/tags?limit=99"}, 400, "limit"},
		{"ref-siblings.yaml", call{method: "POST", path: "/things", body: `{"name": "a", "kind": "small"}`}, 201, call{method: "POST", path: "/things", body: `{"name": "a", "kind": "huge"}`}, 400, "kind"},
		{"bad-default.yaml", call{method: "GET", path: "/sessions?status=idle"}, 200, call{method: "GET", path: "/sessions?status=running"}, 400, "status"},
		{"wrong-shape.yaml", call{method: "POST", path: "/pets", body: `{"name": "rex", "age": 1}`}, 201, call{method: "POST", path: "/pets", body: `{"age": 1}`}, 400, "name"},
		{"keywords-2020.yaml", call{method: "POST", path: "/nodes", body: `{"label": "a", "pair": ["x", 1], "kind": "k", "size": 2}`}, 201, call{method: "POST", path: "/nodes", body: `{"label": "a", "size": 2, "color": "red"}`}, 400, ""},
		{"ref-kinds.yaml", call{method: "GET", path: "/items/a?copy=3"}, 200, call{method: "GET", path: "/items/a?copy=30"}, 400, "copy"},
		{"ref-kinds.yaml", call{method: "GET", path: "/items/a", header: map[string]string{"Prefer": "code=404"}}, 404, call{method: "GET", path: "/items/a?limit=x"}, 400, "limit"},
		{"wrong-types.yaml", call{method: "POST", path: "/videos", body: `{"timecode": "123"}`}, 201, call{method: "POST", path: "/videos", body: `{"timecode": 5}`}, 400, "timecode"},
		{"http-rules.yaml", call{method: "GET", path: "/files/a1"}, 200, call{method: "GET", path: "/files/toolongforit"}, 400, "id"},
		{"http-rules.yaml", call{method: "DELETE", path: "/files/a1"}, 204, call{method: "DELETE", path: "/files/toolongforit"}, 400, "id"},
		{"http-rules.yaml", call{method: "PUT", path: "/files/a1", body: "<a/>", header: map[string]string{"Content-Type": "application/xml; charset=utf-8"}}, 204, call{method: "PUT", path: "/files/a1", body: "{}", header: map[string]string{"Content-Type": "application/json"}}, 415, ""},
		{"ecma-pattern.yaml", call{method: "GET", path: "/users/bob"}, 200, call{method: "GET", path: "/users/administrator"}, 400, "name"},
		{"path-conflict.yaml", call{method: "GET", path: "/v1/abc"}, 200, call{method: "GET", path: "/v1/abcdefghijk"}, 400, "name"},
		{"path-params.yaml", call{method: "GET", path: "/orgs/acme/repos/decoy"}, 200, call{method: "GET", path: "/orgs/acmeacmeacme/repos/decoy"}, 400, "org"},
		{"tuple-items.yaml", call{method: "POST", path: "/points", body: `[1.5, 2]`}, 200, call{method: "POST", path: "/points", body: `["a", 2]`}, 400, ""},
		{"type-array-30.yaml", call{method: "POST", path: "/notes", body: `{"text": null, "rank": "first"}`}, 201, call{method: "POST", path: "/notes", body: `{"text": "this text is longer than twenty"}`}, 400, "text"},
		{"multifile/api/openapi.yaml", call{method: "GET", path: "/widgets?limit=2"}, 200, call{method: "GET", path: "/widgets?limit=20"}, 400, "limit"},
		{"multifile/api/openapi.yaml", call{method: "POST", path: "/widgets", body: `{"id": "w1"}`}, 201, call{method: "POST", path: "/widgets", body: `{"name": "no id"}`}, 400, "id"},
	}
	root := filepath.Join("..", "openapi", "testdata", "realworld")
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			spec, err := openapi.Load(os.DirFS(root), tt.spec, openapi.LoadOptions{})
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			srv, err := mockserver.New(mockserver.Config{Spec: spec, Seed: 7})
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(srv)
			defer ts.Close()
			for _, c := range []*call{&tt.valid, &tt.invalid} {
				if c.body != "" && c.header == nil {
					c.header = json
				}
			}
			got := do(t, ts, tt.valid)
			if got.status != tt.validStatus {
				t.Errorf("%s %s: status %d, want %d\n%s", tt.valid.method, tt.valid.path, got.status, tt.validStatus, got.body)
			}
			got = do(t, ts, tt.invalid)
			if got.status != tt.invalidStatus {
				t.Errorf("%s %s: status %d, want %d\n%s", tt.invalid.method, tt.invalid.path, got.status, tt.invalidStatus, got.body)
			}
			// The documented errors have no body here: the violation is
			// in the journal, named.
			if v := do(t, ts, call{method: "GET", path: "/__decoy/violations"}); tt.invalidViolation != "" && !strings.Contains(string(v.body), tt.invalidViolation) {
				t.Errorf("the violation does not name %q:\n%s", tt.invalidViolation, v.body)
			}
		})
	}
}

// TestDocumentedFramingHeadersAreNotFilledIn: a spec that documents
// Transfer-Encoding or Content-Encoding (seen in real descriptions) must not
// make Decoy send "chunked" beside a Content-Length, or "gzip" over a plain
// body (the client's gzip reader fails on it).
func TestDocumentedFramingHeadersAreNotFilledIn(t *testing.T) {
	const doc = `openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a:
    get:
      responses:
        '200':
          description: ok
          headers:
            Transfer-Encoding: {required: true, schema: {type: string, enum: [chunked]}}
            Content-Length: {required: true, schema: {type: integer}}
            Content-Encoding: {required: true, schema: {type: string, enum: [gzip]}}
            X-Request-Id: {required: true, schema: {type: string}}
          content:
            application/json:
              schema: {type: object, properties: {a: {type: string}}}
`
	spec, err := openapi.Load(fstest.MapFS{"spec.yaml": {Data: []byte(doc)}}, "spec.yaml", openapi.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := mockserver.New(mockserver.Config{Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	got := do(t, ts, call{method: "GET", path: "/a"})
	if got.status != 200 || got.header.Get("X-Request-Id") == "" {
		t.Fatalf("status %d, headers %v", got.status, got.header)
	}
	// (net/http takes Transfer-Encoding out of the header map; a filled-in
	// "chunked" shows as the Content-Length the server then drops.)
	if got.header.Get("Content-Length") == "" {
		t.Errorf("no Content-Length: a documented Transfer-Encoding was filled in")
	}
}
