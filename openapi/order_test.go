package openapi

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"testing/fstest"
)

const orderSpec = `openapi: 3.0.3
info: {title: order, version: '1'}
paths:
  /things:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  zeta: {type: string}
                  alpha: {$ref: '#/components/schemas/Inner'}
                  mid: {type: array, items: {$ref: '#/components/schemas/Inner'}}
components:
  schemas:
    Base:
      type: object
      properties:
        id: {type: string}
        created: {type: string}
    Inner:
      allOf:
        - $ref: '#/components/schemas/Base'
        - type: object
          properties:
            name: {type: string}
            box: {type: integer}
`

func TestMarshalOrderedFollowsTheSchema(t *testing.T) {
	spec, err := Load(fstest.MapFS{"spec.yaml": {Data: []byte(orderSpec)}}, "spec.yaml", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s := spec.Operation("GET /things").Op.Responses.Value("200").Value.Content["application/json"].Schema.Value
	v := map[string]any{
		"mid":   []any{map[string]any{"name": "n", "id": "1", "box": 2.0, "extra": true, "created": "c"}},
		"alpha": map[string]any{"box": 1.0, "name": "a", "id": "0"},
		"zeta":  "z",
		"other": nil,
		"aaa":   1.5,
	}
	got, err := MarshalOrdered(v, s)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"zeta":"z","alpha":{"id":"0","name":"a","box":1},"mid":[{"id":"1","created":"c","name":"n","box":2,"extra":true}],"aaa":1.5,"other":null}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestMarshalOrderedIsJSONMarshal: without a schema the bytes are
// json.Marshal's, and with one the same value, for random values.
func TestMarshalOrderedIsJSONMarshal(t *testing.T) {
	spec, err := Load(fstest.MapFS{"spec.yaml": {Data: []byte(orderSpec)}}, "spec.yaml", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s := spec.Operation("GET /things").Op.Responses.Value("200").Value.Content["application/json"].Schema.Value
	r := rand.New(rand.NewPCG(1, 2))
	names := []string{"zeta", "alpha", "mid", "id", "name", "box", "created", "<&>", "é", ""}
	var gen func(depth int) any
	gen = func(depth int) any {
		switch n := r.IntN(8); {
		case n == 0 || depth > 4:
			return []any{"x<y", 1.25, nil, true}[r.IntN(4)]
		case n < 4:
			m := map[string]any{}
			for range r.IntN(6) {
				m[names[r.IntN(len(names))]] = gen(depth + 1)
			}
			return m
		case n < 6:
			a := make([]any, r.IntN(4))
			for i := range a {
				a[i] = gen(depth + 1)
			}
			return a
		}
		return float64(r.IntN(1000)) / 7
	}
	for range 2000 {
		v := gen(0)
		plain, _ := json.Marshal(v)
		got, err := MarshalOrdered(v, nil)
		if err != nil || string(got) != string(plain) {
			t.Fatalf("no schema: %s, want %s (%v)", got, plain, err)
		}
		got, err = MarshalOrdered(v, s)
		if err != nil {
			t.Fatal(err)
		}
		var a, b any
		if json.Unmarshal(got, &a) != nil || json.Unmarshal(plain, &b) != nil || !reflect.DeepEqual(a, b) {
			t.Fatalf("ordered %s is not the value %s", got, plain)
		}
	}
}
