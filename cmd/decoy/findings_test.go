package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/decoy-mock/decoy/mockserver"
	"github.com/decoy-mock/decoy/openapi"
)

// specWithBadExamples is a spec with n examples that break their own
// schema: n findings of class bad-example, one per path.
func specWithBadExamples(n int) string {
	var b strings.Builder
	b.WriteString("openapi: 3.0.3\ninfo: {title: flawed, version: \"1\"}\npaths:\n")
	for i := range n {
		fmt.Fprintf(&b, "  /p%d:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {type: integer}\n              example: \"not a number\"\n", i)
	}
	return b.String()
}

// writeFile writes content to dir/name, making its folders.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestValidateGroupsFindingsAndExitCodes(t *testing.T) {
	dir := t.TempDir()
	three := writeFile(t, dir, "three.yaml", specWithBadExamples(3))
	many := writeFile(t, dir, "many.yaml", specWithBadExamples(25))
	tests := []struct {
		name     string
		args     []string
		exit     int
		stdout   []string
		noStdout []string
		stderr   []string
	}{
		{name: "findings exit 0", args: []string{"--spec", three}, exit: 0,
			stdout: []string{"bad-example (3)\n  " + three + ":10:13: /paths/~1p0/", ": /paths/~1p0/get/responses/200/content/application~1json/example: example does not match its schema", three + ": OpenAPI 3.0, 3 operations, 3 findings\n"}},
		{name: "strict exits 1 on findings", args: []string{"--spec", three, "--strict"}, exit: 1,
			stdout: []string{"bad-example (3)", "3 findings"}},
		{name: "strict passes a clean spec", args: []string{"--strict"}, exit: 0,
			stdout: []string{"0 findings"}, noStdout: []string{"bad-example"}},
		{name: "first 20 of a class", args: []string{"--spec", many}, exit: 0,
			stdout: []string{"bad-example (25)", "  ... and 5 more (--all prints every one)\n", "25 findings"}, noStdout: []string{"/p24/"}},
		{name: "all", args: []string{"--spec", many, "--all"}, exit: 0,
			stdout: []string{"/~1p24/"}, noStdout: []string{"more"}},
		{name: "load error exits 1", args: []string{"--spec", "../../openapi/testdata/missing-ref.yaml"}, exit: 1,
			stderr: []string{"missing-ref.yaml:14:24"}},
		{name: "unknown format is a usage error", args: []string{"--spec", three, "--format", "xml"}, exit: 2,
			stderr: []string{`decoy validate: invalid value "xml" for flag --format: unknown format "xml" (known: text, json)`}},
		{name: "unknown flag is a usage error", args: []string{"--nope"}, exit: 2,
			stderr: []string{"decoy validate: flag provided but not defined: --nope", "run 'decoy validate -h'"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, err := runCLI(t, append([]string{"validate"}, tt.args...)...)
			if got := exitCodeOf(err); got != tt.exit {
				t.Errorf("exit %d (err %v), want %d\nstdout:\n%s\nstderr:\n%s", got, err, tt.exit, stdout, stderr)
			}
			for _, w := range tt.stdout {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
			for _, w := range tt.noStdout {
				if strings.Contains(stdout, w) {
					t.Errorf("stdout has %q:\n%s", w, stdout)
				}
			}
			for _, w := range tt.stderr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
}

// exitCodeOf is what main exits with for err.
func exitCodeOf(err error) int {
	if err == nil {
		return 0
	}
	return exitCode(err)
}

func TestValidateSortsFindingsByPlace(t *testing.T) {
	p := writeFile(t, t.TempDir(), "twelve.yaml", specWithBadExamples(12))
	stdout, _, err := runCLI(t, "validate", "--spec", p)
	if err != nil {
		t.Fatal(err)
	}
	// /p0 … /p11 in file order: line 12 before line 102 (and not "/p10"
	// before "/p2", as a sort by text would put them).
	lines := regexp.MustCompile(`/~1p(\d+)/`).FindAllStringSubmatch(stdout, -1)
	for i, m := range lines {
		if m[1] != fmt.Sprint(i) {
			t.Fatalf("finding %d is about /p%s; not in place order:\n%s", i, m[1], stdout)
		}
	}
	if len(lines) != 12 {
		t.Fatalf("%d findings printed, want 12:\n%s", len(lines), stdout)
	}
}

func TestValidateFormatJSON(t *testing.T) {
	p := writeFile(t, t.TempDir(), "flawed.yaml", specWithBadExamples(25))
	for _, tt := range []struct {
		args []string
		want int
		exit int
	}{
		{[]string{"--spec", p}, 25, 0},
		{[]string{"--spec", p, "--strict"}, 25, 1},
		{nil, 0, 0},
	} {
		stdout, _, err := runCLI(t, append([]string{"validate", "--format", "json"}, tt.args...)...)
		if got := exitCodeOf(err); got != tt.exit {
			t.Errorf("%v: exit %d, want %d", tt.args, got, tt.exit)
		}
		var list []openapi.Finding
		if err := json.Unmarshal([]byte(stdout), &list); err != nil {
			t.Fatalf("%v: not a JSON array of findings: %v\n%s", tt.args, err, stdout)
		}
		if len(list) != tt.want || tt.want > 0 && (list[0].Class != openapi.ClassBadExample || !strings.HasPrefix(list[0].Where, p+":")) {
			t.Errorf("%v: %d findings, want %d: %+v", tt.args, len(list), tt.want, list)
		}
		if tt.want == 0 && strings.TrimSpace(stdout) != "[]" {
			t.Errorf("no findings as %q, want []", stdout)
		}
	}
}

func TestServeStrictRefusesASpecWithFindings(t *testing.T) {
	p := writeFile(t, t.TempDir(), "flawed.yaml", specWithBadExamples(2))
	stdout, stderr, err := runCLI(t, "serve", "--spec", p, "--strict", "--port", "0", "--watch=false")
	if exitCodeOf(err) != 1 || !strings.Contains(err.Error(), "--strict") || !strings.Contains(err.Error(), "2 findings") {
		t.Fatalf("err = %v, want exit 1 naming --strict and the count", err)
	}
	if !strings.Contains(stderr, "bad-example (2)\n  "+p+":10:13: ") {
		t.Errorf("the findings are not listed as validate lists them:\n%s", stderr)
	}
	if strings.Contains(stdout, "serving") {
		t.Errorf("it started anyway: %s", stdout)
	}
}

// serveUntil runs serve with args until stdout has want, then stops it; it
// returns what was printed and logged.
func serveUntil(t *testing.T, want string, args ...string) (stdout, logs string) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var out, log syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--port", "0", "--watch=false"}, args...), &out, &log)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String()+log.String(), want) && time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("serve stopped: %v\n%s\n%s", err, out.String(), log.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return out.String(), log.String()
}

func TestBannerCountsFindingsInsteadOfListingThem(t *testing.T) {
	p := writeFile(t, t.TempDir(), "flawed.yaml", specWithBadExamples(30))
	out, logs := serveUntil(t, "30 findings", "--spec", p)
	if want := "  30 findings (decoy validate --spec " + p + " lists them; GET http://127.0.0.1:"; !strings.Contains(out, want) {
		t.Errorf("banner lacks %q:\n%s", want, out)
	}
	if strings.Contains(logs, "example does not match") {
		t.Errorf("findings logged one by one:\n%s", logs)
	}
	// --quiet: no banner, one log line.
	_, logs = serveUntil(t, "lists them", "--spec", p, "--quiet")
	if strings.Count(logs, "\n") > 2 || !strings.Contains(logs, "30 findings (decoy validate --spec "+p+" lists them)") {
		t.Errorf("quiet logs:\n%s", logs)
	}
	// No findings: not a word about them.
	out, _ = serveUntil(t, "serving")
	if strings.Contains(out, "finding") {
		t.Errorf("banner of a clean spec talks of findings:\n%s", out)
	}
}

func TestValidateCommandReproducesTheLoad(t *testing.T) {
	tests := []struct {
		pf   projectFlags
		want string
	}{
		{projectFlags{maxSpecSize: openapi.DefaultMaxSpecBytes}, "decoy validate"},
		{projectFlags{spec: "api/open api.yaml", refRoot: ".", maxSpecSize: openapi.DefaultMaxSpecBytes}, "decoy validate --spec 'api/open api.yaml' --ref-root ."},
		{projectFlags{dir: "proj", allowRemoteRefs: true, maxSpecSize: 1 << 30}, "decoy validate --dir proj --allow-remote-refs --max-spec-size 1GiB"},
		{projectFlags{dir: "proj", maxSpecSize: openapi.DefaultMaxSpecBytes, maxFileSize: 1 << 30}, "decoy validate --dir proj --max-file-size 1GiB"},
	}
	for _, tt := range tests {
		if got := tt.pf.validateCommand(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.pf, got, tt.want)
		}
	}
}

func TestReloadCountsFindingsAndStrictRefusesThem(t *testing.T) {
	for _, strict := range []bool{false, true} {
		t.Run(fmt.Sprint("strict=", strict), func(t *testing.T) {
			dir := t.TempDir()
			spec := writeFile(t, dir, "openapi.yaml", specV1)
			port := freePort(t)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			logs := &syncBuffer{}
			done := make(chan error, 1)
			go func() {
				done <- run(ctx, []string{"serve", "--dir", dir, "--port", fmt.Sprint(port), "--quiet", fmt.Sprint("--strict=", strict)}, io.Discard, logs)
			}()
			url := fmt.Sprintf("http://127.0.0.1:%d/ping", port)
			waitFor(t, url, func(s int, b string) bool { return s == 200 && strings.Contains(b, `"version":1`) })
			// Version 2 has a finding: its example breaks its schema.
			flawed := strings.Replace(strings.Replace(specV1, "{version: 1}", "{version: \"2\"}", 1), "application/json:", "application/json:\n              schema: {type: object, properties: {version: {type: integer}}}", 1)
			saveByRename(t, spec, flawed)
			want := "1 finding (decoy validate --dir " + dir + " lists them)"
			if strict {
				want = "--strict: " + spec + " has 1 finding"
			}
			deadline := time.Now().Add(5 * time.Second)
			for !strings.Contains(logs.String(), want) && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if !strings.Contains(logs.String(), want) {
				t.Fatalf("logs lack %q:\n%s", want, logs.String())
			}
			if strict {
				// The old spec keeps serving.
				waitFor(t, url, func(s int, b string) bool { return strings.Contains(b, `"version":1`) })
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}
}

// refLayout writes a project whose spec refers to a file in a sibling
// folder, specs/api/openapi.yaml → ../common/Error.yaml, and returns its
// folder.
func refLayout(t *testing.T) string {
	t.Helper()
	proj := t.TempDir()
	writeFile(t, proj, "specs/api/openapi.yaml", `openapi: 3.0.3
info: {title: multi, version: "1"}
paths:
  /e:
    get:
      responses:
        '404':
          description: not found
          content:
            application/json:
              schema: {$ref: '../common/Error.yaml'}
`)
	writeFile(t, proj, "specs/common/Error.yaml", "type: object\nproperties:\n  code: {type: string}\n")
	return proj
}

func TestRefRoot(t *testing.T) {
	proj := refLayout(t)
	spec := filepath.Join(proj, "specs", "api", "openapi.yaml")
	outside := t.TempDir()
	tests := []struct {
		name   string
		cwd    string
		args   []string
		exit   int
		stdout string
		stderr string
		errHas string
	}{
		{name: "the current folder holds the spec", cwd: proj, args: []string{"--spec", "specs/api/openapi.yaml"}, exit: 0,
			stdout: "specs/api/openapi.yaml: OpenAPI 3.0, 1 operations"},
		{name: "outside, the spec's folder is the root", cwd: outside, args: []string{"--spec", spec}, exit: 1,
			stderr: `$ref "../common/Error.yaml" leaves the ref root (the folder $refs may reach; set it with --ref-root)`},
		{name: "--ref-root reaches the sibling", cwd: outside, args: []string{"--spec", spec, "--ref-root", proj}, exit: 0,
			stdout: spec + ": OpenAPI 3.0"},
		{name: "--ref-root relative", cwd: proj, args: []string{"--spec", "specs/api/openapi.yaml", "--ref-root", "specs"}, exit: 0,
			stdout: "specs/api/openapi.yaml: OpenAPI 3.0"},
		{name: "spec outside --ref-root", cwd: proj, args: []string{"--spec", "specs/api/openapi.yaml", "--ref-root", "specs/common"}, exit: 2,
			errHas: "the spec specs/api/openapi.yaml is outside --ref-root specs/common"},
		{name: "--ref-root that is no folder", cwd: proj, args: []string{"--spec", "specs/api/openapi.yaml", "--ref-root", "specs/common/Error.yaml"}, exit: 2,
			errHas: "--ref-root specs/common/Error.yaml is not a folder"},
		{name: "--ref-root needs a spec", cwd: outside, args: []string{"--ref-root", proj}, exit: 2,
			errHas: "--ref-root needs a spec"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(tt.cwd)
			stdout, stderr, err := runCLI(t, append([]string{"validate"}, tt.args...)...)
			if got := exitCodeOf(err); got != tt.exit {
				t.Fatalf("exit %d (err %v), want %d\n%s%s", got, err, tt.exit, stdout, stderr)
			}
			if !strings.Contains(stdout, tt.stdout) || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stdout %q, want %q\nstderr %q, want %q", stdout, tt.stdout, stderr, tt.stderr)
			}
			if tt.errHas != "" && (err == nil || !strings.Contains(err.Error(), tt.errHas)) {
				t.Errorf("err = %v, want %q", err, tt.errHas)
			}
		})
	}
	t.Run("env", func(t *testing.T) {
		t.Chdir(outside)
		t.Setenv("DECOY_REF_ROOT", proj)
		if _, stderr, err := runCLI(t, "validate", "--spec", spec); err != nil {
			t.Fatalf("DECOY_REF_ROOT not read: %v %s", err, stderr)
		}
	})
}

func TestRefRootRefusesASymlinkOutOfIt(t *testing.T) {
	proj := refLayout(t)
	elsewhere := writeFile(t, t.TempDir(), "Error.yaml", "type: object\n")
	common := filepath.Join(proj, "specs", "common", "Error.yaml")
	if err := os.Remove(common); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, common); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	t.Chdir(proj)
	_, stderr, err := runCLI(t, "validate", "--spec", "specs/api/openapi.yaml")
	if exitCodeOf(err) != 1 || !strings.Contains(stderr, "specs/common/Error.yaml is a symbolic link to "+elsewhere+", outside the ref root") || !strings.Contains(stderr, "--ref-root") {
		t.Fatalf("err = %v, stderr:\n%s", err, stderr)
	}
}

func TestWatchedFoldersFollowTheRefRoot(t *testing.T) {
	proj := refLayout(t)
	t.Chdir(proj)
	pf := projectFlags{spec: "specs/api/openapi.yaml", maxSpecSize: openapi.DefaultMaxSpecBytes, maxFileSize: mockserver.DefaultMaxFileBytes}
	p, err := pf.resolve()
	if err != nil {
		t.Fatal(err)
	}
	l, err := p.load(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(p.watched(l), " ")
	for _, d := range []string{"specs/api", "specs/common"} {
		want, _ := filepath.Abs(d)
		if !strings.Contains(" "+got+" ", " "+want+" ") {
			t.Errorf("watched %s, want %s among them", got, want)
		}
	}
}

func TestMaxSpecSize(t *testing.T) {
	// A 3 KiB spec: a valid document and a long comment.
	p := writeFile(t, t.TempDir(), "big.yaml", specV1+"# "+strings.Repeat("x", 3<<10-len(specV1)-3)+"\n")
	tests := []struct {
		name   string
		args   []string
		env    string
		exit   int
		stderr string
		errHas string
	}{
		{name: "under the limit", args: []string{"--max-spec-size", "4KiB"}, exit: 0},
		{name: "over the limit", args: []string{"--max-spec-size", "2KiB"}, exit: 1,
			stderr: "big.yaml: larger than the limit of 2 KiB (raise it with --max-spec-size)"},
		{name: "env", env: "2KiB", exit: 1, stderr: "raise it with --max-spec-size"},
		{name: "zero", args: []string{"--max-spec-size", "0"}, exit: 2, errHas: "--max-spec-size must be positive"},
		{name: "not a size", args: []string{"--max-spec-size", "lots"}, exit: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env != "" {
				t.Setenv("DECOY_MAX_SPEC_SIZE", tt.env)
			}
			for _, cmd := range []string{"validate", "serve"} {
				args := append([]string{cmd, "--spec", p}, tt.args...)
				if cmd == "serve" {
					if tt.exit == 0 {
						continue // serving is tested elsewhere
					}
					args = append(args, "--port", "0", "--watch=false")
				}
				_, stderr, err := runCLI(t, args...)
				if got := exitCodeOf(err); got != tt.exit {
					t.Fatalf("%s: exit %d (err %v), want %d\n%s", cmd, got, err, tt.exit, stderr)
				}
				msg := stderr
				if err != nil {
					msg += err.Error()
				}
				if !strings.Contains(msg, tt.stderr) || !strings.Contains(msg, tt.errHas) {
					t.Errorf("%s: output %q lacks %q / %q", cmd, msg, tt.stderr, tt.errHas)
				}
			}
		})
	}
}
