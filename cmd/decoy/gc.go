package main

import (
	"math"
	"runtime/debug"
)

// The decoy binary (never the mockserver library, and never a test) gives
// Go's collector two defaults a user can override with GOGC and GOMEMLIMIT.
// Measured with bench/run.sh on the 2-core development machine, in one
// session, default API, wrk -t1 -c32 -d10s:
//
//	GOGC=100:                  v2 72% of the bare server's rps, p99 2.07x; v1 62%, p99 2.41x
//	GOGC=400, GOMEMLIMIT=1GiB: v2 74%, p99 1.74x; v1 66%, p99 1.99x
//
// A mock's live heap is a few MiB, so at Go's default the collector runs
// many times a second under load. The soft limit keeps a large spec (whose
// live heap is hundreds of MiB) from growing RSS fourfold: GitHub's 70 MiB
// description still answers first at about 730 MiB peak RSS.
const (
	defaultGCPercent   = 400
	defaultMemoryLimit = 1 << 30
)

// gcDefaults says what to set: the GC percent and the soft memory limit,
// each -1 when the user's environment sets it (getenv reads it).
func gcDefaults(getenv func(string) string) (percent int, limit int64) {
	percent, limit = defaultGCPercent, defaultMemoryLimit
	if getenv("GOGC") != "" {
		percent = -1
	}
	if getenv("GOMEMLIMIT") != "" {
		limit = -1
	}
	return percent, limit
}

// applyGCDefaults sets the defaults gcDefaults gives; main calls it, once.
func applyGCDefaults(getenv func(string) string) {
	percent, limit := gcDefaults(getenv)
	if percent >= 0 {
		debug.SetGCPercent(percent)
	}
	if limit >= 0 && limit < math.MaxInt64 {
		debug.SetMemoryLimit(limit)
	}
}
