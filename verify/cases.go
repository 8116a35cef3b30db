package verify

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/textproto"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/decoy-mock/decoy/fixtures"
	"github.com/decoy-mock/decoy/openapi"
	"github.com/getkin/kin-openapi/openapi3"
)

// param is one parameter of an operation; key identifies it.
type param struct {
	key paramKey
	p   *openapi3.Parameter
}

// paramKey is a parameter's location and name (canonical for headers).
type paramKey struct{ in, name string }

func keyOf(in, name string) paramKey {
	if in == openapi3.ParameterInHeader {
		name = textproto.CanonicalMIMEHeaderKey(name)
	}
	return paramKey{in, name}
}

// raw is a parameter value sent exactly as written (a negative case's
// wrong type).
type raw string

// kase is one request to make: an operation, where the request comes
// from, and its parameters and body.
type kase struct {
	op         *openapi.Operation
	kind, name string
	// negative says the request breaks the contract and must be refused
	// with a documented 4xx; why says how, for the failure message.
	negative bool
	why      string
	params   map[paramKey]any
	body     any
	hasBody  bool
	// noCredential sends the request without its credentials.
	noCredential bool
	phase        int
}

func (c *kase) clone() *kase {
	d := *c
	d.params = make(map[paramKey]any, len(c.params))
	for k, v := range c.params {
		d.params[k] = v
	}
	return &d
}

// Phases order a run so a CRUD API can be verified from empty: creates,
// then reads and lists, then replaces and updates, then deletes.
const (
	phaseCreate = iota
	phaseRead
	phaseUpdate
	phaseDelete
	phases
)

// parameters lists the operation's parameters: its own, then those of its
// path item that it does not override.
func parameters(spec *openapi.Spec, op *openapi.Operation) []param {
	var out []param
	seen := map[paramKey]bool{}
	add := func(refs openapi3.Parameters) {
		for _, r := range refs {
			if r == nil || r.Value == nil {
				continue
			}
			k := keyOf(r.Value.In, r.Value.Name)
			if !seen[k] {
				seen[k] = true
				out = append(out, param{k, r.Value})
			}
		}
	}
	add(op.Op.Parameters)
	if spec.Doc.Paths != nil {
		if item := spec.Doc.Paths.Value(op.Path); item != nil {
			add(item.Parameters)
		}
	}
	return out
}

// named is a candidate value with the name of the example it comes from.
type named struct {
	name string
	v    any
	// example says the value is one of the parameter's named examples
	// (its `examples` map), which each get a request of their own.
	example bool
}

// candidates are a parameter's documented values, in the order a user
// would pick them: its example, its named examples, its schema's example,
// examples, default and first enum value. Only values its schema accepts
// are kept.
func (b *builder) candidates(p *openapi3.Parameter) []named {
	var out []named
	if p.Example != nil {
		out = append(out, named{name: "", v: p.Example})
	}
	for _, name := range sortedKeys(p.Examples) {
		if ex := p.Examples[name]; ex != nil && ex.Value != nil && ex.Value.Value != nil {
			out = append(out, named{name, ex.Value.Value, true})
		}
	}
	if p.Schema != nil && p.Schema.Value != nil {
		s := p.Schema.Value
		if s.Example != nil {
			out = append(out, named{name: "schema example", v: s.Example})
		}
		for _, v := range s.Examples {
			out = append(out, named{name: "schema example", v: v})
		}
		if s.Default != nil {
			out = append(out, named{name: "default", v: s.Default})
		}
		if len(s.Enum) > 0 && s.Enum[0] != nil {
			out = append(out, named{name: "enum", v: s.Enum[0]})
		}
	}
	return slices.DeleteFunc(out, func(n named) bool { return !b.validParam(p, n.v) })
}

func (b *builder) validParam(p *openapi3.Parameter, v any) bool {
	if v == nil || p.Schema == nil || p.Schema.Value == nil {
		return false
	}
	return b.params.Valid(p.Schema.Value, v)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// builder builds the cases of each operation.
type builder struct {
	spec   *openapi.Spec
	cfg    Config
	params *openapi.Validator
	body   *openapi.Validator
	stubs  []stubRequest
	scopes map[string]map[string]string
}

// seedFor derives a generation seed from the run's seed and what it is
// for, so that adding an operation does not change another's requests.
func (b *builder) seedFor(parts ...string) uint64 {
	h := fnv.New64a()
	fmt.Fprint(h, b.cfg.Seed)
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	if s := h.Sum64(); s != 0 {
		return s
	}
	return 1
}

func (b *builder) generate(schema *openapi3.SchemaRef, op *openapi.Operation, parts ...string) (any, bool) {
	if schema == nil || schema.Value == nil {
		return nil, false
	}
	v, err := fixtures.Generate(schema, fixtures.GenerateOptions{Seed: b.seedFor(parts...), Direction: openapi.DirRequest, OpenAPI31: op.OpenAPI31, Spec: op.Document()})
	if err != nil || v == nil {
		return nil, false
	}
	return v, true
}

// jsonBody returns the operation's JSON request body media type and its
// schema; ok is false when the operation takes no JSON body.
func jsonBody(op *openapi.Operation) (mt string, media *openapi3.MediaType, ok bool) {
	if op.Op.RequestBody == nil || op.Op.RequestBody.Value == nil {
		return "", nil, false
	}
	for _, t := range op.BodyTypes {
		if openapi.IsJSON(t) && !strings.Contains(t, "*") {
			return t, op.Op.RequestBody.Value.Content[t], true
		}
	}
	return "", nil, false
}

// bodyExamples are the request body's documented examples that its schema
// accepts, in name order (the media type's lone example first).
func (b *builder) bodyExamples(op *openapi.Operation) []named {
	_, media, ok := jsonBody(op)
	if !ok || media == nil {
		return nil
	}
	var out []named
	if media.Example != nil {
		out = append(out, named{name: "", v: media.Example})
	}
	for _, name := range sortedKeys(media.Examples) {
		if ex := media.Examples[name]; ex != nil && ex.Value != nil && ex.Value.Value != nil {
			out = append(out, named{name, ex.Value.Value, true})
		}
	}
	if media.Schema != nil && media.Schema.Value != nil {
		for _, v := range append([]any{media.Schema.Value.Example}, media.Schema.Value.Examples...) {
			if v != nil {
				out = append(out, named{name: "schema example", v: v})
			}
		}
	}
	return slices.DeleteFunc(out, func(n named) bool {
		return media.Schema != nil && media.Schema.Value != nil && !b.body.Valid(media.Schema.Value, n.v)
	})
}

// phaseOf places an operation in the run: a POST to a path that has an
// item path below it creates; item PUT and PATCH update; item DELETE
// deletes; everything else reads.
func (b *builder) phaseOf(op *openapi.Operation) int {
	_, parent := itemPath(op.Path)
	switch {
	case op.Method == "POST" && b.hasItemPath(op.Path):
		return phaseCreate
	case parent == "":
		return phaseRead
	case op.Method == "PUT" || op.Method == "PATCH":
		return phaseUpdate
	case op.Method == "DELETE":
		return phaseDelete
	}
	return phaseRead
}

// itemPath splits "/pets/{id}" into its item parameter "id" and its
// collection path "/pets"; both are "" for a path that does not end in a
// lone parameter.
func itemPath(p string) (param, parent string) {
	i := strings.LastIndex(p, "/")
	last := p[i+1:]
	if i <= 0 || len(last) < 3 || last[0] != '{' || last[len(last)-1] != '}' || strings.ContainsAny(last[1:len(last)-1], "{}") {
		return "", ""
	}
	return last[1 : len(last)-1], p[:i]
}

func (b *builder) hasItemPath(p string) bool {
	for _, op := range b.spec.Operations {
		if _, parent := itemPath(op.Path); parent == p {
			return true
		}
	}
	return false
}

// cases builds every case of op, in a stable order.
func (b *builder) cases(op *openapi.Operation) []*kase {
	ps := parameters(b.spec, op)
	phase := b.phaseOf(op)
	base := &kase{op: op, kind: "example", name: "required parameters, first documented values", params: map[paramKey]any{}, phase: phase}
	for i, p := range ps {
		if !p.p.Required {
			continue
		}
		if c := b.candidates(p.p); len(c) > 0 {
			base.params[p.key] = c[0].v
		} else if v, ok := b.generate(p.p.Schema, op, op.ID, "base", strconv.Itoa(i)); ok {
			base.params[p.key] = v
		}
	}
	bodies := b.bodyExamples(op)
	if _, media, ok := jsonBody(op); ok {
		switch {
		case len(bodies) > 0:
			base.body, base.hasBody = bodies[0].v, true
		case media != nil:
			if v, ok := b.generate(media.Schema, op, op.ID, "base body"); ok {
				base.body, base.hasBody = v, true
			}
		}
	}
	out := []*kase{base}

	// Examples: every parameter at its documented values, then each
	// further named example of a parameter, then each body example.
	withExamples := base.clone()
	withExamples.name = "every parameter at its first documented value"
	extra := 0
	for _, p := range ps {
		c := b.candidates(p.p)
		if len(c) == 0 {
			continue
		}
		withExamples.params[p.key] = c[0].v
		for _, n := range c[1:] {
			if extra >= b.cfg.PerSource || !n.example {
				continue
			}
			k := base.clone()
			k.params[p.key] = n.v
			k.name = fmt.Sprintf("%s parameter %q example %q", p.key.in, p.key.name, n.name)
			out = append(out, k)
			extra++
		}
	}
	out = append(out, withExamples)

	// The other cases start from a request the provider knows the data
	// of, when the fixtures have one: the first collection request (a
	// namespace that exists), so that their answers are not all 404s.
	fromItems := b.collectionCases(op, ps, base)
	anchor := base
	if len(fromItems) > 0 {
		anchor = fromItems[0].clone()
		anchor.kind, anchor.name = base.kind, base.name
	}
	for i, n := range bodies {
		if i >= b.cfg.PerSource {
			break
		}
		k := anchor.clone()
		k.body, k.hasBody = n.v, true
		k.name = "request body example"
		if n.name != "" {
			k.name += fmt.Sprintf(" %q", n.name)
		}
		out = append(out, k)
	}

	out = append(out, b.stubCases(op, anchor)...)
	out = append(out, fromItems...)

	// Generated: every parameter and the body from their schemas, each
	// optional parameter in about half the requests; every other request
	// keeps the anchor's required parameters, so that it reaches data.
	for i := range max(b.cfg.Generated, 0) {
		k := anchor.clone()
		k.kind, k.name = "generated", fmt.Sprintf("generated request %d (seed %d)", i+1, b.cfg.Seed)
		si := strconv.Itoa(i)
		for j, p := range ps {
			if p.p.Required && i%2 == 1 {
				continue
			}
			if !p.p.Required && b.seedFor(op.ID, "optional", si, p.key.in, p.key.name)%2 == 0 {
				continue
			}
			if v, ok := b.generate(p.p.Schema, op, op.ID, "generated", si, strconv.Itoa(j)); ok {
				k.params[p.key] = v
			}
		}
		if _, media, ok := jsonBody(op); ok && media != nil {
			if v, ok := b.generate(media.Schema, op, op.ID, "generated body", si); ok {
				k.body, k.hasBody = v, true
			}
		}
		out = append(out, k)
	}

	out = append(out, b.negativeCases(op, ps, anchor)...)
	return out
}

// stubCases are the requests the operation's stubs match: the base
// request with the stub's path, query and header values, and its body
// match merged into the base body.
func (b *builder) stubCases(op *openapi.Operation, base *kase) []*kase {
	var out []*kase
	for _, s := range b.stubs {
		if b.spec.Operation(s.operation) != op || len(out) >= b.cfg.PerSource {
			continue
		}
		k := base.clone()
		k.kind, k.name = "stub", fmt.Sprintf("stub %q (%s)", s.name, s.file)
		for in, m := range map[string]map[string]any{openapi3.ParameterInPath: s.path, openapi3.ParameterInQuery: s.query, openapi3.ParameterInHeader: s.headers} {
			for name, v := range m {
				k.params[keyOf(in, name)] = v
			}
		}
		if s.body != nil {
			k.body, k.hasBody = merge(k.body, s.body), true
		}
		out = append(out, k)
	}
	return out
}

// merge lays the members of over onto base, recursively for objects; any
// other over replaces base.
func merge(base, over any) any {
	bm, ok1 := base.(map[string]any)
	om, ok2 := over.(map[string]any)
	if !ok1 || !ok2 {
		return over
	}
	out := make(map[string]any, len(bm)+len(om))
	for k, v := range bm {
		out[k] = v
	}
	for k, v := range om {
		out[k] = merge(out[k], v)
	}
	return out
}

// collectionCases are requests for the items of the collections that
// serve op: a list operation gets one request per distinct scope (the
// parameters its items are scoped by, e.g. each namespace); an item
// operation one per item, its key in the path.
func (b *builder) collectionCases(op *openapi.Operation, ps []param, base *kase) []*kase {
	if b.cfg.Fixtures == nil {
		return nil
	}
	var out []*kase
	seen := map[string]bool{}
	for _, c := range b.cfg.Fixtures.Collections() {
		isList, isItem := slices.Contains(c.List, op.ID), slices.Contains(c.Item, op.ID)
		if !isList && !isItem {
			continue
		}
		items, _ := b.cfg.Fixtures.Items(c.Name, "")
		keyParam, _ := itemPath(op.Path)
		for _, data := range items {
			if len(out) >= b.cfg.PerSource {
				return out
			}
			var it map[string]any
			if json.Unmarshal(data, &it) != nil {
				continue
			}
			k := base.clone()
			k.kind = "collection"
			var what []string
			for pname, field := range b.scopes[c.Name] {
				v, ok := lookupField(it, field)
				if !ok {
					continue
				}
				for _, p := range ps {
					if strings.EqualFold(p.key.name, pname) {
						k.params[p.key] = v
						what = append(what, fmt.Sprintf("%s=%v", p.key.name, v))
					}
				}
			}
			if isItem && keyParam != "" {
				v, ok := lookupField(it, c.Key)
				if !ok {
					continue
				}
				k.params[keyOf(openapi3.ParameterInPath, keyParam)] = v
				what = append(what, fmt.Sprintf("%s=%v", keyParam, v))
			}
			sort.Strings(what)
			sig := strings.Join(what, ",")
			if seen[sig] || sig == "" {
				continue
			}
			seen[sig] = true
			k.name = fmt.Sprintf("collection %q: %s", c.Name, sig)
			out = append(out, k)
		}
	}
	return out
}

func lookupField(m map[string]any, field string) (any, bool) {
	var cur any = m
	for _, part := range strings.Split(field, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[part]; !ok {
			return nil, false
		}
	}
	return cur, cur != nil
}

// negativeCases break the base request one way each: a required
// parameter or body left out, a parameter or body of the wrong type, the
// credential left out. Each must be refused with a documented 4xx.
func (b *builder) negativeCases(op *openapi.Operation, ps []param, base *kase) []*kase {
	var out []*kase
	neg := func(why string) *kase {
		k := base.clone()
		k.kind, k.negative, k.why, k.name = "negative", true, why, "negative: "+why
		return k
	}
	for _, p := range ps {
		if p.p.Required && p.key.in != openapi3.ParameterInPath {
			k := neg(fmt.Sprintf("missing %s parameter %q", p.key.in, p.key.name))
			delete(k.params, p.key)
			out = append(out, k)
		}
	}
	if op.BodyRequired {
		k := neg("missing request body")
		k.body, k.hasBody = nil, false
		out = append(out, k)
	}
	for _, p := range ps {
		if p.p.Schema == nil || p.p.Schema.Value == nil || p.p.Schema.Value.Type == nil {
			continue
		}
		t := p.p.Schema.Value.Type
		var wrong raw
		switch {
		case t.Includes("string"):
			continue // every value is a string
		case t.Includes("integer"), t.Includes("number"):
			wrong = "not-a-number"
		case t.Includes("boolean"):
			wrong = "not-a-boolean"
		default:
			continue
		}
		k := neg(fmt.Sprintf("%s parameter %q of the wrong type (%q)", p.key.in, p.key.name, string(wrong)))
		k.params[p.key] = wrong
		out = append(out, k)
	}
	if _, media, ok := jsonBody(op); ok && media != nil && media.Schema != nil && media.Schema.Value != nil {
		for _, wrong := range []any{"a string", 12345, true, []any{}, map[string]any{}} {
			if !b.body.Valid(media.Schema.Value, wrong) {
				w, _ := json.Marshal(wrong)
				k := neg(fmt.Sprintf("request body of the wrong type (%s)", w))
				k.body, k.hasBody = wrong, true
				out = append(out, k)
				break
			}
		}
	}
	if k := b.wrongProperty(op, base, neg); k != nil {
		out = append(out, k)
	}
	if secured(op) {
		k := neg("missing credential")
		k.noCredential = true
		out = append(out, k)
	}
	return out
}

// secured reports whether every requirement of op needs a credential (an
// empty requirement makes the operation public).
func secured(op *openapi.Operation) bool {
	if len(op.Security) == 0 {
		return false
	}
	for _, req := range op.Security {
		if len(req) == 0 {
			return false
		}
		for _, s := range req {
			if s.Kind == openapi.SchemeMutualTLS {
				return false
			}
		}
	}
	return true
}

// wrongProperty is the base body with its first property that has a
// primitive type (in the schema's order) set to a value of another type;
// nil when the body is no object or has no such property.
func (b *builder) wrongProperty(op *openapi.Operation, base *kase, neg func(string) *kase) *kase {
	_, media, ok := jsonBody(op)
	obj, isObj := base.body.(map[string]any)
	if !ok || !isObj || media == nil || media.Schema == nil || media.Schema.Value == nil {
		return nil
	}
	s := media.Schema.Value
	for _, name := range openapi.PropertyOrder(s) {
		prop := s.Properties[name]
		if prop == nil || prop.Value == nil {
			continue
		}
		for _, wrong := range []any{12345, "a string", true} {
			if b.body.Valid(prop.Value, wrong) {
				continue
			}
			body := make(map[string]any, len(obj)+1)
			for k, v := range obj {
				body[k] = v
			}
			body[name] = wrong
			if b.body.Valid(s, body) {
				break // the object accepts it after all (a oneOf, an allOf)
			}
			w, _ := json.Marshal(wrong)
			k := neg(fmt.Sprintf("request body /%s of the wrong type (%s)", name, w))
			k.body, k.hasBody = body, true
			return k
		}
	}
	return nil
}
