package release

import (
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/decoy-mock/decoy/internal/ociimage"
)

// TestImageRunsUnderPodman loads the release's container image into
// podman, runs it with its port published on loopback, and calls it: the
// embedded API answers on 0.0.0.0:4010 inside, and the admin API needs the
// token, as the README says. Where podman is missing, or cannot start a
// container on this machine (no cgroups or rlimits for it in a sandbox),
// the test is skipped saying so.
func TestImageRunsUnderPodman(t *testing.T) {
	podman, err := exec.LookPath("podman")
	if err != nil {
		t.Skip("no podman command, so the image is not run here (its tar file is checked by internal/ociimage and check-image):", err)
	}
	dir, stamp := hostRelease(t)
	tg := hostTarget(t)
	if tg.OS != "linux" {
		t.Skip("images are built for linux targets only")
	}
	run := func(args ...string) (string, error) {
		out, err := exec.Command(podman, args...).CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	out, err := run("load", "-q", "-i", filepath.Join(dir, ImageName(testVersion, tg)))
	if err != nil {
		t.Fatalf("podman load: %v\n%s", err, out)
	}
	image := "localhost/" + ociimage.RefName(testVersion)
	t.Cleanup(func() { run("rmi", "-f", image) })
	// podman asks for rlimits a sandbox may refuse; ask for none above
	// what this process has.
	limits := []string{"--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"}
	out, err = run(append(append([]string{"run", "--rm"}, limits...), image, "version")...)
	if err != nil {
		if strings.Contains(out, "OCI runtime error") || strings.Contains(out, "OCI permission denied") || strings.Contains(out, "cgroup") {
			t.Skipf("podman cannot run containers on this machine: %s", out)
		}
		t.Fatalf("podman run %s version: %v\n%s", image, err, out)
	}
	if out != wantVersionLine(stamp) {
		t.Errorf("decoy version in the container: %q, want %q", out, wantVersionLine(stamp))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	name := fmt.Sprintf("decoy-test-%d", port)
	out, err = run(append(append([]string{"run", "-d", "--name", name, "-p", fmt.Sprintf("127.0.0.1:%d:4010", port), "-e", "DECOY_ADMIN_TOKEN=s3cret"}, limits...), image)...)
	if err != nil {
		t.Fatalf("podman run -d: %v\n%s", err, out)
	}
	t.Cleanup(func() { run("rm", "-f", name) })
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := client.Get(base + "/__decoy/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("the admin API without the token: %s, want 401", resp.Status)
			}
			break
		}
		if time.Now().After(deadline) {
			logs, _ := run("logs", name)
			t.Fatalf("the container never answered on %s: %v\n%s", base, err, logs)
		}
		time.Sleep(200 * time.Millisecond)
	}
	getOK(t, base+"/__decoy/health", "Authorization", "Bearer s3cret")
	if body := getOK(t, base+"/__decoy/routes", "Authorization", "Bearer s3cret"); !strings.Contains(body, "/v2/agents/{agent_key}/sessions") {
		t.Errorf("routes: %s", body)
	}
}
