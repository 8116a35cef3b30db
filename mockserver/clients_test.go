package mockserver

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
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
	s.clients.set(t.Context(), "qa", "rate-limited")
	s.clients.set(t.Context(), "dev", "slow")
	cfg := s.cfg
	kept, err := scenarios.Load(fstest.MapFS{"scenarios/slow.yaml": {Data: []byte("name: slow\nrules:\n  - {operations: [listSessions], latency: 1ms}\n")}}, "scenarios", s.state.Load().spec, scenarios.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Spec, cfg.Scenarios = s.state.Load().spec, kept
	if err := s.Reload(cfg); err != nil {
		t.Fatal(err)
	}
	if got := s.clients.get("qa"); got != "" {
		t.Fatalf("qa's scenario after a reload without it: %q, want none", got)
	}
	if got := s.clients.get("dev"); got != "slow" {
		t.Fatalf("dev's scenario after a reload that kept it: %q, want slow", got)
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

// TestResetClearsClientScenarios: a reset of one client clears its choice
// and no other's; a reset of all clears every choice; the global scenario
// stays either way.
func TestResetClearsClientScenarios(t *testing.T) {
	ts := clientsServer(t)
	for _, put := range []struct{ path, body string }{
		{"/__decoy/clients/qa", `{"scenario": "rate-limited"}`},
		{"/__decoy/clients/dev", `{"scenario": "slow"}`},
		{"/__decoy/scenario", `{"name": "server-error"}`},
	} {
		if r := send(t, ts, http.MethodPut, put.path, "", put.body); r.StatusCode != http.StatusOK {
			t.Fatalf("PUT %s: %d", put.path, r.StatusCode)
		}
	}
	chosen := func() map[string]string {
		t.Helper()
		resp, err := ts.Client().Get(ts.URL + "/__decoy/clients")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			Active  string
			Clients []ClientInfo
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		if body.Active != "server-error" {
			t.Fatalf("the global scenario is %q after a reset; want it kept", body.Active)
		}
		out := map[string]string{}
		for _, c := range body.Clients {
			if c.Scenario != "" {
				out[c.Client] = c.Scenario
			}
		}
		return out
	}
	if r := send(t, ts, http.MethodPost, "/__decoy/reset", "", `{"client": "qa"}`); r.StatusCode != http.StatusOK {
		t.Fatalf("reset qa: %d", r.StatusCode)
	}
	if got := chosen(); len(got) != 1 || got["dev"] != "slow" {
		t.Fatalf("after resetting qa: %v; want only dev's choice", got)
	}
	if r := send(t, ts, http.MethodPost, "/__decoy/reset", "", ""); r.StatusCode != http.StatusOK {
		t.Fatalf("reset: %d", r.StatusCode)
	}
	if got := chosen(); len(got) != 0 {
		t.Fatalf("after resetting all: %v; want no choice", got)
	}
}

// TestClientScenarioUndefinedHereIsPassedOver: a choice of a scenario this
// server does not define (another replica's, serving other files) leaves
// the client on the global scenario instead of failing its requests.
func TestClientScenarioUndefinedHereIsPassedOver(t *testing.T) {
	s := journalServer(t, func(c *Config) {
		set, err := scenarios.Load(defaultapi.FS, "scenarios", c.Spec, scenarios.Options{})
		if err != nil {
			t.Fatal(err)
		}
		c.Scenarios = set
	})
	s.clients.set(t.Context(), "qa", "defined-elsewhere")
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	if r := send(t, ts, http.MethodGet, "/v2/agents/agt_customer_support/sessions", "qa", ""); r.StatusCode != http.StatusOK {
		t.Errorf("qa, switched into a scenario this server lacks: %d, want 200", r.StatusCode)
	}
}

// TestOneClient: GET /__decoy/clients/{key} shows one client as the list
// does (its scenario, requests in the journal, counters), and a PUT
// answers the client as it stands after the switch, not a blank one.
func TestOneClient(t *testing.T) {
	ts := clientsServer(t)
	const list = "/v2/agents/agt_customer_support/sessions"
	for range 3 {
		send(t, ts, http.MethodGet, list, "qa", "")
	}
	get := func(method, path, body string) (int, ClientInfo, string) {
		t.Helper()
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var raw json.RawMessage
		json.NewDecoder(resp.Body).Decode(&raw)
		var c ClientInfo
		json.Unmarshal(raw, &c)
		return resp.StatusCode, c, string(raw)
	}
	code, qa, raw := get(http.MethodPut, "/__decoy/clients/qa", `{"scenario": "rate-limited"}`)
	if code != http.StatusOK || qa.Client != "qa" || qa.Scenario != "rate-limited" || qa.Requests != 3 || qa.Counters == nil {
		t.Fatalf("PUT: %d %s, want qa in rate-limited with its 3 requests and its counters (a list, empty so far)", code, raw)
	}
	send(t, ts, http.MethodGet, list, "qa", "")
	code, qa, raw = get(http.MethodGet, "/__decoy/clients/qa", "")
	if code != http.StatusOK || qa.Scenario != "rate-limited" || qa.Requests != 4 || len(qa.Counters) != 1 || qa.Counters[0].Calls != 1 {
		t.Fatalf("GET one client: %d %s, want rate-limited, 4 requests, 1 call counted", code, raw)
	}
	code, nobody, raw := get(http.MethodGet, "/__decoy/clients/nobody", "")
	if code != http.StatusOK || nobody.Client != "nobody" || nobody.Scenario != "" || nobody.Requests != 0 || nobody.Counters == nil || len(nobody.Counters) != 0 {
		t.Fatalf("GET a client never seen: %d %s, want it with nothing", code, raw)
	}
}
