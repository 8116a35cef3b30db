package upstream_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/decoy-mock/decoy/fixtures"
	"github.com/decoy-mock/decoy/mockserver"
	"github.com/decoy-mock/decoy/scenarios"
	"github.com/decoy-mock/decoy/upstream"
)

func withErrors(u *upstream.Config, _ *mockserver.Config) { u.Errors = true }

func lastEntry(tb testing.TB, rg *rig) mockserver.Entry {
	tb.Helper()
	es := rg.srv.Journal().Entries(mockserver.Filter{})
	if len(es) == 0 {
		tb.Fatal("the journal is empty")
	}
	e, _ := rg.srv.Journal().Entry(es[0].ID)
	for _, x := range es {
		if x.ID > e.ID {
			e, _ = rg.srv.Journal().Entry(x.ID)
		}
	}
	return e
}

func TestInvalidRequestIsForwardedAndTaggedRequest(t *testing.T) {
	rg := newRig(t)
	a := send(t, v1Request(rg.decoy.URL, "?limit=500", `{"status":"active"}`))
	if a.status != 200 || rg.prov.requests.Load() != 1 {
		t.Fatalf("status %d after %d upstream requests; want the upstream's 200", a.status, rg.prov.requests.Load())
	}
	tags := a.tagged(t)
	if len(tags) != 1 || strings.Join(tags[0].Location, ".") != "request.query.limit" || tags[0].Severity != "Error" {
		t.Fatalf("Sl-Violations %s, want one request.query.limit error", a.header.Get("Sl-Violations"))
	}
	got := violationsOf(t, rg)
	if len(got) != 1 || got[0].side != "request" || got[0].operation != "listSessions" {
		t.Errorf("violations %v, want one on the request side of listSessions", got)
	}
	e := lastEntry(t, rg)
	if e.Source != "upstream" || len(e.Violations) != 1 || len(e.ResponseViolations) != 0 {
		t.Errorf("journal entry source %q, %d request and %d response violations; want upstream, 1, 0", e.Source, len(e.Violations), len(e.ResponseViolations))
	}
}

func TestErrorsAnswersAnInvalidRequestWithoutForwarding(t *testing.T) {
	rg := newRig(t, withErrors)
	a := send(t, v1Request(rg.decoy.URL, "?limit=500", `{"status":"active"}`))
	if a.status != 422 {
		t.Fatalf("status %d, want the documented 422 (%s)", a.status, a.body)
	}
	if n := rg.prov.requests.Load(); n != 0 {
		t.Errorf("the provider got %d requests; an invalid request must not be forwarded under --errors", n)
	}
	if a.header.Get("Sl-Violations") == "" {
		t.Error("no Sl-Violations header on the error")
	}
	var body map[string]any
	if err := json.Unmarshal(a.body, &body); err != nil || body["detail"] == nil {
		t.Errorf("body %s is not the spec's 422 shape (detail)", a.body)
	}
}

func TestErrorsTurnsABrokenAnswerInto502(t *testing.T) {
	rg := newRig(t, withErrors)
	rg.prov.drift.Store(int32(wrongType))
	a := send(t, v1Request(rg.decoy.URL, "", `{}`))
	if a.status != http.StatusBadGateway || a.header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("status %d %s, want a 502 problem document (%s)", a.status, a.header.Get("Content-Type"), a.body)
	}
	var p upstream.Problem
	if err := json.Unmarshal(a.body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Type != "urn:decoy:problem:upstream-contract" || len(p.Validation) != 1 || p.Validation[0].Pointer != "/total" {
		t.Errorf("problem %+v, want upstream-contract listing /total", p)
	}
	if a.header.Get("X-Request-Id") != "" {
		t.Error("the broken answer's headers leaked into the 502")
	}
	// A conforming answer still passes unchanged.
	rg.prov.drift.Store(int32(conforming))
	if a := send(t, v1Request(rg.decoy.URL, "", `{}`)); a.status != 200 || !bytes.Equal(a.body, rg.prov.v1) {
		t.Errorf("conforming answer: status %d, body changed: %v", a.status, !bytes.Equal(a.body, rg.prov.v1))
	}
}

func TestUnreachableUpstreamIs502(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close() // nothing listens there now
	rg := newRig(t, func(u *upstream.Config, _ *mockserver.Config) { u.URL, _ = url.Parse(deadURL) })
	a := send(t, v2Request(rg.decoy.URL, ""))
	if a.status != http.StatusBadGateway || !strings.Contains(string(a.body), "upstream-unreachable") {
		t.Fatalf("status %d %s, want a 502 upstream-unreachable problem", a.status, a.body)
	}
	e := lastEntry(t, rg)
	if e.Kind != upstream.KindUnreachable || e.Status != 502 {
		t.Errorf("journal kind %q status %d", e.Kind, e.Status)
	}
	cov := rg.srv.Coverage()
	for _, op := range cov.Operations {
		for _, r := range op.Responses {
			if r.Count > 0 {
				t.Errorf("coverage counts %s %s: a 502 of Decoy's is no answer of the API", op.Operation, r.Code)
			}
		}
	}
}

func TestSlowUpstreamIs504(t *testing.T) {
	rg := newRig(t, func(u *upstream.Config, _ *mockserver.Config) { u.Timeout = 100 * time.Millisecond })
	rg.prov.delay = 5 * time.Second // the provider gives up when the proxy does
	a := send(t, v2Request(rg.decoy.URL, ""))
	if a.status != http.StatusGatewayTimeout || !strings.Contains(string(a.body), "upstream-timeout") {
		t.Fatalf("status %d %s, want a 504 upstream-timeout problem", a.status, a.body)
	}
}

func TestProxyRewritesHeaders(t *testing.T) {
	rg := newRig(t)
	r := v1Request(rg.decoy.URL, "?__code=200", `{"status":"active"}`)
	r.Header.Set("Connection", "X-Hop")
	r.Header.Set("X-Hop", "drop me")
	r.Header.Set("X-Decoy-Client", "test-1")
	if a := send(t, r); a.status != 200 {
		t.Fatalf("status %d", a.status)
	}
	got, body := rg.prov.lastRequest()
	up, _ := url.Parse(rg.upstream.URL)
	checks := []struct {
		name, got, want string
	}{
		{"Host", got.Host, up.Host},
		{"X-Forwarded-Host", got.Header.Get("X-Forwarded-Host"), strings.TrimPrefix(rg.decoy.URL, "http://")},
		{"X-Forwarded-Proto", got.Header.Get("X-Forwarded-Proto"), "http"},
		{"X-Forwarded-For", got.Header.Get("X-Forwarded-For"), "127.0.0.1"},
		{"X-Hop (hop-by-hop)", got.Header.Get("X-Hop"), ""},
		{"X-Decoy-Client", got.Header.Get("X-Decoy-Client"), ""},
		{"Authorization", got.Header.Get("Authorization"), "Bearer sk_live_abcdef123456"},
		{"query (Decoy's __code consumed)", got.URL.RawQuery, ""},
		{"body", string(body), `{"status":"active"}`},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: upstream saw %q, want %q", c.name, c.got, c.want)
		}
	}
	e := lastEntry(t, rg)
	if auth := e.Headers["Authorization"]; strings.Contains(auth, "abcdef123456") || auth == "" {
		t.Errorf("journaled Authorization %q: the credential must be masked", auth)
	}
}

func TestRedirectIsPassedThrough(t *testing.T) {
	rg := newRig(t)
	rg.serve(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/v2/agents/agt_other/sessions", http.StatusFound)
	})
	a := send(t, v2Request(rg.decoy.URL, ""))
	if a.status != http.StatusFound || a.header.Get("Location") != "/v2/agents/agt_other/sessions" {
		t.Fatalf("status %d Location %q, want the upstream's 302 unchanged", a.status, a.header.Get("Location"))
	}
	// The spec documents no 302: provider drift, reported.
	if got := violationsOf(t, rg); len(got) != 1 || got[0].kind != mockserver.KindUndocumentedStatus {
		t.Errorf("violations %v, want the undocumented 302", got)
	}
}

func TestLargeBodiesStreamUnchecked(t *testing.T) {
	const limit = 1 << 10
	rg := newRig(t, func(u *upstream.Config, m *mockserver.Config) { u.MaxBodyBytes = limit; m.MaxBodyBytes = limit })
	big := bytes.Repeat([]byte("x"), 64<<10)
	rg.serve(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Got", itoa(n))
		w.Write([]byte(`{"sessions":[],"total":0,"pagination":{"limit":1,"offset":0,"has_more":false,"next_offset":null},"pad":"`))
		w.Write(big)
		w.Write([]byte(`"}`))
	})
	body := `{"status":"active","filters":{"pad":"` + string(big) + `"}}`
	r := v1Request(rg.decoy.URL, "", body)
	r.ContentLength = -1 // chunked: the bound is found by reading
	r.Body = io.NopCloser(strings.NewReader(body))
	a := send(t, r)
	if a.status != 200 || a.header.Get("X-Got") != itoa(int64(len(body))) {
		t.Fatalf("status %d, upstream read %s of %d request bytes", a.status, a.header.Get("X-Got"), len(body))
	}
	if len(a.body) < len(big) {
		t.Fatalf("the answer lost bytes: %d", len(a.body))
	}
	e := lastEntry(t, rg)
	if len(e.Notes) != 2 || len(e.Violations)+len(e.ResponseViolations) != 0 {
		t.Errorf("notes %q, violations %v %v; want two notes (request and answer too large to check) and no violation", e.Notes, e.Violations, e.ResponseViolations)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestScenariosApplyInFrontOfTheProxy(t *testing.T) {
	rg := newRig(t, func(_ *upstream.Config, m *mockserver.Config) {
		m.Scenarios = defaultScenarios(t, m.Spec)
	})
	r := v2Request(rg.decoy.URL, "")
	r.Header.Set("Prefer", "scenario=rate-limited")
	var last answer
	for range 20 {
		if last = send(t, r.Clone(r.Context())); last.status == http.StatusTooManyRequests {
			break
		}
	}
	if last.status != http.StatusTooManyRequests {
		t.Fatalf("the rate-limited scenario never answered 429 in front of the proxy (last %d)", last.status)
	}
	before := rg.prov.requests.Load()
	send(t, r.Clone(r.Context()))
	if rg.prov.requests.Load() != before {
		t.Error("a rate-limited request reached the upstream")
	}
	failing := v1Request(rg.decoy.URL, "", `{}`)
	failing.Header.Set("Prefer", "scenario=server-error")
	if a := send(t, failing); a.status != 500 {
		t.Errorf("server-error scenario: status %d", a.status)
	}
}

func TestMockOnlyServesFromTheMock(t *testing.T) {
	rg := newRig(t, func(_ *upstream.Config, m *mockserver.Config) { m.MockOnly = []string{"/v2/agents/*/sessions"} })
	a := send(t, v2Request(rg.decoy.URL, ""))
	if a.status != 200 || rg.prov.requests.Load() != 0 {
		t.Fatalf("status %d with %d upstream requests; want the mock's 200 and none", a.status, rg.prov.requests.Load())
	}
	if a := send(t, v1Request(rg.decoy.URL, "", `{}`)); a.status != 200 || rg.prov.requests.Load() != 1 {
		t.Errorf("listSessions: status %d, %d upstream requests; want it proxied", a.status, rg.prov.requests.Load())
	}
}

func TestHTTP2ToATLSUpstream(t *testing.T) {
	rg := newRig(t)
	tlsUp := httptest.NewUnstartedServer(rg.prov)
	tlsUp.EnableHTTP2 = true
	tlsUp.StartTLS()
	t.Cleanup(tlsUp.Close)
	u, _ := url.Parse(tlsUp.URL)
	tr := upstream.NewTransport(5 * time.Second)
	tr.TLSClientConfig = &tls.Config{RootCAs: tlsUp.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs}
	p, err := upstream.New(upstream.Config{URL: u, Transport: tr})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := mockserver.New(mockserver.Config{Spec: rg.spec, Upstream: p})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	if a := send(t, v2Request(ts.URL, "")); a.status != 200 {
		t.Fatalf("status %d %s", a.status, a.body)
	}
	if got, _ := rg.prov.lastRequest(); got.ProtoMajor != 2 {
		t.Errorf("the upstream was reached over %s, want HTTP/2", got.Proto)
	}
}

func TestKeepAliveReusesConnections(t *testing.T) {
	rg := newRig(t)
	for range 10 {
		send(t, v2Request(rg.decoy.URL, ""))
	}
	if conns := rg.conns.Load(); conns > 1 {
		t.Errorf("%d connections to the upstream for 10 sequential requests, want 1 kept alive", conns)
	}
}

func TestCoveragePageShowsBothSides(t *testing.T) {
	rg := newRig(t)
	rg.prov.drift.Store(int32(undocumented500))
	send(t, v2Request(rg.decoy.URL, ""))
	send(t, v1Request(rg.decoy.URL, "?limit=500", `{}`))
	r, _ := http.NewRequest(http.MethodGet, rg.decoy.URL+"/__decoy/coverage?format=html", nil)
	page := string(send(t, r).body)
	for _, want := range []string{"proxying to " + rg.upstream.URL, "<th>Side</th>", `<td class="k">response</td><td class="k">undocumented-status</td>`,
		`<td class="k">request</td><td class="k">invalid-parameter</td>`} {
		if !strings.Contains(page, want) {
			t.Errorf("the coverage page lacks %q", want)
		}
	}
}

func TestMockOnlyAnswerCarriesViolationsHeader(t *testing.T) {
	rg := newRig(t, func(_ *upstream.Config, m *mockserver.Config) {
		m.MockOnly = []string{"listSessions"}
		m.Validation = mockserver.ValidationReport
	})
	a := send(t, v1Request(rg.decoy.URL, "?limit=500", `{}`))
	if a.status != 200 || rg.prov.requests.Load() != 0 {
		t.Fatalf("status %d, %d upstream requests; want the mock's answer", a.status, rg.prov.requests.Load())
	}
	if tags := a.tagged(t); len(tags) != 1 || strings.Join(tags[0].Location, ".") != "request.query.limit" {
		t.Errorf("Sl-Violations %q, want request.query.limit", a.header.Get("Sl-Violations"))
	}
}

func TestMockOnlyFromAFixtureFile(t *testing.T) {
	rg := newRig(t, func(_ *upstream.Config, m *mockserver.Config) {
		store, err := fixtures.LoadStore(fstest.MapFS{"fixtures/new.yaml": {Data: []byte(`
# The v2 list does not exist on the backend yet: the mock serves it.
mockOnly: [listAgentSessions]
stubs:
  - operation: listAgentSessions
    response:
      headers: {X-Request-Id: req_from_mock}
`)}}, "fixtures", m.Spec, fixtures.StoreOptions{})
		if err != nil {
			t.Fatal(err)
		}
		m.Fixtures = store
	})
	if a := send(t, v2Request(rg.decoy.URL, "")); a.status != 200 || a.header.Get("X-Request-Id") != "req_from_mock" {
		t.Errorf("listAgentSessions: status %d, X-Request-Id %q; want the mock's stub", a.status, a.header.Get("X-Request-Id"))
	}
	if a := send(t, v1Request(rg.decoy.URL, "", `{}`)); a.header.Get("X-Request-Id") != "req_provider" {
		t.Errorf("listSessions: X-Request-Id %q; want it proxied", a.header.Get("X-Request-Id"))
	}
	if n := rg.prov.requests.Load(); n != 1 {
		t.Errorf("the provider got %d requests, want 1", n)
	}
}

func TestGzipAnswersAreCheckedAndPassedCompressed(t *testing.T) {
	rg := newRig(t)
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	zw.Write([]byte(`{"sessions":[],"metadata":{"page_key":null,"total_count":"many"}}`))
	zw.Close()
	rg.serve(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(zipped.Bytes())
	})
	r := v2Request(rg.decoy.URL, "")
	r.Header.Set("Accept-Encoding", "gzip")
	a := send(t, r)
	if !bytes.Equal(a.body, zipped.Bytes()) {
		t.Error("the compressed answer was changed")
	}
	if tags := a.tagged(t); len(tags) != 1 || strings.Join(tags[0].Location, ".") != "response.body.metadata.total_count" {
		t.Errorf("Sl-Violations %q, want the wrong type inside the gzip body", a.header.Get("Sl-Violations"))
	}
}

func TestFaultsApplyToTheUpstreamAnswer(t *testing.T) {
	rg := newRig(t, func(_ *upstream.Config, m *mockserver.Config) {
		set, err := scenarios.Load(fstest.MapFS{"scenarios/cut.yaml": {Data: []byte(`
name: cut
rules:
  - operations: [listAgentSessions]
    fault: truncated
`)}}, "scenarios", m.Spec, scenarios.Options{})
		if err != nil {
			t.Fatal(err)
		}
		m.Scenarios = set
	})
	r := v2Request(rg.decoy.URL, "")
	r.Header.Set("Prefer", "scenario=cut")
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil || len(body) >= len(rg.prov.v2) {
		t.Errorf("read %d of %d bytes, err %v; want the upstream's answer cut short", len(body), len(rg.prov.v2), err)
	}
	if rg.prov.requests.Load() != 1 {
		t.Errorf("the upstream got %d requests, want 1", rg.prov.requests.Load())
	}
}

// TestEventStreamIsNotHeldBack: an answer of unknown length that no schema
// checks (server-sent events) reaches the client as the upstream sends it.
func TestEventStreamIsNotHeldBack(t *testing.T) {
	rg := newRig(t)
	rg.serve(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		w.Write([]byte("data: first\n\n"))
		w.(http.Flusher).Flush()
		select { // the stream stays open until the client leaves
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	r := v2Request(rg.decoy.URL, "")
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	resp, err := http.DefaultClient.Do(r.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || line != "data: first\n" {
		t.Fatalf("read %q, %v; want the first event while the stream is open", line, err)
	}
	if !strings.Contains(resp.Header.Get("Sl-Violations"), "undocumented-content-type") {
		t.Errorf("Sl-Violations %q: the spec documents no event stream", resp.Header.Get("Sl-Violations"))
	}
}
