package mockserver_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/alicebob/miniredis/v2"
	"github.com/decoy-mock/decoy/defaultapi"
	"github.com/decoy-mock/decoy/mockserver"
	"github.com/decoy-mock/decoy/sharedstate"
)

// clientList reads GET /__decoy/clients on ts.
func clientList(t *testing.T, ts *httptest.Server) (list map[string]mockserver.ClientInfo, more bool) {
	t.Helper()
	res := do(t, ts, call{method: "GET", path: "/__decoy/clients"})
	if res.status != 200 {
		t.Fatalf("GET /__decoy/clients: %d %s", res.status, res.body)
	}
	var body struct {
		Clients []mockserver.ClientInfo
		More    bool
	}
	if err := json.Unmarshal(res.body, &body); err != nil {
		t.Fatalf("%v in %s", err, res.body)
	}
	list = map[string]mockserver.ClientInfo{}
	for _, c := range body.Clients {
		list[c.Client] = c
	}
	return list, body.More
}

// Regression: a client dropped out of GET /__decoy/clients once the
// journal no longer held its exchanges, although its rate-limit window
// still refused its calls. The list comes from where the counters are, in
// memory and in Redis.
func TestClientListedWhileItsCountersLive(t *testing.T) {
	for _, shared := range []bool{false, true} {
		t.Run(fmt.Sprintf("shared=%v", shared), func(t *testing.T) {
			var ts *httptest.Server
			if shared {
				ts = replicas(t, miniredis.RunT(t), 1)[0]
			} else {
				ts = withProject(t)
			}
			h := with(authV2, "Prefer", "scenario=rate-limited", "X-Decoy-Client", "ci-7")
			for range 2 {
				if res := do(t, ts, call{method: "GET", path: sessionsV2, header: h}); res.status != 200 {
					t.Fatalf("call: %d %s", res.status, res.body)
				}
			}
			// A caller without X-Decoy-Client is counted under its
			// Authorization value, which is no client.
			do(t, ts, call{method: "GET", path: sessionsV2, header: with(authV2, "Prefer", "scenario=rate-limited")})
			waitFor(t, func() bool {
				list, _ := clientList(t, ts)
				return list["ci-7"].Requests == 2
			})
			if res := do(t, ts, call{method: "DELETE", path: "/__decoy/requests"}); res.status != 204 {
				t.Fatalf("DELETE /__decoy/requests: %d", res.status)
			}
			list, more := clientList(t, ts)
			c, ok := list["ci-7"]
			if !ok || more || len(list) != 1 {
				t.Fatalf("after the journal was cleared: %+v, more=%v; want ci-7 alone", list, more)
			}
			if c.Requests != 0 || len(c.Counters) != 1 {
				t.Fatalf("ci-7: %+v", c)
			}
			k := c.Counters[0]
			if k.Rule != "rate-limited#0" || k.Calls != 2 || k.RateLimit == nil || k.RateLimit.Remaining != 3 || k.RateLimit.Reset == nil {
				t.Fatalf("ci-7's counter: %+v (window %+v)", k, k.RateLimit)
			}
			// A reset of the client takes it off the list.
			do(t, ts, call{method: "POST", path: "/__decoy/reset", body: `{"client": "ci-7"}`})
			if list, _ := clientList(t, ts); len(list) != 0 {
				t.Fatalf("after its reset: %+v", list)
			}
		})
	}
}

// TestClientListIsBounded: the list holds at most 200 clients and says
// when it left some out; a client switched into a scenario is kept.
func TestClientListIsBounded(t *testing.T) {
	ts := withProject(t)
	if res := do(t, ts, call{method: "PUT", path: "/__decoy/clients/zz-chosen", body: `{"scenario": "slow"}`}); res.status != 200 {
		t.Fatalf("PUT: %d %s", res.status, res.body)
	}
	for i := range 205 {
		do(t, ts, call{method: "GET", path: sessionsV2, header: with(authV2, "Prefer", "scenario=rate-limited", "X-Decoy-Client", fmt.Sprintf("c%03d", i))})
	}
	list, more := clientList(t, ts)
	if len(list) != 200 || !more {
		t.Fatalf("%d clients, more=%v; want 200 and more", len(list), more)
	}
	if _, ok := list["zz-chosen"]; !ok {
		t.Errorf("the client switched into a scenario was left out")
	}
	if _, ok := list["c204"]; !ok {
		t.Errorf("the most recent client was left out")
	}
	if _, ok := list["c000"]; ok {
		t.Errorf("the oldest client was listed ahead of newer ones")
	}
}

// perKeyScenarios are scenarios whose rules keep their counters per value
// of their own key, inside each client.
var perKeyScenarios = fstest.MapFS{
	"scenarios/per-key.yaml": {Data: []byte(`name: per-key
description: each API key of a test job has its own limit
rules:
  - operations: [listAgentSessions]
    key: header:Authorization
    rateLimit: {limit: 3, window: 1m}
`)},
	"scenarios/per-ip.yaml": {Data: []byte(`name: per-ip
rules:
  - operations: [listAgentSessions]
    key: ip
    rateLimit: {limit: 5, window: 1m}
`)},
}

// TestClientListShowsCountersPerKeyValue: the counters a rule with its own
// key keeps per value inside a client are listed, in memory and in Redis,
// with a credential masked as the journal masks it (and told apart by a
// fingerprint) and an IP shown.
func TestClientListShowsCountersPerKeyValue(t *testing.T) {
	for _, shared := range []bool{false, true} {
		t.Run(fmt.Sprintf("shared=%v", shared), func(t *testing.T) {
			project := func(store *sharedstate.Redis) mockserver.Project {
				p := mockserver.Project{SpecFS: defaultapi.FS, SpecFile: defaultapi.SpecFile,
					FixturesFS: defaultapi.FS, FixturesDir: "fixtures", ScenariosFS: perKeyScenarios, ScenariosDir: "scenarios"}
				if store != nil {
					p.Counters = store
				}
				return p
			}
			var ts *httptest.Server
			if shared {
				ts = replicasOf(t, miniredis.RunT(t), 1, project)[0]
			} else {
				cfg, err := mockserver.LoadProject(t.Context(), project(nil))
				if err != nil {
					t.Fatal(err)
				}
				srv, err := mockserver.New(cfg)
				if err != nil {
					t.Fatal(err)
				}
				ts = httptest.NewServer(srv)
				t.Cleanup(ts.Close)
			}
			const first, second = "Bearer sk_live_abcdefgh123", "Bearer sk_live_abcdzzzz999"
			for _, c := range []struct{ scenario, auth string }{
				{"per-key", first}, {"per-key", first}, {"per-key", second}, {"per-ip", first},
			} {
				h := map[string]string{"Authorization": c.auth, "Prefer": "scenario=" + c.scenario, "X-Decoy-Client": "ci-1"}
				if res := do(t, ts, call{method: "GET", path: sessionsV2, header: h}); res.status != 200 {
					t.Fatalf("%s call: %d %s", c.scenario, res.status, res.body)
				}
			}
			res := do(t, ts, call{method: "GET", path: "/__decoy/clients"})
			if strings.Contains(string(res.body), "abcdefgh123") || strings.Contains(string(res.body), "zzzz999") {
				t.Fatalf("the list shows a credential: %s", res.body)
			}
			list, _ := clientList(t, ts)
			var got []string
			for _, k := range list["ci-1"].Counters {
				s := fmt.Sprintf("%s %s=%s calls=%d", k.Rule, k.Key, k.Value, k.Calls)
				if k.RateLimit != nil {
					s += fmt.Sprintf(" remaining=%d", k.RateLimit.Remaining)
				}
				got = append(got, s)
			}
			if len(got) != 3 {
				t.Fatalf("ci-1's counters: %q, want two per Authorization value and one per IP", got)
			}
			for i, want := range []string{
				`^per-ip#0 ip=127\.0\.0\.1 calls=1 remaining=4$`,
				`^per-key#0 header:Authorization=Bearer sk_l… #[0-9a-f]{4} calls=[12] remaining=[12]$`,
				`^per-key#0 header:Authorization=Bearer sk_l… #[0-9a-f]{4} calls=[12] remaining=[12]$`,
			} {
				if !regexp.MustCompile(want).MatchString(got[i]) {
					t.Errorf("counter %d: %q, want %s", i, got[i], want)
				}
			}
			if got[1][:len(got[1])-len(" calls=1 remaining=2")] == got[2][:len(got[2])-len(" calls=1 remaining=2")] {
				t.Errorf("the two API keys show alike: %q and %q", got[1], got[2])
			}
		})
	}
}
