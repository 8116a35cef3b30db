package openapi

import (
	"encoding/json"
	"math"
	"testing"
)

// TestOrderedLeavesAreEncodingJSON: MarshalOrdered writes strings, keys,
// numbers, booleans and null itself; byte for byte as json.Marshal does.
func TestOrderedLeavesAreEncodingJSON(t *testing.T) {
	strs := []string{"", "plain", `quote " and \ backslash`, "<b>&amp;</b>", "tab\tnew\nline\r\b\f", "\x00\x01\x1f\x7f",
		"é ü 日本 🙂", "\u2028\u2029", "bad \xff\xfe utf-8", "\xed\xa0\x80", "trailing \xe2\x82"}
	nums := []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1e-6, 9.99e-7, 1e-7, 123456789, 1e20, 1e21, 1.5e300, -2.5e-300, math.MaxFloat64, math.SmallestNonzeroFloat64}
	for _, s := range strs {
		checkOrderedLeaf(t, s)
		checkOrderedLeaf(t, map[string]any{s: s})
	}
	for _, f := range nums {
		checkOrderedLeaf(t, f)
	}
	checkOrderedLeaf(t, []any{true, false, nil, "x", 2.5, map[string]any{"b": 1.0, "a": nil}})
	if _, err := MarshalOrdered(math.Inf(1), nil); err == nil {
		t.Error("+Inf encoded without an error")
	}
}

func FuzzOrderedLeavesAreEncodingJSON(f *testing.F) {
	f.Add("<a href=\"x\">\u2028</a>\xff", 1e-7)
	f.Add("", 1e21)
	f.Fuzz(func(t *testing.T, s string, x float64) {
		if math.IsInf(x, 0) || math.IsNaN(x) {
			x = 0
		}
		checkOrderedLeaf(t, map[string]any{s: []any{s, x, -x}})
	})
}

func checkOrderedLeaf(t *testing.T, v any) {
	t.Helper()
	want, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	got, err := MarshalOrdered(v, nil)
	if err != nil || string(got) != string(want) {
		t.Errorf("MarshalOrdered(%#v) = %s, %v; json.Marshal: %s", v, got, err, want)
	}
}
