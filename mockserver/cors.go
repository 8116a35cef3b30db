package mockserver

import (
	"bufio"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// cors answers browser preflights and marks every response readable by the
// calling origin, as a frontend developing against the mock needs. A path
// whose spec documents its own OPTIONS operation keeps it.
func (s *Server) cors(next stateHandler) stateHandler {
	if !s.cfg.CORS {
		return next
	}
	return func(st *state, w http.ResponseWriter, r *http.Request) {
		origin := firstHeader(r.Header, "Origin")
		if isAdminPath(r.URL.Path) && !s.cfg.DisableAdmin {
			// A request the admin API refuses gets no CORS headers, and
			// its preflight is refused too (see admingate.go; the admin
			// API checks again, with CORS off as well).
			if de := s.adminRefusal(r); de != nil {
				s.refuseAdmin(w, r, de)
				return
			}
		}
		h := w.Header()
		if origin == "" {
			h["Access-Control-Allow-Origin"] = allowAnyOrigin
		} else {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Credentials", "true")
			h.Add("Vary", "Origin")
		}
		reqMethod := r.Header.Get("Access-Control-Request-Method")
		if r.Method == http.MethodOptions && origin != "" && reqMethod != "" && !specHasOptions(st, r) {
			h.Set("Access-Control-Allow-Methods", allowMethods(reqMethod))
			if reqHeaders := r.Header.Get("Access-Control-Request-Headers"); reqHeaders != "" {
				h.Set("Access-Control-Allow-Headers", reqHeaders)
				h.Add("Vary", "Access-Control-Request-Headers")
			}
			h.Set("Access-Control-Max-Age", "600")
			h.Set("Content-Length", "0")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next(st, &exposingWriter{ResponseWriter: w, static: &st.expose}, r)
	}
}

// exposingWriter lists, when the headers are written, every header of the
// response in Access-Control-Expose-Headers, so a browser can read the ones
// a stub or scenario added too, not just those the spec documents.
// allowAnyOrigin is the Access-Control-Allow-Origin value of requests
// without an Origin. It is shared by every response: header values are
// only ever replaced, never written to in place.
var allowAnyOrigin = []string{"*"}

// exposeList is the Access-Control-Expose-Headers value a document's
// responses share, with its names for quick lookup.
type exposeList struct {
	value []string // the single header value, shared like allowAnyOrigin
	names map[string]bool
}

func newExposeList(names []string) exposeList {
	l := exposeList{value: []string{strings.Join(names, ", ")}, names: map[string]bool{}}
	for _, n := range names {
		l.names[http.CanonicalHeaderKey(n)] = true
	}
	return l
}

type exposingWriter struct {
	http.ResponseWriter
	static *exposeList
	done   bool
}

// expose lists every header of the response a browser would otherwise
// hide: the document's headers, and any other a fixture or scenario set.
func (e *exposingWriter) expose() {
	if e.done {
		return
	}
	e.done = true
	h := e.ResponseWriter.Header()
	var extra []string
	for name := range h {
		if !safelisted[name] && !strings.HasPrefix(name, "Access-Control-") && !e.static.names[http.CanonicalHeaderKey(name)] {
			extra = append(extra, name)
		}
	}
	if len(extra) == 0 {
		h["Access-Control-Expose-Headers"] = e.static.value
		return
	}
	slices.Sort(extra)
	h.Set("Access-Control-Expose-Headers", e.static.value[0]+", "+strings.Join(extra, ", "))
}

func (e *exposingWriter) WriteHeader(status int) {
	e.expose()
	e.ResponseWriter.WriteHeader(status)
}

func (e *exposingWriter) Write(b []byte) (int, error) {
	e.expose()
	return e.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController and faults reach the connection.
func (e *exposingWriter) Unwrap() http.ResponseWriter { return e.ResponseWriter }

// Hijack passes through, for the reset and empty faults.
func (e *exposingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if hj, ok := e.ResponseWriter.(http.Hijacker); ok {
		return hj.Hijack()
	}
	return nil, nil, http.ErrNotSupported
}

// Flush passes through, for the truncated fault.
func (e *exposingWriter) Flush() {
	e.expose()
	if fl, ok := e.ResponseWriter.(http.Flusher); ok {
		fl.Flush()
	}
}

// safelisted are the response headers a browser always lets scripts read,
// and those that make no sense to expose.
var safelisted = map[string]bool{"Cache-Control": true, "Content-Language": true, "Content-Length": true,
	"Content-Type": true, "Expires": true, "Last-Modified": true, "Pragma": true, "Vary": true, "Date": true}

func isAdminPath(p string) bool {
	return strings.HasPrefix(p, AdminPrefix) || p == strings.TrimSuffix(AdminPrefix, "/")
}

// localOrigin reports whether a page's origin is on this machine.
func localOrigin(origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	host := u.Hostname()
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func allowMethods(requested string) string {
	const all = "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS"
	if strings.Contains(all, strings.ToUpper(requested)) {
		return all
	}
	return all + ", " + strings.ToUpper(requested)
}

// specHasOptions reports whether the spec documents an OPTIONS operation for
// r's path, which then answers r's preflight itself.
func specHasOptions(st *state, r *http.Request) bool {
	op, _, _, err := st.spec.Match(http.MethodOptions, r.URL.EscapedPath())
	return err == nil && op != nil && op.Method == http.MethodOptions
}
