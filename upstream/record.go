package upstream

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"

	"github.com/decoy-mock/decoy/fixtures"
	"github.com/decoy-mock/decoy/openapi"
)

// Recorder writes exchanges that kept the contract as fixture stubs: one
// YAML file per operation in its folder, each stub matching the request on
// its path parameters, documented query and header parameters and JSON
// body, and answering the recorded status, headers and body byte for byte.
// A request already recorded is not recorded again. Every write replaces
// the operation's file atomically (a temporary file renamed over it), so a
// crash loses at most the exchange being written. It is safe for
// concurrent use.
type Recorder struct {
	dir string

	mu    sync.Mutex
	files map[string]*recordFile // by operation id
	// Duplicates counts the exchanges not written because their request
	// was recorded already.
	duplicates int
}

type recordFile struct {
	path  string
	doc   stubFile
	seen  map[string]bool
	names map[string]bool
	// keys are the keys of the collection's items, when it has one.
	keys map[string]bool
}

// NewRecorder returns a Recorder writing into dir, which it creates when
// missing. It returns an error when dir cannot be created.
func NewRecorder(dir string) (*Recorder, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	return &Recorder{dir: dir, files: map[string]*recordFile{}}, nil
}

// Dir returns the folder the Recorder writes into.
func (rec *Recorder) Dir() string { return rec.dir }

// Duplicates returns how many exchanges were not written because a stub
// for the same request existed.
func (rec *Recorder) Duplicates() int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.duplicates
}

// Exchange is one request and the upstream's answer to it, both within the
// contract.
type Exchange struct {
	Op          *openapi.Operation
	Request     *http.Request
	PathParams  map[string]string
	RequestBody []byte
	Status      int
	Header      http.Header
	Body        []byte
}

// The stub file format of package fixtures, as Recorder writes it.
type stubFile struct {
	Stubs       []stubDoc       `yaml:"stubs"`
	Collections []collectionDoc `yaml:"collections,omitempty"`
}

// collectionDoc is the collection a recorded list operation's items make,
// so that a replay pages through them beyond the recorded requests.
type collectionDoc struct {
	Name  string            `yaml:"name"`
	Key   string            `yaml:"key"`
	List  []string          `yaml:"list"`
	Scope map[string]string `yaml:"scope,omitempty"`
	Items []any             `yaml:"items"`
}

type stubDoc struct {
	Name      string      `yaml:"name"`
	Operation string      `yaml:"operation"`
	Match     *matchDoc   `yaml:"match,omitempty"`
	Response  responseDoc `yaml:"response"`
}

type matchDoc struct {
	Path       map[string]string `yaml:"path,omitempty"`
	Query      map[string]string `yaml:"query,omitempty"`
	ExactQuery bool              `yaml:"exactQuery"`
	Headers    map[string]string `yaml:"headers,omitempty"`
	Body       any               `yaml:"body,omitempty"`
}

type responseDoc struct {
	Status      int               `yaml:"status"`
	Headers     map[string]string `yaml:"headers,omitempty"`
	ContentType string            `yaml:"contentType,omitempty"`
	RawBody     *string           `yaml:"rawBody,omitempty"`
}

// Record writes ex as a stub into its operation's file, unless a stub for
// the same request is there already. It returns an error when the answer
// cannot be replayed as it was (a body its media type does not document,
// a secret that masking would make invalid) or the file cannot be written.
func (rec *Recorder) Record(ex Exchange) error {
	stub, err := stubOf(ex)
	if err != nil {
		return err
	}
	key, _ := json.Marshal(stub.Match)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	f, err := rec.file(ex.Op)
	if err != nil {
		return err
	}
	if f.seen[string(key)] {
		rec.duplicates++
		return nil
	}
	for n := len(f.doc.Stubs) + 1; ; n++ {
		stub.Name = fmt.Sprintf("%s-%d", fileStem(ex.Op.ID), n)
		if !f.names[stub.Name] {
			break
		}
	}
	f.doc.Stubs = append(f.doc.Stubs, stub)
	undo := f.collect(ex, stub)
	if err := writeAtomic(f.path, f.doc); err != nil {
		f.doc.Stubs = f.doc.Stubs[:len(f.doc.Stubs)-1]
		undo()
		return err
	}
	f.seen[string(key)] = true
	f.names[stub.Name] = true
	return nil
}

// file returns op's record file, reading the stubs an earlier session
// wrote into it, so that they are kept.
func (rec *Recorder) file(op *openapi.Operation) (*recordFile, error) {
	if f := rec.files[op.ID]; f != nil {
		return f, nil
	}
	f := &recordFile{path: filepath.Join(rec.dir, fileStem(op.ID)+".yaml"), seen: map[string]bool{}, names: map[string]bool{}}
	data, err := os.ReadFile(f.path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("record: %w", err)
	default:
		if err := yaml.Unmarshal(data, &f.doc); err != nil {
			return nil, fmt.Errorf("record: %s holds no stubs Decoy can add to (%v); move it away to record %s", f.path, err, op.ID)
		}
		for _, s := range f.doc.Stubs {
			key, _ := json.Marshal(s.Match)
			f.seen[string(key)] = true
			f.names[s.Name] = true
		}
	}
	rec.files[op.ID] = f
	return f, nil
}

// fileStem turns an operation id into a file name: letters, digits, '-'
// and '_' kept, anything else '_'.
func fileStem(id string) string {
	var b strings.Builder
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return strings.Trim(b.String(), "_")
}

// writeAtomic writes doc as YAML to a temporary file beside path, synced,
// then renames it over path.
func writeAtomic(path string, doc stubFile) error {
	var buf bytes.Buffer
	buf.WriteString("# Recorded by decoy from the upstream's answers; each stub replays one exchange.\n")
	// No line wrapping: a recorded body stays one line, easy to diff.
	out, err := yaml.Dump(doc, yaml.WithIndent(2), yaml.WithLineWidth(-1))
	if err != nil {
		return fmt.Errorf("record: encoding %s: %w", path, err)
	}
	buf.Write(out)
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("record: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename, a no-op
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("record: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("record: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	return nil
}

// stubOf builds the stub that replays ex.
func stubOf(ex Exchange) (stubDoc, error) {
	op := ex.Op
	s := stubDoc{Operation: op.ID, Response: responseDoc{Status: ex.Status}}
	// Exact query: a request recorded without ?limit is not the one
	// with ?limit=1, which the collection pages instead.
	m := &matchDoc{ExactQuery: true}
	if len(ex.PathParams) > 0 {
		m.Path = map[string]string{}
		for k, v := range ex.PathParams {
			m.Path[k] = v
		}
	}
	query := ex.Request.URL.Query()
	for _, p := range parameters(op) {
		switch p.In {
		case openapi3.ParameterInQuery:
			if vs := query[p.Name]; len(vs) > 0 {
				if m.Query == nil {
					m.Query = map[string]string{}
				}
				m.Query[p.Name] = vs[0]
			}
		case openapi3.ParameterInHeader:
			if v := ex.Request.Header.Get(p.Name); v != "" && !secretWord(p.Name) && !securityHeader(op, p.Name) {
				if m.Headers == nil {
					m.Headers = map[string]string{}
				}
				m.Headers[http.CanonicalHeaderKey(p.Name)] = v
			}
		}
	}
	if len(ex.RequestBody) > 0 && openapi.IsJSON(ex.Request.Header.Get("Content-Type")) {
		var v any
		if err := json.Unmarshal(ex.RequestBody, &v); err == nil && v != nil {
			m.Body = withoutSecrets(v)
		}
	}
	s.Match = m
	doc := op.LookupOrDefault(ex.Status)
	if doc == nil {
		return s, fmt.Errorf("status %d is not documented", ex.Status)
	}
	for _, h := range doc.Headers {
		if v := ex.Header.Get(h.Name); v != "" && !secretWord(h.Name) {
			if s.Response.Headers == nil {
				s.Response.Headers = map[string]string{}
			}
			s.Response.Headers[h.Name] = v
		}
	}
	for name, vs := range ex.Header {
		if len(vs) == 0 || !replayedHeader(name) || documents(doc, name) {
			continue
		}
		if s.Response.Headers == nil {
			s.Response.Headers = map[string]string{}
		}
		s.Response.Headers[name] = vs[0]
	}
	if len(ex.Body) == 0 {
		if ct := ex.Header.Get("Content-Type"); ct != "" && len(doc.Content) > 0 {
			if media := matchMedia(doc, ct); media != nil && !strings.Contains(media.Type, "*") {
				s.Response.ContentType = media.Type
			}
		}
		empty := ""
		s.Response.RawBody = &empty
		return s, nil
	}
	media := matchMedia(doc, ex.Header.Get("Content-Type"))
	if media == nil || strings.Contains(media.Type, "*") {
		return s, fmt.Errorf("the answer's Content-Type %q is not a media type the spec names for status %d", ex.Header.Get("Content-Type"), ex.Status)
	}
	s.Response.ContentType = media.Type
	body := ex.Body
	if media.JSON {
		masked, changed := maskJSONSecrets(body)
		if changed {
			if vs := CheckResponse(op, Response{Status: ex.Status, Header: ex.Header, Body: masked, Complete: true}); len(vs) > 0 {
				return s, errors.New("the answer holds a secret, and the masked answer would break the contract")
			}
			body = masked
		}
	}
	raw := string(body)
	s.Response.RawBody = &raw
	return s, nil
}

// documents reports whether r documents a header named name.
func documents(r *openapi.Response, name string) bool {
	return slices.ContainsFunc(r.Headers, func(h *openapi.Header) bool { return strings.EqualFold(h.Name, name) })
}

// parameters lists op's parameters, the path item's and its own.
func parameters(op *openapi.Operation) []*openapi3.Parameter {
	var out []*openapi3.Parameter
	if op.Op == nil {
		return nil
	}
	for _, p := range op.Op.Parameters {
		if p != nil && p.Value != nil {
			out = append(out, p.Value)
		}
	}
	return out
}

// securityHeader reports whether name is a header a security scheme of op
// reads (an API key).
func securityHeader(op *openapi.Operation, name string) bool {
	for _, req := range op.Security {
		for _, sch := range req {
			if sch.Kind == openapi.SchemeAPIKey && sch.In == "header" && strings.EqualFold(sch.Param, name) {
				return true
			}
		}
	}
	return strings.EqualFold(name, "Authorization") || strings.EqualFold(name, "Cookie")
}

// replayedHeader reports whether an undocumented response header is kept in
// a recorded stub: the API's own headers, not those of the transport, of
// caches, of CORS, of the proxy, nor credentials.
func replayedHeader(name string) bool {
	switch http.CanonicalHeaderKey(name) {
	case "Date", "Content-Length", "Content-Type", "Content-Encoding", "Transfer-Encoding", "Connection", "Keep-Alive",
		"Server", "Set-Cookie", "Vary", "Etag", "Last-Modified", "Age", "Expires", "Cache-Control", "Via", "Alt-Svc",
		"Strict-Transport-Security", "Trailer", "Upgrade", "Proxy-Authenticate", "Www-Authenticate", "Sl-Violations":
		return false
	}
	lower := strings.ToLower(name)
	return !strings.HasPrefix(lower, "access-control-") && !strings.HasPrefix(lower, "x-decoy-") && !secretWord(name)
}

// responseSecretWords are the parts of field and header names whose
// values are credentials. Narrower than the journal's list: a recorded
// session_id or author is data, not a secret.
var responseSecretWords = []string{"apikey", "token", "secret", "password", "passwd", "credential", "accesskey", "privatekey", "signature", "authorization", "cookie"}

func secretWord(name string) bool {
	norm := strings.NewReplacer("-", "", "_", "", ".", "").Replace(strings.ToLower(name))
	for _, w := range responseSecretWords {
		if strings.Contains(norm, w) {
			return true
		}
	}
	return false
}

// withoutSecrets drops the secret-named fields of a request body, at any
// depth, so that a recorded matcher holds no credential (and matches
// whatever credential a replay sends).
func withoutSecrets(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if !secretWord(k) {
				out[k] = withoutSecrets(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = withoutSecrets(e)
		}
		return out
	}
	return v
}

// maskJSONSecrets replaces, in body's bytes, the string value of every
// secret-named field with as many '*' (the bytes around unchanged, so the
// rest replays byte for byte). It reports whether it changed anything.
func maskJSONSecrets(body []byte) ([]byte, bool) {
	type level struct{ object, key bool }
	dec := json.NewDecoder(bytes.NewReader(body))
	var stack []level
	var spans [][2]int
	secret := false // the value being read belongs to a secret-named key
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].key = true
		}
		secret = false
	}
	for {
		before := int(dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			break
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{':
				stack = append(stack, level{object: true, key: true})
				secret = false
			case '[':
				stack = append(stack, level{})
				secret = false
			default:
				stack = stack[:len(stack)-1]
				valueDone()
			}
			continue
		}
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].key {
			stack[n-1].key = false
			k, _ := tok.(string)
			secret = secretWord(k)
			continue
		}
		if str, ok := tok.(string); ok && secret && str != "" {
			start := bytes.IndexByte(body[before:], '"') + before
			spans = append(spans, [2]int{start + 1, int(dec.InputOffset()) - 1})
		}
		valueDone()
	}
	if len(spans) == 0 {
		return body, false
	}
	out := slices.Clone(body)
	for _, sp := range spans {
		for i := sp[0]; i < sp[1]; i++ {
			out[i] = '*'
		}
	}
	return out, true
}

// collect adds the items of a recorded list answer to the operation's
// collection (made on the first answer whose envelope is recognised, its
// key and scope inferred from the items), so that a replay pages beyond
// the recorded requests. It returns the function that undoes it.
func (f *recordFile) collect(ex Exchange, stub stubDoc) (undo func()) {
	noop := func() {}
	if ex.Status < 200 || ex.Status > 299 || stub.Response.RawBody == nil {
		return noop
	}
	path, ok := fixtures.ListItems(ex.Op)
	if !ok {
		return noop
	}
	var body any
	if json.Unmarshal([]byte(*stub.Response.RawBody), &body) != nil {
		return noop
	}
	for _, p := range path {
		m, ok := body.(map[string]any)
		if !ok {
			return noop
		}
		body = m[p]
	}
	items, _ := body.([]any)
	if len(items) == 0 {
		return noop
	}
	saved := f.doc.Collections
	savedKeys := maps.Clone(f.keys)
	undo = func() { f.doc.Collections, f.keys = saved, savedKeys }
	if len(f.doc.Collections) == 0 {
		key := itemKey(ex.Op, items)
		if key == "" {
			return noop
		}
		c := collectionDoc{Name: "recorded_" + fileStem(ex.Op.ID), Key: key, List: []string{ex.Op.ID}, Scope: itemScope(ex, items)}
		f.doc.Collections = []collectionDoc{c}
		f.keys = map[string]bool{}
	} else {
		f.doc.Collections = slices.Clone(f.doc.Collections)
		if f.keys == nil {
			f.keys = map[string]bool{}
			for _, it := range f.doc.Collections[0].Items {
				if m, ok := it.(map[string]any); ok {
					f.keys[fmt.Sprint(m[f.doc.Collections[0].Key])] = true
				}
			}
		}
	}
	c := &f.doc.Collections[0]
	c.Items = slices.Clone(c.Items)
	for _, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			continue
		}
		k, ok := m[c.Key]
		if !ok || k == nil || f.keys[fmt.Sprint(k)] {
			continue
		}
		f.keys[fmt.Sprint(k)] = true
		c.Items = append(c.Items, m)
	}
	return undo
}

// itemKey picks the field that identifies the items: "id", else a field
// every item has, unique among them, named like an id (ending in "id" or
// "key"), preferring one that names the operation's resource
// (session_id for listSessions); "" when none fits.
func itemKey(op *openapi.Operation, items []any) string {
	unique := func(name string) bool {
		seen := map[string]bool{}
		for _, it := range items {
			m, ok := it.(map[string]any)
			if !ok {
				return false
			}
			v, ok := m[name]
			switch v.(type) {
			case string, float64:
			default:
				return false
			}
			if !ok || seen[fmt.Sprint(v)] {
				return false
			}
			seen[fmt.Sprint(v)] = true
		}
		return true
	}
	if unique("id") {
		return "id"
	}
	first, _ := items[0].(map[string]any)
	var candidates []string
	for name := range first {
		lower := strings.ToLower(name)
		if (strings.HasSuffix(lower, "id") || strings.HasSuffix(lower, "key")) && unique(name) {
			candidates = append(candidates, name)
		}
	}
	slices.Sort(candidates)
	opName := strings.ToLower(op.ID + " " + op.Path)
	for _, c := range candidates {
		stem := strings.TrimRight(strings.TrimSuffix(strings.TrimSuffix(strings.ToLower(c), "key"), "id"), "_-")
		if stem != "" && strings.Contains(opName, stem) {
			return c
		}
	}
	if len(candidates) > 0 {
		return candidates[0]
	}
	return ""
}

// itemScope maps each path and header parameter of the request to the
// item field that holds its value in every item (agent_key → agent_key,
// X-Namespace → namespace_id), so that a replay lists the items of the
// parent the request names.
func itemScope(ex Exchange, items []any) map[string]string {
	values := map[string]string{}
	for k, v := range ex.PathParams {
		values[k] = v
	}
	for _, p := range parameters(ex.Op) {
		if p.In == openapi3.ParameterInHeader && !secretWord(p.Name) && !securityHeader(ex.Op, p.Name) {
			if v := ex.Request.Header.Get(p.Name); v != "" {
				values[p.Name] = v
			}
		}
	}
	first, _ := items[0].(map[string]any)
	scope := map[string]string{}
	for param, value := range values {
		var fields []string
		for name := range first {
			all := true
			for _, it := range items {
				m, _ := it.(map[string]any)
				if s, ok := m[name].(string); !ok || s != value {
					all = false
					break
				}
			}
			if all {
				fields = append(fields, name)
			}
		}
		if len(fields) > 0 {
			slices.Sort(fields)
			scope[param] = fields[0]
		}
	}
	if len(scope) == 0 {
		return nil
	}
	return scope
}
