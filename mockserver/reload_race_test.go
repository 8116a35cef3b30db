package mockserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/decoy-mock/decoy/defaultapi"
	"github.com/decoy-mock/decoy/mockserver"
)

// raceProject is the embedded default project, loaded afresh for every reload.
var raceProject = mockserver.Project{
	SpecFS: defaultapi.FS, SpecFile: defaultapi.SpecFile,
	FixturesFS: defaultapi.FS, FixturesDir: "fixtures",
	ScenariosFS: defaultapi.FS, ScenariosDir: "scenarios",
}

// raceLog counts the server's log records at Error (a recovered panic is
// one) and those at Warn other than the per-request lines (a 4xx exchange
// is logged at Warn), keeping the first few.
type raceLog struct {
	mu    sync.Mutex
	lines []string
	n     int
}

func (l *raceLog) Enabled(_ context.Context, lv slog.Level) bool { return lv >= slog.LevelWarn }
func (l *raceLog) Handle(_ context.Context, r slog.Record) error {
	if r.Level < slog.LevelError && r.Message == "request" {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n++
	if len(l.lines) < 5 {
		l.lines = append(l.lines, r.Level.String()+" "+r.Message)
	}
	return nil
}
func (l *raceLog) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *raceLog) WithGroup(string) slog.Handler      { return l }

// TestReloadRace serves the default project while, at the same time,
// rate-limited clients run, valid and invalid requests come in, the project
// is reloaded in a loop and the active scenario is switched through the
// admin API. Run it with -race: it bounds itself to about 2 s.
//
// What it asserts: no 5xx, no recovered panic (no Error record, and no Warn
// record but the per-request lines), every response a JSON body with a status both documented for its
// operation and in {200, 400, 401, 404, 422, 429}, and every admin switch
// accepted.
//
// The rate limits are exact across reloads: a reload of unchanged files
// keeps the counters of every scenario (Reload carries them over in the
// same step as the swap), so each rate-limited client gets at most limit
// successes in the run, which is far shorter than the 1-minute window.
func TestReloadRace(t *testing.T) {
	const (
		runFor      = 2 * time.Second
		rlClients   = 8
		mixers      = 4
		limit       = 5 // the rate-limited scenario: 5 per minute per key
		v2Path      = "/v2/agents/agt_customer_support/sessions"
		v1Path      = "/v1/agents/sessions/list"
		contentJSON = "application/json"
	)
	ctx := context.Background()
	cfg, err := mockserver.LoadProject(ctx, raceProject)
	if err != nil {
		t.Fatal(err)
	}
	logs := &raceLog{}
	cfg.Logger = slog.New(logs)
	cfg.Seed = 7
	srv, err := mockserver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	client := ts.Client()
	client.Timeout = 10 * time.Second

	// documented is what each operation's spec lists, cut down to the
	// statuses this test may see (no scenario here answers 403, 405, 415
	// or 500).
	allowed := []int{200, 400, 401, 404, 422, 429}
	documented := map[string][]int{
		"v1":    {200, 400, 401, 404, 422, 429},
		"v2":    {200, 400, 401, 404, 429},
		"route": {404},
	}

	var (
		failMu   sync.Mutex
		failures []string
		requests atomic.Int64
	)
	fail := func(format string, a ...any) {
		failMu.Lock()
		defer failMu.Unlock()
		if len(failures) < 20 {
			failures = append(failures, fmt.Sprintf(format, a...))
		}
	}
	// send makes one request and checks its answer against op's statuses;
	// it returns the status (0 on a transport error).
	send := func(op, method, path, body string, header map[string]string) int {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, err := http.NewRequest(method, ts.URL+path, rd)
		if err != nil {
			fail("%s %s: %v", method, path, err)
			return 0
		}
		if body != "" {
			req.Header.Set("Content-Type", contentJSON)
		}
		for k, v := range header {
			req.Header.Set(k, v)
		}
		requests.Add(1)
		resp, err := client.Do(req)
		if err != nil {
			fail("%s %s: %v", method, path, err)
			return 0
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			fail("%s %s: reading the body: %v", method, path, err)
			return 0
		}
		st := resp.StatusCode
		switch {
		case st >= 500:
			fail("%s %s: %d: %s", method, path, st, b)
		case op == "admin":
			if st != 200 && st != 204 {
				fail("%s %s: admin answered %d: %s", method, path, st, b)
			}
		case !slices.Contains(allowed, st) || !slices.Contains(documented[op], st):
			fail("%s %s: status %d is not expected for %s: %s", method, path, st, op, b)
		}
		if st != http.StatusNoContent && !json.Valid(b) {
			fail("%s %s: %d body is not JSON (%s): %q", method, path, st, resp.Header.Get("Content-Type"), b)
		}
		return st
	}

	deadline := time.Now().Add(runFor)
	var (
		wg      sync.WaitGroup
		reloads atomic.Int64
	)

	// Rate-limited clients, each its own key (X-Decoy-Client), sequential.
	successes := make([]int, rlClients)
	limited := make([]int, rlClients)
	for i := range rlClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := map[string]string{"Authorization": "Bearer sk_race", "X-Decoy-Client": fmt.Sprintf("race-client-%d", i), "Prefer": "scenario=rate-limited"}
			for time.Now().Before(deadline) {
				switch send("v2", "GET", v2Path+"?limit=2", "", h) {
				case 200:
					successes[i]++
				case 429:
					limited[i]++
				case 0:
					return
				}
			}
		}()
	}

	// Valid and invalid requests of every kind.
	mixed := []struct {
		op, method, path, body string
		header                 map[string]string
	}{
		{"v2", "GET", v2Path + "?limit=3&enabled=true", "", map[string]string{"Authorization": "Bearer sk_race"}},
		{"v2", "GET", "/v2/agents/agt_nobody/sessions", "", map[string]string{"Authorization": "Bearer sk_race"}},
		{"v1", "POST", v1Path + "?limit=5", `{"status": "archived"}`, map[string]string{"Authorization": "Bearer sk_race", "X-Namespace": "ns_demo"}},
		{"v1", "POST", v1Path, `{}`, map[string]string{"Authorization": "Bearer sk_race", "X-Namespace": "ns_empty"}},
		{"v2", "GET", v2Path + "?limit=500", "", map[string]string{"Authorization": "Bearer sk_race"}},
		{"v2", "GET", v2Path + "?page_key=garbage", "", map[string]string{"Authorization": "Bearer sk_race"}},
		{"v2", "GET", v2Path, "", nil},
		{"v1", "POST", v1Path, `{"status": `, map[string]string{"Authorization": "Bearer sk_race", "X-Namespace": "ns_demo"}},
		{"v1", "POST", v1Path + "?limit=0", `{"status": "paused"}`, map[string]string{"Authorization": "Bearer sk_race", "X-Namespace": "ns_demo"}},
		{"v1", "POST", v1Path, `{}`, map[string]string{"X-Namespace": "ns_demo"}},
		{"route", "GET", "/v3/nope", "", map[string]string{"Authorization": "Bearer sk_race"}},
	}
	for w := range mixers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; time.Now().Before(deadline); i++ {
				m := mixed[i%len(mixed)]
				if send(m.op, m.method, m.path, m.body, m.header) == 0 {
					return
				}
			}
		}()
	}

	// Reloads of freshly loaded projects, back to back.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for time.Now().Before(deadline) {
			next, err := mockserver.LoadProject(ctx, raceProject)
			if err != nil {
				fail("LoadProject: %v", err)
				return
			}
			if err := srv.Reload(next); err != nil {
				fail("Reload: %v", err)
				return
			}
			reloads.Add(1)
		}
	}()

	// The active scenario, switched through the admin API. None of these
	// answers outside the allowed statuses (no forbidden, flaky, slow or
	// server-error).
	wg.Add(1)
	go func() {
		defer wg.Done()
		cycle := []string{"agent-not-found", "", "invalid-request", "unauthorized", "", "namespace-not-found", "sequence"}
		for i := 0; time.Now().Before(deadline); i++ {
			name := cycle[i%len(cycle)]
			if name == "" {
				send("admin", "DELETE", "/__decoy/scenario", "", nil)
			} else {
				send("admin", "PUT", "/__decoy/scenario", `{"name": "`+name+`"}`, nil)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	wg.Wait()

	for _, f := range failures {
		t.Error(f)
	}
	logs.mu.Lock()
	if logs.n > 0 {
		t.Errorf("%d log records at Error, or at Warn besides request lines; first: %q", logs.n, logs.lines)
	}
	logs.mu.Unlock()
	n := reloads.Load()
	if n == 0 {
		t.Error("no reload happened")
	}
	for i := range rlClients {
		if successes[i] > limit {
			t.Errorf("client %d: %d successes across %d reloads, more than the limit of %d per minute", i, successes[i], n, limit)
		}
	}
	t.Logf("%d requests, %d reloads; rate-limited clients: successes %v, 429s %v", requests.Load(), n, successes, limited)
}
