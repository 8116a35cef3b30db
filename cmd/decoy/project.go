package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/decoy-mock/decoy/fixtures"
	"github.com/decoy-mock/decoy/mockserver"
	"github.com/decoy-mock/decoy/openapi"
	"github.com/decoy-mock/decoy/scenarios"
)

// projectFlags choose what to serve: a project folder (--dir), or its parts
// one by one (--spec, --fixtures, --scenarios), or, with none of them, the
// current folder when it holds an openapi.yaml, else the embedded default.
type projectFlags struct {
	dir, spec, fixtures, scenarios string
	// refRoot is the folder the spec's local $refs may reach; "" means
	// the default (see resolve).
	refRoot         string
	maxSpecSize     byteSize
	maxFileSize     byteSize
	allowRemoteRefs bool
	stateful        bool
}

func (f *projectFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.dir, "dir", "", "project folder: openapi.yaml (or .yml/.json), fixtures/, scenarios/ (default: the current folder if it has an openapi.yaml, else the embedded default API)")
	fs.StringVar(&f.spec, "spec", "", "OpenAPI 3.0/3.1 or Swagger 2.0 file, YAML or JSON, or a Postman collection v2.0/v2.1 (overrides the project's)")
	fs.StringVar(&f.fixtures, "fixtures", "", "folder of fixture files, in place of the project's fixtures/ (or the embedded default API's)")
	fs.StringVar(&f.scenarios, "scenarios", "", "folder of scenario files, in place of the project's scenarios/ (or the embedded default API's)")
	fs.StringVar(&f.refRoot, "ref-root", "", "the `folder` the spec's local $refs may reach, which must hold the spec (default: --dir; with --spec alone, the current folder when the spec lies inside it, else the spec's own folder)")
	f.maxSpecSize = openapi.DefaultMaxSpecBytes
	fs.TextVar(&f.maxSpecSize, "max-spec-size", f.maxSpecSize, "the largest `size` of the spec and of each file its $refs reach (e.g. 512MiB); a larger file is a load error")
	f.maxFileSize = mockserver.DefaultMaxFileBytes
	fs.TextVar(&f.maxFileSize, "max-file-size", f.maxFileSize, "the largest `size` of each fixture, bodyFile, itemsFile, scenario and state file (e.g. 512MiB); a larger file is a load error")
	fs.BoolVar(&f.stateful, "stateful", false, "make a stateful collection of every resource with a list path and an item path (/pets + /pets/{id}): POST, PUT, PATCH and DELETE change it in memory")
	fs.BoolVar(&f.allowRemoteRefs, "allow-remote-refs", false, "fetch $refs to http(s) URLs (off: a remote $ref is a load error)")
}

// project is where each part of what Decoy serves comes from.
type project struct {
	// embedded is set for the built-in default API. Its fixtures and
	// scenarios are the embedded ones, unless --fixtures or --scenarios
	// name a folder on disk, which replaces them (ownFixtures,
	// ownScenarios), as they replace a project folder's own.
	embedded                  bool
	ownFixtures, ownScenarios bool
	// dir is the project folder (--dir, or the current folder when it
	// holds a spec); "" when the parts were given one by one.
	dir string
	// files is where each part is read from, as mockserver.FindProject
	// found it; the spec's SpecFS is the ref root, and SpecDir the folder
	// it stands for as the user knows it ("(embedded)" for the default).
	files           mockserver.Project
	allowRemoteRefs bool
	maxSpecBytes    int64
	maxFileBytes    int64
	// stateful and onChange go to mockserver.Project.
	stateful bool
	onChange func()
	// counters is where the scenarios count (--shared-state); nil means
	// in memory.
	counters scenarios.Counters
	// worlds is where the collections' writes live (--shared-state); nil
	// means in memory.
	worlds fixtures.Worlds
	// fixturesDir and scenariosDir are the folders on disk, as the user
	// knows them; "" when absent, or when embedded and not replaced.
	fixturesDir, scenariosDir string
}

// resolve turns the flags into a project, checking that every folder and
// file named exists. The spec's local $refs resolve within the ref root:
// --ref-root when given; else --dir when it holds the spec; else the
// current folder when it holds the spec; else the spec's own folder.
func (f *projectFlags) resolve() (*project, error) {
	if f.maxSpecSize < 1 {
		return nil, usagef("--max-spec-size must be positive")
	}
	if f.maxFileSize < 1 {
		return nil, usagef("--max-file-size must be positive")
	}
	dir := f.dir
	if dir == "" && f.spec == "" {
		if _, err := mockserver.FindProject(".", mockserver.ProjectFiles{}); err == nil {
			dir = "." // the current folder holds a spec: it is the project
		}
	}
	embedded := dir == "" && f.spec == ""
	if embedded && f.refRoot != "" {
		return nil, usagef("--ref-root needs a spec: give --spec or --dir too")
	}
	files, err := mockserver.FindProject(dir, mockserver.ProjectFiles{Spec: f.spec, Fixtures: f.fixtures, Scenarios: f.scenarios, RefRoot: f.refRoot})
	if err != nil {
		return nil, f.projectError(err)
	}
	p := &project{embedded: embedded, dir: dir, files: files, allowRemoteRefs: f.allowRemoteRefs,
		maxSpecBytes: int64(f.maxSpecSize), maxFileBytes: int64(f.maxFileSize), stateful: f.stateful}
	// The folders on disk: the flag's, else the project folder's own.
	onDisk := func(flag, name string) string {
		if flag == "" && name != "" && !embedded {
			return filepath.Join(dir, name)
		}
		return flag
	}
	p.fixturesDir, p.scenariosDir = onDisk(f.fixtures, files.FixturesDir), onDisk(f.scenarios, files.ScenariosDir)
	p.ownFixtures, p.ownScenarios = embedded && f.fixtures != "", embedded && f.scenarios != ""
	return p, nil
}

// projectError says in the flags' words what mockserver.FindProject could
// not use.
func (f *projectFlags) projectError(err error) error {
	var pe *mockserver.ProjectError
	if !errors.As(err, &pe) {
		return err
	}
	switch {
	case errors.Is(pe.Err, mockserver.ErrNotFolder):
		return usagef("--%s %s is not a folder", pe.Part, pe.Path)
	case errors.Is(pe.Err, mockserver.ErrIsFolder):
		return usagef("--spec %s is a folder; give the spec file inside it, or use --dir", pe.Path)
	case errors.Is(pe.Err, mockserver.ErrNoSpec):
		return usagef("--dir %s has no openapi.yaml, openapi.yml or openapi.json", pe.Path)
	case errors.Is(pe.Err, mockserver.ErrOutsideRefRoot):
		return usagef("the spec %s is outside --ref-root %s: the ref root must hold the spec and every file its $refs reach", pe.Path, f.refRoot)
	}
	return fmt.Errorf("--%s: %w", pe.Part, pe.Err)
}

// loaded is one load of a project: the parts of a mockserver.Config.
type loaded = mockserver.Config

// load reads and checks every part of the project. The error lists every
// problem found, not just the first.
func (p *project) load(ctx context.Context, seed uint64) (*loaded, error) {
	mp := p.files
	mp.Seed, mp.AllowRemoteRefs, mp.MaxSpecBytes, mp.MaxFileBytes = seed, p.allowRemoteRefs, p.maxSpecBytes, p.maxFileBytes
	mp.Stateful, mp.OnChange, mp.Counters, mp.Worlds = p.stateful, p.onChange, p.counters, p.worlds
	cfg, err := mockserver.LoadProject(ctx, mp)
	if err != nil {
		return nil, err
	}
	return &cfg, nil
}

// specShown names the spec file as the user knows it: relative to the
// current folder (or absolute), or its name in the embedded default.
func (p *project) specShown() string {
	if p.embedded {
		return p.files.SpecFile
	}
	return filepath.Join(p.files.SpecDir, filepath.FromSlash(p.files.SpecFile))
}

// served says where what is served comes from, for the banner: the
// project folder (absolute, with the fixtures and scenarios folders
// relative to it when inside), or the embedded default API.
func (p *project) served() string {
	if p.embedded {
		var own []string
		for _, part := range []struct {
			name, dir string
			own       bool
		}{{"fixtures", p.fixturesDir, p.ownFixtures}, {"scenarios", p.scenariosDir, p.ownScenarios}} {
			if part.own {
				abs, err := filepath.Abs(part.dir)
				if err != nil {
					abs = part.dir
				}
				own = append(own, fmt.Sprintf("%s from %s", part.name, abs))
			}
		}
		if len(own) > 0 {
			return "the embedded default API, with " + strings.Join(own, " and ") + " (in place of its own)"
		}
		return "the embedded default API (decoy init DIR writes it out to edit)"
	}
	root := p.dir
	if root == "" {
		root = p.files.SpecDir // the ref root: the folder the spec's files live in
	}
	abs := func(d string) string {
		if a, err := filepath.Abs(d); err == nil {
			return a
		}
		return d
	}
	folder := abs(root)
	var parts []string
	for _, d := range []string{p.fixturesDir, p.scenariosDir} {
		if d == "" {
			continue
		}
		d = abs(d)
		if rel, err := filepath.Rel(folder, d); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			d = rel + string(filepath.Separator)
		}
		parts = append(parts, d)
	}
	if len(parts) == 0 {
		return folder + " (no fixtures or scenarios)"
	}
	return folder + " (" + strings.Join(parts, ", ") + ")"
}

// watched lists the folders on disk whose files make up the project: the
// spec's folder and those of every file it refers to (Spec.Files are names
// inside the ref root, files.SpecDir), and the fixtures and scenarios folders. It
// is empty for the embedded default, but for the folders --fixtures and
// --scenarios give it.
func (p *project) watched(l *loaded) []string {
	if p.embedded {
		var dirs []string
		for _, part := range []struct {
			dir string
			own bool
		}{{p.fixturesDir, p.ownFixtures}, {p.scenariosDir, p.ownScenarios}} {
			if abs, err := filepath.Abs(part.dir); part.own && err == nil {
				dirs = append(dirs, abs)
			}
		}
		return dirs
	}
	seen := map[string]bool{}
	var dirs []string
	add := func(d string) {
		abs, err := filepath.Abs(d)
		if err == nil && !seen[abs] {
			seen[abs] = true
			dirs = append(dirs, abs)
		}
	}
	for _, f := range l.Spec.Files {
		add(filepath.Join(p.files.SpecDir, filepath.Dir(filepath.FromSlash(f))))
	}
	for _, d := range []string{p.fixturesDir, p.scenariosDir} {
		if d != "" {
			add(d)
		}
	}
	return dirs
}
