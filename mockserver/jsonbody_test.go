package mockserver

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// cleanJSONSeeds are bodies around what decodeClean decides: duplicates,
// escapes, exponents, long numbers, nesting.
var cleanJSONSeeds = []string{
	`{"status": "active", "filters": {}, "sort": {}}`,
	`{"a":1,"a":2}`,
	`{"a":1,"\u0061":2}`,
	`{"a":{"b":1,"b":1}}`,
	`[{"a":1},{"a":1}]`,
	`{"a":"x\"y","b":"\\"}`,
	`{"n":1e400}`,
	`{"n":-1.5E+3}`,
	`{"n":` + string(bytes.Repeat([]byte("9"), 400)) + `}`,
	`{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k3":3}`,
	`[[[[]]],{},"",true,false,null,0]`,
	` { "a" : [ 1 , 2 ] , "b" : { } } `,
	`"just a string"`,
	`12`,
}

// FuzzDecodeClean checks that decodeClean never takes a body the full scan
// finds a problem in, and decodes what it takes exactly as the library's
// JSON decoder (encoding/json with UseNumber) does.
func FuzzDecodeClean(f *testing.F) {
	for _, s := range cleanJSONSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := decodeClean(b)
		if !ok {
			return
		}
		if !json.Valid(b) || !utf8.Valid(b) {
			t.Fatalf("decodeClean(%q) took invalid JSON", b)
		}
		if jsonDepth(b, maxJSONDepth) > maxJSONDepth {
			t.Fatalf("decodeClean(%q) took JSON nested too deeply", b)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if msg := scanValue(dec, ""); msg != "" {
			t.Fatalf("decodeClean(%q) took it, but: %s", b, msg)
		}
		dec = json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var want any
		if err := dec.Decode(&want); err != nil {
			t.Fatalf("decodeClean(%q) took what encoding/json refuses: %v", b, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("decodeClean(%q) = %#v, encoding/json says %#v", b, got, want)
		}
	})
}

func TestDecodeClean(t *testing.T) {
	for _, tt := range []struct {
		body  string
		clean bool
	}{
		{`{"status": "active", "filters": {}, "sort": {}}`, true},
		{`[{"a":1},{"a":1}]`, true},
		{`{"a":"x\"y","b":"\\"}`, true},
		{`[[[[]]],{},"",true,false,null,0]`, true},
		{` { "a" : [ 1 , 2 ] , "b" : { } } `, true},
		{`{"a":1,"a":2}`, false},
		{`{"a":{"b":1,"b":1}}`, false},
		{`{"a":1,"\u0061":2}`, false}, // the same key once unescaped
		{`{"\u00e9":"\ud800x"}`, true},
		{`{"n":1e400}`, false},
		{cleanJSONSeeds[9], false}, // a duplicate past the 16 keys kept inline
		// Invalid JSON is refused, never decoded.
		{``, false},
		{`{,"a":1}`, false},
		{`{"a":1,}`, false},
		{`{"a" 1}`, false},
		{`{"a":1 "b":2}`, false},
		{`[1,]`, false},
		{`[,1]`, false},
		{`[1 2]`, false},
		{`tru`, false},
		{`nul`, false},
		{`trueX`, false},
		{`{} {}`, false},
		{`01`, false},
		{`-`, false},
		{`1.`, false},
		{`.5`, false},
		{`+1`, false},
		{`1-2`, false},
		{"\"a\tb\"", false},
		{`"\x"`, false},
		{`{"a":1`, false},
		{`"abc`, false},
		{"\"\xff\"", false},
		{"\"caf\xc3\xa9\"", true},
		{strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth), true},
		{strings.Repeat("[", maxJSONDepth+1) + strings.Repeat("]", maxJSONDepth+1), false},
		{strings.Repeat(`{"a":`, maxJSONDepth+1) + "1" + strings.Repeat("}", maxJSONDepth+1), false},
		{`-0.5`, true},
		{`[0,10,-3,2.25]`, true},
	} {
		if _, got := decodeClean([]byte(tt.body)); got != tt.clean {
			t.Errorf("decodeClean(%s) ok = %v, want %v", tt.body, got, tt.clean)
		}
	}
}

func BenchmarkCheckJSON(b *testing.B) {
	r := httptest.NewRequest("POST", "/v1/agents/sessions/list", nil)
	r.Header.Set("Content-Type", "application/json")
	body := []byte(`{"status": "active", "filters": {"user_id": "user_123", "tags": ["a", "b"]}, "sort": {"field": "created_at", "direction": "asc"}}`)
	b.ReportAllocs()
	for b.Loop() {
		if vs, v := checkJSON(r, body); vs != nil || v == nil {
			b.Fatal(vs)
		}
	}
}
