// Package bodytemplate fills values of the request into a response body a
// user wrote, a fixture stub's or a scenario rule's: the one templating
// mechanism of Decoy's files.
//
// A placeholder is written inside a JSON string value:
//
//	{{request.header.X-Namespace}}   a request header (first value; any case)
//	{{request.path.agent_key}}       a path parameter
//	{{request.query.limit}}          a query parameter (first value)
//
// Spaces inside the braces are allowed. A string may hold several
// placeholders and other text ("Namespace '{{request.header.X-Namespace}}'
// does not exist"); the result is always a string, and a value the request
// lacks renders as "". Object keys, numbers and booleans are never
// templated. Text that does not start with "{{request." is literal, so
// bodies that happen to contain braces keep them; a placeholder with an
// unknown source or no name, or one left unclosed, is an error at load.
package bodytemplate

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Sources are where a placeholder takes its value from.
const (
	SourceHeader = "header"
	SourcePath   = "path"
	SourceQuery  = "query"
)

// Template is a body with placeholders, compiled once at load. It is
// immutable and safe for concurrent use.
type Template struct {
	value any
	// static says the body holds no placeholder.
	static bool
}

// Request is what a template reads of a request. A nil field reads as
// empty.
type Request struct {
	Header http.Header
	Path   map[string]string
	Query  url.Values
}

// Error is a malformed placeholder: Pointer is the JSON pointer of the
// string that holds it ("" for a top-level string).
type Error struct {
	Pointer string
	Message string
}

func (e *Error) Error() string {
	if e.Pointer == "" {
		return e.Message
	}
	return e.Pointer + ": " + e.Message
}

// Compile returns the template of body, a decoded JSON value, which it
// keeps (body must not be modified afterwards). It returns an *Error for
// the first malformed placeholder.
func Compile(body any) (*Template, error) {
	found := false
	if err := walk(body, "", &found); err != nil {
		return nil, err
	}
	return &Template{value: body, static: !found}, nil
}

// Static reports whether the body holds no placeholder: it renders as it
// is, for every request.
func (t *Template) Static() bool { return t.static }

// Value returns the body as written, placeholders and all. It is shared:
// the caller must not modify it.
func (t *Template) Value() any { return t.value }

func walk(v any, ptr string, found *bool) error {
	switch t := v.(type) {
	case string:
		parts, err := parse(t)
		if err != nil {
			return &Error{Pointer: ptr, Message: err.Error()}
		}
		if len(parts) > 1 || len(parts) == 1 && parts[0].source != "" {
			*found = true
		}
	case map[string]any:
		for k, e := range t {
			if err := walk(e, ptr+"/"+escape(k), found); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range t {
			if err := walk(e, ptr+"/"+strconv.Itoa(i), found); err != nil {
				return err
			}
		}
	}
	return nil
}

func escape(k string) string {
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}

// part is literal text (source "") or a placeholder.
type part struct {
	source, name, text string
}

const open = "{{"

// parse splits s into literal text and placeholders.
func parse(s string) ([]part, error) {
	var out []part
	for {
		i := strings.Index(s, open)
		for i >= 0 && !strings.HasPrefix(strings.TrimLeft(s[i+len(open):], " "), "request.") {
			// Braces that are not a placeholder: literal.
			j := strings.Index(s[i+len(open):], open)
			if j < 0 {
				i = -1
				break
			}
			i += len(open) + j
		}
		if i < 0 {
			if s != "" {
				out = append(out, part{text: s})
			}
			return out, nil
		}
		if i > 0 {
			out = append(out, part{text: s[:i]})
		}
		rest := s[i+len(open):]
		end := strings.Index(rest, "}}")
		if end < 0 {
			return nil, fmt.Errorf("placeholder %q is not closed with }}", truncate(s[i:]))
		}
		expr := strings.TrimSpace(rest[:end])
		source, name, _ := strings.Cut(strings.TrimPrefix(expr, "request."), ".")
		switch source {
		case SourceHeader, SourcePath, SourceQuery:
		default:
			return nil, fmt.Errorf("placeholder {{%s}}: unknown source %q (known: request.header.NAME, request.path.NAME, request.query.NAME)", expr, source)
		}
		if name == "" {
			return nil, fmt.Errorf("placeholder {{%s}}: name the %s, as in {{request.%s.NAME}}", expr, source, source)
		}
		out = append(out, part{source: source, name: name})
		s = rest[end+2:]
	}
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// Render returns a new body with every placeholder replaced by the
// request's value; t's own body is never modified.
func (t *Template) Render(r Request) any {
	if t.static {
		return t.value
	}
	return render(t.value, r)
}

func render(v any, r Request) any {
	switch x := v.(type) {
	case string:
		parts, err := parse(x)
		if err != nil { // checked by Compile
			return x
		}
		var b strings.Builder
		for _, p := range parts {
			switch p.source {
			case "":
				b.WriteString(p.text)
			case SourceHeader:
				b.WriteString(r.Header.Get(p.name))
			case SourcePath:
				b.WriteString(r.Path[p.name])
			case SourceQuery:
				b.WriteString(r.Query.Get(p.name))
			}
		}
		return b.String()
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = render(e, r)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = render(e, r)
		}
		return a
	}
	return v
}
