package mockserver

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// fillRecord sets every exported field of a record, at any depth, to a
// value drawn from rng, its strings drawn from texts: a field added to
// Entry gets a value without this test changing, so that a field
// appendRecordJSON forgets makes the records differ.
func fillRecord(rng *rand.Rand, texts []string) sharedRecord {
	var rec sharedRecord
	fillValue(reflect.ValueOf(&rec).Elem(), rng, texts)
	return rec
}

var timeType = reflect.TypeFor[time.Time]()

func fillValue(v reflect.Value, rng *rand.Rand, texts []string) {
	if rng.IntN(8) == 0 {
		return // some fields stay zero
	}
	text := func() string { return texts[rng.IntN(len(texts))] }
	switch {
	case v.Type() == timeType:
		zone := time.FixedZone("", (rng.IntN(48)-24)*1800)
		v.Set(reflect.ValueOf(time.Unix(rng.Int64N(1<<34), rng.Int64N(1e9)).In(zone)))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(text())
	case reflect.Int:
		v.SetInt(rng.Int64N(1<<40) - 1<<39)
	case reflect.Uint64:
		v.SetUint(rng.Uint64())
	case reflect.Float64:
		v.SetFloat(rng.NormFloat64() * []float64{1, 1e-9, 1e12, 1e300}[rng.IntN(4)])
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fillValue(p.Elem(), rng, texts)
		v.Set(p)
	case reflect.Slice:
		n := 1 + rng.IntN(3)
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range s.Len() {
			fillValue(s.Index(i), rng, texts)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for range 1 + rng.IntN(4) {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fillValue(k, rng, texts)
			fillValue(e, rng, texts)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillValue(v.Field(i), rng, texts)
			}
		}
	}
}

// decodedRecord is a record's JSON line as readRecord decodes it, encoded
// again by encoding/json for comparison.
func decodedRecord(t testing.TB, line []byte) string {
	t.Helper()
	var rec sharedRecord
	if err := json.Unmarshal(line, &rec); err != nil {
		t.Fatalf("decoding %s: %v", line, err)
	}
	out, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

var recordTexts = []string{"", "a", "sess_123", `"quoted"`, `back\slash`, "line\nbreak\ttab\x00nul\x1f", "<&>", "été ✓ 🙂", "\xff\xfe", "a\xc3", "\u2028\u2029", "\ufffd", "\xed\xa0\x80"}

// TestRecordJSONDecodesAsTheLibrarys: records with every field set (and
// some left zero) decode from appendRecordJSON's line as from
// encoding/json's.
func TestRecordJSONDecodesAsTheLibrarys(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 2000 {
		rec := fillRecord(rng, recordTexts)
		lib, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		hand := appendRecordJSON(nil, &rec)
		if got, want := decodedRecord(t, hand), decodedRecord(t, lib); got != want {
			t.Fatalf("record %d decodes from\n%s\nas\n%s\nand from encoding/json's\n%s\nas\n%s", i, hand, got, lib, want)
		}
	}
}

// FuzzRecordJSONDecodesAsTheLibrarys: whatever the strings hold.
func FuzzRecordJSONDecodesAsTheLibrarys(f *testing.F) {
	f.Add(uint64(1), "x", "\xff\"\\\n")
	f.Fuzz(func(t *testing.T, seed uint64, a, b string) {
		rec := fillRecord(rand.New(rand.NewPCG(seed, 0)), []string{a, b, a + b})
		lib, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := decodedRecord(t, appendRecordJSON(nil, &rec)), decodedRecord(t, lib); got != want {
			t.Fatalf("decodes as\n%s\nand from encoding/json's line as\n%s", got, want)
		}
	})
}
