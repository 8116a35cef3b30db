package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/decoy-mock/decoy/defaultapi"
	"github.com/decoy-mock/decoy/mockserver"
	"github.com/decoy-mock/decoy/upstream"
)

// proxyFlags are decoy serve's flags for proxy mode.
type proxyFlags struct {
	upstream string
	errors   bool
	mockOnly patternList
	record   string
	timeout  time.Duration
}

func (f *proxyFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.upstream, "upstream", "", "proxy mode: forward every valid request to this `URL` (the real API), check its answers against the spec, and return them unchanged with an sl-violations header")
	fs.BoolVar(&f.errors, "errors", false, "with --upstream: answer an invalid request with the documented error instead of forwarding it, and turn an answer that breaks the contract into a 502 problem document")
	fs.Var(&f.mockOnly, "mock-only", "with --upstream: serve operations matching this `pattern` from the mock (an operationId, \"METHOD /path\" or a path template; * and ? glob; repeatable, or comma-separated)")
	fs.StringVar(&f.record, "record", "", "with --upstream: write each exchange that keeps the contract as a fixture stub into `folder` (one YAML file per operation)")
	fs.DurationVar(&f.timeout, "upstream-timeout", 30*time.Second, "with --upstream: time allowed to connect and to receive the answer's headers; longer gets a 504 problem document")
}

// configure turns the flags into cfg's Upstream, or says which flag needs
// --upstream.
func (f *proxyFlags) configure(cfg *mockserver.Config, logger *slog.Logger) error {
	if f.upstream == "" {
		switch {
		case f.errors:
			return usagef("--errors needs --upstream (the mock always answers invalid requests with the documented error; see --validate)")
		case len(f.mockOnly) > 0:
			return usagef("--mock-only needs --upstream")
		case f.record != "":
			return usagef("--record needs --upstream")
		}
		return nil
	}
	u, err := url.Parse(f.upstream)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("--upstream %q is not an http:// or https:// URL", f.upstream)
	}
	if f.timeout <= 0 {
		return usagef("--upstream-timeout %s must be positive", f.timeout)
	}
	unmatched, err := mockserver.CheckMockOnly(cfg.Spec, f.mockOnly)
	if err != nil {
		return usagef("%v", err)
	}
	for _, p := range unmatched {
		logger.Warn(fmt.Sprintf("--mock-only %q matches no operation of the spec", p))
	}
	ucfg := upstream.Config{URL: u, Timeout: f.timeout, MaxBodyBytes: cfg.MaxBodyBytes, Errors: f.errors}
	if f.record != "" {
		rec, err := upstream.NewRecorder(f.record)
		if err != nil {
			return err
		}
		ucfg.Recorder = rec
	}
	p, err := upstream.New(ucfg)
	if err != nil {
		return usagef("--upstream: %v", err)
	}
	cfg.Upstream, cfg.MockOnly = p, f.mockOnly
	return nil
}

// patternList is a repeatable, comma-separated flag.
type patternList []string

func (l *patternList) String() string { return strings.Join(*l, ",") }

func (l *patternList) Set(s string) error {
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

// proxyCmd is Prism's form, decoy proxy SPEC UPSTREAM_URL [flags]: decoy
// serve --spec SPEC --upstream UPSTREAM_URL [flags].
func proxyCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		fmt.Fprint(stdout, "Usage: decoy proxy SPEC UPSTREAM_URL [serve flags]\n\nThe same as decoy serve --spec SPEC --upstream UPSTREAM_URL; decoy serve -h lists the flags.\n")
		return errHelp
	}
	if len(args) < 2 || strings.HasPrefix(args[0], "-") || strings.HasPrefix(args[1], "-") {
		fmt.Fprint(stderr, "decoy proxy: needs the spec and the upstream's URL first: decoy proxy SPEC UPSTREAM_URL [serve flags]\n")
		return errUsage
	}
	return serve(ctx, append([]string{"--spec", args[0], "--upstream", args[1]}, args[2:]...), stdout, stderr)
}

// recordCmd is decoy record --upstream URL --dir DIR [flags]: a proxy that
// records into DIR's fixtures folder, so that decoy serve --dir DIR replays
// the session. A DIR without a spec gets a copy of the one served (--spec,
// else the embedded default API's).
func recordCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	dir, _ := flagValue(args, "dir")
	if dir == "" {
		dir = os.Getenv("DECOY_DIR")
	}
	hasUpstream := false
	if v, ok := flagValue(args, "upstream"); ok && v != "" || os.Getenv("DECOY_UPSTREAM") != "" {
		hasUpstream = true
	}
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			fmt.Fprint(stdout, "Usage: decoy record --upstream URL --dir DIR [serve flags]\n\nProxies to URL and records every exchange that keeps the contract into DIR/fixtures/,\none YAML file per operation; decoy serve --dir DIR then replays them. A DIR without\nan openapi.yaml gets a copy of the spec served (--spec, else the embedded default).\ndecoy serve -h lists the other flags.\n")
			return errHelp
		}
	}
	if dir == "" || !hasUpstream {
		fmt.Fprint(stderr, "decoy record: needs --upstream URL and --dir DIR\n")
		return errUsage
	}
	spec, _ := flagValue(args, "spec")
	rest := withoutFlag(args, "dir")
	if _, err := mockserver.FindProject(dir, mockserver.ProjectFiles{}); err == nil {
		if spec == "" {
			rest = append([]string{"--dir", dir}, rest...) // serve the folder's own spec
		}
	} else if err := writeSpecCopy(dir, spec); err != nil {
		return err
	}
	rest = append(rest, "--record", filepath.Join(dir, "fixtures"), "--watch=false")
	return serve(ctx, rest, stdout, stderr)
}

// writeSpecCopy puts the spec to be served into dir, as dir/openapi.yaml
// (or .json), so that decoy serve --dir dir replays what is recorded.
func writeSpecCopy(dir, spec string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	var data []byte
	name := "openapi.yaml"
	var err error
	if spec == "" {
		data, err = fs.ReadFile(defaultapi.FS, defaultapi.SpecFile)
	} else {
		data, err = os.ReadFile(spec)
		if strings.EqualFold(filepath.Ext(spec), ".json") {
			name = "openapi.json"
		}
	}
	if err != nil {
		return fmt.Errorf("record: reading the spec: %w", err)
	}
	target := filepath.Join(dir, name)
	if _, err := os.Stat(target); err == nil || !errors.Is(err, os.ErrNotExist) {
		return nil // never overwritten
	}
	return writeFileAtomic(target, data)
}

// flagValue finds --name VALUE or --name=VALUE (one dash or two) in args.
func flagValue(args []string, name string) (string, bool) {
	for i, a := range args {
		trimmed := strings.TrimLeft(a, "-")
		if !strings.HasPrefix(a, "-") || a == "--" {
			continue
		}
		if trimmed == name && i+1 < len(args) {
			return args[i+1], true
		}
		if v, ok := strings.CutPrefix(trimmed, name+"="); ok {
			return v, true
		}
	}
	return "", false
}

// withoutFlag returns args without --name VALUE and --name=VALUE.
func withoutFlag(args []string, name string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		trimmed := strings.TrimLeft(a, "-")
		if strings.HasPrefix(a, "-") && trimmed == name {
			i++
			continue
		}
		if strings.HasPrefix(a, "-") && strings.HasPrefix(trimmed, name+"=") {
			continue
		}
		out = append(out, a)
	}
	return out
}
