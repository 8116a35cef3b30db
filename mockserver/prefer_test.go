package mockserver_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/decoy-mock/decoy/mockserver"
)

func TestParsePreferences(t *testing.T) {
	tests := []struct {
		name    string
		header  []string
		query   string
		want    string // Applied, joined
		wantErr string
	}{
		{"prism syntax", []string{"code=404, example=missing"}, "", "code=404 example=missing", ""},
		{"semicolons", []string{"code=429; dynamic=true; seed=abc"}, "", "code=429 dynamic=true seed=abc", ""},
		{"quoted", []string{`example="two words"`}, "", `example="two words"`, ""},
		{"several headers", []string{"code=200", "scenario=slow"}, "", "code=200 scenario=slow", ""},
		{"unknown ignored", []string{"return=minimal, respond-async, wait=10"}, "", "", ""},
		{"case-insensitive key", []string{"CODE=201"}, "", "code=201", ""},
		{"query when no header", nil, "__code=500&__scenario=x&__validate=false", "code=500 scenario=x validate=false", ""},
		{"query ignored with header", []string{"seed=1"}, "__code=500", "seed=1", ""},
		{"bad code", []string{"code=abc"}, "", "", `code="abc"`},
		{"code out of range", []string{"code=99"}, "", "", "100 to 599"},
		{"code with leading zero", []string{"code=0404"}, "", "", "HTTP status"},
		{"bad dynamic", []string{"dynamic=maybe"}, "", "", "true or false"},
		{"empty example", []string{"example="}, "", "", "needs the name"},
		{"conflicting duplicate", []string{"code=200, code=404"}, "", "", "twice"},
		{"repeated query", nil, "__code=200&__code=404", "", "given 2 times"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, _ := url.ParseQuery(tt.query)
			p, err := mockserver.ParsePreferences(tt.header, q)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(p.Applied, " ")
			// Query keys come from a map: compare as sets.
			if !sameWords(got, tt.want) {
				t.Errorf("applied %q, want %q", got, tt.want)
			}
		})
	}
}

func sameWords(a, b string) bool {
	wa, wb := strings.Fields(a), strings.Fields(b)
	if len(wa) != len(wb) {
		return false
	}
	seen := map[string]int{}
	for _, w := range wa {
		seen[w]++
	}
	for _, w := range wb {
		seen[w]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

func FuzzParsePreferences(f *testing.F) {
	for _, s := range []string{"code=404, example=x", "dynamic=true; seed=\"a b\"", "code=", `example="unterminated`, ",,;;==", "scenario=rate-limited"} {
		f.Add(s, "__code=200")
	}
	f.Fuzz(func(t *testing.T, header, query string) {
		q, _ := url.ParseQuery(query)
		p, err := mockserver.ParsePreferences([]string{header}, q)
		if err != nil {
			return
		}
		if p.Code != 0 && (p.Code < 100 || p.Code > 599) {
			t.Fatalf("accepted code %d", p.Code)
		}
	})
}
