package openapi

import (
	"regexp"
	"slices"
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

func TestChallengeRealms(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []challengeRealm
	}{
		{`Bearer realm="api"`, []challengeRealm{{"Bearer", "api"}}},
		{`Bearer error="invalid_token", realm = "a \"b\""`, []challengeRealm{{"Bearer", `a "b"`}}},
		{`Basic realm=shop, Bearer realm="x", charset="UTF-8"`, []challengeRealm{{"Basic", "shop"}, {"Bearer", "x"}}},
		{`Bearer`, nil},
		{`realm="orphan"`, nil},
		{`Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple"`, []challengeRealm{{"Newauth", "apps"}, {"Basic", "simple"}}},
		{`Bearer realm="unterminated`, []challengeRealm{{"Bearer", "unterminated"}}},
	} {
		if got := challengeRealms(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("challengeRealms(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
