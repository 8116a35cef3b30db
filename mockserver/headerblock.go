package mockserver

import (
	"fmt"
	"net/http"
)

// DefaultMaxHeaderBytes is the header block bound when Config.MaxHeaderBytes
// is 0, as net/http's own default.
const DefaultMaxHeaderBytes = http.DefaultMaxHeaderBytes

// Header block bounds. net/http lets a header block through up to its
// http.Server.MaxHeaderBytes plus netHTTPSlack (its "bufio slop"), and
// answers anything larger itself, in plain text, before a handler runs: such
// a request cannot be journaled. So net/http is given headerSlack more than
// Config.MaxHeaderBytes, and the handler refuses at the exact bound with a
// problem document; only blocks more than headerSlack over the bound get
// net/http's own answer.
const (
	netHTTPSlack = 4096
	headerSlack  = 64 << 10
)

// HTTPMaxHeaderBytes returns the http.Server.MaxHeaderBytes to pair with a
// Config.MaxHeaderBytes of limit (0 means DefaultMaxHeaderBytes): net/http
// then reads header blocks up to limit + 64 KiB, and the handler answers
// every block over limit with a 431 problem document. Only a block more
// than 64 KiB over the limit gets net/http's plain-text 431, unjournaled.
func HTTPMaxHeaderBytes(limit int) int {
	if limit <= 0 {
		limit = DefaultMaxHeaderBytes
	}
	return limit + headerSlack - netHTTPSlack
}

// headerBlockBytes returns the size of r's header block as an HTTP/1.1
// client sends it: the request line, a "Name: value\r\n" line per header
// value (Host included, which net/http moves out of r.Header) and the blank
// line. A client that writes no space after a colon, or folds lines, sent a
// few bytes fewer or more than counted.
func headerBlockBytes(r *http.Request) int {
	n := len(r.Method) + 1 + len(r.RequestURI) + 1 + len(r.Proto) + 2
	if r.Host != "" {
		n += len("Host: ") + len(r.Host) + 2
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + 2 + len(v) + 2
		}
	}
	return n + 2
}

// checkHeaderBlock returns a 431 error when r's header block is larger
// than the server's bound, else nil.
func (s *Server) checkHeaderBlock(r *http.Request) *decoyError {
	n := headerBlockBytes(r)
	if n <= s.cfg.MaxHeaderBytes {
		return nil
	}
	return problemOf("header-too-large", fmt.Sprintf("the request's header block is %d bytes, larger than the limit of %d bytes (decoy serve --max-header-bytes)", n, s.cfg.MaxHeaderBytes)).withExtra(map[string]any{"limit": s.cfg.MaxHeaderBytes, "bytes": n})
}
