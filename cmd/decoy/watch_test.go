package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

const specV1 = `openapi: 3.0.3
info: {title: watched, version: "1"}
paths:
  /ping:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              example: {version: 1}
`

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// get polls url until cond holds for the body, or fails after a bounded time.
func waitFor(t *testing.T, url string, cond func(status int, body string) bool) (int, string) {
	t.Helper()
	var status int
	var body string
	for i := 0; i < 200; i++ {
		resp, err := http.Get(url)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			status, body = resp.StatusCode, string(b)
			if cond(status, body) {
				return status, body
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("%s never met the condition; last: %d %s", url, status, body)
	return 0, ""
}

// saveByRename writes content the way vim and JetBrains do: a new file,
// renamed over the old one.
func saveByRename(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".decoy-test~"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func TestWatchReloadsKeepsServingOnBrokenEditAndPicksUpTheFix(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "openapi.yaml")
	if err := os.WriteFile(spec, []byte(specV1), 0o644); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--dir", dir, "--port", fmt.Sprint(port), "--quiet"}, io.Discard, logs)
	}()
	url := fmt.Sprintf("http://127.0.0.1:%d/ping", port)
	waitFor(t, url, func(s int, b string) bool { return s == 200 && strings.Contains(b, `"version":1`) })

	saveByRename(t, spec, strings.Replace(specV1, "{version: 1}", "{version: 2}", 1))
	waitFor(t, url, func(s int, b string) bool { return strings.Contains(b, `"version":2`) })

	// A broken edit: the old state keeps serving and the log says why,
	// naming the file and line.
	if err := os.WriteFile(spec, []byte(specV1+"\n  broken: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "reload failed") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "reload failed") || !strings.Contains(logs.String(), "openapi.yaml") {
		t.Fatalf("no reload error logged: %s", logs.String())
	}
	waitFor(t, url, func(s int, b string) bool { return strings.Contains(b, `"version":2`) })

	// The fix is picked up on the next save.
	saveByRename(t, spec, strings.Replace(specV1, "{version: 1}", "{version: 3}", 1))
	waitFor(t, url, func(s int, b string) bool { return strings.Contains(b, `"version":3`) })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestShutdownFinishesRequestsInFlight(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "openapi.yaml"), []byte(specV1), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "scenarios"), 0o755); err != nil {
		t.Fatal(err)
	}
	slow := "name: slow\ndescription: 400ms on everything\nrules:\n  - operations: ['*']\n    latency: 400ms\n"
	if err := os.WriteFile(filepath.Join(dir, "scenarios", "slow.yaml"), []byte(slow), 0o644); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--dir", dir, "--port", fmt.Sprint(port), "--quiet", "--scenario", "slow"}, io.Discard, io.Discard)
	}()
	url := fmt.Sprintf("http://127.0.0.1:%d/ping", port)
	waitFor(t, url, func(s int, _ string) bool { return s == 200 })
	got := make(chan int, 1)
	go func() {
		resp, err := http.Get(url)
		if err != nil {
			got <- 0
			return
		}
		resp.Body.Close()
		got <- resp.StatusCode
	}()
	time.Sleep(100 * time.Millisecond) // the request is now waiting out its latency
	cancel()                           // SIGINT
	if status := <-got; status != 200 {
		t.Errorf("the request in flight got %d, want 200", status)
	}
	if err := <-done; err != nil {
		t.Errorf("run: %v", err)
	}
	if _, err := http.Get(url); err == nil {
		t.Error("still accepting after shutdown")
	}
}

// TestServeWaitsForTheWatcher: serve returns only once its file watcher
// has stopped, even when a reload is loading at shutdown; a watcher left
// running would reload (and log) after "stopped", and outlive serve.
func TestServeWaitsForTheWatcher(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "openapi.yaml")
	// A spec that takes a while to load, so that the reload below is
	// still loading when serve is stopped.
	var b strings.Builder
	b.WriteString("openapi: 3.0.3\ninfo: {title: big, version: \"1\"}\npaths:\n")
	for i := range 2000 {
		fmt.Fprintf(&b, "  /r%d/{id}:\n    get:\n      parameters:\n        - {name: id, in: path, required: true, schema: {type: string, pattern: \"^[a-z]+$\"}}\n"+
			"      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n"+
			"              schema: {type: object, properties: {a: {type: string}, b: {type: integer, minimum: 1}}}\n", i)
	}
	if err := os.WriteFile(spec, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--dir", dir, "--port", fmt.Sprint(port), "--quiet"}, io.Discard, logs)
	}()
	waitFor(t, fmt.Sprintf("http://127.0.0.1:%d/r1/a", port), func(s int, _ string) bool { return s == 200 })
	saveByRename(t, spec, strings.Replace(b.String(), `version: "1"`, `version: "2"`, 1))
	time.Sleep(debounce + 50*time.Millisecond) // the reload is loading
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1<<20)
	stacks := string(buf[:runtime.Stack(buf, true)])
	if strings.Contains(stacks, "cmd/decoy.watch(") {
		t.Errorf("the file watcher runs on after serve returned:\n%s", stacks)
	}
	if out, i := logs.String(), strings.Index(logs.String(), "INFO  stopped"); i < 0 || strings.Contains(out[i:], "reload") {
		t.Errorf("no stop, or a reload logged after it:\n%s", out)
	}
}
