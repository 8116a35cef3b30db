package openapi_test

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/decoy-mock/decoy/openapi"
)

// largeSpec returns the folder and name of GitHub's REST API description
// (about 13 MB, 1000+ operations), which is not in the repository: point
// DECOY_GITHUB_SPEC at api.github.com.json (bench/run.sh downloads it from
// the npm package @octokit/openapi). It skips the benchmark when unset.
func largeSpec(b *testing.B) (dir, name string) {
	b.Helper()
	p := os.Getenv("DECOY_GITHUB_SPEC")
	if p == "" {
		b.Skip("DECOY_GITHUB_SPEC is not set: point it at api.github.com.json from the npm package @octokit/openapi (bench/run.sh fetches it)")
	}
	if _, err := os.Stat(p); err != nil {
		b.Skipf("DECOY_GITHUB_SPEC: %v", err)
	}
	return filepath.Dir(p), filepath.Base(p)
}

// BenchmarkLoad loads GitHub's REST API description. Besides time and
// allocations it reports the heap a loaded spec keeps (MiB-retained: the
// live heap after a collection, with the last spec still referenced).
func BenchmarkLoad(b *testing.B) {
	dir, name := largeSpec(b)
	fsys := os.DirFS(dir)
	b.ReportAllocs()
	var spec *openapi.Spec
	for b.Loop() {
		var err error
		spec, err = openapi.Load(fsys, name, openapi.LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(spec.Operations)), "operations")
	b.ReportMetric(float64(liveHeap())/(1<<20), "MiB-retained")
	runtime.KeepAlive(spec)
}

// liveHeap returns the bytes of heap in use after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
