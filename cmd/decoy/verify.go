package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/decoy-mock/decoy/verify"
)

// errVerifyFailed is returned when the provider broke the contract; it
// exits 1 like every runtime failure.
var errVerifyFailed = errors.New("the provider breaks the contract")

// listFlag is a repeatable flag whose values may also be comma-separated.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// repeatFlag is a repeatable flag taken whole (a header value may hold
// commas).
type repeatFlag []string

func (r *repeatFlag) String() string { return strings.Join(*r, "; ") }

func (r *repeatFlag) Set(v string) error { *r = append(*r, v); return nil }

// verifyCmd is `decoy verify`: it checks a running provider against the
// spec and exits 1 when any answer breaks it.
func verifyCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	var pf projectFlags
	pf.register(fs)
	target := fs.String("target", "", "base `URL` of the provider to verify, e.g. http://127.0.0.1:8080 (each operation's path is appended; include the spec's base path if it has one)")
	var headers, auths repeatFlag
	fs.Var(&headers, "header", "send this `'Name: value'` header with every request (repeatable); $VAR and ${VAR} in the value are read from the environment, e.g. 'Authorization: Bearer $TOKEN'")
	fs.Var(&auths, "auth", "the credential of a security scheme, `SCHEME=VALUE` (repeatable): a bearer token, user:password for basic, the key of an apiKey scheme; $VAR is read from the environment")
	var ops, tags listFlag
	fs.Var(&ops, "operations", "verify only these `operations`: operationId or 'METHOD /path' (repeatable, or comma-separated)")
	fs.Var(&tags, "tags", "verify only the operations with these `tags` (repeatable, or comma-separated)")
	seed := fs.Uint64("seed", 0, "seed for the generated requests: the same seed sends the same requests")
	generated := fs.Int("generated", 5, "generated valid requests per operation (0 for none)")
	concurrency := fs.Int("concurrency", 4, "the most requests in flight at once")
	rate := fs.Float64("rate", 0, "the most requests started per second (0: no limit)")
	timeout := fs.Duration("timeout", 10*time.Second, "how long each request may take, its answer's body included")
	maxBody := byteSize(4 << 20)
	fs.TextVar(&maxBody, "max-body", maxBody, "the largest answer body `size` read and checked; a longer one is cut and its schema not checked")
	junit := fs.String("junit", "", "also write the report as JUnit XML to `file` (a test suite per operation, a test case per request)")
	jsonOut := fs.String("json", "", "also write the whole report, every request and answer, as JSON to `file`")
	htmlOut := fs.String("html", "", "also write the report as an HTML page to `file`")
	quiet := fs.Bool("quiet", false, "print no progress line")
	if err := parse(fs, args, stdout, stderr); err != nil {
		return err
	}
	switch {
	case *target == "":
		return usagef("decoy verify needs --target, the base URL of the provider (e.g. --target http://127.0.0.1:8080)")
	case *concurrency < 1:
		return usagef("--concurrency %d must be at least 1", *concurrency)
	case *rate < 0:
		return usagef("--rate %v must not be negative", *rate)
	case *timeout <= 0:
		return usagef("--timeout %s must be positive", *timeout)
	case *generated < 0:
		return usagef("--generated %d must not be negative", *generated)
	case maxBody < 1:
		return usagef("--max-body must be positive")
	}
	header := http.Header{}
	for _, h := range headers {
		name, value, ok := strings.Cut(h, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return usagef("--header %q is not 'Name: value'", h)
		}
		value, err := expandEnv(value)
		if err != nil {
			return usagef("--header %q: %v", h, err)
		}
		header.Add(name, strings.TrimSpace(value))
	}
	creds := map[string]string{}
	var err error
	for _, a := range auths {
		name, value, ok := strings.Cut(a, "=")
		if !ok || name == "" {
			return usagef("--auth %q is not SCHEME=VALUE", a)
		}
		if creds[name], err = expandEnv(value); err != nil {
			return usagef("--auth %q: %v", name+"=…", err)
		}
	}
	if pf.spec != "" && pf.dir == "" && pf.fixtures == "" {
		// The form, decoy verify --spec openapi.yaml: the fixtures
		// beside the spec are the requests the mock serves, so they are
		// the ones to send.
		if beside := filepath.Join(filepath.Dir(pf.spec), "fixtures"); isDir(beside) {
			pf.fixtures = beside
		}
	}
	proj, err := pf.resolve()
	if err != nil {
		return err
	}
	l, err := proj.load(ctx, 0)
	if err != nil {
		return err
	}
	cfg := verify.Config{Spec: l.Spec, Target: *target, Fixtures: l.Fixtures, Header: header, Credentials: creds,
		Operations: ops, Tags: tags, Seed: *seed, Generated: *generated, Concurrency: *concurrency,
		Rate: *rate, Timeout: *timeout, MaxBody: int64(maxBody)}
	if l.Fixtures != nil {
		cfg.FixturesFS, cfg.FixturesDir = proj.files.FixturesFS, proj.files.FixturesDir
	}
	if cfg.Generated == 0 {
		cfg.Generated = -1 // the library's 0 means its default
	}
	live := !*quiet && isTerminal(stderr)
	if live {
		cfg.Progress = func(p verify.Progress) {
			fmt.Fprintf(stderr, "\r\033[Kverify: %d/%d requests, %d failed (%s)", p.Done, p.Total, p.Failed, p.Operation)
		}
	}
	rep, err := verify.Run(ctx, cfg)
	if live {
		fmt.Fprint(stderr, "\r\033[K")
	}
	if err != nil {
		if errors.Is(err, verify.ErrConfig) {
			return usagef("%s", strings.TrimPrefix(err.Error(), verify.ErrConfig.Error()+": "))
		}
		return err
	}
	if err := rep.WriteText(stdout); err != nil {
		return err
	}
	for _, out := range []struct {
		flag, path string
		write      func(io.Writer) error
	}{{"junit", *junit, rep.WriteJUnit}, {"json", *jsonOut, rep.WriteJSON}, {"html", *htmlOut, rep.WriteHTML}} {
		if out.path == "" {
			continue
		}
		var b bytes.Buffer
		if err := out.write(&b); err != nil {
			return fmt.Errorf("--%s: %w", out.flag, err)
		}
		if err := writeFileAtomic(out.path, b.Bytes()); err != nil {
			return fmt.Errorf("--%s: %w", out.flag, err)
		}
	}
	if !rep.OK() {
		return fmt.Errorf("%w: %d of %d requests failed", errVerifyFailed, rep.Summary.Failed, rep.Summary.Requests)
	}
	return nil
}

// expandEnv replaces $VAR and ${VAR} with the environment's values. A
// variable that is unset or empty is an error: a credential silently left
// out would verify only the 401 answers.
func expandEnv(s string) (string, error) {
	var missing []string
	out := os.Expand(s, func(name string) string {
		v := os.Getenv(name)
		if v == "" {
			missing = append(missing, "$"+name)
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("%s is not set in the environment", strings.Join(missing, ", "))
	}
	return out, nil
}

func isDir(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.IsDir()
}
