package verify

import (
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/decoy-mock/decoy/openapi"
)

const checkSpec = `openapi: 3.0.3
info: {title: check, version: '1'}
paths:
  /things:
    get:
      operationId: listThings
      responses:
        '200':
          description: ok
          headers:
            X-Total:
              required: true
              schema: {type: integer, minimum: 0}
          content:
            application/json:
              schema:
                type: object
                required: [items]
                properties:
                  items:
                    type: array
                    items:
                      type: object
                      required: [id]
                      properties:
                        id: {type: string}
                        n: {type: integer}
        '204': {description: nothing}
        4XX:
          description: client error
          content:
            application/problem+json:
              schema: {type: object, required: [title], properties: {title: {type: string}}}
`

func checkRunner(t *testing.T) (*runner, *openapi.Operation) {
	t.Helper()
	spec, err := openapi.Load(fstest.MapFS{"s.yaml": {Data: []byte(checkSpec)}}, "s.yaml", openapi.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := newRunner(Config{Spec: spec, Target: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	return r, spec.Operation("listThings")
}

func TestCheckRules(t *testing.T) {
	r, op := checkRunner(t)
	json := http.Header{"Content-Type": {"application/json"}, "X-Total": {"2"}}
	tests := []struct {
		name     string
		negative bool
		status   int
		header   http.Header
		body     string
		want     []string
	}{
		{"conforming", false, 200, json, `{"items":[{"id":"a","n":1}]}`, nil},
		{"no content", false, 204, nil, ``, nil},
		{"undocumented status", false, 500, json, `{}`, []string{"status 500 not documented"}},
		{"range documents 404", false, 404, http.Header{"Content-Type": {"application/problem+json"}}, `{"title":"x"}`, nil},
		{"missing required header", false, 200, http.Header{"Content-Type": {"application/json"}}, `{"items":[]}`, []string{"response header X-Total: required"}},
		{"header of the wrong type", false, 200, http.Header{"Content-Type": {"application/json"}, "X-Total": {"many"}}, `{"items":[]}`, []string{"response header X-Total: value must be an integer"}},
		{"undocumented content type", false, 200, http.Header{"Content-Type": {"text/html"}, "X-Total": {"1"}}, `<p>`, []string{"content type text/html not documented (documented: application/json)"}},
		{"no content type", false, 200, http.Header{"X-Total": {"1"}}, `{}`, []string{"response header Content-Type: missing (documented: application/json)"}},
		{"empty body", false, 200, http.Header{"X-Total": {"1"}}, ``, []string{"response body: empty, but status 200 documents application/json"}},
		{"invalid JSON", false, 200, json, `{"items":`, []string{"response body: invalid JSON: unexpected EOF"}},
		{"missing field", false, 200, json, `{"items":[{"n":1}]}`, []string{"response body /items/0/id: required"}},
		{"wrong type", false, 200, json, `{"items":[{"id":"a","n":"1"}]}`, []string{"response body /items/0/n: value must be an integer"}},
		{"negative accepted", true, 200, json, `{"items":[]}`, []string{"missing query parameter \"q\" answered 200: a documented 4xx was expected"}},
		{"negative refused", true, 400, http.Header{"Content-Type": {"application/problem+json"}}, `{"title":"bad"}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &kase{op: op, negative: tt.negative, why: `missing query parameter "q"`}
			got := r.check(c, "GET", &ResponseRecord{Status: tt.status}, tt.header, []byte(tt.body))
			var rules []string
			for _, f := range got {
				rules = append(rules, f.Rule)
			}
			if strings.Join(rules, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("rules:\n%s\nwant:\n%s", strings.Join(rules, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestCollapseIndexes(t *testing.T) {
	got := collapseIndexes([]string{"/a/0/b: required", "/a/1/b: required", "/a/1/c: x", "/total: y"})
	want := []string{"/a/0/b: required (and at 1 more array indexes)", "/a/1/c: x", "/total: y"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q", got)
	}
}

const exampleSpec = `openapi: 3.0.3
info: {title: examples, version: '1'}
paths:
  /search:
    get:
      operationId: search
      parameters:
        - name: q
          in: query
          required: true
          schema: {type: string, default: all}
          examples:
            by user: {value: 'user:1'}
            plain: {value: cats}
        - name: n
          in: query
          schema: {type: integer, enum: [5, 10]}
      responses:
        '200': {description: ok}
`

// TestEveryNamedExampleIsARequest: each named example of a parameter gets
// a request of its own (whatever its name), and a default or enum value
// is used but not announced as an example.
func TestEveryNamedExampleIsARequest(t *testing.T) {
	spec, err := openapi.Load(fstest.MapFS{"s.yaml": {Data: []byte(exampleSpec)}}, "s.yaml", openapi.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := newRunner(Config{Spec: spec, Target: "http://127.0.0.1:1", Generated: -1})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range r.b.cases(spec.Operation("search")) {
		b, err := r.build(c)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, c.name+" → "+b.req.URL.RawQuery)
	}
	want := []string{
		"required parameters, first documented values → q=user%3A1",
		`query parameter "q" example "plain" → q=cats`,
		"every parameter at its first documented value → n=5&q=user%3A1",
		`negative: missing query parameter "q" → `,
		`negative: query parameter "n" of the wrong type ("not-a-number") → n=not-a-number&q=user%3A1`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("cases:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
