package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// gcFloor is the least heap growth between two collections Decoy aims for.
// A mock's live heap is small (a few MiB for a typical project) and every
// request allocates a few KiB, so with Go's default (collect when the heap
// has doubled) it collects dozens of times a second under load: at 13k
// requests a second on the default project, GOGC=400 instead of 100 saved
// about 5% of the CPU per request for 10 MiB more RSS. Large specs keep the
// default, so their memory does not grow.
const (
	gcFloor      = 32 << 20
	gcMaxPercent = 400
)

// tuneGC raises the GC percentage so that the heap may grow by gcFloor
// between collections when the live heap is small, up to gcMaxPercent and
// never below the default. GOGC in the environment wins: it is left as is.
// It is called once a project is loaded (and again after a reload).
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); set {
		return
	}
	runtime.GC() // what is live now, not the garbage of loading
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	debug.SetGCPercent(gcPercentFor(sample[0].Value.Uint64()))
}

// gcPercentFor is the GC percentage tuneGC sets for a live heap of live
// bytes.
func gcPercentFor(live uint64) int {
	if live == 0 {
		return gcMaxPercent
	}
	return int(min(gcMaxPercent, max(100, gcFloor*100/live)))
}
