package sharedstate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/decoy-mock/decoy/internal/redistest"
	"github.com/decoy-mock/decoy/openapi"
	"github.com/decoy-mock/decoy/scenarios"
)

// clock is a settable clock, microsecond-exact as the Redis store keeps
// times.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2024, 3, 11, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func testSpec(tb testing.TB) *openapi.Spec {
	tb.Helper()
	spec, err := openapi.Load(os.DirFS("../scenarios/testdata"), "spec.yaml", openapi.LoadOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	return spec
}

// openMini opens a store on a fresh miniredis.
func openMini(tb testing.TB) (*miniredis.Miniredis, *Redis) {
	tb.Helper()
	mr := miniredis.RunT(tb)
	return mr, openOn(tb, mr, "test")
}

// openOn opens a store on mr with a timeout generous enough for a loaded
// machine under the race detector: a timeout marks Redis as lost.
func openOn(tb testing.TB, mr *miniredis.Miniredis, ns string) *Redis {
	tb.Helper()
	s, err := Open(context.Background(), Options{URL: "redis://" + mr.Addr() + "/0", Namespace: ns, Timeout: 2 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// onEachRedis runs f on a miniredis, and again on a real redis-server
// (that run skipped without one), so that the scripts are checked in
// miniredis's Lua and in Redis's own; open opens a store in namespace ns
// on the one of the run.
func onEachRedis(t *testing.T, f func(t *testing.T, open func(ns string) *Redis)) {
	t.Run("miniredis", func(t *testing.T) {
		mr := miniredis.RunT(t)
		f(t, func(ns string) *Redis { return openOn(t, mr, ns) })
	})
	t.Run("redis-server", func(t *testing.T) {
		rs := redistest.Start(t)
		f(t, func(ns string) *Redis {
			s, err := Open(context.Background(), Options{URL: rs.URL(), Namespace: ns, Timeout: 2 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		})
	})
}

func loadSet(tb testing.TB, spec *openapi.Spec, opts scenarios.Options, file string) *scenarios.Set {
	tb.Helper()
	set, err := scenarios.Load(fstest.MapFS{"scenarios/s.yaml": {Data: []byte(file)}}, "scenarios", spec, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return set
}

type call struct {
	op, client, auth string
	advance          time.Duration
}

func decide(tb testing.TB, set *scenarios.Set, spec *openapi.Spec, c call) (scenarios.Decision, bool, error) {
	tb.Helper()
	op := spec.Operation(c.op)
	r := httptest.NewRequest(op.Method, "/pets", nil)
	if c.auth != "" {
		r.Header.Set("Authorization", c.auth)
	}
	return set.Decide(context.Background(), "s", scenarios.Input{Op: op, Request: r, Client: c.client, RemoteIP: "127.0.0.1"})
}

func render(d scenarios.Decision, ok bool) string {
	if !ok {
		return "-"
	}
	s := fmt.Sprintf("%d", d.Status)
	if d.Latency > 0 {
		s += fmt.Sprintf("+%s", d.Latency)
	}
	if rl := d.RateLimit; rl != nil {
		s += fmt.Sprintf(" rl{%d/%d reset=%s retry=%s limited=%v}", rl.Remaining, rl.Limit, rl.Reset.Format(time.StampMicro), rl.RetryAfter, rl.Limited)
	}
	return s
}

// TestRedisDecidesAsMemory runs the same calls through a Set counting in
// memory and one counting in Redis, and wants the same decisions: every
// state kind (after, times, every, probability, sequences, rate limits
// with their boundary, client keys) keeps the meaning it has in memory.
func TestRedisDecidesAsMemory(t *testing.T) {
	spec := testSpec(t)
	var calls []call
	for i := range 40 {
		c := call{op: "listPets", client: []string{"", "job1", "job2"}[i%3], auth: []string{"k1", "k2"}[i%2]}
		switch {
		case i%7 == 3:
			c.advance = 9*time.Second + 999999*time.Microsecond
		case i%11 == 5:
			c.advance = 20 * time.Second
		case i == 30:
			c.advance = 10 * time.Second // exactly a window after a call
		}
		calls = append(calls, c)
	}
	rules := map[string]string{
		"after":       "{operations: [listPets], status: 429, when: {after: 3}}",
		"times":       "{operations: [listPets], status: 429, when: {times: 2}}",
		"every":       "{operations: [listPets], status: 429, when: {after: 1, every: 3}}",
		"probability": "{operations: [listPets], status: 429, latency: 10ms..90ms, when: {probability: 0.4, times: 5}}",
		"sequence":    "{operations: [listPets], sequence: [429, 200, 429]}",
		"rate-limit":  "{operations: [listPets], rateLimit: {limit: 3, window: 10s}}",
		"rate-by-key": "{operations: [listPets], rateLimit: {limit: 2, window: 10s, key: header:Authorization}}",
		"rule-key":    "{operations: [listPets], key: header:Authorization, status: 429, when: {after: 2, times: 3}}",
	}
	onEachRedis(t, func(t *testing.T, open func(string) *Redis) {
		for name, rule := range rules {
			t.Run(name, func(t *testing.T) {
				file := "name: s\nrules:\n  - " + rule + "\n"
				memClock, redisClock := newClock(), newClock()
				mem := loadSet(t, spec, scenarios.Options{Now: memClock.Now, Seed: 7}, file)
				shared := loadSet(t, spec, scenarios.Options{Now: redisClock.Now, Seed: 7, Counters: open(name)}, file)
				for i, c := range calls {
					memClock.Advance(c.advance)
					redisClock.Advance(c.advance)
					md, mok, _ := decide(t, mem, spec, c)
					rd, rok, err := decide(t, shared, spec, c)
					if err != nil {
						t.Fatalf("call %d: %v", i, err)
					}
					if got, want := render(rd, rok), render(md, mok); got != want {
						t.Fatalf("call %d (%+v): redis %s, memory %s", i, c, got, want)
					}
				}
				// A reset of one client clears only its counters, in both.
				if err := mem.Reset(context.Background(), "job1"); err != nil {
					t.Fatal(err)
				}
				if err := shared.Reset(context.Background(), "job1"); err != nil {
					t.Fatal(err)
				}
				for i, c := range calls[:9] {
					md, mok, _ := decide(t, mem, spec, c)
					rd, rok, _ := decide(t, shared, spec, c)
					if got, want := render(rd, rok), render(md, mok); got != want {
						t.Fatalf("after the reset, call %d (%+v): redis %s, memory %s", i, c, got, want)
					}
				}
			})
		}
	})
}

// TestRedisWindowBoundary: a call holds its slot during [t, t+window): one
// microsecond before the window ends the client is still limited, with the
// exact wait, and at the end it passes.
func TestRedisWindowBoundary(t *testing.T) {
	spec := testSpec(t)
	clock := newClock()
	_, store := openMini(t)
	set := loadSet(t, spec, scenarios.Options{Now: clock.Now, Counters: store}, "name: s\nrules:\n  - {operations: [listPets], rateLimit: {limit: 2, window: 1m}}\n")
	t0 := clock.Now()
	c := call{op: "listPets"}
	for i := range 2 {
		d, _, _ := decide(t, set, spec, c)
		if d.RateLimit.Limited || d.RateLimit.Remaining != 1-i || !d.RateLimit.Reset.Equal(t0.Add(time.Minute)) {
			t.Fatalf("call %d: %+v", i+1, *d.RateLimit)
		}
	}
	clock.Advance(time.Minute - time.Microsecond)
	d, _, _ := decide(t, set, spec, c)
	if d.Status != 429 || !d.RateLimit.Limited || d.RateLimit.RetryAfter != time.Microsecond || d.RateLimit.RetryAfterSeconds() != 1 {
		t.Fatalf("a microsecond before the window ends: %d %+v", d.Status, *d.RateLimit)
	}
	clock.Advance(time.Microsecond)
	d, _, _ = decide(t, set, spec, c)
	// Both earlier calls left the window together: one slot is taken now.
	if d.Status != 0 || d.RateLimit.Limited || d.RateLimit.Remaining != 1 || !d.RateLimit.Reset.Equal(t0.Add(time.Minute+time.Minute)) {
		t.Fatalf("at the window's end: %d %+v", d.Status, *d.RateLimit)
	}
}

// TestRedisConcurrentReplicas: three stores on one Redis (three replicas)
// and many concurrent callers admit exactly limit calls per window.
func TestRedisConcurrentReplicas(t *testing.T) {
	onEachRedis(t, testConcurrentReplicas)
}

func testConcurrentReplicas(t *testing.T, open func(ns string) *Redis) {
	spec := testSpec(t)
	clock := newClock()
	file := "name: s\nrules:\n  - {operations: [listPets], rateLimit: {limit: 5, window: 1m}}\n  - {operations: [createPet], status: 400, when: {after: 10, times: 7}}\n"
	var sets []*scenarios.Set
	for range 3 {
		sets = append(sets, loadSet(t, spec, scenarios.Options{Now: clock.Now, Counters: open("ns")}, file))
	}
	var passed, limited, fired atomic.Int64
	var wg sync.WaitGroup
	for g := range 30 {
		wg.Go(func() {
			set := sets[g%3]
			for range 4 {
				d, _, err := decide(t, set, spec, call{op: "listPets"})
				if err != nil {
					t.Error(err)
					return
				}
				if d.RateLimit.Limited {
					limited.Add(1)
				} else {
					passed.Add(1)
				}
				if _, ok, _ := decide(t, set, spec, call{op: "createPet"}); ok {
					fired.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if passed.Load() != 5 || limited.Load() != 115 {
		t.Fatalf("passed %d, limited %d; want 5 and 115", passed.Load(), limited.Load())
	}
	if fired.Load() != 7 {
		t.Fatalf("an `after: 10, times: 7` rule fired %d times over 120 calls; want 7", fired.Load())
	}
}

// TestRedisExpiry: window keys expire a window after the last call, and
// counters after the counter TTL without calls; namespaces do not mix.
func TestRedisExpiry(t *testing.T) {
	spec := testSpec(t)
	mr, store := openMini(t)
	clock := newClock()
	set := loadSet(t, spec, scenarios.Options{Now: clock.Now, Counters: store}, "name: s\nrules:\n  - {operations: [listPets], rateLimit: {limit: 1, window: 30s}}\n  - {operations: [createPet], status: 400, when: {after: 1}}\n")
	decide(t, set, spec, call{op: "listPets", client: "c"})
	decide(t, set, spec, call{op: "createPet", client: "c"})
	keys := mr.Keys()
	if len(keys) != 3 {
		t.Fatalf("keys %q; want two counters and one window", keys)
	}
	for _, k := range keys {
		ttl := mr.TTL(k)
		switch k[len("decoy:test:"):][0] {
		case 'w':
			if ttl <= 30*time.Second || ttl > 32*time.Second {
				t.Errorf("%q expires in %s; want a window and a second", k, ttl)
			}
		case 'n':
			if ttl != DefaultCounterTTL {
				t.Errorf("%q expires in %s; want %s", k, ttl, DefaultCounterTTL)
			}
		default:
			t.Errorf("unexpected key %q", k)
		}
	}
	mr.FastForward(32 * time.Second)
	if n := len(mr.Keys()); n != 2 {
		t.Fatalf("after the window, %d keys; want the two counters", n)
	}
	mr.FastForward(DefaultCounterTTL)
	if n := len(mr.Keys()); n != 0 {
		t.Fatalf("after the counter TTL, keys %q remain", mr.Keys())
	}
	// Another namespace on the same Redis counts apart.
	other := loadSet(t, spec, scenarios.Options{Now: clock.Now, Counters: openOn(t, mr, "other")}, "name: s\nrules:\n  - {operations: [createPet], status: 400, when: {after: 1}}\n")
	decide(t, set, spec, call{op: "createPet", client: "c"})
	if _, ok, _ := decide(t, other, spec, call{op: "createPet", client: "c"}); ok {
		t.Fatal("the other namespace saw the first one's call")
	}
}

// TestRedisUnavailable: a lost Redis makes Decide fail within the timeout
// with ErrUnavailable, the store degraded; it recovers by itself.
func TestRedisUnavailable(t *testing.T) {
	spec := testSpec(t)
	mr, store := openMini(t)
	set := loadSet(t, spec, scenarios.Options{Counters: store}, "name: s\nrules:\n  - {operations: [listPets], rateLimit: {limit: 5, window: 1m}}\n")
	if _, _, err := decide(t, set, spec, call{op: "listPets"}); err != nil {
		t.Fatal(err)
	}
	addr := mr.Addr()
	mr.Close()
	start := time.Now()
	_, _, err := decide(t, set, spec, call{op: "listPets"})
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("with Redis gone: %v; want ErrUnavailable", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("a call took %s with Redis gone; the timeout is 2s", took)
	}
	if ok, why := store.Health(); ok || why == "" {
		t.Fatalf("Health = %v %q; want degraded with a reason", ok, why)
	}
	if err := mr.StartAddr(addr); err != nil {
		t.Skipf("cannot restart miniredis on %s: %v", addr, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for ok, _ := store.Health(); !ok; ok, _ = store.Health() {
		if time.Now().After(deadline) {
			t.Fatal("the store did not recover within 5s of Redis coming back")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, _, err := decide(t, set, spec, call{op: "listPets"}); err != nil {
		t.Fatalf("after recovery: %v", err)
	}
}

func TestOpenFails(t *testing.T) {
	for name, url := range map[string]string{
		"malformed":   "http://nope",
		"unreachable": "redis://127.0.0.1:1/0",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Open(context.Background(), Options{URL: url, Timeout: 200 * time.Millisecond})
			if err == nil {
				t.Fatal("Open succeeded")
			}
			if want := "--shared-state"; !strings.Contains(err.Error(), want) {
				t.Fatalf("error %q does not name %s", err, want)
			}
		})
	}
	_, err := Open(context.Background(), Options{URL: "redis://user:s3cret@127.0.0.1:1/0", Timeout: 100 * time.Millisecond})
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("error %v shows the password", err)
	}
}

// TestRedisForgotTheScript: a Redis restarted without its scripts (or
// flushed) is given the counting script again; the count is not lost.
func TestRedisForgotTheScript(t *testing.T) {
	spec := testSpec(t)
	_, store := openMini(t)
	set := loadSet(t, spec, scenarios.Options{Counters: store}, "name: s\nrules:\n  - {operations: [listPets], status: 429, when: {after: 1}}\n")
	if _, ok, err := decide(t, set, spec, call{op: "listPets"}); ok || err != nil {
		t.Fatalf("first call: %v %v", ok, err)
	}
	if err := store.client.ScriptFlush(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := decide(t, set, spec, call{op: "listPets"}); !ok || err != nil {
		t.Fatalf("second call, after SCRIPT FLUSH: fired %v, %v; want it counted as the second", ok, err)
	}
}

// blackhole is a TCP proxy to a Redis that, once silenced, keeps every
// connection open and answers nothing: a Redis that hangs.
type blackhole struct {
	ln     net.Listener
	target string
	silent atomic.Bool
}

func newBlackhole(t *testing.T, target string) *blackhole {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &blackhole{ln: ln, target: target}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go b.serve(c)
		}
	}()
	return b
}

func (b *blackhole) serve(c net.Conn) {
	defer c.Close()
	up, err := net.Dial("tcp", b.target)
	if err != nil {
		return
	}
	defer up.Close()
	go io.Copy(c, up)
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		if err != nil {
			return
		}
		if !b.silent.Load() {
			up.Write(buf[:n])
		}
	}
}

// TestRedisHangs: a Redis that stops answering costs a request at most
// the timeout; a probe then marks the outage, and later requests fail at
// once instead of each waiting the timeout.
func TestRedisHangs(t *testing.T) {
	spec := testSpec(t)
	mr := miniredis.RunT(t)
	bh := newBlackhole(t, mr.Addr())
	const timeout = 300 * time.Millisecond
	store, err := Open(context.Background(), Options{URL: "redis://" + bh.ln.Addr().String() + "/0", Namespace: "t", Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	set := loadSet(t, spec, scenarios.Options{Counters: store}, "name: s\nrules:\n  - {operations: [listPets], status: 429, when: {after: 1}}\n")
	if _, _, err := decide(t, set, spec, call{op: "listPets"}); err != nil {
		t.Fatal(err)
	}
	bh.silent.Store(true)
	start := time.Now()
	if _, _, err := decide(t, set, spec, call{op: "listPets"}); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("with Redis hanging: %v; want ErrUnavailable", err)
	}
	if took := time.Since(start); took < timeout || took > timeout+time.Second {
		t.Fatalf("the call took %s; want the timeout, %s", took, timeout)
	}
	deadline := time.Now().Add(5 * time.Second)
	for ok, _ := store.Health(); ok; ok, _ = store.Health() {
		if time.Now().After(deadline) {
			t.Fatal("the probe did not mark the outage within 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	start = time.Now()
	if _, _, err := decide(t, set, spec, call{op: "listPets"}); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("during the outage: %v", err)
	}
	if took := time.Since(start); took > timeout/2 {
		t.Fatalf("during a known outage a call took %s; want it to fail at once", took)
	}
}

// TestCountScriptBatch: the counts of one batch are counted in order, as
// many script runs would count them, and a count that fails (a key of
// the wrong type) fails alone.
func TestCountScriptBatch(t *testing.T) {
	onEachRedis(t, func(t *testing.T, open func(string) *Redis) {
		s := open("batch")
		ctx := context.Background()
		if err := s.client.Set(ctx, "bad", "a string", 0).Err(); err != nil {
			t.Fatal(err)
		}
		rateLimited := []any{0, 0, 0, "0", 2, int64(60e6), int64(1_700_000_000_000_000), 1000}
		var keys []string
		var args []any
		for _, k := range []string{"n1", "bad", "n1", "n1"} {
			keys = append(keys, k, "w1")
			args = append(args, rateLimited...)
		}
		res, err := countScript.Run(ctx, s.client, keys, args...).Slice()
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != 4 {
			t.Fatalf("%d answers for 4 counts: %v", len(res), res)
		}
		if e, ok := res[1].(error); !ok || !strings.Contains(e.Error(), "WRONGTYPE") {
			t.Fatalf("the count on a string key answered %v; want its WRONGTYPE error", res[1])
		}
		// calls, fired, fires, limited, held for the three others.
		for i, want := range map[int][5]int64{0: {1, 0, 1, 0, 1}, 2: {2, 0, 1, 0, 2}, 3: {3, 1, 1, 1, 2}} {
			r, ok := res[i].([]any)
			if !ok || len(r) != 6 {
				t.Fatalf("count %d answered %v", i, res[i])
			}
			if got := [5]int64{asInt(r[0]), asInt(r[1]), asInt(r[2]), asInt(r[3]), asInt(r[4])}; got != want {
				t.Errorf("count %d: calls, fired, fires, limited, held = %v; want %v", i, got, want)
			}
		}
	})
}
