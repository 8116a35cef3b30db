package mockserver

import (
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// The admin API holds journaled requests (bodies included) and switches the
// mock's state, so two kinds of web page must never reach it, whatever the
// CORS setting:
//
//   - a page of another site (a form POST to /__decoy/reset needs no
//     preflight, so CORS headers alone never stopped it): refused by its
//     Origin, or, without one, by Sec-Fetch-Site;
//   - a page that renamed itself to this address (DNS rebinding): its
//     requests carry the page's own name in Host, so on loopback only
//     loopback names and the names the user allowed are answered.
//
// An admin token does not replace the origin check (a browser may hold no
// token, but a user's tool may send it from a page); it does replace the
// Host check beyond loopback, where the names Decoy is reached by are
// not known in advance.

// adminRefusal returns why r may not use the admin API, or nil when it may.
func (s *Server) adminRefusal(r *http.Request) *decoyError {
	if s.restrictHost(r) {
		if de := hostRefusal(r, s.cfg.AllowedHosts, "admin API"); de != nil {
			return de
		}
	}
	return crossSiteRefusal(r, s.cfg.AllowedHosts, "admin API")
}

// restrictHost reports whether the admin API checks r's Host: always with
// AllowedHosts or without an admin token; with a token only on a connection
// that came in on a loopback address (or one whose address is not known).
func (s *Server) restrictHost(r *http.Request) bool {
	if len(s.cfg.AllowedHosts) > 0 || s.cfg.AdminToken == "" {
		return true
	}
	return loopbackConn(r)
}

// loopbackConn reports whether r came in on a loopback address; true when
// the server did not record the address (a handler called directly).
func loopbackConn(r *http.Request) bool {
	addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return true
	}
	if tcp, ok := addr.(*net.TCPAddr); ok {
		return tcp.IP.IsLoopback()
	}
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return true // not an IP address (a Unix socket): on this machine
	}
	ip := net.ParseIP(host)
	return ip == nil || ip.IsLoopback()
}

// LocalOnly wraps next so that it answers only requests to this machine's
// loopback names (localhost, *.localhost, 127.0.0.0/8, [::1], with or
// without a port) or to allowedHosts ("*" allows any Host), and no request
// a page of another site sent; others get 403 with a problem document
// saying why. Decoy puts its profiler behind it; the admin API applies the
// same rules.
func LocalOnly(next http.Handler, allowedHosts []string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		de := hostRefusal(r, allowedHosts, "profiler")
		if de == nil {
			de = crossSiteRefusal(r, allowedHosts, "profiler")
		}
		if de != nil {
			writeProblem(w, de)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// hostRefusal refuses r when its Host is neither a loopback name nor one of
// allowed.
func hostRefusal(r *http.Request, allowed []string, what string) *decoyError {
	if HostAllowed(r.Host, allowed) {
		return nil
	}
	names := "localhost, *.localhost, 127.0.0.1, [::1]"
	for _, a := range allowed {
		names += ", " + a
	}
	name := hostName(r.Host)
	if name == "" {
		name = "NAME"
	}
	return problemOf("admin-host", fmt.Sprintf("Decoy's %s answers requests addressed to %s only, not to Host %q (a web page that renamed itself to this address must not read it); "+
		"to reach it by that name, start Decoy with --allowed-host %s (env DECOY_ALLOWED_HOSTS, comma-separated)", what, names, r.Host, name)).withExtra(map[string]any{"host": r.Host, "flag": "--allowed-host"})
}

// crossSiteRefusal refuses r when a browser sent it from a page of another
// site: by its Origin when it has one (a page on this machine or on an
// allowed host is welcome), else by Sec-Fetch-Site, where only following a
// link (a GET or HEAD navigation, whose answer the linking page cannot
// read) is let through.
func crossSiteRefusal(r *http.Request, allowed []string, what string) *decoyError {
	origin := r.Header.Get("Origin")
	if origin != "" {
		if localOrigin(origin) || allowedOrigin(origin, allowed) || sameOrigin(origin, r.Host) {
			return nil
		}
	} else {
		site := r.Header.Get("Sec-Fetch-Site")
		if !strings.EqualFold(site, "cross-site") {
			return nil
		}
		if (r.Method == http.MethodGet || r.Method == http.MethodHead) && strings.EqualFold(r.Header.Get("Sec-Fetch-Mode"), "navigate") {
			return nil
		}
		origin = "(a page of another site, Sec-Fetch-Site: cross-site)"
	}
	return problemOf("admin-cross-origin", "Decoy's "+what+" answers pages served from this machine only (http://localhost, 127.0.0.1, [::1]) or from an --allowed-host name; origin "+origin+" is not one")
}

// sameOrigin reports whether origin is the page's own address: a page
// served under the name the request is addressed to (a rebound name is
// the Host check's to refuse).
func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && strings.EqualFold(u.Host, host)
}

// allowedOrigin reports whether origin's host is one of allowed ("*" is not
// taken to allow every origin: it opens the Host check only).
func allowedOrigin(origin string, allowed []string) bool {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	name := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	for _, a := range allowed {
		if a != "*" && hostName(a) == name {
			return true
		}
	}
	return false
}

// HostAllowed reports whether a Host header value (name or address, with or
// without a port) is a loopback name (localhost, *.localhost, an address of
// 127.0.0.0/8, ::1) or one of allowed, compared without port and case; "*"
// in allowed allows any. An empty Host, which no browser sends, is allowed.
func HostAllowed(host string, allowed []string) bool {
	if host == "" {
		return true
	}
	name := hostName(host)
	if name == "" {
		return false
	}
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return true
	}
	if ip := net.ParseIP(name); ip != nil && ip.IsLoopback() {
		return true
	}
	for _, a := range allowed {
		if a == "*" || hostName(a) == name {
			return true
		}
	}
	return false
}

// hostName is host without its port and brackets, in lower case and without
// a final dot; "" when host is malformed.
func hostName(host string) string {
	name, port := host, ""
	switch {
	case strings.HasPrefix(host, "["):
		end := strings.IndexByte(host, ']')
		if end < 0 {
			return ""
		}
		name, port = host[1:end], host[end+1:]
		if port != "" && !strings.HasPrefix(port, ":") {
			return ""
		}
		port = strings.TrimPrefix(port, ":")
	case strings.Count(host, ":") == 1:
		name, port, _ = strings.Cut(host, ":")
	}
	for _, c := range port {
		if c < '0' || c > '9' {
			return ""
		}
	}
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
}

// serveAdmin answers a request to the admin API when it passes the gate
// (adminGate), and renders the error of the gate or of the endpoint as a
// problem document. It records the status in ex, for the log line.
func (s *Server) serveAdmin(st *state, w http.ResponseWriter, r *http.Request, ex *exchange) {
	sw := &statusWriter{ResponseWriter: w}
	err := s.adminGate(r)
	if err == nil {
		err = s.admin(st, sw, r)
	}
	if err != nil {
		writeProblem(sw, asDecoyError(err))
	}
	ex.status = sw.status
}

// refuseAdmin answers an admin request the CORS layer refuses, before
// the handler runs, and logs it as serveAdmin logs the others.
func (s *Server) refuseAdmin(w http.ResponseWriter, r *http.Request, de *decoyError) {
	ex := &exchange{start: s.now(), source: sourceAdmin}
	ex.status = writeProblem(w, de)
	s.logExchange(r, ex)
}

// adminGate returns why r may not use the admin API, or nil when it may: a
// header block over the bound, a missing or wrong admin token, a Host or
// an Origin the admin API does not answer (adminRefusal).
func (s *Server) adminGate(r *http.Request) error {
	if de := s.checkHeaderBlock(r); de != nil {
		return de
	}
	if !s.adminAllowed(r) && !dashboardShell(r) {
		return problemOf("admin-unauthorized", "the admin API needs Authorization: Bearer <the --admin-token value>").
			withHeader(http.Header{"Www-Authenticate": {`Bearer realm="decoy-admin"`}})
	}
	// Checked here, not only with CORS: --cors=false must not open the
	// admin API to other sites' forms.
	if de := s.adminRefusal(r); de != nil {
		return de
	}
	return nil
}

// statusWriter remembers the status written through it.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// adminAllowed reports whether r may use the admin API: always without an
// admin token, else only with it, compared in constant time.
func (s *Server) adminAllowed(r *http.Request) bool {
	if s.cfg.AdminToken == "" {
		return true
	}
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	return ok && strings.EqualFold(scheme, "Bearer") &&
		subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(s.cfg.AdminToken)) == 1
}
