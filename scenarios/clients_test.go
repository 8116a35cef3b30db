package scenarios

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestClientsListsWhereTheCountersAre: Clients lists the X-Decoy-Client
// keys that hold counters, the most recently counted first, and neither a
// rule key's value counted without a client nor the value within a
// client; a reset client is gone from it.
func TestClientsListsWhereTheCountersAre(t *testing.T) {
	spec := testSpec(t)
	clock := newClock()
	set := loadYAML(t, spec, Options{Now: clock.Now}, "rl.yaml", `
name: rl
rules:
  - operations: [listPets]
    rateLimit: {limit: 2, window: 1m, key: header:Authorization}
`, "per-key.yaml", `
name: per-key
rules:
  - operations: [listPets]
    key: header:X-Api-Key
    status: 429
    when: {after: 5}
`)
	decide(t, set, spec, "rl", req{op: "listPets", client: "old"})
	clock.Advance(time.Second)
	decide(t, set, spec, "rl", req{op: "listPets", header: map[string]string{"Authorization": "Bearer sk_secret"}})
	decide(t, set, spec, "per-key", req{op: "listPets", client: "keyed", header: map[string]string{"X-Api-Key": "k1"}})
	clock.Advance(time.Second)
	decide(t, set, spec, "rl", req{op: "listPets", client: "new"})
	ctx := context.Background()
	got, more, err := set.Clients(ctx, 10)
	if err != nil || more {
		t.Fatalf("Clients: %v, more=%v", err, more)
	}
	var names []string
	for _, c := range got {
		names = append(names, c.Client)
	}
	if want := "[new keyed old]"; fmtList(names) != want {
		t.Fatalf("Clients: %v, want %s (most recent first)", names, want)
	}
	if !got[0].Seen.Equal(clock.Now()) {
		t.Errorf("new was seen at %v, want %v", got[0].Seen, clock.Now())
	}
	if err := set.Reset(ctx, "keyed"); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := set.Clients(ctx, 10); len(got) != 2 {
		t.Errorf("after resetting keyed: %+v", got)
	}
}

func fmtList(s []string) string {
	out := "["
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out + "]"
}

// Regression: the keys of callers without X-Decoy-Client (one per
// Authorization value) used up the bound of Clients' read, and a client
// counted before them was not found.
func TestClientsAreNotCrowdedOutByAnonymousCallers(t *testing.T) {
	spec := testSpec(t)
	clock := newClock()
	set := loadYAML(t, spec, Options{Now: clock.Now}, "rl.yaml", `
name: rl
rules:
  - operations: [listPets]
    rateLimit: {limit: 2, window: 1m, key: header:Authorization}
`)
	decide(t, set, spec, "rl", req{op: "listPets", client: "ci", header: map[string]string{"Authorization": "Bearer sk_ci"}})
	for i := range 3 * keysPerClient {
		clock.Advance(time.Second)
		decide(t, set, spec, "rl", req{op: "listPets", header: map[string]string{"Authorization": fmt.Sprintf("Bearer sk_%d", i)}})
	}
	got, _, err := set.Clients(context.Background(), 1)
	if err != nil || len(got) != 1 || got[0].Client != "ci" {
		t.Fatalf("Clients(1): %+v, %v; want ci", got, err)
	}
}
