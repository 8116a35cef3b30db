package mockserver_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
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
	var out []*httptest.Server
	for range n {
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
	if took := time.Since(start); took > time.Second {
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

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
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
