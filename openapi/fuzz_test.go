package openapi_test

import (
	"os"
	"testing"
	"testing/fstest"

	"github.com/decoy-mock/decoy/openapi"
)

// FuzzLoad feeds arbitrary documents to the loader: it returns a spec or an
// error naming the file, and never panics or hangs.
func FuzzLoad(f *testing.F) {
	for _, name := range []string{"routes.yaml", "bad-example.yaml", "broken-yaml.yaml", "invalid-doc.yaml", "missing-ref.yaml"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}}`))
	f.Add([]byte("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{"openapi.yaml": {Data: data}}
		spec, err := openapi.Load(fsys, "openapi.yaml", openapi.LoadOptions{})
		if err == nil && spec == nil {
			t.Fatal("no spec and no error")
		}
		if spec != nil {
			for _, op := range spec.Operations {
				spec.Match(op.Method, op.Path)
			}
		}
	})
}
