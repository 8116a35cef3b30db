//go:build unix

package scenarios

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestScenarioFIFOIsRefused: a named pipe as a scenario file used to block
// the load for ever; it is now an error naming the file, in bounded time.
func TestScenarioFIFOIsRefused(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "scenarios"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(root, "scenarios", "pipe.yaml"), 0o644); err != nil {
		t.Skipf("cannot make a named pipe here: %v", err)
	}
	_, err := hostileLoad(t, func() (*Set, error) {
		return Load(os.DirFS(root), "scenarios", nil, Options{})
	})
	if err == nil {
		t.Fatal("loaded without error")
	}
	wantEach(t, err, "scenarios/pipe.yaml", "not a regular file (a named pipe)")
}

// TestScenarioFilesAreBounded: a scenario file over MaxFileBytes is an
// error that says how to raise the bound, found without reading the file.
func TestScenarioFilesAreBounded(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "scenarios"), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(root, "scenarios", "big.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 30); err != nil { // sparse
		t.Fatal(err)
	}
	f.Close()
	_, err = hostileLoad(t, func() (*Set, error) {
		return Load(os.DirFS(root), "scenarios", nil, Options{MaxFileBytes: 64 << 10})
	})
	if err == nil {
		t.Fatal("loaded without error")
	}
	wantEach(t, err, "scenarios/big.yaml", "larger than the limit of 64 KiB (raise it with --max-file-size)")
}
