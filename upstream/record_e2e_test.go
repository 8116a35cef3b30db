package upstream_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/decoy-mock/decoy/fixtures"
	"github.com/decoy-mock/decoy/mockserver"
	"github.com/decoy-mock/decoy/upstream"
)

func TestRecordThenReplayByteForByte(t *testing.T) {
	dir := t.TempDir()
	rec, err := upstream.NewRecorder(dir)
	if err != nil {
		t.Fatal(err)
	}
	rg := newRig(t, func(u *upstream.Config, _ *mockserver.Config) { u.Recorder = rec })
	// Each provider answer differs by request, so a replay that mixes them
	// up is caught.
	rg.serve(func(w http.ResponseWriter, r *http.Request) {
		body := rg.prov.v2
		if r.URL.Path == "/v1/agents/sessions/list" {
			var buf strings.Builder
			bufCopy(&buf, r)
			body = edit(rg.prov.v1, func(m map[string]any) {
				m["total"] = len(buf.String()) + len(r.Header.Get("X-Namespace")) + len(r.URL.RawQuery)
			})
		} else if r.URL.Query().Get("limit") != "" {
			body = edit(rg.prov.v2, func(m map[string]any) { m["metadata"].(map[string]any)["total_count"] = 5 })
		}
		// Spaced JSON with a secret in it: replayed as spaced, masked.
		body = append([]byte(`{ "api_token": "tok_live_s3cr3t",`), body[1:]...)
		writeJSON(w, http.StatusOK, body)
	})
	requests := []func(base string) *http.Request{
		func(b string) *http.Request { return v1Request(b, "", `{"status":"active"}`) },
		func(b string) *http.Request {
			return v1Request(b, "?limit=2", `{"status":"idle","filters":{"user_id":"u1"}}`)
		},
		func(b string) *http.Request {
			r := v1Request(b, "", `{"status":"active"}`)
			r.Header.Set("X-Namespace", "ns_other")
			return r
		},
		func(b string) *http.Request { return v2Request(b, "") },
		func(b string) *http.Request { return v2Request(b, "?limit=5") },
	}
	var recorded []answer
	for _, mk := range requests {
		a := send(t, mk(rg.decoy.URL))
		if a.status != 200 || a.header.Get("Sl-Violations") != "" {
			t.Fatalf("recording: status %d, violations %s", a.status, a.header.Get("Sl-Violations"))
		}
		recorded = append(recorded, a)
	}
	send(t, requests[0](rg.decoy.URL)) // a duplicate: collapsed
	if rec.Duplicates() != 1 {
		t.Errorf("%d duplicates, want 1", rec.Duplicates())
	}
	// Not recorded: an invalid request, and an answer that breaks the contract.
	send(t, v1Request(rg.decoy.URL, "?limit=500", `{"status":"active"}`))
	rg.serve(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, []byte(`{"sessions":"nope"}`)) })
	send(t, v2Request(rg.decoy.URL, "?limit=7"))
	if e := lastEntry(t, rg); len(e.Notes) != 1 || !strings.Contains(e.Notes[0], "not recorded") {
		t.Errorf("notes %q, want why the broken answer was not recorded", e.Notes)
	}

	if os.Getenv("SHOW_RECORDED") != "" {
		data, _ := os.ReadFile(filepath.Join(dir, "listSessions.yaml"))
		t.Logf("%s", data)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if len(files) != 2 {
		t.Fatalf("recorded files %v, want one per operation", files)
	}
	for _, f := range files {
		data, _ := os.ReadFile(f)
		if bytes.Contains(data, []byte("s3cr3t")) || bytes.Contains(data, []byte("abcdef123456")) {
			t.Errorf("%s holds a secret:\n%s", f, data)
		}
	}
	store, err := fixtures.LoadStore(os.DirFS(dir), ".", rg.spec, fixtures.StoreOptions{})
	if err != nil {
		t.Fatalf("the recorded stubs do not load: %v", err)
	}
	if n := len(store.Stubs()); n != len(requests) {
		t.Errorf("%d stubs, want %d", n, len(requests))
	}
	srv, err := mockserver.New(mockserver.Config{Spec: rg.spec, Fixtures: store})
	if err != nil {
		t.Fatal(err)
	}
	replay := httptest.NewServer(srv)
	t.Cleanup(replay.Close)
	for i, mk := range requests {
		a := send(t, mk(replay.URL))
		want := bytes.ReplaceAll(recorded[i].body, []byte("tok_live_s3cr3t"), []byte("***************"))
		if a.status != recorded[i].status || !bytes.Equal(a.body, want) {
			t.Errorf("request %d replayed %d %s\nwant %d %s", i, a.status, a.body, recorded[i].status, want)
		}
		if a.header.Get("X-Request-Id") != "req_provider" {
			t.Errorf("request %d: X-Request-Id %q not replayed", i, a.header.Get("X-Request-Id"))
		}
	}
	// A list request not recorded pages through the recorded items.
	page := send(t, v2Request(replay.URL, "?limit=1"))
	var list struct {
		Sessions []struct {
			ID string `json:"id"`
		} `json:"sessions"`
		Metadata struct {
			PageKey *string `json:"page_key"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(page.body, &list); err != nil || len(list.Sessions) != 1 || list.Metadata.PageKey == nil {
		t.Fatalf("unrecorded page: %d %s (%v)", page.status, page.body, err)
	}
	next := send(t, v2Request(replay.URL, "?limit=1&page_key="+url.QueryEscape(*list.Metadata.PageKey)))
	if err := json.Unmarshal(next.body, &list); err != nil || len(list.Sessions) != 1 || list.Sessions[0].ID != "ase_customer_support_002" {
		t.Errorf("second page: %d %s", next.status, next.body)
	}
	// Another agent has none of the recorded sessions: the collection is
	// scoped by agent_key.
	other, _ := http.NewRequest(http.MethodGet, replay.URL+"/v2/agents/agt_other/sessions?limit=1", nil)
	other.Header.Set("Authorization", "Bearer sk_live_abcdef123456")
	if a := send(t, other); a.status != http.StatusNotFound {
		t.Errorf("another agent: %d %s, want the documented 404", a.status, a.body)
	}
}
