package scenarios

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v4"

	"github.com/decoy-mock/decoy/internal/regular"
	"github.com/decoy-mock/decoy/internal/yamlnode"
	"github.com/decoy-mock/decoy/openapi"
)

// Error is one problem of a scenario file, rendered compiler style
// "file:line:col: field: message"; its Path is the field inside the
// scenario, e.g. "rules[0].latency". Fixture files report theirs with the
// same type.
type Error = yamlnode.Error

// Load reads every *.yaml and *.yml file directly in dir of fsys, in name
// order (files whose name starts with "." are skipped), and checks each
// scenario against spec. A missing dir is not an error: the Set is empty.
//
// On failure it returns a nil Set and every problem found, joined with
// errors.Join; each is an *Error naming file, line, column and field. spec
// may be nil: then operations are matched by the id as written and nothing
// is checked against a spec.
func Load(fsys fs.FS, dir string, spec *openapi.Spec, opts Options) (*Set, error) {
	set := &Set{byName: map[string]*Scenario{}, now: opts.Now, counters: opts.Counters}
	if set.counters == nil {
		set.counters = memoryCounters{}
	}
	if set.now == nil {
		set.now = time.Now
	}
	entries, err := fs.ReadDir(fsys, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return set, nil
	}
	if err != nil {
		return nil, &Error{File: opts.display(dir), Message: err.Error()}
	}
	var errs []error
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") || (path.Ext(name) != ".yaml" && path.Ext(name) != ".yml") {
			continue
		}
		file := path.Join(dir, name)
		shown := opts.display(file)
		// Only a regular file, bounded: a FIFO would block the load for ever.
		data, err := regular.ReadFile(fsys, file, opts.MaxFileBytes, "--max-file-size")
		if err != nil {
			errs = append(errs, &Error{File: shown, Message: err.Error()})
			continue
		}
		scenarios, ferrs := parse(shown, data, spec)
		errs = append(errs, ferrs...)
		for _, sc := range scenarios {
			if prev, dup := set.byName[sc.Name]; dup {
				errs = append(errs, &Error{File: shown, Line: sc.Line, Column: sc.Column, Path: "name",
					Message: fmt.Sprintf("scenario %q is already defined at %s:%d:%d", sc.Name, prev.File, prev.Line, prev.Column)})
				continue
			}
			set.byName[sc.Name] = sc
			set.names = append(set.names, sc.Name)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	slices.Sort(set.names)
	maxClients := cmp.Or(opts.MaxClients, DefaultMaxClients)
	for _, sc := range set.byName {
		for _, r := range sc.Rules {
			r.seed = ruleSeed(opts.Seed, sc.Name, r.Index)
			r.clients.max = maxClients
		}
	}
	return set, nil
}

// display names a file of fsys for messages.
func (o Options) display(name string) string {
	if o.Dir == "" || o.Dir == "." {
		return name
	}
	return filepath.Join(o.Dir, name)
}

// parse decodes the scenarios of one file (one per YAML document) and
// returns them with the file's problems, in line order. The scenarios are
// returned even when they have problems, so that duplicate names are still
// found.
func parse(file string, data []byte, spec *openapi.Spec) (scenarios []*Scenario, errs []error) {
	d := &decoder{file: file, spec: spec}
	defer func() {
		// The YAML library has panicked on crafted input before
		// (CVE-2022-28948); a bad file must be an error, never a crash of
		// the server or of `decoy validate`.
		if p := recover(); p != nil {
			errs = append(errs, &Error{File: file, Message: fmt.Sprintf("cannot parse YAML: %v", p)})
		}
	}()
	dec := yamlnode.NewDecoder(data)
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			d.errs = append(d.errs, yamlError(file, err))
			break
		}
		if len(doc.Content) == 0 {
			continue
		}
		if aliases(&doc, d, file) {
			// Values that stand for others elsewhere would be reported
			// at their anchor, not where they are used; and they are how
			// alias bombs work. Scenario files are short: spell it out.
			continue
		}
		if sc := d.scenario(doc.Content[0]); sc != nil {
			scenarios = append(scenarios, sc)
		}
	}
	if len(scenarios) == 0 && len(d.errs) == 0 {
		d.errs = append(d.errs, &Error{File: file, Message: "no scenario in file; expected name, description and rules"})
	}
	slices.SortStableFunc(d.errs, func(a, b error) int {
		ea, eb := a.(*Error), b.(*Error)
		return cmp.Or(cmp.Compare(ea.Line, eb.Line), cmp.Compare(ea.Column, eb.Column))
	})
	return scenarios, d.errs
}

// yamlError locates a syntax error of the YAML parser.
func yamlError(file string, err error) *Error {
	line, col, msg := yamlnode.SyntaxError(err)
	return &Error{File: file, Line: line, Column: col, Message: "invalid YAML: " + msg}
}

// aliases reports each YAML alias (*name) in n as an error at the place it
// is used, and whether there was any.
func aliases(n *yaml.Node, d *decoder, file string) bool {
	found := false
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.AliasNode {
			d.errs = append(d.errs, &Error{File: file, Line: n.Line, Column: n.Column,
				Message: fmt.Sprintf("YAML alias *%s: aliases are not supported in scenario files; write the value out", n.Value)})
			found = true
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return found
}
