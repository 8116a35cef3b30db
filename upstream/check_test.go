package upstream_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/decoy-mock/decoy/openapi"
	"github.com/decoy-mock/decoy/upstream"
)

func TestCheckResponse(t *testing.T) {
	spec := defaultSpec(t)
	v1, v2 := spec.Operation("listSessions"), spec.Operation("listAgentSessions")
	okV2 := string(v2.Lookup(200).Content[0].Examples[0].Body)
	jsonHeader := func(kv ...string) http.Header {
		h := http.Header{"Content-Type": {"application/json"}}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	rateHeaders := []string{"Retry-After", "30", "X-RateLimit-Limit", "100", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "1710148920"}
	errBody := `{"error":{"code":"x","message":"y"}}`
	tests := []struct {
		name string
		op   *openapi.Operation
		resp upstream.Response
		want []string // location:code[:parameter or pointer]
	}{
		{"conforming", v2, upstream.Response{Status: 200, Header: jsonHeader(), Body: []byte(okV2), Complete: true}, nil},
		{"charset parameter", v2, upstream.Response{Status: 200, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}, Body: []byte(okV2), Complete: true}, nil},
		{"undocumented status", v2, upstream.Response{Status: 500, Header: jsonHeader(), Body: []byte(errBody), Complete: true}, []string{"status:undocumented-status"}},
		{"documented 500", v1, upstream.Response{Status: 500, Header: jsonHeader(), Body: []byte(errBody), Complete: true}, nil},
		{"missing required header", v1, upstream.Response{Status: 429, Header: jsonHeader(rateHeaders[2:]...), Body: []byte(errBody), Complete: true}, []string{"header:required:Retry-After"}},
		{"header of the wrong type", v1, upstream.Response{Status: 429, Header: jsonHeader(append(slices.Clone(rateHeaders[:6]), "X-RateLimit-Reset", "soon")...), Body: []byte(errBody), Complete: true}, []string{"header:type:X-Ratelimit-Reset"}},
		{"all rate headers", v1, upstream.Response{Status: 429, Header: jsonHeader(rateHeaders...), Body: []byte(errBody), Complete: true}, nil},
		{"undocumented content type", v2, upstream.Response{Status: 200, Header: http.Header{"Content-Type": {"text/html"}}, Body: []byte("<p>hi"), Complete: true}, []string{"content-type:undocumented-content-type"}},
		{"no content type", v2, upstream.Response{Status: 200, Header: http.Header{}, Body: []byte(okV2), Complete: true}, []string{"content-type:missing-content-type"}},
		{"not JSON", v2, upstream.Response{Status: 200, Header: jsonHeader(), Body: []byte("{"), Complete: true}, []string{"body:parse"}},
		{"wrong type", v2, upstream.Response{Status: 200, Header: jsonHeader(), Body: []byte(`{"sessions":[],"metadata":{"page_key":null,"total_count":"3"}}`), Complete: true}, []string{"body:type:/metadata/total_count"}},
		{"missing required", v2, upstream.Response{Status: 200, Header: jsonHeader(), Body: []byte(`{"sessions":[]}`), Complete: true}, []string{"body:required:/metadata"}},
		{"two errors", v2, upstream.Response{Status: 200, Header: jsonHeader(), Body: []byte(`{"sessions":[{"id":"bad","agent_key":"agt_x","enabled":true,"created_at":"2024-01-01T00:00:00Z"}],"metadata":{"page_key":null,"total_count":-1}}`), Complete: true},
			[]string{"body:pattern:/sessions/0/id", "body:minimum:/metadata/total_count"}},
		{"cut body is not checked", v2, upstream.Response{Status: 200, Header: jsonHeader(), Body: []byte(`{"sessi`), Complete: false}, nil},
		{"empty body", v2, upstream.Response{Status: 200, Header: http.Header{}, Complete: true}, nil},
		{"HEAD", v2, upstream.Response{Status: 200, Header: jsonHeader(), Head: true}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, v := range upstream.CheckResponse(tt.op, tt.resp) {
				s := v.Location + ":" + v.Code
				if v.Parameter != "" {
					s += ":" + v.Parameter
				} else if v.Pointer != "" {
					s += ":" + v.Pointer
				}
				got = append(got, s)
				if v.Message == "" {
					t.Errorf("%s has no message", s)
				}
			}
			slices.Sort(got)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

func TestViolationsJSON(t *testing.T) {
	if got := upstream.ViolationsJSON(nil, nil); got != "" {
		t.Errorf("no violations gave %q, want no header", got)
	}
	req := []openapi.Violation{{Location: "query", Parameter: "limit", Code: "maximum", Message: "too big"}}
	resp := []openapi.Violation{{Location: "body", Pointer: "/a~1b/0", Code: "type", Message: "not a string"}}
	var got []upstream.Tagged
	if err := json.Unmarshal([]byte(upstream.ViolationsJSON(req, resp)), &got); err != nil {
		t.Fatal(err)
	}
	want := []upstream.Tagged{
		{Location: []string{"request", "query", "limit"}, Severity: "Error", Code: "maximum", Message: "too big"},
		{Location: []string{"response", "body", "a~1b", "0"}, Severity: "Error", Code: "type", Message: "not a string"},
	}
	if !slices.EqualFunc(got, want, func(a, b upstream.Tagged) bool {
		return slices.Equal(a.Location, b.Location) && a.Severity == b.Severity && a.Code == b.Code && a.Message == b.Message
	}) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	many := make([]openapi.Violation, 500)
	for i := range many {
		many[i] = openapi.Violation{Location: "body", Code: "type", Message: strings.Repeat("m", 100)}
	}
	if h := upstream.ViolationsJSON(many, nil); len(h) > 8<<10 || !json.Valid([]byte(h)) {
		t.Errorf("500 violations gave a header of %d bytes (valid JSON: %v), want at most 8 KiB", len(h), json.Valid([]byte(h)))
	}
}
