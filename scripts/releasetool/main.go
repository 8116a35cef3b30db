// Command releasetool is scripts/release's engine (see internal/release):
//
//	releasetool build [--allow-dirty] [--targets LIST] VERSION [OUTDIR]
//	releasetool check-image FILE VERSION
//
// build writes the release of the checkout it runs in to OUTDIR (default
// dist/VERSION). check-image reads a container image tar file, checks
// every blob's digest and the image's settings, and runs its binary's
// "version" where the image's platform is this machine's.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"

	"github.com/decoy-mock/decoy/internal/ociimage"
	"github.com/decoy-mock/decoy/internal/release"
)

const usage = `usage:
  scripts/release [--allow-dirty] [--targets linux/amd64,...] VERSION [OUTDIR]
  go run ./scripts/releasetool check-image FILE VERSION`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	switch args[0] {
	case "build":
		return build(ctx, args[1:], stdout, stderr)
	case "check-image":
		if len(args) != 3 {
			return errors.New(usage)
		}
		return checkImage(ctx, args[1], args[2], stdout)
	}
	return fmt.Errorf("unknown command %q\n%s", args[0], usage)
}

func build(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	fs.SetOutput(stderr)
	allowDirty := fs.Bool("allow-dirty", false, "build a work tree with uncommitted changes; its binaries say \"modified\"")
	targetList := fs.String("targets", "", "comma-separated GOOS/GOARCH list (default: all six release targets)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() < 1 || fs.NArg() > 2 {
		return errors.New(usage)
	}
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return fmt.Errorf("run from the repository's root (no go.mod in %s)", root)
	}
	stamp, err := release.ReadStamp(ctx, root, fs.Arg(0))
	if err != nil {
		return err
	}
	if stamp.Modified && !*allowDirty {
		return release.ErrDirty
	}
	out := filepath.Join("dist", stamp.Version)
	if fs.NArg() == 2 {
		out = fs.Arg(1)
	}
	var targets []release.Target
	if *targetList != "" {
		if targets, err = release.ParseTargets(*targetList); err != nil {
			return fmt.Errorf("--targets: %w", err)
		}
	}
	res, err := release.Build(ctx, release.Options{Root: root, OutDir: out, Stamp: stamp, Targets: targets, Log: stderr})
	if err != nil {
		return err
	}
	for _, f := range append(append(append([]string(nil), res.Archives...), res.Images...), res.NPM...) {
		fmt.Fprintln(stdout, filepath.Join(out, f))
	}
	fmt.Fprintln(stdout, filepath.Join(out, res.Sums))
	return nil
}

// checkImage is CI's check of a release image: what a runtime would start.
func checkImage(ctx context.Context, file, version string, stdout io.Writer) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	l, err := ociimage.Read(f)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	c := l.Config.Config
	var problems []string
	check := func(what string, got, want any) {
		if !reflect.DeepEqual(got, want) {
			problems = append(problems, fmt.Sprintf("%s is %v, want %v", what, got, want))
		}
	}
	check("the image name (ref.name)", l.RefName, ociimage.RefName(version))
	check("the user", c.User, ociimage.User)
	check("the exposed ports", c.ExposedPorts, map[string]struct{}{fmt.Sprintf("%d/tcp", ociimage.Port): {}})
	check("the entrypoint", c.Entrypoint, []string{ociimage.BinaryPath})
	check("the arguments", c.Cmd, ociimage.Cmd)
	check("the environment", c.Env, ociimage.Env)
	bin := l.Lookup(strings.TrimPrefix(ociimage.BinaryPath, "/"))
	if bin == nil || bin.Mode&0o111 == 0 {
		problems = append(problems, "no executable "+ociimage.BinaryPath)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s: %s", file, strings.Join(problems, "; "))
	}
	fmt.Fprintf(stdout, "%s: %s image %s, user %s, port %d, entrypoint %s %s, %d files\n",
		file, l.Platform, l.RefName, c.User, ociimage.Port, c.Entrypoint[0], strings.Join(c.Cmd, " "), len(l.Files))
	if l.Platform != runtime.GOOS+"/"+runtime.GOARCH {
		fmt.Fprintf(stdout, "%s: not running its binary: it is for %s, this machine %s/%s\n", file, l.Platform, runtime.GOOS, runtime.GOARCH)
		return nil
	}
	dir, err := os.MkdirTemp("", "decoy-image-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	exe := filepath.Join(dir, "decoy")
	if err := os.WriteFile(exe, bin.Data, 0o755); err != nil {
		return err
	}
	got, err := exec.CommandContext(ctx, exe, "version").Output()
	if err != nil {
		return fmt.Errorf("%s: its binary's version: %v", file, err)
	}
	if !bytes.HasPrefix(got, []byte("decoy "+version+" commit ")) {
		return fmt.Errorf("%s: its binary says %q, want \"decoy %s commit …\"", file, strings.TrimSpace(string(got)), version)
	}
	fmt.Fprintf(stdout, "%s: its binary says %s", file, got)
	return nil
}
