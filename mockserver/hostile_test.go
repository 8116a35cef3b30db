package mockserver_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/decoy-mock/decoy/defaultapi"
	"github.com/decoy-mock/decoy/mockserver"
)

// hostileRequest is one malformed or hostile request of TestBadRequests and
// what the mock must answer to it.
type hostileRequest struct {
	name   string
	method string
	// target is the request-target exactly as sent: a path and query, or
	// an absolute URL when raw.
	target string
	// header lists field names and values, in order, sent exactly as given
	// (a name may repeat).
	header []string
	body   string
	// raw sends the request over a bare TCP connection, byte for byte,
	// where net/http's client would refuse or rewrite it.
	raw bool
	// rawBytes, when set, is the whole request sent over TCP as is.
	rawBytes []byte
	// halfClose closes the writing side of the connection once the request
	// is sent, for a body shorter than its Content-Length.
	halfClose bool

	status int
	// want are substrings the response's message must hold, compared
	// without regard to case: the parameter or field at fault.
	want []string
}

// The paths and credentials of the default API.
const (
	hostileV1 = "/v1/agents/sessions/list"
	hostileV2 = "/v2/agents/agt_customer_support/sessions"
)

var (
	hAuth   = []string{"Authorization", "Bearer sk_test_123"}
	hV1     = []string{"Authorization", "Bearer sk_test_123", "X-Namespace", "ns_demo"}
	hV1JSON = []string{"Authorization", "Bearer sk_test_123", "X-Namespace", "ns_demo", "Content-Type", "application/json"}
)

func hdr(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// newDefaultProject serves the embedded default project (spec, fixtures and
// scenarios) as `decoy serve` does.
func newDefaultProject(t *testing.T) *httptest.Server {
	t.Helper()
	cfg, err := mockserver.LoadProject(context.Background(), mockserver.Project{
		SpecFS: defaultapi.FS, SpecFile: defaultapi.SpecFile,
		FixturesFS: defaultapi.FS, FixturesDir: "fixtures",
		ScenariosFS: defaultapi.FS, ScenariosDir: "scenarios",
	})
	if err != nil {
		t.Fatalf("loading the default project: %v", err)
	}
	cfg.Seed, cfg.CORS = 42, true
	srv, err := mockserver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts
}

func TestBadRequests(t *testing.T) {
	ts := newDefaultProject(t)

	deepArrays := strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)
	deepObjects := `{"filters": ` + strings.Repeat(`{"a": `, 100_000) + "1" + strings.Repeat("}", 100_000) + "}"
	big := `{"filters": {"a": "` + strings.Repeat("x", 11<<20) + `"}}`
	manyPrefs := make([]string, 500)
	for i := range manyPrefs {
		manyPrefs[i] = fmt.Sprintf("pref%d=%d", i, i)
	}
	manyHeaders := make([]string, 0, 40_000)
	for i := range 20_000 {
		manyHeaders = append(manyHeaders, fmt.Sprintf("X-Filler-%d", i), strings.Repeat("v", 50))
	}

	rows := []hostileRequest{
		// Bad JSON. The v1 endpoint documents 422 first, so a body that
		// is not the documented JSON is a 422 naming the body.
		{name: "v1 truncated JSON", method: "POST", target: hostileV1, header: hV1JSON, body: `{"status": "act`, status: 422, want: []string{"body"}},
		{name: "v1 trailing garbage after the JSON", method: "POST", target: hostileV1, header: hV1JSON, body: `{"status": "active"} xyz`, status: 422, want: []string{"body"}},
		{name: "v1 two JSON documents", method: "POST", target: hostileV1, header: hV1JSON, body: `{} {}`, status: 422, want: []string{"body"}},
		{name: "v1 top-level array", method: "POST", target: hostileV1, header: hV1JSON, body: `[]`, status: 422, want: []string{"body"}},
		{name: "v1 top-level string", method: "POST", target: hostileV1, header: hV1JSON, body: `"active"`, status: 422, want: []string{"body"}},
		{name: "v1 top-level null", method: "POST", target: hostileV1, header: hV1JSON, body: `null`, status: 422, want: []string{"body"}},
		{name: "v1 empty body with a JSON Content-Type", method: "POST", target: hostileV1, header: hV1JSON, raw: true, status: 422, want: []string{"body"}},
		{name: "v1 top-level number too big", method: "POST", target: hostileV1, header: hV1JSON, body: `1e999`, status: 422, want: []string{"body"}},
		{name: "v1 number too big for status", method: "POST", target: hostileV1, header: hV1JSON, body: `{"status": 1e999}`, status: 422, want: []string{"status"}},
		{name: "v1 number too big inside filters", method: "POST", target: hostileV1, header: hV1JSON, body: `{"filters": {"n": 1e999}}`, status: 422, want: []string{"body"}},
		{name: "v1 duplicate key", method: "POST", target: hostileV1, header: hV1JSON, body: `{"status": "paused", "status": "active"}`, status: 422, want: []string{"status"}},
		{name: "v1 wrong type for status", method: "POST", target: hostileV1, header: hV1JSON, body: `{"status": 5}`, status: 422, want: []string{"status"}},
		{name: "v1 invalid UTF-8 inside a string", method: "POST", target: hostileV1, header: hV1JSON, body: "{\"filters\": {\"user_id\": \"\xff\xfe\"}}", status: 422, want: []string{"body"}},
		{name: "v1 raw NUL byte inside a string", method: "POST", target: hostileV1, header: hV1JSON, body: "{\"status\": \"act\x00ive\"}", status: 422, want: []string{"body"}},
		{name: "v1 escaped NUL in an enum value", method: "POST", target: hostileV1, header: hV1JSON, body: `{"status": "active\u0000"}`, status: 422, want: []string{"status"}},
		{name: "v1 100k nested arrays", method: "POST", target: hostileV1, header: hV1JSON, body: deepArrays, status: 422, want: []string{"nest"}},
		{name: "v1 100k nested objects in filters", method: "POST", target: hostileV1, header: hV1JSON, body: deepObjects, status: 422, want: []string{"nest"}},
		{name: "v1 body of 11 MiB", method: "POST", target: hostileV1, header: hV1JSON, body: big, status: 413, want: []string{"body"}},
		{name: "v1 chunked body of 11 MiB", method: "POST", target: hostileV1, raw: true,
			rawBytes: chunked("POST", hostileV1, hV1JSON, big), status: 413, want: []string{"body"}},

		// Content types.
		{name: "v1 text/plain", method: "POST", target: hostileV1, header: hdr(hV1, []string{"Content-Type", "text/plain"}), body: `{"status": "active"}`, status: 415, want: []string{"application/json"}},
		{name: "v1 multipart form", method: "POST", target: hostileV1, header: hdr(hV1, []string{"Content-Type", "multipart/form-data; boundary=XyZ"}),
			body: "--XyZ\r\nContent-Disposition: form-data; name=\"status\"\r\n\r\nactive\r\n--XyZ--\r\n", status: 415, want: []string{"application/json"}},
		{name: "v1 urlencoded form", method: "POST", target: hostileV1, header: hdr(hV1, []string{"Content-Type", "application/x-www-form-urlencoded"}), body: `status=active`, status: 415, want: []string{"application/json"}},
		{name: "v1 JSON body without Content-Type", method: "POST", target: hostileV1, header: hV1, body: `{"status": "active"}`, status: 415, want: []string{"content-type"}},
		{name: "v1 +json suffix is another media type", method: "POST", target: hostileV1, header: hdr(hV1, []string{"Content-Type", "application/vnd.api+json"}), body: `{}`, status: 415, want: []string{"application/json"}},
		{name: "v1 Content-Type with a parameter lacking its value", method: "POST", target: hostileV1, header: hdr(hV1, []string{"Content-Type", "application/json; charset"}), body: `{}`, status: 415, want: []string{"application/json"}},
		{name: "v1 charset=utf-8 is accepted", method: "POST", target: hostileV1, header: hdr(hV1, []string{"Content-Type", "application/json; charset=utf-8"}), body: `{"status": "active"}`, status: 200},
		{name: "v1 quoted upper-case charset is accepted", method: "POST", target: hostileV1, header: hdr(hV1, []string{"Content-Type", `application/json;charset="UTF-8"`}), body: `{}`, status: 200},
		{name: "v1 media type in upper case is accepted", method: "POST", target: hostileV1, header: hdr(hV1, []string{"Content-Type", "Application/JSON"}), body: `{}`, status: 200},

		// Headers. A request net/http itself rejects gets its plain-text
		// "400 Bad Request" or 431, before Decoy sees it.
		{name: "v1 empty X-Namespace", method: "POST", target: hostileV1, header: hdr(hAuth, []string{"X-Namespace", "", "Content-Type", "application/json"}), body: `{}`, status: 422, want: []string{"X-Namespace"}},
		{name: "v1 X-Namespace twice with different values", method: "POST", target: hostileV1, header: hdr(hV1JSON, []string{"X-Namespace", "ns_other"}), body: `{}`, status: 422, want: []string{"X-Namespace"}},
		{name: "v2 one header of 2 MiB", method: "GET", target: hostileV2, raw: true, header: hdr(hAuth, []string{"X-Big", strings.Repeat("a", 2<<20)}), status: 431, want: []string{"header"}},
		{name: "v2 20k headers", method: "GET", target: hostileV2, raw: true, header: hdr(hAuth, manyHeaders), status: 431, want: []string{"header"}},
		{name: "v2 NUL byte in a header value", method: "GET", target: hostileV2, raw: true, header: hdr(hAuth, []string{"X-Decoy-Client", "a\x00b"}), status: 400, want: []string{"bad request"}},
		{name: "v2 bare CR in a header value", method: "GET", target: hostileV2, raw: true, header: hdr(hAuth, []string{"X-Decoy-Client", "a\rb"}), status: 400, want: []string{"bad request"}},
		{name: "v2 64 KiB bearer token is accepted", method: "GET", target: hostileV2, header: []string{"Authorization", "Bearer " + strings.Repeat("k", 64<<10)}, status: 200},
		{name: "HTTP/1.1 request without Host", raw: true, rawBytes: []byte("GET " + hostileV2 + " HTTP/1.1\r\nAuthorization: Bearer k\r\nConnection: close\r\n\r\n"), status: 400, want: []string{"host"}},

		// Query parameters.
		{name: "v2 limit twice", method: "GET", target: hostileV2 + "?limit=1&limit=2", header: hAuth, status: 400, want: []string{"limit"}},
		{name: "v2 enabled twice with different values", method: "GET", target: hostileV2 + "?enabled=true&enabled=false", header: hAuth, status: 400, want: []string{"enabled"}},
		{name: "v2 negative limit", method: "GET", target: hostileV2 + "?limit=-1", header: hAuth, status: 400, want: []string{"limit"}},
		{name: "v2 float limit", method: "GET", target: hostileV2 + "?limit=1.5", header: hAuth, status: 400, want: []string{"limit"}},
		{name: "v2 huge limit", method: "GET", target: hostileV2 + "?limit=99999999999999999999999999", header: hAuth, status: 400, want: []string{"limit"}},
		{name: "v2 empty limit", method: "GET", target: hostileV2 + "?limit=", header: hAuth, status: 400, want: []string{"limit"}},
		{name: "v2 NUL in limit", method: "GET", target: hostileV2 + "?limit=1%00", header: hAuth, status: 400, want: []string{"limit"}},
		{name: "v2 full-width digits in limit", method: "GET", target: hostileV2 + "?limit=%EF%BC%91", header: hAuth, status: 400, want: []string{"limit"}},
		{name: "v2 percent-encoded invalid UTF-8 in page_key", method: "GET", target: hostileV2 + "?page_key=%FF%FE", header: hAuth, status: 400, want: []string{"page_key"}},
		{name: "v2 raw invalid UTF-8 in page_key", method: "GET", target: hostileV2 + "?page_key=\xff\xfe", raw: true, header: hAuth, status: 400, want: []string{"page_key"}},
		{name: "v2 bad percent-encoding in page_key", method: "GET", target: hostileV2 + "?page_key=%zz", raw: true, header: hAuth, status: 400, want: []string{"page_key"}},
		{name: "v2 page_key that is no cursor", method: "GET", target: hostileV2 + "?page_key=not-a-cursor", header: hAuth, status: 400, want: []string{"page_key"}},
		{name: "v1 negative offset", method: "POST", target: hostileV1 + "?offset=-5", header: hV1JSON, body: `{}`, status: 422, want: []string{"offset"}},
		{name: "v1 offset beyond float64", method: "POST", target: hostileV1 + "?offset=1e400", header: hV1JSON, body: `{}`, status: 422, want: []string{"offset"}},

		// Paths.
		{name: "v2 empty agent_key", method: "GET", target: "/v2/agents//sessions", header: hAuth, status: 400, want: []string{"agent_key"}},
		{name: "v2 unicode agent_key", method: "GET", target: "/v2/agents/agt_%C3%A9/sessions", header: hAuth, status: 400, want: []string{"agent_key"}},
		{name: "v2 %2F inside agent_key", method: "GET", target: "/v2/agents/agt_a%2Fb/sessions", header: hAuth, status: 400, want: []string{"agent_key"}},
		{name: "v2 double-encoded slash in agent_key", method: "GET", target: "/v2/agents/agt_a%252Fb/sessions", header: hAuth, status: 400, want: []string{"agent_key"}},
		{name: "v2 %2e%2e as agent_key", method: "GET", target: "/v2/agents/%2e%2e/sessions", header: hAuth, status: 400, want: []string{"agent_key"}},
		{name: "v2 %2e%2e/ climbing to v1", method: "GET", target: "/v2/agents/%2e%2e/%2e%2e/v1/agents/sessions/list", header: hAuth, status: 404, want: []string{"path"}},
		{name: "v2 literal dot-dot segments", method: "GET", target: "/v2/agents/agt_x/../agt_customer_support/sessions", raw: true, header: hAuth, status: 404, want: []string{"path"}},
		{name: "v2 %00 in agent_key", method: "GET", target: "/v2/agents/agt_%00/sessions", header: hAuth, status: 400, want: []string{"agent_key"}},
		{name: "v2 %FF in agent_key", method: "GET", target: "/v2/agents/agt_%FF/sessions", header: hAuth, status: 400, want: []string{"agent_key"}},
		{name: "v2 raw 0xff byte in agent_key", method: "GET", target: "/v2/agents/agt_\xff/sessions", raw: true, header: hAuth, status: 400, want: []string{"agent_key"}},
		{name: "v2 semicolon parameter in agent_key", method: "GET", target: "/v2/agents/agt_a;x=1/sessions", header: hAuth, status: 400, want: []string{"agent_key"}},
		{name: "v2 raw NUL byte in the path", method: "GET", target: "/v2/agents/agt_\x00/sessions", raw: true, header: hAuth, status: 400, want: []string{"bad request"}},
		{name: "v2 bad percent-encoding in the path", method: "GET", target: "/v2/agents/agt_%zz/sessions", raw: true, header: hAuth, status: 400, want: []string{"bad request"}},
		{name: "target without a leading slash", method: "GET", target: "v2/agents/agt_customer_support/sessions", raw: true, header: hAuth, status: 400, want: []string{"bad request"}},
		{name: "v2 trailing slash suggests the path", method: "GET", target: hostileV2 + "/", header: hAuth, status: 404, want: []string{"/v2/agents/{agent_key}/sessions"}},
		{name: "64 KiB path of segments", method: "GET", target: "/" + strings.Repeat("a/", 32<<10), header: hAuth, status: 404, want: []string{"path"}},
		{name: "v2 64 KiB agent_key is an unknown agent", method: "GET", target: "/v2/agents/agt_" + strings.Repeat("a", 64<<10) + "/sessions", header: hAuth, status: 404, want: []string{"agent_key"}},
		{name: "path of 2 MiB", method: "GET", target: "/v2/agents/agt_" + strings.Repeat("a", 2<<20) + "/sessions", raw: true, header: hAuth, status: 431, want: []string{"header"}},
		{name: "v2 absolute-form target is served", method: "GET", target: "http://decoy.invalid" + hostileV2, raw: true, header: hAuth, status: 200},

		// Methods.
		{name: "v1 GET", method: "GET", target: hostileV1, header: hV1, status: 405, want: []string{"POST"}},
		{name: "v2 PUT with a body", method: "PUT", target: hostileV2, header: hdr(hAuth, []string{"Content-Type", "application/json"}), body: `{}`, status: 405, want: []string{"GET"}},
		{name: "v2 unknown method", method: "FROB", target: hostileV2, header: hAuth, status: 405, want: []string{"GET"}},
		{name: "v2 lower-case get", method: "get", target: hostileV2, raw: true, header: hAuth, status: 405, want: []string{"GET"}},
		{name: "v2 TRACE", method: "TRACE", target: hostileV2, header: hAuth, status: 405, want: []string{"GET"}},

		// Prefer abuse.
		{name: "v2 Prefer code=99999", method: "GET", target: hostileV2, header: hdr(hAuth, []string{"Prefer", "code=99999"}), status: 422, want: []string{"code"}},
		{name: "v2 Prefer code=-1", method: "GET", target: hostileV2, header: hdr(hAuth, []string{"Prefer", "code=-1"}), status: 422, want: []string{"code"}},
		{name: "v2 Prefer code with an open quote", method: "GET", target: hostileV2, header: hdr(hAuth, []string{"Prefer", `code="404`}), status: 422, want: []string{"code"}},
		{name: "v2 Prefer code twice with different values", method: "GET", target: hostileV2, header: hdr(hAuth, []string{"Prefer", "code=404, code=403"}), status: 422, want: []string{"code"}},
		{name: "v2 Prefer example of 10 KiB", method: "GET", target: hostileV2, header: hdr(hAuth, []string{"Prefer", "example=" + strings.Repeat("e", 10<<10)}), status: 404, want: []string{"example"}},
		{name: "v2 Prefer with 500 unknown preferences", method: "GET", target: hostileV2, header: hdr(hAuth, []string{"Prefer", strings.Join(manyPrefs, ", ")}), status: 200},
		{name: "v2 Prefer unknown scenario", method: "GET", target: hostileV2, header: hdr(hAuth, []string{"Prefer", "scenario=nope"}), status: 400, want: []string{"scenario"}},
		{name: "v2 __code=abc", method: "GET", target: hostileV2 + "?__code=abc", header: hAuth, status: 422, want: []string{"__code"}},
		{name: "v2 __code twice", method: "GET", target: hostileV2 + "?__code=404&__code=403", header: hAuth, status: 422, want: []string{"__code"}},

		// Content negotiation.
		{name: "v2 Accept application/xml", method: "GET", target: hostileV2, header: hdr(hAuth, []string{"Accept", "application/xml"}), status: 406, want: []string{"application/json"}},
		{name: "v2 Accept application/json;q=0", method: "GET", target: hostileV2, header: hdr(hAuth, []string{"Accept", "application/json;q=0"}), status: 406, want: []string{"application/json"}},

		// Framing: what net/http rejects is its own "400 Bad Request"; a
		// body that breaks off is Decoy's 400 naming the body.
		{name: "v1 chunked body with a bad chunk size", raw: true, rawBytes: []byte("POST " + hostileV1 + " HTTP/1.1\r\nHost: decoy\r\nAuthorization: Bearer k\r\nX-Namespace: ns\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"),
			status: 400, want: []string{"body"}},
		{name: "v1 body shorter than its Content-Length", raw: true, halfClose: true, rawBytes: []byte("POST " + hostileV1 + " HTTP/1.1\r\nHost: decoy\r\nAuthorization: Bearer k\r\nX-Namespace: ns\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{}"),
			status: 400, want: []string{"body"}},
		{name: "two different Content-Length headers", raw: true, rawBytes: []byte("POST " + hostileV1 + " HTTP/1.1\r\nHost: decoy\r\nAuthorization: Bearer k\r\nX-Namespace: ns\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\nConnection: close\r\n\r\n{}"),
			status: 400, want: []string{"bad request"}},
		{name: "negative Content-Length", raw: true, rawBytes: []byte("POST " + hostileV1 + " HTTP/1.1\r\nHost: decoy\r\nAuthorization: Bearer k\r\nX-Namespace: ns\r\nContent-Type: application/json\r\nContent-Length: -1\r\nConnection: close\r\n\r\n{}"),
			status: 400, want: []string{"bad request"}},
	}
	if len(rows) < 45 {
		t.Fatalf("only %d rows; the suite promises at least 45", len(rows))
	}
	seen := map[string]bool{}
	for _, tt := range rows {
		if seen[tt.name] {
			t.Fatalf("two rows named %q", tt.name)
		}
		seen[tt.name] = true
		t.Run(tt.name, func(t *testing.T) {
			res := sendHostile(t, ts, tt)
			msg := wellFormedMessage(t, res)
			if res.status != tt.status {
				t.Errorf("status %d, want %d: %s", res.status, tt.status, clip(res.body))
			}
			for _, w := range tt.want {
				if !strings.Contains(strings.ToLower(msg), strings.ToLower(w)) {
					t.Errorf("message does not name %q: %s", w, clip([]byte(msg)))
				}
			}
		})
	}

	t.Run("still serving", func(t *testing.T) {
		res := do(t, ts, call{method: "GET", path: hostileV2 + "?limit=2", header: authV2})
		if res.status != http.StatusOK {
			t.Fatalf("a valid request after the suite: status %d: %s", res.status, clip(res.body))
		}
		res = do(t, ts, call{method: "POST", path: hostileV1, header: authV1, body: `{"status": "active"}`})
		if res.status != http.StatusOK {
			t.Fatalf("a valid v1 request after the suite: status %d: %s", res.status, clip(res.body))
		}
	})
}

// chunked renders a request whose body is sent with chunked transfer
// coding, in chunks of 64 KiB.
func chunked(method, target string, header []string, body string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: decoy\r\n", method, target)
	for i := 0; i+1 < len(header); i += 2 {
		fmt.Fprintf(&b, "%s: %s\r\n", header[i], header[i+1])
	}
	b.WriteString("Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
	for len(body) > 0 {
		n := min(len(body), 64<<10)
		fmt.Fprintf(&b, "%x\r\n%s\r\n", n, body[:n])
		body = body[n:]
	}
	b.WriteString("0\r\n\r\n")
	return b.Bytes()
}

// sendHostile sends tt to ts: through net/http's client, or byte for byte
// over TCP when tt is raw.
func sendHostile(t *testing.T, ts *httptest.Server, tt hostileRequest) result {
	t.Helper()
	if !tt.raw {
		var body io.Reader
		if tt.body != "" {
			body = strings.NewReader(tt.body)
		}
		req, err := http.NewRequest(tt.method, ts.URL+tt.target, body)
		if err != nil {
			t.Fatalf("net/http refuses the request; mark the row raw: %v", err)
		}
		for i := 0; i+1 < len(tt.header); i += 2 {
			req.Header.Add(tt.header[i], tt.header[i+1])
		}
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatalf("no response: %v", err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("reading the response body: %v", err)
		}
		return result{resp.StatusCode, resp.Header, b}
	}
	msg := tt.rawBytes
	if msg == nil {
		var b bytes.Buffer
		fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: decoy\r\n", tt.method, tt.target)
		for i := 0; i+1 < len(tt.header); i += 2 {
			fmt.Fprintf(&b, "%s: %s\r\n", tt.header[i], tt.header[i+1])
		}
		fmt.Fprintf(&b, "Content-Length: %d\r\nConnection: close\r\n\r\n%s", len(tt.body), tt.body)
		msg = b.Bytes()
	}
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	// Write while reading: the server may answer (413, 431) before it has
	// read the whole request.
	go func() {
		_, _ = conn.Write(msg)
		if tt.halfClose {
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.CloseWrite()
			}
		}
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: tt.method})
	if err != nil {
		t.Fatalf("no well-formed response: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the response body: %v", err)
	}
	return result{resp.StatusCode, resp.Header, b}
}

// wellFormedMessage checks that res's body is well formed for its
// Content-Type and returns the human-readable text in it: every string of a
// JSON body (but the echoed input), or a text body as is.
func wellFormedMessage(t *testing.T, res result) string {
	t.Helper()
	ct := res.header.Get("Content-Type")
	if len(res.body) == 0 {
		if res.status >= 400 {
			t.Errorf("status %d with an empty body: an error must say what is wrong", res.status)
		}
		return ""
	}
	media, _, err := mime.ParseMediaType(ct)
	if err != nil {
		t.Errorf("Content-Type %q: %v", ct, err)
		return string(res.body)
	}
	switch {
	case media == "application/json" || strings.HasSuffix(media, "+json"):
		var v any
		if err := json.Unmarshal(res.body, &v); err != nil {
			t.Errorf("Content-Type %s, but the body is not JSON: %v: %s", ct, err, clip(res.body))
			return string(res.body)
		}
		var parts []string
		collectStrings(v, &parts)
		return strings.Join(parts, "\n")
	case strings.HasPrefix(media, "text/"):
		if !utf8.Valid(res.body) {
			t.Errorf("Content-Type %s, but the body is not UTF-8", ct)
		}
		return string(res.body)
	}
	t.Errorf("unexpected Content-Type %q for an answer of the default API", ct)
	return string(res.body)
}

func collectStrings(v any, out *[]string) {
	switch t := v.(type) {
	case string:
		*out = append(*out, t)
	case []any:
		for _, e := range t {
			collectStrings(e, out)
		}
	case map[string]any:
		for k, e := range t {
			if k == "input" || k == "instance" {
				continue
			}
			collectStrings(e, out)
		}
	}
}

// clip shortens a body for a failure message.
func clip(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + fmt.Sprintf("… (%d bytes)", len(b))
	}
	return string(b)
}
