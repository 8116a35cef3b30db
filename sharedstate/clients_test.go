package sharedstate

import (
	"context"
	"errors"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/decoy-mock/decoy/internal/redistest"
)

// mirror is a replica's copy of the client choices, as WatchClientScenarios
// keeps it.
type mirror struct {
	mu sync.Mutex
	m  map[string]string
}

func (m *mirror) replace(all map[string]string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m = maps.Clone(all)
}

func (m *mirror) change(client, name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[string]string{}
	}
	if name == "" {
		delete(m.m, client)
		return
	}
	m.m[client] = name
}

func (m *mirror) equals(want map[string]string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.m) == len(want) && maps.Equal(m.m, want)
}

// watched starts a mirror of s's client choices.
func watched(t *testing.T, s *Redis) *mirror {
	t.Helper()
	m := &mirror{}
	s.WatchClientScenarios(t.Context(), m.replace, m.change)
	return m
}

// eventually waits up to 5 s for m to hold want: a publication arrives at
// once, a poll within a second.
func eventually(t *testing.T, m *mirror, want map[string]string, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !m.equals(want) {
		if time.Now().After(deadline) {
			m.mu.Lock()
			defer m.mu.Unlock()
			t.Fatalf("%s: the other replica's copy is %v; want %v", what, m.m, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestClientScenariosReachOtherReplica: a choice one store makes, clears
// or clears all reaches the copy another store keeps, and the list reads
// it from Redis.
func TestClientScenariosReachOtherReplica(t *testing.T) {
	mr, a := openMini(t)
	b := openOn(t, mr, "test")
	other := openOn(t, mr, "other") // another mock on the same Redis
	mb, mo := watched(t, b), watched(t, other)
	ctx := context.Background()
	if err := a.SetClientScenario(ctx, "qa", "rate-limited"); err != nil {
		t.Fatal(err)
	}
	if err := a.SetClientScenario(ctx, "dev", "slow"); err != nil {
		t.Fatal(err)
	}
	eventually(t, mb, map[string]string{"qa": "rate-limited", "dev": "slow"}, "after two choices")
	if got, err := b.ClientScenarios(ctx); err != nil || !maps.Equal(got, map[string]string{"qa": "rate-limited", "dev": "slow"}) {
		t.Fatalf("ClientScenarios = %v, %v", got, err)
	}
	if err := a.SetClientScenario(ctx, "qa", ""); err != nil {
		t.Fatal(err)
	}
	eventually(t, mb, map[string]string{"dev": "slow"}, "after clearing qa")
	if err := a.SetClientScenario(ctx, "qa", "server-error"); err != nil {
		t.Fatal(err)
	}
	if err := b.ClearClientScenarios(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, mb, map[string]string{}, "after clearing all")
	if got, err := a.ClientScenarios(ctx); err != nil || len(got) != 0 {
		t.Fatalf("ClientScenarios after clearing all = %v, %v", got, err)
	}
	if !mo.equals(map[string]string{}) {
		t.Fatalf("another namespace saw this one's choices: %v", mo.m)
	}
	if err := a.SetClientScenario(ctx, "", "slow"); err == nil {
		t.Fatal("a choice for no client key was accepted")
	}
}

// TestClientScenariosCatchUp: a change whose publication a replica missed
// (written while its subscription was away, here straight into the hash)
// reaches its copy at the next poll, as does one made after Redis came
// back from an outage.
func TestClientScenariosCatchUp(t *testing.T) {
	mr, a := openMini(t)
	b := openOn(t, mr, "test")
	mb := watched(t, b)
	// A published change reaches the watcher's loop, which starts with a
	// read of all the choices: from then on, only a poll finds the next.
	if err := a.SetClientScenario(context.Background(), "ops", "slow"); err != nil {
		t.Fatal(err)
	}
	eventually(t, mb, map[string]string{"ops": "slow"}, "a published change")
	mr.HSet("decoy:test:clients", "qa", "slow") // no publication
	eventually(t, mb, map[string]string{"ops": "slow", "qa": "slow"}, "a change never published")

	addr := mr.Addr()
	mr.Close()
	if err := a.SetClientScenario(context.Background(), "dev", "slow"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("SetClientScenario with Redis gone: %v; want ErrUnavailable", err)
	}
	if err := mr.StartAddr(addr); err != nil {
		t.Skipf("cannot restart miniredis on %s: %v", addr, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := a.SetClientScenario(context.Background(), "dev", "rate-limited")
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("SetClientScenario 5s after Redis came back: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	eventually(t, mb, map[string]string{"ops": "slow", "qa": "slow", "dev": "rate-limited"}, "a change right after an outage")
}

// TestDropClientScenariosOnce: replicas that reload the same files all
// drop the choices of the scenarios gone; each choice is cleared (and
// reported) once, and the others stay.
func TestDropClientScenariosOnce(t *testing.T) {
	mr, a := openMini(t)
	stores := []*Redis{a, openOn(t, mr, "test"), openOn(t, mr, "test")}
	mb := watched(t, stores[1])
	ctx := context.Background()
	for client, name := range map[string]string{"qa": "gone", "ops": "gone", "dev": "kept", "x:1": "also-gone"} {
		if err := a.SetClientScenario(ctx, client, name); err != nil {
			t.Fatal(err)
		}
	}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		dropped = map[string]int{}
	)
	for _, s := range stores {
		wg.Go(func() {
			got, err := s.DropClientScenarios(ctx, []string{"gone", "also-gone"})
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for client := range got {
				dropped[client]++
			}
		})
	}
	wg.Wait()
	if want := map[string]int{"qa": 1, "ops": 1, "x:1": 1}; !maps.Equal(dropped, want) {
		t.Fatalf("dropped %v; want each of %v once", dropped, want)
	}
	eventually(t, mb, map[string]string{"dev": "kept"}, "after the drop")
	if got, err := a.DropClientScenarios(ctx, nil); err != nil || len(got) != 0 {
		t.Fatalf("DropClientScenarios(nil) = %v, %v", got, err)
	}
}

// FuzzClientChange: every client key and scenario name survive the
// publication's encoding, and nothing decodes as the clear-all message.
func FuzzClientChange(f *testing.F) {
	for _, seed := range [][2]string{{"qa", "slow"}, {"qa", ""}, {"12:x", "y"}, {"*", ""}, {"\xff\x00:", "a:b"}} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, client, name string) {
		if client == "" {
			return
		}
		payload := clientChange(client, name)
		c, n, ok := parseClientChange(payload)
		if !ok || c != client || n != name {
			t.Fatalf("%q decoded as (%q, %q, %v)", payload, c, n, ok)
		}
		if payload == clearedAll {
			t.Fatalf("%q is the clear-all message", payload)
		}
		parseClientChange(client) // anything else: no panic
	})
}

// TestClientScenariosOnRealRedis runs the choices, their publications and
// the drop script on a real redis-server, whose Lua and protocol (RESP3
// for go-redis) miniredis only imitates.
func TestClientScenariosOnRealRedis(t *testing.T) {
	srv := redistest.Start(t)
	open := func() *Redis {
		s, err := Open(context.Background(), Options{URL: srv.URL(), Namespace: "real", Timeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := open(), open()
	mb := watched(t, b)
	ctx := context.Background()
	odd := "\xff\x00:7:x" // bytes JSON would have mangled
	for client, name := range map[string]string{"qa": "gone", odd: "gone", "dev": "kept"} {
		if err := a.SetClientScenario(ctx, client, name); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, mb, map[string]string{"qa": "gone", odd: "gone", "dev": "kept"}, "after three choices")
	dropped, err := b.DropClientScenarios(ctx, []string{"gone"})
	if err != nil || !maps.Equal(dropped, map[string]string{"qa": "gone", odd: "gone"}) {
		t.Fatalf("DropClientScenarios = %q, %v", dropped, err)
	}
	if again, err := a.DropClientScenarios(ctx, []string{"gone"}); err != nil || len(again) != 0 {
		t.Fatalf("a second DropClientScenarios = %q, %v; want nothing left", again, err)
	}
	eventually(t, mb, map[string]string{"dev": "kept"}, "after the drop")
	if err := a.ClearClientScenarios(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, mb, map[string]string{}, "after clearing all")
}
