//go:build unix

package openapi_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/decoy-mock/decoy/openapi"
)

// TestSpecFIFOsAreRefused: a named pipe as the spec or as a file a $ref
// reaches used to block the load for ever (and, with it, SIGINT handling);
// each is now an error naming the file, in bounded time.
func TestSpecFIFOsAreRefused(t *testing.T) {
	t.Run("spec", func(t *testing.T) {
		root := t.TempDir()
		mkfifo(t, filepath.Join(root, "openapi.yaml"))
		_, err := boundedLoad(t, func() (*openapi.Spec, error) {
			return openapi.Load(os.DirFS(root), "openapi.yaml", openapi.LoadOptions{})
		})
		if err == nil {
			t.Fatal("loaded without error")
		}
		wantAll(t, err, "openapi.yaml", "not a regular file (a named pipe)")
	})
	t.Run("$ref", func(t *testing.T) {
		root := t.TempDir()
		spec := `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /pets:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "pet.yaml"}
`
		if err := os.WriteFile(filepath.Join(root, "openapi.yaml"), []byte(spec), 0o644); err != nil {
			t.Fatal(err)
		}
		mkfifo(t, filepath.Join(root, "pet.yaml"))
		_, err := boundedLoad(t, func() (*openapi.Spec, error) {
			return openapi.Load(os.DirFS(root), "openapi.yaml", openapi.LoadOptions{})
		})
		if err == nil {
			t.Fatal("loaded without error")
		}
		wantAll(t, err, "pet.yaml", "not a regular file (a named pipe)")
	})
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skipf("cannot make a named pipe here: %v", err)
	}
}
