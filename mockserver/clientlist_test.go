package mockserver_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/decoy-mock/decoy/mockserver"
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
