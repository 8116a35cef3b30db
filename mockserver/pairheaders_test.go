package mockserver

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
)

// TestPairHeadersAsHeaders: for headers of every kind (credentials,
// cookies, secret-looking and spec-named names, several values, values
// past the cut, more names than an entry keeps) and pairs in any order,
// pairHeaders shows what headers shows of the header the pairs hold.
func TestPairHeadersAsHeaders(t *testing.T) {
	names := []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key", "X-Custom-Key",
		"Content-Type", "Accept", "Prefer", "X-Decoy-Client", "X-Auth-Token", "Sig", strings.Repeat("X-Long", 60)}
	values := []string{"", "Bearer sk_test_1234567890", "a=b; session=abcdefghijkl", "id=1234567890; Path=/; HttpOnly",
		"application/json", "short", strings.Repeat("v", 300), "été ✓"}
	secret := []string{"X-Custom-Key"}
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 3000 {
		h := http.Header{}
		for range rng.IntN(8) {
			name := names[rng.IntN(len(names))]
			for range 1 + rng.IntN(3) {
				h[name] = append(h[name], values[rng.IntN(len(values))])
			}
		}
		if i%20 == 0 {
			for k := range 30 + rng.IntN(10) {
				h.Set(fmt.Sprintf("X-Extra-%02d", k), "x")
			}
		}
		pairs := headerPairs(h)
		if i%3 == 0 {
			// Pairs not written by headerPairs: any order of the pairs.
			rng.Shuffle(len(pairs)/2, func(a, b int) {
				pairs[2*a], pairs[2*b] = pairs[2*b], pairs[2*a]
				pairs[2*a+1], pairs[2*b+1] = pairs[2*b+1], pairs[2*a+1]
			})
		}
		want, wantOmitted := headers(pairsHeader(pairs), secret)
		got, gotOmitted := pairHeaders(pairs, secret)
		if !maps.Equal(got, want) || gotOmitted != wantOmitted {
			t.Fatalf("pairs %q: pairHeaders shows %v (%d left out); headers shows %v (%d)", pairs, got, gotOmitted, want, wantOmitted)
		}
		if got, want := pairValue(pairs, "Content-Type"), pairsHeader(pairs).Get("Content-Type"); got != want {
			t.Fatalf("pairs %q: pairValue says %q; Get says %q", pairs, got, want)
		}
	}
}
