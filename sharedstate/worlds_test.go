package sharedstate

import (
	"context"
	"fmt"
	"testing"
)

// TestWorldsBoundClientWorlds: past the bound, the client world created
// first is dropped, as in memory; a reset of one client takes it off the
// list, so it does not count against the bound.
func TestWorldsBoundClientWorlds(t *testing.T) {
	old := maxClientWorlds
	maxClientWorlds = 3
	t.Cleanup(func() { maxClientWorlds = old })
	_, s := openMini(t)
	ctx := context.Background()
	set := func(client string) {
		t.Helper()
		v, _, err := s.World(ctx, "pets", client, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, ok, err := s.SetWorld(ctx, "pets", client, v, []byte(`{"seq":1,"items":[]}`)); err != nil || !ok {
			t.Fatalf("set %s: %v %v", client, ok, err)
		}
	}
	has := func(client string) bool {
		t.Helper()
		v, _, err := s.World(ctx, "pets", client, 0)
		if err != nil {
			t.Fatal(err)
		}
		return v != 0
	}
	for i := range 3 {
		set(fmt.Sprint("c", i))
	}
	set("c0") // a second write to a world is not a new world
	set("")   // nor is the world without a client key one of them
	set("c3")
	for client, want := range map[string]bool{"c0": false, "c1": true, "c2": true, "c3": true, "": true} {
		if has(client) != want {
			t.Errorf("world %q kept: %v, want %v", client, !want, want)
		}
	}
	if err := s.ResetWorlds(ctx, "c1", []string{"pets"}); err != nil {
		t.Fatal(err)
	}
	set("c4")
	for client, want := range map[string]bool{"c1": false, "c2": true, "c3": true, "c4": true} {
		if has(client) != want {
			t.Errorf("after reset(c1): world %q kept: %v, want %v", client, !want, want)
		}
	}
	if err := s.ResetWorlds(ctx, "", []string{"pets"}); err != nil {
		t.Fatal(err)
	}
	for _, client := range []string{"", "c2", "c3", "c4"} {
		if has(client) {
			t.Errorf("after reset(): world %q kept", client)
		}
	}
}

// TestSetWorldConflictAnswersTheWorld: a set against a version the world
// has left stores nothing and answers the world as it is, document
// included, so that the writer needs no read before it tries again; a
// set against no world while none is stored, or after a reset, goes in.
func TestSetWorldConflictAnswersTheWorld(t *testing.T) {
	onEachRedis(t, func(t *testing.T, open func(ns string) *Redis) {
		a, b := open("w"), open("w")
		ctx := context.Background()
		v1, cur, ok, err := a.SetWorld(ctx, "pets", "c", 0, []byte(`{"seq":1}`))
		if err != nil || !ok || v1 == 0 || cur != nil {
			t.Fatalf("first set: %d %q %v %v", v1, cur, ok, err)
		}
		// b holds nothing: its set against none answers a's world.
		v, cur, ok, err := b.SetWorld(ctx, "pets", "c", 0, []byte(`{"seq":9}`))
		if err != nil || ok || v != v1 || string(cur) != `{"seq":1}` {
			t.Fatalf("set against none over a stored world: %d %q %v %v; want %d {\"seq\":1} false", v, cur, ok, err, v1)
		}
		// Against what it answered, b goes in.
		v2, _, ok, err := b.SetWorld(ctx, "pets", "c", v1, []byte(`{"seq":2}`))
		if err != nil || !ok || v2 <= v1 {
			t.Fatalf("set against the current version: %d %v %v", v2, ok, err)
		}
		// a's version is stale now.
		v, cur, ok, err = a.SetWorld(ctx, "pets", "c", v1, []byte(`{"seq":3}`))
		if err != nil || ok || v != v2 || string(cur) != `{"seq":2}` {
			t.Fatalf("stale set: %d %q %v %v; want %d {\"seq\":2} false", v, cur, ok, err, v2)
		}
		// After a reset, a stale version meets no world: version 0, no
		// document, and a set against none goes in.
		if err := b.ResetWorlds(ctx, "c", []string{"pets"}); err != nil {
			t.Fatal(err)
		}
		v, cur, ok, err = a.SetWorld(ctx, "pets", "c", v2, []byte(`{"seq":4}`))
		if err != nil || ok || v != 0 || cur != nil {
			t.Fatalf("set after a reset: %d %q %v %v; want 0 nil false", v, cur, ok, err)
		}
		if v, _, ok, err := a.SetWorld(ctx, "pets", "c", 0, []byte(`{"seq":4}`)); err != nil || !ok || v <= v2 {
			t.Fatalf("set against none after a reset: %d %v %v", v, ok, err)
		}
	})
}
