package sharedstate

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/decoy-mock/decoy/internal/redistest"
	"github.com/decoy-mock/decoy/scenarios"
)

// TestRedisListsClientsAsMemory: after the same calls, Set.Clients finds
// the same X-Decoy-Client keys in Redis (by SCAN) as in memory, and
// neither mistakes an Authorization value counted without a client for a
// client; resetting that value clears its counters in both.
func TestRedisListsClientsAsMemory(t *testing.T) {
	spec := testSpec(t)
	file := `name: s
rules:
  - {operations: [listPets], rateLimit: {limit: 5, window: 10s, key: header:Authorization}}
  - {operations: [createPet], key: "header:Authorization", status: 400, when: {after: 1}}
`
	clock := newClock()
	mem := loadSet(t, spec, scenarios.Options{Now: clock.Now}, file)
	mr, store := openMini(t)
	shared := loadSet(t, spec, scenarios.Options{Now: clock.Now, Counters: store}, file)
	ctx := context.Background()
	calls := []call{
		{op: "listPets", client: "job1", auth: "Bearer sk_1"},
		{op: "listPets", auth: "Bearer sk_anonymous"},
		{op: "createPet", client: "job2", auth: "Bearer sk_2"},
		{op: "createPet", auth: "Bearer sk_other"},
	}
	for _, set := range []*scenarios.Set{mem, shared} {
		for _, c := range calls {
			if _, _, err := decide(t, set, spec, c); err != nil {
				t.Fatal(err)
			}
			clock.Advance(1)
		}
	}
	names := func(set *scenarios.Set) []string {
		t.Helper()
		list, more, err := set.Clients(ctx, 10)
		if err != nil || more {
			t.Fatalf("Clients: %v, more=%v", err, more)
		}
		var out []string
		for _, c := range list {
			out = append(out, c.Client)
		}
		slices.Sort(out)
		return out
	}
	want := []string{"job1", "job2"}
	if got := names(mem); !slices.Equal(got, want) {
		t.Errorf("memory: %v, want %v", got, want)
	}
	if got := names(shared); !slices.Equal(got, want) {
		t.Errorf("redis: %v, want %v", got, want)
	}
	// The counters job2 keeps per Authorization value read alike, in
	// value order, bounded per client.
	for _, set := range []*scenarios.Set{mem, shared} {
		if _, _, err := decide(t, set, spec, call{op: "createPet", client: "job2", auth: "Bearer sk_0"}); err != nil {
			t.Fatal(err)
		}
		all, err := set.KeyCounters(ctx, []string{"job1", "job2", "nobody"}, 10)
		if err != nil {
			t.Fatal(err)
		}
		got := all["job2"]
		if len(all) != 1 || got.More || len(got.Counters) != 2 {
			t.Fatalf("KeyCounters: %+v", all)
		}
		if c := got.Counters[1]; c.Rule != "s#1" || c.Key.String() != "header:Authorization" || c.KeyValue != "Bearer sk_2" || c.Calls != 1 || c.Fired != 0 {
			t.Errorf("job2's counter per key: %+v", c)
		}
		if c := got.Counters[0]; c.KeyValue != "Bearer sk_0" {
			t.Errorf("job2's first counter per key: %+v, want the value Bearer sk_0 first", c)
		}
		one, more, err := set.ClientKeyCounters(ctx, "job2", 1)
		if err != nil || !more || len(one) != 1 {
			t.Errorf("ClientKeyCounters(job2, 1): %+v, more=%v, %v", one, more, err)
		}
	}
	// A bound of one says it left the other out.
	for _, set := range []*scenarios.Set{mem, shared} {
		if list, more, err := set.Clients(ctx, 1); err != nil || len(list) != 1 || !more {
			t.Errorf("Clients(1): %v, more=%v, %v", list, more, err)
		}
	}
	// Resetting the anonymous caller's Authorization value clears its
	// counters, kept apart from any client's.
	if err := shared.Reset(ctx, "Bearer sk_anonymous"); err != nil {
		t.Fatal(err)
	}
	for _, k := range mr.Keys() {
		if strings.Contains(k, "sk_anonymous") {
			t.Errorf("after its reset, Redis still holds %q", k)
		}
	}
	if got := names(shared); !slices.Equal(got, want) {
		t.Errorf("redis after the reset of another key: %v, want %v", got, want)
	}
}

// TestRedisKeysIsBounded: Keys stops at its limit and says so, and skips
// the counters of rules no longer loaded.
func TestRedisKeysIsBounded(t *testing.T) {
	spec := testSpec(t)
	clock := newClock()
	_, store := openMini(t)
	old := loadSet(t, spec, scenarios.Options{Now: clock.Now, Counters: store}, "name: s\nrules:\n  - {operations: [listPets], status: 500, allowUndocumented: true, when: {after: 100}}\n")
	set := loadSet(t, spec, scenarios.Options{Now: clock.Now, Counters: store}, "name: s\nrules:\n  - {operations: [listPets], status: 429, when: {after: 100}}\n")
	ctx := context.Background()
	for i := range 30 {
		client := "c" + strings.Repeat("x", i)
		if _, _, err := decide(t, set, spec, call{op: "listPets", client: client}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := decide(t, old, spec, call{op: "listPets", client: "gone-" + client}); err != nil {
			t.Fatal(err)
		}
	}
	list, more, err := set.Clients(ctx, 100)
	if err != nil || more || len(list) != 30 {
		t.Fatalf("Clients(100): %d clients, more=%v, %v", len(list), more, err)
	}
	list, more, err = set.Clients(ctx, 3)
	if err != nil || !more || len(list) != 3 {
		t.Fatalf("Clients(3): %d clients, more=%v, %v", len(list), more, err)
	}
}

// TestKeysAndEpochOnRealRedis runs the SCAN walks of Keys, with client
// keys that hold glob characters, and the journal's epoch on a real
// redis-server, whose MATCH patterns miniredis only imitates.
func TestKeysAndEpochOnRealRedis(t *testing.T) {
	srv := redistest.Start(t)
	store, err := Open(context.Background(), Options{URL: srv.URL(), Namespace: "real", Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	spec := testSpec(t)
	clock := newClock()
	set := loadSet(t, spec, scenarios.Options{Now: clock.Now, Counters: store}, `name: s
rules:
  - {operations: [listPets], rateLimit: {limit: 5, window: 10s}}
  - {operations: [createPet], key: "header:Authorization", status: 400, when: {after: 1}}
`)
	ctx := context.Background()
	odd := []string{"job[1]*", "job?-^\\", "plain"}
	for _, c := range odd {
		for _, op := range []string{"listPets", "createPet"} {
			if _, _, err := decide(t, set, spec, call{op: op, client: c, auth: "Bearer " + c}); err != nil {
				t.Fatal(err)
			}
		}
	}
	list, more, err := set.Clients(ctx, 10)
	if err != nil || more || len(list) != 3 {
		t.Fatalf("Clients: %+v, more=%v, %v", list, more, err)
	}
	for _, c := range odd {
		got, more, err := set.ClientKeyCounters(ctx, c, 10)
		if err != nil || more || len(got) != 1 || got[0].KeyValue != "Bearer "+c {
			t.Errorf("ClientKeyCounters(%q): %+v, more=%v, %v; want its own value alone", c, got, more, err)
		}
	}
	first, err := store.JournalEpoch(ctx)
	if err != nil || first == "" {
		t.Fatalf("JournalEpoch: %q, %v", first, err)
	}
	if again, _ := store.JournalEpoch(ctx); again != first {
		t.Fatalf("JournalEpoch changed without a restart: %q then %q", first, again)
	}
	srv.Stop() // no persistence: Redis comes back empty
	srv.Start()
	var after string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if after, err = store.JournalEpoch(ctx); err == nil {
			break
		}
	}
	if after == "" || after == first {
		t.Fatalf("after Redis lost the journal the epoch is %q (was %q), %v; want a new one", after, first, err)
	}
}
