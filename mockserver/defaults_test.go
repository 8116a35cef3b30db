package mockserver_test

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
	"testing/fstest"

	"github.com/decoy-mock/decoy/fixtures"
	"github.com/decoy-mock/decoy/mockserver"
)

// Issue 15 item 13: `decoy serve --stateful` answered a create that leaves
// out a required property with a default (`done: {default: false}`) with
// 400 "property done is missing", although the README says defaults are
// applied.
func TestStatefulCreateAppliesRequestDefaults(t *testing.T) {
	spec := loadSpec(t, "todos-defaults.yaml")
	store, err := fixtures.LoadStore(fstest.MapFS{}, "fixtures", spec, fixtures.StoreOptions{Infer: true})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := mockserver.New(mockserver.Config{Spec: spec, Fixtures: store, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	canon := func(s string) string {
		t.Helper()
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			t.Fatalf("%v: %s", err, s)
		}
		b, _ := json.Marshal(v)
		return string(b)
	}
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"a top-level default", "POST", "/todos", `{"title":"x"}`, 201,
			`{"id":2,"title":"x","done":false,"priority":3}`},
		{"what the client sends wins", "POST", "/todos", `{"title":"y","done":true,"priority":1}`, 201,
			`{"id":3,"title":"y","done":true,"priority":1}`},
		{"nested objects and array items", "POST", "/todos", `{"title":"z","meta":{},"steps":[{"text":"a"},{"text":"b","done":true}]}`, 201,
			`{"id":4,"title":"z","done":false,"priority":3,"meta":{"labels":[]},"steps":[{"text":"a","done":false},{"text":"b","done":true}]}`},
		{"a replacement takes the defaults too", "PUT", "/todos/2", `{"title":"x2"}`, 200,
			`{"id":2,"title":"x2","done":false,"priority":3}`},
		{"stored with its defaults", "GET", "/todos/4", "", 200,
			`{"id":4,"title":"z","done":false,"priority":3,"meta":{"labels":[]},"steps":[{"text":"a","done":false},{"text":"b","done":true}]}`},
		{"a required property without a default is still required", "POST", "/todos", `{"done":true}`, 400, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := checked(t, ts, spec, call{method: tc.method, path: tc.path, body: tc.body}, tc.status)
			if tc.want != "" && canon(string(res.body)) != canon(tc.want) {
				t.Fatalf("%s %s %s:\n got %s\nwant %s", tc.method, tc.path, tc.body, res.body, tc.want)
			}
		})
	}
}
