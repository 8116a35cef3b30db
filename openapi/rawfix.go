package openapi

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
)

// Some flaws are found only by decoding: the library names the place of a
// value of the wrong shape, or of a $ref to the wrong kind of object. Load
// mends the place the error names and tries again (fixError), each mend a
// finding.

var (
	// wrongKindRef: a $ref whose target is not the kind of object its place
	// wants.
	wrongKindRef = regexp.MustCompile(`bad data in "(#/[^"]*)" \(expecting ref to (\w+) object\)`)
	// wrongShape: a value the library could not decode, at a pointer.
	wrongShape = regexp.MustCompile("cannot (?:unmarshal|construct) (!!\\w+)(?: `[^`]*`)? into ([^\\s\"]+(?: \\{\\})?)(?: field \"([^\"]+)\")? in (/[^\\s;]*)")
)

// fixError mends, in the tree, the places err names, and reports whether
// it mended any.
func (raw *rawDoc) fixError(err error) bool {
	msg := err.Error()
	fixed := false
	for _, m := range wrongKindRef.FindAllStringSubmatch(msg, -1) {
		fixed = raw.fixRefKind(m[1], m[2]) || fixed
	}
	for _, m := range wrongShape.FindAllStringSubmatch(msg, -1) {
		ptr := m[4]
		if m[3] != "" {
			ptr += "/" + escapePointer(m[3])
		}
		fixed = raw.fixShape(ptr, m[1], m[2]) || fixed
	}
	return fixed
}

// fixShape mends a value the library could not decode: a scalar where a
// string is wanted becomes its text; anything else is dropped.
func (raw *rawDoc) fixShape(ptr, tag, want string) bool {
	parent, i := raw.lookupKey(ptr)
	if parent == nil {
		return false
	}
	key, value := parent.Content[i], parent.Content[i+1]
	if want == "string" && value.Kind == yaml.ScalarNode {
		raw.n.add(value, ptr, ClassWrongShape, "%s must be a string, not %s; Decoy reads it as the text %q", key.Value, kindName(value), value.Value)
		value.Tag, value.Style = "!!str", yaml.DoubleQuotedStyle
		return true
	}
	if (want == "float64" || strings.HasPrefix(want, "int") || strings.HasPrefix(want, "uint")) && value.Kind == yaml.ScalarNode {
		if f, err := strconv.ParseFloat(value.Value, 64); err == nil && !math.IsInf(f, 0) && (want == "float64" || f == math.Trunc(f) && f >= 0) {
			raw.n.add(value, ptr, ClassWrongShape, "%s must be a number, not %s; Decoy reads it as %s", key.Value, kindName(value), value.Value)
			value.Tag, value.Style = "!!float", 0
			if want != "float64" {
				value.Tag = "!!int"
			}
			return true
		}
	}
	if key.Value == "examples" && value.Kind == yaml.MappingNode && strings.HasPrefix(want, "[]") {
		// A 3.0 media type's examples map, written in a schema: its
		// values become the schema's list of examples.
		list := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: value.Line, Column: value.Column}
		for j := 1; j < len(value.Content); j += 2 {
			ex := value.Content[j]
			if v := mapValue(ex, "value"); v != nil {
				ex = v
			}
			list.Content = append(list.Content, ex)
		}
		raw.n.add(value, ptr, ClassWrongShape, "examples in a schema must be a list, not an object of named examples; Decoy reads its values as the list")
		parent.Content[i+1] = list
		return true
	}
	raw.n.add(value, ptr, ClassWrongShape, "%s must be %s, not %s; Decoy ignores it", key.Value, shapeName(want), kindName(value))
	parent.Content = append(parent.Content[:i], parent.Content[i+2:]...)
	return true
}

func shapeName(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case strings.HasPrefix(goType, "map"), strings.HasPrefix(goType, "openapi3."), strings.HasPrefix(goType, "*"):
		return "an object"
	case goType == "string":
		return "a string"
	case goType == "bool":
		return "a boolean"
	}
	return "of type " + goType
}

// fixRefKind mends every $ref to target, whose place wants a want
// (schema, response, parameter…) object and whose target is another kind.
func (raw *rawDoc) fixRefKind(target, want string) bool {
	ptr := strings.TrimPrefix(target, "#")
	if unescaped, err := url.PathUnescape(ptr); err == nil {
		ptr = unescaped
	}
	node := raw.lookup(ptr)
	if node == nil {
		return false
	}
	refs := raw.refsTo(target)
	if len(refs) == 0 {
		return false
	}
	switch want {
	case "schema":
		// A schema $ref to a response, a parameter or a media type: the
		// schema it holds. To a schema kept under definitions inside
		// another schema (which OpenAPI 3 cannot reach): moved to
		// components/schemas.
		to := ""
		switch {
		case mapValue(node, "schema") != nil:
			to = target + "/schema"
		case mapValue(node, "content") != nil:
			content := mapValue(node, "content")
			for j := 0; j+1 < len(content.Content); j += 2 {
				if mapValue(content.Content[j+1], "schema") != nil {
					to = target + "/content/" + escapePointer(content.Content[j].Value) + "/schema"
					break
				}
			}
		case strings.Contains(target, "/definitions/") || strings.Contains(target, "/$defs/"):
			to = raw.hoist(target, node)
		}
		if to == "" {
			for _, r := range refs {
				raw.n.add(r, "", ClassRefKind, "$ref %s is not a schema and holds none; Decoy accepts any value here", target)
				r.Value = ""
			}
			raw.dropEmptyRefs()
			return true
		}
		for _, r := range refs {
			raw.n.add(r, "", ClassRefKind, "$ref %s is not a schema; Decoy uses the schema at %s", target, to)
			r.Value = to
		}
		return true
	case "response":
		if looksLikeResponse(node) {
			// A response kept among the schemas: inlined where it is used.
			for _, r := range refs {
				raw.n.add(r, "", ClassRefKind, "$ref %s is kept among the schemas but is a response; Decoy uses it as the response here", target)
				if holder := raw.holderOf(r); holder != nil {
					*holder = *node
				}
			}
			return true
		}
		for _, r := range refs {
			raw.n.add(r, "", ClassRefKind, "$ref %s is a schema where a response belongs; Decoy serves a response with that schema as application/json", target)
			raw.wrapResponse(r, target)
		}
		return true
	}
	return false
}

// hoist copies a schema kept under definitions inside another schema to
// components/schemas, under a new name, and returns its new $ref.
func (raw *rawDoc) hoist(target string, node *yaml.Node) string {
	schemas := raw.lookup("/components/schemas")
	if schemas == nil || schemas.Kind != yaml.MappingNode {
		return ""
	}
	parts := strings.Split(strings.TrimPrefix(target, "#/"), "/")
	base := strings.Join(parts[2:], "_")
	base = strings.NewReplacer("~1", "_", "~0", "_", "$", "").Replace(base)
	name := base
	for k := 2; mapValue(schemas, name) != nil; k++ {
		name = fmt.Sprintf("%s_%d", base, k)
	}
	schemas.Content = append(schemas.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: name}, node)
	return "#/components/schemas/" + escapePointer(name)
}

// looksLikeResponse reports whether node has only the fields of a
// Response Object.
func looksLikeResponse(node *yaml.Node) bool {
	if node.Kind != yaml.MappingNode || mapValue(node, "description") == nil {
		return false
	}
	for i := 0; i+1 < len(node.Content); i += 2 {
		switch k := node.Content[i].Value; {
		case k == "description", k == "content", k == "headers", k == "links", strings.HasPrefix(k, "x-"):
		default:
			return false
		}
	}
	return true
}

// holderOf finds the mapping that holds the value node r.
func (raw *rawDoc) holderOf(r *yaml.Node) *yaml.Node {
	var holder *yaml.Node
	var find func(x *yaml.Node) bool
	find = func(x *yaml.Node) bool {
		if x.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(x.Content); j += 2 {
				if x.Content[j+1] == r {
					holder = x
					return true
				}
			}
		}
		for _, c := range x.Content {
			if find(c) {
				return true
			}
		}
		return false
	}
	find(&raw.doc)
	return holder
}

// wrapResponse turns the mapping holding the $ref r into a response whose
// JSON content has the schema r names.
func (raw *rawDoc) wrapResponse(r *yaml.Node, target string) {
	holder := raw.holderOf(r)
	if holder == nil {
		return
	}
	str := func(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }
	mapping := func(kv ...*yaml.Node) *yaml.Node {
		return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: kv}
	}
	*holder = *mapping(
		str("description"), str(""),
		str("content"), mapping(str("application/json"), mapping(str("schema"), mapping(str("$ref"), str(target)))),
	)
}

// dropEmptyRefs removes the $ref keys whose value fixRefKind emptied.
func (raw *rawDoc) dropEmptyRefs() {
	var walk func(x *yaml.Node)
	walk = func(x *yaml.Node) {
		if x.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(x.Content); j += 2 {
				if x.Content[j].Value == "$ref" && x.Content[j+1].Kind == yaml.ScalarNode && x.Content[j+1].Value == "" {
					x.Content = append(x.Content[:j], x.Content[j+2:]...)
					j -= 2
				}
			}
		}
		for _, c := range x.Content {
			walk(c)
		}
	}
	walk(&raw.doc)
}

// refsTo lists the $ref values in the tree that are exactly target.
func (raw *rawDoc) refsTo(target string) []*yaml.Node {
	var out []*yaml.Node
	var walk func(x *yaml.Node)
	walk = func(x *yaml.Node) {
		if x.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(x.Content); j += 2 {
				if x.Content[j].Value == "$ref" && x.Content[j+1].Kind == yaml.ScalarNode && x.Content[j+1].Value == target {
					out = append(out, x.Content[j+1])
				}
			}
		}
		for _, c := range x.Content {
			walk(c)
		}
	}
	walk(&raw.doc)
	return out
}

// lookup finds the node at a JSON pointer; nil when there is none.
func (raw *rawDoc) lookup(ptr string) *yaml.Node { return nodeAt(raw.doc.Content[0], ptr) }

// nodeAt finds the node at a JSON pointer below root; nil when there is
// none.
func nodeAt(root *yaml.Node, ptr string) *yaml.Node {
	node := root
	if ptr == "" || ptr == "/" {
		return node
	}
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch node.Kind {
		case yaml.MappingNode:
			node = mapValue(node, tok)
		case yaml.SequenceNode:
			var i int
			if _, err := fmt.Sscanf(tok, "%d", &i); err != nil || i < 0 || i >= len(node.Content) {
				return nil
			}
			node = node.Content[i]
		default:
			return nil
		}
		if node == nil {
			return nil
		}
	}
	return node
}

// lookupKey finds the mapping that holds the last key of ptr, and the
// index of that key in it.
func (raw *rawDoc) lookupKey(ptr string) (*yaml.Node, int) {
	i := strings.LastIndex(ptr, "/")
	if i < 0 {
		return nil, 0
	}
	parent := raw.lookup(ptr[:i])
	if parent == nil || parent.Kind != yaml.MappingNode {
		return nil, 0
	}
	key := strings.ReplaceAll(strings.ReplaceAll(ptr[i+1:], "~1", "/"), "~0", "~")
	for j := 0; j+1 < len(parent.Content); j += 2 {
		if parent.Content[j].Value == key {
			return parent, j
		}
	}
	return nil, 0
}

// mapValue is the value of key in a mapping node, or nil.
func mapValue(node *yaml.Node, key string) *yaml.Node {
	if node == nil || node.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(node.Content); i += 2 {
		if node.Content[i].Value == key {
			return node.Content[i+1]
		}
	}
	return nil
}
