package mockserver_test

import (
	"encoding/json"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/decoy-mock/decoy/mockserver"
	"github.com/decoy-mock/decoy/openapi"
)

// FuzzServe sends arbitrary methods, paths, queries, headers and bodies to
// the default API: every answer must be a well-formed response whose body
// parses as its Content-Type says, and nothing may panic.
func FuzzServe(f *testing.F) {
	seeds := []struct{ method, path, query, prefer, auth, ctype, body string }{
		{"GET", "/v2/agents/agt_customer_support/sessions", "limit=25&enabled=true", "", "Bearer k", "", ""},
		{"GET", "/v2/agents/agt_x/sessions", "limit=500&page_key=", "code=404", "Bearer k", "", ""},
		{"POST", "/v1/agents/sessions/list", "limit=2&offset=1", "", "Bearer k", "application/json", `{"status":"active","filters":{},"sort":{}}`},
		{"POST", "/v1/agents/sessions/list", "", "dynamic=true, seed=x", "Bearer k", "application/json", `{"status":`},
		{"POST", "/v1/agents/sessions/list", "__code=500", "", "Basic !!", "text/plain", "hello"},
		{"DELETE", "/v2/agents/%zz/sessions", "", "example=", "", "", ""},
		{"OPTIONS", "/anything", "", "", "", "", ""},
		{"GET", "/__decoy/routes", "", "", "", "", ""},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.query, s.prefer, s.auth, s.ctype, s.body)
	}
	spec := loadSpec(f, "default")
	srv, err := mockserver.New(mockserver.Config{Spec: spec, CORS: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, method, path, query, prefer, auth, ctype, body string) {
		if method == "" || strings.ContainsAny(method, " \t\r\n") {
			method = "GET"
		}
		req := &http.Request{
			Method:     method,
			URL:        &url.URL{Path: path, RawQuery: query},
			Header:     http.Header{},
			Body:       http.NoBody,
			Host:       "127.0.0.1",
			RequestURI: path,
		}
		if u, err := url.Parse("http://127.0.0.1" + path); err == nil && u.Path != "" {
			req.URL.Path, req.URL.RawPath = u.Path, u.RawPath
		}
		if body != "" {
			req.Body = httpBody(body)
			req.ContentLength = int64(len(body))
		}
		for k, v := range map[string]string{"Prefer": prefer, "Authorization": auth, "Content-Type": ctype, "X-Namespace": "ns"} {
			if v != "" {
				req.Header.Set(k, v)
			}
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req.WithContext(t.Context()))
		res := rec.Result()
		if res.StatusCode < 100 || res.StatusCode > 599 {
			t.Fatalf("status %d", res.StatusCode)
		}
		if res.StatusCode == http.StatusInternalServerError && (strings.Contains(rec.Body.String(), "urn:decoy:problem:internal") || strings.Contains(rec.Body.String(), "urn:decoy:problem:cannot-generate")) {
			t.Fatalf("internal error: %s", rec.Body)
		}
		if rec.Body.Len() == 0 {
			return
		}
		ct := res.Header.Get("Content-Type")
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatalf("body without a valid Content-Type %q: %s", ct, rec.Body)
		}
		if openapi.IsJSON(mt) && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s body is not JSON: %s", mt, rec.Body)
		}
	})
}

type stringBody struct{ *strings.Reader }

func (stringBody) Close() error { return nil }

func httpBody(s string) stringBody { return stringBody{strings.NewReader(s)} }
