package mockserver_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/alicebob/miniredis/v2"
)

// TestCollectionWorlds: GET /__decoy/collections/NAME?world= shows each
// world of a collection: the fixtures as loaded, untouched by writes; the
// shared world with the writes of requests without a client key; a
// client's world with its own; a bad world or a client world without a key
// is a 400 naming the parameter.
func TestCollectionWorlds(t *testing.T) {
	ts, _, _ := crudServer(t, map[string]string{"pets.yaml": crudFixtures}, false)
	ct := map[string]string{"Content-Type": "application/json"}
	mine := map[string]string{"Content-Type": "application/json", "X-Decoy-Client": "mine"}
	if got := do(t, ts, call{method: "POST", path: "/pets", header: ct, body: `{"name":"Shared","species":"dog"}`}); got.status != 201 {
		t.Fatalf("shared POST: %d %s", got.status, got.body)
	}
	if got := do(t, ts, call{method: "POST", path: "/pets", header: mine, body: `{"name":"Mine","species":"cat"}`}); got.status != 201 {
		t.Fatalf("client POST: %d %s", got.status, got.body)
	}
	names := func(path string) (string, string) {
		t.Helper()
		got := do(t, ts, call{method: "GET", path: path})
		if got.status != 200 {
			t.Fatalf("GET %s: %d %s", path, got.status, got.body)
		}
		var body struct {
			World string
			Items []struct{ Name string }
		}
		if err := json.Unmarshal(got.body, &body); err != nil {
			t.Fatal(err)
		}
		var n []string
		for _, it := range body.Items {
			n = append(n, it.Name)
		}
		return body.World, strings.Join(n, ",")
	}
	for _, tc := range []struct{ path, world, items string }{
		{"/__decoy/collections/pets?world=fixtures", "fixtures", "Rex,Tom"},
		{"/__decoy/collections/pets?world=fixtures&client=mine", "fixtures", "Rex,Tom"},
		{"/__decoy/collections/pets?world=shared", "shared", "Rex,Tom,Shared"},
		{"/__decoy/collections/pets?world=shared&client=mine", "shared", "Rex,Tom,Shared"},
		{"/__decoy/collections/pets", "shared", "Rex,Tom,Shared"},
		{"/__decoy/collections/pets?client=mine", "client", "Rex,Tom,Mine"},
		{"/__decoy/collections/pets?world=client&client=mine", "client", "Rex,Tom,Mine"},
		{"/__decoy/collections/pets?world=client&client=new", "client", "Rex,Tom"},
	} {
		if world, items := names(tc.path); world != tc.world || items != tc.items {
			t.Errorf("GET %s: world %q items %s, want %q %s", tc.path, world, items, tc.world, tc.items)
		}
	}
	for _, tc := range []struct{ path, param string }{
		{"/__decoy/collections/pets?world=mine", "world"},
		{"/__decoy/collections/pets?world=client", "client"},
	} {
		got := do(t, ts, call{method: "GET", path: tc.path})
		if got.status != 400 || !strings.Contains(string(got.body), `"parameter":"`+tc.param+`"`) {
			t.Errorf("GET %s: %d %s, want 400 naming %s", tc.path, got.status, got.body, tc.param)
		}
	}
	if got := do(t, ts, call{method: "GET", path: "/__decoy/collections/nope?world=fixtures"}); got.status != 404 {
		t.Errorf("unknown collection in the fixtures world: %d, want 404", got.status)
	}
}

// TestCollectionFixturesWorldWithRedis: with the worlds in Redis, the
// fixtures world is read from the loaded fixtures and still ignores the
// writes every replica sees.
func TestCollectionFixturesWorldWithRedis(t *testing.T) {
	reps := statefulReplicas(t, miniredis.RunT(t), 2)
	ct := map[string]string{"Content-Type": "application/json"}
	if got := do(t, reps[0], call{method: "POST", path: "/pets", header: ct, body: `{"name":"Shared","species":"dog"}`}); got.status != 201 {
		t.Fatalf("POST: %d %s", got.status, got.body)
	}
	fx := do(t, reps[1], call{method: "GET", path: "/__decoy/collections/pets?world=fixtures"})
	sh := do(t, reps[1], call{method: "GET", path: "/__decoy/collections/pets?world=shared"})
	if fx.status != 200 || strings.Contains(string(fx.body), `"Shared"`) || !strings.Contains(string(fx.body), `"world": "fixtures"`) {
		t.Errorf("fixtures world: %d %s", fx.status, fx.body)
	}
	if sh.status != 200 || !strings.Contains(string(sh.body), `"Shared"`) {
		t.Errorf("shared world: %d %s", sh.status, sh.body)
	}
}
