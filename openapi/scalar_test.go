package openapi

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// scalarSchemas are primitive schemas as parameters use them, in both
// dialects, around every keyword scalarCheck reads.
var scalarSchemas = []string{
	`{"type":"string"}`,
	`{"type":"string","minLength":2,"maxLength":5}`,
	`{"type":"string","pattern":"^agt_[a-z_]+$"}`,
	`{"type":"string","pattern":"[0-9]"}`,
	// Patterns the library and scalarCheck both compile with compilePattern:
	// a \u escape RE2 reads once rewritten, ECMAScript-only ones, and one
	// no engine compiles (ignored by both).
	`{"type":"string","pattern":"\\u00e9"}`,
	`{"type":"string","pattern":"^(?!agt)[a-z_9]+$"}`,
	`{"type":"string","pattern":"^(\\w)\\1"}`,
	`{"type":"string","pattern":"(?<=a)_"}`,
	`{"type":"string","pattern":"("}`,
	`{"type":"string","enum":["active","closed"]}`,
	`{"type":"string","format":"int32"}`,
	`{"type":"string","format":"date"}`,
	`{"type":"string","format":"date-time","maxLength":5}`,
	`{"type":"string","format":"no-such-format"}`,
	`{"type":"integer"}`,
	`{"type":"integer","format":"int32"}`,
	`{"type":"integer","format":"int64","minimum":1,"maximum":100}`,
	`{"type":"integer","minimum":0,"exclusiveMinimum":true,"maximum":10,"exclusiveMaximum":true}`,
	`{"type":"integer","exclusiveMinimum":0,"exclusiveMaximum":10}`,
	`{"type":"integer","minimum":5,"exclusiveMinimum":3}`,
	`{"type":"integer","enum":[1,2,3]}`,
	`{"type":"number","minimum":-1.5,"maximum":2.5}`,
	`{"type":"number","exclusiveMaximum":0.5}`,
	`{"type":"boolean"}`,
	`{"type":"boolean","enum":[true]}`,
	`{"type":["string","null"],"maxLength":3}`,
	`{"type":["integer","string"],"minimum":3}`,
	`{"type":"integer","nullable":true,"maximum":7}`,
}

// scalarValues are values as parameters decode to, around the bounds above.
func scalarValues(r *rand.Rand) []any {
	vals := []any{"", "a", "ab", "abcde", "abcdef", "agt_x", "agt_X", "x9", "active", "closed", "ACTIVE", "é", "éééé", "ééééé", "éééééé",
		true, false, int32(0), int32(math.MaxInt32), int32(math.MinInt32), int64(math.MaxInt32) + 1, int64(math.MinInt64),
		0.5, -1.5, 2.5, 2.5000001, -1.5000001, math.Inf(1), math.NaN(), float64(1 << 60), 3.0}
	for i := int64(-2); i <= 12; i++ {
		vals = append(vals, i, int32(i), float64(i))
	}
	for range 200 {
		switch r.IntN(3) {
		case 0:
			vals = append(vals, r.Int64N(300)-100)
		case 1:
			vals = append(vals, r.Float64()*20-5)
		default:
			b := make([]rune, r.IntN(8))
			for i := range b {
				b[i] = rune("aé_9zA"[r.IntN(6)])
			}
			vals = append(vals, string(b))
		}
	}
	return vals
}

// TestScalarCheckNeverAcceptsWhatTheLibraryRefuses: scalarCheck may only
// say valid when the library (3.0 visitor and 3.1 JSON Schema alike) does;
// and it must say so for most of what the library accepts, or it would be
// of no use.
func TestScalarCheckNeverAcceptsWhatTheLibraryRefuses(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	vals := scalarValues(r)
	accepted, libraryAccepted := 0, 0
	for _, raw := range scalarSchemas {
		for _, op31 := range []bool{false, true} {
			var s openapi3.Schema
			if err := json.Unmarshal([]byte(raw), &s); err != nil {
				t.Fatalf("%s: %v", raw, err)
			}
			c := newScalarCheck(&s)
			if c == nil {
				continue
			}
			v := NewValidator(ValidatorOptions{OpenAPI31: op31})
			for _, val := range vals {
				want, panicked := libraryValid(&s, val, v.Options())
				if panicked {
					continue
				}
				got := c.valid(val)
				if got && !want {
					t.Errorf("3.1=%v schema %s value %s: scalarCheck accepts what the library refuses", op31, raw, show(val))
				}
				if want {
					libraryAccepted++
					if got {
						accepted++
					}
				}
			}
		}
	}
	if libraryAccepted == 0 || accepted*10 < libraryAccepted*8 {
		t.Errorf("scalarCheck accepted %d of the %d values the library accepts: the fast path is not taken", accepted, libraryAccepted)
	}
}

func TestScalarCheckLeavesOtherSchemasToTheLibrary(t *testing.T) {
	for _, raw := range []string{
		`{"type":"number","format":"float"}`,
		`{"type":["integer","string"],"format":"uuid"}`,
		`{"type":"integer","multipleOf":3}`,
		`{"type":"object"}`,
		`{"type":"array","items":{"type":"string"}}`,
		`{"anyOf":[{"type":"string"}]}`,
		`{"type":"integer","exclusiveMinimum":true}`,
		`{}`,
	} {
		var s openapi3.Schema
		if err := json.Unmarshal([]byte(raw), &s); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		if newScalarCheck(&s) != nil {
			t.Errorf("%s: got a scalarCheck", raw)
		}
	}
}

func show(v any) string { return fmt.Sprintf("%T(%#v)", v, v) }
