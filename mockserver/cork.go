package mockserver

import (
	"context"
	"net"
	"net/http"
	"syscall"
)

// ConnContext is an http.Server ConnContext hook that lets the Server send
// each answer in one TCP push (on Linux; elsewhere it does nothing).
//
// net/http buffers a response in 4 KiB: an answer larger than that leaves
// in two or more write(2) calls, and on a TCP_NODELAY socket each one goes
// out at once, as its own packet, with its own trip through the network
// stack and wake-up of the client. A list page of the default API is 5 to
// 7 KiB. With the connection known, the Server corks it (TCP_CORK) while it
// writes an answer of at least corkMin bytes, and uncorks it once the
// exchange is logged and journaled: the answer goes out as one push. Under
// load on loopback that is about a sixth less CPU per request
// (bench/run.sh), and a lower p99.
//
//	hs := &http.Server{Handler: srv, ConnContext: mockserver.ConnContext}
func ConnContext(ctx context.Context, c net.Conn) context.Context {
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

// corkMin is the smallest body corked: below it, headers and body fit
// net/http's buffer and leave in one write anyway.
const corkMin = 3 << 10

// writeCorked writes body to w, corking the request's connection first
// when it can and the body is large enough. It returns the connection to
// uncork (with setCork) once the exchange is done, or nil: what is written
// waits in the socket until then.
func writeCorked(w http.ResponseWriter, r *http.Request, body []byte) syscall.RawConn {
	var rc syscall.RawConn
	if len(body) >= corkMin {
		rc, _ = r.Context().Value(connKey{}).(syscall.RawConn)
	}
	fl, ok := w.(http.Flusher)
	if rc == nil || !ok || !setCork(rc, true) {
		_, _ = w.Write(body)
		return nil
	}
	_, _ = w.Write(body)
	fl.Flush() // the rest of the answer, into the corked socket
	return rc
}
