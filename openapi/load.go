package openapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"

	"github.com/decoy-mock/decoy/internal/regular"
	"github.com/decoy-mock/decoy/internal/yamlnode"
	"github.com/decoy-mock/decoy/openapi/jsondoc"
)

// LoadOptions tunes Load. The zero value is what the CLI uses.
type LoadOptions struct {
	// Context bounds loading; nil means context.Background().
	Context context.Context
	// Dir is the folder fsys stands for, used only to name files in errors
	// and findings the way the user knows them; "" names them as in fsys.
	Dir string
	// MaxBytes bounds the size of the spec and of each file its $refs
	// reach; 0 means DefaultMaxSpecBytes (GitHub's dereferenced REST
	// description, among the largest public specs, is about 70 MiB).
	MaxBytes int64
	// AllowRemoteRefs lets $refs to http(s) URLs be fetched (with a 10 s
	// timeout and the MaxBytes bound). Off, a remote $ref is a load error:
	// a spec must not make Decoy reach the network unasked.
	AllowRemoteRefs bool
}

// DefaultMaxSpecBytes is the default bound on a spec file's size.
const DefaultMaxSpecBytes = 256 << 20

// display names a file of fsys for messages.
func (o LoadOptions) display(name string) string {
	if o.Dir == "" || o.Dir == "." {
		return name
	}
	return filepath.Join(o.Dir, name)
}

// Spec is a loaded, validated OpenAPI document with everything a request
// needs precomputed. It is immutable and safe for concurrent use.
type Spec struct {
	// Doc is the document as OpenAPI 3 (Swagger 2.0 is converted).
	Doc *openapi3.T
	// File is the name the document was loaded from, as given to Load.
	File string
	// Version is the source format: "2.0", "3.0" or "3.1".
	Version string
	// Operations lists every operation in path, then method order.
	Operations []*Operation
	// Findings are problems of the spec that do not stop it from serving,
	// such as examples that break their own schema.
	Findings []Finding
	// Files lists every file of fsys the document was read from: the spec
	// itself, then the files its $refs reached, so a watcher knows what to
	// watch.
	Files []string

	byID   map[string]*Operation
	router *Router
	// jsonFast says the JSON fast path (jsondoc) built Doc, for the tests
	// that keep it taken.
	jsonFast bool
	// validators judge values by Direction, compiling each schema once.
	validatorsOnce sync.Once
	validators     [3]*Validator
	// generated judge generated values: [request, response][loose, strict].
	generatedOnce sync.Once
	generated     [2][2]*Validator
}

// Load reads the document name from fsys, resolves its $refs (relative refs
// are read from fsys too; a ref that leaves fsys or points to a remote URL is
// an error), validates it and builds the per-operation index. The error names
// the file and, where the library reports one, the line or JSON pointer. A
// JSON OpenAPI 3 document is decoded by Decoy's own fast path (jsondoc),
// to the document the library would have built, many times faster.
func Load(fsys fs.FS, name string, opts LoadOptions) (spec *Spec, err error) {
	defer func() {
		// The library must not take Decoy down over a strange document.
		if v := recover(); v != nil {
			spec, err = nil, fmt.Errorf("%s: the document could not be loaded (the OpenAPI library failed on it: %v)", opts.display(name), v)
		}
	}()
	ctx := opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	shown := opts.display(name)
	if opts.MaxBytes == 0 {
		opts.MaxBytes = DefaultMaxSpecBytes
	}
	data, err := readBounded(fsys, name, opts.MaxBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: no such file", shown)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", shown, err)
	}
	// A Postman collection is served as the OpenAPI document it converts to.
	postman := isPostmanCollection(data)
	var converted []Finding
	if postman {
		if data, converted, err = postmanToOpenAPI(data); err != nil {
			return nil, fmt.Errorf("%s: %w", shown, err)
		}
	}
	files := []string{path.Clean(name)}
	newLoader := func(fix *repairs) *openapi3.Loader {
		files = files[:1]
		return &openapi3.Loader{
			Context:               ctx,
			IsExternalRefsAllowed: true,
			IncludeOrigin:         true,
			ReadFromURIFunc:       readFromFS(fsys, &files, opts, fix),
		}
	}
	location := &url.URL{Path: name}

	// A document that does not decode as written is tried once more with
	// the flaws of real descriptions repaired in its raw tree (and in every
	// file its $refs reach), each repair a finding. One with an operation
	// given as a $ref decodes, but emptied: it is repaired first.
	fix := &repairs{lines: map[string]map[int]int{}}
	fix.read = func(p string) ([]byte, error) {
		return readFromFS(fsys, &files, opts, nil)(nil, &url.URL{Path: p})
	}
	var (
		doc     *openapi3.T
		version string
		fast    bool
	)
	if hasOperationRef(data) {
		err = errOperationRef
	} else {
		doc, version, fast, err = loadDocument(data, newLoader(fix), location)
	}
	var bad *invalidJSONError
	if errors.As(err, &bad) {
		return nil, fmt.Errorf("%s:%d:%d: %w", shown, bad.Line, bad.Column, bad)
	}
	if err != nil && repairable(err) {
		fix.active, fix.findings, fix.lines = true, nil, map[string]map[int]int{}
		fix.version = rawVersion(data)
		// Each try that fails on a place the error names (a value of the
		// wrong shape, a $ref to the wrong kind of object) is mended there
		// and tried again, a bounded number of times.
		if raw, perr := parseRaw(data, name, fix.version, fix.read); perr == nil && raw != nil {
			raw.normalize(kindObject)
			for try := 0; ; try++ {
				fix.findings, fix.lines = nil, map[string]map[int]int{}
				fixed := data
				if len(raw.n.findings) > 0 {
					out, lines, eerr := raw.encode()
					if eerr != nil {
						break
					}
					fixed = out
					fix.findings = append(fix.findings, raw.n.findings...)
					fix.lines[name] = lines
				}
				doc2, version2, fast2, err2 := loadDocument(fixed, newLoader(fix), location)
				if err2 == nil {
					doc, version, fast, err = doc2, version2, fast2, nil
					break
				}
				if len(raw.n.findings) > 0 || err == errOperationRef {
					err = err2
				}
				if try == maxRepairTries || !raw.fixError(err2) {
					break
				}
			}
		}
	}
	if err != nil {
		if line, col, ok := refLocation(data, err); ok {
			return nil, fmt.Errorf("%s:%d:%d: %w", shown, line, col, err)
		}
		return nil, fmt.Errorf("%s: %w", shown, err)
	}
	if version != "2.0" {
		version = doc.OpenAPIMajorMinor()
		if version != "3.0" && version != "3.1" {
			return nil, fmt.Errorf("%s: openapi: unsupported version %q (supported: 2.0, 3.0.x, 3.1.x)", shown, doc.OpenAPI)
		}
	}
	findings := fix.findings
	findings = append(findings, repairDocument(doc, version)...)
	// What kin-openapi's validation still finds is served around: each
	// problem is a finding, never a reason to refuse the document.
	// validateDocument is doc.Validate(ctx, DisableExamplesValidation(),
	// EnableMultiError()), fast on specs that reference their component
	// schemas from many places (loadcheck.go).
	// Only a $ref that resolves to no schema (a loop of $refs) is refused:
	// the document does not say what is there.
	if err := validateDocument(ctx, doc); err != nil {
		var fatal []error
		for _, e := range flatten(err) {
			var coded interface{ Code() string }
			if errors.As(e, &coded) && coded.Code() == "unresolved-ref" {
				fatal = append(fatal, e)
				continue
			}
			findings = append(findings, validationFinding(doc, e))
		}
		if len(fatal) > 0 {
			err := fatal[0]
			if at := locate(doc, err); at != "" {
				shown = opts.display(at)
			}
			if len(fatal) > 1 {
				return nil, fmt.Errorf("%s: invalid %s document: %w (and %d more problems)", shown, versionName(version), err, len(fatal)-1)
			}
			return nil, fmt.Errorf("%s: invalid %s document: %w", shown, versionName(version), err)
		}
	}
	spec = &Spec{Doc: doc, File: name, Version: version, Files: files, Findings: findings, jsonFast: fast}
	if err := spec.index(); err != nil {
		return nil, fmt.Errorf("%s: %w", shown, err)
	}
	// The repairs of the raw tree name the lines the user wrote; the
	// findings made after them name lines of the repaired text.
	for i := range spec.Findings {
		if f := &spec.Findings[i]; f.Where != "" {
			if i >= len(fix.findings) {
				f.Where = fix.original(f.Where)
			}
			f.Where = opts.display(f.Where)
		} else {
			f.Where = shown
		}
	}
	if postman {
		spec.Findings = postmanFindings(shown, converted, spec.Findings)
	}
	spec.Findings = dedupe(spec.Findings)
	sortFindings(spec.Findings)
	return spec, nil
}

// loadDocument decodes data into an OpenAPI 3 document, converting Swagger
// 2.0, and resolves its $refs with loader. It returns the source version:
// "2.0" or "3", and whether the fast path built the document. A JSON
// OpenAPI 3 document takes the fast path (jsondoc.Load); anything the fast
// path leaves aside takes kin-openapi's.
func loadDocument(data []byte, loader *openapi3.Loader, location *url.URL) (doc *openapi3.T, version string, fast bool, err error) {
	isJSON := isJSONObject(data)
	if isJSON {
		doc, err := jsondoc.Load(data, loader, location)
		if err == nil {
			return doc, "3", true, nil
		}
		if !jsondoc.LeftToLibrary(err) {
			return nil, "", false, err
		}
	}
	version, err = detectVersion(data)
	if err != nil {
		return nil, "", false, explainJSON(isJSON, data, err)
	}
	if version == "2.0" {
		doc, err = loadSwagger2(data, loader, location)
	} else {
		doc, err = loader.LoadFromDataWithPath(data, location)
	}
	if err != nil {
		return nil, "", false, explainJSON(isJSON, data, err)
	}
	return doc, version, false, nil
}

// isJSONObject reports whether data starts, after whitespace, with '{': a
// JSON document, or a YAML one in flow style, which the fast path tells
// apart.
func isJSONObject(data []byte) bool {
	data = bytes.TrimLeft(data, " \t\r\n")
	return len(data) > 0 && data[0] == '{'
}

// invalidJSONError is a document that starts as JSON but is not JSON (nor
// YAML), at Line and Column.
type invalidJSONError struct {
	Line, Column int
	Err          error
}

func (e *invalidJSONError) Error() string { return "invalid JSON: " + e.Err.Error() }

func (e *invalidJSONError) Unwrap() error { return e.Err }

// explainJSON returns err, the error kin-openapi gave for data, unless data
// starts as JSON and is neither JSON nor YAML: then the JSON syntax error,
// with its line and column, which says more than the YAML parser's. (A YAML
// document in flow style starts as JSON too, and keeps kin-openapi's error.)
func explainJSON(isJSON bool, data []byte, err error) error {
	if !isJSON {
		return err
	}
	var syntax *json.SyntaxError
	if !errors.As(json.Unmarshal(data, new(json.RawMessage)), &syntax) || parsesAsYAML(data) {
		return err
	}
	line, col := jsondoc.Position(data, max(0, min(int(syntax.Offset)-1, len(data))))
	return &invalidJSONError{Line: line, Column: col, Err: syntax}
}

// parsesAsYAML reports whether kin-openapi's YAML parser reads data.
func parsesAsYAML(data []byte) bool {
	return yaml.Unmarshal(data, new(yaml.Node)) == nil
}

func versionName(v string) string {
	if v == "2.0" {
		return "Swagger 2.0"
	}
	return "OpenAPI " + v
}

// detectVersion tells a Swagger 2.0 document from an OpenAPI 3 one by its
// top-level key, reading only the top level of the document.
func detectVersion(data []byte) (string, error) {
	if !bytes.Contains(data, []byte("swagger")) {
		return "3", nil
	}
	var top struct {
		Swagger any `yaml:"swagger"`
		OpenAPI any `yaml:"openapi"`
	}
	if err := yamlnode.Unmarshal(data, &top); err != nil {
		return "", fmt.Errorf("not YAML or JSON: %w", err)
	}
	switch {
	case top.OpenAPI != nil:
		return "3", nil
	case top.Swagger != nil:
		if fmt.Sprint(top.Swagger) != "2.0" {
			return "", fmt.Errorf("swagger: unsupported version %q (supported: 2.0)", fmt.Sprint(top.Swagger))
		}
		return "2.0", nil
	}
	return "3", nil
}

func loadSwagger2(data []byte, loader *openapi3.Loader, location *url.URL) (*openapi3.T, error) {
	var raw any
	if err := yamlnode.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("not YAML or JSON: %w", err)
	}
	js, err := json.Marshal(jsonCompatible(raw))
	if err != nil {
		return nil, fmt.Errorf("swagger 2.0: %w", err)
	}
	var doc2 openapi2.T
	if err := json.Unmarshal(js, &doc2); err != nil {
		return nil, fmt.Errorf("swagger 2.0: %w", err)
	}
	doc, err := openapi2conv.ToV3WithLoader(&doc2, loader, location)
	if err != nil {
		return nil, fmt.Errorf("converting swagger 2.0 to openapi 3: %w", err)
	}
	return doc, nil
}

// jsonCompatible turns the map[string]any / map[any]any trees the YAML
// library may produce into trees encoding/json accepts.
func jsonCompatible(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = jsonCompatible(e)
		}
		return t
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[fmt.Sprint(k)] = jsonCompatible(e)
		}
		return m
	case []any:
		for i, e := range t {
			t[i] = jsonCompatible(e)
		}
		return t
	}
	return v
}

// maxRepairTries bounds the loads Load tries, each after mending the place
// the previous one failed on.
const maxRepairTries = 32

// errOperationRef marks a document that has an operation given as a $ref.
var errOperationRef = errors.New("an operation is given as a $ref")

// errRemoteRef is returned for a $ref to a URL when remote refs are off.
var errRemoteRef = errors.New("remote $refs are not fetched (start Decoy with --allow-remote-refs to allow them)")

// readBounded reads name from fsys, refusing a file larger than max
// without reading it whole.
func readBounded(fsys fs.FS, name string, max int64) ([]byte, error) {
	// Only a regular file: opening a FIFO would block for ever.
	if err := regular.Check(fsys, name); err != nil {
		return nil, err
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var buf bytes.Buffer
	if info, err := f.Stat(); err == nil {
		if !info.Mode().IsRegular() {
			return nil, errors.New("not a regular file; only regular files are read") // replaced since the check
		}
		// Room for the whole file at once, rather than growing by doubling
		// (which, for a 13 MB spec, allocates twice as much again).
		if size := info.Size(); size > 0 && size <= max {
			buf.Grow(int(size) + bytes.MinRead)
		}
	}
	if _, err := buf.ReadFrom(io.LimitReader(f, max+1)); err != nil {
		return nil, err
	}
	if int64(buf.Len()) > max {
		return nil, fmt.Errorf("larger than the limit of %s (raise it with --max-spec-size)", sizeText(max))
	}
	return buf.Bytes(), nil
}

// sizeText writes a size in the largest unit that divides it.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// readFromFS resolves external $refs inside fsys only, so a spec cannot make
// Decoy read files outside its own folder (by "..", an absolute path or a
// symbolic link) or reach the network unless opts allow it.
//
// With fix set, each file is repaired (normalizeRaw) before kin-openapi
// reads it, and the repairs are added to fix.
func readFromFS(fsys fs.FS, files *[]string, opts LoadOptions, fix *repairs) openapi3.ReadFromURIFunc {
	return func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
		if u.Scheme == "http" || u.Scheme == "https" {
			if !opts.AllowRemoteRefs {
				return nil, fmt.Errorf("%s: %w", u.String(), errRemoteRef)
			}
			return fetch(opts.Context, u, opts.MaxBytes)
		}
		if u.Scheme != "" && u.Scheme != "file" || u.Host != "" {
			return nil, fmt.Errorf("$ref %s: only relative file paths (and, with --allow-remote-refs, http and https URLs) are allowed", u.String())
		}
		p := u.Path
		if strings.HasPrefix(p, "/") {
			return nil, fmt.Errorf("$ref %q: absolute paths are not allowed; refer to files relative to the spec", p)
		}
		p = path.Clean(p)
		if !fs.ValidPath(p) {
			return nil, fmt.Errorf("$ref %q leaves the ref root (the folder $refs may reach; set it with --ref-root)", u.Path)
		}
		if err := noEscapingLinks(fsys, p); err != nil {
			return nil, fmt.Errorf("$ref %q: %w", u.Path, err)
		}
		data, err := readBounded(fsys, p, opts.MaxBytes)
		if err != nil {
			return nil, fmt.Errorf("$ref %q: %w", u.Path, err)
		}
		if !slices.Contains(*files, p) {
			*files = append(*files, p)
		}
		if fix != nil {
			return fix.file(p, data), nil
		}
		return data, nil
	}
}

// noEscapingLinks resolves every symbolic link on the way to p, following
// chains of links (at most 40, like the kernel), and fails when one leads
// outside fsys.
func noEscapingLinks(fsys fs.FS, p string) error {
	if _, ok := fsys.(fs.ReadLinkFS); !ok {
		return nil
	}
	parts := strings.Split(p, "/")
	for hops := 0; ; {
		resolved := false
		for i := range parts {
			sub := strings.Join(parts[:i+1], "/")
			info, err := fs.Lstat(fsys, sub)
			if err != nil {
				return nil // the read that follows reports it
			}
			if info.Mode()&fs.ModeSymlink == 0 {
				continue
			}
			if hops++; hops > 40 {
				return fmt.Errorf("too many symbolic links on the way to %s", p)
			}
			target, err := fs.ReadLink(fsys, sub)
			if err != nil {
				return err
			}
			next := path.Clean(path.Join(path.Dir(sub), target))
			if strings.HasPrefix(target, "/") || !fs.ValidPath(next) {
				return fmt.Errorf("%s is a symbolic link to %s, outside the ref root (the folder $refs may reach; set it with --ref-root)", sub, target)
			}
			parts = append(strings.Split(next, "/"), parts[i+1:]...)
			resolved = true
			break
		}
		if !resolved {
			return nil
		}
	}
}

// fetch reads a remote $ref, bounded in time and size.
func fetch(ctx context.Context, u *url.URL, max int64) ([]byte, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching $ref %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching $ref %s: %s", u, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("fetching $ref %s: %w", u, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("fetching $ref %s: larger than the limit of %d MiB", u, max>>20)
	}
	return data, nil
}

var (
	operationInError = regexp.MustCompile(`operation (GET|PUT|POST|DELETE|OPTIONS|HEAD|PATCH|TRACE|QUERY) (/\S*)`)
	schemaInError    = regexp.MustCompile(`schema "([^"]+)"`)
	pathInError      = regexp.MustCompile(`invalid path (/\S*)`)
)

// locate finds the file:line:col of the element a validation error is
// about, from the operation, path or component schema it names; "" when it
// names none the document has.
func locate(doc *openapi3.T, err error) string {
	msg := err.Error()
	if m := operationInError.FindStringSubmatch(msg); m != nil && doc.Paths != nil {
		if item := doc.Paths.Value(m[2]); item != nil {
			if op := item.GetOperation(m[1]); op != nil {
				return where(op.Origin)
			}
			return where(item.Origin)
		}
	}
	if m := pathInError.FindStringSubmatch(msg); m != nil && doc.Paths != nil {
		if item := doc.Paths.Value(strings.TrimSuffix(m[1], ":")); item != nil {
			return where(item.Origin)
		}
	}
	if m := schemaInError.FindStringSubmatch(msg); m != nil && doc.Components != nil {
		if ref := doc.Components.Schemas[m[1]]; ref != nil && ref.Value != nil {
			return where(ref.Value.Origin)
		}
	}
	return ""
}

// unresolvedRef finds the reference of the library's "failed to resolve …
// in fragment in URI" errors.
var unresolvedRef = regexp.MustCompile(`in URI: "([^"]+)"`)

// refLocation finds where data writes the $ref that err says does not
// resolve: the first line that has "$ref" and the reference itself, the
// line and column of the reference. The library names the reference but
// not where it is written.
func refLocation(data []byte, err error) (line, col int, ok bool) {
	m := unresolvedRef.FindStringSubmatch(err.Error())
	if m == nil {
		return 0, 0, false
	}
	ref := []byte(m[1])
	for from := 0; ; {
		i := bytes.Index(data[from:], ref)
		if i < 0 {
			return 0, 0, false
		}
		at := from + i
		start := bytes.LastIndexByte(data[:at], '\n') + 1
		if bytes.Contains(data[start:at], []byte("$ref")) {
			line, col = jsondoc.Position(data, at)
			return line, col, true
		}
		from = at + len(ref)
	}
}

// flatten lists the leaves of a tree of MultiErrors.
func flatten(err error) []error {
	var me openapi3.MultiError
	if !errors.As(err, &me) {
		return []error{err}
	}
	var out []error
	for _, e := range me {
		out = append(out, flatten(e)...)
	}
	return out
}
