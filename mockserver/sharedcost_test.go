package mockserver_test

import (
	"fmt"
	"maps"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/decoy-mock/decoy/defaultapi"
	"github.com/decoy-mock/decoy/internal/redistest"
	"github.com/decoy-mock/decoy/mockserver"
	"github.com/decoy-mock/decoy/sharedstate"
	"github.com/redis/go-redis/v9"
)

// backgroundCommands are what a replica sends Redis on its own: the
// journal's batches (an INCRBY for their ids, an XADD per entry), the
// poll of the active scenario, the health probe, and a new connection's
// handshake; and the INFO the test reads the counts with.
var backgroundCommands = []string{"xadd", "incrby", "get", "ping", "hello", "client|setinfo", "select", "info"}

// countScriptCommands are what the count script calls inside Redis: no
// round trip of their own.
var countScriptCommands = []string{"hincrby", "hget", "pexpire", "zremrangebyscore", "zcard", "zadd", "zrange"}

// TestSharedStateRoundTrips counts, in a real redis-server (skipped
// without one), the commands requests send while they are served, with the
// counters, worlds, active scenario and journal in Redis as decoy serve
// --shared-state has them: a request that touches no shared state (the
// list without a scenario) sends none; a rate-limited one sends one
// script, its only round trip; the journal entries of both leave in
// background batches, none lost.
func TestSharedStateRoundTrips(t *testing.T) {
	rs := redistest.Start(t)
	store, err := sharedstate.Open(t.Context(), sharedstate.Options{URL: rs.URL(), Namespace: "t", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cfg, err := mockserver.LoadProject(t.Context(), mockserver.Project{SpecFS: defaultapi.FS, SpecFile: defaultapi.SpecFile,
		FixturesFS: defaultapi.FS, FixturesDir: "fixtures", ScenariosFS: defaultapi.FS, ScenariosDir: "scenarios",
		Counters: store, Worlds: store})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Shared = store
	srv, err := mockserver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rc := redis.NewClient(&redis.Options{Addr: rs.Addr()})
	t.Cleanup(func() { rc.Close() })

	const n = 40
	serve := func(scenario string, i int) {
		r := httptest.NewRequest("GET", sessionsV2+"?limit=25", nil)
		r.Header.Set("Authorization", "Bearer sk_test_1")
		r.Header.Set("X-Decoy-Client", fmt.Sprintf("c%d", i/8))
		if scenario != "" {
			r.Header.Set("Prefer", "scenario="+scenario)
		}
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		if w.Code != 200 && w.Code != 429 {
			t.Fatalf("%d: %s", w.Code, w.Body)
		}
	}
	// onRequests returns what the requests sent, background left out.
	onRequests := func(calls map[string]int64) map[string]int64 {
		maps.DeleteFunc(calls, func(cmd string, _ int64) bool { return slices.Contains(backgroundCommands, cmd) })
		return calls
	}

	before := redisStatsOf(t, rc)
	for i := range n {
		serve("", i)
	}
	plain := redisStatsOf(t, rc)
	if sent := onRequests(plain.since(before)); len(sent) > 0 {
		t.Errorf("%d list requests without a scenario sent %v; want nothing (they touch no shared state)", n, sent)
	}
	for i := range n {
		serve("rate-limited", i)
	}
	limited := onRequests(redisStatsOf(t, rc).since(plain))
	if limited["evalsha"] != n {
		t.Errorf("%d rate-limited requests sent %d scripts; want one each", n, limited["evalsha"])
	}
	for cmd := range limited {
		if cmd != "evalsha" && !slices.Contains(countScriptCommands, cmd) {
			t.Errorf("rate-limited requests sent %d %s; want only their script", limited[cmd], cmd)
		}
	}
	// Every entry reaches the shared journal.
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := rc.Get(t.Context(), store.Namespace()+"journal:id").Int64()
		if err == nil && got == 2*n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the shared journal holds %d entries (%v); want %d", got, err, 2*n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if xadd := redisStatsOf(t, rc).since(before)["xadd"]; xadd != 2*n {
		t.Errorf("%d entries appended; want %d", xadd, 2*n)
	}
}
