package main

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"runtime"
	"strings"
	"syscall"

	"github.com/decoy-mock/decoy/mockserver"
)

// The tuning below is decoy serve's, not the library's: a program that
// embeds mockserver chooses its own scheduling and socket options
// (STYLE.md rule 17). Each piece is kept for the measurement it names.

// connContext is the http.Server ConnContext hook that lets tuned cork
// answers (on Linux; elsewhere it does nothing): it keeps the connection's
// raw socket in the request context.
func connContext(ctx context.Context, c net.Conn) context.Context {
	tc, ok := c.(*net.TCPConn)
	if !ok || !canCork {
		return ctx
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return ctx
	}
	return context.WithValue(ctx, connKey{}, rc)
}

type connKey struct{}

// corkMin is the smallest write corked: below it, headers and body fit
// net/http's 4 KiB buffer and leave in one write(2) anyway.
const corkMin = 3 << 10

// tuned wraps the mock server for decoy serve.
//
// It yields before serving. With one CPU (a mock pinned to a core, a CI
// container with a one-CPU quota) and more ready connections than the
// server keeps up with, Go's scheduler can serve a few connections back
// to back while the others wait in its global run queue, checked once in
// 61 scheduling rounds: under wrk -t1 -c32 that put p99 at 150-250 ms
// against a median under 1 ms. Yielding sends each request to the back of
// that queue, so connections are served in turn: four runs each, p99
// 12.9/148/213/218 ms without, 9.0/9.9/11.7/13.8 ms with, and 5-10% more
// requests per second (commit 2771c95).
//
// It sends an answer of a few KiB in one TCP push. net/http buffers a
// response in 4 KiB, so a 5-7 KiB list page leaves in two write(2) calls,
// each pushed at once on a TCP_NODELAY socket: two trips through the
// network stack and two wake-ups of the client. With the connection known
// (connContext), a write of at least corkMin bytes to a mocked operation
// goes into a corked socket (TCP_CORK), is flushed, and the socket is
// uncorked once the server has returned, the exchange logged and
// journaled: one push. wrk -t1 -c32 on loopback, one core, CPU per
// request: v2 list 76-80 -> 66-70 µs, v1 list 89-93 -> 78-87 µs; p99 v2
// 7.5-11.7 -> 6.3-6.9 ms (commit 624c83c). The admin API, whose event
// stream is long-lived, is never corked.
func tuned(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		runtime.Gosched()
		rc, _ := r.Context().Value(connKey{}).(syscall.RawConn)
		fl, ok := w.(http.Flusher)
		if rc == nil || !ok || strings.HasPrefix(r.URL.Path, mockserver.AdminPrefix) {
			h.ServeHTTP(w, r)
			return
		}
		cw := &corkWriter{ResponseWriter: w, flusher: fl, rc: rc}
		defer cw.uncork() // on panics too: a fault aborts with http.ErrAbortHandler
		h.ServeHTTP(cw, r)
	})
}

// corkWriter corks its connection for a write of corkMin bytes or more and
// flushes that write into it; what is written waits in the socket until
// uncork (or an explicit Flush, which means "send now").
type corkWriter struct {
	http.ResponseWriter
	flusher http.Flusher
	rc      syscall.RawConn
	corked  bool
}

func (c *corkWriter) Write(b []byte) (int, error) {
	if c.corked || len(b) < corkMin || !setCork(c.rc, true) {
		return c.ResponseWriter.Write(b)
	}
	c.corked = true
	n, err := c.ResponseWriter.Write(b)
	c.flusher.Flush() // the rest of the answer, into the corked socket
	return n, err
}

// Flush sends what is written, corked or not.
func (c *corkWriter) Flush() {
	c.flusher.Flush()
	c.uncork()
}

// uncork sends what waits in the corked socket.
func (c *corkWriter) uncork() {
	if c.corked {
		setCork(c.rc, false)
		c.corked = false
	}
}

// Hijack passes through, for the reset and empty faults.
func (c *corkWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if hj, ok := c.ResponseWriter.(http.Hijacker); ok {
		return hj.Hijack()
	}
	return nil, nil, http.ErrNotSupported
}

// Unwrap lets http.ResponseController reach the connection.
func (c *corkWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
