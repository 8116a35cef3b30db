package mockserver

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/decoy-mock/decoy/fixtures"
	"github.com/decoy-mock/decoy/openapi"
	"github.com/decoy-mock/decoy/scenarios"
)

// Project says where the files of one mock are: a spec, and optionally a
// folder of fixtures and one of scenarios. Each part names its own file
// system, so the parts may live apart (an embedded default, a folder given
// by a flag).
type Project struct {
	// SpecFS holds the spec, named SpecFile inside it. Required.
	SpecFS   fs.FS
	SpecFile string
	// SpecDir is the folder SpecFS stands for, only to name files in
	// messages; "" names them as in SpecFS.
	SpecDir string
	// FixturesFS holds the fixtures folder FixturesDir; "" means none.
	FixturesFS  fs.FS
	FixturesDir string
	// ScenariosFS holds the scenarios folder ScenariosDir; "" means none.
	ScenariosFS  fs.FS
	ScenariosDir string
	// ScenariosShown and FixturesShown are the folders ScenariosFS and
	// FixturesFS stand for, only to name files in messages.
	ScenariosShown, FixturesShown string
	// Seed seeds scenario latency ranges and probabilities.
	Seed uint64
	// AllowRemoteRefs lets the spec's $refs to http(s) URLs be fetched.
	AllowRemoteRefs bool
	// MaxSpecBytes bounds the size of the spec and of each file its $refs
	// reach; 0 means openapi.DefaultMaxSpecBytes (256 MiB).
	MaxSpecBytes int64
	// MaxFileBytes bounds the size of each fixture, bodyFile, itemsFile and
	// scenario file; 0 means DefaultMaxFileBytes (256 MiB).
	MaxFileBytes int64
	// Stateful infers a stateful collection for every list + item path
	// pair (--stateful).
	Stateful bool
	// OnChange is called after every change to the collections; nil means
	// none. It must not block.
	OnChange func()
}

// DefaultMaxFileBytes is the default bound on the size of a fixture,
// bodyFile, itemsFile or scenario file, as for specs.
const DefaultMaxFileBytes = openapi.DefaultMaxSpecBytes

// LoadProject reads and checks every part of p against the spec and returns
// a Config with Spec, Fixtures and Scenarios set. The error lists every
// problem found, each with its file and place, not only the first.
func LoadProject(ctx context.Context, p Project) (Config, error) {
	spec, err := openapi.Load(p.SpecFS, p.SpecFile, openapi.LoadOptions{Context: ctx, Dir: p.SpecDir, AllowRemoteRefs: p.AllowRemoteRefs, MaxBytes: p.MaxSpecBytes})
	if err != nil {
		return Config{}, err
	}
	cfg := Config{Spec: spec}
	var errs []error
	opts := fixtures.StoreOptions{Infer: p.Stateful, OnChange: p.OnChange, MaxFileBytes: p.MaxFileBytes}
	switch {
	case p.FixturesDir != "":
		if cfg.Fixtures, err = fixtures.LoadStore(p.FixturesFS, p.FixturesDir, spec, opts); err != nil {
			errs = append(errs, shownAt(err, p.FixturesShown))
		}
	case p.Stateful:
		// No fixture files: inferred collections only.
		if cfg.Fixtures, err = fixtures.LoadStore(embed.FS{}, "fixtures", spec, opts); err != nil {
			errs = append(errs, err)
		}
	}
	if p.ScenariosDir != "" {
		opts := scenarios.Options{Seed: p.Seed, Dir: p.ScenariosShown, MaxFileBytes: p.MaxFileBytes}
		if cfg.Scenarios, err = scenarios.Load(p.ScenariosFS, p.ScenariosDir, spec, opts); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	return cfg, nil
}

// shownAt prefixes the files a fixtures load error names with dir, so they
// read as the user knows them ("project/fixtures/x.yaml:3:5: …").
func shownAt(err error, dir string) error {
	if dir == "" || dir == "." {
		return err
	}
	list := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	}
	out := make([]error, 0, len(list))
	for _, e := range list {
		var le *fixtures.LoadError
		if errors.As(e, &le) && le.File != "" && !filepath.IsAbs(le.File) {
			c := *le
			c.File = filepath.Join(dir, le.File)
			e = &c
		}
		out = append(out, e)
	}
	return errors.Join(out...)
}

// UseSpecFile sets SpecFS, SpecFile and SpecDir to load the spec file at
// path (as the user wrote it, relative to the current folder or absolute)
// with its local $refs resolved within refRoot, the folder they may reach:
// SpecFS is refRoot on disk and SpecFile the spec's path inside it, so a
// spec in specs/api/ may refer to ../common/Error.yaml when refRoot holds
// both. refRoot "" means the current folder when path lies inside it, else
// path's own folder. SpecDir is refRoot as the user knows it, so messages
// name files relative to the current folder. It returns an error when path
// does not lie inside refRoot, or a folder cannot be made absolute.
func (p *Project) UseSpecFile(path, refRoot string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	shown := refRoot
	if refRoot == "" {
		shown = filepath.Dir(path)
		if cwd, err := os.Getwd(); err == nil && within(cwd, abs) {
			shown = "."
		}
	}
	root, err := filepath.Abs(shown)
	if err != nil {
		return err
	}
	if !within(root, abs) {
		return fmt.Errorf("the spec %s is outside the ref root %s", path, refRoot)
	}
	name, err := filepath.Rel(root, abs)
	if err != nil {
		return err
	}
	p.SpecFS, p.SpecFile, p.SpecDir = os.DirFS(root), filepath.ToSlash(name), filepath.Clean(shown)
	return nil
}

// within reports whether the absolute path p lies inside the folder dir.
func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
