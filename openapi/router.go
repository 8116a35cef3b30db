package openapi

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Router maps a request path and method to an operation. Concrete segments
// beat templated ones ("/users/me" before "/users/{id}"), segment by segment,
// and a path is tried as written and then without a server's base path
// ("/v2/pets" serves "/pets" when a server URL ends in "/v2").
type Router struct {
	root     *node
	prefixes []string
}

// PathEntry is every operation on one path template.
type PathEntry struct {
	// Template is the path as written in the spec.
	Template string
	// Methods maps an upper-case method to its operation.
	Methods map[string]*Operation
	// Allow is the value of the Allow header for a 405 on this path.
	Allow string
	// names are each operation's path parameter names, by method, in
	// path order.
	names map[string][]string
}

type node struct {
	literal  map[string]*node
	patterns []*patternChild
	param    *node
	entry    *PathEntry
}

type patternChild struct {
	re    *regexp.Regexp
	names []string
	next  *node
}

// ErrNoRoute is returned by Match when no path of the spec matches.
var ErrNoRoute = errors.New("no operation of the spec has this path")

// ErrMethodNotAllowed is returned by Match when the path exists but not with
// this method; the returned PathEntry says which methods do.
var ErrMethodNotAllowed = errors.New("the path exists but not with this method")

var paramRE = regexp.MustCompile(`\{([^{}/]+)\}`)

// routeConflict is two operations of one method whose templates match the
// same requests ("/v1/{name}" and "/v1/{parent}"); the first serves.
type routeConflict struct{ first, second *Operation }

func (c *routeConflict) Error() string {
	return fmt.Sprintf("%s %s matches the same requests as %s %s, which is written first and serves them", c.second.Method, c.second.Path, c.first.Method, c.first.Path)
}

// newRouter routes ops, in their order; an operation that cannot be
// routed (a bad template, or the same requests as an earlier one) is
// passed to skip and left out.
func newRouter(ops []*Operation, prefixes []string, skip func(*Operation, error)) (*Router, error) {
	r := &Router{root: &node{}, prefixes: prefixes}
	entries := map[string]*PathEntry{}
	for _, op := range ops {
		e := entries[op.Path]
		if e == nil {
			n, params, err := r.insert(op.Path)
			if err != nil {
				skip(op, err)
				continue
			}
			if n.entry != nil {
				// "/a/{x}" and "/a/{y}": one route, each operation with
				// its own parameter names.
				e = n.entry
			} else {
				e = &PathEntry{Template: op.Path, Methods: map[string]*Operation{}, names: map[string][]string{}}
				n.entry = e
			}
			entries[op.Path] = e
			if prev := e.Methods[op.Method]; prev != nil {
				skip(op, &routeConflict{first: prev, second: op})
				continue
			}
			e.Methods[op.Method] = op
			e.names[op.Method] = params
			continue
		}
		if prev := e.Methods[op.Method]; prev != nil {
			skip(op, &routeConflict{first: prev, second: op})
			continue
		}
		_, params, _ := r.insert(op.Path)
		e.Methods[op.Method] = op
		e.names[op.Method] = params
	}
	for _, e := range entries {
		methods := make([]string, 0, len(e.Methods)+2)
		for m := range e.Methods {
			methods = append(methods, m)
		}
		if e.Methods["GET"] != nil && e.Methods["HEAD"] == nil {
			methods = append(methods, "HEAD")
		}
		if e.Methods["OPTIONS"] == nil {
			methods = append(methods, "OPTIONS")
		}
		slices.Sort(methods)
		e.Allow = strings.Join(methods, ", ")
	}
	return r, nil
}

func (r *Router) insert(template string) (*node, []string, error) {
	if !strings.HasPrefix(template, "/") {
		return nil, nil, fmt.Errorf("path %q must start with /", template)
	}
	n := r.root
	var params []string
	for _, seg := range strings.Split(template[1:], "/") {
		ms := paramRE.FindAllStringSubmatchIndex(seg, -1)
		switch {
		case len(ms) == 0:
			if strings.ContainsAny(seg, "{}") {
				return nil, nil, fmt.Errorf("path %q: segment %q has an unbalanced brace", template, seg)
			}
			if n.literal == nil {
				n.literal = map[string]*node{}
			}
			next := n.literal[seg]
			if next == nil {
				next = &node{}
				n.literal[seg] = next
			}
			n = next
		case len(ms) == 1 && ms[0][0] == 0 && ms[0][1] == len(seg):
			params = append(params, seg[ms[0][2]:ms[0][3]])
			if n.param == nil {
				n.param = &node{}
			}
			n = n.param
		default:
			var re strings.Builder
			var names []string
			re.WriteString("^")
			last := 0
			for _, m := range ms {
				re.WriteString(regexp.QuoteMeta(seg[last:m[0]]))
				re.WriteString("(.+?)")
				names = append(names, seg[m[2]:m[3]])
				last = m[1]
			}
			re.WriteString(regexp.QuoteMeta(seg[last:]))
			re.WriteString("$")
			src := re.String()
			var pc *patternChild
			for _, c := range n.patterns {
				if c.re.String() == src && slices.Equal(c.names, names) {
					pc = c
				}
			}
			if pc == nil {
				pc = &patternChild{re: regexp.MustCompile(src), names: names, next: &node{}}
				n.patterns = append(n.patterns, pc)
			}
			params = append(params, names...)
			n = pc.next
		}
	}
	return n, params, nil
}

// Match finds the operation for method and an escaped URL path. It returns
// the path parameters, decoded. On ErrMethodNotAllowed the entry is set so
// the caller can answer with Allow.
func (r *Router) Match(method, escapedPath string) (*Operation, *PathEntry, map[string]string, error) {
	entry, values := r.find(escapedPath)
	if entry == nil {
		for _, p := range r.prefixes {
			if rest, ok := strings.CutPrefix(escapedPath, p); ok && (rest == "" || rest[0] == '/') {
				if rest == "" {
					rest = "/"
				}
				if entry, values = r.find(rest); entry != nil {
					break
				}
			}
		}
	}
	if entry == nil {
		return nil, nil, nil, ErrNoRoute
	}
	op := entry.Methods[method]
	if op == nil && method == "HEAD" {
		op = entry.Methods["GET"]
	}
	if op == nil {
		return nil, entry, nil, ErrMethodNotAllowed
	}
	names := entry.names[op.Method]
	params := make(map[string]string, len(names))
	for i, name := range names {
		if i < len(values) {
			params[name] = values[i]
		}
	}
	return op, entry, params, nil
}

func (r *Router) find(escapedPath string) (*PathEntry, []string) {
	if !strings.HasPrefix(escapedPath, "/") {
		return nil, nil
	}
	// Segments and values live on the stack for paths of usual depth.
	var segBuf [16]string
	segs := segBuf[:0]
	for rest := escapedPath[1:]; ; {
		seg, tail, more := strings.Cut(rest, "/")
		if strings.IndexByte(seg, '%') >= 0 {
			if d, err := url.PathUnescape(seg); err == nil {
				seg = d
			}
		}
		segs = append(segs, seg)
		if !more {
			break
		}
		rest = tail
	}
	var valBuf [8]string
	values := valBuf[:0]
	if e := r.root.match(segs, &values); e != nil {
		return e, values
	}
	return nil, nil
}

// match walks segs depth first, literal before pattern before parameter, so
// the first entry found is the most concrete one.
func (n *node) match(segs []string, values *[]string) *PathEntry {
	if len(segs) == 0 {
		return n.entry
	}
	seg, rest := segs[0], segs[1:]
	if next := n.literal[seg]; next != nil {
		if e := next.match(rest, values); e != nil {
			return e
		}
	}
	mark := len(*values)
	for _, pc := range n.patterns {
		if m := pc.re.FindStringSubmatch(seg); m != nil {
			*values = append(*values, m[1:]...)
			if e := pc.next.match(rest, values); e != nil {
				return e
			}
			*values = (*values)[:mark]
		}
	}
	// An empty segment inside the path ("/agents//sessions") is a path
	// parameter given no value, which validation reports by name; an empty
	// last segment is a trailing slash, which is no route.
	if n.param != nil && (seg != "" || len(rest) > 0) {
		*values = append(*values, seg)
		if e := n.param.match(rest, values); e != nil {
			return e
		}
		*values = (*values)[:mark]
	}
	return nil
}

// Match finds the operation for a request's method and escaped path; see
// Router.Match.
func (s *Spec) Match(method, escapedPath string) (*Operation, *PathEntry, map[string]string, error) {
	return s.router.Match(method, escapedPath)
}

// Closest returns the path templates that share the longest leading run of
// literal segments with escapedPath, for "did you mean" messages; at most n.
func (s *Spec) Closest(escapedPath string, n int) []string {
	segs := strings.Split(strings.Trim(escapedPath, "/"), "/")
	type scored struct {
		path  string
		score int
	}
	var all []scored
	seen := map[string]bool{}
	for _, op := range s.Operations {
		if seen[op.Path] {
			continue
		}
		seen[op.Path] = true
		tsegs := strings.Split(strings.Trim(op.Path, "/"), "/")
		score := 0
		for i := 0; i < len(tsegs) && i < len(segs); i++ {
			if tsegs[i] == segs[i] {
				score += 2
			} else if strings.HasPrefix(tsegs[i], "{") {
				score++
			}
		}
		if len(tsegs) == len(segs) {
			score++
		}
		all = append(all, scored{op.Path, score})
	}
	slices.SortStableFunc(all, func(a, b scored) int { return b.score - a.score })
	var out []string
	for _, sc := range all {
		if len(out) == n || sc.score == 0 {
			break
		}
		out = append(out, sc.path)
	}
	return out
}

// serverPrefixes returns the path parts of the servers' URLs ("/v2"), with
// variables set to their defaults, longest first.
func serverPrefixes(servers openapi3.Servers) []string {
	var out []string
	for _, s := range servers {
		if s == nil {
			continue
		}
		raw := s.URL
		for name, v := range s.Variables {
			if v != nil {
				raw = strings.ReplaceAll(raw, "{"+name+"}", v.Default)
			}
		}
		u, err := url.Parse(raw)
		if err != nil {
			continue
		}
		p := strings.TrimRight(u.EscapedPath(), "/")
		if p != "" && strings.HasPrefix(p, "/") && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}
