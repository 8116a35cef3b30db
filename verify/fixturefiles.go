package verify

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"go.yaml.in/yaml/v4"
)

// fixtureFile is what verify reads of a fixture file: the requests its
// stubs match and how its collections scope items to request parameters.
// The fixtures package has already checked the files against the spec; the
// rest of them (responses, items) is read through fixtures.Store.
type fixtureFile struct {
	Stubs []struct {
		Name      string `yaml:"name"`
		Operation string `yaml:"operation"`
		Match     struct {
			Path    map[string]any `yaml:"path"`
			Query   map[string]any `yaml:"query"`
			Headers map[string]any `yaml:"headers"`
			Body    any            `yaml:"body"`
		} `yaml:"match"`
	} `yaml:"stubs"`
	Collections []struct {
		Name  string            `yaml:"name"`
		Scope map[string]string `yaml:"scope"`
	} `yaml:"collections"`
}

// stubRequest is the part of a request a stub matches.
type stubRequest struct {
	name, file, operation string
	path, query, headers  map[string]any
	body                  any
}

// readFixtureFiles reads the stubs' matches and the collections' scopes of
// every .yaml, .yml and .json file of dir in fsys, files in name order. A
// file that does not decode is an error naming it.
func readFixtureFiles(fsys fs.FS, dir string) (stubs []stubRequest, scopes map[string]map[string]string, err error) {
	scopes = map[string]map[string]string{}
	if fsys == nil || dir == "" {
		return nil, scopes, nil
	}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, nil, err
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		ext := strings.ToLower(path.Ext(e.Name()))
		if e.IsDir() || (ext != ".yaml" && ext != ".yml" && ext != ".json") {
			continue
		}
		name := path.Join(dir, e.Name())
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, nil, err
		}
		var f fixtureFile
		if err := yaml.Unmarshal(data, &f); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		for _, s := range f.Stubs {
			stubs = append(stubs, stubRequest{name: s.Name, file: name, operation: s.Operation,
				path: s.Match.Path, query: s.Match.Query, headers: s.Match.Headers, body: s.Match.Body})
		}
		for _, c := range f.Collections {
			if len(c.Scope) > 0 {
				scopes[c.Name] = c.Scope
			}
		}
	}
	return stubs, scopes, nil
}
