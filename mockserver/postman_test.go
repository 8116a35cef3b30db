package mockserver_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/decoy-mock/decoy/mockserver"
)

// TestPostmanCollection serves a Postman collection end to end: what the
// front-end team saved in Postman is what Decoy answers.
func TestPostmanCollection(t *testing.T) {
	ts, spec := newServer(t, "petstore.postman_collection.json")
	auth := map[string]string{"Authorization": "Bearer sk_test_123"}
	admin := map[string]string{"X-Admin-Key": "k"}
	tests := []struct {
		name   string
		call   call
		status int
		body   string // JSON compared as values, or text with a "text:" prefix; "" means not checked
		header map[string]string
	}{
		{"a saved 200 is the answer", call{method: "GET", path: "/pets/1", header: auth}, 200,
			`{"id": 1, "name": "Rex", "tag": "dog"}`, map[string]string{"Content-Type": "application/json"}},
		{"Prefer code=404 answers the saved 404", call{method: "GET", path: "/pets/99", header: with(auth, "Prefer", "code=404")}, 404,
			`{"error": "not_found", "message": "no pet 99"}`, nil},
		{"Prefer example= picks a saved response by name", call{method: "GET", path: "/pets/2", header: with(auth, "Prefer", `example="Cat without tag"`)}, 200,
			`{"id": 2, "name": "Tom", "tag": null}`, nil},
		{"a saved response header is sent", call{method: "GET", path: "/pets?limit=10", header: auth}, 200,
			`[{"id": 1, "name": "Rex", "tag": "dog"}, {"id": 2, "name": "Tom"}]`, map[string]string{"X-Total-Count": "2"}},
		{"the base URL's path is served too", call{method: "GET", path: "/v1/pets/1", header: auth}, 200,
			`{"id": 1, "name": "Rex", "tag": "dog"}`, nil},
		{"the collection's bearer auth is asked for", call{method: "GET", path: "/pets/1"}, 401, "", nil},
		// Decoy writes its own message into the saved error's message field.
		{"a body of the wrong type gets the saved 400", call{method: "POST", path: "/pets", header: auth, body: `{"name": 5, "age": 3}`}, 400,
			`{"error": "invalid", "message": "request body /name: value must be a string"}`, nil},
		{"a good body gets the saved 201", call{method: "POST", path: "/pets", header: auth, body: `{"name": "Rex", "age": 3}`}, 201,
			`{"id": 3, "name": "Tom"}`, map[string]string{"Location": "/pets/3"}},
		{"a request renamed to the first template", call{method: "DELETE", path: "/pets/1", header: auth}, 204, "", nil},
		{"a folder's api key, a merged request's text response", call{method: "GET", path: "/v2/owners/own_1", header: with(admin, "Prefer", "code=410")}, 410,
			"text:this owner left", map[string]string{"Content-Type": "text/plain"}},
		{"the folder's api key is asked for", call{method: "GET", path: "/v2/owners/own_1", header: auth}, 401, "", nil},
		{"noauth and no saved response", call{method: "GET", path: "/health"}, 200, "text:", nil},
		{"basic auth and a form body", call{method: "POST", path: "/login", header: map[string]string{"Authorization": "Basic YWRhOnNlY3JldA==", "Content-Type": "application/x-www-form-urlencoded"}, body: "grant_type=password"}, 200,
			`{"access_token": "tok_1", "expires_in": 3600}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := do(t, ts, tt.call)
			if res.status != tt.status {
				t.Fatalf("status %d, want %d: %s", res.status, tt.status, res.body)
			}
			switch {
			case strings.HasPrefix(tt.body, "text:"):
				if got := string(res.body); got != strings.TrimPrefix(tt.body, "text:") {
					t.Errorf("body %q, want %q", got, strings.TrimPrefix(tt.body, "text:"))
				}
			case tt.body != "":
				var got, want any
				if err := json.Unmarshal(res.body, &got); err != nil {
					t.Fatalf("body is not JSON: %v: %s", err, res.body)
				}
				if err := json.Unmarshal([]byte(tt.body), &want); err != nil {
					t.Fatal(err)
				}
				if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
					t.Errorf("body %s, want %s", g, w)
				}
			}
			for k, v := range tt.header {
				if got := res.header.Get(k); !strings.HasPrefix(got, v) {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}

	// The collection's findings are the spec's, pointing into the collection.
	var findings []string
	for _, f := range spec.Findings {
		findings = append(findings, f.String())
	}
	if len(findings) == 0 || !strings.HasPrefix(findings[0], "petstore.postman_collection.json: /item/") {
		t.Errorf("findings = %q, want the conversion's, naming the collection", findings)
	}

	// The journal and the coverage name the operations by their requests.
	var list struct {
		Entries []mockserver.Entry `json:"entries"`
	}
	do(t, ts, call{method: "GET", path: "/__decoy/requests?operation=getPetById"}).decode(t, &list)
	if len(list.Entries) != 5 {
		t.Errorf("journal has %d getPetById entries, want 5 (one of them refused)", len(list.Entries))
	}
	var cov mockserver.Coverage
	do(t, ts, call{method: "GET", path: "/__decoy/coverage"}).decode(t, &cov)
	hits := map[string]bool{}
	for _, op := range cov.Operations {
		if op.Operation != "getPetById" {
			continue
		}
		if op.Summary != "Get pet by id" || op.Path != "/pets/{petId}" {
			t.Errorf("coverage of getPetById: summary %q, path %q", op.Summary, op.Path)
		}
		for _, r := range op.Responses {
			hits[r.Code] = r.Hit
		}
	}
	if !hits["200"] || !hits["404"] {
		t.Errorf("coverage of getPetById = %v, want 200 and 404 hit", hits)
	}
}

func (r result) decode(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		tb.Fatalf("status %d, body is not JSON: %v\n%s", r.status, err, r.body)
	}
}

func mustJSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
