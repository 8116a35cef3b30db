package mockserver

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// addJournalEndpoints adds the journal's admin endpoints to m: the request
// journal, violations, coverage and the whole report.
func (s *Server) addJournalEndpoints(m map[string]adminEndpoint) {
	m["requests"] = adminEndpoint{
		doc:    []string{"GET /__decoy/requests", "DELETE /__decoy/requests", "GET /__decoy/requests/{id}"},
		handle: s.adminRequests,
	}
	m["violations"] = adminEndpoint{doc: []string{"GET /__decoy/violations"}, handle: s.adminViolations}
	m["coverage"] = adminEndpoint{doc: []string{"GET /__decoy/coverage"}, handle: s.adminCoverage}
	m["report"] = adminEndpoint{doc: []string{"GET /__decoy/report"}, handle: s.adminReport}
}

// summary is e without its bulky parts, for listings: the request's
// headers and body, and the response's body.
func (e Entry) summary() Entry {
	e.Headers, e.HeadersOmitted, e.Body = nil, 0, ""
	if e.Response != nil {
		resp := *e.Response
		resp.Body = ""
		e.Response = &resp
	}
	return e
}

// requestList is the body of GET /__decoy/requests.
type requestList struct {
	// Count is len(Entries); Held is how many entries the journal holds and
	// Size how many it can.
	Count   int     `json:"count"`
	Held    int     `json:"held"`
	Size    int     `json:"size"`
	Entries []Entry `json:"entries"`
}

func (s *Server) adminRequests(st *state, w http.ResponseWriter, r *http.Request, rest string) error {
	if rest != "" {
		if err := allow(r, "", http.MethodGet, http.MethodHead); err != nil {
			return err
		}
		id, err := strconv.ParseUint(rest, 10, 64)
		if err != nil {
			return badParameter("id", fmt.Sprintf("%q is not an entry id (a positive integer)", rest))
		}
		j, err := s.journalView(r.Context(), st.spec)
		if err != nil {
			return err
		}
		e, ok := j.Entry(id)
		if !ok {
			return problemOf("no-entry", fmt.Sprintf("the journal holds no entry %d: it was never recorded, or was cleared or evicted (the journal keeps %d)", id, s.journal.Size()))
		}
		return writeJSON(w, http.StatusOK, e)
	}
	if err := allow(r, rest, http.MethodGet, http.MethodHead, http.MethodDelete); err != nil {
		return err
	}
	if r.Method == http.MethodDelete {
		if s.shared != nil {
			if err := s.cfg.Shared.ClearEntries(r.Context(), false); err != nil {
				return sharedStateError(err)
			}
		}
		s.journal.Clear()
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	f, param, err := s.parseFilter(r.URL.Query())
	if err != nil {
		return badParameter(param, err.Error())
	}
	j, err := s.journalView(r.Context(), st.spec)
	if err != nil {
		return err
	}
	entries := j.Entries(f)
	for i := range entries {
		entries[i] = entries[i].summary()
	}
	return writeJSON(w, http.StatusOK, requestList{Count: len(entries), Held: j.Len(), Size: j.Size(), Entries: entries})
}

// filterParams are the query parameters of GET /__decoy/requests.
var filterParams = []string{"operation", "status", "violations", "client", "since", "limit"}

// parseFilter reads a Filter from the query; on error it also returns the
// name of the offending parameter.
func (s *Server) parseFilter(q url.Values) (Filter, string, error) {
	f := Filter{Limit: min(100, s.journal.Size())}
	for _, name := range sortedKeys(q) {
		if !slices.Contains(filterParams, name) {
			return f, name, fmt.Errorf("unknown parameter %q (known: %s)", name, strings.Join(filterParams, ", "))
		}
		v := q.Get(name)
		switch name {
		case "operation":
			f.Operation = v
		case "client":
			f.Client = v
		case "status":
			if len(v) == 3 && strings.EqualFold(v[1:], "xx") && v[0] >= '1' && v[0] <= '5' {
				f.Status, f.Class = int(v[0]-'0'), true
				break
			}
			n, err := strconv.Atoi(v)
			if err != nil || n < 100 || n > 599 {
				return f, name, fmt.Errorf("%q is not a status (100 to 599) or a class such as 4xx", v)
			}
			f.Status = n
		case "violations":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return f, name, fmt.Errorf("%q is not true or false", v)
			}
			f.Violations = b
		case "since":
			if id, err := strconv.ParseUint(v, 10, 64); err == nil {
				f.SinceID = id
				break
			}
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return f, name, fmt.Errorf("%q is neither an entry id nor an RFC 3339 time such as 2024-03-11T09:12:04Z", v)
			}
			f.SinceTime = t
		case "limit":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return f, name, fmt.Errorf("%q is not a positive integer", v)
			}
			f.Limit = min(n, s.journal.Size())
		}
	}
	return f, "", nil
}

// badParameter is the 400 naming the query parameter that is wrong.
func badParameter(param, detail string) *decoyError {
	return problemOf("bad-parameter", fmt.Sprintf("parameter %q: %s", param, detail)).withExtra(map[string]any{"parameter": param})
}

func (s *Server) adminViolations(st *state, w http.ResponseWriter, r *http.Request, rest string) error {
	if err := allow(r, rest, http.MethodGet, http.MethodHead); err != nil {
		return err
	}
	j, err := s.journalView(r.Context(), st.spec)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, j.Violations())
}

func (s *Server) adminReport(st *state, w http.ResponseWriter, r *http.Request, rest string) error {
	if err := allow(r, rest, http.MethodGet, http.MethodHead); err != nil {
		return err
	}
	j, err := s.journalView(r.Context(), st.spec)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, NewReport(s.coverageOf(j, st.spec), j.Violations(), s.now()))
}

func (s *Server) adminCoverage(st *state, w http.ResponseWriter, r *http.Request, rest string) error {
	if err := allow(r, rest, http.MethodGet, http.MethodHead); err != nil {
		return err
	}
	for name := range r.URL.Query() {
		if name != "format" {
			return badParameter(name, "unknown parameter (known: format)")
		}
	}
	j, err := s.journalView(r.Context(), st.spec)
	if err != nil {
		return err
	}
	switch format := r.URL.Query().Get("format"); format {
	case "", "json":
		return writeJSON(w, http.StatusOK, s.coverageOf(j, st.spec))
	case "html":
		rep := NewReport(s.coverageOf(j, st.spec), j.Violations(), s.now())
		var buf bytes.Buffer
		if err := coverageHTML.Execute(&buf, rep); err != nil {
			return problemOf("internal", "rendering the coverage page: "+err.Error())
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(buf.Bytes())
		return nil
	default:
		return badParameter("format", "unknown format "+quote(format)+" (known: json, html)")
	}
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }
