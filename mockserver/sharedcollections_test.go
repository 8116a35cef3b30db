package mockserver_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/decoy-mock/decoy/mockserver"
	"github.com/decoy-mock/decoy/scenarios"
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

// overlapProbe stands between the server and the shared state: its count
// waits until the world has been read (or gives up, failing the test), so
// that a request whose world is read only after its count never
// finishes its count; a store of a world (a write) before the count is
// done is an error.
type overlapProbe struct {
	counters *sharedstate.Redis
	t        *testing.T
	mu       sync.Mutex
	read     chan struct{} // closed by the request's first read of a world
	counted  bool
}

func (p *overlapProbe) arm() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.read, p.counted = make(chan struct{}), false
}

func (p *overlapProbe) Count(ctx context.Context, c scenarios.Call) (scenarios.Tally, error) {
	p.mu.Lock()
	read := p.read
	p.mu.Unlock()
	select {
	case <-read:
	case <-time.After(10 * time.Second): // a guard against a hang, not a measure
		p.t.Error("the count waited 10 s and the world was not read meanwhile: the read did not overlap the count")
	}
	t, err := p.counters.Count(ctx, c)
	p.mu.Lock()
	p.counted = true
	p.mu.Unlock()
	return t, err
}

func (p *overlapProbe) Reset(ctx context.Context, client string) error {
	return p.counters.Reset(ctx, client)
}

func (p *overlapProbe) Read(ctx context.Context, c scenarios.Call) (scenarios.Tally, bool, error) {
	return p.counters.Read(ctx, c)
}

func (p *overlapProbe) Keys(ctx context.Context, q scenarios.KeyQuery) ([]scenarios.KeyUse, bool, error) {
	return p.counters.Keys(ctx, q)
}

// overlapWorlds is the worlds side of an overlapProbe.
type overlapWorlds struct{ *overlapProbe }

func (w overlapWorlds) World(ctx context.Context, collection, client string, have uint64) (uint64, []byte, error) {
	w.mu.Lock()
	select {
	case <-w.read:
	default:
		close(w.read)
	}
	w.mu.Unlock()
	return w.counters.World(ctx, collection, client, have)
}

func (w overlapWorlds) SetWorld(ctx context.Context, collection, client string, was uint64, doc []byte) (uint64, []byte, bool, error) {
	w.mu.Lock()
	counted := w.counted
	w.mu.Unlock()
	if !counted {
		w.t.Error("a write was stored before the scenario's count decided it may be")
	}
	return w.counters.SetWorld(ctx, collection, client, was, doc)
}

func (w overlapWorlds) ResetWorlds(ctx context.Context, client string, collections []string) error {
	return w.counters.ResetWorlds(ctx, client, collections)
}

// TestSharedCollectionReadOverlapsTheCount: under a scenario that counts,
// a list or item read of a written collection reads its world while the
// count is in flight (one round trip waited, not two in a row), and the
// answer uses that read; a write is stored only after the count.
func TestSharedCollectionReadOverlapsTheCount(t *testing.T) {
	mr := miniredis.RunT(t)
	store, err := sharedstate.Open(t.Context(), sharedstate.Options{URL: "redis://" + mr.Addr(), Namespace: "t", Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	probe := &overlapProbe{counters: store, t: t}
	probe.arm()
	cfg, err := mockserver.LoadProject(t.Context(), mockserver.Project{SpecFS: os.DirFS("../fixtures/testdata"), SpecFile: "crud-petstore.yaml",
		ScenariosFS: fstest.MapFS{"scenarios/s.yaml": {Data: []byte(collectionScenario)}}, ScenariosDir: "scenarios",
		Stateful: true, Counters: probe, Worlds: overlapWorlds{probe}})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Shared = store
	srv, err := mockserver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	limited := map[string]string{"Prefer": "scenario=rate-limited"}
	// The create's count must not wait for a read: none comes before it.
	probe.arm()
	close(probe.read)
	res := do(t, ts, call{method: "POST", path: "/pets", header: with(limited, "Content-Type", "application/json"), body: `{"name":"Over","species":"dog"}`})
	if res.status != 201 {
		t.Fatalf("POST: %d %s", res.status, res.body)
	}
	item := fmt.Sprintf("/pets/%v", res.json(t)["id"])
	for _, c := range []struct {
		path   string
		status int
		has    string
	}{{item, 200, `"Over"`}, {"/pets?limit=100", 200, `"Over"`}, {"/pets/999", 404, ""}} {
		probe.arm()
		got := do(t, ts, call{method: "GET", path: c.path, header: limited})
		if got.status != c.status || !strings.Contains(string(got.body), c.has) {
			t.Errorf("GET %s under the scenario: %d %s; want %d with %s", c.path, got.status, got.body, c.status, c.has)
		}
	}
}
