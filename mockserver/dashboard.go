package mockserver

import (
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/decoy-mock/decoy/dashboard"
)

// The web dashboard (package dashboard) is served under the admin prefix,
// behind the same gate as the rest of the admin API: GET /__decoy/ is the
// page, /__decoy/ui/ its script and style, and /__decoy/spec the served
// document as JSON for its Spec view.

// dashboardShell reports whether r asks for one of the dashboard's own
// files, which hold no data: a browser cannot send the admin token when it
// opens the page, so these need none (the Host and Origin checks still
// apply); the page asks for the token when the API refuses it.
func dashboardShell(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	return r.URL.Path == AdminPrefix || strings.HasPrefix(r.URL.Path, AdminPrefix+"ui/")
}

// addDashboardEndpoints adds the dashboard's endpoints to m.
func (s *Server) addDashboardEndpoints(m map[string]adminEndpoint) {
	m[""] = adminEndpoint{doc: []string{"GET /__decoy/ (the dashboard)"}, handle: s.adminDashboard}
	m["ui"] = adminEndpoint{doc: []string{"GET /__decoy/ui/{file}"}, handle: s.adminDashboardFile}
	m["spec"] = adminEndpoint{doc: []string{"GET /__decoy/spec"}, handle: s.adminSpec}
}

func (s *Server) adminDashboard(st *state, w http.ResponseWriter, r *http.Request, rest string) error {
	if err := allow(r, rest, http.MethodGet, http.MethodHead); err != nil {
		return err
	}
	return serveDashboardFile(w, r, "index.html")
}

func (s *Server) adminDashboardFile(st *state, w http.ResponseWriter, r *http.Request, rest string) error {
	if err := allow(r, "", http.MethodGet, http.MethodHead); err != nil {
		return err
	}
	return serveDashboardFile(w, r, rest)
}

// serveDashboardFile writes one of the dashboard's files; a 404 problem
// document names the files there are.
func serveDashboardFile(w http.ResponseWriter, r *http.Request, name string) error {
	files := dashboard.Files()
	data, err := fs.ReadFile(files, name)
	if err != nil || !fs.ValidPath(name) {
		names, _ := fs.Glob(files, "*")
		return problemOf("no-admin-endpoint", "the dashboard has no file "+quote(name)).withExtra(map[string]any{"files": names})
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	// The files change with the binary only; a reload of the page
	// revalidates them.
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	// The page loads its own files and talks to this server only.
	h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(data)
	}
	return nil
}

// adminSpec answers the served OpenAPI document as JSON (3.x; a Swagger
// 2.0 or Postman source as converted).
func (s *Server) adminSpec(st *state, w http.ResponseWriter, r *http.Request, rest string) error {
	if err := allow(r, rest, http.MethodGet, http.MethodHead); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, st.spec.Doc)
}
