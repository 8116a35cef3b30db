package mockserver_test

import (
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/decoy-mock/decoy/fixtures"
	"github.com/decoy-mock/decoy/mockserver"
)

// itemsFixture is a collection of items it_N with rank N, in the order
// given, sorted by rank when sort is "asc" or "desc".
func itemsFixture(sort string, ranks ...int) string {
	var b strings.Builder
	b.WriteString("collections:\n  - name: items\n    key: id\n    list: [listItems]\n")
	if sort != "" {
		fmt.Fprintf(&b, "    sort: {field: rank, order: %s}\n", sort)
	}
	b.WriteString("    items:\n")
	for _, r := range ranks {
		fmt.Fprintf(&b, "      - {id: it_%d, rank: %d}\n", r, r)
	}
	return b.String()
}

func seq(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

// Issue 15 item 14: a cursor Decoy issued was refused with "pass the value
// of a previous response unchanged" after every fixture edit, blaming a
// client that had done nothing wrong while a frontend developer
// hot-reloaded. It now continues from its item or position, saying so in
// X-Decoy-Cursor, or is refused as stale; a garbled cursor is refused as
// before.
func TestCursorAfterFixtureEdit(t *testing.T) {
	spec := loadSpec(t, "cursor-items.yaml")
	for _, tc := range []struct {
		name          string
		before, after string
		status        int
		ids           string // the page the cursor asks for after the edit
		header        string // X-Decoy-Cursor
		message       string // of a 400
	}{
		{name: "no edit", before: itemsFixture("asc", seq(1, 9)...), after: itemsFixture("asc", seq(1, 9)...),
			status: 200, ids: "it_4 it_5 it_6"},
		{name: "an item added before the page", before: itemsFixture("asc", seq(1, 9)...), after: itemsFixture("asc", seq(0, 9)...),
			status: 200, ids: "it_4 it_5 it_6", header: `stale; continued from position 4, after item "it_3"`},
		{name: "the page's last item deleted, sorted", before: itemsFixture("asc", seq(1, 9)...), after: itemsFixture("asc", 1, 2, 4, 5, 6, 7, 8, 9),
			status: 200, ids: "it_4 it_5 it_6", header: `stale; continued from position 2, where item "it_3" was`},
		{name: "the page's last item deleted, descending", before: itemsFixture("desc", seq(1, 9)...), after: itemsFixture("desc", 1, 2, 3, 4, 5, 6, 8, 9),
			status: 200, ids: "it_6 it_5 it_4", header: `stale; continued from position 2, where item "it_7" was`},
		{name: "the page's last item deleted, file order", before: itemsFixture("", seq(1, 9)...), after: itemsFixture("", 1, 2, 4, 5, 6, 7),
			status: 200, ids: "it_5 it_6 it_7", header: `stale; continued from position 3; item "it_3" is gone`},
		{name: "fewer items than the cursor's position", before: itemsFixture("", seq(1, 9)...), after: itemsFixture("", 1, 2),
			status: 400, message: "items changed"},
		{name: "the default order changed", before: itemsFixture("asc", seq(1, 9)...), after: itemsFixture("desc", seq(1, 9)...),
			status: 400, message: "items changed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := fstest.MapFS{"fixtures/items.yaml": &fstest.MapFile{Data: []byte(tc.before)}}
			load := func() mockserver.Config {
				t.Helper()
				// A new store from the files, as the watcher builds one.
				store, err := fixtures.LoadStore(files, "fixtures", spec, fixtures.StoreOptions{})
				if err != nil {
					t.Fatal(err)
				}
				return mockserver.Config{Spec: spec, Fixtures: store, Seed: 1, CORS: true}
			}
			srv, err := mockserver.New(load())
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(srv)
			defer ts.Close()
			page1 := checked(t, ts, spec, call{method: "GET", path: "/items?limit=3"}, 200)
			cursor, _ := page1.json(t)["next_cursor"].(string)
			if cursor == "" {
				t.Fatalf("page 1 has no next cursor: %s", page1.body)
			}
			files["fixtures/items.yaml"] = &fstest.MapFile{Data: []byte(tc.after)}
			if err := srv.Reload(load()); err != nil {
				t.Fatal(err)
			}
			res := checked(t, ts, spec, call{method: "GET", path: "/items?limit=3&cursor=" + url.QueryEscape(cursor)}, tc.status)
			if got := res.header.Get("X-Decoy-Cursor"); got != tc.header {
				t.Errorf("X-Decoy-Cursor: %q, want %q", got, tc.header)
			}
			body := res.json(t)
			if tc.status != 200 {
				e, _ := body["error"].(map[string]any)
				if msg, _ := e["message"].(string); !strings.Contains(msg, tc.message) || strings.Contains(msg, "unchanged") {
					t.Fatalf("400 body %s, want a message saying %q", res.body, tc.message)
				}
				return
			}
			if got := pageIDs(body); got != tc.ids {
				t.Fatalf("page 2 after the edit: %s, want %s", got, tc.ids)
			}
			if tc.header != "" && !strings.Contains(res.header.Get("Access-Control-Expose-Headers"), "X-Decoy-Cursor") {
				t.Errorf("a browser cannot read X-Decoy-Cursor: Access-Control-Expose-Headers %q", res.header.Get("Access-Control-Expose-Headers"))
			}
			// The next cursor is issued over the new data: not stale.
			if next, _ := body["next_cursor"].(string); next != "" {
				res := checked(t, ts, spec, call{method: "GET", path: "/items?limit=3&cursor=" + url.QueryEscape(next)}, 200)
				if h := res.header.Get("X-Decoy-Cursor"); h != "" {
					t.Errorf("a cursor issued after the reload is called %q", h)
				}
			}
		})
	}
}

// A cursor Decoy did not issue (garbled, cut, made up) is still the 400
// that asks for the value unchanged, before and after a reload.
func TestGarbledCursorAfterFixtureEdit(t *testing.T) {
	spec := loadSpec(t, "cursor-items.yaml")
	files := fstest.MapFS{"fixtures/items.yaml": &fstest.MapFile{Data: []byte(itemsFixture("asc", seq(1, 9)...))}}
	load := func() mockserver.Config {
		t.Helper()
		store, err := fixtures.LoadStore(files, "fixtures", spec, fixtures.StoreOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return mockserver.Config{Spec: spec, Fixtures: store, Seed: 1}
	}
	srv, err := mockserver.New(load())
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	cursor, _ := checked(t, ts, spec, call{method: "GET", path: "/items?limit=3"}, 200).json(t)["next_cursor"].(string)
	files["fixtures/items.yaml"] = &fstest.MapFile{Data: []byte(itemsFixture("asc", seq(0, 9)...))}
	if err := srv.Reload(load()); err != nil {
		t.Fatal(err)
	}
	flipped := []byte(cursor)
	flipped[len(flipped)/2] ^= 'A' ^ 'B'
	if flipped[len(flipped)/2] == cursor[len(cursor)/2] {
		t.Fatal("no flip")
	}
	for name, bad := range map[string]string{"garbled": string(flipped), "cut": cursor[:len(cursor)-3], "made up": "abc123"} {
		t.Run(name, func(t *testing.T) {
			res := checked(t, ts, spec, call{method: "GET", path: "/items?limit=3&cursor=" + url.QueryEscape(bad)}, 400)
			e, _ := res.json(t)["error"].(map[string]any)
			if msg, _ := e["message"].(string); !strings.Contains(msg, "pass the value of a previous response unchanged") {
				t.Fatalf("400 body %s", res.body)
			}
			if h := res.header.Get("X-Decoy-Cursor"); h != "" {
				t.Errorf("X-Decoy-Cursor %q on a refused cursor", h)
			}
		})
	}
}

func pageIDs(body map[string]any) string {
	var ids []string
	for _, it := range body["data"].([]any) {
		ids = append(ids, it.(map[string]any)["id"].(string))
	}
	return strings.Join(ids, " ")
}
