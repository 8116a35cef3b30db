package scenarios

import (
	"slices"
	"testing"
	"time"

	"github.com/decoy-mock/decoy/defaultapi"
	"github.com/decoy-mock/decoy/openapi"
)

// loadDefaults loads the default scenarios against the default spec, as
// `go run ./cmd/decoy` does: from the embedded files it serves.
func loadDefaults(t *testing.T, opts Options) (*Set, *openapi.Spec) {
	t.Helper()
	spec, err := openapi.Load(defaultapi.FS, defaultapi.SpecFile, openapi.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	set, err := Load(defaultapi.FS, "scenarios", spec, opts)
	if err != nil {
		t.Fatalf("the default scenarios do not load:\n%v", err)
	}
	return set, spec
}

func TestDefaultScenariosLoad(t *testing.T) {
	set, _ := loadDefaults(t, Options{})
	for _, name := range []string{"rate-limited", "agent-not-found", "namespace-not-found", "not-found", "unauthorized", "forbidden", "invalid-request", "server-error", "slow", "flaky", "sequence"} {
		sc := set.Lookup(name)
		if sc == nil {
			t.Errorf("no default scenario %q", name)
			continue
		}
		if len(sc.Description) < 40 {
			t.Errorf("%s: the description %q does not help much", name, sc.Description)
		}
		if want := "scenarios/" + name + ".yaml"; sc.File != want {
			t.Errorf("%s is defined in %s; one file per scenario, named for it (%s)", name, sc.File, want)
		}
	}
}

func TestDefaultScenariosBehave(t *testing.T) {
	clock := newClock()
	set, spec := loadDefaults(t, Options{Now: clock.Now, Seed: 1})
	v1, v2 := spec.Operation("listSessions"), spec.Operation("listAgentSessions")
	call := func(scenario string, op *openapi.Operation, auth string) (Decision, bool) {
		t.Helper()
		return decide(t, set, spec, scenario, req{op: op.ID, path: map[string]string{"agent_key": "agt_customer_support"},
			header: map[string]string{"Authorization": auth}})
	}
	sequence := func(scenario string, op *openapi.Operation, n int) []string {
		var out []string
		for range n {
			out = append(out, outcome(call(scenario, op, "Bearer sk_test")))
		}
		return out
	}

	tests := []struct {
		scenario string
		op       *openapi.Operation
		want     []string
	}{
		{"agent-not-found", v2, []string{"404", "404"}},
		{"agent-not-found", v1, []string{"-"}},
		{"namespace-not-found", v1, []string{"404"}},
		{"unauthorized", v1, []string{"401"}},
		{"unauthorized", v2, []string{"401"}},
		{"forbidden", v1, []string{"403"}},
		{"forbidden", v2, []string{"403"}},
		{"invalid-request", v1, []string{"400"}},
		{"invalid-request", v2, []string{"400"}},
		{"server-error", v1, []string{"500"}},
		{"server-error", v2, []string{"500!"}},
		{"flaky", v1, []string{"-", "-", "reset", "-", "-", "reset"}},
		{"sequence", v2, []string{"ok", "ok", "429", "ok", "ok", "ok"}},
		{"sequence", v1, []string{"ok", "ok", "429", "ok"}},
		{"namespace-not-found", v2, []string{"-"}},
		{"not-found", v1, []string{"404"}},
		{"not-found", v2, []string{"404"}},
		{"slow", v1, []string{"ok"}},
	}
	for _, tt := range tests {
		if got := sequence(tt.scenario, tt.op, len(tt.want)); !slices.Equal(got, tt.want) {
			t.Errorf("%s on %s: got %v, want %v", tt.scenario, tt.op.ID, got, tt.want)
		}
	}

	for range 20 {
		d, _ := call("slow", v2, "Bearer sk_test")
		if d.Latency < 800*time.Millisecond || d.Latency > 2500*time.Millisecond {
			t.Errorf("slow: latency %v outside 800ms..2500ms", d.Latency)
		}
	}

	// rate-limited: 5 per minute per API key, then 429 rate_limit_exceeded.
	for i := range 5 {
		if d, _ := call("rate-limited", v2, "Bearer sk_a"); d.RateLimit == nil || d.RateLimit.Limited || d.RateLimit.Remaining != 4-i {
			t.Fatalf("rate-limited call %d: %+v", i+1, d)
		}
	}
	d, _ := call("rate-limited", v2, "Bearer sk_a")
	if d.Status != 429 || d.Undocumented || d.RateLimit.RetryAfterSeconds() != 60 {
		t.Errorf("6th call: %+v", d)
	}
	if d, _ := call("rate-limited", v2, "Bearer sk_b"); d.RateLimit.Limited {
		t.Error("another API key shares the limit")
	}
	// One limit per API key over both endpoints, as a gateway keeps it.
	if d, ok := call("rate-limited", v1, "Bearer sk_a"); !ok || d.RateLimit == nil || !d.RateLimit.Limited || d.Status != 429 || d.Undocumented {
		t.Errorf("v1 does not share the API key's limit: %+v", d)
	}
	clock.Advance(time.Minute)
	if d, _ := call("rate-limited", v2, "Bearer sk_a"); d.RateLimit.Limited {
		t.Error("the API key did not recover after a minute")
	}
}
