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
		if _, ok, err := s.SetWorld(ctx, "pets", client, v, []byte(`{"seq":1,"items":[]}`)); err != nil || !ok {
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
