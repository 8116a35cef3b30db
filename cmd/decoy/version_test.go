package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestVersionNamesTheCommit: `decoy version` printed "devel" alone, which
// says nothing about what was built. It now prints the module version and
// the VCS stamp Go records at build time. The test builds the binary with
// go build from a fresh git repository holding this working tree, at a
// known commit time, then again with an uncommitted change.
func TestVersionNamesTheCommit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git command:", err)
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	git := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=decoy", "-c", "user.email=decoy@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE=2026-12-04T16:00:00Z", "GIT_COMMITTER_DATE=2026-12-04T16:00:00Z", "TZ=UTC")
		out, err := cmd.Output()
		if err != nil {
			t.Skipf("git %s: %v", strings.Join(args, " "), err)
		}
		return strings.TrimSpace(string(out))
	}
	// The working tree as it is (tracked and new files), not HEAD.
	for _, f := range strings.Split(git(root, "ls-files", "-co", "--exclude-standard"), "\n") {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			continue // deleted, or not a file
		}
		dst := filepath.Join(repo, f)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git(repo, "init", "-q")
	git(repo, "add", "-A")
	git(repo, "commit", "-q", "-m", "test")
	rev := git(repo, "rev-parse", "HEAD")
	version := func() string {
		t.Helper()
		bin := filepath.Join(t.TempDir(), "decoy")
		build := exec.Command(gobin, "build", "-buildvcs=true", "-o", bin, "./cmd/decoy")
		build.Dir = repo
		build.Env = append(os.Environ(), "GOFLAGS=-buildvcs=true")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
		out, err := exec.Command(bin, "version").Output()
		if err != nil {
			t.Fatalf("decoy version: %v", err)
		}
		return strings.TrimSpace(string(out))
	}
	// The module version is "(devel)", or (Go 1.24 on) a pseudo-version
	// from the same stamp, "+dirty" when modified.
	stamp := " commit " + rev[:7] + " 2026-12-04T16:00:00Z"
	want := regexp.MustCompile(`^decoy (\(devel\)|v0\.0\.0-20261204160000-` + rev[:12] + `)` + regexp.QuoteMeta(stamp) + `$`)
	if got := version(); !want.MatchString(got) {
		t.Errorf("clean build: %q, want %v", got, want)
	}
	if err := os.WriteFile(filepath.Join(repo, "NOTES"), []byte("uncommitted"), 0o644); err != nil {
		t.Fatal(err)
	}
	want = regexp.MustCompile(`^decoy (\(devel\)|v0\.0\.0-20261204160000-` + rev[:12] + `\+dirty)` + regexp.QuoteMeta(stamp+", modified") + `$`)
	if got := version(); !want.MatchString(got) {
		t.Errorf("build with an uncommitted change: %q, want %v", got, want)
	}
	// Without a VCS stamp (a test binary has none), the module version.
	if got := buildVersion(); !regexp.MustCompile(`^\S+`).MatchString(got) || strings.Contains(got, "devel ") {
		t.Errorf("buildVersion() = %q", got)
	}
}

// TestVersionStampedByRelease: scripts/release builds with -buildvcs=false
// and sets the version and commit with -ldflags -X; those win over the
// module version and over any VCS stamp.
func TestVersionStampedByRelease(t *testing.T) {
	defer func(v, c, at, m string) { version, commit, commitTime, commitModified = v, c, at, m }(version, commit, commitTime, commitModified)
	version, commit, commitTime, commitModified = "v1.2.3", "0123456789abcdef0123456789abcdef01234567", "2026-12-04T16:00:00Z", ""
	if got, want := buildVersion(), "v1.2.3 commit 0123456 2026-12-04T16:00:00Z"; got != want {
		t.Errorf("buildVersion() = %q, want %q", got, want)
	}
	commitModified = "true"
	if got, want := buildVersion(), "v1.2.3 commit 0123456 2026-12-04T16:00:00Z, modified"; got != want {
		t.Errorf("with commitModified: buildVersion() = %q, want %q", got, want)
	}
	version, commit, commitTime, commitModified = "v1.2.3", "", "", ""
	if got := buildVersion(); !strings.HasPrefix(got, "v1.2.3") {
		t.Errorf("version alone: buildVersion() = %q, want it to start with v1.2.3", got)
	}
	stdout, _, err := runCLI(t, "version")
	if err != nil || !strings.HasPrefix(stdout, "decoy v1.2.3") {
		t.Errorf("decoy version: %q, %v", stdout, err)
	}
}
