package openapi

import (
	"regexp"
	"testing"
)

// FuzzToken68 checks isToken68 against RFC 7235's grammar as a regexp.
func FuzzToken68(f *testing.F) {
	re := regexp.MustCompile(`^[A-Za-z0-9\-._~+/]+=*$`)
	for _, s := range []string{"", "sk_bench", "abc==", "=", "a=b", "a b", "abc=", "Zm9vOmJhcg==", "ä", "a-._~+/9", "tok\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isToken68(s), re.MatchString(s); got != want {
			t.Fatalf("isToken68(%q) = %v, want %v", s, got, want)
		}
	})
}
