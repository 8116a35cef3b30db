//go:build unix

package regular

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestNamedPipesAreNeverOpened: each reader refuses a FIFO without blocking
// on it (a blocked open would never return: bound each call).
func TestNamedPipesAreNeverOpened(t *testing.T) {
	dir := t.TempDir()
	pipe := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(pipe, 0o644); err != nil {
		t.Skipf("cannot make a named pipe here: %v", err)
	}
	for name, read := range map[string]func() error{
		"Check":    func() error { return Check(os.DirFS(dir), "pipe") },
		"ReadFile": func() error { _, err := ReadFile(os.DirFS(dir), "pipe", 0, "--x"); return err },
		"ReadPath": func() error { _, err := ReadPath(pipe, 0, "--x"); return err },
	} {
		done := make(chan error, 1)
		go func() { done <- read() }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "not a regular file (a named pipe)") {
				t.Errorf("%s: err = %v, want not a regular file", name, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s blocked on a named pipe", name)
		}
	}
}

func TestReadBounds(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("12345"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadFile(os.DirFS(dir), "f", 5, "--x"); err != nil || string(b) != "12345" {
		t.Errorf("ReadFile at the bound = %q, %v", b, err)
	}
	_, err := ReadPath(filepath.Join(dir, "f"), 4, "--max-file-size")
	if err == nil || err.Error() != "larger than the limit of 4 bytes (raise it with --max-file-size)" {
		t.Errorf("over the bound: err = %v", err)
	}
	if _, err := ReadFile(os.DirFS(dir), ".", 0, "--x"); err == nil || !strings.Contains(err.Error(), "folder") {
		t.Errorf("a folder: err = %v", err)
	}
}
