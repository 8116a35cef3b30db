package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/decoy-mock/decoy/defaultapi"
)

// initCmd writes the embedded default API into a folder as a starting point
// for a project of one's own. It never overwrites: when any file it would
// write exists, it writes nothing and names them.
func initCmd(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("init", flag.ContinueOnError)
	fset.SetOutput(io.Discard)
	help := func(w io.Writer) {
		fmt.Fprintln(w, "Usage: decoy init [DIR]\n\nWrites the default API (openapi.yaml, fixtures/, scenarios/) into DIR (default: the current folder). Existing files are never overwritten.")
	}
	fset.Usage = func() {}
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			help(stdout) // asked for
			return errHelp
		}
		fmt.Fprintf(stderr, "decoy init: %v\n", err)
		help(stderr)
		return errUsage
	}
	if fset.NArg() > 1 {
		fmt.Fprintf(stderr, "decoy init: one folder at most, got %d arguments\n", fset.NArg())
		help(stderr)
		return errUsage
	}
	dir := "."
	if fset.NArg() == 1 {
		dir = fset.Arg(0)
	}
	var files []string
	err := fs.WalkDir(defaultapi.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	var existing []string
	for _, f := range files {
		if _, err := os.Lstat(filepath.Join(dir, f)); err == nil {
			existing = append(existing, filepath.Join(dir, f))
		}
	}
	if len(existing) > 0 {
		return fmt.Errorf("init: not overwriting existing files (move them away or pick another folder): %s", strings.Join(existing, ", "))
	}
	for _, f := range files {
		data, err := fs.ReadFile(defaultapi.FS, f)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return fmt.Errorf("init: %w", err)
		}
		// O_EXCL: a file that appeared since the check above is still
		// never overwritten.
		out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return fmt.Errorf("init: %w", err)
		}
		if _, err := out.Write(data); err != nil {
			out.Close()
			return fmt.Errorf("init: writing %s: %w", dst, err)
		}
		if err := out.Close(); err != nil {
			return fmt.Errorf("init: writing %s: %w", dst, err)
		}
		fmt.Fprintln(stdout, "wrote", dst)
	}
	fmt.Fprintf(stdout, "\nServe it with: decoy serve --dir %s\n", dir)
	return nil
}
