package mockserver_test

import (
	"encoding/json"
	"maps"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/decoy-mock/decoy/mockserver"
	"github.com/decoy-mock/decoy/openapi"
)

// findingsSpec has two bad examples (class bad-example) and, in another
// file order, a third: enough to see sorting and counting.
const findingsSpec = `openapi: 3.0.3
info: {title: findings, version: "1"}
paths:
  /b:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: integer}
              example: "two"
  /a:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {id: {type: integer}}}
              examples:
                wrong: {value: {id: "one"}}
                worse: {value: {id: "none"}}
`

func findingsServer(t *testing.T, mutate ...func(*mockserver.Config)) (*mockserver.Config, func(call) result) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "openapi.yaml"), []byte(findingsSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	spec, err := openapi.Load(os.DirFS(dir), "openapi.yaml", openapi.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := mockserver.Config{Spec: spec}
	for _, m := range mutate {
		m(&cfg)
	}
	srv, err := mockserver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &cfg, func(c call) result { return do(t, ts, c) }
}

func TestAdminFindings(t *testing.T) {
	cfg, get := findingsServer(t)
	n := len(cfg.Spec.Findings)
	if n < 3 {
		t.Fatalf("the test spec has %d findings, want at least 3: %v", n, cfg.Spec.Findings)
	}
	tests := []struct {
		name, path string
		status     int
		count      int
		byClass    map[string]int
	}{
		{"all", "/__decoy/findings", 200, n, nil},
		{"one class", "/__decoy/findings?class=bad-example", 200, 3, map[string]int{"bad-example": 3}},
		{"classes comma-separated", "/__decoy/findings?class=nope,bad-example", 200, 3, map[string]int{"bad-example": 3}},
		{"unknown class", "/__decoy/findings?class=nope", 200, 0, map[string]int{}},
		{"no sub-resource", "/__decoy/findings/x", 404, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := get(call{method: "GET", path: tt.path})
			if res.status != tt.status {
				t.Fatalf("status %d, want %d: %s", res.status, tt.status, res.body)
			}
			if tt.status != 200 {
				return
			}
			var list mockserver.FindingList
			if err := json.Unmarshal(res.body, &list); err != nil {
				t.Fatalf("%v: %s", err, res.body)
			}
			if list.Count != tt.count || len(list.Findings) != tt.count {
				t.Errorf("count %d with %d findings, want %d: %s", list.Count, len(list.Findings), tt.count, res.body)
			}
			if tt.byClass != nil && !maps.Equal(list.ByClass, tt.byClass) {
				t.Errorf("byClass = %v, want %v", list.ByClass, tt.byClass)
			}
			if !strings.Contains(string(res.body), `"findings": [`) {
				t.Errorf("findings is not a JSON array: %s", res.body)
			}
		})
	}
	if res := get(call{method: "POST", path: "/__decoy/findings"}); res.status != 405 {
		t.Errorf("POST: %d", res.status)
	}
	if res := get(call{method: "GET", path: "/__decoy/nope"}); !strings.Contains(string(res.body), "GET /__decoy/findings") {
		t.Errorf("the admin API's list of endpoints lacks findings: %s", res.body)
	}
}

func TestAdminFindingsSortedByPlace(t *testing.T) {
	cfg, get := findingsServer(t)
	var list mockserver.FindingList
	if err := json.Unmarshal(get(call{method: "GET", path: "/__decoy/findings"}).body, &list); err != nil {
		t.Fatal(err)
	}
	// /b comes first in the file though /a sorts first by path.
	if len(list.Findings) < 3 || !strings.HasPrefix(list.Findings[0].Pointer, "/paths/~1b") {
		t.Fatalf("not sorted by place: %+v", list.Findings)
	}
	for i := 1; i < len(list.Findings); i++ {
		if mockserver.FindingsOf(cfg.Spec).Findings[i] != list.Findings[i] {
			t.Errorf("finding %d differs from FindingsOf", i)
		}
	}
}

func TestAdminFindingsNeedsTheAdminToken(t *testing.T) {
	_, get := findingsServer(t, func(c *mockserver.Config) { c.AdminToken = "s3cret" })
	if res := get(call{method: "GET", path: "/__decoy/findings"}); res.status != 401 {
		t.Errorf("no token: %d", res.status)
	}
	if res := get(call{method: "GET", path: "/__decoy/findings", header: map[string]string{"Authorization": "Bearer s3cret"}}); res.status != 200 {
		t.Errorf("with the token: %d", res.status)
	}
}

func TestFindingsOfSortsLinesAsNumbers(t *testing.T) {
	spec := &openapi.Spec{Findings: []openapi.Finding{
		{Pointer: "/x", Class: "invalid", Message: "no place"},
		{Where: "b.yaml:2:1", Pointer: "/b", Class: "info"},
		{Where: "a.yaml:10:3", Pointer: "/a10", Class: "info"},
		{Where: "a.yaml:9:7", Pointer: "/a9", Class: "info"},
		{Where: "a.yaml:9:12", Pointer: "/a9b", Class: "info"},
	}}
	var got []string
	for _, f := range mockserver.FindingsOf(spec).Findings {
		got = append(got, f.Pointer)
	}
	if want := "/a9 /a9b /a10 /b /x"; strings.Join(got, " ") != want {
		t.Errorf("order %v, want %s", got, want)
	}
}
