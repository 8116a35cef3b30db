package release

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The end-to-end tests share one release of this checkout, built once for
// this machine's platform only (a build takes minutes on a busy machine).
var (
	hostOnce    sync.Once
	hostDir     string
	hostStamp   Stamp
	hostErr     error
	hostTmpRoot string
)

const testVersion = "v0.0.0-test"

func TestMain(m *testing.M) {
	code := m.Run()
	if hostTmpRoot != "" {
		os.RemoveAll(hostTmpRoot)
	}
	os.Exit(code)
}

func hostTarget(t *testing.T) Target {
	t.Helper()
	tg := Target{runtime.GOOS, runtime.GOARCH}
	for _, k := range Targets {
		if k == tg {
			return tg
		}
	}
	t.Skipf("%s is not a release target", tg)
	return tg
}

// hostRelease builds (once) the release of this checkout for this
// machine's platform, and returns its folder.
func hostRelease(t *testing.T) (string, Stamp) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a release (-short)")
	}
	tg := hostTarget(t)
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command:", err)
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git command:", err)
	}
	hostOnce.Do(func() {
		root, err := filepath.Abs("../..")
		if err != nil {
			hostErr = err
			return
		}
		if hostTmpRoot, err = os.MkdirTemp("", "decoy-release-test-"); err != nil {
			hostErr = err
			return
		}
		hostDir = filepath.Join(hostTmpRoot, "releases", testVersion)
		if hostStamp, err = ReadStamp(context.Background(), root, testVersion); err != nil {
			hostErr = err
			return
		}
		_, hostErr = Build(context.Background(), Options{Root: root, OutDir: hostDir, Stamp: hostStamp, Targets: []Target{tg}})
	})
	if hostErr != nil {
		t.Fatal(hostErr)
	}
	return hostDir, hostStamp
}

// skipUnlessRequired skips the test, saying why, unless
// DECOY_RELEASE_TESTS=require (scripts/ci-release-check sets it), where a
// missing tool fails it instead.
func skipUnlessRequired(t *testing.T, why ...any) {
	t.Helper()
	if os.Getenv("DECOY_RELEASE_TESTS") == "require" {
		t.Fatal(append([]any{"DECOY_RELEASE_TESTS=require:"}, why...)...)
	}
	t.Skip(why...)
}

// wantVersionLine is what the release binary's decoy version prints.
func wantVersionLine(s Stamp) string {
	line := "decoy " + s.Version + " commit " + s.Commit[:7] + " " + s.Time.Format(time.RFC3339)
	if s.Modified {
		line += ", modified"
	}
	return line
}

func TestReleaseForThisPlatform(t *testing.T) {
	dir, stamp := hostRelease(t)
	tg := hostTarget(t)
	sums, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, line := range strings.Split(strings.TrimSpace(string(sums)), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok {
			t.Fatalf("SHA256SUMS line %q is not \"HASH  NAME\"", line)
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got := sha256.Sum256(data)
		if hex.EncodeToString(got[:]) != sum {
			t.Errorf("%s: SHA256SUMS says %s, the file's is %x", name, sum, got)
		}
		listed = append(listed, name)
	}
	want := []string{ArchiveName(testVersion, tg)}
	if tg.OS == "linux" {
		want = append(want, ImageName(testVersion, tg))
	}
	slices.Sort(want)
	if strings.Join(listed, " ") != strings.Join(want, " ") {
		t.Errorf("SHA256SUMS lists %v, want %v", listed, want)
	}
	if tg.OS == "windows" {
		return // the rest unpacks a tar.gz
	}
	exe := extractBinary(t, filepath.Join(dir, ArchiveName(testVersion, tg)))
	out, err := exec.Command(exe, "version").Output()
	if err != nil {
		t.Fatalf("decoy version: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != wantVersionLine(stamp) {
		t.Errorf("decoy version prints %q, want %q", got, wantVersionLine(stamp))
	}
}

// extractBinary unpacks decoy from a .tar.gz archive into a temporary
// folder and returns its path.
func extractBinary(t *testing.T, archive string) string {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("%s: no decoy in it (%v)", archive, err)
		}
		if h.Name == "decoy" {
			exe := filepath.Join(t.TempDir(), "decoy")
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(exe, data, 0o755); err != nil {
				t.Fatal(err)
			}
			return exe
		}
	}
}

// bannerURL reads lines from r until decoy's banner names the URL it
// serves on, and returns it; the lines read go to log.
func bannerURL(t *testing.T, r io.Reader, log *syncBuffer) string {
	t.Helper()
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(log, line)
			if m := bannerLine.FindStringSubmatch(line); m != nil && !sent {
				found <- m[1]
				sent = true
			}
		}
		close(found)
	}()
	select {
	case url, ok := <-found:
		if !ok {
			t.Fatalf("decoy ended without its banner:\n%s", log)
		}
		return url
	case <-time.After(60 * time.Second):
		t.Fatalf("no banner within a minute:\n%s", log)
	}
	return ""
}

var bannerLine = regexp.MustCompile(`^decoy: serving .* on (http://127\.0\.0\.1:\d+)$`)

// syncBuffer is a bytes.Buffer that a process's stderr copier and the
// banner reader may write at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

func getOK(t *testing.T, url string, header ...string) string {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s\n%s", url, resp.Status, body)
	}
	return string(body)
}

// TestNPMPackagesInstallOffline is the frontend's path: npm pack the
// packages the release wrote, install the tarballs into a new project with
// no registry reachable, then npx decoy version, npx decoy serve --port 0,
// and the documented "mock" script.
func TestNPMPackagesInstallOffline(t *testing.T) {
	npm, err := exec.LookPath("npm")
	if err != nil {
		skipUnlessRequired(t, "no npm command, so the npm packages are not tested here:", err)
	}
	if _, err := exec.LookPath("npx"); err != nil {
		skipUnlessRequired(t, "no npx command:", err)
	}
	dir, stamp := hostRelease(t)
	tg := hostTarget(t)
	work := t.TempDir()
	// A registry that is not there and an empty cache: any download fails.
	env := append(os.Environ(), "npm_config_registry=http://127.0.0.1:9/", "npm_config_cache="+filepath.Join(work, "cache"),
		"npm_config_update_notifier=false", "npm_config_audit=false", "npm_config_fund=false", "DECOY_BINARY_PATH=")
	npmRun := func(cwd string, args ...string) string {
		t.Helper()
		cmd := exec.Command(npm, args...)
		cmd.Dir, cmd.Env = cwd, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("npm %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	packs := filepath.Join(work, "packs")
	if err := os.Mkdir(packs, 0o755); err != nil {
		t.Fatal(err)
	}
	_, cpu := tg.NPM()
	nodeOS, _ := tg.NPM()
	platformPkg := filepath.Join(dir, "npm", "cli-"+nodeOS+"-"+cpu)
	npmRun(packs, "pack", "--pack-destination", packs, filepath.Join(dir, "npm", "cli"))
	npmRun(packs, "pack", "--pack-destination", packs, platformPkg)
	npmVersion := strings.TrimPrefix(testVersion, "v")
	cliTgz := filepath.Join(packs, "decoy-mock-cli-"+npmVersion+".tgz")
	platformTgz := filepath.Join(packs, "decoy-mock-cli-"+nodeOS+"-"+cpu+"-"+npmVersion+".tgz")
	for _, f := range []string{cliTgz, platformTgz} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("npm pack wrote no %s", filepath.Base(f))
		}
	}
	project := filepath.Join(work, "frontend")
	if err := os.Mkdir(project, 0o755); err != nil {
		t.Fatal(err)
	}
	pkg := `{"name": "frontend", "private": true, "scripts": {"mock": "decoy serve --dir mock"}}`
	if err := os.WriteFile(filepath.Join(project, "package.json"), []byte(pkg), 0o644); err != nil {
		t.Fatal(err)
	}
	// The other platforms' optional packages cannot be fetched offline;
	// npm skips them, as it skips those whose os or cpu do not match.
	npmRun(project, "install", "--offline", "--save-dev", "--no-audit", "--no-fund", cliTgz, platformTgz)
	if _, err := os.Stat(filepath.Join(project, "node_modules", ".bin", "decoy")); err != nil {
		t.Fatalf("npm install made no node_modules/.bin/decoy: %v", err)
	}
	if got := strings.TrimSpace(npmRun(project, "exec", "--offline", "--no", "--", "decoy", "version")); got != wantVersionLine(stamp) {
		t.Errorf("npm exec decoy version: %q, want %q", got, wantVersionLine(stamp))
	}
	npx := func(args ...string) *exec.Cmd {
		cmd := exec.Command("npx", append([]string{"--offline", "--no", "decoy"}, args...)...)
		cmd.Dir, cmd.Env = project, env
		return cmd
	}
	out, err := npx("version").Output()
	if err != nil || strings.TrimSpace(string(out)) != wantVersionLine(stamp) {
		t.Errorf("npx decoy version: %q, %v; want %q", out, err, wantVersionLine(stamp))
	}
	// An unknown command's exit code (2) comes through the launcher.
	if err := npx("nope").Run(); exitCode(err) != 2 {
		t.Errorf("npx decoy nope: %v, want exit status 2", err)
	}
	t.Run("serve", func(t *testing.T) {
		serveThrough(t, npx("serve", "--port", "0", "--watch=false"), true)
	})
	t.Run("mock script", func(t *testing.T) {
		npmRun(project, "exec", "--offline", "--no", "--", "decoy", "init", "mock")
		cmd := exec.Command(npm, "run", "mock", "--", "--port", "0", "--watch=false")
		cmd.Dir, cmd.Env = project, env
		serveThrough(t, cmd, false)
	})
	t.Run("launcher passes signals", func(t *testing.T) {
		// node running the launcher alone, sent SIGTERM as a CI runner
		// would: decoy drains and exits 0, and so does node.
		cmd := exec.Command("node", filepath.Join(project, "node_modules", "@decoy-mock", "cli", "bin", "decoy.js"), "serve", "--port", "0", "--watch=false")
		cmd.Dir, cmd.Env = project, env
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var logs syncBuffer
		cmd.Stderr = &logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer cmd.Process.Kill()
		url := bannerURL(t, stdout, &logs)
		getOK(t, url+"/__decoy/health")
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("after SIGTERM: %v\n%s", err, logs.String())
			}
			if !strings.Contains(logs.String(), "stopped") {
				t.Errorf("decoy did not log that it stopped:\n%s", logs.String())
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("still running 20s after SIGTERM\n%s", logs.String())
		}
	})
}

// serveThrough starts cmd (a decoy serve behind npm or npx) in its own
// process group, waits for the banner, checks the health endpoint (and,
// for the embedded default API, one of its routes), then stops the group.
func serveThrough(t *testing.T, cmd *exec.Cmd, defaultAPI bool) {
	t.Helper()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
			t.Errorf("still running 20s after SIGTERM")
		}
	}
	defer stop()
	url := bannerURL(t, stdout, &logs)
	if body := getOK(t, url+"/__decoy/health"); !strings.Contains(body, "ok") {
		t.Errorf("health: %s", body)
	}
	if defaultAPI {
		// The embedded default API is what is served.
		if body := getOK(t, url+"/__decoy/routes"); !strings.Contains(body, "/v2/agents/{agent_key}/sessions") {
			t.Errorf("routes: %s", body)
		}
	}
	stop()
}

func exitCode(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err == nil {
		return 0
	}
	return -1
}
