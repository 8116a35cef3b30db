package mockserver

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestProblemKindsAreInTheTable holds problemKinds to the code: every
// problemOf call names a kind the table has, and every kind of the table
// is in use; each kind is a breach or a control or neither, never both,
// and a breach is a violation kind GET /__decoy/violations lists in order.
func TestProblemKindsAreInTheTable(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "problemOf" || len(call.Args) == 0 {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok {
				if fn, _ := call.Args[0].(*ast.Ident); fn == nil || fn.Name != "kind" {
					t.Errorf("%s: problemOf with a kind that is not a literal", fset.Position(call.Pos()))
				}
				return true
			}
			kind, _ := strconv.Unquote(lit.Value)
			used[kind] = true
			if _, ok := problemKinds[kind]; !ok {
				t.Errorf("%s: problemOf(%q): no such kind in problemKinds", fset.Position(call.Pos()), kind)
			}
			return true
		})
	}
	for kind, k := range problemKinds {
		if !used[kind] && !k.upstream {
			t.Errorf("problemKinds has %q, which no problemOf call uses", kind)
		}
		if k.breach != "" && k.control {
			t.Errorf("%q is both a breach and a control", kind)
		}
		if k.breach != "" && !slices.Contains(kindOrder, k.breach) {
			t.Errorf("%q counts as violation kind %q, which kindOrder does not list", kind, k.breach)
		}
		if k.title == "" || (k.status == 0) != (kind == "validation-failed") {
			t.Errorf("%q: status %d, title %q", kind, k.status, k.title)
		}
	}
}

// TestProblemGoldensMatchTheTable reads every golden problem document and
// checks that its status and title are those problemKinds gives its kind.
func TestProblemGoldensMatchTheTable(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "problems", "*.golden"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden problem documents: %v", err)
	}
	checked := 0
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		_, body, ok := bytes.Cut(b, []byte("\n\n"))
		if !ok {
			_, body, _ = bytes.Cut(b, []byte("\r\n\r\n"))
		}
		var p struct {
			Type, Title string
			Status      int
		}
		if err := json.Unmarshal(body, &p); err != nil || !strings.HasPrefix(p.Type, problemType) {
			continue // a body in the spec's own shape
		}
		checked++
		kind := strings.TrimPrefix(p.Type, problemType)
		k, ok := problemKinds[kind]
		switch {
		case kind == "scenario":
			if p.Title != http.StatusText(p.Status) {
				t.Errorf("%s: title %q, want %q", name, p.Title, http.StatusText(p.Status))
			}
		case !ok:
			t.Errorf("%s: kind %q is not in problemKinds", name, kind)
		case k.title != p.Title || (k.status != 0 && k.status != p.Status):
			t.Errorf("%s: %d %q, the table says %d %q", name, p.Status, p.Title, k.status, k.title)
		}
	}
	if checked < 10 {
		t.Errorf("only %d of %d golden files are problem documents: is the golden format unchanged?", checked, len(files))
	}
}
