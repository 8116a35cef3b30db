package openapi

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// Load's handling of JSON documents around its fast path (package jsondoc,
// whose tests check the fast path against kin-openapi).

// TestJSONSwaggerTakesItsOwnPath checks that a JSON Swagger 2.0 document is
// converted as before, and an unsupported Swagger version refused.
func TestJSONSwaggerTakesItsOwnPath(t *testing.T) {
	swagger := `{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}}`
	spec, err := Load(fstest.MapFS{"api.json": {Data: []byte(swagger)}}, "api.json", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if spec.Version != "2.0" || spec.Operation("GET /a") == nil {
		t.Errorf("version %q, operations %v", spec.Version, spec.Operations)
	}
	old := strings.Replace(swagger, `"2.0"`, `"1.2"`, 1)
	_, err = Load(fstest.MapFS{"api.json": {Data: []byte(old)}}, "api.json", LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), `unsupported version "1.2"`) {
		t.Errorf("err = %v, want the unsupported version named", err)
	}
}

// TestInvalidJSONNamesLineAndColumn checks that a JSON document with a
// syntax error is refused with the place of the error.
func TestInvalidJSONNamesLineAndColumn(t *testing.T) {
	data := "{\n  \"openapi\": \"3.0.3\",\n  \"info\": {\"title\": \"t\" \"version\": \"1\"},\n  \"paths\": {}\n}\n"
	_, err := Load(fstest.MapFS{"openapi.json": {Data: []byte(data)}}, "openapi.json", LoadOptions{Dir: "project"})
	if err == nil {
		t.Fatal("loaded without error")
	}
	for _, want := range []string{"project/openapi.json:3:25:", "invalid JSON", "invalid character"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// TestYAMLFlowStyleKeepsKinErrors checks that a YAML document in flow style,
// which starts as JSON but is not, keeps the error kin-openapi gives it.
func TestYAMLFlowStyleKeepsKinErrors(t *testing.T) {
	data := `{openapi: 3.0.3, info: {title: t, version: "1"}, paths: {/a: {get: {responses: {"200": {$ref: "#/components/responses/Nope"}}}}}}`
	_, err := Load(fstest.MapFS{"openapi.yaml": {Data: []byte(data)}}, "openapi.yaml", LoadOptions{})
	if err == nil || strings.Contains(err.Error(), "invalid JSON") || !strings.Contains(err.Error(), "Nope") {
		t.Errorf("err = %v, want the missing $ref named", err)
	}
}

// TestJSONSpecFindingsNameTheirPlace loads a JSON spec through Load and
// checks the place its findings name.
func TestJSONSpecFindingsNameTheirPlace(t *testing.T) {
	data := "{\n\t\"openapi\": \"3.0.3\",\n\t\"info\": {\"title\": \"t\", \"version\": \"1\"},\n\t\"paths\": {\"/a\": {\"get\": {\"responses\": {\"200\": {\"description\": \"ok\",\n" +
		"\t\t\"content\": {\"application/json\": {\"schema\": {\"type\": \"integer\"},\n" +
		"\t\t\t\"examples\": {\"bad\": {\"value\": \"x\"}, \"good\": {\"value\": 1}}}}}}}}}\n}\n"
	spec, err := Load(fstest.MapFS{"openapi.json": {Data: []byte(data)}}, "openapi.json", LoadOptions{Dir: "p"})
	if err != nil {
		t.Fatal(err)
	}
	if len(spec.Findings) != 1 || spec.Findings[0].Where != "p/openapi.json:6:17" {
		t.Errorf("findings = %v, want the bad example at p/openapi.json:6:17", spec.Findings)
	}
}

// TestLoadTakesTheJSONFastPath checks that Load builds every JSON OpenAPI 3
// document of the test data (and GitHub's, when DECOY_GITHUB_SPEC names
// it) with the fast path, so that a change that makes Load fall back to
// kin-openapi, which is many times slower, fails here rather than only in
// a benchmark. jsondoc's TestDecodeJSONMatchesKin checks that what the fast
// path builds is what kin-openapi builds.
func TestLoadTakesTheJSONFastPath(t *testing.T) {
	var files []string
	err := filepath.WalkDir("testdata", func(file string, entry fs.DirEntry, err error) error {
		if err != nil || entry.IsDir() || filepath.Ext(file) != ".json" {
			return err
		}
		data, err := os.ReadFile(file)
		if err == nil && bytes.Contains(data, []byte(`"openapi"`)) {
			files = append(files, file)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if p := os.Getenv("DECOY_GITHUB_SPEC"); p != "" {
		files = append(files, p)
	}
	if len(files) < 3 {
		t.Fatalf("only %d JSON documents in testdata: %v", len(files), files)
	}
	for _, file := range files {
		t.Run(filepath.ToSlash(file), func(t *testing.T) {
			spec, err := Load(os.DirFS(filepath.Dir(file)), filepath.Base(file), LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !spec.jsonFast {
				t.Error("Load left the document to kin-openapi's decoder")
			}
		})
	}
}
