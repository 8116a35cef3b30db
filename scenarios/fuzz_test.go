package scenarios

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"
)

// FuzzLoad feeds arbitrary bytes as a scenario file: Load never panics, and
// returns either a usable Set or located errors, never both or neither.
func FuzzLoad(f *testing.F) {
	for _, dir := range []string{"testdata/bad", "testdata/dup", "testdata/skip", "../defaultapi/scenarios"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.y*ml"))
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add([]byte("name: a\nrules:\n  - {operations: [\"*\"], latency: 1ms..2ms, when: {after: 1, times: 2, every: 2}}\n"))
	f.Add([]byte("name: a\nrules: &r [*r]\n"))
	f.Add([]byte("name: a\nrules:\n  - &x {operations: [getPet], status: 404, match: {path: {id: *x}}}\n"))
	spec := testSpec(f)
	ops := spec.Operations
	f.Fuzz(func(t *testing.T, data []byte) {
		clock := newClock()
		fsys := fstest.MapFS{"s/f.yaml": &fstest.MapFile{Data: data}}
		set, err := Load(fsys, "s", spec, Options{Now: clock.Now, Seed: 3, MaxClients: 4})
		if err != nil {
			if set != nil {
				t.Fatalf("Load returned a Set and %v", err)
			}
			for _, e := range unjoin(err) {
				var le *Error
				if !errors.As(e, &le) || le.File != "s/f.yaml" || le.Message == "" {
					t.Fatalf("%q is not a located *Error", e)
				}
			}
			return
		}
		if set == nil {
			t.Fatal("Load returned neither a Set nor an error")
		}
		_ = set.List()
		for _, name := range set.Names() {
			for i := range 6 {
				op := ops[i%len(ops)]
				d, ok := decide(t, set, spec, name, req{op: op.ID, path: map[string]string{"id": "rex"}, client: string(rune('a' + i%5))})
				if ok && (d.Latency < 0 || (d.Status != 0 && (d.Status < 200 || d.Status > 599))) {
					t.Fatalf("bad decision %+v", d)
				}
				clock.Advance(time.Second)
			}
		}
		set.Reset(context.Background(), "a")
		set.Reset(context.Background(), "")
	})
}

// FuzzLatency: the latency parser never panics, what it accepts prints
// back to itself, and every pick stays in range.
func FuzzLatency(f *testing.F) {
	for _, s := range []string{"300ms", "100ms..2s", "0s", "1h..2h", "-1s", "2s..1s", "..", "1s..", "300", "9223372036854775807ns", "1.5h..2562047h"} {
		f.Add(s, uint64(7))
	}
	f.Fuzz(func(t *testing.T, s string, u uint64) {
		var l Latency
		if err := l.UnmarshalText([]byte(s)); err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if l.Min < 0 || l.Max < l.Min {
			t.Fatalf("%q parsed to %v..%v", s, l.Min, l.Max)
		}
		var again Latency
		if err := again.UnmarshalText([]byte(l.String())); err != nil || again != l {
			t.Fatalf("%q -> %q -> %v, %v", s, l.String(), again, err)
		}
		if p := l.Pick(u); p < l.Min || p > l.Max {
			t.Fatalf("Pick(%d) = %v outside %v", u, p, l)
		}
	})
}

// FuzzDuration: the window parser never panics and round-trips what it
// accepts.
func FuzzDuration(f *testing.F) {
	for _, s := range []string{"1m", "500ms", "0", "-1s", "60", "1h2m3.5s", "9223372036854775808ns"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var d Duration
		if err := d.UnmarshalText([]byte(s)); err != nil {
			return
		}
		if d < 0 {
			t.Fatalf("%q parsed to a negative %v", s, d)
		}
		var again Duration
		if err := again.UnmarshalText([]byte(d.String())); err != nil || again != d {
			t.Fatalf("%q -> %q -> %v, %v", s, d.String(), again, err)
		}
	})
}
