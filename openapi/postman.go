package openapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// A Postman collection (v2.0 or v2.1) is served by converting it into an
// OpenAPI 3.0.3 document before anything else sees it, so that the router,
// the validators and the responders know one kind of spec. A collection
// describes requests someone sent and the answers they saved, not a
// contract: what the conversion has to guess, or cannot guess, is a finding
// of class ClassPostman pointing into the collection, never an error.

// isPostmanCollection reports whether data is a Postman collection: a JSON
// object whose info.schema names collection v2.0.0 or v2.1.0 on
// schema.getpostman.com, or whose info has a _postman_id beside a
// top-level item list. An OpenAPI or Swagger document is never one.
func isPostmanCollection(data []byte) bool {
	if !isJSONObject(data) || !bytes.Contains(data, []byte("postman")) {
		return false // the cheap answer for every OpenAPI document
	}
	var top struct {
		Info    json.RawMessage `json:"info"`
		Item    json.RawMessage `json:"item"`
		OpenAPI json.RawMessage `json:"openapi"`
		Swagger json.RawMessage `json:"swagger"`
	}
	if json.Unmarshal(data, &top) != nil || top.OpenAPI != nil || top.Swagger != nil || top.Info == nil {
		return false
	}
	var info struct {
		Schema any `json:"schema"`
		ID     any `json:"_postman_id"`
	}
	if json.Unmarshal(top.Info, &info) != nil {
		return false
	}
	if s, ok := info.Schema.(string); ok && strings.Contains(s, "schema.getpostman.com") &&
		(strings.Contains(s, "/v2.0.0/") || strings.Contains(s, "/v2.1.0/")) {
		return true
	}
	return info.ID != nil && top.Item != nil && !bytes.Equal(bytes.TrimSpace(top.Item), []byte("null"))
}

// errNotPostman is returned by postmanToOpenAPI for data that is not a
// Postman collection.
var errNotPostman = errors.New("not a Postman collection (v2.0 or v2.1)")

// postmanToOpenAPI converts a Postman collection into an OpenAPI 3.0.3 JSON
// document. The findings say what it had to guess or leave out, with a JSON
// pointer into the collection and no Where (the caller knows the file). It
// returns an error only when data is not a collection at all.
func postmanToOpenAPI(data []byte) (doc []byte, findings []Finding, err error) {
	if !isPostmanCollection(data) {
		return nil, nil, errNotPostman
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", errNotPostman, err)
	}
	top, _ := root.(map[string]any)
	c := &pmConverter{
		vars:      map[string]string{},
		byKey:     map[string]*pmOp{},
		templates: map[string]string{},
		schemeOf:  map[string]string{},
		tagSeen:   map[string]bool{},
	}
	for _, key := range []string{"variable", "variables"} { // v2.0 exports say "variables"
		for _, v := range pmList(top[key]) {
			if m, ok := v.(map[string]any); ok {
				if k := pmString(m["key"]); k != "" {
					if _, dup := c.vars[k]; !dup {
						c.vars[k] = pmString(m["value"])
					}
				}
			}
		}
	}
	c.walk(top["item"], "/item", nil, 0, top["auth"])
	// Indented, so that the loader's line numbers keep the saved
	// responses' order: the first example is the first saved response.
	var compact, out bytes.Buffer
	if err := writeJSON(&compact, c.document(top)); err != nil {
		return nil, nil, fmt.Errorf("converting the Postman collection: %w", err)
	}
	if err := json.Indent(&out, compact.Bytes(), "", "  "); err != nil {
		return nil, nil, fmt.Errorf("converting the Postman collection: %w", err)
	}
	doc = out.Bytes()
	// In the collection's order, as a reader of it goes through it.
	slices.SortStableFunc(c.findings, func(a, b Finding) int { return comparePointers(a.Pointer, b.Pointer) })
	return doc, c.findings, nil
}

// comparePointers orders JSON pointers as their places in a document: a
// parent before its children, list indexes by number.
func comparePointers(a, b string) int {
	as, bs := strings.Split(a, "/"), strings.Split(b, "/")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if as[i] == bs[i] {
			continue
		}
		x, errX := strconv.Atoi(as[i])
		y, errY := strconv.Atoi(bs[i])
		if errX == nil && errY == nil {
			return x - y
		}
		return strings.Compare(as[i], bs[i])
	}
	return len(as) - len(bs)
}

// postmanFindings names the collection as the place of the conversion
// findings and puts them first. The loader's own findings about the
// converted document keep their JSON pointer into it, but not a line and
// column, which would point into a document that is not on disk.
func postmanFindings(name string, converted, loaded []Finding) []Finding {
	out := make([]Finding, 0, len(converted)+len(loaded))
	for _, f := range converted {
		f.Where = name
		out = append(out, f)
	}
	for _, f := range loaded {
		if f.Where != "" {
			f.Where = name + " (converted to OpenAPI)"
		}
		out = append(out, f)
	}
	return out
}

// pmConverter gathers the operations of a collection, merging requests with
// the same method and path, before writing the document.
type pmConverter struct {
	vars      map[string]string // collection variables
	findings  []Finding
	ops       []*pmOp
	byKey     map[string]*pmOp  // "GET /pets/{}" → its operation
	templates map[string]string // "/pets/{}" → the first template, "/pets/{petId}"
	ids       unique            // operation ids
	schemes   []pmScheme
	schemeOf  map[string]string // a scheme's JSON → its name
	schemeIDs unique
	tags      []pmTag
	tagSeen   map[string]bool
	servers   []string
}

type pmOp struct {
	method, path      string
	id, summary, desc string
	ptr               string // the first request's pointer
	tags              []string
	params            []*pmParam
	paramAt           map[string]*pmParam // "query:limit" → its parameter
	has               set                 // "tag:Pets", "security:bearerAuth"
	security          []string            // scheme names; nil with noSecurity false: none said
	noSecurity        bool                // noauth: security: []
	body              *pmBody
	responses         []*pmStatus
}

type pmParam struct {
	in, name, desc string
	required       bool
	example        any
	schema         map[string]any // nil: a string
}

type pmBody struct {
	media   string
	samples []any          // decoded JSON, or form objects
	schema  map[string]any // set for bodies that are not inferred (text, files)
	example any
}

type pmStatus struct {
	code, desc string
	media      []*pmMedia
	headers    []*pmParam
	headerSet  map[string]bool
}

type pmMedia struct {
	typ      string
	json     bool
	examples omap // name → {value}, the first maxPostmanExamples
	nameSet  unique
	values   []any // every saved body
	noSchema bool  // a body that would not parse; its schema is not inferred
}

// set remembers the values of lists that must not repeat one.
type set map[string]bool

// add appends v to list unless the set holds kind+v.
func (s *set) add(list []string, kind, v string) []string {
	if (*s)[kind+v] {
		return list
	}
	if *s == nil {
		*s = set{}
	}
	(*s)[kind+v] = true
	return append(list, v)
}

// unique hands out names not used before: base, then base2, base3… (or
// what suffix makes of base and the number), in time linear in the names
// however many share a base.
type unique struct {
	used map[string]bool
	next map[string]int
}

func (u *unique) name(base string, suffix func(string, int) string) string {
	if u.used == nil {
		u.used, u.next = map[string]bool{}, map[string]int{}
	}
	name, n := base, max(u.next[base], 2)
	for u.used[name] {
		name = suffix(base, n)
		n++
	}
	u.next[base] = n
	u.used[name] = true
	return name
}

func numbered(base string, n int) string { return base + strconv.Itoa(n) }

type pmScheme struct {
	name string
	def  omap
}

type pmTag struct{ name, desc string }

func (c *pmConverter) find(ptr, format string, args ...any) {
	c.findings = append(c.findings, Finding{Pointer: ptr, Class: ClassPostman, Message: fmt.Sprintf(format, args...)})
}

// walk converts the items of a folder (or of the collection): a folder
// becomes a tag, a request an operation. auth is the nearest auth above.
func (c *pmConverter) walk(items any, ptr string, folders []string, depth int, auth any) {
	if depth > maxPostmanFolderDepth {
		// A pointer and a tag per level: deeper, a small file would cost
		// memory quadratic in its depth.
		c.find(ptr, "folders nested more than %d deep are left out", maxPostmanFolderDepth)
		return
	}
	for i, it := range pmList(items) {
		p := ptr + "/" + strconv.Itoa(i)
		item, ok := it.(map[string]any)
		if !ok {
			c.find(p, "an item that is not an object is left out")
			continue
		}
		a := auth
		if v, ok := item["auth"]; ok && v != nil {
			a = v
		}
		name := strings.TrimSpace(pmString(item["name"]))
		if sub, ok := item["item"]; ok {
			if _, isRequest := item["request"]; !isRequest {
				path := folders
				if name != "" {
					path = append(slices.Clip(folders), name)
					tag := strings.Join(path, " / ")
					if !c.tagSeen[tag] {
						c.tagSeen[tag] = true
						c.tags = append(c.tags, pmTag{tag, pmDescription(item["description"])})
					}
				}
				c.walk(sub, p+"/item", path, depth+1, a)
				continue
			}
		}
		req, ok := item["request"]
		if !ok || req == nil {
			c.find(p, "item %q is neither a request nor a folder; it is left out", name)
			continue
		}
		c.request(item, req, p, name, folders, a)
	}
}

// maxPostmanFolderDepth bounds the nesting of folders; Postman users nest a
// few levels.
const maxPostmanFolderDepth = 64

var pmMethods = map[string]bool{"GET": true, "PUT": true, "POST": true, "DELETE": true, "OPTIONS": true, "HEAD": true, "PATCH": true, "TRACE": true}

func (c *pmConverter) request(item map[string]any, req any, ptr, name string, folders []string, auth any) {
	r, _ := req.(map[string]any)
	if s, ok := req.(string); ok {
		r = map[string]any{"url": s}
	}
	if r == nil {
		c.find(ptr+"/request", "request %q is not an object or a URL; it is left out", name)
		return
	}
	if v, ok := r["auth"]; ok && v != nil {
		auth = v
	}
	method := strings.ToUpper(strings.TrimSpace(pmString(r["method"])))
	if method == "" {
		method = "GET"
	}
	if !pmMethods[method] {
		c.find(ptr+"/request/method", "method %s has no place in OpenAPI 3.0; request %q is left out", method, name)
		return
	}
	u, ok := r["url"]
	if !ok || u == nil || (pmString(u) == "" && pmObject(u) == nil) {
		c.find(ptr+"/request", "request %q has no URL; it is left out", name)
		return
	}
	segs, query, pathVars := c.parseURL(u, ptr+"/request/url")
	template, params := c.template(segs, pathVars, ptr+"/request/url")
	key := pmShape(template)
	if first, ok := c.templates[key]; ok && first != template {
		c.find(ptr+"/request/url", "path %s is served as %s, the template of an earlier request with other parameter names", template, first)
		template, params = first, renameParams(params, first)
	} else if !ok {
		c.templates[key] = template
	}
	op := c.byKey[method+" "+key]
	if op == nil {
		op = &pmOp{method: method, path: template, ptr: ptr, summary: name, desc: pmDescription(r["description"]), id: c.operationID(name, method, template)}
		if op.desc == "" {
			op.desc = pmDescription(item["description"])
		}
		c.byKey[method+" "+key] = op
		c.ops = append(c.ops, op)
	} else {
		c.find(ptr, "request %q has the same method and path as %q (%s %s); their saved responses are merged into one operation", name, op.summary, method, op.path)
	}
	if len(folders) > 0 {
		op.tags = op.has.add(op.tags, "tag:", strings.Join(folders, " / "))
	}
	apiKey := c.security(op, auth, ptr)
	for _, p := range params {
		op.addParam(p)
	}
	for _, q := range query {
		if !(apiKey.in == "query" && q.name == apiKey.name) {
			op.addParam(q)
		}
	}
	for _, h := range pmHeaders(r["header"]) {
		switch strings.ToLower(h.name) {
		case "content-type", "accept", "authorization", strings.ToLower(apiKey.name):
			continue // OpenAPI says these with requestBody, responses and security
		case "cookie", "host", "content-length", "connection", "postman-token":
			continue // the client's to set, not the API's
		}
		op.addParam(h)
	}
	if b, ok := r["body"].(map[string]any); ok {
		c.body(op, b, pmHeaderValue(r["header"], "Content-Type"), ptr+"/request/body", true)
	}
	for i, resp := range pmList(item["response"]) {
		c.response(op, resp, fmt.Sprintf("%s/response/%d", ptr, i))
	}
}

// parseURL splits a Postman URL (a string or an object) into the path
// segments after the host, the query parameters and the path variables.
func (c *pmConverter) parseURL(u any, ptr string) (segs []string, query []*pmParam, vars map[string]*pmParam) {
	vars = map[string]*pmParam{}
	obj := pmObject(u)
	raw := pmString(u)
	if obj != nil {
		raw = pmString(obj["raw"])
	}
	rawHost, rawPath, rawQuery := splitRawURL(raw)
	host := rawHost
	if obj != nil && obj["host"] != nil {
		host = pmString(obj["host"])
		if l := pmList(obj["host"]); l != nil {
			parts := make([]string, len(l))
			for i, h := range l {
				parts[i] = pmString(h)
			}
			host = strings.Join(parts, ".")
		}
	}
	if m := pmVarRe.FindStringSubmatch(host); m != nil && m[0] == host {
		c.noteServer(c.vars[m[1]])
	}
	if obj != nil && obj["path"] != nil {
		switch p := obj["path"].(type) {
		case string:
			segs = strings.Split(p, "/")
		default:
			for _, s := range pmList(p) {
				if m := pmObject(s); m != nil { // {type, value} segments
					segs = append(segs, pmString(m["value"]))
				} else {
					segs = append(segs, pmString(s))
				}
			}
		}
	} else {
		segs = strings.Split(rawPath, "/")
	}
	segs = slices.DeleteFunc(segs, func(s string) bool { return s == "" })
	if obj != nil && obj["query"] != nil {
		for _, q := range pmList(obj["query"]) {
			m := pmObject(q)
			if m == nil || pmBool(m["disabled"]) {
				continue
			}
			query = append(query, &pmParam{in: "query", name: pmString(m["key"]), desc: pmDescription(m["description"]), example: pmExample(m["value"])})
		}
	} else if rawQuery != "" {
		for _, kv := range strings.Split(rawQuery, "&") {
			k, v, _ := strings.Cut(kv, "=")
			if uk, err := url.QueryUnescape(k); err == nil {
				k = uk
			}
			if uv, err := url.QueryUnescape(v); err == nil {
				v = uv
			}
			query = append(query, &pmParam{in: "query", name: k, example: pmExample(v)})
		}
	}
	query = slices.DeleteFunc(query, func(q *pmParam) bool { return q.name == "" })
	if obj != nil {
		for _, v := range pmList(obj["variable"]) {
			if m := pmObject(v); m != nil {
				if k := pmString(m["key"]); k != "" {
					vars[k] = &pmParam{desc: pmDescription(m["description"]), example: pmExample(m["value"])}
				}
			}
		}
	}
	return segs, query, vars
}

// splitRawURL returns the host of a raw Postman URL, the path after it and
// the query. The host is everything up to the first slash, which
// is how "{{baseUrl}}/pets" loses its base URL.
func splitRawURL(raw string) (host, path, query string) {
	raw = strings.TrimSpace(raw)
	if i := strings.IndexByte(raw, '#'); i >= 0 {
		raw = raw[:i]
	}
	raw, query, _ = strings.Cut(raw, "?")
	if i := strings.Index(raw, "://"); i >= 0 && !strings.Contains(raw[:i], "/") {
		raw = raw[i+3:]
	}
	if strings.HasPrefix(raw, "/") {
		return "", raw, query
	}
	host, path, _ = strings.Cut(raw, "/")
	return host, path, query
}

var pmVarRe = regexp.MustCompile(`\{\{([^{}]*)\}\}`)

// template turns path segments into an OpenAPI path template and its path
// parameters: ":id" and an unresolved "{{id}}" become "{id}", a collection
// variable is replaced by its value, and a base URL variable left in the
// path is dropped.
func (c *pmConverter) template(segs []string, vars map[string]*pmParam, ptr string) (string, []*pmParam) {
	var b strings.Builder
	var params []*pmParam
	var names unique
	param := func(base string) string {
		base = pmParamName(base)
		name := names.name(base, numbered)
		p := &pmParam{in: "path", name: name, required: true}
		if v := vars[base]; v != nil {
			p.desc, p.example = v.desc, v.example
		}
		params = append(params, p)
		return "{" + name + "}"
	}
	for i, seg := range segs {
		if strings.HasPrefix(seg, ":") && len(seg) > 1 {
			b.WriteString("/" + param(seg[1:]))
			continue
		}
		if whole := pmVarRe.FindStringSubmatch(seg); whole != nil && whole[0] == seg && isBaseURLVar(whole[1], c.vars[whole[1]]) {
			if i == 0 {
				c.noteServer(c.vars[whole[1]])
			} else {
				c.find(ptr, "{{%s}} looks like a base URL but is not at the start of the path; Decoy leaves it out of the path", whole[1])
			}
			continue
		}
		var out strings.Builder
		rest := seg
		for {
			loc := pmVarRe.FindStringSubmatchIndex(rest)
			if loc == nil {
				out.WriteString(pmLiteral(rest))
				break
			}
			out.WriteString(pmLiteral(rest[:loc[0]]))
			name := rest[loc[2]:loc[3]]
			if v, ok := c.vars[name]; ok && resolvable(name, v) {
				out.WriteString(strings.Trim(pmLiteralPath(v), "/"))
			} else {
				out.WriteString(param(name))
			}
			rest = rest[loc[1]:]
		}
		if s := out.String(); s != "" {
			b.WriteString("/" + s)
		}
	}
	if b.Len() == 0 {
		return "/", params
	}
	return b.String(), params
}

// resolvable reports whether a collection variable in a path is a fixed
// part of it ({{apiVersion}} → "v2") rather than a path parameter that the
// collection happens to give a sample value ({{petId}} → "1").
func resolvable(name, value string) bool {
	if value == "" || strings.Contains(value, "{{") {
		return false
	}
	n := strings.ToLower(name)
	if strings.HasSuffix(n, "id") || strings.HasSuffix(n, "key") || strings.HasSuffix(n, "name") {
		return false
	}
	return strings.Trim(value, "0123456789") != ""
}

// isBaseURLVar reports whether a variable stands for a base URL: its value
// is an absolute URL, or, without a value, its name says so.
func isBaseURLVar(name, value string) bool {
	if strings.Contains(value, "://") {
		return true
	}
	if value != "" {
		return false
	}
	n := strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(name))
	return n == "baseurl" || n == "url" || n == "host" || n == "hosturl" || n == "apiurl" || n == "server" || n == "endpoint"
}

func (c *pmConverter) noteServer(value string) {
	u, err := url.Parse(value)
	if err != nil || u.Scheme == "" || u.Host == "" || strings.Contains(value, "{{") || slices.Contains(c.servers, value) {
		return
	}
	c.servers = append(c.servers, value)
}

// pmLiteral keeps braces of a literal segment out of the template.
func pmLiteral(s string) string {
	return strings.NewReplacer("{", "%7B", "}", "%7D").Replace(s)
}

func pmLiteralPath(s string) string {
	segs := strings.Split(s, "/")
	for i, seg := range segs {
		segs[i] = pmLiteral(seg)
	}
	return strings.Join(segs, "/")
}

// pmParamName makes a parameter name that a template can hold.
func pmParamName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '{' || r == '}' || r == '/' || unicode.IsSpace(r) || unicode.IsControl(r) {
			return '_'
		}
		return r
	}, strings.TrimSpace(s))
	if s == "" {
		return "param"
	}
	return s
}

// pmShape is a template with its parameter names left out: two requests of
// one shape serve the same paths.
func pmShape(template string) string {
	return paramRE.ReplaceAllString(template, "{}")
}

// renameParams gives params the names of first's parameters, in order.
func renameParams(params []*pmParam, first string) []*pmParam {
	names := paramRE.FindAllString(first, -1)
	for i, p := range params {
		if i < len(names) {
			p.name = strings.Trim(names[i], "{}")
		}
	}
	return params
}

func (op *pmOp) addParam(p *pmParam) {
	key := p.in + ":" + p.name
	if p.in == "header" {
		key = strings.ToLower(key)
	}
	if q := op.paramAt[key]; q != nil {
		if q.desc == "" {
			q.desc = p.desc
		}
		if q.example == nil {
			q.example = p.example
		}
		return
	}
	if op.paramAt == nil {
		op.paramAt = map[string]*pmParam{}
	}
	op.paramAt[key] = p
	op.params = append(op.params, p)
}

// operationID makes an identifier of a request's name, unique in the
// document: "Get pet by id" → "getPetById".
func (c *pmConverter) operationID(name, method, path string) string {
	words := strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(words) == 0 {
		words = append([]string{strings.ToLower(method)}, strings.FieldsFunc(path, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })...)
	}
	var b strings.Builder
	for i, w := range words {
		r := []rune(w)
		if i == 0 {
			b.WriteString(strings.ToLower(string(r[:1])) + string(r[1:]))
			continue
		}
		b.WriteString(strings.ToUpper(string(r[:1])) + string(r[1:]))
	}
	id := b.String()
	if r := []rune(id); len(r) == 0 || !unicode.IsLetter(r[0]) {
		id = "op" + id
	}
	return c.ids.name(id, numbered)
}

// pmAPIKey is where an apikey auth puts its key, so that the header or
// query parameter of the same name is left to the security scheme.
type pmAPIKey struct{ in, name string }

// security gives op the security requirement of a Postman auth.
func (c *pmConverter) security(op *pmOp, auth any, ptr string) pmAPIKey {
	a := pmObject(auth)
	if a == nil {
		return pmAPIKey{}
	}
	typ := strings.ToLower(pmString(a["type"]))
	params := pmAuthParams(a[typ])
	var def omap
	var key pmAPIKey
	switch typ {
	case "", "inherit":
		return key
	case "noauth":
		if op.security == nil {
			op.noSecurity = true
		}
		return key
	case "bearer", "oauth2", "jwt":
		// OAuth 2.0 and JWT auth send a bearer token in Postman's default
		// setup; Decoy checks that one is there.
		typ, def = "bearer", omap{{"type", "http"}, {"scheme", "bearer"}}
	case "basic", "digest", "hawk", "ntlm":
		def = omap{{"type", "http"}, {"scheme", typ}}
	case "oauth1":
		def = omap{{"type", "http"}, {"scheme", "OAuth"}}
	case "apikey":
		key = pmAPIKey{in: strings.ToLower(params["in"]), name: params["key"]}
		if key.in != "query" {
			key.in = "header"
		}
		if key.name == "" || strings.Contains(key.name, "{{") {
			c.find(ptr, "the API key's name is empty or a Postman variable (%q); Decoy asks for it in the %s X-Api-Key", key.name, key.in)
			key.name = "X-Api-Key"
		}
		def = omap{{"type", "apiKey"}, {"in", key.in}, {"name", key.name}}
	default:
		c.find(ptr, "auth of type %q is not converted; the operation asks for no credentials", typ)
		return key
	}
	name := c.scheme(typ, def)
	op.noSecurity = false
	op.security = op.has.add(op.security, "security:", name)
	return key
}

func (c *pmConverter) scheme(typ string, def omap) string {
	key, _ := json.Marshal(def)
	if name, ok := c.schemeOf[string(key)]; ok {
		return name
	}
	base := typ + "Auth"
	if typ == "apikey" {
		base = "apiKeyAuth"
	}
	name := c.schemeIDs.name(base, numbered)
	c.schemeOf[string(key)] = name
	c.schemes = append(c.schemes, pmScheme{name, def})
	return name
}

// pmAuthParams reads an auth's parameters: a list of {key, value} in v2.1,
// an object in v2.0.
func pmAuthParams(v any) map[string]string {
	out := map[string]string{}
	if m := pmObject(v); m != nil {
		for k, e := range m {
			out[k] = pmString(e)
		}
		return out
	}
	for _, e := range pmList(v) {
		if m := pmObject(e); m != nil {
			out[pmString(m["key"])] = pmString(m["value"])
		}
	}
	return out
}

// body adds a request body (request true) of the modes Postman has.
func (c *pmConverter) body(op *pmOp, b map[string]any, contentType, ptr string, request bool) {
	mode := pmString(b["mode"])
	if pmBool(b["disabled"]) {
		return
	}
	var media string
	var sample any
	var fixed map[string]any
	switch mode {
	case "":
		return
	case "raw":
		raw := pmString(b["raw"])
		if strings.TrimSpace(raw) == "" {
			return
		}
		media = pmMediaType(contentType)
		if media == "" {
			lang := pmString(pmObject(pmObject(b["options"])["raw"])["language"])
			media = map[string]string{"json": "application/json", "xml": "application/xml", "html": "text/html", "javascript": "application/javascript", "text": "text/plain"}[lang]
		}
		v, ok := pmJSON(raw)
		if media == "" {
			media = "text/plain"
			if ok {
				media = "application/json"
			}
		}
		switch {
		case IsJSON(media) && ok:
			sample = v
		case IsJSON(media):
			if request {
				c.find(ptr+"/raw", "the body is not JSON (Postman variables outside strings?); Decoy accepts any %s body here", media)
			}
			fixed = map[string]any{}
		default:
			fixed = map[string]any{"type": "string"}
			sample = raw
		}
	case "urlencoded", "formdata":
		media = "application/x-www-form-urlencoded"
		if mode == "formdata" {
			media = "multipart/form-data"
		}
		form := map[string]any{}
		props := omap{}
		for _, f := range pmList(b[mode]) {
			m := pmObject(f)
			k := pmString(m["key"])
			if m == nil || k == "" || pmBool(m["disabled"]) || form[k] != nil {
				continue
			}
			if pmString(m["type"]) == "file" {
				props = append(props, kv{k, omap{{"type", "string"}, {"format", "binary"}}})
				form[k] = ""
				continue
			}
			props = append(props, kv{k, omap{{"type", "string"}}})
			form[k] = pmString(m["value"])
		}
		fixed = map[string]any{"type": "object", "properties": props}
		sample = form
	case "file":
		media = pmOr(pmMediaType(contentType), "application/octet-stream")
		fixed = map[string]any{"type": "string", "format": "binary"}
	default:
		c.find(ptr+"/mode", "a %q body is not converted; Decoy accepts any body here", mode)
		media = pmOr(pmMediaType(contentType), "application/json")
		fixed = map[string]any{}
	}
	if op.body == nil {
		op.body = &pmBody{media: media, schema: fixed}
	} else if op.body.media != media {
		return // an example of another media type than the first request's
	}
	if sample != nil {
		if op.body.example == nil {
			op.body.example = sample
		}
		if IsJSON(media) {
			op.body.samples = append(op.body.samples, sample)
		}
	}
}

// response adds a saved response to op.
func (c *pmConverter) response(op *pmOp, r any, ptr string) {
	m := pmObject(r)
	if m == nil {
		c.find(ptr, "a saved response that is not an object is left out")
		return
	}
	if orig := pmObject(m["originalRequest"]); orig != nil && op.body != nil {
		if b := pmObject(orig["body"]); b != nil {
			c.body(op, b, pmHeaderValue(orig["header"], "Content-Type"), ptr+"/originalRequest/body", false)
		}
	}
	name := strings.TrimSpace(pmString(m["name"]))
	code, err := strconv.Atoi(pmString(m["code"]))
	if err != nil || code < 100 || code > 599 {
		c.find(ptr+"/code", "saved response %q has no status code between 100 and 599; it is left out", name)
		return
	}
	st := op.status(strconv.Itoa(code), name)
	for _, h := range pmHeaders(m["header"]) {
		switch strings.ToLower(h.name) {
		case "content-type", "content-length", "content-encoding", "transfer-encoding", "connection", "keep-alive", "date", "vary":
			continue
		}
		if strings.HasPrefix(strings.ToLower(h.name), "access-control-") {
			continue // CORS is Decoy's to answer
		}
		if key := strings.ToLower(h.name); !st.headerSet[key] {
			if st.headerSet == nil {
				st.headerSet = map[string]bool{}
			}
			st.headerSet[key] = true
			st.headers = append(st.headers, h)
		}
	}
	body := pmString(m["body"])
	if strings.TrimSpace(body) == "" {
		return
	}
	typ := pmMediaType(pmHeaderValue(m["header"], "Content-Type"))
	v, ok := pmJSON(body)
	if typ == "" {
		typ = "text/plain"
		if ok {
			typ = "application/json"
		}
	}
	md := st.mediaOf(typ)
	switch {
	case md.json && !ok:
		c.find(ptr+"/body", "saved response %q says %s but its body is not JSON; Decoy generates data instead", name, typ)
		md.noSchema = true
		return
	case !md.json:
		v = body
	}
	md.values = append(md.values, v) // every saved body shapes the schema
	if len(md.examples) == maxPostmanExamples {
		c.find(ptr, "more than %d saved %s responses of %s %s; the others shape the schema but are not examples", maxPostmanExamples, st.code, op.method, op.path)
	}
	if len(md.examples) >= maxPostmanExamples {
		return
	}
	if name == "" {
		name = "example"
	}
	name = md.nameSet.name(name, func(base string, n int) string { return fmt.Sprintf("%s (%d)", base, n) })
	md.examples = append(md.examples, kv{name, omap{{"value", v}}})
}

// maxPostmanExamples bounds the examples of one response and media type: the
// loader checks each against a schema inferred from all of them, and a
// collection of thousands of saved responses must not make that quadratic.
const maxPostmanExamples = 100

func (op *pmOp) status(code, name string) *pmStatus {
	for _, s := range op.responses {
		if s.code == code {
			return s
		}
	}
	s := &pmStatus{code: code, desc: name}
	if s.desc == "" {
		s.desc = "saved response"
	}
	op.responses = append(op.responses, s)
	return s
}

func (s *pmStatus) mediaOf(typ string) *pmMedia {
	for _, m := range s.media {
		if m.typ == typ {
			return m
		}
	}
	m := &pmMedia{typ: typ, json: IsJSON(typ)}
	s.media = append(s.media, m)
	return m
}

// document writes the OpenAPI document of what the walk gathered.
func (c *pmConverter) document(top map[string]any) omap {
	info := pmObject(top["info"])
	title := pmOr(strings.TrimSpace(pmString(info["name"])), "Postman collection")
	version := pmString(info["version"])
	if v := pmObject(info["version"]); v != nil {
		version = fmt.Sprintf("%s.%s.%s", pmOr(pmString(v["major"]), "0"), pmOr(pmString(v["minor"]), "0"), pmOr(pmString(v["patch"]), "0"))
	}
	infoOut := omap{{"title", title}, {"version", pmOr(version, "1.0.0")}}
	if d := pmDescription(info["description"]); d != "" {
		infoOut = append(infoOut, kv{"description", d})
	}
	doc := omap{{"openapi", "3.0.3"}, {"info", infoOut}}
	if len(c.servers) > 0 {
		var servers []any
		for _, s := range c.servers {
			servers = append(servers, omap{{"url", s}})
		}
		doc = append(doc, kv{"servers", servers})
	}
	if len(c.tags) > 0 {
		var tags []any
		for _, t := range c.tags {
			tag := omap{{"name", t.name}}
			if t.desc != "" {
				tag = append(tag, kv{"description", t.desc})
			}
			tags = append(tags, tag)
		}
		doc = append(doc, kv{"tags", tags})
	}
	paths := omap{}
	index := map[string]int{}
	for _, op := range c.ops {
		i, ok := index[op.path]
		if !ok {
			i = len(paths)
			index[op.path] = i
			paths = append(paths, kv{op.path, omap{}})
		}
		item := paths[i].v.(omap)
		paths[i].v = append(item, kv{strings.ToLower(op.method), c.operation(op)})
	}
	doc = append(doc, kv{"paths", paths})
	if len(c.schemes) > 0 {
		schemes := omap{}
		for _, s := range c.schemes {
			schemes = append(schemes, kv{s.name, s.def})
		}
		doc = append(doc, kv{"components", omap{{"securitySchemes", schemes}}})
	}
	return doc
}

func (c *pmConverter) operation(op *pmOp) omap {
	out := omap{{"operationId", op.id}}
	if op.summary != "" {
		out = append(out, kv{"summary", op.summary})
	}
	if op.desc != "" {
		out = append(out, kv{"description", op.desc})
	}
	if len(op.tags) > 0 {
		out = append(out, kv{"tags", op.tags})
	}
	if len(op.params) > 0 {
		var params []any
		for _, p := range op.params {
			params = append(params, p.openapi())
		}
		out = append(out, kv{"parameters", params})
	}
	if b := op.body; b != nil {
		schema := any(b.schema)
		if b.schema == nil {
			schema = inferSchema(b.samples, 0)
		}
		media := omap{{"schema", schema}}
		if b.example != nil {
			media = append(media, kv{"example", b.example})
		}
		out = append(out, kv{"requestBody", omap{{"content", omap{{b.media, media}}}}})
	}
	responses := omap{}
	if len(op.responses) == 0 {
		c.find(op.ptr, "request %q has no saved response; Decoy answers 200 with no body", op.summary)
		responses = append(responses, kv{"200", omap{{"description", "no saved response"}}})
	}
	slices.SortStableFunc(op.responses, func(a, b *pmStatus) int { return strings.Compare(a.code, b.code) })
	for _, s := range op.responses {
		resp := omap{{"description", s.desc}}
		if len(s.headers) > 0 {
			headers := omap{}
			for _, h := range s.headers {
				hd := omap{{"schema", omap{{"type", "string"}}}}
				if h.desc != "" {
					hd = append(hd, kv{"description", h.desc})
				}
				if h.example != nil {
					hd = append(hd, kv{"example", h.example})
				}
				headers = append(headers, kv{h.name, hd})
			}
			resp = append(resp, kv{"headers", headers})
		}
		if len(s.media) > 0 {
			content := omap{}
			for _, m := range s.media {
				media := omap{}
				switch {
				case !m.json:
					media = append(media, kv{"schema", omap{{"type", "string"}}})
				case !m.noSchema:
					media = append(media, kv{"schema", inferSchema(m.values, 0)})
				}
				if len(m.examples) > 0 {
					media = append(media, kv{"examples", m.examples})
				}
				content = append(content, kv{m.typ, media})
			}
			resp = append(resp, kv{"content", content})
		}
		responses = append(responses, kv{s.code, resp})
	}
	out = append(out, kv{"responses", responses})
	switch {
	case op.noSecurity:
		out = append(out, kv{"security", []any{}})
	case len(op.security) > 0:
		var reqs []any
		for _, s := range op.security {
			reqs = append(reqs, omap{{s, []any{}}})
		}
		out = append(out, kv{"security", reqs})
	}
	return out
}

func (p *pmParam) openapi() omap {
	out := omap{{"name", p.name}, {"in", p.in}}
	if p.desc != "" {
		out = append(out, kv{"description", p.desc})
	}
	if p.required {
		out = append(out, kv{"required", true})
	}
	out = append(out, kv{"schema", omap{{"type", "string"}}})
	if p.example != nil {
		out = append(out, kv{"example", p.example})
	}
	return out
}

// inferSchema returns a schema that every sample (decoded JSON) matches:
// the type they share, the properties of objects (required when every
// sample has them), the items of arrays, nullable when one is null.
// Samples of different types give a schema of no type.
func inferSchema(samples []any, depth int) omap {
	if depth > 32 {
		return omap{}
	}
	var kinds []string
	nullable := false
	for _, s := range samples {
		k := jsonKind(s)
		if k == "null" {
			nullable = true
			continue
		}
		if k == "integer" && slices.Contains(kinds, "number") {
			continue
		}
		if k == "number" {
			kinds = slices.DeleteFunc(kinds, func(k string) bool { return k == "integer" })
		}
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) != 1 {
		return omap{}
	}
	out := omap{{"type", kinds[0]}}
	if nullable {
		out = append(out, kv{"nullable", true})
	}
	switch kinds[0] {
	case "object":
		objs := 0
		var keys []string
		values := map[string][]any{}
		for _, s := range samples {
			if m, ok := s.(map[string]any); ok {
				objs++
				for _, k := range sortedKeys(m) {
					if _, seen := values[k]; !seen {
						keys = append(keys, k)
					}
					values[k] = append(values[k], m[k])
				}
			}
		}
		if len(keys) == 0 {
			break
		}
		props := omap{}
		var required []string
		for _, k := range keys {
			props = append(props, kv{k, inferSchema(values[k], depth+1)})
			if len(values[k]) == objs {
				required = append(required, k)
			}
		}
		out = append(out, kv{"properties", props})
		if len(required) > 0 {
			out = append(out, kv{"required", required})
		}
	case "array":
		var items []any
		for _, s := range samples {
			if a, ok := s.([]any); ok {
				items = append(items, a...)
			}
		}
		out = append(out, kv{"items", inferSchema(items, depth+1)})
	}
	return out
}

func jsonKind(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		if strings.ContainsAny(string(t), ".eE") {
			return "number"
		}
		return "integer"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "string"
}

// omap is a JSON object that keeps its keys in the order they were added,
// so that the document reads in the collection's order and the first saved
// example stays the first.
type omap []kv

type kv struct {
	k string
	v any
}

// MarshalJSON writes the object with its keys in order.
func (o omap) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	err := writeJSON(&b, o)
	return b.Bytes(), err
}

// writeJSON writes v compactly, in one pass: json.Marshal would compact the
// output of every nested MarshalJSON again, once per level above it.
func writeJSON(b *bytes.Buffer, v any) error {
	switch t := v.(type) {
	case omap:
		b.WriteByte('{')
		for i, e := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSON(b, e.k); err != nil {
				return err
			}
			b.WriteByte(':')
			if err := writeJSON(b, e.v); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case map[string]any:
		b.WriteByte('{')
		for i, k := range sortedKeys(t) {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSON(b, k); err != nil {
				return err
			}
			b.WriteByte(':')
			if err := writeJSON(b, t[k]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSON(b, e); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case []string:
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSON(b, e); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	default:
		enc, err := json.Marshal(t)
		if err != nil {
			return err
		}
		b.Write(enc)
	}
	return nil
}

// pmJSON decodes a body, keeping numbers as written.
func pmJSON(s string) (any, bool) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil, false
	}
	if _, err := dec.Token(); err == nil {
		return nil, false // trailing data
	}
	return v, true
}

// pmHeaders reads a Postman header list (or v1's "Name: value" lines),
// leaving out disabled ones.
func pmHeaders(v any) []*pmParam {
	var out []*pmParam
	seen := map[string]bool{}
	add := func(name, value, desc string) {
		name = strings.TrimSpace(name)
		if name == "" || strings.ContainsAny(name, " \t:{}()<>@,;\\\"/[]?=") || seen[strings.ToLower(name)] {
			return
		}
		seen[strings.ToLower(name)] = true
		out = append(out, &pmParam{in: "header", name: name, desc: desc, example: pmExample(value)})
	}
	if s, ok := v.(string); ok {
		for _, line := range strings.Split(s, "\n") {
			if k, val, ok := strings.Cut(line, ":"); ok {
				add(k, strings.TrimSpace(val), "")
			}
		}
		return out
	}
	for _, h := range pmList(v) {
		if m := pmObject(h); m != nil && !pmBool(m["disabled"]) {
			add(pmString(m["key"]), pmString(m["value"]), pmDescription(m["description"]))
		}
	}
	return out
}

func pmHeaderValue(v any, name string) string {
	for _, h := range pmHeaders(v) {
		if strings.EqualFold(h.name, name) {
			s, _ := h.example.(string)
			return s
		}
	}
	return ""
}

// pmMediaType is a Content-Type without its parameters; "" when there is
// none or it holds a variable.
func pmMediaType(ct string) string {
	if ct == "" || strings.Contains(ct, "{{") {
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || !strings.Contains(mt, "/") || strings.Contains(mt, "*") {
		return ""
	}
	return mt
}

// pmExample is a parameter value worth showing as an example: not empty,
// not a Postman variable.
func pmExample(v any) any {
	s := pmString(v)
	if s == "" || strings.Contains(s, "{{") {
		return nil
	}
	return s
}

// pmDescription reads a description: a string or {content, type}.
func pmDescription(v any) string {
	if m := pmObject(v); m != nil {
		return strings.TrimSpace(pmString(m["content"]))
	}
	return strings.TrimSpace(pmString(v))
}

func pmString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case json.Number:
		return t.String()
	case bool:
		return strconv.FormatBool(t)
	}
	return ""
}

func pmBool(v any) bool {
	b, _ := v.(bool)
	return b
}

func pmList(v any) []any {
	l, _ := v.([]any)
	return l
}

func pmObject(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func pmOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
