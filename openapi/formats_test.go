package openapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// formatSamples are values of each format Decoy asserts: the first list
// valid, the second not.
var formatSamples = map[string][2][]string{
	"uuid": {{"123e4567-e89b-12d3-a456-426614174000", "00000000-0000-0000-0000-000000000000", "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF", "0190f1c2-7b7e-7cc3-9b44-3c7a1f0e5d2a"},
		{"not-a-uuid", "", "123e4567e89b12d3a456426614174000", "123e4567-e89b-12d3-a456-42661417400", "123e4567-e89b-12d3-a456-42661417400g", "{123e4567-e89b-12d3-a456-426614174000}"}},
	"date-time": {{"2024-01-31T14:30:00Z", "2024-01-31T14:30:00.123+02:00", "2024-02-29t00:00:00z", "2016-12-31T23:59:60Z"},
		{"2024-01-31", "2024-01-31 14:30:00Z", "2024-01-31T14:30:00", "2024-02-30T00:00:00Z", "2024-01-31T24:00:00Z", "2024-01-31T14:30:00+2:00", "yesterday"}},
	"date":     {{"2024-01-31", "2024-02-29", "0001-01-01"}, {"2023-02-29", "2024-1-31", "2024-01-31T00:00:00Z", "31/01/2024", ""}},
	"time":     {{"14:30:00", "14:30:00Z", "14:30:00.5+05:30", "23:59:60Z"}, {"14:30", "24:00:00", "14:60:00", "2pm", "14:30:00+25:00"}},
	"email":    {{"ann@example.com", "a.b+c@sub.example.org", "x@localhost"}, {"ann", "ann@", "@example.com", "Ann <ann@example.com>", "a b@example.com", ""}},
	"hostname": {{"example.com", "a-b.example", "localhost", "x1"}, {"-a.example", "a..b", "a_b.example", "exa mple.com", "", strings.Repeat("a", 64) + ".com"}},
	"ipv4":     {{"192.0.2.1", "0.0.0.0", "255.255.255.255"}, {"256.0.0.1", "192.0.2", "01.2.3.4", "::1", "192.0.2.1 "}},
	"ipv6":     {{"::1", "2001:db8::1", "::ffff:192.0.2.1", "fe80::1"}, {"192.0.2.1", "2001:db8::g", "fe80::1%eth0", ":::"}},
	"uri":      {{"https://example.com/a?b=c#d", "urn:isbn:0451450523", "mailto:ann@example.com"}, {"/relative/path", "example.com", "https://exa mple.com", "", "http://a/%zz"}},
	"uri-reference": {{"/a/b?c=d", "https://example.com", "", "#frag", "../x"},
		{"a b", "http://a/%zz", "<x>"}},
	"byte": {{"", "U3dhZ2dlciByb2Nrcw==", "U3dhZ2dlciByb2Nrcw", "-_-_"}, {"not base64!", "a", "U3dh=ZZ"}},
}

func TestFormatChecks(t *testing.T) {
	for name, samples := range formatSamples {
		check := stringFormatChecks[name]
		if check == nil {
			t.Fatalf("no check for %q", name)
		}
		for _, v := range samples[0] {
			if err := check(v); err != nil {
				t.Errorf("%s %q: refused: %v", name, v, err)
			}
		}
		for _, v := range samples[1] {
			if check(v) == nil {
				t.Errorf("%s %q: accepted", name, v)
			}
		}
	}
	for name := range stringFormatChecks {
		if _, ok := formatSamples[name]; !ok {
			t.Errorf("format %q has no samples", name)
		}
	}
}

// TestFormatsAgreeOnEveryPath: the fast checks (scalarCheck, quickCheck)
// and the Validator say "valid" for a value in a format only when the
// library, given the same format table, does; and they judge formats at
// all (the samples' invalid values are refused everywhere).
func TestFormatsAgreeOnEveryPath(t *testing.T) {
	for name, samples := range formatSamples {
		values := append(append([]string{}, samples[0]...), samples[1]...)
		for _, raw := range []string{
			`{"type":"string","format":"` + name + `"}`,
			`{"type":["string","null"],"format":"` + name + `","maxLength":40}`,
			`{"type":"object","properties":{"v":{"type":"string","format":"` + name + `"}}}`,
			`{"type":"array","items":{"type":"string","format":"` + name + `"}}`,
		} {
			for _, op31 := range []bool{false, true} {
				var s openapi3.Schema
				if err := json.Unmarshal([]byte(raw), &s); err != nil {
					t.Fatal(err)
				}
				if !op31 && strings.Contains(raw, "null") {
					continue
				}
				v := NewValidator(ValidatorOptions{OpenAPI31: op31, Direction: DirRequest, StringFormats: requestStringFormats()})
				q := newQuickCheckFormats(&s, op31, v.formats)
				if q == nil {
					t.Errorf("%s: no quickCheck", raw)
					continue
				}
				for i, str := range values {
					var val any = str
					switch {
					case strings.Contains(raw, `"object"`):
						val = map[string]any{"v": str}
					case strings.Contains(raw, `"array"`):
						val = []any{"", str}[1:]
					}
					want, panicked := libraryValid(&s, val, v.Options())
					if panicked {
						continue
					}
					if wantValid := i < len(samples[0]); want != wantValid && len(str) <= 40 {
						t.Errorf("3.1=%v %s %q: the library says valid=%v", op31, raw, str, want)
					}
					if q.valid(val) && !want {
						t.Errorf("3.1=%v %s %q: quickCheck accepts what the library refuses", op31, raw, str)
					}
					if got := v.Valid(&s, val); got != want {
						t.Errorf("3.1=%v %s %q: Validator says %v, the library %v", op31, raw, str, got, want)
					}
				}
			}
		}
	}
}

const formatSpec = `openapi: %s
info: {title: formats, version: "1"}
paths:
  /things/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
    post:
      operationId: thing
      parameters:
        - {name: since, in: query, schema: {type: string, format: date}}
        - {name: limit, in: query, schema: {type: integer, format: int32}}
        - {name: X-Forwarded-For, in: header, schema: {type: string, format: ipv4}}
        - {name: owner, in: cookie, schema: {type: string, format: email}}
        - {name: sku, in: query, schema: {type: string, format: sku-code}}
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                at: {type: string, format: date-time}
                site: {type: string, format: hostname}
                count: {type: integer, format: int32}
          application/x-www-form-urlencoded:
            schema:
              type: object
              properties:
                at: {type: string, format: date-time}
                count: {type: integer, format: int32}
      responses:
        "200": {description: ok}
        "422": {description: invalid}
`

func TestFormatsAreAssertedOnRequests(t *testing.T) {
	const id = "123e4567-e89b-12d3-a456-426614174000"
	tests := []struct {
		name, path, ct, body string
		header               map[string]string
		want                 string // parameter or pointer of the format violation; "" for none
	}{
		{name: "all valid", path: "/things/" + id + "?since=2024-01-31&limit=5&sku=anything", header: map[string]string{"X-Forwarded-For": "192.0.2.1", "Cookie": "owner=ann@example.com"}},
		{name: "path uuid", path: "/things/not-a-uuid", want: "id"},
		{name: "query date", path: "/things/" + id + "?since=yesterday", want: "since"},
		{name: "query int32 range", path: "/things/" + id + "?limit=2147483648", want: "limit"},
		{name: "header ipv4", path: "/things/" + id, header: map[string]string{"X-Forwarded-For": "300.1.1.1"}, want: "X-Forwarded-For"},
		{name: "cookie email", path: "/things/" + id, header: map[string]string{"Cookie": "owner=ann"}, want: "owner"},
		{name: "unknown format is an annotation", path: "/things/" + id + "?sku=%21%21"},
		{name: "json body date-time", path: "/things/" + id, ct: "application/json", body: `{"at":"2024-13-01T00:00:00Z"}`, want: "/at"},
		{name: "json body hostname", path: "/things/" + id, ct: "application/json", body: `{"site":"a..b"}`, want: "/site"},
		{name: "json body valid", path: "/things/" + id, ct: "application/json", body: `{"at":"2024-12-01T00:00:00Z","site":"example.com"}`},
		{name: "json body int32 range", path: "/things/" + id, ct: "application/json", body: `{"count":2147483648}`, want: "/count"},
		{name: "form body int32 range", path: "/things/" + id, ct: "application/x-www-form-urlencoded", body: `count=-2147483649`, want: "/count"},
		{name: "form body int32 within range", path: "/things/" + id, ct: "application/x-www-form-urlencoded", body: `count=-2147483648&at=2024-01-01T00:00:00Z`},
		{name: "form body date-time", path: "/things/" + id, ct: "application/x-www-form-urlencoded", body: `at=tomorrow`, want: "/at"},
	}
	for _, version := range []string{"3.0.3", "3.1.0"} {
		spec := loadInline(t, strings.Replace(formatSpec, "%s", version, 1))
		op := spec.Operation("thing")
		for _, tt := range tests {
			t.Run(version+"/"+tt.name, func(t *testing.T) {
				r := httptest.NewRequest(http.MethodPost, tt.path, strings.NewReader(tt.body))
				for k, v := range tt.header {
					r.Header.Set(k, v)
				}
				if tt.ct != "" {
					r.Header.Set("Content-Type", tt.ct)
				}
				m, _, params, err := spec.Match(r.Method, r.URL.EscapedPath())
				if err != nil || m != op {
					t.Fatalf("%s does not route to thing", tt.path)
				}
				vs := op.ValidateRequest(context.Background(), Request{HTTP: r, PathParams: params, Body: []byte(tt.body)})
				if tt.want == "" {
					if len(vs) > 0 {
						t.Fatalf("want no violation, got %+v", vs)
					}
					return
				}
				for _, v := range vs {
					if (v.Parameter == tt.want || v.Pointer == tt.want) && (v.Code == "format" || v.Code == "parse") {
						return
					}
				}
				t.Fatalf("want a format violation of %s, got %+v", tt.want, vs)
			})
		}
	}
}

func TestUnknownFormatsAreOneFindingEach(t *testing.T) {
	spec := loadInline(t, strings.Replace(formatSpec, "%s", "3.1.0", 1))
	var got []Finding
	for _, f := range spec.Findings {
		if f.Class == ClassUnknownFormat {
			got = append(got, f)
		}
	}
	if len(got) != 1 || !strings.Contains(got[0].Message, `"sku-code"`) || !strings.HasSuffix(got[0].Pointer, "/parameters/4/schema/format") || got[0].Where == "" {
		t.Fatalf("want one unknown-format finding for sku-code, got %+v", got)
	}
}
