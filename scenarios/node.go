package scenarios

import (
	"encoding"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/decoy-mock/decoy/internal/suggest"
	"github.com/decoy-mock/decoy/internal/yamlnode"
)

// deref follows aliases to the node they stand for.
func deref(n *yaml.Node) *yaml.Node { return yamlnode.Resolve(n) }

type pair struct {
	key  string
	k, v *yaml.Node
}

// mapping returns the entries of a mapping whose keys are among known, in
// document order, reporting a node that is not a mapping, unknown keys and
// duplicate keys.
func (d *decoder) mapping(n *yaml.Node, field string, known []string) []pair {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		d.errorf(n, field, "expected a mapping with %s, got %s", strings.Join(known, ", "), describe(n))
		return nil
	}
	var out []pair
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, field, "expected a field name, got %s", describe(k))
			continue
		}
		f := k.Value
		if field != "" {
			f = field + "." + k.Value
		}
		switch {
		case k.Tag == "!!merge":
			d.errorf(k, field, "merge keys (<<) are not supported; anchors and aliases are")
		case !slices.Contains(known, k.Value):
			d.errorf(k, f, "unknown field%s", suggestField(k.Value, known))
		case seen[k.Value]:
			d.errorf(k, f, "is set twice")
		default:
			seen[k.Value] = true
			out = append(out, pair{k.Value, k, v})
		}
	}
	return out
}

// has reports whether mapping n has the key.
func has(n *yaml.Node, key string) bool {
	for _, k := range keysOf(n) {
		if k.Value == key {
			return true
		}
	}
	return false
}

// keysOf returns the scalar keys of a mapping; nil for anything else.
func keysOf(n *yaml.Node) []*yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var out []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := deref(n.Content[i]); k.Kind == yaml.ScalarNode {
			out = append(out, k)
		}
	}
	return out
}

// seq returns the items of a list; nil (after reporting) for anything else,
// an empty non-nil slice for an empty list.
func (d *decoder) seq(n *yaml.Node, field string) []*yaml.Node {
	n = deref(n)
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, field, "expected a list, got %s", describe(n))
		return nil
	}
	out := make([]*yaml.Node, 0, len(n.Content))
	for _, item := range n.Content {
		out = append(out, deref(item))
	}
	return out
}

func (d *decoder) str(n *yaml.Node, field string) (string, bool) {
	n = deref(n)
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		d.errorf(n, field, "expected a string, got %s", describe(n))
		return "", false
	}
	return n.Value, true
}

// scalar reads any non-null scalar as its text: `enabled: true` matches the
// query string "true".
func (d *decoder) scalar(n *yaml.Node, field string) (string, bool) {
	n = deref(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.errorf(n, field, "expected a string, got %s", describe(n))
		return "", false
	}
	return n.Value, true
}

func (d *decoder) integer(n *yaml.Node, field string) (int, bool) {
	n = deref(n)
	var v int
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		d.errorf(n, field, "expected an integer, got %s", describe(n))
		return 0, false
	}
	if err := n.Decode(&v); err != nil {
		d.errorf(n, field, "%s is not an integer this server can hold", n.Value)
		return 0, false
	}
	return v, true
}

func (d *decoder) boolean(n *yaml.Node, field string) (bool, bool) {
	n = deref(n)
	var v bool
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&v) != nil {
		d.errorf(n, field, "expected true or false, got %s", describe(n))
		return false, false
	}
	return v, true
}

// text parses a scalar with u's UnmarshalText, the parser flags share.
func (d *decoder) text(n *yaml.Node, field string, u encoding.TextUnmarshaler) bool {
	n = deref(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.errorf(n, field, "expected a string, got %s", describe(n))
		return false
	}
	if err := u.UnmarshalText([]byte(n.Value)); err != nil {
		d.errorf(n, field, "%s", err)
		return false
	}
	return true
}

// stringMap reads a mapping of names to scalar values; header names are
// checked and made canonical.
func (d *decoder) stringMap(n *yaml.Node, field string, headers bool) map[string]string {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		d.errorf(n, field, "expected a mapping of names to values, got %s", describe(n))
		return nil
	}
	out := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		if k.Kind != yaml.ScalarNode || k.Value == "" {
			d.errorf(k, field, "expected a name, got %s", describe(k))
			continue
		}
		name, f := k.Value, field+"."+k.Value
		if headers {
			if !isToken(name) {
				d.errorf(k, f, "%q is not a valid header name", name)
				continue
			}
			name = http.CanonicalHeaderKey(name)
		}
		if _, dup := out[name]; dup {
			d.errorf(k, f, "is set twice")
			continue
		}
		val, ok := d.scalar(v, f)
		if !ok {
			continue
		}
		if headers && strings.ContainsAny(val, "\r\n\x00") {
			d.errorf(v, f, "a header value cannot hold a line break or NUL")
			continue
		}
		out[name] = val
	}
	return out
}

// statusRange checks that v can be forced as a status.
func (d *decoder) statusRange(n *yaml.Node, field string, v int) bool {
	if v < 200 || v > 599 {
		d.errorf(n, field, "%d is not a status a scenario can force (200 to 599)", v)
		return false
	}
	return true
}

// describe names the kind of a node for "expected X, got Y" messages.
func describe(n *yaml.Node) string {
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "null"
		case "!!int":
			return "the integer " + n.Value
		case "!!float":
			return "the number " + n.Value
		case "!!bool":
			return n.Value
		case "!!str":
			return fmt.Sprintf("the string %q", truncate(n.Value, 40))
		}
		return fmt.Sprintf("%s %q", n.Tag, truncate(n.Value, 40))
	}
	return "nothing"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// suggestField returns " (did you mean x?)" or " (known: …)".
func suggestField(got string, known []string) string {
	if near := closest(got, known, 1); len(near) > 0 {
		return fmt.Sprintf("; did you mean %s? (known: %s)", near[0], strings.Join(known, ", "))
	}
	return " (known: " + strings.Join(known, ", ") + ")"
}

// closest returns up to n of candidates nearest to s, for "did you mean"
// messages.
func closest(s string, candidates []string, n int) []string {
	return suggest.Closest(s, candidates, n)
}

func quoteList(items []string, sep string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, sep)
}
