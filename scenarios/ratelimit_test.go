package scenarios

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

const rateLimited = `
name: rl
rules:
  - operations: [listPets]
    rateLimit: {limit: 5, window: 1m, key: header:Authorization}
`

func TestRateLimitWindow(t *testing.T) {
	spec := testSpec(t)
	clock := newClock()
	t0 := clock.Now()
	set := loadYAML(t, spec, Options{Now: clock.Now}, "rl.yaml", rateLimited)
	call := func() Decision {
		t.Helper()
		d, ok := decide(t, set, spec, "rl", req{op: "listPets", header: map[string]string{"Authorization": "Bearer k1"}})
		if !ok || d.RateLimit == nil {
			t.Fatalf("a rate-limit rule did not decide: %+v %v", d, ok)
		}
		return d
	}
	// Exactly limit calls pass in a window, each with fewer remaining.
	for i := range 5 {
		d := call()
		rl := *d.RateLimit
		if d.Status != 0 || rl.Limited || rl.Limit != 5 || rl.Remaining != 4-i || rl.RetryAfter != 0 || !rl.Reset.Equal(t0.Add(time.Minute)) {
			t.Fatalf("call %d: %+v %+v", i+1, d, rl)
		}
	}
	// The next gets 429 with the exact wait.
	d := call()
	if d.Status != 429 || d.Undocumented || !d.RateLimit.Limited || d.RateLimit.Remaining != 0 || d.RateLimit.RetryAfter != time.Minute || !d.RateLimit.Reset.Equal(t0.Add(time.Minute)) {
		t.Fatalf("6th call: %+v %+v", d, *d.RateLimit)
	}
	clock.Advance(59*time.Second + 200*time.Millisecond)
	d = call()
	if !d.RateLimit.Limited || d.RateLimit.RetryAfter != 800*time.Millisecond || d.RateLimit.RetryAfterSeconds() != 1 {
		t.Fatalf("just before the window ends: %+v", *d.RateLimit)
	}
	// After the window the client recovers, with no reset.
	clock.Advance(800 * time.Millisecond)
	d = call()
	if d.Status != 0 || d.RateLimit.Limited || d.RateLimit.Remaining != 4 {
		t.Fatalf("after the window: %+v %+v", d, *d.RateLimit)
	}
}

func TestRateLimitSlides(t *testing.T) {
	spec := testSpec(t)
	clock := newClock()
	set := loadYAML(t, spec, Options{Now: clock.Now}, "rl.yaml", rateLimited)
	call := func() RateLimitInfo {
		t.Helper()
		d, _ := decide(t, set, spec, "rl", req{op: "listPets", header: map[string]string{"Authorization": "Bearer k1"}})
		return *d.RateLimit
	}
	// Calls at 0s, 10s, 20s, 30s, 40s fill the window.
	for i := range 5 {
		if rl := call(); rl.Limited {
			t.Fatalf("call at %ds limited", i*10)
		}
		clock.Advance(10 * time.Second)
	}
	// At 50s: limited until the call of 0s leaves the window at 60s.
	if rl := call(); !rl.Limited || rl.RetryAfter != 10*time.Second {
		t.Fatalf("at 50s: %+v", rl)
	}
	clock.Advance(10 * time.Second)
	// At 60s one slot is free, and only one: a fixed window would now
	// admit 5 more.
	if rl := call(); rl.Limited || rl.Remaining != 0 {
		t.Fatalf("at 60s: %+v", rl)
	}
	clock.Advance(time.Second + 500*time.Millisecond)
	// At 61.5s: the next slot frees at 70s (the call of 10s).
	if rl := call(); !rl.Limited || rl.RetryAfter != 8500*time.Millisecond || rl.RetryAfterSeconds() != 9 {
		t.Fatalf("at 61.5s: %+v", rl)
	}
	// Refused calls do not count: at 70s a call passes.
	clock.Advance(8500 * time.Millisecond)
	if rl := call(); rl.Limited {
		t.Fatalf("at 70s: %+v", rl)
	}
}

func TestRateLimitKeys(t *testing.T) {
	spec := testSpec(t)
	tests := []struct {
		name  string
		key   string // rateLimit.key; "" for none
		calls []req  // every call but the last passes; the last is limited
	}{
		{"header keys are separate", "header:Authorization", []req{
			{header: map[string]string{"Authorization": "Bearer a"}},
			{header: map[string]string{"Authorization": "Bearer b"}},
			{header: map[string]string{"Authorization": "Bearer a"}},
		}},
		{"X-Decoy-Client beats the header", "header:Authorization", []req{
			{header: map[string]string{"Authorization": "Bearer a"}, client: "ci-1"},
			{header: map[string]string{"Authorization": "Bearer a"}, client: "ci-2"},
			{header: map[string]string{"Authorization": "Bearer a"}},
			{header: map[string]string{"Authorization": "Bearer b"}, client: "ci-1"},
		}},
		{"ip", "ip", []req{{ip: "10.0.0.1"}, {ip: "10.0.0.2"}, {ip: "10.0.0.1"}}},
		{"client", "client", []req{{client: "a"}, {client: "b"}, {}, {client: "a"}}},
		{"no key is one shared limit", "", []req{{ip: "10.0.0.1"}, {ip: "10.0.0.2", header: map[string]string{"Authorization": "Bearer b"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := ""
			if tt.key != "" {
				key = ", key: " + tt.key
			}
			set := loadYAML(t, spec, Options{Now: newClock().Now}, "rl.yaml",
				"name: rl\nrules:\n  - {operations: [listPets], rateLimit: {limit: 1, window: 1h"+key+"}}\n")
			for i, r := range tt.calls {
				r.op = "listPets"
				d, _ := decide(t, set, spec, "rl", r)
				if want := i == len(tt.calls)-1; d.RateLimit.Limited != want {
					t.Errorf("call %d: limited %v, want %v", i+1, d.RateLimit.Limited, want)
				}
			}
		})
	}
}

func TestRateLimitUndocumented429(t *testing.T) {
	spec := testSpec(t)
	set := loadYAML(t, spec, Options{Now: newClock().Now}, "rl.yaml", `
name: rl
rules:
  - operations: [getPet]
    rateLimit: {limit: 1, window: 1s}
    allowUndocumented: true
  - operations: [listPets]
    rateLimit: {limit: 1, window: 1s}
    example: daily
    latency: 5ms
    headers: {X-Plan: free}
`)
	decide(t, set, spec, "rl", req{op: "getPet"})
	if d, _ := decide(t, set, spec, "rl", req{op: "getPet"}); outcome(d, true) != "429!" {
		t.Errorf("getPet over the limit: %s, want an undocumented 429", outcome(d, true))
	}
	first, _ := decide(t, set, spec, "rl", req{op: "listPets"})
	if first.Status != 0 || first.Example != "" || first.Latency != 5*time.Millisecond || first.Headers["X-Plan"] != "free" {
		t.Errorf("listPets under the limit: %+v", first)
	}
	if d, _ := decide(t, set, spec, "rl", req{op: "listPets"}); outcome(d, true) != "429:daily" || d.Latency != 5*time.Millisecond || d.Headers["X-Plan"] != "free" {
		t.Errorf("listPets over the limit: %+v", d)
	}
}

func TestRetryAfterSeconds(t *testing.T) {
	for _, tt := range []struct {
		in   time.Duration
		want int64
	}{{time.Nanosecond, 1}, {time.Second, 1}, {time.Second + 1, 2}, {59500 * time.Millisecond, 60}, {time.Minute, 60}} {
		if got := (RateLimitInfo{Limited: true, RetryAfter: tt.in}).RetryAfterSeconds(); got != tt.want {
			t.Errorf("RetryAfterSeconds(%v) = %d, want %d", tt.in, got, tt.want)
		}
	}
	if got := (RateLimitInfo{RetryAfter: time.Second}).RetryAfterSeconds(); got != 0 {
		t.Errorf("not limited: %d, want 0", got)
	}
}

// TestClientIsolation: counters are per client key, and Reset(client)
// clears only that key's.
func TestClientIsolation(t *testing.T) {
	spec := testSpec(t)
	clock := newClock()
	set := loadYAML(t, spec, Options{Now: clock.Now}, "s.yaml", `
name: after
rules:
  - {operations: [getPet], status: 404, when: {after: 2}}
`, "rl.yaml", rateLimited)
	after := func(client string) string {
		return outcome(decide(t, set, spec, "after", req{op: "getPet", client: client}))
	}
	limited := func(client string) bool {
		d, _ := decide(t, set, spec, "rl", req{op: "listPets", client: client, header: map[string]string{"Authorization": "Bearer shared"}})
		return d.RateLimit.Limited
	}
	for _, c := range []string{"a", "b"} {
		for range 5 {
			limited(c)
		}
	}
	var got []string
	for _, c := range []string{"a", "a", "b", "a", "b", "b"} {
		got = append(got, c+"="+after(c))
	}
	if g, want := strings.Join(got, " "), "a=- a=- b=- a=404 b=- b=404"; g != want {
		t.Errorf("interleaved clients: got %s, want %s", g, want)
	}
	if !limited("a") || !limited("b") {
		t.Fatal("both clients should be at their limit")
	}

	set.Reset(context.Background(), "a")
	if g := after("a"); g != "-" {
		t.Errorf("a after Reset(a): %s, want its count to start over", g)
	}
	if g := after("b"); g != "404" {
		t.Errorf("b after Reset(a): %s, want its count untouched", g)
	}
	if limited("a") {
		t.Error("a is still rate-limited after Reset(a)")
	}
	if !limited("b") {
		t.Error("b lost its rate limit on Reset(a)")
	}

	// A rule key's value can be reset too, and a long one is kept hashed.
	long := "Bearer " + strings.Repeat("k", 500)
	byHeader := func() bool {
		d, _ := decide(t, set, spec, "rl", req{op: "listPets", header: map[string]string{"Authorization": long}})
		return d.RateLimit.Limited
	}
	for range 5 {
		byHeader()
	}
	if !byHeader() {
		t.Fatal("the Authorization key should be at its limit")
	}
	set.Reset(context.Background(), long)
	if byHeader() {
		t.Error("Reset(authorization value) did not clear that key")
	}

	set.Reset(context.Background(), "")
	if g := after("b"); g != "-" || limited("b") {
		t.Errorf("Reset(\"\") left b's counters: %s", g)
	}
}

func TestClientTableIsBounded(t *testing.T) {
	spec := testSpec(t)
	set := loadYAML(t, spec, Options{MaxClients: 2}, "s.yaml", "name: s\nrules:\n  - {operations: [getPet], status: 404, when: {after: 1}}\n")
	after := func(client string) string {
		return outcome(decide(t, set, spec, "s", req{op: "getPet", client: client}))
	}
	after("a")
	after("b")
	after("a") // a is now the most recently used: c evicts b
	after("c")
	if g := after("a"); g != "404" {
		t.Errorf("a was evicted: %s", g)
	}
	if g := after("b"); g != "-" {
		t.Errorf("b should have been forgotten and counted from zero: %s", g)
	}
	r := set.Lookup("s").Rules[0]
	if n := r.clients.len(); n != 2 {
		t.Errorf("the rule tracks %d keys, want at most 2", n)
	}
	for i := range 1000 {
		after(fmt.Sprint("client-", i))
	}
	if n := r.clients.len(); n != 2 {
		t.Errorf("after 1000 clients the rule tracks %d keys, want 2", n)
	}
}

// TestRateLimitRace hammers a rate-limited rule from 32 goroutines with
// different client keys while others reset unrelated keys, list and decide
// in other scenarios; each key gets exactly its limit. Run with -race.
func TestRateLimitRace(t *testing.T) {
	spec := testSpec(t)
	clock := newClock()
	set := loadYAML(t, spec, Options{Now: clock.Now}, "rl.yaml", `
name: rl
rules:
  - operations: [listPets]
    rateLimit: {limit: 7, window: 1m, key: client}
`, "flaky.yaml", "name: flaky\nrules:\n  - {operations: [\"*\"], fault: reset, when: {every: 3}}\n")
	const workers, calls = 32, 50
	var passed, limited [workers]int
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			client := fmt.Sprint("ci-", w)
			for range calls {
				d, ok := decide(t, set, spec, "rl", req{op: "listPets", client: client})
				if !ok || d.RateLimit == nil {
					t.Errorf("%s: no rate-limit decision", client)
					return
				}
				if d.RateLimit.Limited {
					limited[w]++
				} else {
					passed[w]++
				}
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			for i := range 200 {
				set.Reset(context.Background(), fmt.Sprint("other-", i))
				_ = set.List()
				decide(t, set, spec, "flaky", req{op: "getPet", client: fmt.Sprint("other-", i%7)})
			}
		})
	}
	wg.Wait()
	for w := range workers {
		if passed[w] != 7 || limited[w] != calls-7 {
			t.Errorf("ci-%d: %d passed and %d limited, want 7 and %d", w, passed[w], limited[w], calls-7)
		}
	}
}

// Regression: with X-Decoy-Client sent, every API key of a test job shared
// one rate limit. A rule's key keeps each key's own, per job.
func TestRuleKeySplitsAClientsCounters(t *testing.T) {
	spec := testSpec(t)
	clock := newClock()
	set := loadYAML(t, spec, Options{Now: clock.Now}, "rl.yaml", `
name: per-key
rules:
  - operations: [listPets]
    key: header:X-Api-Key
    rateLimit: {limit: 2, window: 1m, key: header:Authorization}
`, "merged.yaml", `
name: merged
rules:
  - operations: [listPets]
    rateLimit: {limit: 2, window: 1m, key: header:X-Api-Key}
`)
	call := func(scenario, client, apiKey string) bool {
		t.Helper()
		d, ok := decide(t, set, spec, scenario, req{op: "listPets", client: client, header: map[string]string{"X-Api-Key": apiKey}})
		if !ok || d.RateLimit == nil {
			t.Fatalf("%s: the rule did not decide", scenario)
		}
		return d.RateLimit.Limited
	}
	// Without a rule key, X-Decoy-Client merges the keys (documented).
	call("merged", "job1", "a")
	call("merged", "job1", "b")
	if !call("merged", "job1", "c") {
		t.Errorf("merged: the third call of job1 was not limited")
	}
	// With it, each key of job1 has its limit, and job2's key "a" is not
	// job1's.
	for _, k := range []string{"a", "a", "b", "b"} {
		if call("per-key", "job1", k) {
			t.Fatalf("per-key: job1 key %s limited too early", k)
		}
	}
	if !call("per-key", "job1", "a") {
		t.Errorf("per-key: job1's third call with key a was not limited")
	}
	if call("per-key", "job2", "a") || call("per-key", "", "a") {
		t.Errorf("per-key: another job's key a shared job1's limit")
	}
	// Resetting job1 clears its counters for every key, and only its.
	set.Reset(context.Background(), "job1")
	if call("per-key", "job1", "a") {
		t.Errorf("per-key: job1 still limited after its reset")
	}
	if call("per-key", "job2", "a") {
		t.Errorf("per-key: job2's second call limited")
	}
	if !call("per-key", "job2", "a") {
		t.Errorf("per-key: job2's third call not limited: its counters were reset with job1's")
	}
}

func TestRuleKeyIsChecked(t *testing.T) {
	_, err := loadYAMLErr(testSpec(t), Options{}, "k.yaml", `
name: k
rules:
  - operations: [listPets]
    status: 500
    allowUndocumented: true
    key: cookie:session
`)
	if err == nil || !strings.Contains(err.Error(), `rules[0].key: unknown rate-limit key "cookie:session"`) {
		t.Errorf("err = %v", err)
	}
}
