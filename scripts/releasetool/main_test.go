package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestBuildRefusesWhatIsNotARelease(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git command:", err)
	}
	repo := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Skipf("git %v: %v\n%s", args, err, out)
		}
	}
	os.WriteFile(filepath.Join(repo, "go.mod"), []byte("module example.com/x\n"), 0o644)
	git("init", "-q")
	git("add", "-A")
	git("commit", "-q", "-m", "x")
	os.WriteFile(filepath.Join(repo, "NOTES"), []byte("uncommitted"), 0o644)
	t.Chdir(repo)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"build", "v1.2.3"}, "uncommitted changes"},
		{[]string{"build", "latest"}, `version "latest" is not a semantic version`},
		{[]string{"build", "--allow-dirty", "--targets", "plan9/amd64", "v1.2.3"}, `--targets: target "plan9/amd64" is not one a release builds`},
		{[]string{"build"}, "usage:"},
		{[]string{"publish"}, `unknown command "publish"`},
		{[]string{"check-image", filepath.Join(repo, "go.mod"), "v1.2.3"}, "go.mod: reading the tar file"},
	} {
		var out, errb bytes.Buffer
		err := run(context.Background(), tc.args, &out, &errb)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want an error with %q", tc.args, err, tc.want)
		}
	}
}
