package mockserver

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/decoy-mock/decoy/defaultapi"
)

// rateLimitedEntries returns the journal entries of the default API's
// rate-limited list endpoint as a request leaves them, not yet built:
// five answers of 25 sessions and a 429, as BenchmarkSharedState sends.
func rateLimitedEntries(tb testing.TB) []queued {
	tb.Helper()
	cfg, err := LoadProject(tb.Context(), Project{SpecFS: defaultapi.FS, SpecFile: defaultapi.SpecFile,
		FixturesFS: defaultapi.FS, FixturesDir: "fixtures", ScenariosFS: defaultapi.FS, ScenariosDir: "scenarios"})
	if err != nil {
		tb.Fatal(err)
	}
	s, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	for range 6 {
		r := httptest.NewRequest("GET", "/v2/agents/agt_customer_support/sessions?limit=25", nil)
		r.Header.Set("Authorization", "Bearer sk_bench")
		r.Header.Set("Prefer", "scenario=rate-limited")
		r.Header.Set("X-Decoy-Client", "c1")
		s.ServeHTTP(httptest.NewRecorder(), r)
	}
	j := s.journal
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]queued, 0, j.n)
	for k := j.n - 1; k >= 0; k-- {
		e := *j.nth(k)
		if !e.raw.pending {
			tb.Fatal("the journal built an entry no one read")
		}
		out = append(out, queued{e: e, ev: event{op: s.Spec().Operation(e.Operation), response: "200"}})
	}
	return out
}

// sharedEntries are entries of every shape: the rate-limited endpoint's,
// and the synthetic mix of journal_test.go (request bodies, violations, no
// route, more headers than kept).
func sharedEntries(t *testing.T) []queued {
	qs := rateLimitedEntries(t)
	s := journalServer(t)
	names := s.journal.secretsFor(s.Spec())
	for i := range 8 {
		r, ex := synthetic(s, i)
		e := s.journal.entrySpec(r, ex, names)
		ev := event{op: ex.op, breaks: breaks(ex)}
		if ex.op != nil {
			ev.response = countedResponse(ex)
		}
		qs = append(qs, queued{e: e, ev: ev})
	}
	return qs
}

// jsonRecord is the plain encoding of a record, as older versions wrote
// it: the whole record in one JSON document, bodies inside.
func jsonRecord(t testing.TB, e Entry, ev event) []byte {
	data, err := json.Marshal(recordOf(e, ev))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// framedRecord is a record as appendRecord writes it.
func framedRecord(e Entry, ev event) []byte { return appendRecord(nil, e, ev) }

// libraryRecord is a record framed as appendRecord frames it, its line
// written by encoding/json: the plain path appendRecordJSON mirrors.
func libraryRecord(t testing.TB, e Entry, ev event) []byte {
	rec := recordOf(e, ev)
	body, respBody := rec.Body, ""
	rec.Body, rec.BodyLen = "", len(body)
	if e.Response != nil {
		resp := *e.Response
		respBody, resp.Body = resp.Body, ""
		rec.Entry.Response, rec.ResponseBodyLen = &resp, len(respBody)
	}
	line, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	return append(append(append(line, '\n'), body...), respBody...)
}

// seenAs is a record as a reader shows it: the entry, and what its
// tallies count, as JSON.
func seenAs(t testing.TB, data []byte) string {
	t.Helper()
	rec, err := readRecord(data)
	if err != nil {
		t.Fatalf("reading %q: %v", data, err)
	}
	out, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestSharedRecordReadsAsTheJSONOne: a record with its bodies after the
// line reads as the plain JSON one of an older version does, which still
// reads.
func TestSharedRecordReadsAsTheJSONOne(t *testing.T) {
	for i, q := range sharedEntries(t) {
		e := q.e
		e.build(4096)
		framed, plain := seenAs(t, framedRecord(e, q.ev)), seenAs(t, jsonRecord(t, e, q.ev))
		if framed != plain {
			t.Errorf("entry %d reads as\n%s\nframed, and as\n%s\nin one JSON document", i, framed, plain)
		}
	}
}

// FuzzSharedRecordReadsAsTheJSONOne: whatever the bodies hold (line
// breaks, quotes, bytes that are not UTF-8), the framed record reads as
// the plain one.
func FuzzSharedRecordReadsAsTheJSONOne(f *testing.F) {
	f.Add("", "", true)
	f.Add(`{"password":"hunter22"}`, "{\"a\":\n1}", true)
	f.Add("a\nb\"c\\", "\xff\xfe\u2028<&>", false)
	f.Add("only a request body", "", false)
	f.Fuzz(func(t *testing.T, body, respBody string, answered bool) {
		e := Entry{ID: 7, Method: "POST", Path: "/v1/x", Body: body, BodyBytes: len(body), Status: 201, Source: "example"}
		if answered {
			e.Response = &EntryResponse{Status: 201, Body: respBody, BodyBytes: len(respBody), Headers: map[string]string{"Content-Type": "application/json"}}
		}
		ev := event{response: "201", breaks: []breach{{kind: "invalid-body", message: "line\nbreak"}}}
		if framed, plain := seenAs(t, framedRecord(e, ev)), seenAs(t, jsonRecord(t, e, ev)); framed != plain {
			t.Fatalf("reads as\n%s\nframed, and as\n%s\nin one JSON document", framed, plain)
		}
	})
}

// TestSharedRecordRefusesWhatDoesNotAdd: a record whose bodies are not as
// long as its line says is refused, not read short.
func TestSharedRecordRefusesWhatDoesNotAdd(t *testing.T) {
	e := Entry{Body: "abc", Response: &EntryResponse{Body: "defg"}}
	good := framedRecord(e, event{})
	for name, data := range map[string][]byte{
		"short":         good[:len(good)-1],
		"long":          append(append([]byte{}, good...), 'x'),
		"no response":   []byte(`{"x_response_body_len":2}` + "\nab"),
		"negative body": []byte(`{"x_body_len":-1}` + "\n"),
		"not JSON":      []byte("{\n"),
	} {
		if _, err := readRecord(data); err == nil {
			t.Errorf("%s: %q read without error", name, data)
		}
	}
	if got := seenAs(t, good); got != seenAs(t, jsonRecord(t, e, event{})) {
		t.Errorf("the good record reads as %s", got)
	}
}

// BenchmarkSharedEncode is what the shared journal's writer does to each
// entry of BenchmarkSharedState before it leaves: build (mask, cut) and
// encode. writer is what it does; each other run leaves out one of its
// fast paths, in the same run: json writes one JSON document by
// encoding/json and masks every body (what older versions did),
// library-line writes the line by encoding/json, no-memo masks every body.
func BenchmarkSharedEncode(b *testing.B) {
	qs := rateLimitedEntries(b)
	run := func(memo *bodyMemo, write func(dst []byte, e Entry, ev event) []byte) func(b *testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			var buf []byte
			n := 0
			for i := 0; b.Loop(); i++ {
				q := qs[i%len(qs)]
				q.e.buildMemo(4096, memo)
				buf = write(buf[:0], q.e, q.ev)
				n += len(buf)
			}
			b.ReportMetric(float64(n)/float64(b.N), "B/entry")
		}
	}
	b.Run("json", run(nil, func(dst []byte, e Entry, ev event) []byte { return append(dst, jsonRecord(b, e, ev)...) }))
	b.Run("library-line", run(newBodyMemo(), func(dst []byte, e Entry, ev event) []byte { return append(dst, libraryRecord(b, e, ev)...) }))
	b.Run("no-memo", run(nil, appendRecord))
	b.Run("writer", run(newBodyMemo(), appendRecord))
}
