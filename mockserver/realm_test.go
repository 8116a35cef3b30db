package mockserver_test

import (
	"net/http/httptest"
	"testing"
	"testing/fstest"

	"github.com/decoy-mock/decoy/mockserver"
	"github.com/decoy-mock/decoy/openapi"
)

// realmSpec has a scheme with an x-decoy-realm, one whose 401 documents a
// realm for another scheme word, and one whose 401 documents none.
const realmSpec = `openapi: 3.0.3
info: {title: realms, version: "1"}
components:
  securitySchemes:
    named: {type: http, scheme: bearer, x-decoy-realm: 'named "realm"'}
    basic: {type: http, scheme: basic}
    key: {type: apiKey, in: header, name: X-Key}
paths:
  /named:
    get:
      security: [{named: []}]
      responses:
        '200': {description: ok}
        '401':
          description: no
          headers:
            WWW-Authenticate: {schema: {type: string}, example: 'Bearer realm="ignored"'}
  /enum:
    get:
      security: [{basic: []}, {key: []}]
      responses:
        '200': {description: ok}
        '401':
          description: no
          headers:
            WWW-Authenticate:
              schema: {type: string, enum: ['Bearer realm="other", error="invalid_token"', 'Basic charset="UTF-8", realm=shop']}
  /undocumented:
    get:
      security: [{key: []}]
      responses:
        '200': {description: ok}
`

// Regression: WWW-Authenticate always named realm "decoy", whatever realm
// the spec documents.
func TestChallengeRealmFromTheSpec(t *testing.T) {
	spec, err := openapi.Load(fstest.MapFS{"openapi.yaml": {Data: []byte(realmSpec)}}, "openapi.yaml", openapi.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := mockserver.New(mockserver.Config{Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	def, _ := newServer(t, "default")
	sec, _ := newServer(t, "security.yaml")
	for _, tt := range []struct {
		name string
		ts   *httptest.Server
		path string
		want []string
	}{
		{"x-decoy-realm wins over the documented header", ts, "/named", []string{`Bearer realm="named \"realm\""`}},
		{"the realm of the same scheme word, from an enum", ts, "/enum", []string{`Basic realm="shop"`, `ApiKey realm="decoy", in="header", name="X-Key"`}},
		{"nothing documented", ts, "/undocumented", []string{`ApiKey realm="decoy", in="header", name="X-Key"`}},
		{"the default API's seed", def, "/v2/agents/agt_customer_support/sessions", []string{`Bearer realm="api"`}},
		{"a documented example", sec, "/basic", []string{`Basic realm="decoy-test"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := do(t, tt.ts, call{method: "GET", path: tt.path})
			if res.status != 401 {
				t.Fatalf("status %d: %s", res.status, res.body)
			}
			got := res.header.Values("WWW-Authenticate")
			if len(got) != len(tt.want) {
				t.Fatalf("WWW-Authenticate = %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("WWW-Authenticate[%d] = %q, want %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}
