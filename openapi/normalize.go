package openapi

import (
	"bytes"
	"fmt"
	"path"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/decoy-mock/decoy/internal/yamlnode"
)

// This file repairs, in the raw tree of a file, the flaws of real API
// descriptions that stop kin-openapi from decoding a document at all: a
// value of the wrong shape where the OpenAPI document's own schema wants a
// string, a list or an object (`description: {$ref: …}`, `required: true`
// on a schema), and Swagger 2.0 / draft-4 tuple `items: [A, B]`. Each repair
// is a finding at the original line and column. Load runs it only when the
// document does not decode as written, so clean documents pay nothing.

// normalized is a file after repair: its new text, the findings, and where
// each place of the new text stood in the original, so that findings made
// later (by validation, at kin's positions) name the line the user wrote.
type normalized struct {
	data     []byte
	findings []Finding
	// lines maps a line of data to the line it had in the original.
	lines map[int]int
}

// nodeKind is what a node of the raw tree stands for.
type nodeKind int

const (
	kindObject nodeKind = iota // an OpenAPI object other than a schema
	kindSchema                 // a Schema Object
	kindData                   // example, default, enum…: user data, left alone
	kindAuto                   // a file reached by $ref: guessed from its keys
)

// normalizeRaw repairs data, a document or a file its $refs reach (file
// names it in findings), and reports whether anything changed. version is
// "2.0", "3.0" or "3.1"; root says what the top of the file is.
//
// read, when not nil, reads a file a $ref names (relative to the folder of
// file) for the repairs that inline one: an operation given as a $ref.
func normalizeRaw(data []byte, file, version string, root nodeKind, read func(name string) ([]byte, error)) (*normalized, bool, error) {
	raw, err := parseRaw(data, file, version, read)
	if err != nil || raw == nil {
		return nil, false, err
	}
	raw.normalize(root)
	if len(raw.n.findings) == 0 {
		return nil, false, nil
	}
	out, lines, err := raw.encode()
	if err != nil {
		return nil, false, err
	}
	return &normalized{data: out, findings: raw.n.findings, lines: lines}, true, nil
}

// rawDoc is the raw tree of one file, being repaired.
type rawDoc struct {
	doc yaml.Node
	n   *normalizer
}

// parseRaw parses data; nil when it is empty.
func parseRaw(data []byte, file, version string, read func(name string) ([]byte, error)) (*rawDoc, error) {
	raw := &rawDoc{n: &normalizer{file: file, version: version, read: read}}
	if err := yamlnode.Unmarshal(data, &raw.doc); err != nil {
		return nil, err
	}
	if len(raw.doc.Content) == 0 {
		return nil, nil
	}
	return raw, nil
}

// normalize makes every repair the walk knows, root saying what the top
// of the file is.
func (raw *rawDoc) normalize(root nodeKind) { raw.n.walk(raw.doc.Content[0], root, "") }

// encode writes the repaired tree, with the map of its lines to the
// original's.
func (raw *rawDoc) encode() ([]byte, map[int]int, error) {
	var out bytes.Buffer
	// yaml.v3's encoder, which this text was first written with: no line
	// wrapping, so that a JSON document's flow style keeps its lines.
	enc, err := yaml.NewDumper(&out, yaml.WithV3Defaults(), yaml.WithLineWidth(-1), yaml.WithIndent(2))
	if err != nil {
		return nil, nil, err
	}
	if err := enc.Dump(&raw.doc); err != nil {
		return nil, nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, nil, err
	}
	lines, err := lineMap(out.Bytes(), &raw.doc)
	if err != nil {
		return nil, nil, err
	}
	return out.Bytes(), lines, nil
}

// lineMap parses the repaired text again and pairs its nodes with the
// original tree's, which has the same shape, to map new lines to old ones.
func lineMap(data []byte, orig *yaml.Node) (map[int]int, error) {
	var again yaml.Node
	if err := yamlnode.Unmarshal(data, &again); err != nil {
		return nil, err
	}
	lines := map[int]int{}
	var pair func(a, b *yaml.Node)
	pair = func(a, b *yaml.Node) {
		if a == nil || b == nil {
			return
		}
		if b.Line != 0 && a.Line != 0 {
			if _, seen := lines[a.Line]; !seen {
				lines[a.Line] = b.Line
			}
		}
		for i := range min(len(a.Content), len(b.Content)) {
			pair(a.Content[i], b.Content[i])
		}
	}
	pair(&again, orig)
	return lines, nil
}

type normalizer struct {
	file, version string
	findings      []Finding
	read          func(name string) ([]byte, error)
}

func (n *normalizer) add(node *yaml.Node, pointer, class, format string, args ...any) {
	where := ""
	if node != nil && node.Line > 0 {
		where = fmt.Sprintf("%s:%d:%d", n.file, node.Line, node.Column)
	}
	if pointer == "" {
		pointer = "/"
	}
	n.findings = append(n.findings, Finding{Where: where, Pointer: pointer, Class: class, Message: fmt.Sprintf(format, args...)})
}

// schemaMaps are the keys whose value maps names to schemas.
var schemaMaps = map[string]bool{
	"properties": true, "patternProperties": true, "definitions": true,
	"$defs": true, "dependentSchemas": true, "schemas": true,
}

// schemaKeys are the keys of a schema whose value is one schema.
var schemaKeys = map[string]bool{
	"additionalProperties": true, "not": true, "contains": true, "if": true,
	"then": true, "else": true, "propertyNames": true, "unevaluatedProperties": true,
	"unevaluatedItems": true, "contentSchema": true, "additionalItems": true, "items": true,
}

// schemaLists are the keys of a schema whose value is a list of schemas.
var schemaLists = map[string]bool{"allOf": true, "anyOf": true, "oneOf": true, "prefixItems": true}

// dataKeys hold user data, never repaired.
var dataKeys = map[string]bool{
	"example": true, "examples": true, "default": true, "enum": true,
	"const": true, "value": true,
}

// textKeys must be strings wherever OpenAPI uses them.
var textKeys = map[string]bool{"description": true, "summary": true, "title": true}

// schemaLike names the keys that tell a schema in a file reached by $ref.
var schemaLike = []string{"type", "properties", "items", "allOf", "anyOf", "oneOf", "enum", "format", "additionalProperties", "required"}

func (n *normalizer) walk(node *yaml.Node, kind nodeKind, pointer string) {
	for node.Kind == yaml.DocumentNode && len(node.Content) > 0 {
		node = node.Content[0]
	}
	if kind == kindData {
		return
	}
	if kind == kindAuto {
		kind = n.guess(node)
		if kind == kindAuto {
			// A map of named things (schemas.yaml: {Thing: {...}}).
			if node.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(node.Content); i += 2 {
					n.walk(node.Content[i+1], kindAuto, pointer+"/"+escapePointer(node.Content[i].Value))
				}
			}
			return
		}
	}
	switch node.Kind {
	case yaml.SequenceNode:
		for i, c := range node.Content {
			n.walk(c, kind, fmt.Sprintf("%s/%d", pointer, i))
		}
		return
	case yaml.MappingNode:
	default:
		return
	}
	if kind == kindSchema {
		n.schema(node, pointer)
		return
	}
	for i := 0; i+1 < len(node.Content); i += 2 {
		key, value := node.Content[i], node.Content[i+1]
		at := pointer + "/" + escapePointer(key.Value)
		switch {
		case strings.HasPrefix(key.Value, "x-") || dataKeys[key.Value]:
		case textKeys[key.Value]:
			n.text(key, value, at)
		case httpMethods[key.Value] && refOf(value) != "" && (pointer == "" || strings.HasPrefix(pointer, "/paths/") && strings.Count(pointer, "/") == 2):
			n.inlineOperation(value, at)
			n.walk(value, kindObject, at)
		case key.Value == "schema":
			n.walk(value, kindSchema, at)
		case key.Value == "items" && value.Kind == yaml.MappingNode:
			// Swagger 2.0 parameters and headers: an items object.
			n.walk(value, kindSchema, at)
		case schemaMaps[key.Value] && value.Kind == yaml.MappingNode:
			n.eachValue(value, kindSchema, at)
		default:
			n.walk(value, kindObject, at)
		}
	}
}

// guess tells what the top of a file reached by $ref is, from its keys.
func (n *normalizer) guess(node *yaml.Node) nodeKind {
	if node.Kind != yaml.MappingNode {
		return kindData
	}
	for i := 0; i+1 < len(node.Content); i += 2 {
		switch k := node.Content[i].Value; {
		case k == "openapi" || k == "swagger" || k == "paths" || k == "components" || k == "content" || k == "responses" || k == "in":
			return kindObject
		case k == "$ref" && len(node.Content) == 2, httpMethods[k]:
			return kindObject
		default:
			for _, s := range schemaLike {
				if k == s {
					return kindSchema
				}
			}
		}
	}
	return kindAuto
}

func (n *normalizer) eachValue(node *yaml.Node, kind nodeKind, pointer string) {
	for i := 0; i+1 < len(node.Content); i += 2 {
		n.walk(node.Content[i+1], kind, pointer+"/"+escapePointer(node.Content[i].Value))
	}
}

// text makes a value that must be a string one: a scalar of another type
// becomes its text; an object or a list (a $ref where OpenAPI allows
// none) is dropped.
func (n *normalizer) text(key, value *yaml.Node, pointer string) {
	switch value.Kind {
	case yaml.ScalarNode:
		if value.Tag != "!!str" && value.Tag != "" && value.Tag != "!!null" {
			n.add(value, pointer, ClassWrongShape, "%s must be a string, not %s; Decoy reads it as the text %q", key.Value, kindName(value), value.Value)
			value.Tag = "!!str"
			value.Style = yaml.DoubleQuotedStyle
		}
		return
	case yaml.AliasNode:
		return
	}
	what := kindName(value)
	if ref := refOf(value); ref != "" {
		n.add(value, pointer, ClassWrongShape, "%s must be a string; a $ref (%s) is not allowed here, so Decoy ignores it", key.Value, ref)
	} else {
		n.add(value, pointer, ClassWrongShape, "%s must be a string, not %s; Decoy ignores it", key.Value, what)
	}
	*value = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "", Line: value.Line, Column: value.Column}
}

func refOf(node *yaml.Node) string {
	if node.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(node.Content); i += 2 {
		if node.Content[i].Value == "$ref" {
			return node.Content[i+1].Value
		}
	}
	return ""
}

func kindName(node *yaml.Node) string {
	switch node.Kind {
	case yaml.MappingNode:
		return "an object"
	case yaml.SequenceNode:
		return "a list"
	}
	switch node.Tag {
	case "!!bool":
		return "a boolean"
	case "!!int", "!!float":
		return "a number"
	case "!!null":
		return "null"
	}
	return "a " + strings.TrimPrefix(node.Tag, "!!")
}

// schema repairs one schema and walks into its sub-schemas.
func (n *normalizer) schema(node *yaml.Node, pointer string) { n.schemaOf(node, pointer, false) }

// schemaOf is schema for a schema that is, when property is set, the value
// of a property of an object schema.
func (n *normalizer) schemaOf(node *yaml.Node, pointer string, property bool) {
	if node.Kind != yaml.MappingNode {
		n.walk(node, kindSchema, pointer)
		return
	}
	var required []*yaml.Node // properties that said required: true
	for i := 0; i+1 < len(node.Content); i += 2 {
		key, value := node.Content[i], node.Content[i+1]
		at := pointer + "/" + escapePointer(key.Value)
		switch k := key.Value; {
		case strings.HasPrefix(k, "x-") || dataKeys[k]:
		case textKeys[k]:
			n.text(key, value, at)
		case k == "required" && value.Kind == yaml.ScalarNode:
			if property && value.Value == "true" {
				n.add(value, at, ClassWrongShape, "required: true on a property schema is not OpenAPI; Decoy lists the property in its parent's required instead")
			} else {
				n.add(value, at, ClassWrongShape, "required: %s on a schema is not OpenAPI (required lists property names in the parent object); Decoy ignores it", value.Value)
			}
			node.Content = append(node.Content[:i], node.Content[i+2:]...)
			i -= 2
		case k == "items" && value.Kind == yaml.SequenceNode:
			n.tuple(node, i, at)
			n.walk(node.Content[i+1], kindSchema, at)
		case k == "properties" && value.Kind == yaml.MappingNode:
			for j := 0; j+1 < len(value.Content); j += 2 {
				name, prop := value.Content[j], value.Content[j+1]
				if takesRequired(prop) {
					required = append(required, name)
				}
				n.schemaOf(prop, at+"/"+escapePointer(name.Value), true)
			}
		case schemaMaps[k] && value.Kind == yaml.MappingNode:
			n.eachValue(value, kindSchema, at)
		case schemaKeys[k] && value.Kind == yaml.MappingNode:
			n.walk(value, kindSchema, at)
		case schemaLists[k] && value.Kind == yaml.SequenceNode:
			n.walk(value, kindSchema, at)
		case k == "discriminator" || k == "xml" || k == "externalDocs":
			n.walk(value, kindObject, at)
		}
	}
	if len(required) > 0 {
		n.hoistRequired(node, required)
	}
}

// takesRequired reports whether a property schema says required: true, and
// takes the key out: the parent lists it instead (what the author meant).
func takesRequired(prop *yaml.Node) bool {
	if prop.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(prop.Content); i += 2 {
		if prop.Content[i].Value == "required" && prop.Content[i+1].Kind == yaml.ScalarNode {
			return prop.Content[i+1].Value == "true"
		}
	}
	return false
}

// hoistRequired adds names to the object's required list.
func (n *normalizer) hoistRequired(node *yaml.Node, names []*yaml.Node) {
	var list *yaml.Node
	for i := 0; i+1 < len(node.Content); i += 2 {
		if node.Content[i].Value == "required" && node.Content[i+1].Kind == yaml.SequenceNode {
			list = node.Content[i+1]
		}
	}
	if list == nil {
		list = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		node.Content = append(node.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "required"}, list)
	}
	for _, name := range names {
		have := false
		for _, c := range list.Content {
			have = have || c.Value == name.Value
		}
		if !have {
			list.Content = append(list.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: name.Value})
		}
	}
}

// tuple turns draft-4 tuple items (items: [A, B]) into what OpenAPI can
// say: prefixItems in 3.1; elsewhere items that are any of A, B (each item
// is checked against the schemas of every position, not its own).
func (n *normalizer) tuple(node *yaml.Node, i int, pointer string) {
	value := node.Content[i+1]
	if len(value.Content) == 0 {
		n.add(value, pointer, ClassTupleItems, "items is an empty list; Decoy accepts any items")
		node.Content[i+1] = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: value.Line, Column: value.Column}
		return
	}
	if n.version == "3.1" {
		n.add(value, pointer, ClassTupleItems, "items is a list (draft-4 tuple form); Decoy reads it as prefixItems")
		node.Content[i].Value = "prefixItems"
		return
	}
	if len(value.Content) == 1 {
		n.add(value, pointer, ClassTupleItems, "items is a list of one schema (draft-4 tuple form); Decoy reads it as that schema")
		node.Content[i+1] = value.Content[0]
		return
	}
	if n.version == "2.0" {
		// Swagger 2.0 has no anyOf: one schema all positions share, or
		// the type they share, or any item.
		first, _ := yaml.Marshal(value.Content[0])
		same, typ := true, scalarValue(value.Content[0], "type")
		for _, c := range value.Content[1:] {
			text, _ := yaml.Marshal(c)
			same = same && bytes.Equal(text, first)
			if scalarValue(c, "type") != typ {
				typ = ""
			}
		}
		switch {
		case same:
			n.add(value, pointer, ClassTupleItems, "items is a list of %d equal schemas (draft-4 tuple form); Decoy reads it as that schema", len(value.Content))
			node.Content[i+1] = value.Content[0]
		case typ != "":
			n.add(value, pointer, ClassTupleItems, "items is a list of %d schemas (draft-4 tuple form), which Swagger 2.0 cannot say; Decoy checks only that every item is of type %s", len(value.Content), typ)
			node.Content[i+1] = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: value.Line, Column: value.Column, Content: []*yaml.Node{
				{Kind: yaml.ScalarNode, Tag: "!!str", Value: "type"}, {Kind: yaml.ScalarNode, Tag: "!!str", Value: typ},
			}}
		default:
			n.add(value, pointer, ClassTupleItems, "items is a list of %d schemas (draft-4 tuple form), which Swagger 2.0 cannot say; Decoy accepts any items", len(value.Content))
			node.Content[i+1] = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: value.Line, Column: value.Column}
		}
		return
	}
	n.add(value, pointer, ClassTupleItems, "items is a list of %d schemas (draft-4 tuple form), which %s cannot say; Decoy checks every item against anyOf them", len(value.Content), versionName(n.version))
	node.Content[i+1] = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: value.Line, Column: value.Column, Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: "anyOf", Line: value.Line, Column: value.Column},
		value,
	}}
}

// scalarValue is the value of a scalar key of a mapping node, or "".
func scalarValue(node *yaml.Node, key string) string {
	if v := mapValue(node, key); v != nil && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	return ""
}

var httpMethods = map[string]bool{"get": true, "put": true, "post": true, "delete": true, "options": true, "head": true, "patch": true, "trace": true}

// hasOperationRef reports whether data has an operation given as a $ref
// (`get: {$ref: …}` in any of YAML's or JSON's forms), which OpenAPI does
// not allow and kin-openapi silently empties: a document or file that has
// one is repaired before it is decoded. It looks only around each "$ref",
// so a 70 MiB document costs a scan.
func hasOperationRef(data []byte) bool {
	for from := 0; ; {
		i := bytes.Index(data[from:], []byte("$ref"))
		if i < 0 {
			return false
		}
		at := from + i
		from = at + 4
		j := at - 1
		if j >= 0 && (data[j] == '"' || data[j] == '\'') {
			j--
		}
		skip := func() {
			for j >= 0 && (data[j] == ' ' || data[j] == '\t' || data[j] == '\n' || data[j] == '\r') {
				j--
			}
		}
		skip()
		if j >= 0 && data[j] == '{' {
			j--
			skip()
		}
		if j < 0 || data[j] != ':' {
			continue
		}
		j--
		skip()
		if j >= 0 && (data[j] == '"' || data[j] == '\'') {
			j--
		}
		end := j + 1
		for j >= 0 && data[j] >= 'a' && data[j] <= 'z' {
			j--
		}
		if httpMethods[string(data[j+1:end])] && (j < 0 || bytes.IndexByte([]byte(" \t\n\r\"'{,"), data[j]) >= 0) {
			return true
		}
	}
}

// inlineOperation replaces an operation given as a $ref by what the $ref
// names, its own $refs rebased to stay true from here.
func (n *normalizer) inlineOperation(node *yaml.Node, pointer string) {
	ref := refOf(node)
	target, err := n.resolve(ref)
	if err != nil {
		n.add(node, pointer, ClassOperationRef, "an operation given as a $ref (%s) is not OpenAPI, and Decoy could not read it: %v; the operation is left empty", ref, err)
		return
	}
	n.add(node, pointer, ClassOperationRef, "an operation given as a $ref (%s) is not OpenAPI (path items may be $refs, operations may not); Decoy reads the operation from there", ref)
	line, col := node.Line, node.Column
	*node = *target
	var mark func(x *yaml.Node)
	mark = func(x *yaml.Node) {
		x.Line, x.Column = line, col
		for _, c := range x.Content {
			mark(c)
		}
	}
	mark(node)
}

// resolve reads the node a $ref names, relative to n.file, with every
// $ref inside it rebased so that it names the same thing from n.file.
func (n *normalizer) resolve(ref string) (*yaml.Node, error) {
	file, fragment, _ := strings.Cut(ref, "#")
	if file == "" {
		return nil, fmt.Errorf("a $ref inside the same file is not followed here")
	}
	if n.read == nil || strings.Contains(file, "://") {
		return nil, fmt.Errorf("not a local file")
	}
	target := path.Join(path.Dir(n.file), file)
	data, err := n.read(target)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yamlnode.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("empty file")
	}
	node := nodeAt(doc.Content[0], fragment)
	if node == nil {
		return nil, fmt.Errorf("%s has no %s", file, fragment)
	}
	if node.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s is not an object", ref)
	}
	rebase(node, path.Dir(file), file)
	return node, nil
}

// rebase rewrites the $refs of a subtree read from file (named relative
// to the including file, in folder dir) so that they resolve the same from
// the including file.
func rebase(node *yaml.Node, dir, file string) {
	if node.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(node.Content); i += 2 {
			k, v := node.Content[i], node.Content[i+1]
			if k.Value == "$ref" && v.Kind == yaml.ScalarNode && !strings.Contains(v.Value, "://") {
				switch {
				case strings.HasPrefix(v.Value, "#"):
					v.Value = file + v.Value
				case !strings.HasPrefix(v.Value, "/"):
					v.Value = path.Join(dir, v.Value)
				}
				continue
			}
			rebase(v, dir, file)
		}
		return
	}
	for _, c := range node.Content {
		rebase(c, dir, file)
	}
}
