package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func runCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = run(t.Context(), args, &out, &errb)
	return out.String(), errb.String(), err
}

func TestValidateReportsLoadErrorsWithPlace(t *testing.T) {
	_, stderr, err := runCLI(t, "validate", "--spec", "../../openapi/testdata/missing-ref.yaml")
	if err == nil || !strings.Contains(stderr, "missing-ref.yaml:14:24") {
		t.Fatalf("err = %v, stderr = %q, want the file and line of the $ref that does not resolve", err, stderr)
	}
	out, _, err := runCLI(t, "validate", "--spec", "../../openapi/testdata/bad-example.yaml")
	if err != nil || !strings.Contains(out, "bad-example (1)\n  ../../openapi/testdata/bad-example.yaml:21:17: /paths/~1a/") {
		t.Fatalf("err = %v, out = %q", err, out)
	}
}

func TestValidateDefault(t *testing.T) {
	out, _, err := runCLI(t, "validate")
	if err != nil || !strings.Contains(out, "openapi.yaml: OpenAPI 3.1, 2 operations, 0 findings") {
		t.Fatalf("err = %v, out = %q", err, out)
	}
}

func TestRoutes(t *testing.T) {
	out, _, err := runCLI(t, "routes", "--spec", "../../mockserver/testdata/specs/swagger2-petstore.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"GET", "/pets/{petId}", "getPet", "listPets"} {
		if !strings.Contains(out, w) {
			t.Errorf("routes output lacks %q:\n%s", w, out)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	tests := [][]string{{"frobnicate"}, {"serve", "--nope"}, {"serve", "extra"}}
	for _, args := range tests {
		if _, _, err := runCLI(t, args...); err != errUsage {
			t.Errorf("%v: err = %v, want usage", args, err)
		}
	}
	if _, _, err := runCLI(t, "serve", "--log-format", "xml"); err != errUsage {
		t.Errorf("bad --log-format: err = %v", err)
	}
}

func TestEnvFillsFlagsAndFlagsWin(t *testing.T) {
	t.Setenv("DECOY_LOG_FORMAT", "yaml")
	_, _, err := runCLI(t, "serve", "--port", "-1")
	if err == nil || !strings.Contains(err.Error(), `DECOY_LOG_FORMAT="yaml"`) {
		t.Fatalf("err = %v, want the bad env var named", err)
	}
	// The flag wins: the bad env value is never read.
	_, _, err = runCLI(t, "serve", "--log-format", "json", "--port", "-1")
	if err == nil || !strings.Contains(err.Error(), "--port -1") {
		t.Fatalf("err = %v, want the port error", err)
	}
}

// syncBuffer is a bytes.Buffer safe to read while the server writes to it.
type syncBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int // Write calls, to tell batched output from line by line
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServeAnswersAndStopsOnSignal(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	t.Setenv("DECOY_PORT", fmt.Sprint(port))
	ctx, cancel := context.WithCancel(t.Context())
	var out, logs syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"--log-format", "json"}, &out, &logs) }()
	url := fmt.Sprintf("http://127.0.0.1:%d/v2/agents/agt_customer_support/sessions?limit=2", port)
	var resp *http.Response
	for i := 0; i < 100; i++ {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer k")
		if resp, err = http.DefaultClient.Do(req); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("server never answered: %v\n%s", err, logs.String())
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("status %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server did not stop")
	}
	if !strings.Contains(out.String(), fmt.Sprintf("on http://127.0.0.1:%d", port)) {
		t.Errorf("banner: %q", out.String())
	}
	if !strings.Contains(logs.String(), `"operation":"listAgentSessions"`) {
		t.Errorf("no JSON request log line: %q", logs.String())
	}
}

func TestReportCommandIsWired(t *testing.T) {
	_, _, err := runCLI(t, "report", "--url", "http://127.0.0.1:1")
	if err == nil || !strings.Contains(err.Error(), "cannot reach Decoy at http://127.0.0.1:1") {
		t.Fatalf("err = %v", err)
	}
}

func TestInitWritesTheDefaultAndNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := runCLI(t, "init", dir); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, "validate", "--dir", dir)
	if err != nil || !strings.Contains(out, "2 collections") || !strings.Contains(out, "11 scenarios") {
		t.Fatalf("the written project does not validate: %v %q", err, out)
	}
	spec := filepath.Join(dir, "openapi.yaml")
	if err := os.WriteFile(spec, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCLI(t, "init", dir); err == nil || !strings.Contains(err.Error(), "not overwriting") {
		t.Fatalf("err = %v", err)
	}
	if b, _ := os.ReadFile(spec); string(b) != "mine" {
		t.Errorf("init overwrote the user's file: %q", b)
	}
}

func TestValidateListsEveryProblem(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := runCLI(t, "init", dir); err != nil {
		t.Fatal(err)
	}
	edit := func(name, old, new string) {
		p := filepath.Join(dir, name)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	edit("fixtures/agent-sessions.yaml", "enabled: true", `enabled: "yes"`)
	edit("scenarios/rate-limited.yaml", "limit: 5", "limit: 0")
	_, stderr, err := runCLI(t, "validate", "--dir", dir)
	if err == nil {
		t.Fatal("validate passed a broken project")
	}
	for _, w := range []string{"fixtures/agent-sessions.yaml:", "/enabled: value must be a boolean", "scenarios/rate-limited.yaml:", "rateLimit.limit"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("validate output lacks %q:\n%s", w, stderr)
		}
	}
}

// TestFlagErrorsNameFlagsWithTwoDashes: the flag package writes "-validate";
// Decoy's help and README write --validate, and so must its errors.
func TestFlagErrorsNameFlagsWithTwoDashes(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--validate=bogus"}, `decoy serve: invalid value "bogus" for flag --validate:`},
		{[]string{"serve", "--nope"}, "decoy serve: flag provided but not defined: --nope"},
		{[]string{"validate", "--spec"}, "decoy validate: flag needs an argument: --spec"},
	} {
		_, stderr, err := runCLI(t, tt.args...)
		if err == nil || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: err = %v, stderr = %q, want %q", tt.args, err, stderr, tt.want)
		}
	}
}
