package mockserver_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
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

// worldScriptCommands are what the worlds' scripts (read, compare-and-set)
// call inside Redis: no round trip of their own.
var worldScriptCommands = []string{"hget", "hset", "exists", "set", "incr", "rpush", "llen", "lpop", "hdel"}

// collectionScenario rate-limits every pet operation generously: each
// request under it is counted, none refused.
const collectionScenario = `name: rate-limited
description: a thousand pet requests a minute per client.
rules:
  - operations: [listPets, createPet, getPet, deletePet]
    rateLimit: {limit: 1000, window: 1m}
    allowUndocumented: true
`

// TestSharedCollectionRoundTrips counts, in a real redis-server (skipped
// without one), the scripts (each its own round trip) that a create, a
// read, a list and a delete of a stateful collection send through the
// real handler, the worlds and counters in Redis: one each, the world's
// script; under a scenario, the count script as well. There, a read's
// world is read ahead, while the count is in flight (the request waits
// for one round trip); a write is stored after the count decided that it
// may be, its second round trip.
func TestSharedCollectionRoundTrips(t *testing.T) {
	rs := redistest.Start(t)
	store, err := sharedstate.Open(t.Context(), sharedstate.Options{URL: rs.URL(), Namespace: "t", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cfg, err := mockserver.LoadProject(t.Context(), mockserver.Project{SpecFS: os.DirFS("../fixtures/testdata"), SpecFile: "crud-petstore.yaml",
		ScenariosFS: fstest.MapFS{"scenarios/s.yaml": {Data: []byte(collectionScenario)}}, ScenariosDir: "scenarios",
		Stateful: true, Counters: store, Worlds: store})
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

	// serve answers one request and returns the scripts it sent, failing
	// on any command that is neither a script nor called by one.
	serve := func(scenario, method, target, body string, want int) (map[string]any, int64) {
		t.Helper()
		before := redisStatsOf(t, rc)
		r := httptest.NewRequest(method, target, strings.NewReader(body))
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		if scenario != "" {
			r.Header.Set("Prefer", "scenario="+scenario)
		}
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		if w.Code != want {
			t.Fatalf("%s %s under %q: %d %s; want %d", method, target, scenario, w.Code, w.Body, want)
		}
		sent := redisStatsOf(t, rc).since(before)
		scripts := sent["evalsha"] + sent["eval"]
		for cmd, n := range sent {
			if cmd != "evalsha" && cmd != "eval" && !slices.Contains(backgroundCommands, cmd) &&
				!slices.Contains(countScriptCommands, cmd) && !slices.Contains(worldScriptCommands, cmd) {
				t.Errorf("%s %s under %q sent %d %s; want only scripts", method, target, scenario, n, cmd)
			}
		}
		var out map[string]any
		if w.Code == 201 {
			if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
				t.Fatal(err)
			}
		}
		return out, scripts
	}
	check := func(what string, got, want int64) {
		t.Helper()
		if got != want {
			t.Errorf("%s: %d scripts sent (round trips); want %d", what, got, want)
		}
	}
	// Once under each, so that Redis knows every script (a script's first
	// run costs a NOSCRIPT answer and a second send) and this replica holds
	// a copy of the world.
	for _, sc := range []string{"", "rate-limited"} {
		created, _ := serve(sc, "POST", "/pets", `{"name":"Warm","species":"dog"}`, 201)
		serve(sc, "GET", fmt.Sprintf("/pets/%v", created["id"]), "", 200)
		serve(sc, "DELETE", fmt.Sprintf("/pets/%v", created["id"]), "", 204)
	}
	for _, c := range []struct {
		scenario string
		per      int64 // scripts per request
	}{{"", 1}, {"rate-limited", 2}} {
		created, n := serve(c.scenario, "POST", "/pets", `{"name":"Counted","species":"cat"}`, 201)
		check(c.scenario+" create", n, c.per)
		item := fmt.Sprintf("/pets/%v", created["id"])
		_, n = serve(c.scenario, "GET", item, "", 200)
		check(c.scenario+" read", n, c.per)
		_, n = serve(c.scenario, "GET", "/pets?limit=10", "", 200)
		check(c.scenario+" list", n, c.per)
		_, n = serve(c.scenario, "DELETE", item, "", 204)
		check(c.scenario+" delete", n, c.per)
		_, n = serve(c.scenario, "GET", item, "", 404)
		check(c.scenario+" read of the deleted", n, c.per)
	}
}
