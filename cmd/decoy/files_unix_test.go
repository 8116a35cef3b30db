//go:build unix

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skipf("cannot make a named pipe here: %v", err)
	}
}

// runBounded runs the CLI and fails the test, rather than hanging it, when
// it does not return within a bound.
func runBounded(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(t.Context(), args, io.Discard, &stderr) }()
	select {
	case err := <-done:
		return stderr.String(), err
	case <-time.After(20 * time.Second):
		t.Fatalf("decoy %s did not return: it blocked on a file", strings.Join(args, " "))
		return "", nil
	}
}

// TestValidateRefusesNamedPipes: a FIFO as the spec, a $ref, a fixture or a
// scenario file used to block `decoy validate` for ever (and SIGINT with
// it); each is now a load error naming the file.
func TestValidateRefusesNamedPipes(t *testing.T) {
	for _, tt := range []struct{ name, fifo string }{
		{"spec", "openapi.yaml"},
		{"$ref", "ping.yaml"},
		{"fixture", "fixtures/pipe.yaml"},
		{"scenario", "scenarios/pipe.yaml"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, sub := range []string{"fixtures", "scenarios"} {
				if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			spec := specV1
			if tt.name == "$ref" {
				spec = strings.Replace(specV1, "example: {version: 1}", "schema: {$ref: 'ping.yaml'}", 1)
			}
			if tt.fifo != "openapi.yaml" {
				if err := os.WriteFile(filepath.Join(dir, "openapi.yaml"), []byte(spec), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			mkfifo(t, filepath.Join(dir, filepath.FromSlash(tt.fifo)))
			out, err := runBounded(t, "validate", "--dir", dir)
			if err == nil || exitCode(err) != 1 {
				t.Fatalf("err = %v, want a load error (exit 1)", err)
			}
			if msg := out + err.Error(); !strings.Contains(msg, filepath.Base(tt.fifo)) || !strings.Contains(msg, "not a regular file") {
				t.Errorf("the message does not name the file as not regular:\n%s\n%v", out, err)
			}
		})
	}
}

// TestServeRefusesLargeBodyFiles: a bodyFile over --max-file-size is a load
// error that says how to raise the bound; it used to be read whole (a
// 400 MB one crashed Decoy).
func TestServeRefusesLargeBodyFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "fixtures"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "openapi.yaml"), []byte(specV1), 0o644); err != nil {
		t.Fatal(err)
	}
	stub := "stubs:\n  - operation: GET /ping\n    response: {bodyFile: big.txt, contentType: application/json}\n"
	if err := os.WriteFile(filepath.Join(dir, "fixtures", "stubs.yaml"), []byte(stub), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "fixtures", "big.txt"), make([]byte, 2<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DECOY_MAX_FILE_SIZE", "1KiB")
	_, err := runBounded(t, "serve", "--dir", dir, "--port", "0", "--quiet")
	if err == nil || !strings.Contains(err.Error(), "big.txt: larger than the limit of 1 KiB (raise it with --max-file-size)") {
		t.Fatalf("err = %v, want big.txt over the limit", err)
	}
}

// TestWatchSurvivesANamedPipe: a FIFO created in fixtures/ while serving
// used to block the reload, and with it the watcher, for ever. Now the
// reload fails (logged, /__decoy/health degraded), and the next edit is
// picked up.
func TestWatchSurvivesANamedPipe(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "fixtures"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "openapi.yaml"), []byte(specV1), 0o644); err != nil {
		t.Fatal(err)
	}
	stub := func(v int) string {
		return fmt.Sprintf("stubs:\n  - operation: GET /ping\n    response: {body: {version: %d}}\n", v)
	}
	fixture := filepath.Join(dir, "fixtures", "ping.yaml")
	if err := os.WriteFile(fixture, []byte(stub(10)), 0o644); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--dir", dir, "--port", fmt.Sprint(port), "--quiet"}, io.Discard, logs)
	}()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitFor(t, base+"/ping", func(s int, b string) bool { return s == 200 && strings.Contains(b, `"version":10`) })

	// A FIFO with a fixture's name: the reload fails, saying why.
	pipe := filepath.Join(dir, "fixtures", "pipe.yaml")
	mkfifo(t, pipe)
	waitFor(t, base+"/__decoy/health", func(s int, b string) bool {
		return strings.Contains(b, `"degraded"`) && strings.Contains(b, "pipe.yaml") && strings.Contains(b, "not a regular file")
	})
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(logs.String(), "reload failed") && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "reload failed") {
		t.Errorf("the failed reload was not logged: %s", logs.String())
	}
	waitFor(t, base+"/ping", func(s int, b string) bool { return strings.Contains(b, `"version":10`) })

	// Another FIFO that is no fixture, then an edit: the watcher still
	// works, and health is ok again.
	if err := os.Remove(pipe); err != nil {
		t.Fatal(err)
	}
	mkfifo(t, filepath.Join(dir, "fixtures", "events"))
	time.Sleep(3 * debounce)
	saveByRename(t, fixture, stub(11))
	waitFor(t, base+"/ping", func(s int, b string) bool { return strings.Contains(b, `"version":11`) })
	waitFor(t, base+"/__decoy/health", func(s int, b string) bool { return strings.Contains(b, `"status": "ok"`) })
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
}
