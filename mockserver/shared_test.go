package mockserver_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/decoy-mock/decoy/defaultapi"
	"github.com/decoy-mock/decoy/mockserver"
	"github.com/decoy-mock/decoy/sharedstate"
)

// replicas starts n mock servers of the default API on one Redis, each
// with its own client, as n processes would be.
func replicas(t *testing.T, mr *miniredis.Miniredis, n int) []*httptest.Server {
	return replicasOf(t, mr, n, func(store *sharedstate.Redis) mockserver.Project {
		return mockserver.Project{SpecFS: defaultapi.FS, SpecFile: defaultapi.SpecFile,
			FixturesFS: defaultapi.FS, FixturesDir: "fixtures", ScenariosFS: defaultapi.FS, ScenariosDir: "scenarios", Counters: store}
	})
}

// replicasOf starts n mock servers of the project project gives for each
// replica's own Redis client, all on one Redis.
func replicasOf(t *testing.T, mr *miniredis.Miniredis, n int, project func(*sharedstate.Redis) mockserver.Project) []*httptest.Server {
	t.Helper()
	return replicasWith(t, mr, n, project, nil)
}

// replicasWith is replicasOf, with configure (unless nil) changing the
// i-th replica's Config before its server is built.
func replicasWith(t *testing.T, mr *miniredis.Miniredis, n int, project func(*sharedstate.Redis) mockserver.Project, configure func(i int, cfg *mockserver.Config)) []*httptest.Server {
	t.Helper()
	var out []*httptest.Server
	for i := range n {
		store, err := sharedstate.Open(t.Context(), sharedstate.Options{URL: "redis://" + mr.Addr(), Namespace: "t", Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		cfg, err := mockserver.LoadProject(t.Context(), project(store))
		if err != nil {
			t.Fatal(err)
		}
		cfg.Shared = store
		if configure != nil {
			configure(i, &cfg)
		}
		srv, err := mockserver.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(srv)
		t.Cleanup(ts.Close)
		out = append(out, ts)
	}
	return out
}

const sessionsV2 = "/v2/agents/agt_customer_support/sessions"

// TestSharedRateLimitAcrossReplicas: three replicas on one Redis admit 5
// calls of the rate-limited scenario between them, then answer 429 with
// Retry-After and X-RateLimit-* from every one.
func TestSharedRateLimitAcrossReplicas(t *testing.T) {
	mr := miniredis.RunT(t)
	rs := replicas(t, mr, 3)
	h := with(authV2, "Prefer", "scenario=rate-limited")
	for i := range 9 {
		res := do(t, rs[i%3], call{method: "GET", path: sessionsV2, header: h})
		switch {
		case i < 5 && res.status != 200:
			t.Fatalf("call %d on replica %d: %d %s", i+1, i%3, res.status, res.body)
		case i < 5 && res.header.Get("X-RateLimit-Remaining") != string(rune('0'+4-i)):
			t.Fatalf("call %d: X-RateLimit-Remaining %q", i+1, res.header.Get("X-RateLimit-Remaining"))
		case i >= 5 && (res.status != 429 || res.header.Get("Retry-After") != "60" || res.header.Get("X-RateLimit-Remaining") != "0"):
			t.Fatalf("call %d on replica %d: %d Retry-After %q; want 429 and 60", i+1, i%3, res.status, res.header.Get("Retry-After"))
		}
	}
	// A reset on one replica clears the window for all.
	if res := do(t, rs[1], call{method: "POST", path: "/__decoy/reset"}); res.status != 200 {
		t.Fatalf("reset: %d %s", res.status, res.body)
	}
	if res := do(t, rs[2], call{method: "GET", path: sessionsV2, header: h}); res.status != 200 {
		t.Fatalf("after a reset on another replica: %d", res.status)
	}
}

// TestSharedActiveScenario: the scenario selected on one replica is active
// on every other.
func TestSharedActiveScenario(t *testing.T) {
	mr := miniredis.RunT(t)
	rs := replicas(t, mr, 2)
	if res := do(t, rs[0], call{method: "PUT", path: "/__decoy/scenario", body: `{"name": "server-error"}`}); res.status != 200 {
		t.Fatalf("PUT scenario: %d %s", res.status, res.body)
	}
	waitFor(t, func() bool { return do(t, rs[1], call{method: "GET", path: sessionsV2, header: authV2}).status == 500 })
	if res := do(t, rs[1], call{method: "DELETE", path: "/__decoy/scenario"}); res.status != 204 {
		t.Fatalf("DELETE scenario: %d", res.status)
	}
	waitFor(t, func() bool { return do(t, rs[0], call{method: "GET", path: sessionsV2, header: authV2}).status == 200 })
}

// TestSharedStateLost: with Redis gone, what needs it answers a 503
// problem document naming the shared state, within the timeout, and
// health says degraded; stateless answers keep working; Redis back, all
// recovers without a restart.
func TestSharedStateLost(t *testing.T) {
	mr := miniredis.RunT(t)
	rs := replicas(t, mr, 2)
	h := with(authV2, "Prefer", "scenario=rate-limited")
	addr := mr.Addr()
	mr.Close()
	start := time.Now()
	res := do(t, rs[0], call{method: "GET", path: sessionsV2, header: h})
	if res.status != 503 || !strings.Contains(string(res.body), "shared-state-unavailable") || !strings.Contains(string(res.body), "shared") {
		t.Fatalf("a rate-limited call with Redis gone: %d %s", res.status, res.body)
	}
	// A bound against a hang, with slack for a loaded machine: a request
	// that waited for Redis without its timeout would never end.
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("the 503 took %s; the timeout is 1s", took)
	}
	if res := do(t, rs[1], call{method: "GET", path: sessionsV2, header: authV2}); res.status != 200 {
		t.Fatalf("a stateless call with Redis gone: %d %s", res.status, res.body)
	}
	if res := do(t, rs[0], call{method: "PUT", path: "/__decoy/scenario", body: `{"name": "slow"}`}); res.status != 503 {
		t.Fatalf("selecting a scenario with Redis gone: %d %s", res.status, res.body)
	}
	health := do(t, rs[0], call{method: "GET", path: "/__decoy/health"}).json(t)
	if health["status"] != "degraded" || !strings.Contains(health["error"].(string), "unreachable") {
		t.Fatalf("health with Redis gone: %v", health)
	}
	if err := mr.StartAddr(addr); err != nil {
		t.Skipf("cannot restart miniredis on %s: %v", addr, err)
	}
	waitFor(t, func() bool {
		return do(t, rs[0], call{method: "GET", path: sessionsV2, header: h}).status == http.StatusOK
	})
	if health := do(t, rs[0], call{method: "GET", path: "/__decoy/health"}).json(t); health["status"] != "ok" {
		t.Fatalf("health after recovery: %v", health)
	}
}

// waitFor polls cond for up to 20 s: a bound against a hang, not a
// measure. A replica probes a lost Redis with a backoff that grows to 5 s,
// so the 5 s this bound was could be reached by a recovery that works,
// on a loaded machine under -race.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 20s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSharedJournal: every replica's exchanges are in the journal,
// violations and coverage that any replica answers; a reset on one clears
// them for all, and ids keep increasing.
func TestSharedJournal(t *testing.T) {
	mr := miniredis.RunT(t)
	rs := replicas(t, mr, 3)
	for i := range 6 {
		do(t, rs[i%3], call{method: "GET", path: sessionsV2, header: authV2})
	}
	do(t, rs[0], call{method: "GET", path: sessionsV2}) // no credential: a violation
	do(t, rs[1], call{method: "GET", path: "/nowhere"})
	var list struct {
		Count   int                `json:"count"`
		Entries []mockserver.Entry `json:"entries"`
	}
	waitFor(t, func() bool {
		res := do(t, rs[2], call{method: "GET", path: "/__decoy/requests"})
		list.Count = 0
		_ = json.Unmarshal(res.body, &list)
		return list.Count == 8
	})
	if first, last := list.Entries[len(list.Entries)-1].ID, list.Entries[0].ID; first != 1 || last != 8 {
		t.Fatalf("ids from %d to %d; want 1 to 8", first, last)
	}
	cov := do(t, rs[0], call{method: "GET", path: "/__decoy/coverage"}).json(t)
	if total := cov["totals"].(map[string]any)["requests"]; total != float64(8) {
		t.Fatalf("coverage on one replica counts %v requests; want the 8 of all three", total)
	}
	viol := do(t, rs[1], call{method: "GET", path: "/__decoy/violations"}).json(t)
	if viol["requests"] != float64(2) {
		t.Fatalf("violations on one replica: %v; want the 2 requests that broke the contract", viol["requests"])
	}
	// DELETE /requests empties the list everywhere, coverage stays.
	if res := do(t, rs[0], call{method: "DELETE", path: "/__decoy/requests"}); res.status != 204 {
		t.Fatalf("DELETE requests: %d", res.status)
	}
	if res := do(t, rs[1], call{method: "GET", path: "/__decoy/requests"}).json(t); res["count"] != float64(0) {
		t.Fatalf("after DELETE on another replica: %v entries", res["count"])
	}
	if cov := do(t, rs[2], call{method: "GET", path: "/__decoy/coverage"}).json(t); cov["totals"].(map[string]any)["requests"] != float64(8) {
		t.Fatalf("DELETE /requests cleared the coverage: %v", cov["totals"])
	}
	// A reset clears all; the next entry's id is 9.
	do(t, rs[2], call{method: "POST", path: "/__decoy/reset"})
	do(t, rs[0], call{method: "GET", path: sessionsV2, header: authV2})
	waitFor(t, func() bool {
		res := do(t, rs[1], call{method: "GET", path: "/__decoy/requests"})
		list.Count = 0
		_ = json.Unmarshal(res.body, &list)
		return list.Count == 1
	})
	if list.Entries[0].ID != 9 {
		t.Fatalf("after a reset the id is %d; want 9 (ids are never reused)", list.Entries[0].ID)
	}
	if cov := do(t, rs[2], call{method: "GET", path: "/__decoy/coverage"}).json(t); cov["totals"].(map[string]any)["requests"] != float64(1) {
		t.Fatalf("after a reset, coverage counts %v", cov["totals"])
	}
}

// TestSharedJournalStreamsEvents: with a shared state, an exchange reaches
// the dashboard's event stream once the shared journal has given it its
// id, and that id opens the entry.
func TestSharedJournalStreamsEvents(t *testing.T) {
	mr := miniredis.RunT(t)
	ts := replicas(t, mr, 1)[0]
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second) // a missing event ends the read
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+"/__decoy/events", nil)
	stream, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()
	if stream.StatusCode != http.StatusOK {
		t.Fatalf("GET /__decoy/events: %d", stream.StatusCode)
	}
	call, _ := http.NewRequest(http.MethodGet, ts.URL+sessionsV2, nil)
	call.Header.Set("Authorization", "Bearer sk_test_1")
	answer, err := ts.Client().Do(call)
	if err != nil {
		t.Fatal(err)
	}
	answer.Body.Close()
	br := bufio.NewReader(stream.Body)
	var data string
	for data == "" {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("reading the stream: %v", err)
		}
		if rest, ok := strings.CutPrefix(strings.TrimRight(line, "\n"), "data: "); ok && strings.Contains(rest, `"path"`) {
			data = rest
		}
	}
	var e mockserver.Entry
	if err := json.Unmarshal([]byte(data), &e); err != nil {
		t.Fatalf("%v in %s", err, data)
	}
	if e.ID == 0 || e.Path != sessionsV2 || e.Status != http.StatusOK {
		t.Fatalf("event: id %d path %q status %d", e.ID, e.Path, e.Status)
	}
	resp, err := http.Get(fmt.Sprintf("%s/__decoy/requests/%d", ts.URL, e.ID))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /__decoy/requests/%d: %d", e.ID, resp.StatusCode)
	}
}

// clientScenarios returns the choices GET /__decoy/clients lists on ts.
func clientScenarios(t *testing.T, ts *httptest.Server) map[string]string {
	t.Helper()
	res := do(t, ts, call{method: "GET", path: "/__decoy/clients"})
	if res.status != 200 {
		t.Fatalf("GET /__decoy/clients: %d %s", res.status, res.body)
	}
	var body struct{ Clients []mockserver.ClientInfo }
	if err := json.Unmarshal(res.body, &body); err != nil {
		t.Fatalf("%v in %s", err, res.body)
	}
	out := map[string]string{}
	for _, c := range body.Clients {
		if c.Scenario != "" {
			out[c.Client] = c.Scenario
		}
	}
	return out
}

// TestSharedClientScenario: a client switched into a scenario on one
// replica is in it on the other, which lists it; the rate limit it meets
// is one across both; another client is unaffected; clearing it, or a
// reset, on one replica ends it on both.
func TestSharedClientScenario(t *testing.T) {
	mr := miniredis.RunT(t)
	rs := replicas(t, mr, 2)
	a, b := rs[0], rs[1]
	// B learns a choice through a publication, in the order they were
	// made: once B has switched the client probe, switched after qa, it
	// has switched qa, whose window no call has touched yet.
	for _, client := range []string{"qa", "probe"} {
		if res := do(t, a, call{method: "PUT", path: "/__decoy/clients/" + client, body: `{"scenario": "rate-limited"}`}); res.status != 200 {
			t.Fatalf("PUT /__decoy/clients/%s on A: %d %s", client, res.status, res.body)
		}
	}
	if got := clientScenarios(t, b); len(got) != 2 || got["qa"] != "rate-limited" {
		t.Fatalf("GET /__decoy/clients on B: %v; want qa in rate-limited", got)
	}
	waitFor(t, func() bool {
		return do(t, b, call{method: "GET", path: sessionsV2, header: with(authV2, "X-Decoy-Client", "probe")}).header.Get("X-RateLimit-Limit") == "5"
	})
	qa := func(auth string) map[string]string {
		return with(authV2, "X-Decoy-Client", "qa", "Authorization", "Bearer "+auth)
	}
	for i := range 8 {
		res := do(t, rs[i%2], call{method: "GET", path: sessionsV2, header: qa("sk_qa")})
		if want := map[bool]int{true: 200, false: 429}[i < 5]; res.status != want {
			t.Fatalf("qa's call %d on replica %d: %d; want %d", i+1, i%2, res.status, want)
		}
	}
	for i := range 8 {
		res := do(t, rs[i%2], call{method: "GET", path: sessionsV2, header: with(authV2, "X-Decoy-Client", "dev", "Authorization", "Bearer sk_qa")})
		if res.status != 200 || res.header.Get("X-RateLimit-Limit") != "" {
			t.Fatalf("dev's call %d on replica %d: %d, X-RateLimit-Limit %q; dev was not switched", i+1, i%2, res.status, res.header.Get("X-RateLimit-Limit"))
		}
	}

	if res := do(t, b, call{method: "DELETE", path: "/__decoy/clients/qa"}); res.status != 204 {
		t.Fatalf("DELETE /__decoy/clients/qa on B: %d %s", res.status, res.body)
	}
	waitFor(t, func() bool { return do(t, a, call{method: "GET", path: sessionsV2, header: qa("sk_qa")}).status == 200 })
	if got := clientScenarios(t, a); len(got) != 1 || got["qa"] != "" {
		t.Fatalf("GET /__decoy/clients on A after the DELETE on B: %v; want only probe's choice", got)
	}

	do(t, a, call{method: "PUT", path: "/__decoy/clients/qa", body: `{"scenario": "server-error"}`})
	waitFor(t, func() bool { return do(t, b, call{method: "GET", path: sessionsV2, header: qa("sk_qa")}).status == 500 })
	if res := do(t, b, call{method: "POST", path: "/__decoy/reset"}); res.status != 200 {
		t.Fatalf("reset on B: %d %s", res.status, res.body)
	}
	waitFor(t, func() bool { return do(t, a, call{method: "GET", path: sessionsV2, header: qa("sk_qa")}).status == 200 })
	if got := clientScenarios(t, a); len(got) != 0 {
		t.Fatalf("GET /__decoy/clients on A after a reset on B: %v", got)
	}
}

// TestSharedClientScenarioUnavailable: with Redis gone, switching a
// client answers the 503 shared-state-unavailable problem and switches
// nobody, as selecting the global scenario does.
func TestSharedClientScenarioUnavailable(t *testing.T) {
	mr := miniredis.RunT(t)
	a := replicas(t, mr, 1)[0]
	mr.Close()
	for _, c := range []call{
		{method: "PUT", path: "/__decoy/clients/qa", body: `{"scenario": "server-error"}`},
		{method: "DELETE", path: "/__decoy/clients/qa"},
		{method: "GET", path: "/__decoy/clients"},
	} {
		res := do(t, a, c)
		if res.status != 503 || !strings.Contains(string(res.body), "shared-state-unavailable") {
			t.Fatalf("%s %s with Redis gone: %d %s; want the 503 shared-state-unavailable", c.method, c.path, res.status, res.body)
		}
	}
	if res := do(t, a, call{method: "GET", path: sessionsV2, header: with(authV2, "X-Decoy-Client", "qa")}); res.status != 200 {
		t.Fatalf("qa's call after the refused switch: %d; want 200", res.status)
	}
}

// TestSharedClientScenarioGoneAfterReload: two replicas reload files
// without the scenario a client was switched into; the choice is cleared
// in Redis, logged by one replica only, and the client follows the global
// scenario on both, while a choice of a scenario kept stays.
func TestSharedClientScenarioGoneAfterReload(t *testing.T) {
	mr := miniredis.RunT(t)
	var logs [2]syncBuffer
	stores := make([]*sharedstate.Redis, 2)
	project := func(store *sharedstate.Redis, scenariosFS fs.FS) mockserver.Project {
		return mockserver.Project{SpecFS: defaultapi.FS, SpecFile: defaultapi.SpecFile,
			FixturesFS: defaultapi.FS, FixturesDir: "fixtures", ScenariosFS: scenariosFS, ScenariosDir: "scenarios", Counters: store}
	}
	n := 0
	rs := replicasWith(t, mr, 2, func(store *sharedstate.Redis) mockserver.Project {
		stores[n] = store
		n++
		return project(store, defaultapi.FS)
	}, func(i int, cfg *mockserver.Config) {
		cfg.Logger = slog.New(slog.NewTextHandler(&logs[i], nil))
	})
	for client, name := range map[string]string{"qa": "rate-limited", "dev": "slow"} {
		if res := do(t, rs[0], call{method: "PUT", path: "/__decoy/clients/" + client, body: `{"scenario": "` + name + `"}`}); res.status != 200 {
			t.Fatalf("PUT %s: %d %s", client, res.status, res.body)
		}
	}
	waitFor(t, func() bool {
		return do(t, rs[1], call{method: "GET", path: sessionsV2, header: with(authV2, "X-Decoy-Client", "qa")}).header.Get("X-RateLimit-Limit") == "5"
	})
	// The edited files: every scenario but rate-limited.
	edited := fstest.MapFS{}
	entries, err := fs.ReadDir(defaultapi.FS, "scenarios")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() == "rate-limited.yaml" {
			continue
		}
		data, err := fs.ReadFile(defaultapi.FS, "scenarios/"+e.Name())
		if err != nil {
			t.Fatal(err)
		}
		edited["scenarios/"+e.Name()] = &fstest.MapFile{Data: data}
	}
	var wg sync.WaitGroup
	for i, ts := range rs {
		cfg, err := mockserver.LoadProject(t.Context(), project(stores[i], edited))
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			if err := ts.Config.Handler.(*mockserver.Server).Reload(cfg); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for i, ts := range rs {
		if got := clientScenarios(t, ts); len(got) != 1 || got["dev"] != "slow" {
			t.Fatalf("GET /__decoy/clients on replica %d after the reload: %v; want only dev's choice", i, got)
		}
		if res := do(t, ts, call{method: "GET", path: sessionsV2, header: with(authV2, "X-Decoy-Client", "qa")}); res.status != 200 || res.header.Get("X-RateLimit-Limit") != "" {
			t.Fatalf("qa's call on replica %d after the reload: %d, X-RateLimit-Limit %q", i, res.status, res.header.Get("X-RateLimit-Limit"))
		}
	}
	said := 0
	for i := range logs {
		said += strings.Count(logs[i].String(), "a client's scenario is gone after the reload")
	}
	if said != 1 {
		t.Fatalf("the replicas logged qa's choice gone %d times; want once:\n%s\n%s", said, logs[0].String(), logs[1].String())
	}
}

// syncBuffer is a bytes.Buffer a logger and a test may share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
