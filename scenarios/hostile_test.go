package scenarios

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/decoy-mock/decoy/internal/bounded"
)

// Hostile scenario files: each must be refused with a clear error naming
// the file, line and field (or load, with any absurd value capped as
// documented), in bounded time and memory.

const (
	hostileDeadline   = 10 * time.Second * raceSlowdown
	hostileHeapGrowth = 512 << 20
)

// hostileLoad runs load in a goroutine and fails the test when it takes
// longer than hostileDeadline, panics, or grows the heap by more than
// hostileHeapGrowth at any moment.
func hostileLoad(t *testing.T, load func() (*Set, error)) (*Set, error) {
	t.Helper()
	return bounded.Load(t, hostileDeadline, hostileHeapGrowth, load)
}

func wantEach(t *testing.T, err error, want ...string) {
	t.Helper()
	bounded.WantAll(t, err, want...)
}

func TestHostileScenarios(t *testing.T) {
	spec := testSpec(t)
	tests := []struct {
		dir  string
		want []string
	}{
		// Aliases are refused where they are used, so the bomb never
		// expands and each use is named at its own line.
		{"alias-bomb", []string{
			"alias-bomb/bomb.yaml:11:20: YAML alias *lol0",
			"alias-bomb/bomb.yaml:20:", "alias-bomb/bomb.yaml:21:", "alias-bomb/bomb.yaml:22:",
		}},
		{"self-alias", []string{"self-alias/self.yaml", "rules"}},
		{"numbers", []string{
			"numbers/absurd.yaml:6:", "rules[0].rateLimit.limit: must be at most 1000000",
			"numbers/absurd.yaml:8:", "rules[1].rateLimit.limit",
			"numbers/absurd.yaml:10:", "rules[2].latency",
			"numbers/absurd.yaml:12:", "rules[3].status",
			"numbers/absurd.yaml:15:", "rules[4].when.after",
			"numbers/absurd.yaml:18:", "rules[5].when.probability",
			"numbers/absurd.yaml:21:", "rules[6].when.every",
			"rules[7].sequence[1]", "rules[7].sequence[2]",
		}},
		{"invalid-utf8", []string{"invalid-utf8/bad.yaml", "utf-8"}},
	}
	fsys := os.DirFS(filepath.Join("testdata", "hostile"))
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			_, err := hostileLoad(t, func() (*Set, error) {
				return Load(fsys, tt.dir, spec, Options{})
			})
			if err == nil {
				t.Fatal("loaded without error")
			}
			t.Log(err)
			wantEach(t, err, tt.want...)
		})
	}
}

// TestHostileScenarioCaps loads values too large to mean anything: each
// must be an error naming its field, or be capped.
func TestHostileScenarioCaps(t *testing.T) {
	spec := testSpec(t)
	fsys := os.DirFS(filepath.Join("testdata", "hostile"))
	tests := []struct {
		dir, scenario, field string
		// capped reports whether the loaded rule no longer holds the
		// absurd value.
		capped func(r *Rule) bool
	}{
		{"window", "window", "rules[0].rateLimit.window", func(r *Rule) bool {
			return r.RateLimit != nil && r.RateLimit.Window < 1_000_000*time.Hour
		}},
		{"latency", "latency", "rules[0].latency", func(r *Rule) bool { return r.Latency.Max < 1000*time.Hour }},
		{"latency-range", "latency-range", "rules[0].latency", func(r *Rule) bool { return r.Latency.Max < 1000*time.Hour }},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			set, err := hostileLoad(t, func() (*Set, error) {
				return Load(fsys, tt.dir, spec, Options{})
			})
			if err != nil {
				t.Log(err)
				wantEach(t, err, tt.dir+"/", tt.field)
				return
			}
			sc := set.Lookup(tt.scenario)
			if sc == nil || len(sc.Rules) != 1 {
				t.Fatalf("scenario %q not loaded as one rule", tt.scenario)
			}
			if !tt.capped(sc.Rules[0]) {
				t.Errorf("%s loaded as written (latency %s, rate limit %+v): want an error naming %s, or a documented cap",
					tt.dir, sc.Rules[0].Latency, sc.Rules[0].RateLimit, tt.field)
			}
		})
	}
}

// TestHostileScenarioSizes loads large but honest scenario files, which
// must load in bounded time, and overly deep ones, which must be refused.
func TestHostileScenarioSizes(t *testing.T) {
	spec := testSpec(t)
	dir := t.TempDir()
	write := func(name, data string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var rules strings.Builder
	rules.WriteString("name: many\ndescription: 10k rules\nrules:\n")
	for i := range 10_000 {
		fmt.Fprintf(&rules, "  - operations: [listPets, getPet]\n    match: {headers: {X-Rule: r%d}}\n    latency: %dms\n    when: {after: %d, times: 2}\n", i, i%100+1, i+1)
	}
	write("rules/many.yaml", rules.String())

	var docs strings.Builder
	for i := range 10_000 {
		fmt.Fprintf(&docs, "---\nname: s%d\ndescription: scenario %d\nrules:\n  - operations: ['*']\n    status: 500\n    allowUndocumented: true\n", i, i)
	}
	write("docs/many.yaml", docs.String())

	write("deep/deep.yaml", "name: deep\ndescription: "+strings.Repeat("[", 100_000)+strings.Repeat("]", 100_000)+"\nrules:\n  - operations: [listPets]\n    status: 429\n")

	t.Run("10k rules", func(t *testing.T) {
		set, err := hostileLoad(t, func() (*Set, error) { return Load(os.DirFS(dir), "rules", spec, Options{}) })
		if err != nil {
			t.Fatalf("10k honest rules are refused: %v", err)
		}
		if sc := set.Lookup("many"); sc == nil || len(sc.Rules) != 10_000 {
			t.Errorf("scenario many not loaded with 10000 rules")
		}
	})
	t.Run("10k scenarios in one file", func(t *testing.T) {
		set, err := hostileLoad(t, func() (*Set, error) { return Load(os.DirFS(dir), "docs", spec, Options{}) })
		if err != nil {
			t.Fatalf("10k honest scenarios are refused: %v", err)
		}
		if set.Len() != 10_000 {
			t.Errorf("%d scenarios, want 10000", set.Len())
		}
	})
	t.Run("100k levels", func(t *testing.T) {
		_, err := hostileLoad(t, func() (*Set, error) { return Load(os.DirFS(dir), "deep", spec, Options{}) })
		if err == nil {
			t.Fatal("loaded without error")
		}
		t.Log(err)
		wantEach(t, err, "deep/deep.yaml", "depth|nest|deep")
	})
}
