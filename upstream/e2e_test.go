package upstream_test

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/decoy-mock/decoy/defaultapi"
	"github.com/decoy-mock/decoy/mockserver"
	"github.com/decoy-mock/decoy/openapi"
	"github.com/decoy-mock/decoy/scenarios"
	"github.com/decoy-mock/decoy/upstream"
)

func defaultSpec(tb testing.TB) *openapi.Spec {
	tb.Helper()
	spec, err := openapi.Load(defaultapi.FS, defaultapi.SpecFile, openapi.LoadOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	return spec
}

// rig is a provider on 127.0.0.1 and Decoy proxying to it.
type rig struct {
	spec     *openapi.Spec
	prov     *provider
	upstream *httptest.Server
	srv      *mockserver.Server
	decoy    *httptest.Server
	// override, when set, answers in the provider's place; conns counts
	// the connections the upstream accepted.
	override atomic.Pointer[http.HandlerFunc]
	conns    atomic.Int32
}

// serve makes h answer in the provider's place.
func (rg *rig) serve(h http.HandlerFunc) { rg.override.Store(&h) }

type rigOption func(*upstream.Config, *mockserver.Config)

func newRig(tb testing.TB, opts ...rigOption) *rig {
	tb.Helper()
	rg := &rig{spec: defaultSpec(tb)}
	rg.prov = newProvider(tb, rg.spec)
	rg.upstream = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := rg.override.Load(); h != nil {
			(*h)(w, r)
			return
		}
		rg.prov.ServeHTTP(w, r)
	}))
	rg.upstream.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			rg.conns.Add(1)
		}
	}
	rg.upstream.Start()
	tb.Cleanup(rg.upstream.Close)
	u, _ := url.Parse(rg.upstream.URL)
	ucfg := upstream.Config{URL: u}
	mcfg := mockserver.Config{Spec: rg.spec, Seed: 1}
	for _, o := range opts {
		o(&ucfg, &mcfg)
	}
	p, err := upstream.New(ucfg)
	if err != nil {
		tb.Fatal(err)
	}
	mcfg.Upstream = p
	rg.srv, err = mockserver.New(mcfg)
	if err != nil {
		tb.Fatal(err)
	}
	rg.decoy = httptest.NewServer(rg.srv)
	tb.Cleanup(rg.decoy.Close)
	return rg
}

// The requests of a test: valid ones of both endpoints, and variants.
func v1Request(base, query, body string) *http.Request {
	r, _ := http.NewRequest(http.MethodPost, base+"/v1/agents/sessions/list"+query, strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer sk_live_abcdef123456")
	r.Header.Set("X-Namespace", "ns_4h7d2k9p1qzt")
	r.Header.Set("Content-Type", "application/json")
	return r
}

func v2Request(base, query string) *http.Request {
	r, _ := http.NewRequest(http.MethodGet, base+"/v2/agents/agt_customer_support/sessions"+query, nil)
	r.Header.Set("Authorization", "Bearer sk_live_abcdef123456")
	return r
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func send(tb testing.TB, r *http.Request) answer {
	tb.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(r)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, body}
}

// tagged decodes the Sl-Violations header of a.
func (a answer) tagged(tb testing.TB) []upstream.Tagged {
	tb.Helper()
	raw := a.header.Get("Sl-Violations")
	if raw == "" {
		return nil
	}
	var out []upstream.Tagged
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		tb.Fatalf("Sl-Violations %q: %v", raw, err)
	}
	return out
}

// seen is a violation as a test states it: side, operation, kind and
// where ("header Retry-After", "body /total").
type seen struct{ side, operation, kind string }

func violationsOf(tb testing.TB, rg *rig) []seen {
	tb.Helper()
	var out []seen
	for _, g := range rg.srv.Violations().Groups {
		out = append(out, seen{g.Side, g.Operation, g.Kind})
	}
	return out
}

func TestProxyReportsExactlyTheInjectedDrift(t *testing.T) {
	tests := []struct {
		drift drift
		// want are the violation groups; header the Sl-Violations
		// locations, per endpoint.
		want           []seen
		v1Tags, v2Tags [][]string
		v1Status       int
		v2Status       int
	}{
		{drift: conforming, v1Status: 200, v2Status: 200},
		{drift: renamedField, v1Status: 200, v2Status: 200,
			want:   []seen{{"response", "listAgentSessions", mockserver.KindBadResponseBody}},
			v2Tags: [][]string{{"response", "body", "sessions", "0", "created_at"}}},
		{drift: undocumented500, v1Status: 200, v2Status: 500,
			want:   []seen{{"response", "listAgentSessions", mockserver.KindUndocumentedStatus}},
			v2Tags: [][]string{{"response", "status"}}},
		{drift: wrongType, v1Status: 200, v2Status: 200,
			want:   []seen{{"response", "listSessions", mockserver.KindBadResponseBody}},
			v1Tags: [][]string{{"response", "body", "total"}}},
		{drift: missingHeader, v1Status: 429, v2Status: 200,
			want:   []seen{{"response", "listSessions", mockserver.KindBadResponseHeader}},
			v1Tags: [][]string{{"response", "header", "Retry-After"}}},
	}
	for _, tt := range tests {
		t.Run(tt.drift.String(), func(t *testing.T) {
			rg := newRig(t)
			rg.prov.drift.Store(int32(tt.drift))
			a1 := send(t, v1Request(rg.decoy.URL, "?limit=3", `{"status":"active"}`))
			a2 := send(t, v2Request(rg.decoy.URL, "?limit=3"))
			if a1.status != tt.v1Status || a2.status != tt.v2Status {
				t.Fatalf("statuses %d, %d; want %d, %d (bodies %s / %s)", a1.status, a2.status, tt.v1Status, tt.v2Status, a1.body, a2.body)
			}
			if got := locations(a1.tagged(t)); !slices.EqualFunc(got, tt.v1Tags, slices.Equal) {
				t.Errorf("v1 Sl-Violations locations %q, want %q (%s)", got, tt.v1Tags, a1.header.Get("Sl-Violations"))
			}
			if got := locations(a2.tagged(t)); !slices.EqualFunc(got, tt.v2Tags, slices.Equal) {
				t.Errorf("v2 Sl-Violations locations %q, want %q (%s)", got, tt.v2Tags, a2.header.Get("Sl-Violations"))
			}
			if got := violationsOf(t, rg); !slices.Equal(got, tt.want) {
				t.Errorf("violations %v, want %v", got, tt.want)
			}
			if n := rg.prov.requests.Load(); n != 2 {
				t.Errorf("the provider got %d requests, want 2", n)
			}
			// The answer is the provider's, unchanged.
			if a1.header.Get("X-Request-Id") != "req_provider" {
				t.Errorf("X-Request-Id %q: not the provider's answer", a1.header.Get("X-Request-Id"))
			}
		})
	}
}

func locations(ts []upstream.Tagged) [][]string {
	var out [][]string
	for _, t := range ts {
		out = append(out, t.Location)
	}
	return out
}

func defaultScenarios(tb testing.TB, spec *openapi.Spec) *scenarios.Set {
	tb.Helper()
	set, err := scenarios.Load(defaultapi.FS, "scenarios", spec, scenarios.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return set
}
