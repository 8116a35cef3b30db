package mockserver_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/decoy-mock/decoy/fixtures"
	"github.com/decoy-mock/decoy/mockserver"
	"github.com/decoy-mock/decoy/openapi"
)

// crudServer serves crud-petstore.yaml with the given fixture files (none
// and infer: every collection inferred from the paths, as --stateful).
func crudServer(t *testing.T, files map[string]string, infer bool, mutate ...func(*mockserver.Config)) (*httptest.Server, *openapi.Spec, *fixtures.Store) {
	t.Helper()
	spec := loadSpec(t, "crud-petstore.yaml")
	fsys := fstest.MapFS{}
	for name, content := range files {
		fsys["fixtures/"+name] = &fstest.MapFile{Data: []byte(strings.TrimLeft(content, "\n"))}
	}
	now := func() time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) }
	store, err := fixtures.LoadStore(fsys, "fixtures", spec, fixtures.StoreOptions{Infer: infer, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	cfg := mockserver.Config{Spec: spec, Fixtures: store, Seed: 42}
	for _, m := range mutate {
		m(&cfg)
	}
	srv, err := mockserver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts, spec, store
}

// checked does c and checks the response against the contract and status.
func checked(t *testing.T, ts *httptest.Server, spec *openapi.Spec, c call, status int) result {
	t.Helper()
	res := do(t, ts, c)
	if res.status != status {
		t.Fatalf("%s %s: status %d, want %d: %s", c.method, c.path, res.status, status, res.body)
	}
	req := httptest.NewRequest(c.method, c.path, nil)
	op, _, params, err := spec.Match(c.method, req.URL.EscapedPath())
	if err != nil {
		t.Fatal(err)
	}
	if err := op.ValidateResponse(t.Context(), req, params, res.status, res.header, res.body); err != nil {
		t.Fatalf("%s %s: the response breaks the contract: %v\n%s", c.method, c.path, err, res.body)
	}
	return res
}

const crudFixtures = `
collections:
  - name: pets
    key: id
    list: listPets
    item: getPet
    items:
      - {id: 1, name: Rex, species: dog, status: available, created_at: "2024-01-15T10:30:00Z"}
      - {id: 2, name: Tom, species: cat, status: sold, created_at: "2024-01-16T09:00:00Z"}
`

func TestCRUDThroughTheMock(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		infer bool
	}{
		{"inferred with --stateful, no fixture file", nil, true},
		{"declared in a fixture file", map[string]string{"pets.yaml": crudFixtures}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts, spec, _ := crudServer(t, tc.files, tc.infer)
			total := func() float64 {
				t.Helper()
				return checked(t, ts, spec, call{method: "GET", path: "/pets"}, 200).json(t)["total"].(float64)
			}
			if n := total(); n != 2 {
				t.Fatalf("seeded with %v pets, want 2 (the list example or the file)", n)
			}
			res := checked(t, ts, spec, call{method: "POST", path: "/pets", body: `{"name":"Polly","species":"bird","tag":"loud"}`}, 201)
			created := res.json(t)
			if created["id"] != 3.0 || created["status"] != "available" || created["created_at"] != "2025-03-01T12:00:00Z" {
				t.Fatalf("created %s", res.body)
			}
			if loc := res.header.Get("Location"); loc != ts.URL+"/pets/3" {
				t.Fatalf("Location %q", loc)
			}
			page := checked(t, ts, spec, call{method: "GET", path: "/pets?limit=2&offset=2"}, 200).json(t)
			if data := page["data"].([]any); page["total"] != 3.0 || len(data) != 1 || data[0].(map[string]any)["name"] != "Polly" {
				t.Fatalf("list after create: %v", page)
			}
			if got := checked(t, ts, spec, call{method: "GET", path: "/pets/3"}, 200).json(t); got["name"] != "Polly" {
				t.Fatalf("get after create: %v", got)
			}
			checked(t, ts, spec, call{method: "PATCH", path: "/pets/3", body: `{"name":"Pol","tag":null}`,
				header: map[string]string{"Content-Type": "application/merge-patch+json"}}, 200)
			got := checked(t, ts, spec, call{method: "GET", path: "/pets/3"}, 200).json(t)
			if _, hasTag := got["tag"]; got["name"] != "Pol" || hasTag || got["species"] != "bird" || got["id"] != 3.0 {
				t.Fatalf("get after patch: %v", got)
			}
			checked(t, ts, spec, call{method: "PUT", path: "/pets/3", body: `{"name":"Polly","species":"bird","status":"pending"}`}, 200)
			if got := checked(t, ts, spec, call{method: "GET", path: "/pets/3"}, 200).json(t); got["status"] != "pending" || got["created_at"] != created["created_at"] {
				t.Fatalf("get after put: %v", got)
			}
			if res := checked(t, ts, spec, call{method: "DELETE", path: "/pets/3"}, 204); len(res.body) != 0 {
				t.Fatalf("204 with a body: %s", res.body)
			}
			nf := checked(t, ts, spec, call{method: "GET", path: "/pets/3"}, 404).json(t)
			if nf["code"] == nil || !strings.Contains(nf["message"].(string), `petId "3" does not exist`) {
				t.Fatalf("404 body: %v", nf)
			}
			checked(t, ts, spec, call{method: "DELETE", path: "/pets/3"}, 404)
			if n := total(); n != 2 {
				t.Fatalf("%v pets after delete, want 2", n)
			}
		})
	}
}

func TestCRUDInvalidWriteStoresNothing(t *testing.T) {
	for _, mode := range []struct {
		name string
		mode mockserver.ValidationMode
	}{
		// Strict: the mock's request validation answers the 422.
		{"strict validation", mockserver.ValidationStrict},
		// Report: the request passes through, and the store itself refuses
		// an item its schema forbids.
		{"report-only validation", mockserver.ValidationReport},
	} {
		t.Run(mode.name, func(t *testing.T) {
			ts, spec, store := crudServer(t, nil, true, func(c *mockserver.Config) { c.Validation = mode.mode })
			before, _ := store.Items("pets", "")
			for _, c := range []call{
				{method: "POST", path: "/pets", body: `{"name":"","species":"bird"}`},
				{method: "POST", path: "/pets", body: `{"name":"Nemo","species":"fish"}`},
				{method: "PATCH", path: "/pets/1", body: `{"species":null}`, header: map[string]string{"Content-Type": "application/merge-patch+json"}},
				{method: "PUT", path: "/pets/1", body: `{"name":"Rex"}`},
			} {
				body := checked(t, ts, spec, c, 422).json(t)
				if body["code"] == nil || body["message"] == nil {
					t.Fatalf("%s %s: 422 body %v", c.method, c.body, body)
				}
			}
			after, _ := store.Items("pets", "")
			if string(mustMarshal(t, before)) != string(mustMarshal(t, after)) {
				t.Fatalf("an invalid write was stored:\n%s\n%s", mustMarshal(t, before), mustMarshal(t, after))
			}
		})
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCRUDClientIsolation(t *testing.T) {
	ts, spec, store := crudServer(t, nil, true)
	as := func(client string) map[string]string { return map[string]string{"X-Decoy-Client": client} }

	// Through Store.Answer, as the mock calls it with Call.Client set.
	answer := func(method, target, body, client string) *fixtures.Answer {
		t.Helper()
		r := httptest.NewRequest(method, target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		op, _, params, err := spec.Match(method, r.URL.EscapedPath())
		if err != nil {
			t.Fatal(err)
		}
		a, err := store.Answer(fixtures.Call{Op: op, HTTP: r, PathParams: params, Body: []byte(body), Client: client})
		if err != nil || a == nil {
			t.Fatalf("%s %s: %v", method, target, err)
		}
		return a
	}
	answer("POST", "/pets", `{"name":"OnlyA","species":"dog"}`, "job-a")
	count := func(client string) int {
		items, _ := store.Items("pets", client)
		return len(items)
	}
	if count("job-a") != 3 || count("job-b") != 2 || count("") != 2 {
		t.Fatalf("worlds: a %d, b %d, shared %d", count("job-a"), count("job-b"), count(""))
	}
	if a := answer("GET", "/pets/3", "", "job-a"); !strings.Contains(string(a.Body), "OnlyA") {
		t.Fatalf("job-a reads %s", a.Body)
	}
	store.Reset("job-a")
	if count("job-a") != 2 {
		t.Fatal("Reset(job-a) kept its world")
	}

	// End to end: the mock passes X-Decoy-Client into Call.Client.
	checked(t, ts, spec, call{method: "POST", path: "/pets", body: `{"name":"OnlyB","species":"cat"}`, header: as("job-b")}, 201)

	checked(t, ts, spec, call{method: "GET", path: "/pets/3", header: as("job-b")}, 200)
	checked(t, ts, spec, call{method: "GET", path: "/pets/3", header: as("job-c")}, 404)
	checked(t, ts, spec, call{method: "GET", path: "/pets/3"}, 404)
}

// The default API documents no write operation: its collections stay
// read-only even with --stateful, and a write is the router's 405.
func TestDefaultCollectionsStayReadOnly(t *testing.T) {
	spec := loadSpec(t, "default")
	store, err := fixtures.LoadStore(os.DirFS("../defaultapi"), "fixtures", spec, fixtures.StoreOptions{Infer: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range store.Collections() {
		if len(c.Create)+len(c.Replace)+len(c.Update)+len(c.Delete) > 0 || c.Inferred && c.Skipped == "" {
			t.Errorf("collection %+v writes", c)
		}
	}
	srv, err := mockserver.New(mockserver.Config{Spec: spec, Fixtures: store})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	path := "/v2/agents/agt_customer_support/sessions"
	res := do(t, ts, call{method: "POST", path: path, header: authV2, body: `{"description":"new"}`})
	if res.status != http.StatusMethodNotAllowed || res.header.Get("Allow") == "" {
		t.Fatalf("POST %s: %d %s", path, res.status, res.body)
	}
	before := do(t, ts, call{method: "GET", path: path + "?limit=100", header: authV2}).json(t)
	for _, m := range []string{"PUT", "PATCH", "DELETE"} {
		if res := do(t, ts, call{method: m, path: path, header: authV2, body: `{}`}); res.status != http.StatusMethodNotAllowed {
			t.Fatalf("%s: %d", m, res.status)
		}
	}
	after := do(t, ts, call{method: "GET", path: path + "?limit=100", header: authV2}).json(t)
	if string(mustMarshal(t, before)) != string(mustMarshal(t, after)) {
		t.Fatal("the default collection changed")
	}
}
