package mockserver_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/decoy-mock/decoy/defaultapi"
	"github.com/decoy-mock/decoy/mockserver"
	"github.com/decoy-mock/decoy/scenarios"
)

// withScenarios loads the default API's scenarios and the test ones.
func withScenarios(t testing.TB, dir string) func(*mockserver.Config) {
	return func(c *mockserver.Config) {
		var (
			set *scenarios.Set
			err error
		)
		if dir == "" {
			set, err = scenarios.Load(defaultapi.FS, "scenarios", c.Spec, scenarios.Options{Seed: 1})
		} else {
			set, err = scenarios.Load(os.DirFS("testdata"), dir, c.Spec, scenarios.Options{Seed: 1})
		}
		if err != nil {
			t.Fatal(err)
		}
		c.Scenarios = set
	}
}

const v2 = "/v2/agents/agt_customer_support/sessions"

func TestDefaultScenarios(t *testing.T) {
	ts, _ := newServer(t, "default", withScenarios(t, ""))
	tests := []struct {
		scenario string
		method   string
		path     string
		header   map[string]string
		body     string
		status   int
		code     string // error.code in the body
	}{
		{"agent-not-found", "GET", v2, authV2, "", 404, "agent_not_found"},
		{"unauthorized", "GET", v2, authV2, "", 401, "unauthorized"},
		{"forbidden", "GET", v2, authV2, "", 403, "forbidden"},
		{"invalid-request", "GET", v2, authV2, "", 400, "invalid_request"},
		{"server-error", "POST", "/v1/agents/sessions/list", authV1, `{}`, 500, "internal_error"},
		{"server-error", "GET", v2, authV2, "", 500, ""},
	}
	for _, tt := range tests {
		t.Run(tt.scenario+" "+tt.method, func(t *testing.T) {
			res := do(t, ts, call{method: tt.method, path: tt.path, header: with(tt.header, "Prefer", "scenario="+tt.scenario), body: tt.body})
			if res.status != tt.status {
				t.Fatalf("status %d, want %d: %s", res.status, tt.status, res.body)
			}
			if tt.code == "" {
				if res.header.Get("Content-Type") != "application/problem+json" {
					t.Errorf("undocumented %d should be a problem document: %s", tt.status, res.body)
				}
				return
			}
			if code := res.json(t)["error"].(map[string]any)["code"]; code != tt.code {
				t.Errorf("error.code = %v, want %s", code, tt.code)
			}
		})
	}
}

func TestRateLimitedScenario(t *testing.T) {
	ts, _ := newServer(t, "default", withScenarios(t, ""))
	h := with(authV2, "Prefer", "scenario=rate-limited")
	for i := 1; i <= 5; i++ {
		res := do(t, ts, call{method: "GET", path: v2, header: h})
		if res.status != 200 || res.header.Get("X-RateLimit-Remaining") != fmt.Sprint(5-i) || res.header.Get("X-RateLimit-Limit") != "5" {
			t.Fatalf("call %d: %d remaining=%q", i, res.status, res.header.Get("X-RateLimit-Remaining"))
		}
	}
	res := do(t, ts, call{method: "GET", path: v2, header: h})
	if res.status != 429 || res.header.Get("Retry-After") != "60" || res.json(t)["error"].(map[string]any)["code"] != "rate_limit_exceeded" {
		t.Fatalf("6th call: %d Retry-After=%q %s", res.status, res.header.Get("Retry-After"), res.body)
	}
	// Another API key has its own budget.
	if res := do(t, ts, call{method: "GET", path: v2, header: with(h, "Authorization", "Bearer other")}); res.status != 200 {
		t.Errorf("other key: %d", res.status)
	}
	// Reset clears the counters.
	if res := do(t, ts, call{method: "POST", path: "/__decoy/reset"}); res.status != 200 {
		t.Fatalf("reset: %d %s", res.status, res.body)
	}
	if res := do(t, ts, call{method: "GET", path: v2, header: h}); res.status != 200 {
		t.Errorf("after reset: %d", res.status)
	}
}

func TestSequenceScenario(t *testing.T) {
	ts, _ := newServer(t, "default", withScenarios(t, ""))
	h := with(authV2, "Prefer", "scenario=sequence", "X-Decoy-Client", "retry-test")
	var got []int
	for i := 0; i < 5; i++ {
		got = append(got, do(t, ts, call{method: "GET", path: v2, header: h}).status)
	}
	if fmt.Sprint(got) != "[200 200 429 200 200]" {
		t.Errorf("statuses %v, want 200 200 429 200 200", got)
	}
}

func TestScenarioSelection(t *testing.T) {
	ts, _ := newServer(t, "default", withScenarios(t, ""))
	t.Run("unknown name is a 400 listing the known ones", func(t *testing.T) {
		for _, c := range []call{
			{method: "GET", path: v2, header: with(authV2, "Prefer", "scenario=nope")},
			{method: "GET", path: v2 + "?__scenario=nope", header: authV2},
		} {
			res := do(t, ts, c)
			if res.status != 400 || !bytes.Contains(res.body, []byte("rate-limited")) {
				t.Errorf("%d %s", res.status, res.body)
			}
		}
		res := do(t, ts, call{method: "PUT", path: "/__decoy/scenario", body: `{"name": "nope"}`})
		if res.status != 400 || !bytes.Contains(res.body, []byte("agent-not-found")) {
			t.Errorf("PUT unknown: %d %s", res.status, res.body)
		}
	})
	t.Run("query fallback", func(t *testing.T) {
		if res := do(t, ts, call{method: "GET", path: v2 + "?__scenario=forbidden", header: authV2}); res.status != 403 {
			t.Errorf("%d", res.status)
		}
	})
	t.Run("admin selects for everyone, a request can override, DELETE clears", func(t *testing.T) {
		if res := do(t, ts, call{method: "PUT", path: "/__decoy/scenario", body: `{"name": "agent-not-found"}`}); res.status != 200 {
			t.Fatalf("%d %s", res.status, res.body)
		}
		if res := do(t, ts, call{method: "GET", path: v2, header: authV2}); res.status != 404 {
			t.Errorf("active scenario: %d", res.status)
		}
		if res := do(t, ts, call{method: "GET", path: v2, header: with(authV2, "Prefer", "scenario=forbidden")}); res.status != 403 {
			t.Errorf("per-request override: %d", res.status)
		}
		var list struct {
			Active    string
			Scenarios []scenarios.Summary
		}
		res := do(t, ts, call{method: "GET", path: "/__decoy/scenarios"})
		if err := json.Unmarshal(res.body, &list); err != nil || list.Active != "agent-not-found" || len(list.Scenarios) < 9 {
			t.Errorf("list: %v %s", err, res.body)
		}
		if res := do(t, ts, call{method: "DELETE", path: "/__decoy/scenario"}); res.status != 204 {
			t.Errorf("DELETE: %d", res.status)
		}
		if res := do(t, ts, call{method: "GET", path: v2, header: authV2}); res.status != 200 {
			t.Errorf("after DELETE: %d", res.status)
		}
	})
	t.Run("--scenario at start", func(t *testing.T) {
		started, _ := newServer(t, "default", withScenarios(t, ""), func(c *mockserver.Config) { c.Scenario = "forbidden" })
		if res := do(t, started, call{method: "GET", path: v2, header: authV2}); res.status != 403 {
			t.Errorf("%d", res.status)
		}
		spec := loadSpec(t, "default")
		if _, err := mockserver.New(mockserver.Config{Spec: spec, Scenario: "nope"}); err == nil || !strings.Contains(err.Error(), `"nope"`) {
			t.Errorf("unknown start scenario: %v", err)
		}
	})
	t.Run("security runs before scenarios", func(t *testing.T) {
		if res := do(t, ts, call{method: "GET", path: v2, header: map[string]string{"Prefer": "scenario=forbidden"}}); res.status != 401 {
			t.Errorf("%d", res.status)
		}
	})
}

func TestScenarioLatencyWaitsAndRespectsClientsThatLeave(t *testing.T) {
	ts, _ := newServer(t, "default", withScenarios(t, "scenarios"))
	start := time.Now()
	res := do(t, ts, call{method: "GET", path: v2, header: with(authV2, "Prefer", "scenario=quick-latency")})
	if res.status != 200 || time.Since(start) < 50*time.Millisecond {
		t.Errorf("%d after %v, want 200 after at least 50ms", res.status, time.Since(start))
	}
}

// faultClient makes one request on a fresh connection.
func faultCall(t *testing.T, ts *httptest.Server, scenario string) (*http.Response, []byte, error) {
	t.Helper()
	req, _ := http.NewRequest("GET", ts.URL+v2, nil)
	req.Header.Set("Authorization", "Bearer k")
	req.Header.Set("Prefer", "scenario="+scenario)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

func TestFaultsSeenFromARealClient(t *testing.T) {
	ts, _ := newServer(t, "default", withScenarios(t, "scenarios"))
	t.Run("reset", func(t *testing.T) {
		_, _, err := faultCall(t, ts, "reset")
		if !errors.Is(err, syscall.ECONNRESET) && !strings.Contains(fmt.Sprint(err), "reset") && !strings.Contains(fmt.Sprint(err), "EOF") {
			t.Errorf("err = %v, want a connection reset", err)
		}
		if err == nil {
			t.Error("reset answered")
		}
	})
	t.Run("empty", func(t *testing.T) {
		_, _, err := faultCall(t, ts, "empty")
		if err == nil || !strings.Contains(err.Error(), "EOF") {
			t.Errorf("err = %v, want EOF before any reply", err)
		}
	})
	t.Run("truncated", func(t *testing.T) {
		resp, body, err := faultCall(t, ts, "truncated")
		if resp == nil {
			t.Fatalf("no response: %v", err)
		}
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("err = %v, want unexpected EOF; got %d bytes of %d", err, len(body), resp.ContentLength)
		}
		if resp.StatusCode != 200 || len(body) == 0 {
			t.Errorf("status %d, %d bytes", resp.StatusCode, len(body))
		}
	})
	t.Run("malformed", func(t *testing.T) {
		resp, body, err := faultCall(t, ts, "malformed")
		if err != nil {
			t.Fatal(err)
		}
		if resp.Header.Get("Content-Type") != "application/json" || json.Valid(body) {
			t.Errorf("want a JSON content type with a body that is not JSON: %s %s", resp.Header.Get("Content-Type"), body)
		}
	})
	t.Run("server keeps serving", func(t *testing.T) {
		if res := do(t, ts, call{method: "GET", path: v2, header: authV2}); res.status != 200 {
			t.Errorf("%d", res.status)
		}
	})
}

// Many clients hammer a rate-limited rule while the active scenario is
// switched through the admin API: each client's count is exact.
func TestRateLimitPerClientUnderConcurrency(t *testing.T) {
	ts, _ := newServer(t, "default", withScenarios(t, "scenarios"))
	const clients, calls = 16, 8
	var mu sync.Mutex
	ok := map[string]int{}
	limited := map[string]int{}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	go func() {
		names := []string{"quick-latency", "truncated"}
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			body := fmt.Sprintf(`{"name": %q}`, names[i%2])
			req, _ := http.NewRequest("PUT", ts.URL+"/__decoy/scenario", strings.NewReader(body))
			if resp, err := ts.Client().Do(req); err == nil {
				resp.Body.Close()
			}
		}
	}()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(client string) {
			defer wg.Done()
			for i := 0; i < calls; i++ {
				req, _ := http.NewRequest("GET", ts.URL+v2, nil)
				req.Header.Set("Authorization", "Bearer shared")
				req.Header.Set("X-Decoy-Client", client)
				req.Header.Set("Prefer", "scenario=tight-limit")
				resp, err := ts.Client().Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mu.Lock()
				switch resp.StatusCode {
				case 200:
					ok[client]++
				case 429:
					limited[client]++
				}
				mu.Unlock()
			}
		}(fmt.Sprintf("job-%d", c))
	}
	wg.Wait()
	close(stop)
	for c := 0; c < clients; c++ {
		client := fmt.Sprintf("job-%d", c)
		if ok[client] != 3 || limited[client] != calls-3 {
			t.Errorf("%s: %d passed, %d limited; want 3 and %d", client, ok[client], limited[client], calls-3)
		}
	}
}

func TestForced429HasAFreshReset(t *testing.T) {
	ts, _ := newServer(t, "default", withScenarios(t, ""))
	for _, h := range []map[string]string{
		with(authV2, "Prefer", "code=429"),
		with(authV2, "Prefer", "scenario=sequence", "X-Decoy-Client", "fresh-reset"),
	} {
		var res result
		for i := 0; i < 3; i++ { // the sequence answers 429 on its third call
			res = do(t, ts, call{method: "GET", path: v2, header: h})
		}
		if res.status != 429 {
			t.Fatalf("%v: %d", h, res.status)
		}
		reset, _ := strconv.ParseInt(res.header.Get("X-RateLimit-Reset"), 10, 64)
		if now := time.Now().Unix(); reset < now || reset > now+3600 {
			t.Errorf("%v: X-RateLimit-Reset %d is not shortly after now (%d)", h, reset, now)
		}
	}
}
