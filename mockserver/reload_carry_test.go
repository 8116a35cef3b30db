package mockserver_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/decoy-mock/decoy/fixtures"
	"github.com/decoy-mock/decoy/mockserver"
	"github.com/decoy-mock/decoy/openapi"
	"github.com/decoy-mock/decoy/scenarios"
)

// carryProject is a crud-petstore project on an in-memory file system,
// loaded afresh for every reload as the watcher does.
type carryProject struct {
	spec  *openapi.Spec
	files fstest.MapFS
	now   func() time.Time
}

func newCarryProject(t *testing.T, scenarioFile string) *carryProject {
	t.Helper()
	p := &carryProject{spec: loadSpec(t, "crud-petstore.yaml"), files: fstest.MapFS{
		"fixtures/pets.yaml": &fstest.MapFile{Data: []byte(strings.TrimLeft(crudFixtures, "\n"))},
	}}
	if scenarioFile != "" {
		p.files["scenarios/s.yaml"] = &fstest.MapFile{Data: []byte(scenarioFile)}
	}
	return p
}

func (p *carryProject) load(t testing.TB) mockserver.Config {
	t.Helper()
	store, err := fixtures.LoadStore(p.files, "fixtures", p.spec, fixtures.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := mockserver.Config{Spec: p.spec, Fixtures: store, Seed: 42, Now: p.now}
	if _, ok := p.files["scenarios/s.yaml"]; ok {
		set, err := scenarios.Load(p.files, "scenarios", p.spec, scenarios.Options{Now: p.now})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Scenarios = set
	}
	return cfg
}

// petIDs returns the ids of the items, failing on a duplicate.
func petIDs(t *testing.T, what string, items []json.RawMessage) map[float64]bool {
	t.Helper()
	ids := map[float64]bool{}
	for _, raw := range items {
		var it struct{ ID float64 }
		if err := json.Unmarshal(raw, &it); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if ids[it.ID] {
			t.Errorf("%s: id %v is there twice", what, it.ID)
		}
		ids[it.ID] = true
	}
	return ids
}

// TestReloadKeepsEveryAnsweredWrite is the regression test for writes lost,
// and ids handed out twice, when a reload happened between the copy of the
// old store and the swap. Writers POST (with and without a client key)
// while the project is reloaded 50 times; every 201 must be in the store
// afterwards, and in the state file it saves, each id once. Run it with
// -race.
func TestReloadKeepsEveryAnsweredWrite(t *testing.T) {
	const (
		reloads = 50
		writers = 4
	)
	p := newCarryProject(t, "")
	srv, err := mockserver.New(p.load(t))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	client := ts.Client()
	client.Timeout = 10 * time.Second

	// Every writer but the first writes in its own client world.
	clientOf := func(w int) string {
		if w == 0 {
			return ""
		}
		return fmt.Sprintf("job-%d", w)
	}
	var (
		stop     atomic.Bool
		mu       sync.Mutex
		answered = map[string][]float64{} // client → ids answered 201
		failures []string
		wg       sync.WaitGroup
	)
	fail := func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(failures) < 10 {
			failures = append(failures, fmt.Sprintf(format, a...))
		}
	}
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; !stop.Load(); n++ {
				body := fmt.Sprintf(`{"name":"w%d-%d","species":"dog"}`, w, n)
				req, _ := http.NewRequest(http.MethodPost, ts.URL+"/pets", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				if c := clientOf(w); c != "" {
					req.Header.Set("X-Decoy-Client", c)
				}
				resp, err := client.Do(req)
				if err != nil {
					fail("POST: %v", err)
					return
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated {
					fail("POST: %d %s", resp.StatusCode, b)
					return
				}
				var it struct{ ID float64 }
				if err := json.Unmarshal(b, &it); err != nil {
					fail("POST: %v: %s", err, b)
					return
				}
				mu.Lock()
				answered[clientOf(w)] = append(answered[clientOf(w)], it.ID)
				mu.Unlock()
			}
		}()
	}
	for range reloads {
		if err := srv.Reload(p.load(t)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	for _, f := range failures {
		t.Error(f)
	}

	state := filepath.Join(t.TempDir(), "state.json")
	if err := fixtures.SaveStateFile(state, srv.Fixtures()); err != nil {
		t.Fatal(err)
	}
	saved, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Collections map[string]struct {
			Shared  *struct{ Items []json.RawMessage }
			Clients map[string]struct{ Items []json.RawMessage }
		}
	}
	if err := json.Unmarshal(saved, &file); err != nil {
		t.Fatal(err)
	}
	total := 0
	for w := range writers {
		c := clientOf(w)
		ids := answered[c]
		total += len(ids)
		items, _ := srv.Fixtures().Items("pets", c)
		inStore := petIDs(t, "store, client "+c, items)
		fileItems := file.Collections["pets"].Clients[c].Items
		if c == "" && file.Collections["pets"].Shared != nil {
			fileItems = file.Collections["pets"].Shared.Items
		}
		inFile := petIDs(t, "state file, client "+c, fileItems)
		seen := map[float64]bool{}
		lost := 0
		for _, id := range ids {
			if seen[id] {
				t.Errorf("client %q: id %v was answered 201 twice", c, id)
			}
			seen[id] = true
			if !inStore[id] || !inFile[id] {
				lost++
			}
		}
		if lost > 0 {
			t.Errorf("client %q: %d of %d answered writes are not in the store and the state file", c, lost, len(ids))
		}
		if want := len(ids) + 2; len(inStore) != want { // the 2 fixture pets
			t.Errorf("client %q: the store holds %d pets, want %d", c, len(inStore), want)
		}
	}
	t.Logf("%d writes answered 201 during %d reloads", total, reloads)
	if total < reloads {
		t.Errorf("only %d writes during %d reloads: the test did not exercise the race", total, reloads)
	}
}

const limitScenario = `name: limited
description: 3 creates per minute.
rules:
  - operations: [createPet]
    rateLimit: {limit: 3, window: 1m}
    allowUndocumented: true
`

// TestReloadKeepsTheRateLimitOfAnUnchangedScenario is the regression test
// for a reload that restarted rate limits: 3 per minute, then a reload of
// the same files, and the 4th create is still a 429; a scenario whose rules
// changed starts from zero.
func TestReloadKeepsTheRateLimitOfAnUnchangedScenario(t *testing.T) {
	p := newCarryProject(t, limitScenario)
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	var clock atomic.Int64
	p.now = func() time.Time { return start.Add(time.Duration(clock.Load())) }
	cfg := p.load(t)
	cfg.Scenario = "limited"
	srv, err := mockserver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	create := func() int {
		t.Helper()
		clock.Add(int64(time.Second))
		return do(t, ts, call{method: "POST", path: "/pets", body: `{"name":"Rex","species":"dog"}`}).status
	}
	for i := range 3 {
		if st := create(); st != http.StatusCreated {
			t.Fatalf("create %d: %d, want 201", i+1, st)
		}
	}
	if err := srv.Reload(p.load(t)); err != nil {
		t.Fatal(err)
	}
	if st := create(); st != http.StatusTooManyRequests {
		t.Fatalf("4th create after a reload of the same files: %d, want 429", st)
	}
	// Moved in the file, same rules: still the same scenario.
	p.files["scenarios/s.yaml"] = &fstest.MapFile{Data: []byte("# moved down a line\n" + limitScenario)}
	if err := srv.Reload(p.load(t)); err != nil {
		t.Fatal(err)
	}
	if st := create(); st != http.StatusTooManyRequests {
		t.Fatalf("5th create after the scenario moved in its file: %d, want 429", st)
	}
	// A changed rule is a new scenario: its counters start from zero.
	p.files["scenarios/s.yaml"] = &fstest.MapFile{Data: bytes.ReplaceAll([]byte(limitScenario), []byte("limit: 3"), []byte("limit: 4"))}
	if err := srv.Reload(p.load(t)); err != nil {
		t.Fatal(err)
	}
	if st := create(); st != http.StatusCreated {
		t.Fatalf("create after the limit changed: %d, want 201", st)
	}
}

// TestReloadRefusesFilesTheWritesNoLongerFit: a reload whose new schema
// refuses an item written before fails, and the old state keeps serving
// with the write.
func TestReloadRefusesFilesTheWritesNoLongerFit(t *testing.T) {
	p := newCarryProject(t, "")
	srv, err := mockserver.New(p.load(t))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	if st := do(t, ts, call{method: "POST", path: "/pets", body: `{"name":"Polly","species":"bird"}`}).status; st != http.StatusCreated {
		t.Fatalf("create: %d", st)
	}
	// The edited spec no longer has birds.
	text, err := os.ReadFile(filepath.Join("testdata", "specs", "crud-petstore.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	edited := bytes.Replace(text, []byte("enum: [dog, cat, bird]"), []byte("enum: [dog, cat]"), 1)
	if p.spec, err = openapi.Load(fstest.MapFS{"openapi.yaml": {Data: edited}}, "openapi.yaml", openapi.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	cfg := p.load(t)
	err = srv.Reload(cfg)
	if err == nil {
		t.Fatal("the reload was accepted")
	}
	if !strings.Contains(err.Error(), "pets") || !strings.Contains(err.Error(), "/items/2") {
		t.Errorf("the error does not name the collection: %v", err)
	}
	items, _ := srv.Fixtures().Items("pets", "")
	if len(items) != 3 {
		t.Errorf("after the refused reload the store holds %d pets, want 3", len(items))
	}
}
