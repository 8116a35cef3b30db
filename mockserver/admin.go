package mockserver

import (
	"encoding/json"
	"net/http"
	"strings"
)

// adminEndpoints lists Decoy's own API, for the 404 of an unknown one.
var adminEndpoints = []string{"GET /__decoy/health", "GET /__decoy/routes"}

// admin answers Decoy's own API under /__decoy/ and returns the status.
func (s *Server) admin(st *state, w http.ResponseWriter, r *http.Request) int {
	path := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, AdminPrefix), "/")
	switch path {
	case "health":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			return adminMethodNotAllowed(w, "GET, HEAD")
		}
		return writeJSON(w, http.StatusOK, map[string]any{
			"status":     "ok",
			"spec":       st.spec.File,
			"title":      st.spec.Doc.Info.Title,
			"version":    st.spec.Doc.Info.Version,
			"openapi":    st.spec.Version,
			"operations": len(st.spec.Operations),
		})
	case "routes":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			return adminMethodNotAllowed(w, "GET, HEAD")
		}
		return writeJSON(w, http.StatusOK, routes(st))
	}
	de := &decoyError{status: http.StatusNotFound, kind: "no-admin-endpoint", title: "No such admin endpoint",
		detail: "Decoy's admin API has no " + r.URL.Path + "; it has " + strings.Join(adminEndpoints, ", "),
		extra:  map[string]any{"endpoints": adminEndpoints}}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(de.status)
	_, _ = w.Write(de.problemBody(nil))
	return de.status
}

// Route describes one operation for GET /__decoy/routes and `decoy routes`.
type Route struct {
	Method    string   `json:"method"`
	Path      string   `json:"path"`
	Operation string   `json:"operation"`
	Summary   string   `json:"summary,omitempty"`
	Statuses  []string `json:"statuses"`
	Security  []string `json:"security,omitempty"`
}

// routes lists the operations of the served spec.
func routes(st *state) []Route {
	out := make([]Route, 0, len(st.spec.Operations))
	for _, op := range st.spec.Operations {
		rt := Route{Method: op.Method, Path: op.Path, Operation: op.ID, Summary: op.Op.Summary, Statuses: op.Statuses()}
		for _, req := range op.Security {
			names := make([]string, len(req))
			for i, sch := range req {
				names[i] = sch.Name
			}
			rt.Security = append(rt.Security, strings.Join(names, "+"))
		}
		out = append(out, rt)
	}
	return out
}

// Routes lists the operations the server answers.
func (s *Server) Routes() []Route { return routes(s.state.Load()) }

func adminMethodNotAllowed(w http.ResponseWriter, allow string) int {
	w.Header().Set("Allow", allow)
	de := &decoyError{status: http.StatusMethodNotAllowed, kind: "method-not-allowed", title: "Method not allowed", detail: "allowed: " + allow}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(de.status)
	_, _ = w.Write(de.problemBody(nil))
	return de.status
}

func writeJSON(w http.ResponseWriter, status int, v any) int {
	body, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":"encoding failed"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
	return status
}
