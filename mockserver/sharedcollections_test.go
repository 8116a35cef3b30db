package mockserver_test

import (
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/alicebob/miniredis/v2"

	"github.com/decoy-mock/decoy/mockserver"
	"github.com/decoy-mock/decoy/sharedstate"
)

// statefulReplicas starts n mock servers of the crud petstore with
// --stateful collections, their worlds on one Redis.
func statefulReplicas(t *testing.T, mr *miniredis.Miniredis, n int) []*httptest.Server {
	return replicasOf(t, mr, n, func(store *sharedstate.Redis) mockserver.Project {
		return mockserver.Project{SpecFS: os.DirFS("../fixtures/testdata"), SpecFile: "crud-petstore.yaml",
			Stateful: true, Counters: store, Worlds: store}
	})
}

// TestSharedCollectionsAcrossReplicas: through the real handler, a POST on
// A is read on B and deleted on C; a client's world is its own on every
// replica; a reset on one clears all; with Redis gone the collection is a
// 503 shared-state-unavailable, and it comes back with Redis.
func TestSharedCollectionsAcrossReplicas(t *testing.T) {
	mr := miniredis.RunT(t)
	rs := statefulReplicas(t, mr, 3)
	a, b, c := rs[0], rs[1], rs[2]
	ct := map[string]string{"Content-Type": "application/json"}
	res := do(t, a, call{method: "POST", path: "/pets", header: ct, body: `{"name":"Shared","species":"dog"}`})
	if res.status != 201 {
		t.Fatalf("POST on A: %d %s", res.status, res.body)
	}
	item := fmt.Sprintf("/pets/%v", res.json(t)["id"])
	if got := do(t, b, call{method: "GET", path: item}); got.status != 200 || !strings.Contains(string(got.body), `"Shared"`) {
		t.Fatalf("GET %s on B: %d %s", item, got.status, got.body)
	}
	if got := do(t, c, call{method: "DELETE", path: item}); got.status != 204 {
		t.Fatalf("DELETE %s on C: %d %s", item, got.status, got.body)
	}
	if got := do(t, a, call{method: "GET", path: item}); got.status != 404 {
		t.Fatalf("GET %s on A after the delete on C: %d %s", item, got.status, got.body)
	}

	mine := with(ct, "X-Decoy-Client", "mine")
	if got := do(t, b, call{method: "POST", path: "/pets", header: mine, body: `{"name":"Mine","species":"cat"}`}); got.status != 201 {
		t.Fatalf("POST for a client: %d %s", got.status, got.body)
	}
	for i, r := range rs {
		if got := do(t, r, call{method: "GET", path: "/pets?limit=100", header: mine}); !strings.Contains(string(got.body), `"Mine"`) {
			t.Fatalf("replica %d does not show the client its write: %s", i, got.body)
		}
		if got := do(t, r, call{method: "GET", path: "/pets?limit=100", header: map[string]string{"X-Decoy-Client": "other"}}); strings.Contains(string(got.body), `"Mine"`) {
			t.Fatalf("replica %d shows another client's write: %s", i, got.body)
		}
	}
	if got := do(t, c, call{method: "GET", path: "/__decoy/collections/pets?client=mine"}); !strings.Contains(string(got.body), `"Mine"`) {
		t.Fatalf("the admin view on C of the client's world written on B: %d %s", got.status, got.body)
	}
	if got := do(t, c, call{method: "POST", path: "/__decoy/reset"}); got.status/100 != 2 {
		t.Fatalf("reset: %d %s", got.status, got.body)
	}
	if got := do(t, a, call{method: "GET", path: "/pets?limit=100", header: mine}); strings.Contains(string(got.body), `"Mine"`) {
		t.Fatalf("the reset on C left the write on A: %s", got.body)
	}

	addr := mr.Addr()
	mr.Close()
	for _, cl := range []call{{method: "GET", path: "/pets"}, {method: "POST", path: "/pets", header: ct, body: `{"name":"Lost","species":"dog"}`}} {
		got := do(t, a, cl)
		if got.status != 503 || !strings.Contains(string(got.body), "shared-state-unavailable") {
			t.Fatalf("%s %s with Redis gone: %d %s", cl.method, cl.path, got.status, got.body)
		}
	}
	if got := do(t, b, call{method: "GET", path: "/__decoy/collections/pets"}); got.status != 503 || !strings.Contains(string(got.body), "shared-state-unavailable") {
		t.Fatalf("the admin view of a collection with Redis gone: %d %s", got.status, got.body)
	}
	if got := do(t, b, call{method: "POST", path: "/__decoy/reset"}); got.status != 503 {
		t.Fatalf("reset with Redis gone: %d %s", got.status, got.body)
	}
	if err := mr.StartAddr(addr); err != nil {
		t.Skipf("cannot restart miniredis on %s: %v", addr, err)
	}
	waitFor(t, func() bool { return do(t, a, call{method: "GET", path: "/pets"}).status == 200 })
}
