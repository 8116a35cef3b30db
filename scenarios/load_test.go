package scenarios

import (
	"context"
	"errors"
	"os"
	"path"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// TestLoadBad loads every file of testdata/bad at once and checks each
// file's problems: all of them, in line order, each with its position and
// field. A want entry is "LINE:COL: FIELD: " followed by the start of the
// message.
func TestLoadBad(t *testing.T) {
	spec := testSpec(t)
	want := map[string][]string{
		"empty.yaml": {
			`no scenario in file`,
		},
		"example.yaml": {
			`5:14: rules[0].example: getPet's 404 response has no example "lost" (named examples: missing, gone;`,
			`8:14: rules[1].example: example names an example of status (or of a rate limit's 429); this rule sets neither`,
			`11:14: rules[2].example: listPets's 429 response has no example "hourly" (named examples: burst, daily;`,
		},
		"fault.yaml": {
			`4:12: rules[0].fault: unknown fault "rest" (known: reset, empty, truncated, malformed)`,
			`6:13: rules[1].status: a reset fault sends no status`,
			`8:14: rules[1].headers: a reset fault sends no headers`,
			`11:12: rules[2].fault: a fault does not combine with a sequence`,
		},
		"headers.yaml": {
			`6:7: rules[0].headers.content-length: is set by the server; a scenario cannot override it`,
			`7:15: rules[0].headers.X-Note: a header value cannot hold a line break or NUL`,
			`8:16: rules[0].headers.X-Note2: expected a string, got a list`,
		},
		"latency.yaml": {
			`5:14: rules[0].latency: "fast" is not a duration or a range like 100ms..2s`,
			`7:14: rules[1].latency: latency range "2s..100ms" runs backwards; write 100ms..2s`,
			`9:14: rules[2].latency: "300" is not a duration or a range like 100ms..2s: a number needs a unit (300ms, 300s, 300m)`,
		},
		"match.yaml": {
			`5:14: rules[0].match.path.petId: not a path parameter of getPet /pets/{id}`,
			`6:18: rules[0].match.query.q: expected a string, got null`,
			`7:17: rules[0].match.headers.Bad Header: "Bad Header" is not a valid header name`,
			`8:7: rules[0].match.cookies: unknown field (known: path, query, headers)`,
			`12:14: rules[1].match.path.nope: no operation has a path parameter "nope"`,
		},
		"missing.yaml": {
			`1:1: missing name`,
			`1:1: missing rules`,
			`4:8: rules: a scenario needs at least one rule`,
			`8:5: rules[0]: a rule needs at least one of status, sequence, latency, fault, rateLimit`,
			`10:5: rules[1]: missing operations`,
		},
		"name.yaml": {
			`1:7: name: "has space" is not a valid scenario name`,
		},
		"ratelimit.yaml": {
			`4:24: rules[0].rateLimit.limit: must be at least 1, got 0`,
			`4:35: rules[0].rateLimit.window: must be more than 0, got 0s`,
			`4:44: rules[0].rateLimit.key: unknown rate-limit key "cookie:session" (known: header:NAME, ip, client)`,
			`6:16: rules[1].rateLimit: missing limit`,
			`6:16: rules[1].rateLimit: missing window`,
			`6:22: rules[1].rateLimit.key: rate-limit key "header:" does not name a header`,
			`9:13: rules[2].status: a rate limit answers 429 by itself; remove status`,
			`10:11: rules[2].when: a rate limit decides by itself which calls get 429; remove when`,
		},
		"sequence.yaml": {
			`4:21: rules[0].sequence[1]: listPets does not document 404 (documented: 200, 429)`,
			`4:26: rules[0].sequence[2]: listPets does not document 503 (documented: 200, 429); add allowUndocumented: true`,
			`4:31: rules[0].sequence[3]: 99 is not a status a scenario can force (200 to 599)`,
			`4:35: rules[0].sequence[4]: expected an integer, got the string "x"`,
			`6:15: rules[1].sequence: a sequence needs at least one status`,
			`8:15: rules[2].sequence: status and sequence both set the status; use one`,
		},
		"syntax.yaml": {
			`4:11: invalid YAML: did not find expected ',' or ']'`,
		},
		"types.yaml": {
			`2:14: description: expected a string, got a list`,
			`5:13: rules[0].status: expected an integer, got the string "429"`,
			`6:14: rules[0].headers: expected a mapping of names to values, got a list`,
			`7:24: rules[0].allowUndocumented: expected true or false, got the string "yes"`,
			`9:13: rules[1].status: 99 is not a status a scenario can force (200 to 599)`,
			`10:14: rules[1].latency: expected a string, got a mapping`,
			`11:5: rules[2]: expected a mapping with operations, match,`,
		},
		"undocumented.yaml": {
			`4:13: rules[0].status: getPet does not document 500 (documented: 200, 404); add allowUndocumented: true to answer it as application/problem+json`,
			`6:13: rules[1].status: listPets does not document 404 (documented: 200, 429)`,
			`7:24: rules[1].allowUndocumented: only a 5xx or 429 may be undocumented; 404 must be documented by the operation`,
			`11:16: rules[3].rateLimit: a rate limit answers 429: getPet does not document 429`,
			`14:24: rules[4].allowUndocumented: applies to status, sequence or rateLimit; this rule sets none`,
		},
		"unknown-field.yaml": {
			`2:1: descripton: unknown field; did you mean description?`,
			`5:5: rules[0].latncy: unknown field; did you mean latency?`,
			`6:13: rules[0].status: a rate limit answers 429 by itself`,
			`7:39: rules[0].rateLimit.burst: unknown field (known: limit, window, key)`,
		},
		"unknown-operation.yaml": {
			`3:18: rules[0].operations[0]: unknown operation "listPet"; did you mean "listPets"?`,
			`3:27: rules[0].operations[1]: unknown operation "GET /pet/{id}"; did you mean "GET /pets/{id}"?`,
			`3:52: rules[0].operations[3]: operation getPet is listed twice`,
			`5:18: rules[1].operations[0]: "*" already names every operation`,
		},
		"when.yaml": {
			`5:19: rules[0].when.times: must be at least 1, got 0`,
			`8:19: rules[1].when.every: must be at least 2, got 1`,
			`11:19: rules[2].when.after: must be at least 1, got -2`,
			`14:25: rules[3].when.probability: probability 1.5 is not in (0, 1]`,
			`17:11: rules[4].when: every and probability both choose which calls are affected; use one`,
			`20:11: rules[5].when: expected always or a mapping with after, times, every, probability, got the string "sometimes"`,
		},
	}
	set, err := Load(os.DirFS("testdata"), "bad", spec, Options{})
	if err == nil || set != nil {
		t.Fatalf("Load(bad) = %v, %v; want a nil Set and errors", set, err)
	}
	got := map[string][]string{}
	for _, e := range unjoin(err) {
		var le *Error
		if !errors.As(e, &le) {
			t.Fatalf("%v is not an *Error", e)
		}
		dir, file := path.Split(le.File)
		if dir != "bad/" {
			t.Errorf("%v: file %q should be named as bad/FILE", e, le.File)
		}
		got[file] = append(got[file], strings.TrimPrefix(le.Error(), le.File+":"))
	}
	for _, file := range sortedKeys(want, got) {
		g, w := got[file], want[file]
		if len(g) != len(w) {
			t.Errorf("%s: got %d problems, want %d:\n  %s", file, len(g), len(w), strings.Join(g, "\n  "))
			continue
		}
		for i := range w {
			if !strings.HasPrefix(strings.TrimSpace(g[i]), w[i]) {
				t.Errorf("%s: problem %d:\n  got  %s\n  want %s…", file, i, strings.TrimSpace(g[i]), w[i])
			}
		}
	}
}

func sortedKeys(maps ...map[string][]string) []string {
	var keys []string
	for _, m := range maps {
		for k := range m {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func TestLoadErrorNamesTheFolder(t *testing.T) {
	spec := testSpec(t)
	_, err := loadYAMLErr(spec, Options{Dir: "project"}, "slow.yaml", "name: slow\nrules:\n  - operations: [listPets]\n    latency: fast\n")
	want := `project/scenarios/slow.yaml:4:14: rules[0].latency: "fast" is not a duration or a range like 100ms..2s`
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
}

func TestLoadDuplicateNames(t *testing.T) {
	spec := testSpec(t)
	_, err := Load(os.DirFS("testdata"), "dup", spec, Options{})
	want := `dup/b.yml:2:7: name: scenario "twice" is already defined at dup/a.yaml:1:7`
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
	_, err = loadYAMLErr(spec, Options{}, "multi.yaml", "name: one\nrules: [{operations: [listPets], latency: 1s}]\n---\nname: one\nrules: [{operations: [listPets], latency: 2s}]\n")
	want = `scenarios/multi.yaml:4:7: name: scenario "one" is already defined at scenarios/multi.yaml:1:7`
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
}

func TestLoadMissingDir(t *testing.T) {
	set, err := Load(fstest.MapFS{}, "scenarios", testSpec(t), Options{})
	if err != nil || set == nil || set.Len() != 0 || len(set.List()) != 0 {
		t.Fatalf("Load(missing dir) = %v, %v; want an empty Set", set, err)
	}
	if _, ok, _ := set.Decide(context.Background(), "any", Input{}); ok {
		t.Error("an empty Set decided")
	}
}

func TestLoadNotADir(t *testing.T) {
	fsys := fstest.MapFS{"scenarios": &fstest.MapFile{Data: []byte("x")}}
	if _, err := Load(fsys, "scenarios", nil, Options{}); err == nil {
		t.Error("Load of a file as the scenarios folder succeeded")
	}
}

// TestLoadSkips: only *.yaml and *.yml directly in the folder are read;
// dot files, other extensions and subfolders are not.
func TestLoadSkips(t *testing.T) {
	set, err := Load(os.DirFS("testdata"), "skip", testSpec(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := set.Names(); !slices.Equal(got, []string{"only"}) {
		t.Errorf("Names() = %v, want [only]", got)
	}
}

func TestLoadWithoutSpec(t *testing.T) {
	// With no spec, operations are kept as written and nothing is checked
	// against a spec; the file's own rules still are.
	set := loadYAML(t, nil, Options{}, "s.yaml", `
name: s
rules:
  - {operations: [getPet, "GET /pets", createPet], status: 599}
  - {operations: ["*"], latency: 1s}
`)
	spec := testSpec(t)
	for _, tt := range []struct{ op, want string }{{"getPet", "599!"}, {"listPets", "599!"}, {"createPet", "599"}} {
		if got := outcome(decide(t, set, spec, "s", req{op: tt.op})); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.op, got, tt.want)
		}
	}
	if got := set.List()[0].Operations; !slices.Equal(got, []string{"*", "GET /pets", "createPet", "getPet"}) {
		t.Errorf("List operations %v", got)
	}
	if _, err := loadYAMLErr(nil, Options{}, "s.yaml", "name: s\nrules: [{operations: [x], status: 99}]\n"); err == nil {
		t.Error("a status out of range loaded without a spec")
	}
}

func TestSetListing(t *testing.T) {
	spec := testSpec(t)
	set := loadYAML(t, spec, Options{}, "b.yaml", `
name: zeta
description: every operation is slow
rules:
  - {operations: ["*"], latency: 1s}
`, "a.yaml", `
name: alpha
description: pets go missing
rules:
  - {operations: ["GET /pets/{id}"], status: 404}
  - {operations: [createPet, getPet], status: 500, allowUndocumented: true}
---
name: beta
rules:
  - {operations: [listPets], sequence: [200, 429]}
`)
	if got := set.Names(); !slices.Equal(got, []string{"alpha", "beta", "zeta"}) {
		t.Errorf("Names() = %v", got)
	}
	list := set.List()
	want := []Summary{
		{Name: "alpha", Description: "pets go missing", File: "scenarios/a.yaml", Operations: []string{"createPet", "getPet"}},
		{Name: "beta", File: "scenarios/a.yaml", Operations: []string{"listPets"}},
		{Name: "zeta", Description: "every operation is slow", File: "scenarios/b.yaml", Operations: []string{"createPet", "getPet", "listPets"}},
	}
	if len(list) != len(want) {
		t.Fatalf("List() = %+v", list)
	}
	for i := range want {
		g, w := list[i], want[i]
		if g.Name != w.Name || g.Description != w.Description || g.File != w.File || !slices.Equal(g.Operations, w.Operations) {
			t.Errorf("List()[%d] = %+v, want %+v", i, g, w)
		}
	}
	sc := set.Lookup("alpha")
	if sc == nil || sc.File != "scenarios/a.yaml" || sc.Line != 2 || len(sc.Rules) != 2 || sc.Rules[1].String() != "alpha#1" {
		t.Fatalf("Lookup(alpha) = %+v", sc)
	}
	if r := sc.Rules[0]; !slices.Equal(r.Operations, []string{"getPet"}) || r.Status != 404 {
		t.Errorf("rule 0: operations %v status %d; want the METHOD /path resolved to getPet", r.Operations, r.Status)
	}
	if set.Lookup("gamma") != nil {
		t.Error("Lookup of an unknown name is not nil")
	}
}

func TestErrorString(t *testing.T) {
	for _, tt := range []struct {
		e    Error
		want string
	}{
		{Error{File: "s.yaml", Line: 3, Column: 7, Path: "rules[0].status", Message: "bad"}, "s.yaml:3:7: rules[0].status: bad"},
		{Error{File: "s.yaml", Line: 3, Message: "bad"}, "s.yaml:3: bad"},
		{Error{File: "s.yaml", Message: "bad"}, "s.yaml: bad"},
	} {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}
