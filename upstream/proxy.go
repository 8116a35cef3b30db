package upstream

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/decoy-mock/decoy/openapi"
)

// ViolationsHeader is the response header that lists an exchange's
// violations, as JSON, under the name Prism gives it, so that tools written
// for Prism's proxy read Decoy's.
const ViolationsHeader = "Sl-Violations"

// Kinds of answer Forward reports beside an ordinary one.
const (
	// KindTimeout: the upstream did not answer in time; a 504 problem
	// document was written.
	KindTimeout = "upstream-timeout"
	// KindUnreachable: the upstream could not be reached or broke the
	// exchange before answering; a 502 problem document was written.
	KindUnreachable = "upstream-unreachable"
	// KindBrokenAnswer: the upstream's answer broke the contract and
	// Config.Errors replaced it with a 502 problem document.
	KindBrokenAnswer = "upstream-contract"
	// KindClientGone: the client left before the upstream answered;
	// nothing was written.
	KindClientGone = "client-gone"
)

// Config says where a Proxy forwards and what it does with the answers.
// Only URL is required.
type Config struct {
	// URL is the upstream's base URL (http or https); its path, if any,
	// is put before every request's path. New fails without one.
	URL *url.URL
	// Timeout bounds connecting to the upstream and waiting for its
	// response headers (a body then streams for as long as it takes);
	// 0 means 30 seconds.
	Timeout time.Duration
	// MaxBodyBytes is the largest response body checked against its
	// schema, and held in memory to be checked; 0 means 10 MiB. A larger
	// body streams to the client unchecked, with a note.
	MaxBodyBytes int64
	// Errors replaces an answer that breaks the contract with a 502
	// problem document listing its violations, as Prism's --errors does;
	// false returns every answer unchanged.
	Errors bool
	// Recorder, when not nil, is given every exchange whose request and
	// answer both kept the contract, to write as a fixture stub.
	Recorder *Recorder
	// Transport sends the requests; nil means one tuned for a single
	// upstream (many idle keep-alive connections, HTTP/2 to TLS
	// upstreams). Tests pass the transport of an httptest server.
	Transport http.RoundTripper
}

// Proxy forwards checked requests to the upstream and checks its answers.
// It is safe for concurrent use.
type Proxy struct {
	cfg Config
	rp  *httputil.ReverseProxy
}

// New builds a Proxy. It returns an error when cfg.URL is missing or not
// an absolute http(s) URL.
func New(cfg Config) (*Proxy, error) {
	if cfg.URL == nil {
		return nil, errors.New("upstream: Config.URL is required")
	}
	if (cfg.URL.Scheme != "http" && cfg.URL.Scheme != "https") || cfg.URL.Host == "" {
		return nil, fmt.Errorf("upstream: %q is not an http:// or https:// URL with a host", cfg.URL.String())
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 10 << 20
	}
	if cfg.Transport == nil {
		cfg.Transport = NewTransport(cfg.Timeout)
	}
	p := &Proxy{cfg: cfg}
	target := cfg.URL
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target) // the path joined, Host rewritten
			pr.SetXForwarded()
			for name := range pr.Out.Header {
				// Decoy's own controls are for the mock, not the API.
				if strings.HasPrefix(name, "X-Decoy-") {
					pr.Out.Header.Del(name)
				}
			}
		},
		Transport:      cfg.Transport,
		ModifyResponse: p.modify,
		ErrorHandler:   p.fail,
		ErrorLog:       log.New(io.Discard, "", 0), // failures are journaled
		BufferPool:     bufferPool{},
	}
	return p, nil
}

// NewTransport returns the transport a Proxy uses by default: keep-alive
// connections (up to 256 idle to the one upstream), HTTP/2 when a TLS
// upstream offers it, and timeout bounding the dial, the TLS handshake and
// the wait for response headers.
func NewTransport(timeout time.Duration) *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          512,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		ExpectContinueTimeout: time.Second,
	}
}

// Errors reports whether answers that break the contract are replaced by
// 502 problem documents (Config.Errors); the mock then also answers an
// invalid request with the documented error instead of forwarding it.
func (p *Proxy) Errors() bool { return p.cfg.Errors }

// URL returns the upstream's base URL.
func (p *Proxy) URL() *url.URL { return p.cfg.URL }

// Call is one request the mock routed to an operation and checked.
type Call struct {
	Op         *openapi.Operation
	PathParams map[string]string
	// Body is the part of the request body the mock read; Rest, when not
	// nil, is what it left unread (a body larger than its bound), sent
	// after Body as it arrives.
	Body []byte
	Rest io.Reader
	// RequestViolations are the request's own violations: they go into
	// the ViolationsHeader with the answer's.
	RequestViolations []openapi.Violation
}

// Result is what became of a forwarded call.
type Result struct {
	// Status is the status written to the client (0: none).
	Status int
	// Violations are the ways the upstream's answer broke the contract.
	Violations []openapi.Violation
	// Notes are findings about the exchange that are not violations: a
	// body too large to check, an exchange not recorded and why.
	Notes []string
	// Kind is "" for an answer of the upstream's, else one of KindTimeout,
	// KindUnreachable, KindBrokenAnswer and KindClientGone.
	Kind string
}

type callKey struct{}

// call is a forwarded call's state, from Forward to the hooks.
type call struct {
	Call
	in     *http.Request
	w      http.ResponseWriter
	result Result
}

// Forward sends r, routed to c.Op, to the upstream and writes its answer to
// w: unchanged but for the ViolationsHeader (and hop-by-hop headers, which
// a proxy drops), or, when it breaks the contract and Config.Errors is set,
// a 502 problem document. An upstream that cannot be reached, or does not
// answer within the timeout, gets a 502 or 504 problem document. A body
// copy that fails midway aborts the connection (panic with
// http.ErrAbortHandler, as net/http/httputil does).
func (p *Proxy) Forward(w http.ResponseWriter, r *http.Request, c Call) Result {
	st := &call{Call: c, in: r, w: w}
	out := r.WithContext(context.WithValue(r.Context(), callKey{}, st))
	switch {
	case c.Rest != nil:
		out.Body = io.NopCloser(io.MultiReader(bytes.NewReader(c.Body), c.Rest))
	case len(c.Body) > 0:
		out.Body = io.NopCloser(bytes.NewReader(c.Body))
	default:
		out.Body = http.NoBody
	}
	p.rp.ServeHTTP(w, out)
	return st.result
}

func callOf(ctx context.Context) *call {
	st, _ := ctx.Value(callKey{}).(*call)
	return st
}

// modify checks the upstream's answer before it is copied to the client.
func (p *Proxy) modify(resp *http.Response) error {
	st := callOf(resp.Request.Context())
	if st == nil {
		return nil
	}
	var body []byte
	complete, streamed := true, false
	switch {
	case st.in.Method == http.MethodHead: // no body, whatever its Content-Length
	case resp.ContentLength < 0 && !openapi.IsJSON(resp.Header.Get("Content-Type")):
		// A body of unknown length that no schema checks (an event
		// stream, a download) streams as it comes, never held back.
		complete, streamed = false, true
	default:
		var err error
		if body, complete, err = p.peek(resp); err != nil {
			return err // answered 502 by fail
		}
	}
	checked := body
	switch {
	case streamed:
	case complete && len(body) > 0:
		var note string
		checked, complete, note = p.decoded(resp.Header.Get("Content-Encoding"), body)
		if note != "" {
			st.result.Notes = append(st.result.Notes, note)
		}
	case !complete:
		st.result.Notes = append(st.result.Notes, fmt.Sprintf("the response body is larger than %d bytes: streamed without checking it against the schema", p.cfg.MaxBodyBytes))
	}
	vs := CheckResponse(st.Op, Response{Status: resp.StatusCode, Header: resp.Header, Body: checked, Complete: complete, Head: st.in.Method == http.MethodHead})
	st.result.Violations = vs
	if len(vs) > 0 && p.cfg.Errors {
		resp.Body.Close()
		st.result.Kind = KindBrokenAnswer
		st.result.Status = http.StatusBadGateway
		doc := Problem{Type: ProblemType + KindBrokenAnswer, Title: "Bad gateway", Status: http.StatusBadGateway, Operation: st.Op.ID,
			Detail:     fmt.Sprintf("the upstream's %d answer breaks the contract: %s", resp.StatusCode, joinMessages(vs)),
			Validation: vs}
		replace(resp, http.StatusBadGateway, doc.JSON())
		setViolations(resp.Header, st.RequestViolations, vs)
		return nil
	}
	setViolations(resp.Header, st.RequestViolations, vs)
	for name := range resp.Header {
		// The upstream's header replaces one the mock's layers set
		// before (CORS): ReverseProxy adds, and a client would see both.
		st.w.Header().Del(name)
	}
	st.result.Status = resp.StatusCode
	if p.cfg.Recorder != nil {
		switch {
		case len(st.RequestViolations) > 0:
			st.result.Notes = append(st.result.Notes, "not recorded: the request breaks the contract")
		case len(vs) > 0:
			st.result.Notes = append(st.result.Notes, "not recorded: the answer breaks the contract")
		case streamed:
			st.result.Notes = append(st.result.Notes, "not recorded: an answer of unknown length, streamed")
		case !complete || st.Rest != nil:
			st.result.Notes = append(st.result.Notes, "not recorded: a body too large to check")
		case resp.Header.Get("Content-Encoding") != "" && resp.Header.Get("Content-Encoding") != "identity":
			st.result.Notes = append(st.result.Notes, "not recorded: a compressed answer (recorded answers are served uncompressed)")
		default:
			if err := p.cfg.Recorder.Record(Exchange{Op: st.Op, Request: st.in, PathParams: st.PathParams, RequestBody: st.Body,
				Status: resp.StatusCode, Header: resp.Header, Body: body}); err != nil {
				st.result.Notes = append(st.result.Notes, "not recorded: "+err.Error())
			}
		}
	}
	return nil
}

// peek reads the start of resp's body, up to the bound, and puts it back in
// front of the rest. complete says the whole body was read.
func (p *Proxy) peek(resp *http.Response) ([]byte, bool, error) {
	if resp.ContentLength > p.cfg.MaxBodyBytes {
		return nil, false, nil
	}
	orig := resp.Body
	var buf []byte
	var err error
	if resp.ContentLength >= 0 {
		buf = make([]byte, resp.ContentLength)
		var n int
		n, err = io.ReadFull(orig, buf)
		buf = buf[:n]
		if err == nil {
			orig.Close()
			resp.Body = io.NopCloser(bytes.NewReader(buf))
			return buf, true, nil
		}
	} else {
		buf, err = io.ReadAll(io.LimitReader(orig, p.cfg.MaxBodyBytes+1))
		if err == nil && int64(len(buf)) <= p.cfg.MaxBodyBytes {
			orig.Close()
			resp.Body = io.NopCloser(bytes.NewReader(buf))
			return buf, true, nil
		}
		if err == nil {
			resp.Body = struct {
				io.Reader
				io.Closer
			}{io.MultiReader(bytes.NewReader(buf), orig), orig}
			return buf, false, nil
		}
	}
	orig.Close()
	return nil, false, fmt.Errorf("reading the upstream's answer: %w", err)
}

// decoded returns body as its schema is checked: gunzipped when the
// upstream compressed it. Other encodings are not checked; the note says so.
func (p *Proxy) decoded(encoding string, body []byte) ([]byte, bool, string) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "identity":
		return body, true, ""
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return body, false, "the gzip response body does not decompress: not checked against the schema"
		}
		plain, err := io.ReadAll(io.LimitReader(zr, p.cfg.MaxBodyBytes+1))
		switch {
		case err != nil:
			return body, false, "the gzip response body does not decompress: not checked against the schema"
		case int64(len(plain)) > p.cfg.MaxBodyBytes:
			return body, false, fmt.Sprintf("the response body decompresses to more than %d bytes: not checked against the schema", p.cfg.MaxBodyBytes)
		}
		return plain, true, ""
	}
	return body, false, fmt.Sprintf("the response body is %s-encoded: not checked against the schema", encoding)
}

// replace makes resp a new answer of status with a problem document.
func replace(resp *http.Response, status int, body []byte) {
	resp.StatusCode = status
	resp.Status = strconv.Itoa(status) + " " + http.StatusText(status)
	resp.Header = http.Header{"Content-Type": {"application/problem+json"}, "Content-Length": {strconv.Itoa(len(body))}}
	resp.ContentLength = int64(len(body))
	resp.TransferEncoding = nil
	resp.Uncompressed = false
	resp.Trailer = nil
	resp.Body = io.NopCloser(bytes.NewReader(body))
}

// fail answers a call the upstream did not answer: 504 for a timeout, 502
// for anything else; nothing for a client that left.
func (p *Proxy) fail(w http.ResponseWriter, r *http.Request, err error) {
	st := callOf(r.Context())
	if st == nil {
		st = &call{in: r}
	}
	if errors.Is(r.Context().Err(), context.Canceled) {
		st.result.Kind = KindClientGone
		return
	}
	status, kind, title := http.StatusBadGateway, KindUnreachable, "Bad gateway"
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		status, kind, title = http.StatusGatewayTimeout, KindTimeout, "Gateway timeout"
	}
	doc := Problem{Type: ProblemType + kind, Title: title, Status: status,
		Detail: fmt.Sprintf("the upstream %s did not answer: %s", p.cfg.URL.Redacted(), redact(err.Error(), p.cfg.URL))}
	if st.Op != nil {
		doc.Operation = st.Op.ID
	}
	body := doc.JSON()
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	setViolations(h, st.RequestViolations, nil)
	w.WriteHeader(status)
	w.Write(body)
	st.result.Status, st.result.Kind = status, kind
}

// redact removes the upstream URL's password from an error message.
func redact(msg string, u *url.URL) string {
	if u.User == nil {
		return msg
	}
	return strings.ReplaceAll(msg, u.String(), u.Redacted())
}

func joinMessages(vs []openapi.Violation) string {
	msgs := make([]string, len(vs))
	for i, v := range vs {
		msgs[i] = v.Message
	}
	return strings.Join(msgs, "; ")
}

// ProblemType prefixes the type of the problem documents the proxy writes,
// as the mock's own.
const ProblemType = "urn:decoy:problem:"

// Problem is an RFC 7807 problem document, in the mock's shape.
type Problem struct {
	Type       string              `json:"type"`
	Title      string              `json:"title"`
	Status     int                 `json:"status"`
	Detail     string              `json:"detail"`
	Operation  string              `json:"operation,omitempty"`
	Validation []openapi.Violation `json:"validation,omitempty"`
}

// JSON returns the document encoded.
func (p Problem) JSON() []byte {
	b, _ := json.Marshal(p) // strings and ints only
	return b
}

// Tagged is a violation as the ViolationsHeader lists it, in Prism's shape:
// location is the side ("request" or "response"), then where, then the
// parameter or the pointer's tokens.
type Tagged struct {
	Location []string `json:"location"`
	Severity string   `json:"severity"`
	Code     string   `json:"code"`
	Message  string   `json:"message"`
}

// Tag renders violations of one side as the ViolationsHeader lists them.
func Tag(side string, vs []openapi.Violation) []Tagged {
	out := make([]Tagged, 0, len(vs))
	for _, v := range vs {
		loc := []string{side, v.Location}
		switch {
		case v.Parameter != "":
			loc = append(loc, v.Parameter)
		case v.Pointer != "":
			loc = append(loc, strings.Split(strings.TrimPrefix(v.Pointer, "/"), "/")...)
		}
		out = append(out, Tagged{Location: loc, Severity: "Error", Code: v.Code, Message: v.Message})
	}
	return out
}

// maxViolationsHeader bounds the ViolationsHeader's value: the violations
// that fit are listed, the journal holds them all.
const maxViolationsHeader = 8 << 10

// ViolationsJSON is the ViolationsHeader's value for the violations of
// both sides; "" when there are none. It lists as many as fit in 8 KiB.
func ViolationsJSON(request, response []openapi.Violation) string {
	if len(request) == 0 && len(response) == 0 {
		return ""
	}
	all := append(Tag("request", request), Tag("response", response)...)
	for n := len(all); n > 0; n-- {
		b, _ := json.Marshal(all[:n])
		if len(b) <= maxViolationsHeader || n == 1 {
			if len(b) > maxViolationsHeader {
				one := all[0]
				one.Message = one.Message[:min(len(one.Message), 512)]
				b, _ = json.Marshal([]Tagged{one})
			}
			return string(b)
		}
	}
	return ""
}

func setViolations(h http.Header, request, response []openapi.Violation) {
	if v := ViolationsJSON(request, response); v != "" {
		h.Set(ViolationsHeader, v)
	}
}

// bufferPool lends the 32 KiB buffers ReverseProxy copies bodies with.
type bufferPool struct{}

var buffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

func (bufferPool) Get() []byte  { return *(buffers.Get().(*[]byte)) }
func (bufferPool) Put(b []byte) { buffers.Put(&b) }
