package openapi

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/decoy-mock/decoy/internal/bounded"
	"github.com/decoy-mock/decoy/internal/golden"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/postman and testdata/realworld")

func TestPostmanDetection(t *testing.T) {
	tests := []struct {
		name string
		data string
		want bool
	}{
		{"v2.1 schema", `{"info": {"name": "a", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"}, "item": []}`, true},
		{"v2.0 schema", `{"info": {"name": "a", "schema": "https://schema.getpostman.com/json/collection/v2.0.0/collection.json"}, "item": []}`, true},
		{"postman id and items", `{"info": {"_postman_id": "x", "name": "a"}, "item": []}`, true},
		{"postman id without items", `{"info": {"_postman_id": "x", "name": "a"}}`, false},
		{"v1 collection", `{"id": "x", "name": "a", "requests": [], "info": {"schema": "https://schema.getpostman.com/json/collection/v1.0.0/collection.json"}}`, false},
		{"openapi with postman in it", `{"openapi": "3.0.3", "info": {"title": "postman", "version": "1", "_postman_id": "x"}, "item": [], "paths": {}}`, false},
		{"swagger", `{"swagger": "2.0", "info": {"title": "postman", "version": "1"}, "paths": {}}`, false},
		{"yaml", "info:\n  _postman_id: x\nitem: []\n", false},
		{"array", `[{"info": {"_postman_id": "x"}, "item": []}]`, false},
		{"broken json", `{"info": {"_postman_id": "x"}, "item": [`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isPostmanCollection([]byte(tt.data)); got != tt.want {
				t.Errorf("isPostmanCollection = %v, want %v", got, tt.want)
			}
		})
	}
	if _, _, err := postmanToOpenAPI([]byte(`{"openapi": "3.0.3"}`)); err == nil {
		t.Error("postmanToOpenAPI of an OpenAPI document: no error")
	}
}

// collection wraps items (and optional top-level fields) into a v2.1
// collection.
func collection(items string, extra ...string) string {
	more := ""
	for _, e := range extra {
		more += ", " + e
	}
	return `{"info": {"name": "T", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"}, "item": [` + items + `]` + more + `}`
}

func TestPostmanConversion(t *testing.T) {
	ok200 := `"response": [{"name": "OK", "code": 200, "header": [{"key": "Content-Type", "value": "application/json"}], "body": "{\"id\": 1}"}]`
	tests := []struct {
		name       string
		collection string
		// want maps a JSON pointer into the converted document to the JSON
		// it must hold there; "-" means the pointer must not exist.
		want     map[string]string
		findings []string // substrings, one per finding, in order
	}{
		{
			name:       "base URL host is stripped and :id is a path parameter",
			collection: collection(`{"name": "Get user", "request": {"method": "GET", "url": {"raw": "{{baseUrl}}/users/:id", "host": ["{{baseUrl}}"], "path": ["users", ":id"], "variable": [{"key": "id", "value": "u_1", "description": "The user"}]}}, ` + ok200 + `}`),
			want: map[string]string{
				"/paths/~1users~1{id}/get/operationId":  `"getUser"`,
				"/paths/~1users~1{id}/get/summary":      `"Get user"`,
				"/paths/~1users~1{id}/get/parameters/0": `{"name": "id", "in": "path", "description": "The user", "required": true, "schema": {"type": "string"}, "example": "u_1"}`,
				"/servers":                              "-",
			},
		},
		{
			name:       "raw URL with a variable segment, a collection base URL becomes a server",
			collection: collection(`{"name": "Get user", "request": {"url": "{{baseUrl}}/users/{{userId}}"}, `+ok200+`}`, `"variable": [{"key": "baseUrl", "value": "https://api.test/v1"}, {"key": "userId", "value": "1"}]`),
			want: map[string]string{
				"/paths/~1users~1{userId}/get/parameters/0/name": `"userId"`,
				"/servers": `[{"url": "https://api.test/v1"}]`,
			},
		},
		{
			name:       "a collection variable that is part of the path is resolved",
			collection: collection(`{"name": "Items", "request": {"url": "{{host}}/{{version}}/items"}, `+ok200+`}`, `"variable": [{"key": "version", "value": "v3"}]`),
			want:       map[string]string{"/paths/~1v3~1items/get/operationId": `"items"`},
		},
		{
			name:       "a base URL variable inside the path is left out with a finding",
			collection: collection(`{"name": "X", "request": {"url": "https://example.com/api/{{baseUrl}}/x"}, ` + ok200 + `}`),
			want:       map[string]string{"/paths/~1api~1x/get/operationId": `"x"`},
			findings:   []string{"{{baseUrl}} looks like a base URL but is not at the start"},
		},
		{
			name: "query items, disabled ones left out, and headers other than Content-Type, Accept and Authorization",
			collection: collection(`{"name": "Search", "request": {"method": "GET", "header": [{"key": "Content-Type", "value": "application/json"}, {"key": "Accept", "value": "*/*"}, {"key": "Authorization", "value": "Bearer x"}, {"key": "X-Trace", "value": "t1"}, {"key": "X-Off", "value": "1", "disabled": true}],
				"url": {"raw": "{{baseUrl}}/search?q=cat&debug=1", "host": ["{{baseUrl}}"], "path": ["search"], "query": [{"key": "q", "value": "cat"}, {"key": "debug", "value": "1", "disabled": true}, {"key": "page", "value": "{{page}}"}]}}, ` + ok200 + `}`),
			want: map[string]string{
				"/paths/~1search/get/parameters": `[{"name": "q", "in": "query", "schema": {"type": "string"}, "example": "cat"}, {"name": "page", "in": "query", "schema": {"type": "string"}}, {"name": "X-Trace", "in": "header", "schema": {"type": "string"}, "example": "t1"}]`,
			},
		},
		{
			name:       "query parsed from a raw URL",
			collection: collection(`{"name": "Search", "request": "http://localhost:3000/search?q=a%20b&n=2", ` + ok200 + `}`),
			want: map[string]string{
				"/paths/~1search/get/parameters/0/example": `"a b"`,
				"/paths/~1search/get/parameters/1/name":    `"n"`,
			},
		},
		{
			name: "auth is inherited from the collection and a folder, and noauth turns it off",
			collection: collection(`{"name": "F", "auth": {"type": "apikey", "apikey": [{"key": "key", "value": "api_key"}, {"key": "in", "value": "query"}]}, "item": [
					{"name": "A", "request": {"url": "{{baseUrl}}/a?api_key=1&x=2"}, `+ok200+`}]},
				{"name": "B", "request": {"url": "{{baseUrl}}/b"}, `+ok200+`},
				{"name": "C", "request": {"url": "{{baseUrl}}/c", "auth": {"type": "noauth"}}, `+ok200+`},
				{"name": "D", "request": {"url": "{{baseUrl}}/d", "auth": {"type": "basic", "basic": [{"key": "username", "value": "u"}]}}, `+ok200+`},
				{"name": "E", "request": {"url": "{{baseUrl}}/e", "auth": {"type": "oauth2", "oauth2": [{"key": "accessToken", "value": "t"}]}}, `+ok200+`},
				{"name": "F", "request": {"url": "{{baseUrl}}/f", "auth": {"type": "digest"}}, `+ok200+`}`,
				`"auth": {"type": "bearer", "bearer": [{"key": "token", "value": "t"}]}`),
			want: map[string]string{
				"/paths/~1a/get/security":                `[{"apiKeyAuth": []}]`,
				"/paths/~1a/get/parameters":              `[{"name": "x", "in": "query", "schema": {"type": "string"}, "example": "2"}]`,
				"/paths/~1b/get/security":                `[{"bearerAuth": []}]`,
				"/paths/~1c/get/security":                `[]`,
				"/paths/~1d/get/security":                `[{"basicAuth": []}]`,
				"/paths/~1e/get/security":                `[{"bearerAuth": []}]`,
				"/components/securitySchemes/digestAuth": `{"type": "http", "scheme": "digest"}`,
				"/components/securitySchemes/apiKeyAuth": `{"type": "apiKey", "in": "query", "name": "api_key"}`,
				"/components/securitySchemes/bearerAuth": `{"type": "http", "scheme": "bearer"}`,
				"/components/securitySchemes/basicAuth":  `{"type": "http", "scheme": "basic"}`,
				"/paths/~1a/get/tags":                    `["F"]`,
			},
		},
		{
			name:       "an auth Decoy cannot express asks for nothing, with a finding",
			collection: collection(`{"name": "A", "request": {"url": "{{baseUrl}}/a", "auth": {"type": "awsv4"}}, ` + ok200 + `}`),
			want:       map[string]string{"/paths/~1a/get/security": "-"},
			findings:   []string{`auth of type "awsv4" is not converted`},
		},
		{
			name: "a JSON body: schema from every example, required only what all have",
			collection: collection(`{"name": "Create", "request": {"method": "POST", "url": "{{baseUrl}}/things", "body": {"mode": "raw", "raw": "{\"name\": \"a\", \"size\": 1, \"tags\": [\"x\"]}", "options": {"raw": {"language": "json"}}}},
				"response": [{"name": "Made", "code": 201, "originalRequest": {"method": "POST", "url": "{{baseUrl}}/things", "body": {"mode": "raw", "raw": "{\"name\": \"b\", \"size\": 2.5}"}}, "header": [{"key": "Content-Type", "value": "application/json"}], "body": "{\"id\": 1}"}]}`),
			want: map[string]string{
				"/paths/~1things/post/requestBody/content/application~1json": `{"schema": {"type": "object", "properties": {"name": {"type": "string"}, "size": {"type": "number"}, "tags": {"type": "array", "items": {"type": "string"}}}, "required": ["name", "size"]}, "example": {"name": "a", "size": 1, "tags": ["x"]}}`,
			},
		},
		{
			name:       "a body that is not JSON is a finding and accepts any JSON",
			collection: collection(`{"name": "Create", "request": {"method": "POST", "url": "{{baseUrl}}/things", "body": {"mode": "raw", "raw": "{\"id\": {{id}}}", "options": {"raw": {"language": "json"}}}}, ` + ok200 + `}`),
			want:       map[string]string{"/paths/~1things/post/requestBody/content/application~1json": `{"schema": {}}`},
			findings:   []string{"/item/0/request/body/raw: the body is not JSON"},
		},
		{
			name:       "form bodies",
			collection: collection(`{"name": "Upload", "request": {"method": "POST", "url": "{{baseUrl}}/up", "body": {"mode": "formdata", "formdata": [{"key": "title", "value": "t"}, {"key": "file", "type": "file", "src": "/tmp/x"}]}}, ` + ok200 + `}`),
			want: map[string]string{
				"/paths/~1up/post/requestBody/content/multipart~1form-data/schema": `{"type": "object", "properties": {"title": {"type": "string"}, "file": {"type": "string", "format": "binary"}}}`,
			},
		},
		{
			name: "saved responses: status, description, media type, headers, named examples, one schema per status and type",
			collection: collection(`{"name": "Get", "request": {"url": "{{baseUrl}}/p/:id"}, "response": [
				{"name": "Found", "code": 200, "header": [{"key": "Content-Type", "value": "application/json; charset=utf-8"}, {"key": "ETag", "value": "\"1\""}, {"key": "Content-Length", "value": "9"}], "body": "{\"id\": 1, \"nick\": null}"},
				{"name": "Found too", "code": 200, "header": [{"key": "Content-Type", "value": "application/json"}], "body": "{\"id\": 2, \"nick\": \"x\", \"extra\": true}"},
				{"name": "Missing", "code": 404, "body": "not here"}]}`),
			want: map[string]string{
				"/paths/~1p~1{id}/get/responses/200/description":                                  `"Found"`,
				"/paths/~1p~1{id}/get/responses/200/headers":                                      `{"ETag": {"schema": {"type": "string"}, "example": "\"1\""}}`,
				"/paths/~1p~1{id}/get/responses/200/content/application~1json/schema":             `{"type": "object", "properties": {"id": {"type": "integer"}, "nick": {"type": "string", "nullable": true}, "extra": {"type": "boolean"}}, "required": ["id", "nick"]}`,
				"/paths/~1p~1{id}/get/responses/200/content/application~1json/examples/Found too": `{"value": {"id": 2, "nick": "x", "extra": true}}`,
				"/paths/~1p~1{id}/get/responses/404/content/text~1plain":                          `{"schema": {"type": "string"}, "examples": {"Missing": {"value": "not here"}}}`,
			},
		},
		{
			name:       "a JSON content type with a body that is not JSON",
			collection: collection(`{"name": "Get", "request": {"url": "{{baseUrl}}/p"}, "response": [{"name": "Odd", "code": 200, "header": [{"key": "Content-Type", "value": "application/json"}], "body": "<html>"}]}`),
			want:       map[string]string{"/paths/~1p/get/responses/200/content/application~1json": `{}`},
			findings:   []string{"/item/0/response/0/body: saved response \"Odd\" says application/json but its body is not JSON"},
		},
		{
			name:       "no saved response",
			collection: collection(`{"name": "Ping", "request": {"url": "{{baseUrl}}/ping"}}`),
			want:       map[string]string{"/paths/~1ping/get/responses": `{"200": {"description": "no saved response"}}`},
			findings:   []string{`/item/0: request "Ping" has no saved response`},
		},
		{
			name: "same method and path: one operation with both requests' responses, the first parameter name",
			collection: collection(`{"name": "Get A", "request": {"url": "{{baseUrl}}/p/:id"}, "response": [{"name": "A", "code": 200, "body": "{\"a\": 1}"}]},
				{"name": "Get B", "request": {"url": "{{baseUrl}}/p/:key?x=1"}, "response": [{"name": "B", "code": 200, "body": "{\"a\": 2}"}, {"name": "Gone", "code": 410, "body": ""}]},
				{"name": "Delete", "request": {"method": "DELETE", "url": "{{baseUrl}}/p/{{pid}}"}, "response": [{"name": "Done", "code": 204}]}`),
			want: map[string]string{
				"/paths/~1p~1{id}/get/operationId":                                      `"getA"`,
				"/paths/~1p~1{id}/get/responses/200/content/application~1json/examples": `{"A": {"value": {"a": 1}}, "B": {"value": {"a": 2}}}`,
				"/paths/~1p~1{id}/get/responses/410/description":                        `"Gone"`,
				"/paths/~1p~1{id}/get/parameters/1/name":                                `"x"`,
				"/paths/~1p~1{id}/delete/parameters/0/name":                             `"id"`,
				"/paths/~1p~1{key}":                                                     "-",
			},
			findings: []string{
				`/item/1: request "Get B" has the same method and path as "Get A"`,
				"/item/1/request/url: path /p/{key} is served as /p/{id}",
				"/item/2/request/url: path /p/{pid} is served as /p/{id}",
			},
		},
		{
			name: "folders are tags, operation ids are identifiers and unique",
			collection: collection(`{"name": "Shop", "description": {"content": "The shop"}, "item": [{"name": "Carts", "item": [
					{"name": "Get item", "request": {"url": "{{baseUrl}}/a", "description": {"content": "Gets A", "type": "text/markdown"}}, ` + ok200 + `},
					{"name": "Get item", "request": {"url": "{{baseUrl}}/b"}, ` + ok200 + `},
					{"name": "2 go!", "request": {"url": "{{baseUrl}}/c"}, ` + ok200 + `},
					{"name": "", "request": {"method": "PUT", "url": "{{baseUrl}}/d/:x"}, ` + ok200 + `}]}]}`),
			want: map[string]string{
				"/tags":                           `[{"name": "Shop", "description": "The shop"}, {"name": "Shop / Carts"}]`,
				"/paths/~1a/get/tags":             `["Shop / Carts"]`,
				"/paths/~1a/get/description":      `"Gets A"`,
				"/paths/~1a/get/operationId":      `"getItem"`,
				"/paths/~1b/get/operationId":      `"getItem2"`,
				"/paths/~1c/get/operationId":      `"op2Go"`,
				"/paths/~1d~1{x}/put/operationId": `"putDX"`,
			},
		},
		{
			name: "requests Decoy cannot serve are left out with findings",
			collection: collection(`{"name": "No URL", "request": {"method": "GET"}},
				{"name": "Weird", "request": {"method": "PURGE", "url": "{{baseUrl}}/x"}},
				{"name": "Empty"},
				"not an item"`),
			want: map[string]string{"/paths": `{}`},
			findings: []string{
				`/item/0/request: request "No URL" has no URL`,
				"/item/1/request/method: method PURGE has no place in OpenAPI 3.0",
				`/item/2: item "Empty" is neither a request nor a folder`,
				"/item/3: an item that is not an object",
			},
		},
		{
			name:       "v2.0 auth as an object, and info",
			collection: `{"info": {"name": "Old", "version": {"major": 2, "minor": 1}, "schema": "https://schema.getpostman.com/json/collection/v2.0.0/collection.json"}, "item": [{"name": "A", "request": {"url": "http://localhost/a", "auth": {"type": "bearer", "bearer": {"token": "t"}}}, ` + ok200 + `}]}`,
			want: map[string]string{
				"/info":                   `{"title": "Old", "version": "2.1.0"}`,
				"/paths/~1a/get/security": `[{"bearerAuth": []}]`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, findings, err := postmanToOpenAPI([]byte(tt.collection))
			if err != nil {
				t.Fatal(err)
			}
			var got any
			if err := json.Unmarshal(doc, &got); err != nil {
				t.Fatalf("the document is not JSON: %v", err)
			}
			for ptr, want := range tt.want {
				v, ok := jsonAt(got, ptr)
				if want == "-" {
					if ok {
						t.Errorf("%s = %s, want nothing", ptr, compact(v))
					}
					continue
				}
				if !ok {
					t.Errorf("%s: missing, want %s", ptr, want)
					continue
				}
				var w any
				if err := json.Unmarshal([]byte(want), &w); err != nil {
					t.Fatalf("%s: bad want: %v", ptr, err)
				}
				if compact(v) != compact(w) {
					t.Errorf("%s =\n  %s\nwant\n  %s", ptr, compact(v), compact(w))
				}
			}
			var lines []string
			for _, f := range findings {
				lines = append(lines, f.String())
				if f.Class != ClassPostman {
					t.Errorf("finding %s: class %q, want %q", f, f.Class, ClassPostman)
				}
			}
			ok := len(lines) == len(tt.findings)
			for i := 0; ok && i < len(lines); i++ {
				ok = strings.Contains(lines[i], tt.findings[i])
			}
			if !ok {
				t.Errorf("findings:\n  %s\nwant (substrings):\n  %s", strings.Join(lines, "\n  "), strings.Join(tt.findings, "\n  "))
			}
			// Every conversion is a document Decoy serves.
			if _, err := Load(fstest.MapFS{"c.json": {Data: []byte(tt.collection)}}, "c.json", LoadOptions{}); err != nil {
				t.Errorf("loading the collection: %v\n%s", err, doc)
			}
		})
	}
}

// jsonAt returns the value at a JSON pointer.
func jsonAt(v any, ptr string) (any, bool) {
	if ptr == "" {
		return v, true
	}
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch t := v.(type) {
		case map[string]any:
			e, ok := t[tok]
			if !ok {
				return nil, false
			}
			v = e
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(t) {
				return nil, false
			}
			v = t[i]
		default:
			return nil, false
		}
	}
	return v, true
}

func compact(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestPostmanGolden loads each collection of testdata/postman as Decoy
// serves it and compares the findings and the converted document with
// their golden files (go test ./openapi -run Postman -update rewrites them).
func TestPostmanGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/postman/*.postman_collection.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no collections: %v", err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		base := strings.TrimSuffix(name, ".postman_collection.json")
		t.Run(base, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			spec, err := Load(os.DirFS("testdata/postman"), name, LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var findings bytes.Buffer
			for _, f := range spec.Findings {
				findings.WriteString(f.String() + "\n")
			}
			doc, _, err := postmanToOpenAPI(data)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "testdata/postman/"+base+".findings.golden", findings.Bytes(), *update)
			golden.Check(t, "testdata/postman/"+base+".openapi.golden", append(doc, '\n'), *update)
		})
	}
}

// FuzzPostman feeds arbitrary collections to the converter: it never
// panics, and what it converts is a document Decoy loads.
func FuzzPostman(f *testing.F) {
	for _, name := range []string{"petstore.postman_collection.json", "legacy-v20.postman_collection.json"} {
		b, err := os.ReadFile("testdata/postman/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(collection(`{"name": "x", "request": {"url": "{{a}}/:b/{{c}}/d{{e}}f?g=h", "body": {"mode": "raw", "raw": "[1, {\"a\": null}]"}}, "response": [{"code": 200, "body": "{}"}, {"code": "x"}]}`)))
	f.Add([]byte(`{"info": {"_postman_id": "1"}, "item": [{"item": [{"request": ":a/:a/{x}/%7B"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, findings, err := postmanToOpenAPI(data)
		if err != nil {
			if isPostmanCollection(data) {
				t.Fatalf("a collection that does not convert: %v", err)
			}
			return
		}
		_ = findings
		if _, err := Load(fstest.MapFS{"c.json": {Data: data}}, "c.json", LoadOptions{}); err != nil {
			t.Fatalf("a converted collection that does not load: %v\n%s", err, doc)
		}
	})
}

// TestPostmanHostile converts collections built to be slow: many requests
// on one path, many headers, query items, saved responses and keys, and deep
// bodies. Each loads in bounded time and memory.
func TestPostmanHostile(t *testing.T) {
	const n = 5000
	var (
		samePath, wide, deep strings.Builder
	)
	for i := range n {
		if i > 0 {
			samePath.WriteString(",")
		}
		fmt.Fprintf(&samePath, `{"name": "F%d", "auth": {"type": "apikey", "apikey": [{"key": "key", "value": "K%d"}]}, "item": [{"name": "Get", "request": {"url": "{{baseUrl}}/a/:p%d"}, "response": [{"name": "same", "code": 200, "body": "{}"}]}]}`, i, i, i)
	}
	var headers, query, responses, keys strings.Builder
	for i := range n {
		fmt.Fprintf(&headers, `{"key": "X-H%d", "value": "v"},`, i%(n/2))
		fmt.Fprintf(&query, `{"key": "q%d", "value": "v"},`, i%(n/2))
		fmt.Fprintf(&responses, `{"name": "same", "code": 200, "header": [{"key": "X-R%d", "value": "1"}], "body": "{\"k%d\": %d}"},`, i, i, i)
		fmt.Fprintf(&keys, `\"k%d\": [{\"a%d\": 1}],`, i, i%100)
	}
	fmt.Fprintf(&wide, `{"name": "Wide", "request": {"url": {"raw": "{{baseUrl}}/w", "query": [%s{}]}, "header": [%s{}]}, "response": [%s{"code": 201, "body": "{%s\"end\": 0}"}]}`,
		query.String(), headers.String(), responses.String(), keys.String())
	fmt.Fprintf(&deep, `{"name": "Deep", "request": {"method": "POST", "url": "{{baseUrl}}/d", "body": {"mode": "raw", "raw": "%s1%s"}}}`, strings.Repeat("[", 5000), strings.Repeat("]", 5000))
	nested := strings.Repeat(`{"name": "f", "item": [`, 4900) + `{"name": "r", "request": "/x"}` + strings.Repeat("]}", 4900)
	for name, items := range map[string]string{"same path": samePath.String(), "wide": wide.String(), "deep": deep.String(), "nested": nested} {
		t.Run(name, func(t *testing.T) {
			data := []byte(collection(items))
			_, err := bounded.Load(t, time.Minute, 512<<20, func() (*Spec, error) {
				return Load(fstest.MapFS{"c.json": {Data: data}}, "c.json", LoadOptions{})
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestPostmanFindingsNameTheCollection(t *testing.T) {
	got := postmanFindings("api.postman_collection.json",
		[]Finding{{Pointer: "/item/0", Class: ClassPostman, Message: "m"}},
		[]Finding{{Where: "api.postman_collection.json:12:3", Pointer: "/paths/~1a", Class: ClassBadExample, Message: "n"}, {Pointer: "/paths", Class: ClassInvalid, Message: "o"}})
	want := []string{
		"api.postman_collection.json: /item/0: m [postman]",
		"api.postman_collection.json (converted to OpenAPI): /paths/~1a: n [bad-example]",
		"/paths: o [invalid]",
	}
	if len(got) != len(want) {
		t.Fatalf("findings = %v, want %q", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("finding %d = %q, want %q", i, got[i], want[i])
		}
	}
}
