package openapi_test

import (
	"os"
	"path/filepath"
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

// BenchmarkLoad loads GitHub's REST API description.
func BenchmarkLoad(b *testing.B) {
	dir, name := largeSpec(b)
	fsys := os.DirFS(dir)
	b.ReportAllocs()
	for b.Loop() {
		spec, err := openapi.Load(fsys, name, openapi.LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(spec.Operations)), "operations")
	}
}
