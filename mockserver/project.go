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

	"github.com/decoy-mock/decoy/defaultapi"
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
	// Counters keeps the scenario counters and rate-limit windows; nil
	// keeps them in memory (see scenarios.Options.Counters).
	Counters scenarios.Counters
	// Worlds keeps the collections' written worlds; nil keeps them in
	// memory (see fixtures.StoreOptions.Worlds).
	Worlds fixtures.Worlds
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
	opts := fixtures.StoreOptions{Infer: p.Stateful, OnChange: p.OnChange, MaxFileBytes: p.MaxFileBytes, Worlds: p.Worlds}
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
		opts := scenarios.Options{Seed: p.Seed, Dir: p.ScenariosShown, MaxFileBytes: p.MaxFileBytes, Counters: p.Counters}
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

// embeddedShown names the embedded default API's files in messages.
const embeddedShown = "(embedded)"

// DefaultProject returns the project Decoy serves when given no spec: the
// embedded default API of package defaultapi, with its spec, fixtures and
// scenarios. Messages name its files "(embedded)".
func DefaultProject() Project {
	return Project{SpecFS: defaultapi.FS, SpecFile: defaultapi.SpecFile, SpecDir: embeddedShown,
		FixturesFS: defaultapi.FS, FixturesDir: "fixtures", FixturesShown: embeddedShown,
		ScenariosFS: defaultapi.FS, ScenariosDir: "scenarios", ScenariosShown: embeddedShown}
}

// ProjectFiles are the parts of a project given one by one, as the user
// wrote them (relative to the current folder, or absolute); each replaces
// the project folder's own, and "" means the folder's.
type ProjectFiles struct {
	// Spec is the spec file, in place of the folder's openapi.yaml.
	Spec string
	// Fixtures and Scenarios are folders, in place of the folder's
	// fixtures/ and scenarios/ (or the default API's).
	Fixtures, Scenarios string
	// RefRoot is the folder the spec's local $refs may reach, which must
	// hold the spec; "" means the rule of FindProject.
	RefRoot string
}

// specNames are the spec file names a project folder may have, in the order
// FindProject looks for them.
var specNames = [...]string{"openapi.yaml", "openapi.yml", "openapi.json"}

// The reasons a *ProjectError gives, for errors.Is.
var (
	// ErrNotFolder: a part that must be a folder is a file.
	ErrNotFolder = errors.New("not a folder")
	// ErrIsFolder: the spec is a folder, not a file.
	ErrIsFolder = errors.New("a folder, not a file")
	// ErrNoSpec: a project folder holds no openapi.yaml, openapi.yml or
	// openapi.json; or a ref root is given with no spec to hold.
	ErrNoSpec = errors.New("no openapi.yaml, openapi.yml or openapi.json")
	// ErrOutsideRefRoot: the spec does not lie inside the ref root.
	ErrOutsideRefRoot = errors.New("outside the ref root")
)

// A ProjectError is a part of a project that FindProject could not use.
type ProjectError struct {
	// Part is the part: "dir", "spec", "fixtures", "scenarios" or
	// "ref-root".
	Part string
	// Path is the part's file or folder, as given.
	Path string
	// Err says why: os.Stat's error, or ErrNotFolder, ErrIsFolder,
	// ErrNoSpec or ErrOutsideRefRoot.
	Err error
}

func (e *ProjectError) Error() string {
	var pe *fs.PathError
	if errors.As(e.Err, &pe) {
		return e.Part + ": " + e.Err.Error() // names the path already
	}
	return e.Part + " " + e.Path + ": " + e.Err.Error()
}

func (e *ProjectError) Unwrap() error { return e.Err }

// FindProject finds, without reading them, the files of the project folder
// dir: its spec (openapi.yaml, openapi.yml or openapi.json, looked for in
// that order) and its fixtures/ and scenarios/ folders when it has them,
// each replaced by the part files names. With dir and files.Spec both "",
// it is DefaultProject, whose fixtures and scenarios files.Fixtures and
// files.Scenarios may replace.
//
// The spec's local $refs resolve within the ref root (see UseSpecFile):
// files.RefRoot when given; else dir when it holds the spec; else the
// current folder when it holds the spec; else the spec's own folder.
//
// It returns a *ProjectError for the first part that is missing or not
// what it must be, checked in the order dir, spec, fixtures, scenarios,
// ref root. LoadProject then reads and checks what was found.
func FindProject(dir string, files ProjectFiles) (Project, error) {
	if dir == "" && files.Spec == "" {
		if files.RefRoot != "" {
			return Project{}, &ProjectError{Part: "ref-root", Path: files.RefRoot, Err: ErrNoSpec}
		}
		p := DefaultProject()
		if err := p.useParts("", files); err != nil {
			return Project{}, err
		}
		return p, nil
	}
	var p Project
	specPath := files.Spec
	if dir != "" {
		if err := isFolder("dir", dir); err != nil {
			return Project{}, err
		}
		if specPath == "" {
			for _, n := range specNames {
				if info, err := os.Stat(filepath.Join(dir, n)); err == nil && !info.IsDir() {
					specPath = filepath.Join(dir, n)
					break
				}
			}
			if specPath == "" {
				return Project{}, &ProjectError{Part: "dir", Path: dir, Err: ErrNoSpec}
			}
		}
	}
	if files.Spec != "" {
		info, err := os.Stat(files.Spec)
		if err != nil {
			return Project{}, &ProjectError{Part: "spec", Path: files.Spec, Err: err}
		}
		if info.IsDir() {
			return Project{}, &ProjectError{Part: "spec", Path: files.Spec, Err: ErrIsFolder}
		}
	}
	if err := p.useParts(dir, files); err != nil {
		return Project{}, err
	}
	switch {
	case files.RefRoot != "":
		if err := isFolder("ref-root", files.RefRoot); err != nil {
			return Project{}, err
		}
		if err := p.UseSpecFile(specPath, files.RefRoot); err != nil {
			return Project{}, &ProjectError{Part: "spec", Path: specPath, Err: ErrOutsideRefRoot}
		}
	case dir != "" && p.UseSpecFile(specPath, dir) == nil:
	default:
		if err := p.UseSpecFile(specPath, ""); err != nil {
			return Project{}, err
		}
	}
	return p, nil
}

// useParts sets the fixtures and scenarios folders: those files names,
// else dir's fixtures/ and scenarios/ when dir has them, else p's own.
func (p *Project) useParts(dir string, files ProjectFiles) error {
	for _, part := range []struct {
		name, given string
		fsys        *fs.FS
		folder      *string
		shown       *string
	}{
		{"fixtures", files.Fixtures, &p.FixturesFS, &p.FixturesDir, &p.FixturesShown},
		{"scenarios", files.Scenarios, &p.ScenariosFS, &p.ScenariosDir, &p.ScenariosShown},
	} {
		path := part.given
		if path != "" {
			if err := isFolder(part.name, path); err != nil {
				return err
			}
		} else if dir != "" {
			if info, err := os.Stat(filepath.Join(dir, part.name)); err == nil && info.IsDir() {
				path = filepath.Join(dir, part.name)
			}
		}
		if path == "" {
			continue
		}
		// The folder's parent on disk, so that messages name files as
		// "scenarios/slow.yaml", under the folder the user wrote.
		abs, err := filepath.Abs(path)
		if err != nil {
			abs = path
		}
		*part.fsys, *part.folder, *part.shown = os.DirFS(filepath.Dir(abs)), filepath.Base(abs), filepath.Dir(path)
	}
	return nil
}

// isFolder returns a *ProjectError unless path is a folder.
func isFolder(part, path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return &ProjectError{Part: part, Path: path, Err: err}
	}
	if !info.IsDir() {
		return &ProjectError{Part: part, Path: path, Err: ErrNotFolder}
	}
	return nil
}
