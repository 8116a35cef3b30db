package scenarios

import (
	"context"
	"testing"
	"time"
)

// TestClientCountersReadsWithoutCounting: ClientCounters says what a
// client's rules counted and where its window stands, and reading twice
// changes nothing (neither the counts nor the window).
func TestClientCountersReadsWithoutCounting(t *testing.T) {
	spec := testSpec(t)
	clock := newClock()
	t0 := clock.Now()
	set := loadYAML(t, spec, Options{Now: clock.Now}, "rl.yaml", `
name: rl
rules:
  - operations: [listPets]
    rateLimit: {limit: 5, window: 1m}
`, "after.yaml", `
name: after
rules:
  - operations: [listPets]
    status: 429
    when: {after: 1}
`)
	ctx := context.Background()
	if got, err := set.ClientCounters(ctx, "job1"); err != nil || len(got) != 0 {
		t.Fatalf("before any call: %+v, %v", got, err)
	}
	for range 6 {
		decide(t, set, spec, "rl", req{op: "listPets", client: "job1"})
		clock.Advance(time.Second)
	}
	decide(t, set, spec, "after", req{op: "listPets", client: "job1"})
	decide(t, set, spec, "after", req{op: "listPets", client: "job1"})
	decide(t, set, spec, "rl", req{op: "listPets", client: "job2"})

	for i := range 2 {
		got, err := set.ClientCounters(ctx, "job1")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 {
			t.Fatalf("read %d: want the counters of 2 rules, got %+v", i, got)
		}
		after, rl := got[0], got[1]
		if after.Rule != "after#0" || after.Calls != 2 || after.Fired != 1 || after.RateLimit != nil {
			t.Fatalf("read %d: after#0: %+v", i, after)
		}
		if rl.Rule != "rl#0" || rl.Scenario != "rl" || rl.Calls != 6 || rl.Fired != 1 || rl.RateLimit == nil {
			t.Fatalf("read %d: rl#0: %+v", i, rl)
		}
		w := *rl.RateLimit
		if w.Limit != 5 || w.Remaining != 0 || !w.Limited || !w.Reset.Equal(t0.Add(time.Minute)) || w.RetryAfter != 54*time.Second {
			t.Fatalf("read %d: rl#0 window: %+v", i, w)
		}
	}
	// The window slides as the clock moves, without a call: the first
	// call's slot is free a minute after it.
	clock.Advance(54 * time.Second)
	got, _ := set.ClientCounters(ctx, "job1")
	if w := got[1].RateLimit; w.Remaining != 1 || w.Limited || !w.Reset.Equal(t0.Add(time.Minute+time.Second)) {
		t.Fatalf("after the first slot freed: %+v", *w)
	}
	// A reset of the client empties its counters.
	if err := set.Reset(ctx, "job1"); err != nil {
		t.Fatal(err)
	}
	if got, _ := set.ClientCounters(ctx, "job1"); len(got) != 0 {
		t.Fatalf("after the reset: %+v", got)
	}
	if got, _ := set.ClientCounters(ctx, "job2"); len(got) != 1 || got[0].Calls != 1 || got[0].RateLimit.Remaining != 4 {
		t.Fatalf("another client's counters: %+v", got)
	}
}
