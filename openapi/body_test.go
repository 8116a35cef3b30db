package openapi

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"testing"
	"testing/fstest"
)

// bodySpec is a document whose operations take the bodies real clients
// send: files, forms with arrays and objects, multipart with JSON parts.
const bodySpec = `openapi: 3.0.3
info: {title: bodies, version: "1"}
paths:
  /photos:
    post:
      operationId: upload
      requestBody:
        required: true
        content:
          image/jpeg:
            schema: {type: string, format: binary, maxLength: 16}
          application/pdf: {}
          image/gif:
            schema: {type: string}
          image/*:
            schema: {type: string, format: binary}
      responses: {"201": {description: created}, "400": {description: bad}}
  /anything:
    post:
      operationId: anything
      requestBody:
        content:
          "*/*":
            schema: {type: string, format: binary, minLength: 2}
      responses: {"200": {description: ok}}
  /xml:
    post:
      operationId: xml
      requestBody:
        content:
          application/xml:
            schema: {type: object, properties: {a: {type: string}}}
      responses: {"200": {description: ok}}
  /raw-form:
    post:
      operationId: rawForm
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema: {type: string, maxLength: 8}
      responses: {"200": {description: ok}}
  /orders:
    post:
      operationId: order
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema: {$ref: '#/components/schemas/Order'}
            encoding:
              ids: {style: form, explode: false}
              filter: {style: deepObject, explode: true}
              codes: {style: pipeDelimited, explode: false}
              pos: {style: form, explode: false}
          multipart/form-data:
            schema:
              allOf:
                - $ref: '#/components/schemas/Order'
                - type: object
                  properties:
                    photo: {type: string, format: binary, maxLength: 8}
                    photos: {type: array, items: {type: string, format: binary}}
            encoding:
              meta: {contentType: application/json}
      responses: {"201": {description: created}, "422": {description: invalid}}
components:
  schemas:
    Order:
      type: object
      required: [customer]
      properties:
        customer: {type: string}
        qty: {type: integer, minimum: 1}
        price: {type: number}
        gift: {type: boolean}
        tags: {type: array, items: {type: string}}
        ids: {type: array, items: {type: integer}}
        filter:
          type: object
          properties:
            color: {type: string}
            size: {type: integer}
        meta:
          type: object
          properties:
            source: {type: string}
        codes: {type: array, items: {type: integer}}
        where:
          type: object
          properties: {lat: {type: number}, lon: {type: number}}
        pos:
          type: object
          properties: {x: {type: integer}, y: {type: integer}}
        Items:
          type: array
          items:
            type: object
            required: [name]
            properties:
              name: {type: string}
              qty: {type: integer}
`

func loadInline(t testing.TB, doc string) *Spec {
	t.Helper()
	spec, err := Load(fstest.MapFS{"openapi.yaml": {Data: []byte(doc)}}, "openapi.yaml", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

func validateBody(t testing.TB, spec *Spec, opID, contentType string, body []byte) []Violation {
	t.Helper()
	op := spec.Operation(opID)
	if op == nil {
		t.Fatalf("no operation %s", opID)
	}
	r := httptest.NewRequest(op.Method, op.Path, bytes.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return op.ValidateRequest(context.Background(), Request{HTTP: r, Body: body, PathParams: map[string]string{}})
}

// part is one part of a multipart test body.
type part struct {
	name, filename, contentType, value string
}

func multipartBody(t testing.TB, parts ...part) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		cd := `form-data; name="` + p.name + `"`
		if p.filename != "" {
			cd += `; filename="` + p.filename + `"`
		}
		h.Set("Content-Disposition", cd)
		if p.contentType != "" {
			h.Set("Content-Type", p.contentType)
		}
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		pw.Write([]byte(p.value))
	}
	w.Close()
	return w.FormDataContentType(), buf.Bytes()
}

// wantViolations fails unless vs is empty (want nil) or each wanted
// fragment appears in some violation's code, pointer or message.
func wantViolations(t *testing.T, vs []Violation, want ...string) {
	t.Helper()
	for _, v := range vs {
		for _, bad := range []string{"unsupported", "non primitive", "Items\" of"} {
			if strings.Contains(v.Message, bad) {
				t.Errorf("a library message reached the client: %+v", v)
			}
		}
	}
	if len(want) == 0 {
		if len(vs) != 0 {
			t.Errorf("want no violation, got %+v", vs)
		}
		return
	}
	if len(vs) == 0 {
		t.Errorf("want violations naming %q, got none", want)
		return
	}
	for _, w := range want {
		found := false
		for _, v := range vs {
			if strings.Contains(v.Code+" "+v.Pointer+" "+v.Message, w) {
				found = true
			}
		}
		if !found {
			t.Errorf("no violation names %q: %+v", w, vs)
		}
	}
}

func TestUndecodableMediaTypesAreAcceptedAsBytes(t *testing.T) {
	spec := loadInline(t, bodySpec)
	jpeg := []byte("\xff\xd8\xff\xe0JFIF\x00")
	tests := []struct {
		name, op, ct string
		body         []byte
		want         []string
	}{
		{"jpeg within maxLength", "upload", "image/jpeg", jpeg, nil},
		{"jpeg over maxLength", "upload", "image/jpeg", bytes.Repeat(jpeg, 3), []string{"max-length", "maxLength"}},
		{"pdf without schema", "upload", "application/pdf", []byte("%PDF-1.4"), nil},
		{"png through image/*", "upload", "image/png", []byte("\x89PNG"), nil},
		{"gif with a string schema", "upload", "image/gif", []byte("GIF89a\x01"), nil},
		{"required body missing", "upload", "", nil, []string{"required"}},
		{"undocumented type is refused", "upload", "text/csv", []byte("a,b"), []string{"unsupported-media-type"}},
		{"octet-stream through */*", "anything", "application/octet-stream", []byte("\x00\x01\x02"), nil},
		{"zip through */*", "anything", "application/zip", []byte("PK\x03\x04"), nil},
		{"csv through */*", "anything", "text/csv", []byte("a,b\n1,2\n"), nil},
		{"under minLength through */*", "anything", "application/octet-stream", []byte("x"), []string{"min-length"}},
		{"xml not decoded", "xml", "application/xml", []byte("<a>1</a>"), nil},
		{"form with a string schema", "rawForm", "application/x-www-form-urlencoded", []byte("a=1&b=2"), nil},
		{"form with a string schema too long", "rawForm", "application/x-www-form-urlencoded", []byte("a=1&b=2&c=3"), []string{"max-length"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantViolations(t, validateBody(t, spec, tt.op, tt.ct, tt.body), tt.want...)
		})
	}
}

func TestUndecodableBodyIsAFindingOncePerOperation(t *testing.T) {
	spec := loadInline(t, bodySpec)
	for range 3 {
		if vs := validateBody(t, spec, "xml", "application/xml", []byte("<a/>")); len(vs) > 0 {
			t.Fatal(vs)
		}
	}
	var got []Finding
	for _, f := range spec.RuntimeFindings() {
		if f.Class == ClassUnsupportedMedia {
			got = append(got, f)
		}
	}
	if len(got) != 1 || !strings.Contains(got[0].Pointer, "application~1xml") {
		t.Fatalf("want one unsupported-media finding for the xml body, got %+v", got)
	}
	all := spec.AllFindings()
	if len(all) != len(spec.Findings)+len(spec.RuntimeFindings()) || all[len(all)-1] != got[0] {
		t.Errorf("AllFindings is not the load findings then the runtime ones: %+v", all)
	}
	// A binary body with only a size bound is checked in full: no finding.
	validateBody(t, spec, "upload", "image/jpeg", []byte("x"))
	for _, f := range spec.RuntimeFindings() {
		if strings.Contains(f.Pointer, "image~1jpeg") {
			t.Errorf("a binary body checked in full is a finding: %+v", f)
		}
	}
}

func TestUndecodablePartIsAFinding(t *testing.T) {
	spec := loadInline(t, bodySpec)
	for range 2 {
		ct, body := multipartBody(t, part{name: "customer", value: "ann"}, part{name: "meta", contentType: "application/xml", value: "<meta/>"})
		if vs := validateBody(t, spec, "order", ct, body); len(vs) > 0 {
			t.Fatal(vs)
		}
	}
	got := spec.RuntimeFindings()
	if len(got) != 1 || got[0].Class != ClassUnsupportedMedia || !strings.HasSuffix(got[0].Pointer, "/multipart~1form-data/schema/properties/meta") {
		t.Fatalf("want one finding for the xml part, got %+v", got)
	}
}

func TestFormBodies(t *testing.T) {
	spec := loadInline(t, bodySpec)
	const form = "application/x-www-form-urlencoded"
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"primitives coerced", "customer=ann&qty=2&price=9.5&gift=true", nil},
		{"integer that is not", "customer=ann&qty=two", []string{"/qty"}},
		{"below minimum", "customer=ann&qty=0", []string{"/qty", "minimum"}},
		{"boolean that is not", "customer=ann&gift=maybe", []string{"/gift"}},
		{"required missing", "qty=2", []string{"customer"}},
		{"empty optional integer is absent", "customer=ann&qty=", nil},
		{"exploded array", "customer=ann&tags=a&tags=b", nil},
		{"brackets array", "customer=ann&tags[]=a&tags[]=b", nil},
		{"non-exploded array", "customer=ann&ids=1,2,3", nil},
		{"non-exploded array bad item", "customer=ann&ids=1,x,3", []string{"/ids/1"}},
		{"deepObject", "customer=ann&filter[color]=red&filter[size]=3", nil},
		{"deepObject bad member", "customer=ann&filter[size]=big", []string{"/filter/size"}},
		{"array of objects indexed", "customer=ann&Items[0][name]=a&Items[0][qty]=1&Items[1][name]=b", nil},
		{"array of objects missing member", "customer=ann&Items[0][qty]=1", []string{"/Items/0", "name"}},
		{"array of objects bad member", "customer=ann&Items[0][name]=a&Items[0][qty]=x", []string{"/Items/0/qty"}},
		{"array of objects as JSON", `customer=ann&Items=[{"name":"a","qty":1}]`, nil},
		{"object as JSON", `customer=ann&meta={"source":"web"}`, nil},
		{"extra field allowed", "customer=ann&utm=x", nil},
		{"pipe-delimited array", "customer=ann&codes=1|2|3", nil},
		{"pipe-delimited array bad item", "customer=ann&codes=1|b", []string{"/codes/1"}},
		{"exploded form object spread over the top level", "customer=ann&lat=1.5&lon=2", nil},
		{"exploded form object member of the wrong type", "customer=ann&lat=north", []string{"/where/lat"}},
		{"non-exploded form object", "customer=ann&pos=x,1,y,2", nil},
		{"non-exploded form object bad member", "customer=ann&pos=x,1,y,up", []string{"/pos/y"}},
		{"indexed array of primitives", "customer=ann&ids[1]=2&ids[0]=1", nil},
		{"bad %-encoding", "customer=ann&qty=%zz", []string{"parse", "/qty"}},
		{"object given as a plain string", "customer=ann&meta=web", []string{"/meta"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantViolations(t, validateBody(t, spec, "order", form, []byte(tt.body)), tt.want...)
		})
	}
}

func TestMultipartBodies(t *testing.T) {
	spec := loadInline(t, bodySpec)
	tests := []struct {
		name  string
		parts []part
		want  []string
	}{
		{"fields", []part{{name: "customer", value: "ann"}, {name: "qty", value: "3"}}, nil},
		{"bad integer field", []part{{name: "customer", value: "ann"}, {name: "qty", value: "three"}}, []string{"/qty"}},
		{"json part", []part{{name: "customer", value: "ann"}, {name: "meta", contentType: "application/json", value: `{"source":"app"}`}}, nil},
		{"json part of wrong shape", []part{{name: "customer", value: "ann"}, {name: "meta", contentType: "application/json", value: `{"source":1}`}}, []string{"/meta/source"}},
		{"json part not json", []part{{name: "customer", value: "ann"}, {name: "meta", contentType: "application/json", value: `{`}}, []string{"/meta"}},
		{"file part", []part{{name: "customer", value: "ann"}, {name: "photo", filename: "a.jpg", contentType: "image/jpeg", value: "\xff\xd8\xff"}}, nil},
		{"file part too big", []part{{name: "customer", value: "ann"}, {name: "photo", filename: "a.jpg", contentType: "image/jpeg", value: "\xff\xd8\xff0123456789"}}, []string{"/photo"}},
		{"several files", []part{{name: "customer", value: "ann"}, {name: "photos", filename: "a.jpg", value: "1"}, {name: "photos", filename: "b.jpg", value: "2"}}, nil},
		{"array of objects as one JSON part", []part{{name: "customer", value: "ann"}, {name: "Items", contentType: "application/json", value: `[{"name":"a","qty":2}]`}}, nil},
		{"array of objects one JSON part each", []part{{name: "customer", value: "ann"}, {name: "Items", contentType: "application/json", value: `{"name":"a"}`}, {name: "Items", contentType: "application/json", value: `{"name":"b"}`}}, nil},
		{"array of objects wrong type", []part{{name: "customer", value: "ann"}, {name: "Items", contentType: "application/json", value: `[{"name":"a","qty":"two"}]`}}, []string{"/Items/0/qty"}},
		{"array of objects indexed", []part{{name: "customer", value: "ann"}, {name: "Items[0][name]", value: "a"}, {name: "Items[0][qty]", value: "2"}}, nil},
		{"array of objects indexed wrong type", []part{{name: "customer", value: "ann"}, {name: "Items[0][name]", value: "a"}, {name: "Items[0][qty]", value: "two"}}, []string{"/Items/0/qty"}},
		{"required field missing", []part{{name: "qty", value: "1"}}, []string{"customer"}},
		{"undecodable part accepted", []part{{name: "customer", value: "ann"}, {name: "meta", contentType: "application/xml", value: "<meta/>"}}, nil},
		{"string part of any media type is read", []part{{name: "customer", contentType: "application/x-thing", value: "ann"}}, nil},
		{"binary part for a string is read", []part{{name: "customer", contentType: "application/octet-stream", value: "ann"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct, body := multipartBody(t, tt.parts...)
			wantViolations(t, validateBody(t, spec, "order", ct, body), tt.want...)
		})
	}
	t.Run("no boundary", func(t *testing.T) {
		wantViolations(t, validateBody(t, spec, "order", "multipart/form-data", []byte("x")), "parse")
	})
}

// FuzzFormBody: the form decoders never panic, build a value JSON can
// encode, and no library message reaches a client, whatever the body.
func FuzzFormBody(f *testing.F) {
	spec := loadInline(f, bodySpec)
	order := spec.Operation("order")
	media := order.Op.RequestBody.Value.Content
	formSchema := media["application/x-www-form-urlencoded"].Schema.Value
	multiSchema := media["multipart/form-data"].Schema.Value
	f.Add(false, []byte("customer=ann&qty=2&tags[]=a&tags[]=b&ids=1,2&filter[color]=red&Items[0][name]=x&Items[1][qty]=2"))
	f.Add(false, []byte(`customer=%zz&Items=[{"name":1}]&meta={"a":[1,{}]}&a[b][c][d]=1&a[=1&]=&&=`))
	f.Add(false, []byte("Items[99999999999999999999][name]=x&Items[-1]=y&Items[a][b]=z&ids="))
	ct, body := multipartBody(f, part{name: "customer", value: "ann"}, part{name: "Items", contentType: "application/json", value: `[{"name":"a"}]`},
		part{name: "photo", filename: "a.jpg", contentType: "image/jpeg", value: "\xff\xd8"}, part{name: "Items[0][qty]", value: "x"})
	_, boundary, _ := strings.Cut(ct, "boundary=")
	f.Add(true, body)
	f.Fuzz(func(t *testing.T, multi bool, body []byte) {
		var (
			value    any
			problems []Violation
			ct       = "application/x-www-form-urlencoded"
		)
		if multi {
			ct = "multipart/form-data; boundary=" + boundary
			value, problems = decodeMultipart(body, boundary, multiSchema, media["multipart/form-data"].Encoding)
		} else {
			value, problems = decodeURLEncoded(body, formSchema, media["application/x-www-form-urlencoded"].Encoding)
		}
		if _, err := json.Marshal(value); err != nil {
			t.Fatalf("the decoded value cannot be encoded: %v (%#v)", err, value)
		}
		for _, p := range problems {
			if p.Location != "body" || p.Code != "parse" {
				t.Fatalf("odd problem %+v", p)
			}
		}
		for _, v := range validateBody(t, spec, "order", ct, body) {
			if strings.Contains(v.Message, "unsupported") || v.Location != "body" {
				t.Fatalf("violation %+v", v)
			}
		}
	})
}

// TestRuntimeFindingsAreRecordedOnceUnderConcurrency: requests that reveal
// the same finding at the same moment record it once, while the findings
// are read.
func TestRuntimeFindingsAreRecordedOnceUnderConcurrency(t *testing.T) {
	spec := loadInline(t, bodySpec)
	done := make(chan struct{})
	for range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 50 {
				validateBody(t, spec, "xml", "application/xml", []byte("<a/>"))
				_ = spec.AllFindings()
			}
		}()
	}
	for range 8 {
		<-done
	}
	if got := spec.RuntimeFindings(); len(got) != 1 {
		t.Fatalf("want one finding, got %+v", got)
	}
}
