package verify

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/decoy-mock/decoy/openapi"
)

const formSpec = `openapi: 3.0.3
info: {title: forms, version: '1'}
paths:
  /login:
    post:
      operationId: login
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema: {type: object, properties: {user: {type: string}}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {data: {type: string}}}
        '400': {description: bad}
`

// TestSkippedCasesSayWhy: verify sends no JSON for a form body, so the
// valid cases of a required form body are skipped with the spec's reason,
// and listed as such; the negative case without a body is still sent.
func TestSkippedCasesSayWhy(t *testing.T) {
	spec, err := openapi.Load(fstest.MapFS{"s.yaml": {Data: []byte(formSpec)}}, "s.yaml", openapi.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
	}))
	t.Cleanup(srv.Close)
	rep := run(t, Config{Spec: spec, Target: srv.URL, Generated: 1})
	op := rep.Operations[0]
	if op.Requests != 1 || op.Skipped == 0 || !rep.OK() {
		t.Fatalf("%+v", rep.Summary)
	}
	for _, e := range op.Exchanges {
		if e.Skipped != "" && !strings.Contains(e.Skipped, "the request breaks the contract itself: request body is required") {
			t.Errorf("%s: skipped because %q", e.Case, e.Skipped)
		}
	}
	var b bytes.Buffer
	rep.WriteText(&b)
	if !strings.Contains(b.String(), "Skipped (not sent):\n  login: required parameters, first documented values: the request breaks the contract itself") {
		t.Errorf("text report:\n%s", b.String())
	}
}

// TestLongBodiesAreCutAndNoted: a body past MaxBody is read no further,
// its schema is not checked, and the exchange says so.
func TestLongBodiesAreCutAndNoted(t *testing.T) {
	spec, err := openapi.Load(fstest.MapFS{"s.yaml": {Data: []byte(formSpec)}}, "s.yaml", openapi.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"data":"` + strings.Repeat("x", 5000) + `"}`))
	}))
	t.Cleanup(srv.Close)
	rep := run(t, Config{Spec: spec, Target: srv.URL, Generated: -1, MaxBody: 100})
	for _, e := range rep.Operations[0].Exchanges {
		if e.Response == nil {
			continue
		}
		if !e.Response.Truncated || len(e.Response.Body) != 100 || len(e.Notes) != 1 || (e.Failed() && e.Kind != "negative") {
			t.Errorf("%s: truncated %v, %d bytes, notes %q, failures %v", e.Case, e.Response.Truncated, len(e.Response.Body), e.Notes, e.Failures)
		}
	}
}
