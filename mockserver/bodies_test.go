package mockserver_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/decoy-mock/decoy/mockserver"
	"github.com/decoy-mock/decoy/openapi"
)

// newInlineServer serves the spec doc (YAML) with the real handler.
func newInlineServer(tb testing.TB, doc string) (*httptest.Server, *openapi.Spec) {
	tb.Helper()
	spec, err := openapi.Load(fstest.MapFS{"openapi.yaml": {Data: []byte(doc)}}, "openapi.yaml", openapi.LoadOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	srv, err := mockserver.New(mockserver.Config{Spec: spec, Seed: 42})
	if err != nil {
		tb.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	tb.Cleanup(ts.Close)
	return ts, spec
}

const uploadsSpec = `openapi: 3.1.0
info: {title: uploads, version: "1"}
paths:
  /avatars:
    put:
      operationId: putAvatar
      requestBody:
        required: true
        content:
          image/jpeg:
            schema: {type: string, format: binary, maxLength: 1024}
          image/*: {}
      responses:
        "201":
          description: stored
          content:
            application/json:
              schema: {type: object, properties: {ok: {type: boolean}}, required: [ok]}
        "400":
          description: bad upload
          content:
            application/json:
              schema:
                type: object
                required: [message]
                properties: {message: {type: string}}
  /orders:
    post:
      operationId: createOrder
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required: [customer, items]
              properties:
                customer: {type: string}
                receipt: {type: string, format: binary}
                items:
                  type: array
                  items:
                    type: object
                    required: [sku, qty]
                    properties:
                      sku: {type: string}
                      qty: {type: integer, minimum: 1}
            encoding:
              items: {contentType: application/json}
      responses:
        "201": {description: created}
        "422":
          description: invalid
          content:
            application/json:
              schema:
                type: object
                required: [message]
                properties: {message: {type: string}}
  /users/{id}:
    get:
      operationId: getUser
      parameters:
        - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {id: {type: string}}}
        "404": {description: missing}
`

// sendBody makes one request with a raw body and returns the status, the
// violations of a problem answer (if any) and the body.
func sendBody(t *testing.T, ts *httptest.Server, method, path, contentType string, body []byte) (int, []openapi.Violation, []byte) {
	t.Helper()
	res := do(t, ts, call{method: method, path: path, body: string(body), header: map[string]string{"Content-Type": contentType}})
	var problem struct {
		Validation []openapi.Violation `json:"validation"`
	}
	_ = json.Unmarshal(res.body, &problem)
	return res.status, problem.Validation, res.body
}

func multipartForm(t *testing.T, parts ...[3]string) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		name, ct, value := p[0], p[1], p[2]
		cd := `form-data; name="` + name + `"`
		if strings.HasPrefix(ct, "image/") {
			cd += `; filename="x.jpg"`
		}
		h.Set("Content-Disposition", cd)
		if ct != "" {
			h.Set("Content-Type", ct)
		}
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		pw.Write([]byte(value))
	}
	w.Close()
	return w.FormDataContentType(), buf.Bytes()
}

func TestUploadsAndFormsEndToEnd(t *testing.T) {
	ts, spec := newInlineServer(t, uploadsSpec)
	jpeg := append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), bytes.Repeat([]byte{0x80}, 100)...)

	t.Run("jpeg upload accepted", func(t *testing.T) {
		status, vs, body := sendBody(t, ts, http.MethodPut, "/avatars", "image/jpeg", jpeg)
		if status != http.StatusCreated {
			t.Fatalf("status %d, violations %+v: %s", status, vs, body)
		}
	})
	t.Run("png through image/* accepted", func(t *testing.T) {
		if status, vs, body := sendBody(t, ts, http.MethodPut, "/avatars", "image/png", []byte("\x89PNG\r\n")); status != http.StatusCreated {
			t.Fatalf("status %d, violations %+v: %s", status, vs, body)
		}
	})
	t.Run("oversize jpeg refused with the documented 400", func(t *testing.T) {
		status, _, body := sendBody(t, ts, http.MethodPut, "/avatars", "image/jpeg", bytes.Repeat(jpeg, 20))
		if status != http.StatusBadRequest || !bytes.Contains(body, []byte("maxLength")) {
			t.Fatalf("status %d: %s", status, body)
		}
	})
	t.Run("undocumented type is 415", func(t *testing.T) {
		if status, _, body := sendBody(t, ts, http.MethodPut, "/avatars", "application/pdf", []byte("%PDF")); status != http.StatusUnsupportedMediaType {
			t.Fatalf("status %d: %s", status, body)
		}
	})
	t.Run("multipart with an array of objects accepted", func(t *testing.T) {
		ct, form := multipartForm(t, [3]string{"customer", "", "ann"}, [3]string{"items", "application/json", `[{"sku":"a-1","qty":2},{"sku":"b-2","qty":1}]`}, [3]string{"receipt", "image/jpeg", string(jpeg)})
		if status, vs, body := sendBody(t, ts, http.MethodPost, "/orders", ct, form); status != http.StatusCreated {
			t.Fatalf("status %d, violations %+v: %s", status, vs, body)
		}
	})
	t.Run("multipart with a wrong-typed item refused naming the field", func(t *testing.T) {
		ct, form := multipartForm(t, [3]string{"customer", "", "ann"}, [3]string{"items", "application/json", `[{"sku":"a-1","qty":"two"}]`})
		status, vs, body := sendBody(t, ts, http.MethodPost, "/orders", ct, form)
		if status != http.StatusUnprocessableEntity || !bytes.Contains(body, []byte("/items/0/qty")) {
			t.Fatalf("status %d, violations %+v: %s", status, vs, body)
		}
	})
	t.Run("3.1 uuid path parameter refused", func(t *testing.T) {
		status, vs, body := sendBody(t, ts, http.MethodGet, "/users/not-a-uuid", "", nil)
		if status < 400 || status > 499 || len(vs) != 1 || vs[0].Code != "format" || vs[0].Parameter != "id" {
			t.Fatalf("status %d, violations %+v: %s", status, vs, body)
		}
		if status, _, body := sendBody(t, ts, http.MethodGet, "/users/123e4567-e89b-12d3-a456-426614174000", "", nil); status != http.StatusOK {
			t.Fatalf("a valid uuid: status %d: %s", status, body)
		}
	})
	t.Run("no library message reaches a client", func(t *testing.T) {
		ct, form := multipartForm(t, [3]string{"customer", "", "ann"}, [3]string{"items[0][sku]", "", "a"}, [3]string{"items[0][qty]", "", "x"})
		status, vs, body := sendBody(t, ts, http.MethodPost, "/orders", ct, form)
		if status != http.StatusUnprocessableEntity || bytes.Contains(body, []byte("unsupported")) || !bytes.Contains(body, []byte("/items/0/qty")) {
			t.Fatalf("status %d, violations %+v: %s", status, vs, body)
		}
	})
	if got := spec.RuntimeFindings(); len(got) != 0 {
		t.Errorf("bodies Decoy checks in full made findings: %+v", got)
	}
}
