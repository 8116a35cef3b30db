package mockserver

import (
	"fmt"
	"net/http"
	"runtime/debug"
)

// recoverPanics turns a panic anywhere below into a 500 problem document and
// one log line with the stack, so one bad request never stops the mock.
func (s *Server) recoverPanics(next stateHandler) stateHandler {
	return func(st *state, w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil || v == http.ErrAbortHandler {
				if v != nil {
					panic(v)
				}
				return
			}
			s.log.Error("panic while answering", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			de := problemOf("internal", "Decoy failed while answering this request; the server log has the details")
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write(de.problemBody(nil))
		}()
		next(st, w, r)
	}
}
