package mockserver

import (
	"net/http"
	"strings"
)

// cors answers browser preflights and marks every response readable by the
// calling origin, as a frontend developing against the mock needs. A path
// whose spec documents its own OPTIONS operation keeps it.
func (s *Server) cors(next http.Handler) http.Handler {
	if !s.cfg.CORS {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		h := w.Header()
		if origin == "" {
			h.Set("Access-Control-Allow-Origin", "*")
		} else {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Credentials", "true")
			h.Add("Vary", "Origin")
		}
		reqMethod := r.Header.Get("Access-Control-Request-Method")
		if r.Method == http.MethodOptions && origin != "" && reqMethod != "" && !s.specHasOptions(r) {
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
		h.Set("Access-Control-Expose-Headers", s.state.Load().expose)
		next.ServeHTTP(w, r)
	})
}

func allowMethods(requested string) string {
	const all = "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS"
	if strings.Contains(all, strings.ToUpper(requested)) {
		return all
	}
	return all + ", " + strings.ToUpper(requested)
}

func (s *Server) specHasOptions(r *http.Request) bool {
	op, _, _, err := s.state.Load().spec.Match(http.MethodOptions, r.URL.EscapedPath())
	return err == nil && op != nil && op.Method == http.MethodOptions
}
