package main

import (
	"encoding/json"
	"encoding/xml"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/decoy-mock/decoy/internal/provider"
)

func startProvider(t *testing.T, d provider.Drift) string {
	t.Helper()
	p, err := provider.New(provider.Options{Drift: d})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestVerifyExitCodes(t *testing.T) {
	good, drifted := startProvider(t, 0), startProvider(t, provider.Undocumented500)
	t.Setenv("VERIFY_TEST_TOKEN", "sk_verify_secret")
	tests := []struct {
		name string
		args []string
		code int
		out  string // in stdout, or stderr for usage errors
	}{
		{"conforming provider", []string{"--target", good, "--header", "Authorization: Bearer $VERIFY_TEST_TOKEN"}, 0, "PASS: "},
		{"drifted provider", []string{"--target", drifted, "--auth", "bearerAuth=$VERIFY_TEST_TOKEN"}, 1, "rule: status 500 not documented"},
		{"no target", nil, 2, "needs --target"},
		{"target not a URL", []string{"--target", "localhost:8080"}, 2, "not an http(s) URL"},
		{"unknown operation", []string{"--target", good, "--operations", "nope"}, 2, `no operation "nope"`},
		{"unknown tag", []string{"--target", good, "--tags", "nope"}, 2, `no operation has the tag "nope"`},
		{"unknown scheme", []string{"--target", good, "--auth", "apiKey=x"}, 2, `no security scheme "apiKey" in the spec (known: bearerAuth)`},
		{"unset variable", []string{"--target", good, "--header", "Authorization: Bearer $VERIFY_TEST_UNSET"}, 2, "$VERIFY_TEST_UNSET is not set"},
		{"bad header", []string{"--target", good, "--header", "Authorization"}, 2, "is not 'Name: value'"},
		{"bad concurrency", []string{"--target", good, "--concurrency", "0"}, 2, "--concurrency 0"},
		{"unknown flag", []string{"--target", good, "--nope"}, 2, "--nope"},
		{"unreachable", []string{"--target", "http://127.0.0.1:1"}, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, err := runCLI(t, append([]string{"verify", "--quiet"}, tt.args...)...)
			if got := exitCodeOf(err); got != tt.code {
				t.Fatalf("exit %d, want %d (err %v)\nstdout:\n%s\nstderr:\n%s", got, tt.code, err, stdout, stderr)
			}
			where := stdout
			if tt.code == 2 {
				where = stderr
				if err != nil && err != errUsage {
					where += err.Error()
				}
			}
			if !strings.Contains(where, tt.out) {
				t.Errorf("output lacks %q:\n%s", tt.out, where)
			}
			if strings.Contains(stdout+stderr, "sk_verify_secret") {
				t.Error("the credential is printed")
			}
		})
	}
}

// TestVerifyWritesReports checks --junit, --json and --html on a drifted
// provider: each names the failure and none holds the credential.
func TestVerifyWritesReports(t *testing.T) {
	dir := t.TempDir()
	junit, js, html := filepath.Join(dir, "v.xml"), filepath.Join(dir, "v.json"), filepath.Join(dir, "v.html")
	_, _, err := runCLI(t, "verify", "--quiet", "--target", startProvider(t, provider.RenamedField), "--auth", "bearerAuth=sk_verify_secret",
		"--junit", junit, "--json", js, "--html", html)
	if exitCodeOf(err) != 1 {
		t.Fatalf("err = %v, want exit 1", err)
	}
	read := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "sk_verify_secret") {
			t.Errorf("%s holds the credential", filepath.Base(p))
		}
		return string(b)
	}
	var suites struct {
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name     string `xml:"name,attr"`
			Failures int    `xml:"failures,attr"`
			Cases    []struct {
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(read(junit)), &suites); err != nil {
		t.Fatal(err)
	}
	if suites.Failures == 0 || len(suites.Suites) != 2 || suites.Suites[0].Failures != 0 || suites.Suites[1].Failures == 0 {
		t.Errorf("junit: %+v", suites)
	}
	for _, c := range suites.Suites[1].Cases {
		if c.Failure != nil && !strings.Contains(c.Failure.Message, "/agent_key: required") {
			t.Errorf("junit failure %q", c.Failure.Message)
		}
	}
	var rep struct {
		Summary struct{ Failed int }
	}
	if err := json.Unmarshal([]byte(read(js)), &rep); err != nil || rep.Summary.Failed == 0 {
		t.Errorf("json: %v, %+v", err, rep)
	}
	if h := read(html); !strings.Contains(h, "/sessions/0/agent_key: required") || !strings.Contains(h, "Bearer ****") {
		t.Errorf("html lacks the failure or the masked request")
	}
}

// TestDecoyPassesItsOwnVerification runs verify against decoy serve: the
// mock must keep the contract it serves.
func TestDecoyPassesItsOwnVerification(t *testing.T) {
	base := startServe(t)
	stdout, stderr, err := runCLI(t, "verify", "--quiet", "--target", base, "--header", "Authorization: Bearer sk_test", "--seed", "7")
	if err != nil {
		t.Fatalf("err = %v\n%s\n%s", err, stdout, stderr)
	}
	if !strings.Contains(stdout, "PASS: ") || strings.Contains(stdout, "note:") {
		t.Errorf("stdout:\n%s", stdout)
	}
}

// TestVerifySpecReadsTheFixturesBesideIt: the form, decoy verify
// --spec openapi.yaml, sends the stubs and collection items of the
// fixtures/ folder beside the spec.
func TestVerifySpecReadsTheFixturesBesideIt(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "project")
	if _, _, err := runCLI(t, "init", dir); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "v.json")
	if _, stderr, err := runCLI(t, "verify", "--quiet", "--spec", filepath.Join(dir, "openapi.yaml"), "--target", startProvider(t, 0),
		"--auth", "bearerAuth=sk_x", "--json", out); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Operations []struct {
			Exchanges []struct{ Kind string }
		}
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, op := range rep.Operations {
		for _, e := range op.Exchanges {
			kinds[e.Kind] = true
		}
	}
	if !kinds["stub"] || !kinds["collection"] {
		t.Errorf("kinds of requests sent: %v, want stubs and collection items too", kinds)
	}
}
