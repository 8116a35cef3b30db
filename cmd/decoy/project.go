package main

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/decoy-mock/decoy/defaultapi"
	"github.com/decoy-mock/decoy/mockserver"
	"github.com/decoy-mock/decoy/openapi"
)

// specNames are the spec file names a project folder may have, in the order
// they are looked for.
var specNames = []string{"openapi.yaml", "openapi.yml", "openapi.json"}

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

// project is where each part of what Decoy serves comes from. A part's
// folder is "" when the project has none.
type project struct {
	// embedded is set for the built-in default API. Its fixtures and
	// scenarios are the embedded ones, unless --fixtures or --scenarios
	// name a folder on disk, which replaces them (ownFixtures,
	// ownScenarios), as they replace a project folder's own.
	embedded                  bool
	ownFixtures, ownScenarios bool
	// dir is the project folder (--dir, or the current folder when it
	// holds a spec); "" when the parts were given one by one.
	dir             string
	allowRemoteRefs bool
	maxSpecBytes    int64
	maxFileBytes    int64
	// stateful and onChange go to mockserver.Project.
	stateful bool
	onChange func()
	// specFS holds the spec and every file its local $refs may reach (the
	// ref root); specName is the spec's name inside specFS and specDir the
	// folder specFS stands for, as the user knows it ("" when embedded).
	specFS   fs.FS
	specName string
	specDir  string
	// fixturesDir and scenariosDir are folders on disk, or names inside the
	// embedded FS; "" when absent.
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
		if _, ok := findSpec("."); ok {
			dir = "."
		}
	}
	if dir == "" && f.spec == "" {
		p := &project{embedded: true, specFS: defaultapi.FS, specName: defaultapi.SpecFile,
			fixturesDir: "fixtures", scenariosDir: "scenarios", maxFileBytes: int64(f.maxFileSize), stateful: f.stateful}
		if f.refRoot != "" {
			return nil, usagef("--ref-root needs a spec: give --spec or --dir too")
		}
		// A folder of one's own replaces the embedded fixtures or
		// scenarios, as it replaces a project folder's.
		for _, part := range []struct {
			flag, value string
			dst         *string
			own         *bool
		}{{"--fixtures", f.fixtures, &p.fixturesDir, &p.ownFixtures}, {"--scenarios", f.scenarios, &p.scenariosDir, &p.ownScenarios}} {
			if part.value == "" {
				continue
			}
			if err := isFolder(part.flag, part.value); err != nil {
				return nil, err
			}
			*part.dst, *part.own = part.value, true
		}
		return p, nil
	}
	p := &project{dir: dir}
	specPath := f.spec
	if dir != "" {
		info, err := os.Stat(dir)
		if err != nil {
			return nil, fmt.Errorf("--dir: %w", err)
		}
		if !info.IsDir() {
			return nil, usagef("--dir %s is not a folder", dir)
		}
		if f.spec == "" {
			name, ok := findSpec(dir)
			if !ok {
				return nil, usagef("--dir %s has no openapi.yaml, openapi.yml or openapi.json", dir)
			}
			specPath = filepath.Join(dir, name)
		}
		for _, part := range []struct {
			name string
			dst  *string
		}{{"fixtures", &p.fixturesDir}, {"scenarios", &p.scenariosDir}} {
			if info, err := os.Stat(filepath.Join(dir, part.name)); err == nil && info.IsDir() {
				*part.dst = filepath.Join(dir, part.name)
			}
		}
	}
	if f.spec != "" {
		info, err := os.Stat(f.spec)
		if err != nil {
			return nil, fmt.Errorf("--spec: %w", err)
		}
		if info.IsDir() {
			return nil, usagef("--spec %s is a folder; give the spec file inside it, or use --dir", f.spec)
		}
	}
	for _, part := range []struct {
		flag, value string
		dst         *string
	}{{"--fixtures", f.fixtures, &p.fixturesDir}, {"--scenarios", f.scenarios, &p.scenariosDir}} {
		if part.value == "" {
			continue
		}
		if err := isFolder(part.flag, part.value); err != nil {
			return nil, err
		}
		*part.dst = part.value
	}
	var mp mockserver.Project
	switch {
	case f.refRoot != "":
		info, err := os.Stat(f.refRoot)
		if err != nil {
			return nil, fmt.Errorf("--ref-root: %w", err)
		}
		if !info.IsDir() {
			return nil, usagef("--ref-root %s is not a folder", f.refRoot)
		}
		if err := mp.UseSpecFile(specPath, f.refRoot); err != nil {
			return nil, usagef("the spec %s is outside --ref-root %s: the ref root must hold the spec and every file its $refs reach", specPath, f.refRoot)
		}
	case dir != "" && mp.UseSpecFile(specPath, dir) == nil:
	default:
		if err := mp.UseSpecFile(specPath, ""); err != nil {
			return nil, err
		}
	}
	p.specFS, p.specName, p.specDir = mp.SpecFS, mp.SpecFile, mp.SpecDir
	p.allowRemoteRefs = f.allowRemoteRefs
	p.maxSpecBytes = int64(f.maxSpecSize)
	p.maxFileBytes = int64(f.maxFileSize)
	p.stateful = f.stateful
	return p, nil
}

// isFolder returns an error unless the folder a flag names exists.
func isFolder(flag, dir string) error {
	info, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("%s: %w", flag, err)
	}
	if !info.IsDir() {
		return usagef("%s %s is not a folder", flag, dir)
	}
	return nil
}

func findSpec(dir string) (string, bool) {
	for _, n := range specNames {
		if info, err := os.Stat(filepath.Join(dir, n)); err == nil && !info.IsDir() {
			return n, true
		}
	}
	return "", false
}

// loaded is one load of a project: the parts of a mockserver.Config.
type loaded = mockserver.Config

// partFS returns the file system and folder name a part (fixtures or
// scenarios) is read from: inside the embedded FS, or the folder's parent on
// disk, so that messages name files as "scenarios/slow.yaml".
func (p *project) partFS(dir string, own bool) (fs.FS, string, string) {
	if dir == "" {
		return nil, "", ""
	}
	if p.embedded && !own {
		return defaultapi.FS, dir, "(embedded)"
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	return os.DirFS(filepath.Dir(abs)), filepath.Base(abs), filepath.Dir(dir)
}

// load reads and checks every part of the project. The error lists every
// problem found, not just the first.
func (p *project) load(ctx context.Context, seed uint64) (*loaded, error) {
	display := p.specDir
	if p.embedded {
		display = "(embedded)"
	}
	mp := mockserver.Project{SpecFS: p.specFS, SpecFile: p.specName, SpecDir: display, Seed: seed, AllowRemoteRefs: p.allowRemoteRefs,
		MaxSpecBytes: p.maxSpecBytes, MaxFileBytes: p.maxFileBytes, Stateful: p.stateful, OnChange: p.onChange}
	mp.FixturesFS, mp.FixturesDir, mp.FixturesShown = p.partFS(p.fixturesDir, p.ownFixtures)
	mp.ScenariosFS, mp.ScenariosDir, mp.ScenariosShown = p.partFS(p.scenariosDir, p.ownScenarios)
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
		return p.specName
	}
	return filepath.Join(p.specDir, filepath.FromSlash(p.specName))
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
		root = p.specDir // the ref root: the folder the spec's files live in
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
// inside the ref root, specDir), and the fixtures and scenarios folders. It
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
		add(filepath.Join(p.specDir, filepath.Dir(filepath.FromSlash(f))))
	}
	for _, d := range []string{p.fixturesDir, p.scenariosDir} {
		if d != "" {
			add(d)
		}
	}
	return dirs
}
