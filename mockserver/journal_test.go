package mockserver

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/decoy-mock/decoy/defaultapi"
	"github.com/decoy-mock/decoy/openapi"
)

// The journal's own tests: its bound, its concurrency, masking, and the
// GET|DELETE /__decoy/requests API. Coverage and violations end to end are
// in coverage_test.go.

func journalServer(tb testing.TB, mutate ...func(*Config)) *Server {
	tb.Helper()
	spec, err := openapi.Load(defaultapi.FS, defaultapi.SpecFile, openapi.LoadOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	cfg := Config{Spec: spec, Seed: 42}
	for _, m := range mutate {
		m(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// tickingClock is a Config.Now that advances one second per call, so that
// entries have distinct, predictable times.
func tickingClock() func() time.Time {
	var n atomic.Int64
	base := time.Date(2024, 3, 11, 9, 0, 0, 0, time.UTC)
	return func() time.Time { return base.Add(time.Duration(n.Add(1)) * time.Second) }
}

// synthetic returns the i-th of a mix of exchanges as the handler leaves
// them: valid, invalid, unauthorized, and unmatched with a new path each
// time, each with a large body; one in 50 has more headers than the
// journal keeps.
func synthetic(s *Server, i int) (*http.Request, *exchange) {
	op := s.Spec().Operation("listAgentSessions")
	body := []byte(strings.Repeat("x", 1000))
	var r *http.Request
	ex := &exchange{start: s.now(), body: body, client: fmt.Sprintf("client-%d", i%4)}
	switch i % 4 {
	case 0:
		r = bareRequest("/v2/agents/agt_a/sessions", "limit=5")
		ex.op, ex.status, ex.source = op, 200, sourceExample
	case 1:
		r = bareRequest("/v2/agents/agt_a/sessions", "limit=500")
		ex.op, ex.status, ex.source, ex.kind = op, 400, sourceDecoy, "validation-failed"
		ex.violations = []openapi.Violation{{Location: "query", Parameter: "limit", Code: "maximum", Message: `query parameter "limit": must be at most 100 (got 500)`}}
	case 2:
		r = bareRequest("/v2/agents/agt_a/sessions", "")
		ex.op, ex.status, ex.source, ex.kind, ex.body = op, 401, sourceDecoy, "unauthorized", nil
	case 3:
		r = bareRequest(fmt.Sprintf("/nowhere/%d", i), "")
		ex.status, ex.source, ex.kind, ex.body = 404, sourceDecoy, "no-route", nil
	}
	r.Header = fewHeaders
	if i%50 == 0 {
		r.Header = manyHeaders
	}
	ex.respHeader = http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {fmt.Sprint(i)}}
	if i%50 == 0 {
		ex.respHeader = manyHeaders
	}
	ex.keepResponseBody([]byte(strings.Repeat("y", 2000)), s.journal.bodyBytes)
	return r, ex
}

// bareRequest is a GET as the handler sees it, built without parsing.
func bareRequest(path, query string) *http.Request {
	return &http.Request{Method: "GET", URL: &url.URL{Path: path, RawQuery: query}}
}

var fewHeaders = http.Header{"Authorization": {"Bearer sk_test_123"}, "Accept": {"application/json"}}

// manyHeaders has more headers than the journal keeps, longer than it keeps.
var manyHeaders = func() http.Header {
	h := http.Header{"Authorization": {"Bearer sk_test_123"}}
	for i := range 40 {
		h.Set(fmt.Sprintf("X-Extra-%02d", i), strings.Repeat("v", 300))
	}
	return h
}()

func TestJournalStaysBoundedUnder100kExchanges(t *testing.T) {
	s := journalServer(t, func(c *Config) { c.JournalSize, c.JournalBodyBytes = 50, 64 })
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	const total = 100_000
	var before uint64
	for i := range total {
		if i == 1000 {
			before = heap()
		}
		s.recordNow(synthetic(s, i))
	}
	// The live heap must not grow with the traffic once the ring is full.
	if after := heap(); after > before && after-before > 1<<20 {
		t.Errorf("heap grew by %d bytes over 99k exchanges into a 50-entry journal", after-before)
	}
	j := s.journal
	if j.Len() != 50 || len(j.buf) != 50 || cap(j.buf) != 50 {
		t.Fatalf("len %d, buf %d, cap %d: want exactly 50", j.Len(), len(j.buf), cap(j.buf))
	}
	entries := j.Entries(Filter{})
	for k, e := range entries {
		if want := uint64(total - k); e.ID != want {
			t.Fatalf("entries[%d].ID = %d, want %d (newest first, consecutive)", k, e.ID, want)
		}
		if len(e.Body) > 64+len("…[truncated 9999 bytes]") {
			t.Errorf("entry %d keeps %d bytes of body", e.ID, len(e.Body))
		}
		if e.Response == nil || e.Response.BodyBytes != 2000 || len(e.Response.Body) > 64+len("…[truncated 9999 bytes]") || len(e.Response.Headers) > maxEntryHeaders {
			t.Errorf("entry %d keeps the response %+v", e.ID, e.Response)
		}
		if wantOmitted := 41 - maxEntryHeaders; (e.ID-1)%50 == 0 && (len(e.Headers) != maxEntryHeaders || e.HeadersOmitted != wantOmitted) {
			t.Errorf("entry %d: %d headers, %d omitted; want %d and %d", e.ID, len(e.Headers), e.HeadersOmitted, maxEntryHeaders, wantOmitted)
		}
		if e.Headers["Authorization"] != "Bearer sk_t…" {
			t.Errorf("entry %d: Authorization %q", e.ID, e.Headers["Authorization"])
		}
		for name, v := range e.Headers {
			if len(v) > maxHeaderValue+len("…") {
				t.Errorf("entry %d: header %s keeps %d bytes", e.ID, name, len(v))
			}
		}
	}
	if n := len(j.tally.unknown); n != maxUnknownPaths || j.tally.unknownOmitted != total/4-maxUnknownPaths {
		t.Errorf("unknown paths: %d kept, %d omitted", n, j.tally.unknownOmitted)
	}
	v := j.Violations()
	if len(v.Groups) != 3 || v.Total != 3*total/4 || v.Requests != 3*total/4 {
		t.Errorf("violations: %d groups, total %d, requests %d", len(v.Groups), v.Total, v.Requests)
	}
	if c := s.Coverage(); c.Totals.Requests != total {
		t.Errorf("coverage counts %d requests, want %d", c.Totals.Requests, total)
	}
}

// realistic is an exchange as a typical client test sends it: a handful of
// headers, a small JSON body, one violation.
func realistic(s *Server) (*http.Request, *exchange) {
	body := `{"status": "active", "filters": {"user_id": "user_123"}, "sort": {"field": "created_at", "direction": "desc"}}`
	r := httptest.NewRequest("POST", "/v1/agents/sessions/list?limit=500&offset=0", strings.NewReader(body))
	for k, v := range map[string]string{
		"Authorization": "Bearer sk_test_0123456789abcdef", "X-Namespace": "ns_demo", "Content-Type": "application/json",
		"Accept": "application/json", "User-Agent": "client-tests/1.0", "X-Decoy-Client": "ci-run-42", "Accept-Encoding": "gzip",
	} {
		r.Header.Set(k, v)
	}
	ex := &exchange{start: s.now(), op: s.Spec().Operation("listSessions"), body: []byte(body), status: 422,
		source: sourceDecoy, kind: "validation-failed", client: "ci-run-42",
		violations: []openapi.Violation{{Location: "query", Parameter: "limit", Code: "maximum", Message: `query parameter "limit": must be at most 100 (got 500)`}}}
	return r, ex
}

// BenchmarkJournalRecord records realistic exchanges into a full journal of
// 1000, and reports the live heap one entry costs.
func BenchmarkJournalRecord(b *testing.B) {
	s := journalServer(b)
	r, ex := realistic(s)
	b.ReportAllocs()
	for b.Loop() {
		s.recordNow(r, ex)
	}
	b.StopTimer()
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	j := NewJournal(1000, 4096)
	for range 1000 {
		j.add(j.entry(r, ex), event{})
	}
	after := heap()
	runtime.KeepAlive(j)
	runtime.KeepAlive(s)
	b.ReportMetric(float64(int64(after)-int64(before))/1000, "bytes/entry")
}

func TestJournalConcurrentRecordAndRead(t *testing.T) {
	s := journalServer(t, func(c *Config) { c.JournalSize = 100 })
	const writers, each = 16, 500
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range writers {
		wg.Go(func() {
			for i := range each {
				s.recordNow(synthetic(s, i))
			}
		})
	}
	var readers sync.WaitGroup
	for k := range 4 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				for _, e := range s.journal.Entries(Filter{Violations: true, Status: 4, Class: true, Limit: 20}) {
					if e.Status/100 != 4 || len(e.Breaks) == 0 {
						t.Errorf("filter returned %d with breaks %v", e.Status, e.Breaks)
					}
					s.journal.Entry(e.ID)
				}
				_ = s.Report()
				if k == 0 {
					s.journal.Clear()
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	if got := s.Coverage().Totals.Requests; got != writers*each {
		t.Errorf("counted %d requests, want %d", got, writers*each)
	}
	if s.journal.Len() > 100 {
		t.Errorf("journal holds %d, more than its size", s.journal.Len())
	}
}

func TestMasking(t *testing.T) {
	tests := []struct{ name, got, want string }{
		{"bearer keeps scheme and 4 chars", maskCredential("Bearer sk_test_123"), "Bearer sk_t…"},
		{"basic", maskCredential("Basic dXNlcjpwYXNzd29yZA=="), "Basic dXNl…"},
		{"short token is hidden whole", maskCredential("Bearer abc"), "Bearer …"},
		{"no scheme", maskCredential("sk_live_abcdefgh"), "sk_l…"},
		{"multibyte", maskSecret("ключ-секретный"), "ключ…"},
		{"cookies", maskCookies("session_id=0123456789abcdef; theme=dark"), "session_id=0123…; theme=…"},
		{"query: secret-looking names", maskQuery("limit=5&api_key=supersecret1&access_token=abcdefghijk", nil), "limit=5&api_key=supe%E2%80%A6&access_token=abcd%E2%80%A6"},
		{"query: names the operation declares", maskQuery("q=0123456789&page=2", []string{"q"}), "q=0123%E2%80%A6&page=2"},
		{"query: order and encoding kept", maskQuery("b=2&a=%20x&a=y", nil), "b=2&a=%20x&a=y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
	for _, name := range []string{"X-API-Key", "X-Auth-Token", "Api-Key", "X-Session", "Client-Secret"} {
		if !secretName(name) {
			t.Errorf("%s should be masked", name)
		}
	}
	for _, name := range []string{"X-Namespace", "Accept", "X-Decoy-Client", "Content-Type", "Prefer"} {
		if secretName(name) {
			t.Errorf("%s should not be masked", name)
		}
	}
}

func TestJournalMasksAPIKeysTheOperationDeclares(t *testing.T) {
	j := NewJournal(10, 0)
	op := &openapi.Operation{ID: "getThing", Security: []openapi.Requirement{{
		{Name: "q", Kind: openapi.SchemeAPIKey, In: "query", Param: "q"},
		{Name: "h", Kind: openapi.SchemeAPIKey, In: "header", Param: "X-Tenant"},
	}}}
	r := httptest.NewRequest("GET", "/things?q=0123456789&limit=3", nil)
	r.Header.Set("X-Tenant", "tenant-0123456789")
	id := j.add(j.entry(r, &exchange{op: op, status: 200, source: sourceExample}), event{})
	e, _ := j.Entry(id)
	if e.Query != "q=0123%E2%80%A6&limit=3" || e.Headers["X-Tenant"] != "tena…" {
		t.Errorf("query %q, X-Tenant %q: want both masked", e.Query, e.Headers["X-Tenant"])
	}
}

// get requests ts and decodes a JSON body into v (when not nil).
func get(t *testing.T, ts *httptest.Server, method, path string, header map[string]string, body string, v any) int {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, val := range header {
		req.Header.Set(k, val)
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s %s: %d %v: %s", method, path, resp.StatusCode, err, b)
		}
	}
	return resp.StatusCode
}

func TestRequestsAPI(t *testing.T) {
	s := journalServer(t, func(c *Config) { c.Now, c.JournalBodyBytes = tickingClock(), 16 })
	ts := httptest.NewServer(s)
	defer ts.Close()
	v2 := "/v2/agents/agt_customer_support/sessions"
	auth := map[string]string{"Authorization": "Bearer sk_test_123", "X-Decoy-Client": "web"}
	v1auth := map[string]string{"Authorization": "Bearer sk_test_123", "X-Namespace": "ns_demo", "X-Decoy-Client": "mobile"}
	sent := []struct {
		method, path string
		header       map[string]string
		body         string
		status       int
	}{
		{"GET", v2, auth, "", 200},                // 1
		{"GET", v2 + "?limit=500", auth, "", 400}, // 2
		{"GET", v2, nil, "", 401},                 // 3
		{"POST", "/v1/agents/sessions/list?limit=5", v1auth, `{"status": "active", "filters": {}, "sort": {}}`, 200}, // 4
		{"GET", "/v2/agents/agt_a/session", auth, "", 404},                                                           // 5
		{"DELETE", v2, auth, "", 405}, // 6
	}
	for _, c := range sent {
		if got := get(t, ts, c.method, c.path, c.header, c.body, nil); got != c.status {
			t.Fatalf("%s %s: status %d, want %d", c.method, c.path, got, c.status)
		}
	}
	// Admin requests are not journaled.
	get(t, ts, "GET", "/__decoy/health", nil, "", nil)

	ids := func(path string) []uint64 {
		t.Helper()
		var list requestList
		if st := get(t, ts, "GET", path, nil, "", &list); st != 200 {
			t.Fatalf("%s: status %d", path, st)
		}
		out := []uint64{}
		for _, e := range list.Entries {
			if e.Headers != nil || e.Body != "" {
				t.Errorf("%s: listing entry %d carries headers or body; only the detail does", path, e.ID)
			}
			out = append(out, e.ID)
		}
		return out
	}
	var e3 Entry
	get(t, ts, "GET", "/__decoy/requests/3", nil, "", &e3)
	filters := []struct {
		query string
		want  []uint64
	}{
		{"", []uint64{6, 5, 4, 3, 2, 1}},
		{"?operation=listAgentSessions", []uint64{3, 2, 1}},
		{"?status=200", []uint64{4, 1}},
		{"?status=4xx", []uint64{6, 5, 3, 2}},
		{"?status=4XX&operation=listAgentSessions", []uint64{3, 2}},
		{"?violations=true", []uint64{6, 5, 3, 2}},
		{"?violations=false", []uint64{6, 5, 4, 3, 2, 1}},
		{"?client=mobile", []uint64{4}},
		{"?since=4", []uint64{6, 5}},
		{"?since=" + e3.Time.Format(time.RFC3339), []uint64{6, 5, 4, 3}},
		{"?limit=2", []uint64{6, 5}},
		{"?limit=100000", []uint64{6, 5, 4, 3, 2, 1}},
	}
	for _, f := range filters {
		if got := ids("/__decoy/requests" + f.query); fmt.Sprint(got) != fmt.Sprint(f.want) {
			t.Errorf("requests%s = %v, want %v", f.query, got, f.want)
		}
	}

	bad := map[string]string{
		"?status=abc": "status", "?status=6xx": "status", "?status=99": "status",
		"?violations=maybe": "violations", "?since=yesterday": "since",
		"?limit=0": "limit", "?limit=-1": "limit", "?limit=x": "limit", "?operationId=x": "operationId",
	}
	for q, param := range bad {
		var p map[string]any
		if st := get(t, ts, "GET", "/__decoy/requests"+q, nil, "", &p); st != 400 || p["parameter"] != param ||
			!strings.Contains(p["detail"].(string), `"`+param+`"`) {
			t.Errorf("requests%s: status %d, %v; want 400 naming %q", q, st, p, param)
		}
	}

	t.Run("detail", func(t *testing.T) {
		var e Entry
		get(t, ts, "GET", "/__decoy/requests/4", nil, "", &e)
		if e.Operation != "listSessions" || e.Status != 200 || e.Source != "example" || e.Client != "mobile" || e.Query != "limit=5" {
			t.Errorf("entry 4 = %+v", e)
		}
		if e.Headers["Authorization"] != "Bearer sk_t…" || e.Headers["X-Namespace"] != "ns_demo" {
			t.Errorf("headers = %v; want Authorization masked, X-Namespace kept", e.Headers)
		}
		if e.Body != `{"status": "acti…[truncated 31 bytes]` || e.BodyBytes != 47 {
			t.Errorf("body %q (%d bytes); want it cut at 16 bytes with a marker", e.Body, e.BodyBytes)
		}
		if !e.Time.After(e3.Time) {
			t.Errorf("time %v is not after entry 3's %v", e.Time, e3.Time)
		}
		var e2 Entry
		get(t, ts, "GET", "/__decoy/requests/2", nil, "", &e2)
		if len(e2.Violations) != 1 || e2.Violations[0].Parameter != "limit" || fmt.Sprint(e2.Breaks) != "[invalid-parameter]" {
			t.Errorf("entry 2 violations %v, breaks %v", e2.Violations, e2.Breaks)
		}
		var e5 Entry
		get(t, ts, "GET", "/__decoy/requests/5", nil, "", &e5)
		if len(e5.Closest) == 0 || e5.Closest[0].Operation != "listAgentSessions" || fmt.Sprint(e5.Closest[0].Mismatch) != "[path]" {
			t.Errorf("entry 5 closest = %+v; want listAgentSessions missed on the path", e5.Closest)
		}
		var e6 Entry
		get(t, ts, "GET", "/__decoy/requests/6", nil, "", &e6)
		if len(e6.Closest) != 1 || e6.Closest[0].Method != "GET" || fmt.Sprint(e6.Closest[0].Mismatch) != "[method]" {
			t.Errorf("entry 6 closest = %+v; want GET listAgentSessions missed on the method", e6.Closest)
		}
		var p map[string]any
		if st := get(t, ts, "GET", "/__decoy/requests/99", nil, "", &p); st != 404 {
			t.Errorf("unknown id: status %d", st)
		}
		if st := get(t, ts, "GET", "/__decoy/requests/abc", nil, "", &p); st != 400 || p["parameter"] != "id" {
			t.Errorf("bad id: status %d %v", st, p)
		}
	})

	t.Run("delete clears entries only", func(t *testing.T) {
		if st := get(t, ts, "DELETE", "/__decoy/requests", nil, "", nil); st != 204 {
			t.Fatalf("DELETE: status %d", st)
		}
		if got := ids("/__decoy/requests"); len(got) != 0 {
			t.Errorf("after DELETE: %v", got)
		}
		var p map[string]any
		if st := get(t, ts, "GET", "/__decoy/requests/4", nil, "", &p); st != 404 {
			t.Errorf("cleared entry: status %d", st)
		}
		if v := s.Violations(); v.Total != 4 {
			t.Errorf("violations after DELETE: %d, want the 4 kept", v.Total)
		}
		get(t, ts, "GET", v2, auth, "", nil)
		if got := ids("/__decoy/requests"); fmt.Sprint(got) != "[7]" {
			t.Errorf("ids continue after a clear: %v", got)
		}
		s.journal.Reset()
		if v, c := s.Violations(), s.Coverage(); v.Total != 0 || c.Totals.Requests != 0 || s.journal.Len() != 0 {
			t.Errorf("after Reset: %d violations, %d requests, %d entries", v.Total, c.Totals.Requests, s.journal.Len())
		}
	})
}

// FuzzRequestsFilter checks that any query to GET /__decoy/requests gets
// either a filter or a 400 naming one of its parameters, never a panic.
func FuzzRequestsFilter(f *testing.F) {
	for _, q := range []string{"", "status=4xx", "status=200&limit=5", "since=2024-03-11T09:12:04Z", "since=12", "violations=true&client=a", "limit=0", "status=9XX", "x=1"} {
		f.Add(q)
	}
	s := journalServer(f, func(c *Config) { c.JournalSize = 50 })
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		flt, param, err := s.parseFilter(q)
		if err != nil {
			if _, ok := q[param]; !ok {
				t.Fatalf("%q: error %v names %q, not one of the query's parameters", raw, err, param)
			}
			return
		}
		if flt.Limit < 1 || flt.Limit > 50 {
			t.Fatalf("%q: limit %d outside 1..50", raw, flt.Limit)
		}
		if flt.Class && (flt.Status < 1 || flt.Status > 5) || !flt.Class && flt.Status != 0 && (flt.Status < 100 || flt.Status > 599) {
			t.Fatalf("%q: status %d (class %v)", raw, flt.Status, flt.Class)
		}
		s.journal.Entries(flt)
	})
}

// FuzzMask checks that masking keeps at most four characters of a secret
// and that truncation keeps text valid and bounded.
func FuzzMask(f *testing.F) {
	for _, s := range []string{"Bearer sk_test_123", "Basic dXNlcjpwYXNz", "", " ", "ключ-секретный-длинный", "a=b; c=dddddddddddd"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		m := maskSecret(v)
		if !strings.HasSuffix(m, "…") || utf8.RuneCountInString(m) > maskKeep+1 {
			t.Fatalf("maskSecret(%q) = %q", v, m)
		}
		if c := maskCredential(v); utf8.ValidString(v) && !utf8.ValidString(c) {
			t.Fatalf("maskCredential(%q) = %q is not valid UTF-8", v, c)
		}
		_ = maskCookies(v)
		_ = maskQuery(v, []string{"q"})
		tr := truncate(v, 8)
		if len(tr) > 8+len("…") || utf8.ValidString(v) && !utf8.ValidString(tr) {
			t.Fatalf("truncate(%q, 8) = %q", v, tr)
		}
	})
}

// TestJournalBuildsRawEntriesAsEagerOnes: an entry kept raw (a small
// request) and one masked at once (a large one) read the same.
func TestJournalBuildsRawEntriesAsEagerOnes(t *testing.T) {
	j := NewJournal(10, 16)
	for _, extra := range []int{0, maxRawHeaderBytes} {
		r := httptest.NewRequest("POST", "/things?access_token=abcdefghij&x=1", nil)
		r.Header.Set("Authorization", "Bearer sk_0123456789")
		r.Header.Set("X-Pad", strings.Repeat("p", extra))
		body := []byte(`{"name":"a fairly long body that gets cut"}`)
		e := j.entry(r, &exchange{status: 201, source: sourceExample, body: body})
		if got := e.raw.pending; got != (extra == 0) {
			t.Errorf("header padding %d: kept raw = %v", extra, got)
		}
		id := j.add(e, event{})
		r.Header.Set("Authorization", "changed after the request") // the entry keeps what was received
		got, _ := j.Entry(id)
		if got.Query != "access_token=abcd%E2%80%A6&x=1" || got.BodyBytes != len(body) || !strings.HasPrefix(got.Body, `{"name":"a fairl`) {
			t.Errorf("header padding %d: query %q, body %q (%d bytes)", extra, got.Query, got.Body, got.BodyBytes)
		}
		if a := got.Headers["Authorization"]; !strings.HasPrefix(a, "Bearer sk_0") || strings.Contains(a, "456789") {
			t.Errorf("header padding %d: Authorization %q not masked", extra, a)
		}
	}
}

// Regression: the journal kept no response. It keeps its status, headers
// (credentials masked) and a bounded body, and lists it without the body.
func TestJournalKeepsTheResponse(t *testing.T) {
	s := journalServer(t, func(c *Config) { c.JournalBodyBytes = 16 })
	ts := httptest.NewServer(s)
	defer ts.Close()
	auth := map[string]string{"Authorization": "Bearer sk_test_123"}
	req, _ := http.NewRequest("GET", ts.URL+"/v2/agents/agt_customer_support/sessions?limit=2", nil)
	req.Header.Set("Authorization", auth["Authorization"])
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	sent, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var list requestList
	get(t, ts, "GET", "/__decoy/requests", nil, "", &list)
	if len(list.Entries) != 1 || list.Entries[0].Response == nil {
		t.Fatalf("list: %+v", list.Entries)
	}
	listed := list.Entries[0].Response
	if listed.Status != 200 || listed.Body != "" || listed.BodyBytes != len(sent) || listed.Headers["Content-Type"] != "application/json" {
		t.Errorf("listed response: %+v (sent %d bytes)", listed, len(sent))
	}
	var e Entry
	get(t, ts, "GET", fmt.Sprintf("/__decoy/requests/%d", list.Entries[0].ID), nil, "", &e)
	want := string(sent[:16]) + fmt.Sprintf("…[truncated %d bytes]", len(sent)-16)
	if e.Response == nil || e.Response.Body != want || e.Response.Headers["Content-Length"] != fmt.Sprint(len(sent)) {
		t.Errorf("entry response: %+v, want body %q", e.Response, want)
	}

	// Credentials in a response are masked as in a request.
	j := NewJournal(10, 64)
	r := httptest.NewRequest("POST", "/login", nil)
	ex := &exchange{status: 201, source: sourceExample, respHeader: http.Header{
		"Set-Cookie":   {"session=0123456789abcdef; Path=/; HttpOnly"},
		"X-Auth-Token": {"tok_0123456789"},
		"Content-Type": {"application/json"},
	}}
	ex.keepResponseBody([]byte(`{"access_token":"at_0123456789abcdef","user":"ann"}`), j.bodyBytes)
	id := j.add(j.entry(r, ex), event{})
	got, _ := j.Entry(id)
	h := got.Response.Headers
	if h["Set-Cookie"] != "session=0123…; Path=/; HttpOnly" || h["X-Auth-Token"] != "tok_…" {
		t.Errorf("response headers not masked: %q", h)
	}
	if b := got.Response.Body; strings.Contains(b, "456789") || !strings.Contains(b, `"user":"ann"`) {
		t.Errorf("response body not masked: %s", b)
	}
	// A connection a fault dropped answered nothing.
	none := j.add(j.entry(r, &exchange{status: 200, source: sourceScenario, kind: "fault-reset"}), event{})
	if got, _ := j.Entry(none); got.Response != nil {
		t.Errorf("a dropped connection has a response: %+v", got.Response)
	}
}

// recordNow records ex as the handler does, on the state being served.
func (s *Server) recordNow(r *http.Request, ex *exchange) { s.record(s.state.Load(), r, ex) }
