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
	_ = regexp.MustCompile
}
