package mockserver

import (
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

// BenchmarkSharedEncode is what the shared journal's writer does to each
// entry of BenchmarkSharedState before it leaves: build (mask, cut) and
// encode.
func BenchmarkSharedEncode(b *testing.B) {
	qs := rateLimitedEntries(b)
	j := &sharedJournal{bodyBytes: 4096}
	b.ReportAllocs()
	n := 0
	for i := 0; b.Loop(); i++ {
		n += len(j.encode(qs[i%len(qs)]))
	}
	b.ReportMetric(float64(n)/float64(b.N), "B/entry")
}
