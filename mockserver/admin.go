package mockserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/decoy-mock/decoy/fixtures"
	"github.com/decoy-mock/decoy/openapi"
)

// adminEndpoint is one resource of Decoy's own API under /__decoy/: the
// first path segment after the prefix selects it, and handle sees the rest
// (e.g. "42" for /__decoy/requests/42). Like the mock path, handle writes
// its answer and returns nil, or writes nothing and returns the error,
// which admin renders (as a problem document).
type adminEndpoint struct {
	// doc lines for the 404 of an unknown endpoint, e.g. "GET /__decoy/health".
	doc    []string
	handle func(st *state, w http.ResponseWriter, r *http.Request, rest string) error
}

// adminEndpoints builds the table of Decoy's own API; each concern adds its
// endpoints in its own file.
func (s *Server) adminEndpoints() map[string]adminEndpoint {
	m := map[string]adminEndpoint{
		"health":   {doc: []string{"GET /__decoy/health"}, handle: s.adminHealth},
		"routes":   {doc: []string{"GET /__decoy/routes"}, handle: s.adminRoutes},
		"findings": {doc: []string{"GET /__decoy/findings"}, handle: s.adminFindings},
	}
	m["collections"] = adminEndpoint{doc: []string{"GET /__decoy/collections", "GET /__decoy/collections/{name}"}, handle: s.adminCollections}
	s.addJournalEndpoints(m)
	s.addScenarioEndpoints(m)
	s.addEventEndpoints(m)
	s.addClientEndpoints(m)
	s.addDashboardEndpoints(m)
	return m
}

// admin answers Decoy's own API under /__decoy/; an error is what to
// answer instead, for the caller to render.
func (s *Server) admin(st *state, w http.ResponseWriter, r *http.Request) error {
	path := strings.Trim(strings.TrimPrefix(r.URL.Path, strings.TrimSuffix(AdminPrefix, "/")), "/")
	name, rest, _ := strings.Cut(path, "/")
	if ep, ok := s.adminTable[name]; ok {
		return ep.handle(st, w, r, rest)
	}
	var docs []string
	for _, k := range sortedKeys(s.adminTable) {
		docs = append(docs, s.adminTable[k].doc...)
	}
	return problemOf("no-admin-endpoint", "Decoy's admin API has no "+r.URL.Path+"; it has "+strings.Join(docs, ", ")).withExtra(map[string]any{"endpoints": docs})
}

func (s *Server) adminHealth(st *state, w http.ResponseWriter, r *http.Request, rest string) error {
	if err := allow(r, rest, http.MethodGet, http.MethodHead); err != nil {
		return err
	}
	body := map[string]any{
		"status":     "ok",
		"spec":       st.spec.File,
		"title":      st.spec.Doc.Info.Title,
		"version":    st.spec.Doc.Info.Version,
		"openapi":    st.spec.Version,
		"operations": len(st.spec.Operations),
	}
	// Still 200: the mock answers, from the files as they last loaded.
	if f := s.degraded(st); f != nil {
		f.describe(body)
	}
	if s.cfg.Shared != nil {
		ok, why := s.cfg.Shared.Health()
		shared := map[string]any{"ok": ok}
		if !ok {
			shared["error"] = why
		}
		body["shared_state"] = shared
		if !ok {
			body["status"] = "degraded"
			if _, has := body["error"]; !has {
				body["error"] = why
			}
		}
	}
	return writeJSON(w, http.StatusOK, body)
}

func (s *Server) adminRoutes(st *state, w http.ResponseWriter, r *http.Request, rest string) error {
	if err := allow(r, rest, http.MethodGet, http.MethodHead); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, routes(st))
}

// adminFindings lists the flaws of the served spec, sorted by place;
// ?class= (repeated, or comma-separated) keeps those of the classes named.
func (s *Server) adminFindings(st *state, w http.ResponseWriter, r *http.Request, rest string) error {
	if err := allow(r, rest, http.MethodGet, http.MethodHead); err != nil {
		return err
	}
	var classes []string
	for _, v := range r.URL.Query()["class"] {
		for _, c := range strings.Split(v, ",") {
			if c = strings.TrimSpace(c); c != "" {
				classes = append(classes, c)
			}
		}
	}
	return writeJSON(w, http.StatusOK, FindingsOf(st.spec, classes...))
}

// FindingList is the body of GET /__decoy/findings: the findings, sorted by
// place, with how many there are in all and in each class.
type FindingList struct {
	Count    int               `json:"count"`
	ByClass  map[string]int    `json:"byClass"`
	Findings []openapi.Finding `json:"findings"`
}

// specFindings returns every finding about spec that Decoy reports.
func specFindings(spec *openapi.Spec) []openapi.Finding { return spec.Findings }

// FindingsOf returns the findings about spec (all of them, or only those of
// the given classes), sorted by place: by file, line and column, then JSON
// pointer; findings with no place last. It never returns nil slices or
// maps, so the JSON has [] and {} rather than null.
func FindingsOf(spec *openapi.Spec, classes ...string) FindingList {
	list := FindingList{ByClass: map[string]int{}, Findings: []openapi.Finding{}}
	for _, f := range specFindings(spec) {
		if len(classes) == 0 || slices.Contains(classes, f.Class) {
			list.Findings = append(list.Findings, f)
			list.ByClass[f.Class]++
		}
	}
	list.Count = len(list.Findings)
	slices.SortStableFunc(list.Findings, compareFindings)
	return list
}

// compareFindings orders findings by place: file, then line and column as
// numbers, then pointer and message; a finding with no place comes last.
func compareFindings(a, b openapi.Finding) int {
	af, al, ac := splitWhere(a.Where)
	bf, bl, bc := splitWhere(b.Where)
	switch {
	case (af == "") != (bf == ""):
		if af == "" {
			return 1
		}
		return -1
	case af != bf:
		return strings.Compare(af, bf)
	case al != bl:
		return al - bl
	case ac != bc:
		return ac - bc
	case a.Pointer != b.Pointer:
		return strings.Compare(a.Pointer, b.Pointer)
	}
	return strings.Compare(a.Message, b.Message)
}

// splitWhere splits "file:line:col" (or "file:line", or "file") into its
// parts; a missing number is 0. The file may itself hold colons.
func splitWhere(where string) (file string, line, col int) {
	file = where
	var nums []int
	for len(nums) < 2 {
		i := strings.LastIndexByte(file, ':')
		if i < 0 {
			break
		}
		n, err := strconv.Atoi(file[i+1:])
		if err != nil {
			break
		}
		nums = append([]int{n}, nums...)
		file = file[:i]
	}
	switch len(nums) {
	case 2:
		line, col = nums[0], nums[1]
	case 1:
		line = nums[0]
	}
	return file, line, col
}

// allow returns a 405 (or a 404 for a sub-path the endpoint does not
// have) unless r's method is one of methods and rest is empty; nil then.
func allow(r *http.Request, rest string, methods ...string) error {
	if rest != "" {
		return problemOf("no-admin-endpoint", "Decoy's admin API has no "+r.URL.Path)
	}
	if slices.Contains(methods, r.Method) {
		return nil
	}
	list := strings.Join(methods, ", ")
	return problemOf("method-not-allowed", r.Method+" "+r.URL.Path+" is not allowed; allowed: "+list).withHeader(http.Header{"Allow": {list}})
}

// writeProblem writes de as a problem document and returns its status.
func writeProblem(w http.ResponseWriter, de *decoyError) int {
	for k, v := range de.header {
		w.Header()[k] = v
	}
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
	// AnsweredBy names the fixtures that answer the operation before the
	// spec's examples: "collection NAME" and "stub NAME (STATUS)".
	AnsweredBy []string `json:"answered_by,omitempty"`
}

// RoutesOf lists the operations cfg serves and what answers each.
func RoutesOf(cfg Config) []Route { return routes(newState(cfg)) }

// routes lists the operations of the served spec.
func routes(st *state) []Route {
	by := map[string][]string{}
	if st.fixtures != nil {
		for _, c := range st.fixtures.Collections() {
			for _, ids := range [][]string{c.List, c.Item, c.Create, c.Replace, c.Update, c.Delete} {
				for _, id := range ids {
					if !slices.Contains(by[id], "collection "+c.Name) {
						by[id] = append(by[id], "collection "+c.Name)
					}
				}
			}
		}
		for _, stub := range st.fixtures.Stubs() {
			if op := st.spec.Operation(stub.Operation); op != nil {
				by[op.ID] = append(by[op.ID], fmt.Sprintf("stub %s (%d)", stub.Name, stub.Status))
			}
		}
	}
	out := make([]Route, 0, len(st.spec.Operations))
	for _, op := range st.spec.Operations {
		rt := Route{Method: op.Method, Path: op.Path, Operation: op.ID, Summary: op.Op.Summary, Statuses: op.Statuses(), AnsweredBy: by[op.ID]}
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

// writeJSON writes v, indented, with the given status. It returns an
// internal error, having written nothing, when v cannot be encoded.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return problemOf("internal", "encoding the answer: "+err.Error())
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
	return nil
}

// adminCollections lists the collections, or dumps one's items in a world:
// ?world=fixtures for the items as the fixtures define them (before any
// write), ?world=shared for the world of requests without a client key,
// else (?world=client or no world) as a client (?client= or
// X-Decoy-Client) sees them, the shared world when none is given.
func (s *Server) adminCollections(st *state, w http.ResponseWriter, r *http.Request, rest string) error {
	if err := allow(r, "", http.MethodGet, http.MethodHead); err != nil {
		return err
	}
	if rest == "" {
		list := []fixtures.CollectionInfo{}
		if st.fixtures != nil {
			list = st.fixtures.Collections()
		}
		return writeJSON(w, http.StatusOK, list)
	}
	world := r.URL.Query().Get("world")
	client := r.URL.Query().Get("client")
	if client == "" {
		client = r.Header.Get("X-Decoy-Client")
	}
	switch world {
	case "":
	case "client":
		if client == "" {
			return badParameter("client", "world=client needs the client key: ?client=KEY or X-Decoy-Client")
		}
	case "fixtures", "shared":
		client = ""
	default:
		return badParameter("world", "unknown world "+strconv.Quote(world)+" (known: fixtures, shared, client)")
	}
	var items []json.RawMessage
	ok := false
	if st.fixtures != nil && world == "fixtures" {
		items, ok = st.fixtures.FixtureItems(rest)
	} else if st.fixtures != nil {
		var err error
		if items, ok, err = st.fixtures.ItemsContext(r.Context(), rest, client); err != nil {
			return sharedStateError(err)
		}
	}
	if !ok {
		names := []string{}
		if st.fixtures != nil {
			for _, c := range st.fixtures.Collections() {
				if c.Skipped == "" {
					names = append(names, c.Name)
				}
			}
		}
		return problemOf("no-collection", "no collection "+strconv.Quote(rest)+"; collections: "+strings.Join(names, ", ")).withExtra(map[string]any{"collections": names})
	}
	if world == "" {
		world = "shared"
		if client != "" {
			world = "client"
		}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"name": rest, "world": world, "client": client, "items": items})
}
