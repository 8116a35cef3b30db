package openapi

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/decoy-mock/decoy/internal/golden"
)

// realworld lists the specs of testdata/realworld: one per class of flaw
// seen in real API descriptions, each with a golden list of findings.
var realworld = []string{
	"no-info.yaml",
	"empty-title.yaml",
	"response-description.yaml",
	"path-query.yaml",
	"keywords31-in-30.yaml",
	"ref-siblings.yaml",
	"bad-default.yaml",
	"wrong-shape.yaml",
	"keywords-2020.yaml",
	"ecma-pattern.yaml",
	"path-conflict.yaml",
	"path-params.yaml",
	"tuple-items.yaml",
	"type-array-30.yaml",
	"multifile/api/openapi.yaml",
	"ref-kinds.yaml",
	"wrong-types.yaml",
	"http-rules.yaml",
}

// TestRealWorldFlawsLoadAsFindings loads each flawed spec (none may be
// refused) and compares its findings with the golden file beside it.
func TestRealWorldFlawsLoadAsFindings(t *testing.T) {
	root := filepath.Join("testdata", "realworld")
	for _, name := range realworld {
		t.Run(name, func(t *testing.T) {
			spec, err := Load(os.DirFS(root), name, LoadOptions{Dir: root})
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if len(spec.Operations) == 0 {
				t.Fatal("no operation is served")
			}
			var b strings.Builder
			for _, f := range spec.Findings {
				if f.Class == "" || f.Pointer == "" || f.Where == "" {
					t.Errorf("finding without class, pointer or place: %+v", f)
				}
				b.WriteString(filepath.ToSlash(f.String()))
				b.WriteString("\n")
			}
			golden.Check(t, filepath.Join(root, strings.TrimSuffix(name, filepath.Ext(name))+".findings.golden"), []byte(b.String()), *update)
		})
	}
}
