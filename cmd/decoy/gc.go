package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
)

// gcHeadroom is how far the heap may grow past the live heap between two
// collections, at least: Go's default (GOGC=100) lets it grow by the live
// heap alone, and a mock's live heap (spec, fixtures, journal) is a few
// MiB, so under load it collected ten times a second, which cost 5-10% of
// the CPU per request. Past gcHeadroom of live heap the default applies.
const gcHeadroom = 32 << 20

// gcPercent returns the GOGC that lets a live heap grow by headroom before
// the next collection, and by no less than the default.
func gcPercent(live, headroom uint64) int {
	const most = 5000
	if live == 0 || live >= headroom {
		return 100
	}
	return int(min(headroom*100/live, most))
}

// keepGCHeadroom sets GOGC after every collection from the live heap it
// left (gcPercent), so that the heap's peak stays within the live heap plus
// max(headroom, live heap): a steady RSS, that grows with the journal and
// the spec by no more than the default would. A GOGC set in the
// environment is left alone, and so is the process while another keeper
// runs (tests start several servers). stop ends it and restores GOGC.
func keepGCHeadroom(headroom uint64) (stop func()) {
	if _, set := os.LookupEnv("GOGC"); set || !gcKeeper.CompareAndSwap(false, true) {
		return func() {}
	}
	var mu sync.Mutex
	stopped := false
	initial := debug.SetGCPercent(100)
	debug.SetGCPercent(initial)
	current := initial
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	type sentinel struct{ _ [16]byte } // large enough not to share a tiny block
	var arm func()
	arm = func() {
		runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
			mu.Lock()
			defer mu.Unlock()
			if stopped {
				return
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 {
				if p := gcPercent(sample[0].Value.Uint64(), headroom); p*10 < current*9 || p*10 > current*11 {
					debug.SetGCPercent(p)
					current = p
				}
			}
			arm()
		})
	}
	arm()
	return func() {
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		debug.SetGCPercent(initial)
		gcKeeper.Store(false)
	}
}

// gcKeeper is set while a keepGCHeadroom runs.
var gcKeeper atomic.Bool
