package upstream_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/decoy-mock/decoy/openapi"
)

// drift is what the test provider breaks of the contract.
type drift int

const (
	conforming      drift = iota
	renamedField          // v2: the first session's created_at is sent as createdAt
	undocumented500       // v2: a 500, which listAgentSessions does not document
	wrongType             // v1: total is a string
	missingHeader         // v1: a 429 without its required Retry-After
)

func (d drift) String() string {
	return [...]string{"conforming", "renamed field", "undocumented 500", "wrong type", "missing header"}[d]
}

// provider is a small real implementation of the default API's two
// endpoints, answering with the spec's examples, with switchable drift.
type provider struct {
	drift    atomic.Int32
	v1, v2   []byte
	requests atomic.Int32
	// delay holds every answer back (a slow upstream); 0 means none.
	delay time.Duration

	mu   sync.Mutex
	last *http.Request
	body []byte
}

func newProvider(tb testing.TB, spec *openapi.Spec) *provider {
	tb.Helper()
	example := func(id string) []byte {
		op := spec.Operation(id)
		if op == nil || op.Lookup(200) == nil || len(op.Lookup(200).Content) == 0 || len(op.Lookup(200).Content[0].Examples) == 0 {
			tb.Fatalf("the default API has no 200 example for %s", id)
		}
		return op.Lookup(200).Content[0].Examples[0].Body
	}
	return &provider{v1: example("listSessions"), v2: example("listAgentSessions")}
}

// lastRequest returns the last request the provider received and its body.
func (p *provider) lastRequest() (*http.Request, []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last, p.body
}

func (p *provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.requests.Add(1)
	var body []byte
	if r.Body != nil {
		var buf strings.Builder
		_, _ = bufCopy(&buf, r)
		body = []byte(buf.String())
	}
	p.mu.Lock()
	p.last, p.body = r, body
	p.mu.Unlock()
	if p.delay > 0 {
		select {
		case <-r.Context().Done():
			return
		case <-time.After(p.delay):
		}
	}
	if r.Header.Get("Authorization") == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
		writeJSON(w, http.StatusUnauthorized, []byte(`{"error":{"code":"unauthorized","message":"Invalid or missing API key"}}`))
		return
	}
	d := drift(p.drift.Load())
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v1/agents/sessions/list":
		switch d {
		case wrongType:
			writeJSON(w, http.StatusOK, edit(p.v1, func(m map[string]any) { m["total"] = "57" }))
		case missingHeader:
			w.Header().Set("X-RateLimit-Limit", "100")
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", "1710148920")
			writeJSON(w, http.StatusTooManyRequests, []byte(`{"error":{"code":"rate_limit_exceeded","message":"Request rate limit exceeded"}}`))
		default:
			writeJSON(w, http.StatusOK, p.v1)
		}
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v2/agents/") && strings.HasSuffix(r.URL.Path, "/sessions"):
		switch d {
		case renamedField:
			writeJSON(w, http.StatusOK, edit(p.v2, func(m map[string]any) {
				first := m["sessions"].([]any)[0].(map[string]any)
				first["createdAt"] = first["created_at"]
				delete(first, "created_at")
			}))
		case undocumented500:
			writeJSON(w, http.StatusInternalServerError, []byte(`{"error":{"code":"internal_error","message":"boom"}}`))
		default:
			writeJSON(w, http.StatusOK, p.v2)
		}
	default:
		writeJSON(w, http.StatusNotFound, []byte(`{"error":{"code":"not_found","message":"no such path"}}`))
	}
}

func bufCopy(dst *strings.Builder, r *http.Request) (int64, error) {
	buf := make([]byte, 32<<10)
	var n int64
	for {
		k, err := r.Body.Read(buf)
		dst.Write(buf[:k])
		n += int64(k)
		if err != nil {
			return n, nil
		}
	}
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", "req_provider")
	w.WriteHeader(status)
	w.Write(body)
}

// edit decodes a JSON object, changes it and encodes it again.
func edit(body []byte, change func(map[string]any)) []byte {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		panic(err)
	}
	change(m)
	out, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return out
}
