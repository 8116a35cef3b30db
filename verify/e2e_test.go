package verify

import (
	"context"
	"net/http/httptest"
	"os"
	"regexp"
	"testing"

	"github.com/decoy-mock/decoy/defaultapi"
	"github.com/decoy-mock/decoy/fixtures"
	"github.com/decoy-mock/decoy/internal/provider"
	"github.com/decoy-mock/decoy/openapi"
)

// defaultConfig is a Config for the default API, its fixtures included,
// against target, with a bearer credential.
func defaultConfig(t testing.TB, target string) Config {
	t.Helper()
	spec, err := openapi.Load(defaultapi.FS, defaultapi.SpecFile, openapi.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	store, err := fixtures.LoadStore(defaultapi.FS, "fixtures", spec, fixtures.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return Config{Spec: spec, Target: target, Fixtures: store, FixturesFS: defaultapi.FS, FixturesDir: "fixtures",
		Credentials: map[string]string{"bearerAuth": "sk_test_secret"}, Seed: 1}
}

func startProvider(t testing.TB, d provider.Drift) string {
	t.Helper()
	p, err := provider.New(provider.Options{Drift: d})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return srv.URL
}

func run(t testing.TB, cfg Config) *Report {
	t.Helper()
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if testing.Verbose() {
		rep.WriteText(os.Stderr)
	}
	return rep
}

func TestConformingProviderPasses(t *testing.T) {
	rep := run(t, defaultConfig(t, startProvider(t, 0)))
	if !rep.OK() {
		rep.WriteText(os.Stderr)
		t.Fatalf("a conforming provider failed: %s", rep.SummaryLine())
	}
	for _, op := range rep.Operations {
		if op.Requests == 0 || op.Skipped > 0 {
			t.Errorf("%s: %d requests, %d skipped", op.ID, op.Requests, op.Skipped)
		}
		kinds := map[string]int{}
		for _, e := range op.Exchanges {
			kinds[e.Kind]++
		}
		for _, k := range []string{"example", "stub", "collection", "generated", "negative"} {
			if kinds[k] == 0 {
				t.Errorf("%s: no %s request", op.ID, k)
			}
		}
	}
}

// TestEachDriftFailsWithItsRule runs verify against the provider with one
// drift at a time: every failure must name the drifted operation and the
// drift's rule, and nothing else may fail.
func TestEachDriftFailsWithItsRule(t *testing.T) {
	tests := []struct {
		drift provider.Drift
		op    string
		rule  *regexp.Regexp
	}{
		{provider.RenamedField, "listAgentSessions", regexp.MustCompile(`^response body /sessions/0/agent_key: required( \(and at [0-9]+ more array indexes\))?$`)},
		{provider.Undocumented500, "listAgentSessions", regexp.MustCompile(`^status 500 not documented$`)},
		{provider.WrongType, "listSessions", regexp.MustCompile(`^response body /total: .*integer`)},
		{provider.MissingHeader, "", regexp.MustCompile(`^response header WWW-Authenticate: required$`)},
	}
	for _, tt := range tests {
		t.Run(tt.drift.String(), func(t *testing.T) {
			rep := run(t, defaultConfig(t, startProvider(t, tt.drift)))
			if rep.OK() {
				t.Fatalf("drift %s passed verification", tt.drift)
			}
			for _, op := range rep.Operations {
				for _, e := range op.Exchanges {
					for _, f := range e.Failures {
						if (tt.op != "" && op.ID != tt.op) || !tt.rule.MatchString(f.Rule) {
							t.Errorf("%s: %s: unexpected failure %q", op.ID, e.Case, f.Rule)
						}
					}
				}
				if tt.op == "" || op.ID == tt.op {
					if op.Failed == 0 {
						t.Errorf("%s: no failure", op.ID)
					}
				}
			}
		})
	}
}
