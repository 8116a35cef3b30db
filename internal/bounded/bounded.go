// Package bounded runs a load in a test under a time and memory bound, for
// the hostile-input suites: a loader that hangs, blows up the heap or panics
// fails the test instead of the machine.
package bounded

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// Load runs load in a goroutine and returns what it returns. It fails the
// test when load panics, does not finish within deadline, or grows the
// heap by more than maxHeap bytes at any sampled moment.
func Load[T any](t testing.TB, deadline time.Duration, maxHeap uint64, load func() (T, error)) (T, error) {
	t.Helper()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	type outcome struct {
		v     T
		err   error
		panic any
	}
	done := make(chan outcome, 1)
	go func() {
		var o outcome
		defer func() {
			o.panic = recover()
			done <- o
		}()
		o.v, o.err = load()
	}()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	timeout := time.After(deadline)
	var peak uint64
	sample := func() {
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapAlloc)
	}
	for {
		select {
		case o := <-done:
			sample()
			if o.panic != nil {
				t.Fatalf("loading panicked: %v", o.panic)
			}
			if peak > base && peak-base > maxHeap {
				t.Errorf("loading grew the heap by %d MiB (bound %d MiB)", (peak-base)>>20, maxHeap>>20)
			}
			return o.v, o.err
		case <-tick.C:
			sample()
			if peak > base && peak-base > maxHeap {
				t.Fatalf("loading grew the heap by %d MiB and counting (bound %d MiB)", (peak-base)>>20, maxHeap>>20)
			}
		case <-timeout:
			t.Fatalf("loading did not finish within %s", deadline)
		}
	}
}

// WantAll fails the test unless err mentions every want; a want "a|b" is
// satisfied by either, compared without regard to case.
func WantAll(t testing.TB, err error, want ...string) {
	t.Helper()
	msg := strings.ToLower(err.Error())
	for _, w := range want {
		found := false
		for _, alt := range strings.Split(w, "|") {
			found = found || strings.Contains(msg, strings.ToLower(alt))
		}
		if !found {
			s := err.Error()
			if len(s) > 2000 {
				s = s[:2000] + "…"
			}
			t.Errorf("error does not mention %q:\n%s", w, s)
		}
	}
}
