package openapi_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/decoy-mock/decoy/openapi"

	"github.com/decoy-mock/decoy/internal/bounded"
)

// Hostile specs: each must be refused with a clear error naming the file
// (or, for legal but hard ones, load), in bounded time and memory.

const (
	hostileDeadline   = 10 * time.Second * raceSlowdown
	hostileHeapGrowth = 512 << 20
)

// boundedLoad runs load in a goroutine and fails the test when it takes longer
// than hostileDeadline, panics, or grows the heap by more than
// hostileHeapGrowth at any moment.
func boundedLoad[T any](t *testing.T, load func() (T, error)) (T, error) {
	t.Helper()
	return bounded.Load(t, hostileDeadline, hostileHeapGrowth, load)
}

func wantAll(t *testing.T, err error, want ...string) {
	t.Helper()
	bounded.WantAll(t, err, want...)
}

func clipErr(err error) string {
	s := err.Error()
	if len(s) > 2000 {
		return s[:2000] + fmt.Sprintf("… (%d bytes)", len(s))
	}
	return s
}

func TestHostileSpecs(t *testing.T) {
	tests := []struct {
		file string
		// want are the substrings the error must hold besides the file
		// name; nil means the spec must load.
		want []string
	}{
		{"alias-bomb.yaml", []string{"alias"}},
		{"swagger2-alias-bomb.yaml", []string{"alias"}},
		{"ref-bomb.yaml", []string{"ref-bomb/schemas.yaml", "alias"}},
		{"recursive.yaml", nil},
		{"ref-loop.yaml", []string{"#/components/schemas/"}},
		{"file-loop.yaml", []string{"file-loop/a.yaml"}},
		{"remote-ref.yaml", []string{"remote", "127.0.0.1:9"}},
		{"remote-ref-https.yaml", []string{"remote", "127.0.0.1:9"}},
		{"protocol-relative-ref.yaml", []string{"remote|relative", "127.0.0.1:9"}},
		{"file-url-ref.yaml", []string{"absolute|relative", "/etc/passwd"}},
		{"escape-dotdot.yaml", []string{"folder|outside", "../../etc/passwd"}},
		{"escape-subfolder.yaml", []string{"folder|outside", "etc/passwd"}},
		{"escape-encoded.yaml", []string{"folder|outside", "etc/passwd"}},
		{"absolute-ref.yaml", []string{"absolute", "/etc/passwd"}},
		{"absolute-ref-fragment.yaml", []string{"absolute", "/etc/passwd"}},
		{"invalid-utf8.yaml", []string{"utf-8"}},
	}
	fsys := os.DirFS(filepath.Join("testdata", "hostile"))
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			spec, err := boundedLoad(t, func() (*openapi.Spec, error) {
				return openapi.Load(fsys, tt.file, openapi.LoadOptions{Dir: "testdata/hostile"})
			})
			if tt.want == nil {
				if err != nil {
					t.Fatalf("a legal spec is refused: %v", clipErr(err))
				}
				if len(spec.Operations) == 0 {
					t.Errorf("loaded with no operations")
				}
				return
			}
			if err == nil {
				t.Fatal("loaded without error")
			}
			t.Log(clipErr(err))
			wantAll(t, err, append([]string{"testdata/hostile/" + tt.file}, tt.want...)...)
		})
	}
}

// writeFile writes data to path, making its folder.
func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

const hostileHead = "openapi: 3.0.3\ninfo:\n  title: generated\n  version: \"1\"\n"

// bigSpec returns a valid spec of at least size bytes: one path with a long
// description.
func bigSpec(size int) []byte {
	var b bytes.Buffer
	b.WriteString(hostileHead)
	b.WriteString("paths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\nx-filler:\n")
	line := "  - " + strings.Repeat("x", 100) + "\n"
	for b.Len() < size {
		b.WriteString(line)
	}
	return b.Bytes()
}

func TestHostileGeneratedSpecs(t *testing.T) {
	dir := t.TempDir()

	// A 50 MB spec, and a small spec whose $ref reaches a 50 MB file.
	writeFile(t, filepath.Join(dir, "big.yaml"), bigSpec(50<<20))
	writeFile(t, filepath.Join(dir, "big-ref.yaml"), []byte(hostileHead+
		"paths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: 'big-schemas.yaml#/Thing'}\n"))
	var filler bytes.Buffer
	filler.WriteString("Thing: {type: string}\n")
	for i := 0; filler.Len() < 50<<20; i++ {
		fmt.Fprintf(&filler, "x%d: %s\n", i, strings.Repeat("y", 100))
	}
	writeFile(t, filepath.Join(dir, "big-schemas.yaml"), filler.Bytes())

	// 10k paths: legal, and must load in bounded time.
	var paths bytes.Buffer
	paths.WriteString(hostileHead + "paths:\n")
	for i := range 10_000 {
		fmt.Fprintf(&paths, "  /r%d/{id}:\n    get:\n      operationId: get%d\n      parameters:\n        - {name: id, in: path, required: true, schema: {type: string}}\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {type: object, properties: {id: {type: string}}}\n", i, i)
	}
	writeFile(t, filepath.Join(dir, "10k-paths.yaml"), paths.Bytes())

	// A JSON spec nested 100k levels deep.
	deep := `{"openapi": "3.0.3", "info": {"title": "deep", "version": "1"}, "paths": {}, "x-deep": ` +
		strings.Repeat(`{"a": `, 100_000) + "1" + strings.Repeat("}", 100_000) + "}"
	writeFile(t, filepath.Join(dir, "deep.json"), []byte(deep))
	deepArrays := `{"openapi": "3.0.3", "info": {"title": "deep", "version": "1"}, "paths": {}, "x-deep": ` +
		strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + "}"
	writeFile(t, filepath.Join(dir, "deep-arrays.json"), []byte(deepArrays))

	tests := []struct {
		file string
		want []string // nil: must load
		ops  int      // operations a loaded spec must have
	}{
		{"big.yaml", []string{"big.yaml", "MiB"}, 0},
		{"big-ref.yaml", []string{"big-ref.yaml", "big-schemas.yaml", "MiB"}, 0},
		{"10k-paths.yaml", nil, 10_000},
		{"deep.json", []string{"deep.json", "depth|nest|deep"}, 0},
		{"deep-arrays.json", []string{"deep-arrays.json", "depth|nest|deep"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			spec, err := boundedLoad(t, func() (*openapi.Spec, error) {
				// The bound, not the default, is what is tested here.
				return openapi.Load(os.DirFS(dir), tt.file, openapi.LoadOptions{Dir: "project", MaxBytes: 32 << 20})
			})
			if tt.want == nil {
				if err != nil {
					t.Fatalf("a legal spec is refused: %v", clipErr(err))
				}
				if len(spec.Operations) != tt.ops {
					t.Errorf("%d operations, want %d", len(spec.Operations), tt.ops)
				}
				return
			}
			if err == nil {
				t.Fatal("loaded without error")
			}
			t.Log(clipErr(err))
			wantAll(t, err, tt.want...)
		})
	}
}

// TestHostileRemoteRefIsNeverFetched serves the schema a $ref points to
// and checks that loading never asks for it.
func TestHostileRemoteRefIsNeverFetched(t *testing.T) {
	var hits atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/yaml")
		fmt.Fprintln(w, "Thing: {type: string}")
	}))
	defer ts.Close()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "spec.yaml"), []byte(hostileHead+
		"paths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '"+ts.URL+"/schemas.yaml#/Thing'}\n"))
	_, err := boundedLoad(t, func() (*openapi.Spec, error) {
		return openapi.Load(os.DirFS(dir), "spec.yaml", openapi.LoadOptions{})
	})
	if err == nil {
		t.Fatal("loaded without error")
	}
	wantAll(t, err, "spec.yaml", "remote", ts.URL)
	if n := hits.Load(); n != 0 {
		t.Errorf("the remote $ref was fetched %d times", n)
	}
}

// TestHostileSymlinks builds, in a temporary folder, a spec whose $refs go
// through symbolic links that point outside its folder.
func TestHostileSymlinks(t *testing.T) {
	root := t.TempDir()
	project := filepath.Join(root, "project")
	outside := filepath.Join(root, "outside")
	writeFile(t, filepath.Join(outside, "schemas.yaml"), []byte("Thing: {type: string}\n"))
	writeFile(t, filepath.Join(project, "inside.yaml"), []byte("Thing: {type: string}\n"))
	specWith := func(ref string) []byte {
		return []byte(hostileHead + "paths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '" + ref + "#/Thing'}\n")
	}
	links := map[string]string{
		"abs.yaml":   filepath.Join(outside, "schemas.yaml"), // absolute target
		"rel.yaml":   "../outside/schemas.yaml",              // relative target climbing out
		"dir":        outside,                                // a folder linked out
		"up":         "..",                                   // the parent folder
		"chain.yaml": "rel.yaml",                             // a link to a link out
		"ok.yaml":    "inside.yaml",                          // stays inside: fine
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(project, name)); err != nil {
			t.Fatalf("symlinks are needed for this test: %v", err)
		}
	}
	tests := []struct {
		name, ref string
		ok        bool
	}{
		{"link to an absolute path outside", "abs.yaml", false},
		{"link climbing out", "rel.yaml", false},
		{"folder linked out", "dir/schemas.yaml", false},
		{"link to the parent folder", "up/outside/schemas.yaml", false},
		{"link to a link out", "chain.yaml", false},
		{"link inside the folder", "ok.yaml", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			writeFile(t, filepath.Join(project, "spec.yaml"), specWith(tt.ref))
			_, err := boundedLoad(t, func() (*openapi.Spec, error) {
				return openapi.Load(os.DirFS(project), "spec.yaml", openapi.LoadOptions{Dir: "project"})
			})
			if tt.ok {
				if err != nil {
					t.Fatalf("a link inside the folder is refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("loaded through a link out of the folder")
			}
			wantAll(t, err, "project/spec.yaml", "link", "outside|escape|leaves")
		})
	}
}
