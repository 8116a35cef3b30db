package provider

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/decoy-mock/decoy/defaultapi"
	"go.yaml.in/yaml/v4"
)

// Options say how the provider behaves. The zero value conforms to the
// default API's contract.
type Options struct {
	// Drift is the set of contract breaks to show; 0 means none.
	Drift Drift
}

// Provider serves the default API from the default fixtures' data. It is
// an http.Handler, safe for concurrent use; its data never changes.
type Provider struct {
	drift Drift
	// sessions are the v1 sessions, agentSessions the v2 ones.
	sessions, agentSessions []map[string]any
	namespaces, agents      map[string]bool
}

// Namespaces that exist without sessions, and agents the API key may not
// read, as the default fixtures' stubs describe them.
const (
	emptyNamespace  = "ns_empty"
	restrictedAgent = "agt_internal_audit"
)

// New returns a provider of the default API with the data of the embedded
// default fixtures. It fails only if those files cannot be read.
func New(opts Options) (*Provider, error) {
	p := &Provider{drift: opts.Drift, namespaces: map[string]bool{emptyNamespace: true}, agents: map[string]bool{}}
	var err error
	if p.sessions, err = items("fixtures/sessions.yaml", "sessions"); err != nil {
		return nil, err
	}
	if p.agentSessions, err = items("fixtures/agent-sessions.yaml", "agent_sessions"); err != nil {
		return nil, err
	}
	for _, s := range p.sessions {
		p.namespaces[fmt.Sprint(s["namespace_id"])] = true
	}
	for _, s := range p.agentSessions {
		p.agents[fmt.Sprint(s["agent_key"])] = true
	}
	return p, nil
}

// items reads the items of the named collection of a default fixture file.
func items(file, name string) ([]map[string]any, error) {
	data, err := fs.ReadFile(defaultapi.FS, file)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Collections []struct {
			Name  string           `yaml:"name"`
			Items []map[string]any `yaml:"items"`
		} `yaml:"collections"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	for _, c := range doc.Collections {
		if c.Name == name {
			return c.Items, nil
		}
	}
	return nil, fmt.Errorf("%s: no collection %q", file, name)
}

var agentPath = regexp.MustCompile(`^/v2/agents/([^/]+)/sessions$`)

// ServeHTTP answers the two endpoints of the default API; any other path is
// a 404 and any other method a 405, as a real router would answer.
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/v1/agents/sessions/list":
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "Method Not Allowed")
			return
		}
		p.listSessions(w, r)
	case agentPath.MatchString(r.URL.Path):
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET")
			writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "Method Not Allowed")
			return
		}
		p.listAgentSessions(w, r, agentPath.FindStringSubmatch(r.URL.Path)[1])
	default:
		writeError(w, http.StatusNotFound, "not_found", "Not Found")
	}
}

// token68 is RFC 6750's b64token.
var token68 = regexp.MustCompile(`^[A-Za-z0-9\-._~+/]+=*$`)

// authorized checks for a well-formed bearer token and answers 401 when
// there is none; the provider accepts any token.
func (p *Provider) authorized(w http.ResponseWriter, r *http.Request) bool {
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if strings.EqualFold(scheme, "Bearer") && token68.MatchString(strings.TrimSpace(tok)) {
		return true
	}
	if p.drift&MissingHeader == 0 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
	}
	writeError(w, http.StatusUnauthorized, "unauthorized", "Invalid or missing API key")
	return false
}

// detail is one FastAPI validation error.
type detail struct {
	Loc   []any  `json:"loc"`
	Msg   string `json:"msg"`
	Type  string `json:"type"`
	Input any    `json:"input,omitempty"`
}

var statuses = []string{"active", "idle", "archived", "terminated"}

func (p *Provider) listSessions(w http.ResponseWriter, r *http.Request) {
	if !p.authorized(w, r) {
		return
	}
	var problems []detail
	ns := r.Header.Get("X-Namespace")
	if ns == "" {
		problems = append(problems, detail{Loc: []any{"header", "x-namespace"}, Msg: "Field required", Type: "missing"})
	}
	q := r.URL.Query()
	limit, d := fastapiInt(q, "limit", 20, 1, 100)
	problems = append(problems, d...)
	offset, d := fastapiInt(q, "offset", 0, 0, -1)
	problems = append(problems, d...)
	body, d := listBody(r)
	problems = append(problems, d...)
	if len(problems) > 0 {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"detail": problems})
		return
	}
	if !p.namespaces[ns] {
		writeError(w, http.StatusNotFound, "namespace_not_found", fmt.Sprintf("Namespace '%s' does not exist", ns))
		return
	}
	var match []map[string]any
	for _, s := range p.sessions {
		if s["namespace_id"] != ns || (body.Status != nil && s["status"] != *body.Status) {
			continue
		}
		ok := true
		for k, v := range body.Filters {
			if fmt.Sprint(s[k]) != fmt.Sprint(v) {
				ok = false
			}
		}
		if ok {
			match = append(match, s)
		}
	}
	field, desc := "created_at", true
	if f, ok := body.Sort["field"].(string); ok && f != "" {
		field = f
	}
	if dir, ok := body.Sort["direction"].(string); ok {
		desc = !strings.EqualFold(dir, "asc")
	}
	sortBy(match, field, "session_id", desc)
	page := window(match, offset, limit)
	var next any
	if offset+len(page) < len(match) {
		next = offset + len(page)
	}
	var total any = len(match)
	if p.drift&WrongType != 0 {
		total = strconv.Itoa(len(match))
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"sessions":   page,
		"total":      total,
		"pagination": map[string]any{"limit": limit, "offset": offset, "has_more": next != nil, "next_offset": next},
	})
}

type listRequest struct {
	Status  *string
	Filters map[string]any
	Sort    map[string]any
}

// listBody reads the v1 request body as FastAPI would: required, a JSON
// object whose members are each optional.
func listBody(r *http.Request) (listRequest, []detail) {
	var out listRequest
	data, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil || len(bytes.TrimSpace(data)) == 0 {
		return out, []detail{{Loc: []any{"body"}, Msg: "Field required", Type: "missing"}}
	}
	var raw any
	if err := json.Unmarshal(data, &raw); err != nil {
		return out, []detail{{Loc: []any{"body"}, Msg: "JSON decode error", Type: "json_invalid"}}
	}
	obj, ok := raw.(map[string]any)
	if !ok {
		return out, []detail{{Loc: []any{"body"}, Msg: "Input should be a valid dictionary or object to extract fields from", Type: "model_attributes_type", Input: raw}}
	}
	var problems []detail
	switch s := obj["status"].(type) {
	case nil:
	case string:
		if slices.Contains(statuses, s) {
			out.Status = &s
			break
		}
		problems = append(problems, detail{Loc: []any{"body", "status"}, Msg: "Input should be 'active', 'idle', 'archived' or 'terminated'", Type: "enum", Input: s})
	default:
		problems = append(problems, detail{Loc: []any{"body", "status"}, Msg: "Input should be a valid string", Type: "string_type", Input: s})
	}
	for _, name := range []string{"filters", "sort"} {
		switch v := obj[name].(type) {
		case nil:
		case map[string]any:
			if name == "filters" {
				out.Filters = v
			} else {
				out.Sort = v
			}
		default:
			problems = append(problems, detail{Loc: []any{"body", name}, Msg: "Input should be a valid dictionary", Type: "dict_type", Input: v})
		}
	}
	return out, problems
}

// fastapiInt reads an optional integer query parameter, "null" or absent
// meaning def; max < 0 means unbounded.
func fastapiInt(q map[string][]string, name string, def, minimum, maximum int) (int, []detail) {
	vs := q[name]
	if len(vs) == 0 || vs[0] == "" || vs[0] == "null" {
		return def, nil
	}
	n, err := strconv.Atoi(vs[0])
	loc := []any{"query", name}
	switch {
	case err != nil:
		return def, []detail{{Loc: loc, Msg: "Input should be a valid integer, unable to parse string as an integer", Type: "int_parsing", Input: vs[0]}}
	case n < minimum:
		return def, []detail{{Loc: loc, Msg: fmt.Sprintf("Input should be greater than or equal to %d", minimum), Type: "greater_than_equal", Input: vs[0]}}
	case maximum >= 0 && n > maximum:
		return def, []detail{{Loc: loc, Msg: fmt.Sprintf("Input should be less than or equal to %d", maximum), Type: "less_than_equal", Input: vs[0]}}
	}
	return n, nil
}

var agentKey = regexp.MustCompile(`^agt_[0-9a-zA-Z_-]+$`)

func (p *Provider) listAgentSessions(w http.ResponseWriter, r *http.Request, agent string) {
	if !p.authorized(w, r) {
		return
	}
	q := r.URL.Query()
	bad := func(msg string) { writeError(w, http.StatusBadRequest, "invalid_request", msg) }
	if !agentKey.MatchString(agent) {
		bad("agent_key must be agt_ followed by letters, digits, _ or -")
		return
	}
	limit := 10
	if v := q.Get("limit"); q.Has("limit") {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			bad("limit must be an integer from 1 to 100")
			return
		}
		limit = n
	}
	var enabled *bool
	if q.Has("enabled") {
		b, err := strconv.ParseBool(q.Get("enabled"))
		if err != nil || (q.Get("enabled") != "true" && q.Get("enabled") != "false") {
			bad("enabled must be true or false")
			return
		}
		enabled = &b
	}
	offset := 0
	if q.Has("page_key") {
		n, ok := decodePageKey(q.Get("page_key"))
		if !ok {
			bad("page_key is not a page key this API issued")
			return
		}
		offset = n
	}
	if agent == restrictedAgent {
		writeError(w, http.StatusForbidden, "forbidden", "Insufficient permissions for accessing sessions for this agent")
		return
	}
	if !p.agents[agent] {
		writeError(w, http.StatusNotFound, "agent_not_found", "Agent with the specified agent_key does not exist")
		return
	}
	if p.drift&Undocumented500 != 0 {
		writeError(w, http.StatusInternalServerError, "internal_error", "An unexpected error occurred; please retry later")
		return
	}
	var match []map[string]any
	for _, s := range p.agentSessions {
		if s["agent_key"] == agent && (enabled == nil || s["enabled"] == *enabled) {
			match = append(match, s)
		}
	}
	sortBy(match, "created_at", "id", true)
	page := window(match, offset, limit)
	if p.drift&RenamedField != 0 {
		renamed := make([]map[string]any, len(page))
		for i, s := range page {
			c := make(map[string]any, len(s))
			for k, v := range s {
				if k == "agent_key" {
					k = "agentKey"
				}
				c[k] = v
			}
			renamed[i] = c
		}
		page = renamed
	}
	var next any
	if end := offset + len(page); end < len(match) {
		next = encodePageKey(end)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"sessions": page,
		"metadata": map[string]any{"page_key": next, "total_count": len(match)},
	})
}

// A page key is the base64 of {"offset":N}: opaque to clients, as the spec
// says, and refused when it is anything else.
func encodePageKey(offset int) string {
	return base64.URLEncoding.EncodeToString(fmt.Appendf(nil, `{"offset":%d}`, offset))
}

func decodePageKey(s string) (int, bool) {
	data, err := base64.URLEncoding.DecodeString(s)
	if err != nil {
		return 0, false
	}
	var k struct {
		Offset *int `json:"offset"`
	}
	if json.Unmarshal(data, &k) != nil || k.Offset == nil || *k.Offset < 0 {
		return 0, false
	}
	return *k.Offset, true
}

// sortBy orders items by field (missing or null values last), then by key.
func sortBy(items []map[string]any, field, key string, desc bool) {
	slices.SortStableFunc(items, func(a, b map[string]any) int {
		c := compareValues(a[field], b[field])
		if desc {
			c = -c
		}
		if a[field] == nil || b[field] == nil {
			c = compareValues(a[field], b[field]) // nil stays last either way
		}
		return cmp.Or(c, strings.Compare(fmt.Sprint(a[key]), fmt.Sprint(b[key])))
	})
}

func compareValues(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	fa, aok := number(a)
	fb, bok := number(b)
	if aok && bok {
		return cmp.Compare(fa, fb)
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

func window(items []map[string]any, offset, limit int) []map[string]any {
	if offset >= len(items) {
		return []map[string]any{}
	}
	return items[offset:min(offset+limit, len(items))]
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		status, data = http.StatusInternalServerError, []byte(`{"error":{"code":"internal_error","message":"encoding failed"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	w.Write(data)
}
