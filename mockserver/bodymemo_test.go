package mockserver

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestBodyMemoMasksAsKeptBody: whatever order bodies come in, found again
// or not, sharing a slot or not, with whatever cuts and content type, the
// memo answers what keptBody does.
func TestBodyMemoMasksAsKeptBody(t *testing.T) {
	bodies := []string{
		`{"password":"hunter2hunter2","name":"ok"}`,
		`{"password":"hunter2hunter2","name":"ok!"}`,
		`{"items":[{"id":"s1","token":"abcdefghijk"}]}`,
		`password=hunter2hunter2&user=me`,
		`plain text, password=not-a-form`,
		strings.Repeat(`{"api_key":"k_1234567890","n":1},`, 200),
		``,
	}
	types := []string{"application/json", "application/x-www-form-urlencoded", "text/plain", ""}
	rng := rand.New(rand.NewPCG(1, 2))
	memo := newBodyMemo()
	for i := range 20000 {
		// A fresh copy each time: the memo must compare contents, not
		// slices.
		body := []byte(bodies[rng.IntN(len(bodies))])
		n := len(body)
		if rng.IntN(4) == 0 {
			n = rng.IntN(len(body) + 1)
		}
		full := len(body) + []int{0, 0, 1, 1000}[rng.IntN(4)]
		ct := types[rng.IntN(len(types))]
		if got, want := memo.mask(body, n, full, ct), keptBody(body, n, full, ct); got != want {
			t.Fatalf("call %d: mask(%q, %d, %d, %q) = %q; keptBody says %q", i, body, n, full, ct, got, want)
		}
	}
}

// FuzzBodyMemoMasksAsKeptBody: two bodies in turn, the first again, each
// as keptBody shows it.
func FuzzBodyMemoMasksAsKeptBody(f *testing.F) {
	f.Add([]byte(`{"token":"abcdefghijk"}`), []byte(`token=abcdefghijk`), "application/x-www-form-urlencoded", 5, 0)
	f.Fuzz(func(t *testing.T, a, b []byte, ct string, n, more int) {
		memo := newBodyMemo()
		for _, body := range [][]byte{a, b, a, b} {
			cut := len(body)
			if n > 0 && n < cut {
				cut = n
			}
			full := len(body) + min(max(more, 0), 1<<20)
			if got, want := memo.mask(body, cut, full, ct), keptBody(body, cut, full, ct); got != want {
				t.Fatalf("mask(%q, %d, %d, %q) = %q; keptBody says %q", body, cut, full, ct, got, want)
			}
		}
	})
}
