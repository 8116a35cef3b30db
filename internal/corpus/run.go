package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/decoy-mock/decoy/mockserver"
	"github.com/decoy-mock/decoy/openapi"
)

// Refusal classes: why a document was not loaded.
const (
	refusedParse    = "parse error"
	refusedVersion  = "unsupported version"
	refusedTimeout  = "timeout"
	refusedInvalid  = "invalid document"
	refusedPanic    = "loader panic"
	refusedOther    = "other"
	refusedNoServer = "server not built"
)

// Outcomes of one request.
const (
	outWithin   = "within"
	outOutside  = "outside"
	outInvalid  = "invalid"
	outNotBuilt = "not-built"
	outNoAnswer = "no-answer"
)

// options are the knobs of one run.
type options struct {
	timeout  time.Duration
	ops      int
	seed     uint64
	deadline time.Time
}

// docResult is what happened to one description.
type docResult struct {
	File       string         `json:"file"`
	Loaded     bool           `json:"loaded"`
	Version    string         `json:"version,omitempty"`
	LoadMS     float64        `json:"load_ms"`
	Refused    string         `json:"refused,omitempty"`
	Error      string         `json:"error,omitempty"`
	Findings   map[string]int `json:"findings,omitempty"`
	Operations int            `json:"operations,omitempty"`
	Sent       int            `json:"sent,omitempty"`
	Exchanges  []exchange     `json:"exchanges,omitempty"`
	// ServerLog holds what net/http logged while serving the document
	// (a handler's misuse of the ResponseWriter, say), at most 20 lines.
	ServerLog []string `json:"server_log,omitempty"`
	// Skipped says the run's deadline came before the operations were sent.
	Skipped bool `json:"skipped,omitempty"`
}

// exchange is one request sent and how its answer was judged.
type exchange struct {
	Operation string `json:"operation"`
	Method    string `json:"method"`
	URL       string `json:"url,omitempty"`
	Status    int    `json:"status,omitempty"`
	Outcome   string `json:"outcome"`
	// Why says what broke: the contract break, the violations Decoy found
	// in the request, or why no request could be built or sent.
	Why string `json:"why,omitempty"`
	// AnswerOutside says the answer to a request judged invalid did not
	// keep the contract either (not a gap Decoy documents as such).
	AnswerOutside string `json:"answer_outside,omitempty"`
	// Kind and Detail are those of the problem Decoy answered with when it
	// failed itself ("cannot-generate"); empty for a normal answer.
	Kind   string `json:"kind,omitempty"`
	Detail string `json:"detail,omitempty"`
	// Unchecked says the answer was within contract as far as it could be
	// judged: the validator cannot decode its media type.
	Unchecked bool `json:"unchecked,omitempty"`
}

// loopbackClient talks to 127.0.0.1 only, through no proxy.
func loopbackClient(timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy: nil,
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				host, _, err := net.SplitHostPort(addr)
				if err != nil || host != "127.0.0.1" {
					return nil, fmt.Errorf("corpus: refusing to dial %s: only 127.0.0.1", addr)
				}
				return dialer.DialContext(ctx, network, addr)
			},
			MaxIdleConnsPerHost: 2,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// runDoc loads, serves and exercises one description of fsys.
func runDoc(ctx context.Context, root, file string, o options) (res docResult) {
	res.File = file
	spec, loadTime, err := load(ctx, root, file, o.timeout)
	res.LoadMS = float64(loadTime.Microseconds()) / 1000
	if err != nil {
		res.Refused, res.Error = refusalClass(err), err.Error()
		return res
	}
	res.Loaded, res.Version = true, spec.Version
	if len(spec.Findings) > 0 {
		res.Findings = map[string]int{}
		for _, f := range spec.Findings {
			class := f.Class
			if class == "" {
				class = "(none)"
			}
			res.Findings[class]++
		}
	}
	res.Operations = len(spec.Operations)
	if time.Now().After(o.deadline) {
		res.Skipped = true
		return res
	}
	srv, err := bounded(o.timeout, func() (*mockserver.Server, error) {
		return mockserver.New(mockserver.Config{Spec: spec, Seed: o.seed, JournalSize: 64, JournalBodyBytes: 256})
	})
	if err != nil {
		res.Exchanges = append(res.Exchanges, exchange{Outcome: outNoAnswer, Why: refusedNoServer + ": " + firstLine(err.Error())})
		return res
	}
	ts := httptest.NewUnstartedServer(srv) // 127.0.0.1, an ephemeral port
	logged := &serverLog{}
	ts.Config.ErrorLog = log.New(logged, "", 0)
	ts.Start()
	defer func() {
		ts.Close()
		res.ServerLog = logged.lines()
	}()
	client := loopbackClient(min(o.timeout, 15*time.Second))
	defer client.CloseIdleConnections()
	for i, op := range pickOps(spec.Operations, o.ops) {
		if ctx.Err() != nil || time.Now().After(o.deadline) {
			res.Skipped = true
			break
		}
		res.Exchanges = append(res.Exchanges, exercise(ctx, client, srv, ts.URL, op, o.seed, i))
		res.Sent++
	}
	return res
}

// load runs openapi.Load bounded by timeout: a load still running then is
// left behind (its goroutine finishes on its own; the context asks it to
// stop) and reported as a timeout.
func load(ctx context.Context, root, file string, timeout time.Duration) (*openapi.Spec, time.Duration, error) {
	lctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	spec, err := bounded(timeout, func() (*openapi.Spec, error) {
		return openapi.Load(os.DirFS(root), file, openapi.LoadOptions{Context: lctx, AllowRemoteRefs: false})
	})
	return spec, time.Since(start), err
}

// errTimeout marks work that did not finish in time.
var errTimeout = errors.New("timeout")

// bounded runs f in a goroutine and waits for it at most d; a panic in f is
// an error.
func bounded[T any](d time.Duration, f func() (T, error)) (T, error) {
	type outcome struct {
		v   T
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		var o outcome
		defer func() {
			if p := recover(); p != nil {
				o.err = fmt.Errorf("panic: %v", p)
			}
			done <- o
		}()
		o.v, o.err = f()
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case o := <-done:
		return o.v, o.err
	case <-t.C:
		var zero T
		return zero, fmt.Errorf("%w: not done after %v", errTimeout, d)
	}
}

// refusalClass names why a load failed.
func refusalClass(err error) string {
	msg := err.Error()
	switch {
	case errors.Is(err, errTimeout) || errors.Is(err, context.DeadlineExceeded):
		return refusedTimeout
	case strings.Contains(msg, "unsupported version"):
		return refusedVersion
	case strings.HasPrefix(msg, "panic: ") || strings.Contains(msg, "the OpenAPI library failed on it"):
		return refusedPanic
	case strings.Contains(msg, "invalid JSON") || strings.Contains(msg, "not YAML or JSON") ||
		strings.Contains(msg, "yaml: ") || strings.Contains(msg, "cannot unmarshal") ||
		strings.Contains(msg, "unmarshal") || strings.Contains(msg, "syntax error"):
		return refusedParse
	case strings.Contains(msg, "invalid OpenAPI") || strings.Contains(msg, "invalid Swagger"):
		return refusedInvalid
	}
	return refusedOther
}

// pickOps spreads n picks evenly over ops, in order.
func pickOps(ops []*openapi.Operation, n int) []*openapi.Operation {
	if n <= 0 || len(ops) <= n {
		return ops
	}
	out := make([]*openapi.Operation, 0, n)
	for i := range n {
		out = append(out, ops[i*len(ops)/n])
	}
	return out
}

// invalidKinds are Decoy's problem kinds that say the request broke the
// contract (or reached no operation): the builder's fault, not the answer's.
var invalidKinds = map[string]bool{
	"validation-failed": true, "unsupported-media-type": true, "unauthorized": true,
	"no-route": true, "method-not-allowed": true, "unreadable-body": true,
	"payload-too-large": true, "malformed-preference": true, "not-acceptable": true,
}

// exercise builds, sends and judges one request to op.
func exercise(ctx context.Context, client *http.Client, srv *mockserver.Server, base string, op *openapi.Operation, seed uint64, i int) exchange {
	ex := exchange{Operation: op.ID, Method: op.Method}
	h := fnv.New64a()
	io.WriteString(h, op.ID)
	b, err := buildRequest(base, op, seed^h.Sum64())
	if err != nil {
		ex.Outcome, ex.Why = outNotBuilt, firstLine(err.Error())
		return ex
	}
	ex.URL = strings.TrimPrefix(b.req.URL.String(), base)
	for name, vs := range b.req.Header {
		if !validHeaderName(name) {
			ex.Outcome, ex.Why = outNotBuilt, fmt.Sprintf("header parameter %q: not a valid HTTP header name", name)
			return ex
		}
		for _, v := range vs {
			if strings.ContainsFunc(v, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) {
				ex.Outcome, ex.Why = outNotBuilt, fmt.Sprintf("header parameter %q: the generated value has control characters", name)
				return ex
			}
		}
	}
	tag := "corpus-" + strconv.Itoa(i)
	b.req.Header.Set("X-Decoy-Client", tag)
	b.req = b.req.WithContext(ctx)
	resp, err := client.Do(b.req)
	if err != nil {
		ex.Outcome, ex.Why = outNoAnswer, firstLine(err.Error())
		return ex
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	resp.Body.Close()
	ex.Status = resp.StatusCode
	if err != nil {
		ex.Outcome, ex.Why = outNoAnswer, "reading the answer: "+firstLine(err.Error())
		return ex
	}
	entry, found := journalEntry(srv, tag)
	if found && (invalidKinds[entry.Kind] || len(entry.Violations) > 0) {
		ex.Outcome = outInvalid
		var why []string
		for _, v := range entry.Violations {
			why = append(why, v.Message)
		}
		if len(why) == 0 {
			why = append(why, problemDetail(resp.Header, body))
		} else if len(why) > 3 {
			why = append(why[:3], fmt.Sprintf("(and %d more)", len(why)-3))
		}
		ex.Why = entry.Kind + ": " + strings.Join(why, "; ")
		// Only an answer from the operation itself has a contract to keep.
		if !entry.Gap && entry.Operation == op.ID {
			if err := judge(ctx, op, b, resp, body); err != nil {
				ex.AnswerOutside = firstLine(err.Error())
			}
		}
		return ex
	}
	if err := judge(ctx, op, b, resp, body); err != nil {
		if uncheckable(err) {
			ex.Outcome, ex.Why = outWithin, "body not checkable: "+firstLine(err.Error())
			ex.Unchecked = true
			return ex
		}
		ex.Outcome, ex.Why = outOutside, firstLine(err.Error())
		if found && entry.Kind != "" {
			ex.Kind, ex.Detail = entry.Kind, problemDetail(resp.Header, body)
			ex.Why = entry.Kind + " (" + ex.Detail + "): " + ex.Why
		}
		return ex
	}
	ex.Outcome = outWithin
	return ex
}

// judge checks an answer against op's documented responses with Decoy's own
// response validation (the status is documented, headers and body match).
func judge(ctx context.Context, op *openapi.Operation, b *built, resp *http.Response, body []byte) error {
	vctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return op.ValidateResponse(vctx, b.req, b.pathParams, resp.StatusCode, resp.Header, body)
}

// problemDetail returns the detail of a problem+json answer, else "".
func problemDetail(h http.Header, body []byte) string {
	if !strings.Contains(h.Get("Content-Type"), "problem+json") {
		return ""
	}
	var p struct {
		Detail string `json:"detail"`
	}
	if json.Unmarshal(body, &p) != nil {
		return ""
	}
	return firstLine(p.Detail)
}

// validHeaderName says name is an RFC 9110 token.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range []byte(name) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// serverLog keeps the first lines a test server logs.
type serverLog struct {
	mu  sync.Mutex
	buf []string
}

func (l *serverLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) < 20 {
		l.buf = append(l.buf, firstLine(strings.TrimSpace(string(p))))
	}
	return len(p), nil
}

func (l *serverLog) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.buf)
}

// uncheckable says the validator has no decoder for the answer's media type
// (an image, a PDF): the status was judged, the body could not be.
func uncheckable(err error) bool {
	return strings.Contains(err.Error(), "failed to decode response body: unsupported content type")
}

// journalEntry finds the exchange tagged client; the journal records it
// just after the answer is written, so it may take a moment to appear.
func journalEntry(srv *mockserver.Server, client string) (mockserver.Entry, bool) {
	for wait := time.Millisecond; wait < 2*time.Second; wait *= 2 {
		if es := srv.Journal().Entries(mockserver.Filter{Client: client, Limit: 1}); len(es) > 0 {
			return es[0], true
		}
		time.Sleep(wait)
	}
	return mockserver.Entry{}, false
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return cut(s, 400)
}
