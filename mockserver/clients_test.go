package mockserver

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/decoy-mock/decoy/defaultapi"
	"github.com/decoy-mock/decoy/scenarios"
)

func clientsServer(t *testing.T) *httptest.Server {
	t.Helper()
	s := journalServer(t, func(c *Config) {
		set, err := scenarios.Load(defaultapi.FS, "scenarios", c.Spec, scenarios.Options{})
		if err != nil {
			t.Fatal(err)
		}
		c.Scenarios = set
	})
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts
}

func send(t *testing.T, ts *httptest.Server, method, path, client, body string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer sk_"+client)
	if client != "" {
		req.Header.Set("X-Decoy-Client", client)
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestClientScenarioAppliesToThatClientOnly(t *testing.T) {
	ts := clientsServer(t)
	if r := send(t, ts, http.MethodPut, "/__decoy/clients/qa", "", `{"scenario": "rate-limited"}`); r.StatusCode != http.StatusOK {
		t.Fatalf("PUT: %d", r.StatusCode)
	}
	const list = "/v2/agents/agt_customer_support/sessions"
	var got []int
	for range 6 {
		got = append(got, send(t, ts, http.MethodGet, list, "qa", "").StatusCode)
	}
	if want := []int{200, 200, 200, 200, 200, 429}; !equalInts(got, want) {
		t.Errorf("qa: %v, want %v", got, want)
	}
	for range 6 {
		if r := send(t, ts, http.MethodGet, list, "dev", ""); r.StatusCode != http.StatusOK {
			t.Fatalf("dev, not switched: %d", r.StatusCode)
		}
	}
	resp, err := ts.Client().Get(ts.URL + "/__decoy/clients")
	if err != nil {
		t.Fatal(err)
	}
	var body struct{ Clients []ClientInfo }
	json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	want := []ClientInfo{{Client: "dev", Requests: 6}, {Client: "qa", Scenario: "rate-limited", Requests: 6}}
	if len(body.Clients) != 2 || body.Clients[0] != want[0] || body.Clients[1] != want[1] {
		t.Errorf("GET /__decoy/clients: %+v, want %+v", body.Clients, want)
	}
	if r := send(t, ts, http.MethodDelete, "/__decoy/clients/qa", "", ""); r.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE: %d", r.StatusCode)
	}
	if r := send(t, ts, http.MethodGet, list, "qa", ""); r.StatusCode != http.StatusOK {
		t.Errorf("qa after DELETE: %d, want 200", r.StatusCode)
	}
}

func TestClientScenarioRefusals(t *testing.T) {
	ts := clientsServer(t)
	for _, tc := range []struct {
		name, method, path, body string
		want                     int
	}{
		{"unknown scenario", http.MethodPut, "/__decoy/clients/qa", `{"scenario": "nope"}`, http.StatusBadRequest},
		{"no body", http.MethodPut, "/__decoy/clients/qa", ``, http.StatusBadRequest},
		{"unknown field", http.MethodPut, "/__decoy/clients/qa", `{"name": "slow"}`, http.StatusBadRequest},
		{"POST", http.MethodPost, "/__decoy/clients/qa", `{"scenario": "slow"}`, http.StatusMethodNotAllowed},
		{"PUT the list", http.MethodPut, "/__decoy/clients", `{"scenario": "slow"}`, http.StatusMethodNotAllowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := send(t, ts, tc.method, tc.path, "", tc.body); r.StatusCode != tc.want {
				t.Errorf("%s %s: %d, want %d", tc.method, tc.path, r.StatusCode, tc.want)
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestClientScenarioGoneAfterReloadIsCleared(t *testing.T) {
	s := journalServer(t, func(c *Config) {
		set, err := scenarios.Load(defaultapi.FS, "scenarios", c.Spec, scenarios.Options{})
		if err != nil {
			t.Fatal(err)
		}
		c.Scenarios = set
	})
	s.clientScen.set("qa", "rate-limited")
	cfg := s.cfg
	cfg.Spec, cfg.Scenarios = s.state.Load().spec, nil
	if err := s.Reload(cfg); err != nil {
		t.Fatal(err)
	}
	if got := s.clientScen.get("qa"); got != "" {
		t.Fatalf("qa's scenario after a reload without it: %q, want none", got)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	if r := send(t, ts, http.MethodGet, "/v2/agents/agt_customer_support/sessions", "qa", ""); r.StatusCode != http.StatusOK {
		t.Errorf("qa after the reload: %d, want 200", r.StatusCode)
	}
}
