package openapi_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/decoy-mock/decoy/openapi"
)

func load(t *testing.T, name string) (*openapi.Spec, error) {
	t.Helper()
	return openapi.Load(os.DirFS("testdata"), name, openapi.LoadOptions{Dir: "testdata"})
}

func TestLoadErrorsNameFileAndPlace(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"broken-yaml.yaml", []string{"testdata/broken-yaml.yaml", "line 11"}},
		{"missing-ref.yaml", []string{"testdata/missing-ref.yaml", "#/components/schemas/Nope"}},
		{"escaping-ref.yaml", []string{"testdata/escaping-ref.yaml", "leaves the ref root", "--ref-root"}},
		{"remote-ref.yaml", []string{"testdata/remote-ref.yaml", "remote $refs are not fetched"}},
		{"swagger-unsupported.yaml", []string{"testdata/swagger-unsupported.yaml", `unsupported version "1.2"`}},
		{"does-not-exist.yaml", []string{"testdata/does-not-exist.yaml", "no such file"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := load(t, tt.file)
			if err == nil {
				t.Fatal("loaded without error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestInvalidExampleIsAFindingNotAnError(t *testing.T) {
	spec, err := load(t, "bad-example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(spec.Findings) != 1 {
		t.Fatalf("findings = %v, want exactly the bad example", spec.Findings)
	}
	f := spec.Findings[0].String()
	for _, w := range []string{"testdata/bad-example.yaml:", "/examples/wrong/value", "/id"} {
		if !strings.Contains(f, w) {
			t.Errorf("finding %q lacks %q", f, w)
		}
	}
	op := spec.Operation("GET /a")
	if got := op.Responses[0].Content[0].Examples; len(got) != 1 || got[0].Name != "good" {
		t.Errorf("examples kept = %v, want only the valid one", got)
	}
}

func TestRouter(t *testing.T) {
	spec, err := load(t, "routes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		method, path string
		op           string
		params       map[string]string
		err          error
	}{
		{"GET", "/users/me", "getMe", nil, nil},
		{"GET", "/users/42", "getUser", map[string]string{"id": "42"}, nil},
		{"GET", "/users/42/avatar.png", "getAvatar", map[string]string{"id": "42", "ext": "png"}, nil},
		{"GET", "/files/a%2Fb.txt", "getFile", map[string]string{"name": "a/b.txt"}, nil},
		{"GET", "/api/v3/users/me", "getMe", nil, nil},
		{"HEAD", "/users/me", "getMe", nil, nil},
		{"PUT", "/users/me", "putMe", nil, nil},
		{"DELETE", "/users/me", "", nil, openapi.ErrMethodNotAllowed},
		{"GET", "/users", "", nil, openapi.ErrNoRoute},
		{"GET", "/users/", "", nil, openapi.ErrNoRoute},
		{"GET", "/users/1/2", "", nil, openapi.ErrNoRoute},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			op, entry, params, err := spec.Match(tt.method, tt.path)
			if err != tt.err {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if err == openapi.ErrMethodNotAllowed {
				if entry.Allow != "GET, HEAD, OPTIONS, PUT" {
					t.Errorf("Allow = %q", entry.Allow)
				}
				return
			}
			if err != nil {
				return
			}
			if op.ID != tt.op {
				t.Errorf("operation %s, want %s", op.ID, tt.op)
			}
			for k, v := range tt.params {
				if params[k] != v {
					t.Errorf("param %s = %q, want %q", k, params[k], v)
				}
			}
		})
	}
}

func TestFilesListsEveryFileRead(t *testing.T) {
	spec, err := openapi.Load(os.DirFS("../mockserver/testdata/specs/multifile"), "openapi.yaml", openapi.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"openapi.yaml", "paths/orders.yaml", "schemas/common.yaml", "schemas/order.yaml", "schemas/pet.yaml"}
	for _, w := range want {
		found := false
		for _, f := range spec.Files {
			found = found || f == w
		}
		if !found {
			t.Errorf("Files = %v, lacks %s", spec.Files, w)
		}
	}
}

func TestSymlinkOutOfTheFolderIsRefused(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.yaml"), []byte("Thing: {type: string}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret.yaml"), filepath.Join(dir, "schemas.yaml")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	spec := `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: 'schemas.yaml#/Thing'}
`
	if err := os.WriteFile(filepath.Join(dir, "openapi.yaml"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := openapi.Load(os.DirFS(dir), "openapi.yaml", openapi.LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("err = %v, want the symlink named", err)
	}
}

func TestSpecLargerThanTheLimit(t *testing.T) {
	_, err := openapi.Load(os.DirFS("testdata"), "routes.yaml", openapi.LoadOptions{MaxBytes: 100})
	if err == nil || !strings.Contains(err.Error(), "larger than the limit") {
		t.Fatalf("err = %v", err)
	}
}

func TestSameTemplateWithOtherParameterNames(t *testing.T) {
	spec := `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /orgs/{org}/attestations/{subject_digest}:
    get:
      operationId: listBySubject
      parameters:
        - {name: org, in: path, required: true, schema: {type: string}}
        - {name: subject_digest, in: path, required: true, schema: {type: string}}
      responses: {'200': {description: ok}}
  /orgs/{org}/attestations/{attestation_id}:
    delete:
      operationId: deleteAttestation
      parameters:
        - {name: org, in: path, required: true, schema: {type: string}}
        - {name: attestation_id, in: path, required: true, schema: {type: integer}}
      responses: {'204': {description: ok}}
`
	s, err := openapi.Load(fstest.MapFS{"openapi.yaml": {Data: []byte(spec)}}, "openapi.yaml", openapi.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Findings) != 1 || !strings.Contains(s.Findings[0].Message, "same template") {
		t.Errorf("findings = %v", s.Findings)
	}
	op, _, params, err := s.Match("GET", "/orgs/acme/attestations/sha256:abc")
	if err != nil || op.ID != "listBySubject" || params["subject_digest"] != "sha256:abc" {
		t.Errorf("GET: %v %v %v", op, params, err)
	}
	op, _, params, err = s.Match("DELETE", "/orgs/acme/attestations/42")
	if err != nil || op.ID != "deleteAttestation" || params["attestation_id"] != "42" {
		t.Errorf("DELETE: %v %v %v", op, params, err)
	}
}

// TestUnresolvedRefNamesItsPlace: a $ref that does not resolve is reported
// at the line and column where it is written, not only by its text.
func TestUnresolvedRefNamesItsPlace(t *testing.T) {
	yamlDoc := `openapi: 3.1.0
info: {title: x, version: "1", description: "mentions #/components/schemas/Nope in passing"}
paths:
  /a:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Nope"
`
	jsonDoc := "{\n \"openapi\": \"3.1.0\",\n \"info\": {\"title\": \"x\", \"version\": \"1\"},\n \"paths\": {\"/a\": {\"get\": {\"responses\": {\"200\": {\"description\": \"ok\",\n" +
		"   \"content\": {\"application/json\": {\"schema\": {\"$ref\": \"#/components/schemas/Nope\"}}}}}}}}\n}\n"
	for name, doc := range map[string]string{"openapi.yaml": yamlDoc, "openapi.json": jsonDoc} {
		_, err := openapi.Load(fstest.MapFS{name: {Data: []byte(doc)}}, name, openapi.LoadOptions{})
		want := map[string]string{"openapi.yaml": "openapi.yaml:12:24: ", "openapi.json": "openapi.json:5:57: "}[name]
		if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "#/components/schemas/Nope") {
			t.Errorf("%s: %v, want it to start with %q", name, err, want)
		}
	}
}
