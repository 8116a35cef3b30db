package release

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestActionScripts runs the GitHub Action's steps as the runner would:
// install.sh fetches the release this test built (from a file:// URL, as
// from the project's releases), checks SHA256SUMS and unpacks it;
// start.sh starts decoy serve in the background and waits for health;
// report.sh reports (JUnit file, exit status) and stops it.
func TestActionScripts(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "tar", "sha256sum"} {
		if _, err := exec.LookPath(tool); err != nil {
			skipUnlessRequired(t, fmt.Sprintf("no %s command, so the action's scripts are not run here:", tool), err)
		}
	}
	dir, stamp := hostRelease(t)
	if hostTarget(t).OS == "windows" {
		t.Skip("the scripts run on Linux and macOS runners here")
	}
	scripts, err := filepath.Abs("../../scripts/action")
	if err != nil {
		t.Fatal(err)
	}
	runner := t.TempDir()
	ghEnv, ghPath, ghOutput := filepath.Join(runner, "env"), filepath.Join(runner, "path"), filepath.Join(runner, "output")
	for _, f := range []string{ghEnv, ghPath, ghOutput} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	base := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + runner, "RUNNER_TEMP=" + runner,
		"GITHUB_ENV=" + ghEnv, "GITHUB_PATH=" + ghPath, "GITHUB_OUTPUT=" + ghOutput}
	// exported reads what the steps so far wrote to GITHUB_ENV.
	exported := func(file string) map[string]string {
		t.Helper()
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		sc := bufio.NewScanner(strings.NewReader(string(data)))
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), "="); ok {
				m[k] = v
			}
		}
		return m
	}
	step := func(script string, env ...string) (string, error) {
		t.Helper()
		cmd := exec.Command("bash", filepath.Join(scripts, script))
		cmd.Env = append(append([]string(nil), base...), env...)
		for k, v := range exported(ghEnv) {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		cmd.Dir = runner
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	releases := "file://" + filepath.Dir(dir)

	t.Run("install refuses a changed archive", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), testVersion)
		if err := os.MkdirAll(bad, 0o755); err != nil {
			t.Fatal(err)
		}
		name := ArchiveName(testVersion, hostTarget(t))
		sums, _ := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
		os.WriteFile(filepath.Join(bad, "SHA256SUMS"), sums, 0o644)
		os.WriteFile(filepath.Join(bad, name), []byte("not the release"), 0o644)
		out, err := step("install.sh", "DECOY_VERSION="+testVersion, "DECOY_RELEASE_URL=file://"+filepath.Dir(bad), "GITHUB_ENV=/dev/null", "GITHUB_PATH=/dev/null")
		if err == nil || !strings.Contains(out, "but SHA256SUMS says") {
			t.Errorf("err = %v, output:\n%s", err, out)
		}
	})
	t.Run("install needs a version", func(t *testing.T) {
		out, err := step("install.sh", "DECOY_ACTION_REF=main", "GITHUB_ENV=/dev/null", "GITHUB_PATH=/dev/null")
		if err == nil || !strings.Contains(out, "no version to install") {
			t.Errorf("err = %v, output:\n%s", err, out)
		}
	})

	// The action's own ref names the release when no version is given.
	out, err := step("install.sh", "DECOY_ACTION_REF="+testVersion, "DECOY_RELEASE_URL="+releases)
	if err != nil {
		t.Fatalf("install.sh: %v\n%s", err, out)
	}
	if !strings.Contains(out, wantVersionLine(stamp)) {
		t.Errorf("install.sh did not print the installed version %q:\n%s", wantVersionLine(stamp), out)
	}
	bin := exported(ghEnv)["DECOY_BIN"]
	pathFile, _ := os.ReadFile(ghPath)
	if bin == "" || filepath.Dir(bin) != strings.TrimSpace(string(pathFile)) {
		t.Fatalf("DECOY_BIN %q, GITHUB_PATH %q", bin, pathFile)
	}

	out, err = step("start.sh", "DECOY_PORT=0", "DECOY_SCENARIO=slow", "DECOY_ARGS=--seed 7 --watch=false")
	if err != nil {
		t.Fatalf("start.sh: %v\n%s", err, out)
	}
	env := exported(ghEnv)
	url, pid := env["DECOY_URL"], env["DECOY_PID"]
	output, _ := os.ReadFile(ghOutput)
	if url == "" || !strings.Contains(string(output), "url="+url+"\n") {
		t.Fatalf("DECOY_URL %q, step output %q\n%s", url, output, out)
	}
	var proc *os.Process
	if n, err := strconv.Atoi(pid); err == nil && n > 0 {
		proc, _ = os.FindProcess(n)
	}
	if proc == nil {
		t.Fatalf("DECOY_PID %q", pid)
	}
	t.Cleanup(func() { proc.Kill() })
	// The scenario input reached decoy serve.
	var scenarios struct{ Active any }
	body := getOK(t, url+"/__decoy/scenarios")
	if err := json.Unmarshal([]byte(body), &scenarios); err != nil || !strings.Contains(fmt.Sprint(scenarios.Active), "slow") {
		t.Errorf("the active scenario is not slow: %v %s", err, body)
	}
	getOK(t, url+"/__decoy/health")

	junit := filepath.Join(runner, "decoy-junit.xml")
	out, err = step("report.sh", "DECOY_MIN_COVERAGE=0", "DECOY_JUNIT="+junit, "DECOY_STOP=false")
	if err != nil {
		t.Fatalf("report.sh (no minimum): %v\n%s", err, out)
	}
	if data, err := os.ReadFile(junit); err != nil || !strings.Contains(string(data), "<testsuite") {
		t.Errorf("no JUnit report in %s: %v %.200s", junit, err, data)
	}
	if err := proc.Signal(syscall.Signal(0)); err != nil {
		t.Fatalf("stop: false stopped decoy: %v", err)
	}
	// Nothing was requested, so 100% coverage fails; decoy is then stopped.
	out, err = step("report.sh", "DECOY_MIN_COVERAGE=100")
	if exitCode(err) != 1 {
		t.Errorf("report.sh with min-coverage 100: %v, want exit status 1\n%s", err, out)
	}
	deadline := time.Now().Add(5 * time.Second)
	for proc.Signal(syscall.Signal(0)) == nil && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if proc.Signal(syscall.Signal(0)) == nil {
		t.Errorf("decoy (pid %s) still runs after report.sh", pid)
	}
	if log, _ := os.ReadFile(env["DECOY_LOG"]); !strings.Contains(string(log), "stopped") {
		t.Errorf("decoy's log does not say it stopped:\n%s", log)
	}
}
