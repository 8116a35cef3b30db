package scenarios

import (
	"context"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestDecideWhen runs each rule kind and each `when` over a series of calls
// and compares what happened to each call.
func TestDecideWhen(t *testing.T) {
	spec := testSpec(t)
	tests := []struct {
		name  string
		rules string
		op    string
		want  string // outcomes of successive calls, space-separated
	}{
		{"always", `{operations: [getPet], status: 404}`, "getPet", "404 404 404"},
		{"named example", `{operations: [getPet], status: 404, example: gone}`, "getPet", "404:gone 404:gone"},
		{"after", `{operations: [getPet], status: 404, when: {after: 2}}`, "getPet", "- - 404 404 404"},
		{"times", `{operations: [getPet], status: 404, when: {times: 2}}`, "getPet", "404 404 - - -"},
		{"after and times", `{operations: [getPet], status: 404, when: {after: 1, times: 2}}`, "getPet", "- 404 404 - -"},
		{"every", `{operations: [getPet], status: 404, when: {every: 3}}`, "getPet", "- - 404 - - 404 - -"},
		{"after and every", `{operations: [getPet], status: 404, when: {after: 2, every: 2}}`, "getPet", "- - - 404 - 404 -"},
		{"every and times", `{operations: [getPet], status: 404, when: {every: 2, times: 2}}`, "getPet", "- 404 - 404 - - - -"},
		{"always written out", `{operations: [getPet], status: 404, when: always}`, "getPet", "404 404"},
		{"probability 1", `{operations: [getPet], status: 404, when: {probability: 1}}`, "getPet", "404 404 404"},
		{"probability 100%", `{operations: [getPet], status: 404, when: {probability: "100%"}}`, "getPet", "404 404"},
		{"reset fault every 3rd", `{operations: ["*"], fault: reset, when: {every: 3}}`, "listPets", "- - reset - - reset"},
		{"empty fault", `{operations: ["*"], fault: empty}`, "createPet", "empty empty"},
		{"truncated documented status", `{operations: [createPet], status: 500, fault: truncated}`, "createPet", "500+truncated"},
		{"malformed normal answer", `{operations: [listPets], fault: malformed, when: {times: 1}}`, "listPets", "malformed -"},
		{"latency alone answers normally", `{operations: [listPets], latency: 10ms}`, "listPets", "ok ok"},
		{"5XX range documents 503", `{operations: [createPet], status: 503}`, "createPet", "503 503"},
		{"undocumented 5xx allowed", `{operations: [getPet], status: 500, allowUndocumented: true}`, "getPet", "500! 500!"},
		{"allowUndocumented on a documented status", `{operations: [createPet], status: 500, allowUndocumented: true}`, "createPet", "500"},
		{"sequence sticks at the last entry", `{operations: [listPets], sequence: [200, 200, 429, 200]}`, "listPets", "ok ok 429 ok ok ok"},
		{"sequence stays failed", `{operations: [getPet], sequence: [200, 503], allowUndocumented: true}`, "getPet", "ok 503! 503! 503!"},
		{"sequence success status is normal", `{operations: [createPet], sequence: [201, 400, 201]}`, "createPet", "ok 400 ok ok"},
		{"sequence after", `{operations: [listPets], sequence: [429, 200], when: {after: 1}}`, "listPets", "- 429 ok ok"},
		{"sequence every", `{operations: [listPets], sequence: [429, 200], when: {every: 2}}`, "listPets", "- 429 - ok - ok"},
		{"one operation as a string", `{operations: getPet, status: 404}`, "getPet", "404"},
		{"METHOD /path names", `{operations: ["get /pets/{id}"], status: 404}`, "getPet", "404"},
		{"other operation untouched", `{operations: [getPet], status: 404}`, "listPets", "- - -"},
		{"falls through when when does not fire", `
  - {operations: [getPet], status: 404, example: missing, when: {times: 1}}
  - {operations: [getPet], status: 404, example: gone}`, "getPet", "404:missing 404:gone 404:gone"},
		{"every falls through to always", `
  - {operations: ["*"], fault: reset, when: {every: 2}}
  - {operations: ["*"], latency: 1ms}`, "listPets", "ok reset ok reset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules := tt.rules
			if !strings.HasPrefix(strings.TrimSpace(rules), "-") {
				rules = "\n  - " + rules
			}
			set := loadYAML(t, spec, Options{}, "s.yaml", "name: s\nrules:"+rules+"\n")
			var got []string
			for range strings.Fields(tt.want) {
				got = append(got, outcome(decide(t, set, spec, "s", req{op: tt.op, path: map[string]string{"id": "rex"}})))
			}
			if g := strings.Join(got, " "); g != tt.want {
				t.Errorf("calls: got  %s\n            want %s", g, tt.want)
			}
		})
	}
}

func TestDecideDecisionFields(t *testing.T) {
	spec := testSpec(t)
	set := loadYAML(t, spec, Options{}, "s.yaml", `
name: s
description: the fields of a decision
rules:
  - operations: [getPet]
    status: 404
    example: missing
    headers: {x-debug: "1", Cache-Control: no-store}
    latency: 250ms
`)
	d, ok := decide(t, set, spec, "s", req{op: "getPet"})
	if !ok {
		t.Fatal("no decision")
	}
	if d.Scenario != "s" || d.Rule != "s#0" {
		t.Errorf("named %q %q, want s s#0", d.Scenario, d.Rule)
	}
	if d.Latency != 250*time.Millisecond || d.Status != 404 || d.Example != "missing" || d.Fault != FaultNone || d.Undocumented || d.RateLimit != nil {
		t.Errorf("decision %+v", d)
	}
	if d.Headers["X-Debug"] != "1" || d.Headers["Cache-Control"] != "no-store" || len(d.Headers) != 2 {
		t.Errorf("headers %v, want canonical X-Debug and Cache-Control", d.Headers)
	}
	// The caller owns the map: changing it does not change the next decision.
	d.Headers["X-Debug"] = "changed"
	if d2, _ := decide(t, set, spec, "s", req{op: "getPet"}); d2.Headers["X-Debug"] != "1" {
		t.Errorf("a caller's change leaked into the rule: %v", d2.Headers)
	}
	if _, ok, _ := set.Decide(context.Background(), "nope", Input{Op: spec.Operation("getPet")}); ok {
		t.Error("an unknown scenario decided")
	}
	if _, ok, _ := set.Decide(context.Background(), "s", Input{}); ok {
		t.Error("a nil operation decided")
	}
	var nilSet *Set
	if _, ok, _ := nilSet.Decide(context.Background(), "s", Input{Op: spec.Operation("getPet")}); ok || nilSet.Lookup("s") != nil || nilSet.Names() != nil {
		t.Error("a nil Set decided")
	}
}

func TestDecideMatch(t *testing.T) {
	spec := testSpec(t)
	set := loadYAML(t, spec, Options{}, "s.yaml", `
name: s
rules:
  - operations: [getPet]
    match:
      path: {id: rex}
      query: {enabled: true}
      headers: {x-namespace: ns_demo}
    status: 404
`)
	full := req{op: "getPet", path: map[string]string{"id": "rex"}, target: "/pets/rex?enabled=false&enabled=true", header: map[string]string{"X-Namespace": "ns_demo"}}
	tests := []struct {
		name string
		edit func(r *req)
		want string
	}{
		{"all match", func(r *req) {}, "404"},
		{"other path parameter", func(r *req) { r.path = map[string]string{"id": "fido"} }, "-"},
		{"no path parameters", func(r *req) { r.path = nil }, "-"},
		{"query missing", func(r *req) { r.target = "/pets/rex" }, "-"},
		{"query differs", func(r *req) { r.target = "/pets/rex?enabled=1" }, "-"},
		{"header differs", func(r *req) { r.header = map[string]string{"X-Namespace": "ns_other"} }, "-"},
		{"header missing", func(r *req) { r.header = nil }, "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := full
			tt.edit(&r)
			if got := outcome(decide(t, set, spec, "s", r)); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestDecideLatency(t *testing.T) {
	spec := testSpec(t)
	file := "name: s\nrules:\n  - {operations: [listPets], latency: 100ms..2s}\n"
	run := func(seed uint64, client string) []time.Duration {
		set := loadYAML(t, spec, Options{Seed: seed}, "s.yaml", file)
		var out []time.Duration
		for range 50 {
			d, _ := decide(t, set, spec, "s", req{op: "listPets", client: client})
			if d.Latency < 100*time.Millisecond || d.Latency > 2*time.Second {
				t.Fatalf("latency %v outside 100ms..2s", d.Latency)
			}
			out = append(out, d.Latency)
		}
		return out
	}
	a, b := run(7, "a"), run(7, "b")
	if !slices.Equal(a, b) {
		t.Error("the same seed gave different latencies (the pattern must not depend on the client key)")
	}
	if slices.Equal(a, run(8, "a")) {
		t.Error("another seed gave the same latencies")
	}
	distinct := map[time.Duration]bool{}
	for _, l := range a {
		distinct[l] = true
	}
	if len(distinct) < 40 {
		t.Errorf("only %d distinct latencies in 50 draws", len(distinct))
	}
	fixed := loadYAML(t, spec, Options{}, "s.yaml", "name: s\nrules:\n  - {operations: [listPets], latency: 300ms}\n")
	if d, _ := decide(t, fixed, spec, "s", req{op: "listPets"}); d.Latency != 300*time.Millisecond {
		t.Errorf("fixed latency %v, want 300ms", d.Latency)
	}
}

func TestDecideProbability(t *testing.T) {
	spec := testSpec(t)
	file := "name: s\nrules:\n  - {operations: [listPets], fault: reset, when: {probability: 0.25}}\n"
	run := func(seed uint64, client string) string {
		set := loadYAML(t, spec, Options{Seed: seed}, "s.yaml", file)
		var b strings.Builder
		for range 4000 {
			if _, ok := decide(t, set, spec, "s", req{op: "listPets", client: client}); ok {
				b.WriteByte('x')
			} else {
				b.WriteByte('.')
			}
		}
		return b.String()
	}
	a := run(42, "a")
	if n := strings.Count(a, "x"); n < 900 || n > 1100 {
		t.Errorf("probability 0.25 fired %d times in 4000 calls", n)
	}
	if run(42, "b") != a {
		t.Error("the same seed gave another pattern for another client key")
	}
	if run(42, "a") != a {
		t.Error("the same seed gave another pattern on a second run")
	}
	if run(43, "a") == a {
		t.Error("another seed gave the same pattern")
	}
}

func TestDecideProbabilityWithTimes(t *testing.T) {
	spec := testSpec(t)
	set := loadYAML(t, spec, Options{Seed: 1}, "s.yaml", "name: s\nrules:\n  - {operations: [listPets], status: 429, when: {probability: 0.5, times: 3}}\n")
	fired := 0
	for range 200 {
		if _, ok := decide(t, set, spec, "s", req{op: "listPets"}); ok {
			fired++
		}
	}
	if fired != 3 {
		t.Errorf("fired %d times, want exactly times: 3", fired)
	}
}

func TestRulesOfAScenarioCountSeparately(t *testing.T) {
	spec := testSpec(t)
	// Rule 0 sees every call; rule 1 only those rule 0 let through, so its
	// "after: 1" counts the calls that reach it.
	set := loadYAML(t, spec, Options{}, "s.yaml", `
name: s
rules:
  - {operations: [listPets], status: 429, example: burst, when: {every: 2}}
  - {operations: [listPets], status: 429, example: daily, when: {after: 1}}
`)
	var got []string
	for range 6 {
		got = append(got, outcome(decide(t, set, spec, "s", req{op: "listPets"})))
	}
	want := "- 429:burst 429:daily 429:burst 429:daily 429:burst"
	if g := strings.Join(got, " "); g != want {
		t.Errorf("got  %s\nwant %s", g, want)
	}
}

// TestApplies: a scenario applies to a call when one of its rules names the
// operation and its match holds, whether or not its `when` fires; Applies
// counts nothing.
func TestApplies(t *testing.T) {
	spec := testSpec(t)
	set := loadYAML(t, spec, Options{}, "s.yaml", `
name: s
rules:
  - operations: [getPet]
    match:
      path: {id: rex}
    status: 404
    when: {after: 1}
`)
	applies := func(r req) bool {
		t.Helper()
		op := spec.Operation(r.op)
		return set.Applies("s", Input{Op: op, Request: httptest.NewRequest(op.Method, "/", nil), PathParams: r.path})
	}
	rex := req{op: "getPet", path: map[string]string{"id": "rex"}}
	for range 3 {
		if !applies(rex) {
			t.Fatal("the rule for getPet rex does not apply to it")
		}
	}
	// Applies counted nothing: the first call still passes (after: 1).
	if got := outcome(decide(t, set, spec, "s", rex)); got != "-" {
		t.Errorf("first decided call: %s, want - (Applies must not count calls)", got)
	}
	if got := outcome(decide(t, set, spec, "s", rex)); got != "404" {
		t.Errorf("second decided call: %s, want 404", got)
	}
	if applies(req{op: "getPet", path: map[string]string{"id": "fido"}}) {
		t.Error("applies to another pet")
	}
	if set.Applies("nope", Input{Op: spec.Operation("getPet")}) || set.Applies("s", Input{}) {
		t.Error("applies for an unknown scenario or without an operation")
	}
}
