package golden

import (
	"path/filepath"
	"testing"
)

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true; panic(r) }
func (r *recorder) Fatal(...any)          { r.failed = true; panic(r) }
func check(t *testing.T, path string, got []byte, update bool) (failed bool) {
	r := &recorder{TB: t}
	defer func() {
		if p := recover(); p != nil && p != r {
			panic(p)
		}
		failed = r.failed
	}()
	Check(r, path, got, update)
	return r.failed
}

func TestCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "x.golden")
	if !check(t, path, []byte("a\n"), false) {
		t.Error("a missing golden file passed")
	}
	if check(t, path, []byte("a\n"), true) {
		t.Error("-update did not write the file, folder included")
	}
	if check(t, path, []byte("a\n"), false) {
		t.Error("the same output failed")
	}
	if !check(t, path, []byte("b\n"), false) {
		t.Error("a different output passed")
	}
}
