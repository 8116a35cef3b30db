// Package yamlnode reads the YAML files Decoy's users write (fixtures,
// scenarios) through yaml.Node, so that every problem names its place:
// the one error type, "file:line:col: path: message", and the parsing and
// node helpers that fixtures and scenarios share. Its Unmarshal serves the
// raw reads of API descriptions in openapi, which may be large JSON.
package yamlnode

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
)

// Error is one problem in a YAML file, compiler style: the file as the user
// knows it, the line and column (1-based; 0 when unknown), where inside the
// file and what is wrong.
type Error struct {
	// File is the file as the user knows it, e.g. "fixtures/pets.yaml".
	File string
	// Line and Column are 1-based; 0 when unknown.
	Line, Column int
	// Path is where inside the file: a JSON pointer in a fixture file
	// ("/stubs/0/response"), a field in a scenario file
	// ("rules[0].latency"); "" for the file as a whole.
	Path string
	// Message says what is wrong, lowercase, without a final period.
	Message string
}

// Error renders e as "file:line:col: path: message", leaving out what is
// unknown.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
		if e.Column > 0 {
			b.WriteString(":" + strconv.Itoa(e.Column))
		}
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// At returns the problem the message formats, at n's line and column (none
// when n is nil).
func At(file string, n *yaml.Node, path, format string, args ...any) *Error {
	e := &Error{File: file, Path: path, Message: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	return e
}

// Resolve follows aliases to the node they stand for; an alias without a
// target is returned as it is.
func Resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && n.Alias != nil && i < 64; i++ {
		n = n.Alias
	}
	return n
}

// SyntaxError returns the line and column a parse error of the YAML
// library names (0 when it names none) and its message without the
// library's "yaml: line N: " prefix.
func SyntaxError(err error) (line, column int, msg string) {
	msg = strings.TrimPrefix(err.Error(), "yaml: ")
	var le *yaml.LoadError
	if !errors.As(err, &le) {
		return 0, 0, msg
	}
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if _, tail, ok := strings.Cut(rest, ": "); ok {
			msg = tail
		}
	}
	return le.Mark.Line, le.Mark.Column, msg
}

// docStart is what Decoder writes before a document that opens with a flow
// collection; see NewDecoder.
const docStart = "--- "

// Decoder reads the YAML documents of one file in turn, as nodes that keep
// the line and column of every value.
type Decoder struct {
	dec *yaml.Decoder
	// shifted says the data starts with docStart, so that what stands on
	// line 1 is len(docStart) columns further right than in the file.
	shifted bool
}

// NewDecoder returns a Decoder over data.
//
// A file that opens with "[" or "{" (every JSON file) is read after an
// explicit document start, "--- ", which the positions then leave out:
// go-yaml v4 keeps every token of a flow collection that starts where a
// mapping key could (the top of a document) until the collection closes,
// in case a ":" follows it, which costs 2 GiB of allocation for a JSON list
// of 100,000 items instead of 220 MiB. No key can start on the line of
// "---", so the parser streams. The one document this changes is one whose
// top-level key is a flow collection (`[a, b]: c`), which Decoy's files do
// not allow anyway: it becomes a syntax error.
func NewDecoder(data []byte) *Decoder {
	data, shifted := guard(data)
	return &Decoder{dec: yaml.NewDecoder(bytes.NewReader(data)), shifted: shifted}
}

// guard puts docStart before data that opens with a flow collection, and
// says whether it did.
func guard(data []byte) ([]byte, bool) {
	if len(data) == 0 || (data[0] != '[' && data[0] != '{') {
		return data, false
	}
	return append([]byte(docStart), data...), true
}

// Unmarshal is yaml.Unmarshal with the same guard as NewDecoder, for
// documents that may be large JSON (an API description); a *yaml.Node keeps
// the positions of the file.
func Unmarshal(data []byte, v any) error {
	data, shifted := guard(data)
	err := yaml.Unmarshal(data, v)
	if !shifted {
		return err
	}
	if err != nil {
		return unshiftError(err)
	}
	if n, ok := v.(*yaml.Node); ok {
		unshiftNodes(n)
	}
	return nil
}

// Decode reads the next document into doc. It returns io.EOF after the
// last one, and the YAML library's error (a *yaml.LoadError for a syntax
// error) when the document cannot be read.
func (d *Decoder) Decode(doc *yaml.Node) error {
	err := d.dec.Decode(doc)
	if !d.shifted {
		return err
	}
	if err != nil {
		return unshiftError(err)
	}
	unshiftNodes(doc)
	return nil
}

// unshiftError moves a syntax error on line 1 back to its column in the
// file.
func unshiftError(err error) error {
	var le *yaml.LoadError
	if errors.As(err, &le) && (le.Mark.Line == 1 || le.ContextMark.Line == 1) {
		c := *le
		c.Mark = unshift(c.Mark)
		c.ContextMark = unshift(c.ContextMark)
		return &c
	}
	return err
}

func unshift(m yaml.Mark) yaml.Mark {
	if m.Line == 1 && m.Column > len(docStart) {
		m.Column -= len(docStart)
		m.Index -= len(docStart)
	}
	return m
}

// unshiftNodes moves the nodes on line 1 back to the columns they have in
// the file. Only the first lines can hold them: nodes come in document
// order, so the walk stops at the first node below line 1.
func unshiftNodes(n *yaml.Node) bool {
	if n.Line > 1 {
		return false
	}
	if n.Line == 1 && n.Column > len(docStart) {
		n.Column -= len(docStart)
	}
	for _, c := range n.Content {
		if !unshiftNodes(c) {
			return false
		}
	}
	return true
}
