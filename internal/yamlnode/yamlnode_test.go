package yamlnode

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
)

func TestErrorRendersFileLineColumnPathMessage(t *testing.T) {
	for _, tt := range []struct {
		e    Error
		want string
	}{
		{Error{File: "s.yaml", Line: 3, Column: 7, Path: "rules[0].status", Message: "bad"}, "s.yaml:3:7: rules[0].status: bad"},
		{Error{File: "f.yaml", Line: 3, Column: 7, Path: "/stubs/0", Message: "bad"}, "f.yaml:3:7: /stubs/0: bad"},
		{Error{File: "s.yaml", Line: 3, Message: "bad"}, "s.yaml:3: bad"},
		{Error{File: "s.yaml", Column: 7, Message: "bad"}, "s.yaml: bad"},
		{Error{File: "s.yaml", Message: "bad"}, "s.yaml: bad"},
	} {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("%+v renders %q, want %q", tt.e, got, tt.want)
		}
	}
}

// plainNodes decodes every document of data with the YAML library alone.
func plainNodes(t testing.TB, data []byte) ([]*yaml.Node, error) {
	t.Helper()
	return allNodes(yaml.NewDecoder(bytes.NewReader(data)).Decode)
}

// guardedNodes decodes every document of data with a Decoder.
func guardedNodes(t testing.TB, data []byte) ([]*yaml.Node, error) {
	t.Helper()
	dec := NewDecoder(data)
	return allNodes(func(v any) error { return dec.Decode(v.(*yaml.Node)) })
}

func allNodes(decode func(any) error) ([]*yaml.Node, error) {
	var out []*yaml.Node
	for {
		var n yaml.Node
		err := decode(&n)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, &n)
	}
}

// sameTree reports where two trees differ in kind, tag, value or place.
func sameTree(a, b *yaml.Node, at string) error {
	if a.Kind != b.Kind || a.Tag != b.Tag || a.Value != b.Value || len(a.Content) != len(b.Content) {
		return fmt.Errorf("%s: %v %s %q (%d children) vs %v %s %q (%d children)", at, a.Kind, a.Tag, a.Value, len(a.Content), b.Kind, b.Tag, b.Value, len(b.Content))
	}
	// A value that is not written ("[a:\n]") has no place in the file;
	// the library puts it at the ":" or at the next token depending on
	// what it has read ahead, which the guard changes.
	if (a.Line != b.Line || a.Column != b.Column) && !unwritten(b) {
		return fmt.Errorf("%s (%q): at %d:%d, want %d:%d", at, a.Value, a.Line, a.Column, b.Line, b.Column)
	}
	for i := range a.Content {
		if err := sameTree(a.Content[i], b.Content[i], fmt.Sprintf("%s/%d", at, i)); err != nil {
			return err
		}
	}
	return nil
}

func unwritten(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Value == "" && n.Style == 0 && n.Tag == "!!null"
}

// The document start the Decoder adds before a JSON file must not show in
// any position, nor change what is read.
func TestDecoderKeepsThePositionsOfTheFile(t *testing.T) {
	inputs := []string{
		`{"a": 1, "b": [true, null, "x"], "c": {"d": [{"e": 1.5}]}}`,
		"[{\"id\": 1, \"tags\": [\"a\", \"b\"]},\n {\"id\": 2}]\n",
		"{\n  \"a\": [1,\n    2],\n  \"b\": {}\n}\n",
		"[]",
		"{}\n---\n[1, 2]\n",
		"[1, 2] # comment\n",
		"{a: &x [1, 2], b: *x}\n",
	}
	files, _ := filepath.Glob(filepath.Join("..", "..", "openapi", "testdata", "*.json"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, string(data))
	}
	for i, in := range inputs {
		want, werr := plainNodes(t, []byte(in))
		got, gerr := guardedNodes(t, []byte(in))
		if (werr == nil) != (gerr == nil) {
			t.Errorf("input %d: error %v, want %v", i, gerr, werr)
			continue
		}
		if len(got) != len(want) {
			t.Errorf("input %d: %d documents, want %d", i, len(got), len(want))
			continue
		}
		for j := range got {
			if err := sameTree(got[j], want[j], ""); err != nil {
				t.Errorf("input %d, document %d: %v", i, j, err)
			}
		}
		var plain, guarded yaml.Node
		perr, gerr := yaml.Unmarshal([]byte(in), &plain), Unmarshal([]byte(in), &guarded)
		if (perr == nil) != (gerr == nil) {
			t.Errorf("input %d: Unmarshal error %v, want %v", i, gerr, perr)
		} else if err := sameTree(&guarded, &plain, ""); err != nil {
			t.Errorf("input %d: Unmarshal: %v", i, err)
		}
	}
}

func TestSyntaxErrorNamesThePlaceInTheFile(t *testing.T) {
	for _, tt := range []struct {
		in        string
		line, col int
		msg       string
	}{
		{"stubs:\n  - operation: getPet\n   response: {\n", 3, 4, "did not find expected '-' indicator"},
		{`{"a": 1,, "b": 2}`, 1, 9, "did not find expected node content"},
		{"[1, 2\n", 2, 1, "did not find expected ',' or ']'"},
		{"a: b: c\n", 1, 5, "mapping values are not allowed in this context"},
	} {
		var n yaml.Node
		err := NewDecoder([]byte(tt.in)).Decode(&n)
		if err == nil {
			t.Errorf("%q: no error", tt.in)
			continue
		}
		line, col, msg := SyntaxError(err)
		if line != tt.line || col != tt.col || msg != tt.msg {
			t.Errorf("%q: %d:%d: %s, want %d:%d: %s", tt.in, line, col, msg, tt.line, tt.col, tt.msg)
		}
	}
}

// A JSON list of many items is read as a stream: go-yaml v4 alone buffers
// every token of it (2 GiB of allocation for these 100,000 items).
func TestDecoderStreamsALargeJSONList(t *testing.T) {
	var b strings.Builder
	b.WriteString("[\n")
	for i := range 100_000 {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"id": %d, "name": "pet %d", "tags": ["a", "b"]}`, i+1, i+1)
	}
	b.WriteString("\n]\n")
	data := []byte(b.String())
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var n yaml.Node
	if err := NewDecoder(data).Decode(&n); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if got := (after.TotalAlloc - before.TotalAlloc) >> 20; got > 512 {
		t.Errorf("decoding allocated %d MiB, want at most 512", got)
	}
	if len(n.Content) != 1 || len(n.Content[0].Content) != 100_000 {
		t.Errorf("decoded %d documents, want one list of 100000 items", len(n.Content))
	}
}

func FuzzDecoderKeepsThePositionsOfTheFile(f *testing.F) {
	for _, s := range []string{`{"a": [1, {"b": 2}]}`, "[1,\n 2]", "{a: 1}\n---\n[x]", `["\u00e9", 1e3]`, "[a:\n]", "[a: ,\n]", "[\n:]"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			return
		}
		want, werr := plainNodes(t, data)
		got, gerr := guardedNodes(t, data)
		if werr != nil || gerr != nil {
			// A top-level key that is a flow collection ([a]: b) is an
			// error after the guard; every other document reads the same.
			return
		}
		if len(got) != len(want) {
			t.Fatalf("%d documents, want %d", len(got), len(want))
		}
		for j := range got {
			if err := sameTree(got[j], want[j], ""); err != nil {
				t.Fatalf("document %d: %v", j, err)
			}
		}
	})
}
