package main

import (
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
)

// get sends GET url with the given Host header and returns the status and
// body.
func get(t *testing.T, url, host string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestPprofRefusesForeignHosts is the regression test of issue 15 item 4
// for --pprof: a page renamed to 127.0.0.1 (DNS rebinding) could read
// profiles of the process's memory.
func TestPprofRefusesForeignHosts(t *testing.T) {
	at, stop, err := startPprof("127.0.0.1:0", []string{"profiler.test"}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	url := "http://" + at + "/debug/pprof/"
	for host, want := range map[string]int{"evil.example:6060": 403, at: 200, "localhost:6060": 200, "[::1]:6060": 200, "profiler.test:6060": 200} {
		status, body := get(t, url, host)
		if status != want {
			t.Errorf("Host %s: %d, want %d", host, status, want)
		}
		if want == 403 && !strings.Contains(body, "--allowed-host") {
			t.Errorf("Host %s: the refusal does not name --allowed-host: %s", host, body)
		}
	}
	if status, _ := get(t, url, at, "Origin", "https://evil.example"); status != 403 {
		t.Errorf("a page of another site read the profiler: %d", status)
	}
}

// startServe runs `decoy serve` with args on a free loopback port and
// returns its base URL; it stops at the end of the test.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	return startDecoy(t, func(port string) []string {
		return slices.Concat([]string{"serve", "--port", port, "--quiet", "--watch=false"}, args)
	})
}

func TestAllowedHostFlagAndEnv(t *testing.T) {
	t.Setenv("DECOY_ALLOWED_HOSTS", "env-one.test, env-two.test")
	base := startServe(t, "--allowed-host", "flag.test", "--allowed-host", "other.test,third.test")
	for host, want := range map[string]int{"flag.test:4010": 200, "third.test": 200, "localhost": 200,
		"env-one.test": 403, "evil.example": 403} {
		if status, body := get(t, base+"/__decoy/health", host); status != want {
			t.Errorf("flag: Host %s: %d, want %d %s", host, status, want, body)
		}
	}
	// Without the flag, the environment names the hosts.
	base = startServe(t)
	for host, want := range map[string]int{"env-one.test": 200, "env-two.test": 200, "flag.test": 403} {
		if status, body := get(t, base+"/__decoy/health", host); status != want {
			t.Errorf("env: Host %s: %d, want %d %s", host, status, want, body)
		}
	}
	// The mock answers any host.
	if status, _ := get(t, base+"/v2/agents/agt_customer_support/sessions", "evil.example", "Authorization", "Bearer k"); status != 200 {
		t.Errorf("the API with Host evil.example: %d", status)
	}
}

func TestAllowedHostRefusesURLs(t *testing.T) {
	for _, bad := range []string{"http://decoy.test", "decoy.test/admin", "decoy.test:port"} {
		if _, _, err := runCLI(t, "serve", "--allowed-host", bad); err != errUsage {
			t.Errorf("--allowed-host %s: err = %v, want a usage error", bad, err)
		}
	}
	t.Setenv("DECOY_ALLOWED_HOST", "http://decoy.test")
	if _, _, err := runCLI(t, "serve"); exitCode(err) != 2 || !strings.Contains(err.Error(), "DECOY_ALLOWED_HOST") {
		t.Errorf("DECOY_ALLOWED_HOST=http://decoy.test: err = %v, want a usage error naming it", err)
	}
	t.Setenv("DECOY_ALLOWED_HOST", "")
	os.Unsetenv("DECOY_ALLOWED_HOST")
	t.Setenv("DECOY_ALLOWED_HOSTS", "ok.test, https://decoy.test")
	if _, _, err := runCLI(t, "serve"); exitCode(err) != 2 || !strings.Contains(err.Error(), "DECOY_ALLOWED_HOSTS") {
		t.Errorf("DECOY_ALLOWED_HOSTS with a URL: err = %v, want a usage error naming it", err)
	}
}
