package sharedstate

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/decoy-mock/decoy/scenarios"
)

// TestRedisReadsAsMemory: after the same calls, ClientCounters reads the
// same counts and windows from Redis as from memory, at several points of
// a sliding window, and reading changes neither store.
func TestRedisReadsAsMemory(t *testing.T) {
	spec := testSpec(t)
	file := `name: s
rules:
  - {operations: [listPets], rateLimit: {limit: 5, window: 10s}}
  - {operations: [listPets], status: 429, when: {after: 2}}
`
	memClock, redisClock := newClock(), newClock()
	mem := loadSet(t, spec, scenarios.Options{Now: memClock.Now}, file)
	mr, store := openMini(t)
	shared := loadSet(t, spec, scenarios.Options{Now: redisClock.Now, Counters: store}, file)
	ctx := context.Background()
	show := func(list []scenarios.CounterState) string {
		s := ""
		for _, c := range list {
			s += fmt.Sprintf("%s calls=%d fired=%d", c.Rule, c.Calls, c.Fired)
			if rl := c.RateLimit; rl != nil {
				s += fmt.Sprintf(" rl{%d/%d reset=%s retry=%s limited=%v}", rl.Remaining, rl.Limit, rl.Reset.Format(time.StampMicro), rl.RetryAfter, rl.Limited)
			}
			s += "; "
		}
		return s
	}
	compare := func(when string) string {
		t.Helper()
		m, err := mem.ClientCounters(ctx, "job1")
		if err != nil {
			t.Fatal(err)
		}
		r, err := shared.ClientCounters(ctx, "job1")
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		if show(r) != show(m) {
			t.Fatalf("%s: redis %s, memory %s", when, show(r), show(m))
		}
		return show(m)
	}
	if got := compare("before any call"); got != "" {
		t.Fatalf("before any call: %s", got)
	}
	advance := func(d time.Duration) { memClock.Advance(d); redisClock.Advance(d) }
	for i := range 7 {
		for _, set := range []*scenarios.Set{mem, shared} {
			if _, _, err := decide(t, set, spec, call{op: "listPets", client: "job1"}); err != nil {
				t.Fatal(err)
			}
		}
		compare(fmt.Sprintf("after call %d", i+1))
		advance(time.Second)
	}
	before := mr.Dump()
	got := compare("after 7 calls")
	if mr.Dump() != before {
		t.Fatal("reading changed what Redis holds")
	}
	want := "s#0 calls=7 fired=2 rl{0/5 reset=Mar 11 09:00:10.000000 retry=3s limited=true}; "
	if got != want {
		t.Fatalf("after 7 calls: %s, want %s", got, want)
	}
	for _, d := range []time.Duration{3*time.Second - time.Microsecond, time.Microsecond, 2 * time.Second, 10 * time.Second} {
		advance(d)
		compare(fmt.Sprintf("%s later", d))
	}
	for _, set := range []*scenarios.Set{mem, shared} {
		if err := set.Reset(ctx, "job1"); err != nil {
			t.Fatal(err)
		}
	}
	if got := compare("after a reset"); got != "" {
		t.Fatalf("after a reset: %s", got)
	}
}

// TestRedisReadsManyClientsAsMemory: ClientsCounters reads several clients
// at once (one pipeline on Redis) as memory does, each as its own
// ClientCounters would, and leaves out a client with no counters.
func TestRedisReadsManyClientsAsMemory(t *testing.T) {
	spec := testSpec(t)
	file := `name: s
rules:
  - {operations: [listPets], rateLimit: {limit: 5, window: 10s}}
  - {operations: [listPets], status: 429, when: {after: 2}}
`
	clock := newClock()
	mem := loadSet(t, spec, scenarios.Options{Now: clock.Now}, file)
	_, store := openMini(t)
	shared := loadSet(t, spec, scenarios.Options{Now: clock.Now, Counters: store}, file)
	ctx := context.Background()
	for client, n := range map[string]int{"job1": 3, "job2": 7} {
		for range n {
			for _, set := range []*scenarios.Set{mem, shared} {
				if _, _, err := decide(t, set, spec, call{op: "listPets", client: client}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	clients := []string{"job1", "job2", "job3"}
	show := func(set *scenarios.Set) string {
		t.Helper()
		all, err := set.ClientsCounters(ctx, clients)
		if err != nil {
			t.Fatal(err)
		}
		s := ""
		for _, c := range clients {
			one, err := set.ClientCounters(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			if fmtStates(one) != fmtStates(all[c]) {
				t.Errorf("%s: ClientCounters %s, ClientsCounters %s", c, fmtStates(one), fmtStates(all[c]))
			}
			if _, listed := all[c]; listed && len(all[c]) == 0 {
				t.Errorf("%s is listed with no counters", c)
			}
			for _, st := range all[c] {
				s += fmt.Sprintf("%s %s calls=%d fired=%d remaining=%d; ", c, st.Rule, st.Calls, st.Fired, st.RateLimit.Remaining)
			}
		}
		return s
	}
	m, r := show(mem), show(shared)
	if r != m {
		t.Fatalf("redis %s\nmemory %s", r, m)
	}
	if want := "job1 s#0 calls=3 fired=0 remaining=2; job2 s#0 calls=7 fired=2 remaining=0; "; m != want {
		t.Fatalf("got %s, want %s", m, want)
	}
}

// fmtStates prints counter states with their windows, not the windows'
// addresses.
func fmtStates(list []scenarios.CounterState) string {
	s := ""
	for _, c := range list {
		s += fmt.Sprintf("%s %s calls=%d fired=%d key=%v value=%q", c.Rule, c.Scenario, c.Calls, c.Fired, c.Key, c.KeyValue)
		if c.RateLimit != nil {
			s += fmt.Sprintf(" %+v", *c.RateLimit)
		}
		s += "; "
	}
	return s
}
