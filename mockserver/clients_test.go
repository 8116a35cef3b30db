package mockserver

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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
	same := func(a, b ClientInfo) bool {
		return a.Client == b.Client && a.Scenario == b.Scenario && a.Requests == b.Requests
	}
	if len(body.Clients) != 2 || !same(body.Clients[0], want[0]) || !same(body.Clients[1], want[1]) {
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

// TestClientsListCountersAndWindow: after a client's 6 calls in
// rate-limited (limit 5), GET /__decoy/clients shows the rule's counters
// and the window: limit 5, nothing remaining, a reset in the future and
// the Retry-After a call would get; another client shows its own.
func TestClientsListCountersAndWindow(t *testing.T) {
	ts := clientsServer(t)
	if r := send(t, ts, http.MethodPut, "/__decoy/scenario", "", `{"name": "rate-limited"}`); r.StatusCode != http.StatusOK {
		t.Fatalf("PUT /__decoy/scenario: %d", r.StatusCode)
	}
	const list = "/v2/agents/agt_customer_support/sessions"
	for range 6 {
		send(t, ts, http.MethodGet, list, "qa", "")
	}
	send(t, ts, http.MethodGet, list, "dev", "")
	start := time.Now()
	resp, err := ts.Client().Get(ts.URL + "/__decoy/clients")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /__decoy/clients: %d", resp.StatusCode)
	}
	var body struct{ Clients []ClientInfo }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	byName := map[string]ClientInfo{}
	for _, c := range body.Clients {
		byName[c.Client] = c
	}
	qa := byName["qa"].Counters
	if len(qa) != 1 || qa[0].Rule != "rate-limited#0" || qa[0].Scenario != "rate-limited" || qa[0].Calls != 6 || qa[0].Fired != 1 || qa[0].RateLimit == nil {
		t.Fatalf("qa's counters: %+v", qa)
	}
	w := qa[0].RateLimit
	if w.Limit != 5 || w.Remaining != 0 || w.Reset == nil || !w.Reset.After(start) || w.Reset.After(start.Add(time.Minute)) || w.RetryAfterSeconds < 1 || w.RetryAfterSeconds > 60 {
		t.Fatalf("qa's window: %+v (reset %v)", *w, w.Reset)
	}
	dev := byName["dev"].Counters
	if len(dev) != 1 || dev[0].Calls != 1 || dev[0].RateLimit == nil || dev[0].RateLimit.Remaining != 4 || dev[0].RateLimit.RetryAfterSeconds != 0 {
		t.Fatalf("dev's counters: %+v", dev)
	}
	// A reset of qa empties its counters, and only its.
	if r := send(t, ts, http.MethodPost, "/__decoy/reset?client=qa", "", ""); r.StatusCode/100 != 2 {
		t.Fatalf("reset qa: %d", r.StatusCode)
	}
	resp2, err := ts.Client().Get(ts.URL + "/__decoy/clients")
	if err != nil {
		t.Fatal(err)
	}
	defer resp2.Body.Close()
	body.Clients = nil
	json.NewDecoder(resp2.Body).Decode(&body)
	for _, c := range body.Clients {
		if c.Client == "qa" && len(c.Counters) != 0 || c.Client == "dev" && len(c.Counters) != 1 {
			t.Errorf("after resetting qa, %s: %+v", c.Client, c.Counters)
		}
	}
}
