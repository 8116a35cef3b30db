package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestGCPercent(t *testing.T) {
	const mib = 1 << 20
	for _, tt := range []struct {
		live uint64
		want int
	}{
		{0, 100},
		{1 * mib, 3200},
		{4 * mib, 800},
		{16 * mib, 200},
		{31 * mib, 103},
		{32 * mib, 100},
		{500 * mib, 100},
		{1024, 5000}, // capped
	} {
		if got := gcPercent(tt.live, 32*mib); got != tt.want {
			t.Errorf("gcPercent(%d MiB) = %d, want %d", tt.live/mib, got, tt.want)
		}
	}
}

// TestKeepGCHeadroom checks that a collection sets GOGC from the live heap
// and that stop restores it.
func TestKeepGCHeadroom(t *testing.T) {
	if _, set := os.LookupEnv("GOGC"); set {
		t.Skip("GOGC is set in the environment: the keeper leaves it alone")
	}
	before := debug.SetGCPercent(100)
	debug.SetGCPercent(before)
	stop := keepGCHeadroom(1 << 40) // any live heap is far below: the cap
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC()
		p := debug.SetGCPercent(-1)
		debug.SetGCPercent(p)
		if p == 5000 {
			break
		}
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("GOGC is %d after collections, want 5000", p)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if again := keepGCHeadroom(1 << 20); again == nil {
		t.Fatal("nil stop")
	} else {
		again() // a second keeper is a no-op while the first runs
	}
	stop()
	if p := debug.SetGCPercent(before); p != before {
		t.Errorf("GOGC is %d after stop, want %d back", p, before)
	}
}
