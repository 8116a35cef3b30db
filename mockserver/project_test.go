package mockserver_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/decoy-mock/decoy/mockserver"
)

const tinySpec = `openapi: 3.0.3
info: {title: tiny, version: "1"}
paths:
  /ping:
    get:
      responses:
        "200": {description: ok}
`

// tinyProject writes a project folder: spec (named name) and the folders
// given, and returns it.
func tinyProject(t *testing.T, name string, folders ...string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(tinySpec), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range folders {
		if err := os.Mkdir(filepath.Join(dir, f), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestDefaultProjectLoads(t *testing.T) {
	cfg, err := mockserver.LoadProject(t.Context(), mockserver.DefaultProject())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Fixtures == nil || cfg.Scenarios == nil {
		t.Errorf("fixtures %v, scenarios %v: want the embedded ones", cfg.Fixtures, cfg.Scenarios)
	}
}

func TestFindProject(t *testing.T) {
	yml := tinyProject(t, "openapi.yml", "fixtures")
	both := tinyProject(t, "openapi.yaml", "fixtures", "scenarios")
	if err := os.WriteFile(filepath.Join(both, "openapi.json"), []byte(`{}`), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	mine := filepath.Join(tinyProject(t, "openapi.yaml", "mine"), "mine")
	aFile := filepath.Join(yml, "openapi.yml")

	for _, c := range []struct {
		name  string
		dir   string
		files mockserver.ProjectFiles
		// want: the spec file and its folder, the fixtures and scenarios
		// folders (name inside their FS); or the error's part and reason.
		spec, specDir, fixtures, scenarios string
		part                               string
		reason                             error
	}{
		{name: "no folder, no spec: the default", spec: "openapi.yaml", specDir: "(embedded)", fixtures: "fixtures", scenarios: "scenarios"},
		{name: "the default with fixtures of one's own", files: mockserver.ProjectFiles{Fixtures: mine},
			spec: "openapi.yaml", specDir: "(embedded)", fixtures: "mine", scenarios: "scenarios"},
		{name: "openapi.yml and only fixtures/", dir: yml, spec: "openapi.yml", specDir: yml, fixtures: "fixtures"},
		{name: "openapi.yaml before openapi.json", dir: both, spec: "openapi.yaml", specDir: both, fixtures: "fixtures", scenarios: "scenarios"},
		{name: "a scenarios flag replaces the folder's", dir: both, files: mockserver.ProjectFiles{Scenarios: mine},
			spec: "openapi.yaml", specDir: both, fixtures: "fixtures", scenarios: "mine"},
		{name: "a spec outside the folder", dir: both, files: mockserver.ProjectFiles{Spec: aFile},
			spec: "openapi.yml", specDir: yml, fixtures: "fixtures", scenarios: "scenarios"},
		{name: "a spec alone", files: mockserver.ProjectFiles{Spec: aFile}, spec: "openapi.yml", specDir: yml},
		{name: "no spec in the folder", dir: empty, part: "dir", reason: mockserver.ErrNoSpec},
		{name: "a missing folder", dir: filepath.Join(empty, "nope"), part: "dir", reason: os.ErrNotExist},
		{name: "the folder is a file", dir: aFile, part: "dir", reason: mockserver.ErrNotFolder},
		{name: "the spec is a folder", files: mockserver.ProjectFiles{Spec: empty}, part: "spec", reason: mockserver.ErrIsFolder},
		{name: "fixtures is a file", dir: both, files: mockserver.ProjectFiles{Fixtures: aFile}, part: "fixtures", reason: mockserver.ErrNotFolder},
		{name: "scenarios is missing", files: mockserver.ProjectFiles{Scenarios: filepath.Join(empty, "nope")}, part: "scenarios", reason: os.ErrNotExist},
		{name: "a ref root with no spec", files: mockserver.ProjectFiles{RefRoot: empty}, part: "ref-root", reason: mockserver.ErrNoSpec},
		{name: "a spec outside its ref root", dir: both, files: mockserver.ProjectFiles{RefRoot: empty}, part: "spec", reason: mockserver.ErrOutsideRefRoot},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := mockserver.FindProject(c.dir, c.files)
			if c.reason != nil {
				var pe *mockserver.ProjectError
				if !errors.As(err, &pe) || pe.Part != c.part || !errors.Is(err, c.reason) {
					t.Fatalf("err = %v, want a %s error: %v", err, c.part, c.reason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.SpecFile != c.spec || p.SpecDir != c.specDir || p.FixturesDir != c.fixtures || p.ScenariosDir != c.scenarios {
				t.Errorf("spec %s in %s, fixtures %q, scenarios %q; want %s in %s, %q, %q",
					p.SpecFile, p.SpecDir, p.FixturesDir, p.ScenariosDir, c.spec, c.specDir, c.fixtures, c.scenarios)
			}
			// Fixture files are named under the folder the user wrote, as
			// the CLI always named them (decoytest once did not).
			if c.dir != "" && c.fixtures == "fixtures" && p.FixturesShown != c.dir {
				t.Errorf("fixtures shown under %q, want %q", p.FixturesShown, c.dir)
			}
			if _, err := mockserver.LoadProject(t.Context(), p); err != nil {
				t.Errorf("the project found does not load: %v", err)
			}
		})
	}
}
