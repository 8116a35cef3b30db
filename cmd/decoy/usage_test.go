package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUsageErrorsExitTwo: a flag value out of range or flags that do not go
// together are usage errors (exit 2), as the help promises; several exited
// 1 like a runtime failure (--min-coverage 150, --fixtures without a spec).
func TestUsageErrorsExitTwo(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "openapi.yaml")
	if err := os.WriteFile(spec, []byte(specV1), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	for _, args := range [][]string{
		{"report", "--min-coverage", "150"},
		{"report", "--min-coverage", "-1"},
		{"report", "--url", "ftp://example.com"},
		{"report", "--timeout", "0s"},
		{"validate", "--fixtures", spec},
		{"validate", "--scenarios", spec},
		{"validate", "--ref-root", dir},
		{"validate", "--dir", spec},
		{"validate", "--dir", empty},
		{"validate", "--spec", dir},
		{"validate", "--spec", spec, "--fixtures", spec},
		{"validate", "--spec", spec, "--max-file-size", "0"},
		{"validate", "--spec", spec, "--max-spec-size", "0"},
		{"validate", "--spec", spec, "--max-file-size", "lots"},
		{"serve", "--spec", spec, "--port", "70000"},
		{"serve", "--spec", spec, "--port", "0", "--state-file", filepath.Join(dir, "state.json")},
		{"serve", "--spec", spec, "--port", "0", "--scenario", "nope"},
		{"serve", "--journal-size", "0"},
		{"serve", "--idle-timeout", "-1s"},
		{"init", "a", "b"},
		{"frobnicate"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			stdout, stderr, err := runCLI(t, args...)
			if code := exitCodeOf(err); code != 2 {
				t.Errorf("exit %d (%v), want 2", code, err)
			}
			if stdout != "" {
				t.Errorf("a usage error wrote to stdout: %q", stdout)
			}
			_ = stderr
		})
	}
}

// TestHelpGoesToStdout: help asked for with -h or --help is the answer, so
// it goes to stdout and exits 0 (`decoy serve -h | less` works); usage
// shown after a mistake goes to stderr.
func TestHelpGoesToStdout(t *testing.T) {
	for _, args := range [][]string{
		{"help"}, {"--help"}, {"serve", "-h"}, {"serve", "--help"}, {"-h"}, {"validate", "-h"},
		{"routes", "--help"}, {"report", "-h"}, {"init", "-h"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			stdout, stderr, err := runCLI(t, args...)
			if code := exitCodeOf(err); code != 0 {
				t.Errorf("exit %d (%v), want 0", code, err)
			}
			if !strings.Contains(stdout, "Usage:") || stderr != "" {
				t.Errorf("stdout %q, stderr %q: want the help on stdout alone", stdout, stderr)
			}
		})
	}
	for _, args := range [][]string{{"frobnicate"}, {"serve", "--nope"}, {"init", "--nope"}} {
		stdout, stderr, err := runCLI(t, args...)
		if exitCodeOf(err) != 2 || stdout != "" || stderr == "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q: want the mistake on stderr, exit 2", args, exitCodeOf(err), stdout, stderr)
		}
	}
}

// TestBannerNamesTheFolder: the banner said which spec file was served but
// not from where; it now names the project folder, or the embedded default.
func TestBannerNamesTheFolder(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "openapi.yaml"), []byte(specV1), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "fixtures"), 0o755); err != nil {
		t.Fatal(err)
	}
	pf := projectFlags{dir: dir, maxSpecSize: 1 << 20, maxFileSize: 1 << 20}
	p, err := pf.resolve()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.served(), dir+" (fixtures"+string(filepath.Separator)+")"; got != want {
		t.Errorf("--dir: %q, want %q", got, want)
	}
	pf = projectFlags{maxSpecSize: 1 << 20, maxFileSize: 1 << 20}
	t.Chdir(t.TempDir())
	if p, err = pf.resolve(); err != nil {
		t.Fatal(err)
	}
	if got := p.served(); !strings.Contains(got, "embedded default API") {
		t.Errorf("embedded: %q", got)
	}
}
