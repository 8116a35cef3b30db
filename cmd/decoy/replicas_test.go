package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/decoy-mock/decoy/internal/redistest"
)

// buildDecoy builds this command once into a temp folder.
func buildDecoy(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build decoy:", err)
	}
	bin := filepath.Join(t.TempDir(), "decoy")
	out, err := exec.Command(gobin, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startReplica runs `decoy serve` on a free port of loopback and waits
// until it answers.
func startReplica(t *testing.T, bin string, args ...string) string {
	t.Helper()
	port := freePort(t)
	logf, err := os.Create(filepath.Join(t.TempDir(), "decoy.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append([]string{"serve", "--port", strconv.Itoa(port), "--quiet", "--watch=false"}, args...)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			t.Logf("log of the replica on port %d:\n%s", port, b)
		}
	})
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(base + "/__decoy/health")
		if err == nil {
			resp.Body.Close()
			return base
		}
		if time.Now().After(deadline) {
			t.Fatalf("decoy on port %d did not answer within 20s: %v", port, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type answer struct {
	status              int
	retryAfter, remains string
}

func getReplica(t *testing.T, url string, header ...string) answer {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer sk_test_123")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return answer{resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("X-RateLimit-Remaining")}
}

// TestReplicasShareRedis runs three decoy processes on one real Redis, the
// requests spread round-robin, as issue 18 asks: rate limits hold across
// the three, any replica's report counts every request, a client switched
// into a scenario on one replica is in it on all, and a lost Redis turns
// only the parts that need it into 503s until it is back.
func TestReplicasShareRedis(t *testing.T) {
	if testing.Short() {
		t.Skip("starts redis-server and three decoy processes")
	}
	redis := redistest.Start(t)
	bin := buildDecoy(t)
	// The default project, with a rate limit of a short window too, to see
	// recovery without waiting a minute.
	dir := filepath.Join(t.TempDir(), "project")
	if _, stderr, err := runCLI(t, "init", dir); err != nil {
		t.Fatalf("init: %v %s", err, stderr)
	}
	short := "name: rate-limited-2s\nrules:\n  - operations: [listAgentSessions]\n    rateLimit: {limit: 5, window: 2s, key: header:Authorization}\n"
	if err := os.WriteFile(filepath.Join(dir, "scenarios", "rate-limited-2s.yaml"), []byte(short), 0o644); err != nil {
		t.Fatal(err)
	}
	var rs []string
	for range 3 {
		rs = append(rs, startReplica(t, bin, "--dir", dir, "--shared-state", redis.URL(), "--shared-state-timeout", "1s"))
	}
	const list = "/v2/agents/agt_customer_support/sessions"
	sent := 0
	send := func(i int, header ...string) answer {
		sent++
		return getReplica(t, rs[i%3]+list, header...)
	}

	t.Run("rate limit across replicas", func(t *testing.T) {
		for i := range 12 {
			a := send(i, "Prefer", "scenario=rate-limited")
			switch {
			case i < 5 && (a.status != 200 || a.remains != strconv.Itoa(4-i)):
				t.Fatalf("call %d on replica %d: %+v; want 200 with %d remaining", i+1, i%3, a, 4-i)
			case i >= 5 && (a.status != 429 || a.retryAfter != "60" || a.remains != "0"):
				t.Fatalf("call %d on replica %d: %+v; want 429 with Retry-After 60", i+1, i%3, a)
			}
		}
	})
	t.Run("recovery after the window", func(t *testing.T) {
		var passed, limited int
		for i := range 8 {
			a := send(i, "Prefer", "scenario=rate-limited-2s", "Authorization", "Bearer sk_short")
			switch {
			case a.status == 200:
				passed++
			case a.status == 429 && a.retryAfter != "" && a.retryAfter <= "2":
				limited++
			default:
				t.Fatalf("call %d: %+v", i+1, a)
			}
		}
		if passed != 5 || limited != 3 {
			t.Fatalf("%d passed and %d limited; want 5 and 3", passed, limited)
		}
		time.Sleep(2100 * time.Millisecond)
		for i := range 5 {
			if a := send(i+1, "Prefer", "scenario=rate-limited-2s", "Authorization", "Bearer sk_short"); a.status != 200 {
				t.Fatalf("after the window, call %d: %+v", i+1, a)
			}
		}
		if a := send(0, "Prefer", "scenario=rate-limited-2s", "Authorization", "Bearer sk_short"); a.status != 429 {
			t.Fatalf("the 6th call of the new window: %+v", a)
		}
	})
	t.Run("report from one replica counts all", func(t *testing.T) {
		var rep struct {
			Summary struct {
				Requests int `json:"requests"`
			} `json:"summary"`
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			out, stderr, err := runCLI(t, "report", "--url", rs[1], "--json")
			if err != nil {
				t.Fatalf("decoy report: %v %s", err, stderr)
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("report: %v\n%s", err, out)
			}
			if rep.Summary.Requests == sent || time.Now().After(deadline) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if rep.Summary.Requests != sent {
			t.Fatalf("decoy report --url %s counts %d requests; %d were sent across the three", rs[1], rep.Summary.Requests, sent)
		}
	})
	t.Run("a client switched on one replica is switched on all", func(t *testing.T) {
		// Each replica learns a choice through a publication, in the
		// order they were made: once a replica has switched the client
		// probe, switched after qa, it has switched qa, whose window no
		// call has touched yet.
		for _, client := range []string{"qa", "probe"} {
			if status, body := callReplica(t, "PUT", rs[0]+"/__decoy/clients/"+client, `{"scenario": "rate-limited"}`, ""); status != 200 {
				t.Fatalf("PUT /__decoy/clients/%s on A: %d %s", client, status, body)
			}
		}
		deadline := time.Now().Add(10 * time.Second)
		for i := range 3 {
			for getReplica(t, rs[i]+list, "X-Decoy-Client", "probe").remains == "" {
				if time.Now().After(deadline) {
					t.Fatalf("replica %d did not switch the client probe within 10s", i)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		for i := range 9 {
			a := getReplica(t, rs[i%3]+list, "X-Decoy-Client", "qa")
			switch {
			case i < 5 && (a.status != 200 || a.remains != strconv.Itoa(4-i)):
				t.Fatalf("qa's call %d on replica %d: %+v; want 200 with %d remaining", i+1, i%3, a, 4-i)
			case i >= 5 && (a.status != 429 || a.retryAfter == ""):
				t.Fatalf("qa's call %d on replica %d: %+v; want 429 with Retry-After", i+1, i%3, a)
			}
		}
		for i := range 9 {
			if a := getReplica(t, rs[i%3]+list, "X-Decoy-Client", "dev"); a.status != 200 || a.remains != "" {
				t.Fatalf("dev's call %d on replica %d: %+v; want 200 outside any scenario", i+1, i%3, a)
			}
		}
		status, body := callReplica(t, "GET", rs[2]+"/__decoy/clients", "", "")
		var listed struct {
			Clients []struct{ Client, Scenario string }
		}
		if err := json.Unmarshal(body, &listed); status != 200 || err != nil {
			t.Fatalf("GET /__decoy/clients on C: %d %v %s", status, err, body)
		}
		if !slices.ContainsFunc(listed.Clients, func(c struct{ Client, Scenario string }) bool {
			return c.Client == "qa" && c.Scenario == "rate-limited"
		}) {
			t.Fatalf("GET /__decoy/clients on C does not list qa in rate-limited: %s", body)
		}
		// Cleared on C, qa follows the global scenario (none) on A again.
		for _, client := range []string{"qa", "probe"} {
			if status, body := callReplica(t, "DELETE", rs[2]+"/__decoy/clients/"+client, "", ""); status != 204 {
				t.Fatalf("DELETE /__decoy/clients/%s on C: %d %s", client, status, body)
			}
		}
		deadline = time.Now().Add(10 * time.Second)
		for getReplica(t, rs[0]+list, "X-Decoy-Client", "qa").status != 200 {
			if time.Now().After(deadline) {
				t.Fatal("qa, cleared on C, is still limited on A after 10s")
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	t.Run("redis lost and back", func(t *testing.T) {
		redis.Stop()
		for i := range 3 {
			start := time.Now()
			if a := send(i, "Prefer", "scenario=rate-limited", "Authorization", "Bearer sk_other"); a.status != 503 {
				t.Fatalf("a rate-limited call on replica %d with Redis down: %+v; want 503", i, a)
			}
			if took := time.Since(start); took > 2*time.Second {
				t.Fatalf("the 503 took %s; the timeout is 1s", took)
			}
			if a := send(i); a.status != 200 {
				t.Fatalf("a stateless call on replica %d with Redis down: %+v; want 200", i, a)
			}
		}
		resp, err := http.Get(rs[2] + "/__decoy/health")
		if err != nil {
			t.Fatal(err)
		}
		var health map[string]any
		json.NewDecoder(resp.Body).Decode(&health)
		resp.Body.Close()
		if health["status"] != "degraded" {
			t.Fatalf("health with Redis down: %v", health)
		}
		redis.Start()
		deadline := time.Now().Add(15 * time.Second)
		for i := 0; ; i++ {
			a := getReplica(t, rs[i%3]+list, "Prefer", "scenario=rate-limited", "Authorization", fmt.Sprintf("Bearer sk_back_%d", i))
			if a.status == 200 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("15s after Redis came back, replica %d still answers %+v", i%3, a)
			}
			time.Sleep(50 * time.Millisecond)
		}
		for i := range 3 {
			if a := getReplica(t, rs[i]+list, "Prefer", "scenario=rate-limited", "Authorization", "Bearer sk_after"); a.status != 200 || !strings.HasPrefix(a.remains, strconv.Itoa(4-i)) {
				t.Fatalf("after recovery, replica %d: %+v", i, a)
			}
		}
	})
}

// TestSharedStateUnreachableAtStart: a Redis that does not answer is a
// clear error naming the flag and the address, and exit status 1.
func TestSharedStateUnreachableAtStart(t *testing.T) {
	_, _, err := runCLI(t, "serve", "--port", "0", "--quiet", "--shared-state", "redis://:s3cret@127.0.0.1:1/0", "--shared-state-timeout", "200ms")
	if err == nil {
		t.Fatal("serve started without its Redis")
	}
	msg := err.Error()
	if !strings.Contains(msg, "--shared-state") || !strings.Contains(msg, "127.0.0.1:1") || !strings.Contains(msg, "cannot reach Redis") || strings.Contains(msg, "s3cret") {
		t.Fatalf("error %q: want the flag, the address, what failed, and no password", msg)
	}
	if code := exitCode(err); code != 1 {
		t.Fatalf("exit status %d; want 1", code)
	}
}

// call sends method to url with an optional JSON body and client key, and
// returns the status and the body.
func callReplica(t *testing.T, method, url, body, client string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if client != "" {
		req.Header.Set("X-Decoy-Client", client)
	}
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// petNames lists the pets a client sees on one replica.
func petNames(t *testing.T, base, client string) []string {
	t.Helper()
	status, body := callReplica(t, "GET", base+"/pets?limit=100", "", client)
	if status != 200 {
		t.Fatalf("GET %s/pets for %q: %d %s", base, client, status, body)
	}
	var page struct {
		Data []struct {
			Name string `json:"name"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatalf("list: %v\n%s", err, body)
	}
	var out []string
	for _, p := range page.Data {
		out = append(out, p.Name)
	}
	return out
}

// TestReplicasShareCollections runs three decoy processes with stateful
// collections on one real Redis, as issue 18 asks: a POST on A is read on B
// and deleted on C, a client's world is the same on every replica and
// nobody else's, a reset on one clears every one, and a lost Redis turns
// the collections into 503s until it is back.
func TestReplicasShareCollections(t *testing.T) {
	if testing.Short() {
		t.Skip("starts redis-server and three decoy processes")
	}
	redis := redistest.Start(t)
	bin := buildDecoy(t)
	dir := filepath.Join(t.TempDir(), "project")
	spec, err := os.ReadFile("../../fixtures/testdata/crud-petstore.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "openapi.yaml"), spec, 0o644); err != nil {
		t.Fatal(err)
	}
	var rs []string
	for range 3 {
		rs = append(rs, startReplica(t, bin, "--dir", dir, "--stateful", "--shared-state", redis.URL(), "--shared-state-timeout", "1s"))
	}
	a, b, c := rs[0], rs[1], rs[2]
	fixtures := petNames(t, a, "")

	t.Run("post on A, get on B, delete on C", func(t *testing.T) {
		status, body := callReplica(t, "POST", a+"/pets", `{"name":"Shared","species":"dog"}`, "")
		if status != 201 {
			t.Fatalf("POST on A: %d %s", status, body)
		}
		var created struct {
			ID json.Number `json:"id"`
		}
		if err := json.Unmarshal(body, &created); err != nil || created.ID == "" {
			t.Fatalf("created: %v %s", err, body)
		}
		item := "/pets/" + created.ID.String()
		if status, body := callReplica(t, "GET", b+item, "", ""); status != 200 || !strings.Contains(string(body), `"Shared"`) {
			t.Fatalf("GET %s on B right after the POST on A: %d %s", item, status, body)
		}
		if status, body := callReplica(t, "DELETE", c+item, "", ""); status != 204 {
			t.Fatalf("DELETE %s on C: %d %s", item, status, body)
		}
		for i, r := range rs {
			if status, _ := callReplica(t, "GET", r+item, "", ""); status != 404 {
				t.Fatalf("GET %s on replica %d after the delete on C: %d", item, i, status)
			}
		}
	})
	t.Run("a client's world on every replica, and only its own", func(t *testing.T) {
		for i, name := range []string{"W0", "W1", "W2"} {
			if status, body := callReplica(t, "POST", rs[i]+"/pets", `{"name":"`+name+`","species":"cat"}`, "world-a"); status != 201 {
				t.Fatalf("POST for world-a on replica %d: %d %s", i, status, body)
			}
		}
		want := strings.Join(append(slices.Clone(fixtures), "W0", "W1", "W2"), ",")
		for i, r := range rs {
			if got := strings.Join(petNames(t, r, "world-a"), ","); got != want {
				t.Fatalf("world-a on replica %d: %s; want %s", i, got, want)
			}
			if got := strings.Join(petNames(t, r, "world-b"), ","); got != strings.Join(fixtures, ",") {
				t.Fatalf("world-b on replica %d sees world-a's writes: %s", i, got)
			}
		}
	})
	t.Run("reset on one clears every replica", func(t *testing.T) {
		if status, body := callReplica(t, "POST", b+"/__decoy/reset", "", ""); status/100 != 2 {
			t.Fatalf("reset on B: %d %s", status, body)
		}
		for i, r := range rs {
			if got := strings.Join(petNames(t, r, "world-a"), ","); got != strings.Join(fixtures, ",") {
				t.Fatalf("world-a on replica %d after the reset on B: %s", i, got)
			}
		}
	})
	t.Run("redis lost and back", func(t *testing.T) {
		redis.Stop()
		for i, r := range rs {
			start := time.Now()
			status, body := callReplica(t, "GET", r+"/pets", "", "")
			if status != 503 || !strings.Contains(string(body), "shared-state-unavailable") {
				t.Fatalf("GET /pets on replica %d with Redis down: %d %s; want the 503 shared-state-unavailable", i, status, body)
			}
			if took := time.Since(start); took > 2*time.Second {
				t.Fatalf("the 503 took %s; the timeout is 1s", took)
			}
			if status, _ := callReplica(t, "POST", r+"/pets", `{"name":"Lost","species":"dog"}`, ""); status != 503 {
				t.Fatalf("POST /pets on replica %d with Redis down: %d; want 503", i, status)
			}
		}
		redis.Start()
		// Each replica finds Redis back on its own probe, without restart.
		deadline := time.Now().Add(15 * time.Second)
		for i, r := range rs {
			for {
				status, _ := callReplica(t, "GET", r+"/pets", "", "")
				if status == 200 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("15s after Redis came back, replica %d still answers %d", i, status)
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
		if status, body := callReplica(t, "POST", c+"/pets", `{"name":"Back","species":"dog"}`, "after"); status != 201 {
			t.Fatalf("POST after recovery: %d %s", status, body)
		}
		want := strings.Join(append(slices.Clone(fixtures), "Back"), ",")
		for i, r := range rs {
			if got := strings.Join(petNames(t, r, "after"), ","); got != want {
				t.Fatalf("replica %d after recovery sees %s; want %s", i, got, want)
			}
		}
	})
}

// TestSharedStateRefusesStateFile: with --shared-state the collections
// live in Redis, so a --state-file beside it is a usage error, before any
// connection is tried.
func TestSharedStateRefusesStateFile(t *testing.T) {
	_, _, err := runCLI(t, "serve", "--port", "0", "--quiet", "--shared-state", "redis://127.0.0.1:1/0", "--state-file", filepath.Join(t.TempDir(), "state.json"))
	if err == nil || !strings.Contains(err.Error(), "--state-file") || !strings.Contains(err.Error(), "Redis") || strings.Contains(err.Error(), "cannot reach") {
		t.Fatalf("serve with --shared-state and --state-file: %v", err)
	}
}
