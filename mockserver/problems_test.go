package mockserver_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/decoy-mock/decoy/internal/golden"
	"github.com/decoy-mock/decoy/mockserver"
	"github.com/decoy-mock/decoy/openapi"
	"github.com/decoy-mock/decoy/scenarios"
)

// update rewrites the golden files instead of comparing with them:
// go test ./mockserver -run TestProblemDocuments -update
var update = flag.Bool("update", false, "rewrite the golden files in testdata/problems")

// problemSpec documents no error response at all, so that every error
// below is answered with Decoy's own problem document rather than a body
// shaped by the spec.
const problemSpec = `openapi: 3.0.3
info: {title: problems, version: "1"}
paths:
  /items:
    get:
      operationId: listItems
      responses:
        '200':
          description: the items
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Item'}}
    post:
      operationId: createItem
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Item'}
      responses:
        '201':
          description: created
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Item'}
  /impossible:
    get:
      operationId: getImpossible
      responses:
        '200':
          description: a number no value can be
          content:
            application/json:
              schema: {type: integer, minimum: 10, maximum: 5}
  /secure:
    get:
      operationId: getSecure
      security: [{bearerAuth: []}]
      responses:
        '204': {description: no content}
components:
  securitySchemes:
    bearerAuth: {type: http, scheme: bearer}
  schemas:
    Item:
      type: object
      required: [name]
      properties:
        name: {type: string}
`

// problemScenarios force the statuses no request can provoke by itself,
// none of which listItems documents.
const problemScenarios = `name: limited
description: one list per minute.
rules:
  - operations: [listItems]
    rateLimit: {limit: 1, window: 1m}
    allowUndocumented: true
---
name: fail-500
description: an undocumented 500.
rules:
  - operations: [listItems]
    status: 500
    allowUndocumented: true
---
name: fail-502
description: an undocumented 502.
rules:
  - operations: [listItems]
    status: 502
    allowUndocumented: true
---
name: fail-503
description: an undocumented 503.
rules:
  - operations: [listItems]
    status: 503
    allowUndocumented: true
`

// TestProblemDocuments provokes every problem document Decoy writes for a
// request to the mocked API and compares each answer (status line,
// Content-Type and indented body) with testdata/problems/NAME.golden, so a
// change of wording shows in review.
//
// 500 is covered twice: a schema no value satisfies (cannot-generate) and
// an undocumented status a scenario allows. The 500 of recoverPanics is not
// provoked: no request panics the handler on purpose.
//
// 502 and 503 come only from a scenario (allowUndocumented admits a 5xx or
// 429): Decoy itself never writes them, as it proxies nothing and has no
// overload state. Not covered here: 403 (only the admin API's host and
// origin guard), 501 (an operation that documents no response), 400
// unreadable-body (a body that fails mid-read), and the admin API's own
// problems.
func TestProblemDocuments(t *testing.T) {
	files := fstest.MapFS{
		"openapi.yaml":        {Data: []byte(problemSpec)},
		"scenarios/test.yaml": {Data: []byte(problemScenarios)},
	}
	spec, err := openapi.Load(files, "openapi.yaml", openapi.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	set, err := scenarios.Load(files, "scenarios", spec, scenarios.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := mockserver.New(mockserver.Config{Spec: spec, Scenarios: set, Seed: 42, MaxBodyBytes: 64, MaxHeaderBytes: 1024})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)

	cases := []struct {
		name string
		call call
		// before is how many times the request is sent first, unchecked
		// (to use up a rate limit).
		before int
		status int
	}{
		{"400-unknown-scenario", call{method: "GET", path: "/items", header: map[string]string{"Prefer": "scenario=nope"}}, 0, 400},
		{"401-unauthorized", call{method: "GET", path: "/secure"}, 0, 401},
		{"404-no-route", call{method: "GET", path: "/itemz"}, 0, 404},
		{"404-undocumented-code", call{method: "GET", path: "/items", header: map[string]string{"Prefer": "code=418"}}, 0, 404},
		{"404-unknown-example", call{method: "GET", path: "/items", header: map[string]string{"Prefer": "example=nope"}}, 0, 404},
		{"405-method-not-allowed", call{method: "DELETE", path: "/items"}, 0, 405},
		{"406-not-acceptable", call{method: "GET", path: "/items", header: map[string]string{"Accept": "text/html"}}, 0, 406},
		{"413-payload-too-large", call{method: "POST", path: "/items", body: `{"name":"` + strings.Repeat("x", 100) + `"}`}, 0, 413},
		{"415-unsupported-media-type", call{method: "POST", path: "/items", header: map[string]string{"Content-Type": "text/plain"}, body: "a name"}, 0, 415},
		{"422-validation-failed", call{method: "POST", path: "/items", body: `{"name":1}`}, 0, 422},
		{"422-malformed-preference", call{method: "GET", path: "/items", header: map[string]string{"Prefer": "code=abc"}}, 0, 422},
		{"429-rate-limited", call{method: "GET", path: "/items", header: map[string]string{"Prefer": "scenario=limited"}}, 1, 429},
		{"431-header-too-large", call{method: "GET", path: "/items", header: map[string]string{"X-Padding": strings.Repeat("p", 2000)}}, 0, 431},
		{"500-cannot-generate", call{method: "GET", path: "/impossible"}, 0, 500},
		{"500-scenario", call{method: "GET", path: "/items", header: map[string]string{"Prefer": "scenario=fail-500"}}, 0, 500},
		{"502-scenario", call{method: "GET", path: "/items", header: map[string]string{"Prefer": "scenario=fail-502"}}, 0, 502},
		{"503-scenario", call{method: "GET", path: "/items", header: map[string]string{"Prefer": "scenario=fail-503"}}, 0, 503},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for range c.before {
				sendFixedHost(t, ts, c.call)
			}
			resp, b := sendFixedHost(t, ts, c.call)
			if resp.StatusCode != c.status {
				t.Errorf("status %d, want %d", resp.StatusCode, c.status)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type %q, want application/problem+json", ct)
			}
			got := goldenAnswer(t, resp, b)
			golden.Check(t, filepath.Join("testdata", "problems", c.name+".golden"), got, *update)
		})
	}
}

// sendFixedHost sends c with a fixed Host and User-Agent, so that sizes
// quoted in a problem (the 431's header block) depend on neither the test
// server's port nor the Go release.
func sendFixedHost(t *testing.T, ts *httptest.Server, c call) (*http.Response, []byte) {
	t.Helper()
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequest(c.method, ts.URL+c.path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "decoy.test"
	req.Header.Set("User-Agent", "decoy-problems-test") // not the Go version's default
	if c.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// goldenAnswer is an answer as it is kept in a golden file: the status
// line, Content-Type, and the body indented, its volatile fields replaced.
func goldenAnswer(t *testing.T, resp *http.Response, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	fmt.Fprintf(&out, "%s %s\nContent-Type: %s\n\n", resp.Proto, resp.Status, resp.Header.Get("Content-Type"))
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, b)
	}
	for _, k := range volatileProblemFields {
		if _, ok := doc[k]; ok {
			doc[k] = "<volatile>"
		}
	}
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// volatileProblemFields are the members of a problem document that may
// differ from run to run; none of Decoy's problems has one today, but an
// instance or request id added later must not make every golden stale.
var volatileProblemFields = []string{"instance", "requestId", "request_id", "date", "timestamp", "time"}
