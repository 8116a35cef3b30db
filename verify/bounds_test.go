package verify

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/decoy-mock/decoy/internal/provider"
)

// TestConcurrencyIsABound counts the requests in flight at the provider:
// never more than Concurrency, and all of them answered.
func TestConcurrencyIsABound(t *testing.T) {
	p, err := provider.New(provider.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var inFlight, most atomic.Int64
	gate := make(chan struct{}, 64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		// Hold the request until others could have arrived, bounded.
		select {
		case <-gate:
		case <-time.After(5 * time.Millisecond):
		}
		p.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	for _, limit := range []int{1, 3} {
		cfg := defaultConfig(t, srv.URL)
		cfg.Concurrency = limit
		most.Store(0)
		rep := run(t, cfg)
		if !rep.OK() {
			t.Fatalf("concurrency %d: %s", limit, rep.SummaryLine())
		}
		if got := most.Load(); got > int64(limit) || got < 1 {
			t.Errorf("concurrency %d: %d requests were in flight at once", limit, got)
		}
	}
}

// TestRateSpacesStarts checks the limiter on a fake clock: starts are
// 1/rate apart, however many callers wait at once.
func TestRateSpacesStarts(t *testing.T) {
	var mu sync.Mutex
	now := time.Unix(0, 0)
	var starts []time.Time
	l := newLimiter(4, func() time.Time { mu.Lock(); defer mu.Unlock(); return now }, func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		starts = append(starts, now.Add(d))
		return nil
	})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() { defer wg.Done(); l.wait(context.Background()) }()
	}
	wg.Wait()
	// The first start does not wait; the other seven wait 250ms more each.
	if len(starts) != 7 {
		t.Fatalf("%d waits, want 7", len(starts))
	}
	seen := map[time.Duration]bool{}
	for _, s := range starts {
		seen[s.Sub(time.Unix(0, 0))] = true
	}
	for i := 1; i <= 7; i++ {
		if d := time.Duration(i) * 250 * time.Millisecond; !seen[d] {
			t.Errorf("no start at %s: %v", d, starts)
		}
	}
	// No rate: never waits.
	if err := newLimiter(0, nil, nil).wait(context.Background()); err != nil {
		t.Error(err)
	}
}

// TestTimeoutIsAFailure: a provider that does not answer within Timeout is
// a failure naming the timeout, and the run ends.
func TestTimeoutIsAFailure(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	cfg := defaultConfig(t, srv.URL)
	cfg.Timeout = 50 * time.Millisecond
	cfg.Operations = []string{"listAgentSessions"}
	cfg.Generated = -1
	cfg.Concurrency = 8
	rep := run(t, cfg)
	if rep.OK() || rep.Summary.Failed != rep.Summary.Requests {
		t.Fatalf("%s", rep.SummaryLine())
	}
	for _, e := range rep.Operations[0].Exchanges {
		if len(e.Failures) != 1 || e.Failures[0].Rule != "no answer: no complete answer within --timeout 50ms" {
			t.Errorf("%s: %v", e.Case, e.Failures)
		}
	}
}

// TestCredentialsAreMasked: an apiKey in the query and a secret header
// never appear in any report format.
func TestCredentialsAreMasked(t *testing.T) {
	_, _, cfg := startStatefulMock(t)
	cfg.Header = http.Header{"X-Session-Token": {"tok_secret"}}
	rep := run(t, cfg)
	for name, write := range map[string]func(w *bytes.Buffer) error{
		"text":  func(w *bytes.Buffer) error { return rep.WriteText(w) },
		"json":  func(w *bytes.Buffer) error { return rep.WriteJSON(w) },
		"junit": func(w *bytes.Buffer) error { return rep.WriteJUnit(w) },
		"html":  func(w *bytes.Buffer) error { return rep.WriteHTML(w) },
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		if s := b.String(); strings.Contains(s, "k_secret") || strings.Contains(s, "tok_secret") {
			t.Errorf("%s report holds a credential", name)
		}
	}
	var b bytes.Buffer
	rep.WriteJSON(&b)
	if !strings.Contains(b.String(), "api_key=****") || !strings.Contains(b.String(), `"X-Session-Token": [`) {
		t.Errorf("the masked credentials are not shown as masked")
	}
}

func TestSelection(t *testing.T) {
	_, _, base := startStatefulMock(t)
	tests := []struct {
		name      string
		ops, tags []string
		want      []string
	}{
		{"all", nil, nil, []string{"listPets", "createPet", "deletePet", "getPet", "replacePet"}}, // spec order: path, then method
		{"by id", []string{"getPet"}, nil, []string{"getPet"}},
		{"by method and path", []string{"DELETE /pets/{petId}"}, nil, []string{"deletePet"}},
		{"by tag", nil, []string{"admin"}, []string{"deletePet"}},
		{"union", []string{"listPets"}, []string{"admin"}, []string{"listPets", "deletePet"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base
			cfg.Operations, cfg.Tags, cfg.Generated = tt.ops, tt.tags, -1
			rep := run(t, cfg)
			var got []string
			for _, op := range rep.Operations {
				got = append(got, op.ID)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("verified %v, want %v", got, tt.want)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	_, _, base := startStatefulMock(t)
	for _, tt := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no spec", func(c *Config) { c.Spec = nil }, "no spec"},
		{"bad target", func(c *Config) { c.Target = "ftp://x" }, "not an http(s) URL"},
		{"unknown operation", func(c *Config) { c.Operations = []string{"nope"} }, `no operation "nope"`},
		{"unknown tag", func(c *Config) { c.Tags = []string{"nope"} }, `no operation has the tag "nope"`},
		{"unknown scheme", func(c *Config) { c.Credentials = map[string]string{"bearer": "x"} }, `no security scheme "bearer" in the spec (known: key)`},
		{"negative rate", func(c *Config) { c.Rate = -1 }, "rate -1 is negative"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base
			tt.edit(&cfg)
			_, err := Run(context.Background(), cfg)
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want ErrConfig saying %q", err, tt.want)
			}
		})
	}
}
