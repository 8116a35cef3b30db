package mockserver_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/decoy-mock/decoy/mockserver"
)

// guardedServer starts the default API with cfg changed by mutate, and
// returns the test server and the mock behind it.
func guardedServer(t *testing.T, mutate func(*mockserver.Config)) (*httptest.Server, *mockserver.Server) {
	t.Helper()
	cfg := mockserver.Config{Spec: loadSpec(t, "default"), Seed: 42, CORS: true}
	if mutate != nil {
		mutate(&cfg)
	}
	srv, err := mockserver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts, srv
}

// send sends method path to ts with the given headers; "Host" sets the
// request's Host header.
func send(t *testing.T, ts *httptest.Server, method, path string, header map[string]string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// TestCORSOffKeepsTheAdminCrossOriginGuard is the regression test of issue
// 15 item 3: with --cors=false, a form on any site could POST
// /__decoy/reset (an empty POST needs no preflight) and wipe the state.
func TestCORSOffKeepsTheAdminCrossOriginGuard(t *testing.T) {
	for _, cors := range []bool{false, true} {
		ts, srv := guardedServer(t, func(c *mockserver.Config) { c.CORS = cors })
		if status, _, _ := send(t, ts, "GET", "/v2/agents/agt_a/sessions", authV2); status != 200 {
			t.Fatalf("cors=%v: the seed request answered %d", cors, status)
		}
		for _, h := range []map[string]string{
			{"Origin": "https://evil.example"},
			{"Origin": "null"},
			{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"},
			// A form POST is a navigation, and still cross-site.
			{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"},
		} {
			status, hdr, body := send(t, ts, "POST", "/__decoy/reset", h)
			if status != 403 || !strings.Contains(hdr.Get("Content-Type"), "problem+json") || !strings.Contains(body, "admin-cross-origin") {
				t.Errorf("cors=%v: POST /__decoy/reset with %v: %d %s", cors, h, status, body)
			}
			if n := srv.Journal().Len(); n != 1 {
				t.Errorf("cors=%v: the refused reset with %v left %d journal entries, want 1", cors, h, n)
			}
		}
		// Reads from another site are refused as well: they would read
		// journaled request bodies.
		if status, _, _ := send(t, ts, "GET", "/__decoy/requests", map[string]string{"Origin": "https://evil.example"}); status != 403 {
			t.Errorf("cors=%v: GET /__decoy/requests from another site: %d", cors, status)
		}
		// Pages on this machine, tools (no Origin) and same-site fetches
		// keep working; a link followed from another site to a page of
		// the admin API reads nothing the linking page can see.
		for _, h := range []map[string]string{
			nil,
			{"Origin": "http://localhost:5173"},
			{"Origin": "http://127.0.0.1:3000"},
			{"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "cors", "Origin": "http://localhost:3000"},
			{"Sec-Fetch-Site": "none", "Sec-Fetch-Mode": "navigate"},
		} {
			if status, _, body := send(t, ts, "GET", "/__decoy/health", h); status != 200 {
				t.Errorf("cors=%v: GET /__decoy/health with %v: %d %s", cors, h, status, body)
			}
		}
		if status, _, body := send(t, ts, "GET", "/__decoy/health", map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}); status != 200 {
			t.Errorf("cors=%v: a link from another site to GET /__decoy/health: %d %s", cors, status, body)
		}
		if status, _, _ := send(t, ts, "POST", "/__decoy/reset", map[string]string{"Origin": "http://localhost:5173"}); status != 200 {
			t.Errorf("cors=%v: POST /__decoy/reset from a local page: %d", cors, status)
		}
	}
}

// TestAdminAnswersLoopbackHostsOnly is the regression test of issue 15
// item 4: a DNS-rebound page (Host: evil.example:4010) read the journal.
func TestAdminAnswersLoopbackHostsOnly(t *testing.T) {
	ts, _ := guardedServer(t, nil)
	send(t, ts, "POST", "/v2/agents/agt_a/sessions", authV2)
	for _, host := range []string{"evil.example:4010", "evil.example", "localhost.evil.example", "10.0.0.1:4010", "127.0.0.1.nip.io"} {
		status, hdr, body := send(t, ts, "GET", "/__decoy/requests", map[string]string{"Host": host})
		if status != 403 || !strings.Contains(hdr.Get("Content-Type"), "problem+json") || !strings.Contains(body, "--allowed-host") {
			t.Errorf("Host %s: %d %s; want 403 naming --allowed-host", host, status, body)
		}
	}
	for _, host := range []string{"localhost", "localhost:4010", "LOCALHOST:4010", "app.localhost:4010", "127.0.0.1", "127.0.0.1:4010", "127.1.2.3:80", "[::1]:4010", "[::1]", "localhost.:4010"} {
		if status, _, body := send(t, ts, "GET", "/__decoy/health", map[string]string{"Host": host}); status != 200 {
			t.Errorf("Host %s: %d %s, want 200", host, status, body)
		}
	}
	// The mocked API answers any host, as a real API behind any name does.
	if status, _, _ := send(t, ts, "GET", "/v2/agents/agt_a/sessions", with(authV2, "Host", "evil.example:4010")); status != 200 {
		t.Errorf("the API with Host evil.example: %d", status)
	}
	// A preflight for the admin API from such a host is refused too.
	if status, _, _ := send(t, ts, "OPTIONS", "/__decoy/reset", map[string]string{"Host": "evil.example", "Origin": "http://evil.example", "Access-Control-Request-Method": "POST"}); status != 403 {
		t.Errorf("preflight with Host evil.example: %d", status)
	}
}

func TestAllowedHostsAddNames(t *testing.T) {
	ts, _ := guardedServer(t, func(c *mockserver.Config) { c.AllowedHosts = []string{"decoy.test", "Mock.Internal:4010"} })
	for host, want := range map[string]int{"decoy.test": 200, "decoy.test:4010": 200, "DECOY.TEST": 200, "mock.internal": 200,
		"localhost:4010": 200, "evil.example": 403, "sub.decoy.test": 403} {
		if status, _, _ := send(t, ts, "GET", "/__decoy/health", map[string]string{"Host": host}); status != want {
			t.Errorf("Host %s: %d, want %d", host, status, want)
		}
	}
	// A page served under an allowed name may use the admin API too.
	if status, _, _ := send(t, ts, "POST", "/__decoy/reset", map[string]string{"Host": "decoy.test", "Origin": "http://decoy.test:3000"}); status != 200 {
		t.Errorf("POST /__decoy/reset from a page on an allowed host: %d", status)
	}
	any, _ := guardedServer(t, func(c *mockserver.Config) { c.AllowedHosts = []string{"*"} })
	if status, _, _ := send(t, any, "GET", "/__decoy/health", map[string]string{"Host": "whatever.example"}); status != 200 {
		t.Errorf("--allowed-host '*': %d", status)
	}
}

// serveFrom calls srv as if the connection had come in on local.
func serveFrom(srv http.Handler, local net.Addr, host, token, origin string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", "/__decoy/health", nil)
	req.Host = host
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey, local))
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec
}

// TestAdminTokenGuardsBeyondLoopback: on a connection that came in on a
// non-loopback address, with an admin token, the token is the guard and any
// Host is answered, unless AllowedHosts names the hosts.
func TestAdminTokenGuardsBeyondLoopback(t *testing.T) {
	lan := &net.TCPAddr{IP: net.ParseIP("192.0.2.10"), Port: 4010}
	lo := &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 4010}
	mk := func(mutate func(*mockserver.Config)) *mockserver.Server {
		cfg := mockserver.Config{Spec: loadSpec(t, "default"), AdminToken: "s3cret"}
		if mutate != nil {
			mutate(&cfg)
		}
		srv, err := mockserver.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return srv
	}
	tokened := mk(nil)
	tests := []struct {
		name        string
		srv         *mockserver.Server
		local       net.Addr
		host, token string
		origin      string
		want        int
	}{
		{"token, beyond loopback, any host", tokened, lan, "decoy.example.com:4010", "s3cret", "", 200},
		{"no token, beyond loopback", tokened, lan, "decoy.example.com:4010", "", "", 401},
		{"token, loopback, foreign host", tokened, lo, "evil.example:4010", "s3cret", "", 403},
		{"token, loopback, loopback host", tokened, lo, "127.0.0.1:4010", "s3cret", "", 200},
		{"allowed hosts given", mk(func(c *mockserver.Config) { c.AllowedHosts = []string{"decoy.example.com"} }), lan, "other.example.com", "s3cret", "", 403},
		{"allowed hosts given, that host", mk(func(c *mockserver.Config) { c.AllowedHosts = []string{"decoy.example.com"} }), lan, "decoy.example.com", "s3cret", "", 200},
		{"token, beyond loopback, a page of that host", tokened, lan, "decoy.example.com:4010", "s3cret", "http://decoy.example.com:4010", 200},
		{"token, beyond loopback, a page of another site", tokened, lan, "decoy.example.com:4010", "s3cret", "http://evil.example", 403},
		{"token, loopback, a rebound page", tokened, lo, "evil.example:4010", "s3cret", "http://evil.example:4010", 403},
		{"no token at all, beyond loopback", mk(func(c *mockserver.Config) { c.AdminToken = "" }), lan, "decoy.example.com", "", "", 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := serveFrom(tc.srv, tc.local, tc.host, tc.token, tc.origin)
			if rec.Code != tc.want {
				t.Errorf("%d %s, want %d", rec.Code, rec.Body, tc.want)
			}
		})
	}
}

func TestHostAllowed(t *testing.T) {
	for host, want := range map[string]bool{
		"": true, "localhost": true, "a.b.localhost:1": true, "127.0.0.1": true, "127.255.0.9:9": true, "[::1]:1": true, "::1": true,
		"[::ffff:127.0.0.1]:4010": true,
		"evil.example":            false, "localhost.evil": false, "0.0.0.0:4010": false, "[::]:4010": false, "192.168.1.2": false, "[fe80::1]:1": false,
		"localhost:notaport:x": false,
	} {
		if got := mockserver.HostAllowed(host, nil); got != want {
			t.Errorf("HostAllowed(%q) = %v, want %v", host, got, want)
		}
	}
	if !mockserver.HostAllowed("Box.LAN:80", []string{"box.lan"}) || mockserver.HostAllowed("box.lan", []string{"other"}) {
		t.Error("HostAllowed ignores the allowed names")
	}
}
