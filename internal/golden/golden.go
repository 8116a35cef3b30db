// Package golden compares a test's output with a golden file under
// testdata, and rewrites the file when the test runs with -update (each
// package's tests declare their own -update flag and pass its value).
package golden

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// Check fails t when got differs from the file at path, showing both. With
// update it writes got to path first (creating its folder), so that the
// comparison passes and the change shows in the diff of the repository.
func Check(t testing.TB, path string, got []byte, update bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run the test with -update if the change is intended)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}
