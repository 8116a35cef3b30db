package scenarios

import (
	"context"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/decoy-mock/decoy/openapi"
)

// fakeClock is a clock tests move by hand; safe for concurrent use.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2024, 3, 11, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testSpec loads testdata/spec.yaml: listPets (200, 429 with named
// examples burst and daily), createPet (201, 400, 5XX) and getPet (200, 404
// with named examples missing and gone).
func testSpec(tb testing.TB) *openapi.Spec {
	tb.Helper()
	spec, err := openapi.Load(os.DirFS("testdata"), "spec.yaml", openapi.LoadOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	return spec
}

// loadYAML loads the given scenario files (name, content, name, content…)
// from a scenarios/ folder of an in-memory file system.
func loadYAML(tb testing.TB, spec *openapi.Spec, opts Options, files ...string) *Set {
	tb.Helper()
	set, err := loadYAMLErr(spec, opts, files...)
	if err != nil {
		tb.Fatalf("Load: %v", err)
	}
	return set
}

func loadYAMLErr(spec *openapi.Spec, opts Options, files ...string) (*Set, error) {
	fsys := fstest.MapFS{}
	for i := 0; i+1 < len(files); i += 2 {
		fsys["scenarios/"+files[i]] = &fstest.MapFile{Data: []byte(files[i+1])}
	}
	return Load(fsys, "scenarios", spec, opts)
}

// req describes one call for decide.
type req struct {
	op     string // operation id
	path   map[string]string
	target string // request URI; "/" when empty
	header map[string]string
	client string
	ip     string
}

func decide(tb testing.TB, set *Set, spec *openapi.Spec, scenario string, r req) (Decision, bool) {
	tb.Helper()
	op := spec.Operation(r.op)
	if op == nil {
		tb.Fatalf("no operation %q in the test spec", r.op)
	}
	target := r.target
	if target == "" {
		target = "/"
	}
	hr := httptest.NewRequest(op.Method, target, nil)
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	d, ok, err := set.Decide(context.Background(), scenario, Input{Op: op, Request: hr, PathParams: r.path, Client: r.client, RemoteIP: r.ip})
	if err != nil {
		tb.Fatalf("Decide: %v", err)
	}
	return d, ok
}

// outcome renders a decision compactly: "-" when no rule applied, "ok" when
// one applied but the answer is normal, else "404", "404:missing" (with an
// example), "503!" (undocumented), "reset", "500+truncated".
func outcome(d Decision, ok bool) string {
	if !ok {
		return "-"
	}
	var parts []string
	if d.Status != 0 {
		s := strconv.Itoa(d.Status)
		if d.Example != "" {
			s += ":" + d.Example
		}
		if d.Undocumented {
			s += "!"
		}
		parts = append(parts, s)
	}
	if d.Fault != FaultNone {
		parts = append(parts, d.Fault.String())
	}
	if len(parts) == 0 {
		return "ok"
	}
	return strings.Join(parts, "+")
}
