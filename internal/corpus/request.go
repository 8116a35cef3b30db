package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/decoy-mock/decoy/fixtures"
	"github.com/decoy-mock/decoy/openapi"
	"github.com/getkin/kin-openapi/openapi3"
)

// built is a request made to keep an operation's contract.
type built struct {
	req        *http.Request
	pathParams map[string]string
	body       []byte
}

// buildRequest makes one request that keeps op's contract: every path
// parameter, the required query, header and cookie parameters and a
// required body, with values from Decoy's own generator, and the
// credentials of one security requirement. It returns an error when the
// generator cannot build a value for a schema.
func buildRequest(base string, op *openapi.Operation, seed uint64) (*built, error) {
	b := &built{pathParams: map[string]string{}}
	// A client can send "#" and " " in a path only escaped.
	path := strings.NewReplacer("#", "%23", " ", "%20").Replace(op.Path)
	query := []string{}
	header := http.Header{}
	var cookies []*http.Cookie
	// Operation parameters override path-item ones of the same name and place.
	var params openapi3.Parameters
	seen := map[string]bool{}
	lists := []openapi3.Parameters{op.Op.Parameters}
	if op.Route != nil && op.Route.PathItem != nil {
		lists = append(lists, op.Route.PathItem.Parameters)
	}
	for _, list := range lists {
		for _, p := range list {
			if p == nil || p.Value == nil {
				continue
			}
			if key := p.Value.In + ":" + p.Value.Name; !seen[key] {
				seen[key] = true
				params = append(params, p)
			}
		}
	}
	for i, pref := range params {
		p := pref.Value
		if !p.Required && p.In != "path" {
			continue
		}

		schema, inJSON := p.Schema, false
		if schema == nil {
			for _, ct := range orderedContent(p.Content) {
				schema, inJSON = p.Content[ct].Schema, true
				break
			}
		}
		var v any = "x"
		if schema != nil {
			// An empty value is refused unless allowEmptyValue: try a few
			// seeds for a non-empty one.
			for try := range uint64(4) {
				g, err := fixtures.Generate(schema, fixtures.GenerateOptions{Seed: seed + uint64(i) + 1 + try<<32, UseExamples: try == 0, Direction: openapi.DirRequest, OpenAPI31: op.OpenAPI31, Spec: op.Document()})
				if err != nil {
					return nil, fmt.Errorf("%s parameter %s: %w", p.In, p.Name, err)
				}
				v = g
				if scalar(g) != "" {
					break
				}
			}
		}
		if inJSON {
			j, _ := json.Marshal(v)
			v = string(j)
		}
		switch p.In {
		case "path":
			s := serializePath(p, v)
			b.pathParams[p.Name] = s
			path = strings.ReplaceAll(path, "{"+p.Name+"}", s)
		case "query":
			query = append(query, serializeQuery(p, v)...)
		case "header":
			// OpenAPI says to ignore header parameters named Accept,
			// Content-Type and Authorization, but a validator may still
			// want them: send the generated value, unless the body's type
			// or the credentials take its place (set below), or, for
			// Accept, unless it is no media range.
			text := joinSimple(v, p.Explode != nil && *p.Explode)
			if strings.EqualFold(p.Name, "Accept") && !strings.Contains(text, "/") {
				text = "*/*"
			}
			header.Set(p.Name, text)
		case "cookie":
			cookies = append(cookies, &http.Cookie{Name: p.Name, Value: joinSimple(v, false), Quoted: false})
		}
	}
	// A required Content-Type header parameter asks for a body even when
	// the body is optional.
	sendBody := op.BodyRequired || header.Get("Content-Type") != ""
	if len(op.BodyTypes) > 0 && sendBody && op.Op.RequestBody != nil && op.Op.RequestBody.Value != nil {
		ct := pickBodyType(op.BodyTypes)
		media := op.Op.RequestBody.Value.Content[ct]
		var v any
		if media != nil && media.Schema != nil {
			g, err := fixtures.Generate(media.Schema, fixtures.GenerateOptions{Seed: seed, UseExamples: true, Direction: openapi.DirRequest, OpenAPI31: op.OpenAPI31, Spec: op.Document()})
			if err != nil {
				return nil, fmt.Errorf("body %s: %w", ct, err)
			}
			v = g
		}
		sent := concrete(ct)
		switch {
		case openapi.IsJSON(sent):
			b.body, _ = json.Marshal(v)
		case strings.HasPrefix(sent, "application/x-www-form-urlencoded"):
			form := url.Values{}
			if m, ok := v.(map[string]any); ok {
				for _, k := range sortedKeys(m) {
					if arr, ok := m[k].([]any); ok {
						for _, e := range arr {
							form.Add(k, scalar(e))
						}
						continue
					}
					form.Set(k, scalar(m[k]))
				}
			}
			b.body = []byte(form.Encode())
		case strings.HasPrefix(sent, "multipart/"):
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			if m, ok := v.(map[string]any); ok {
				for _, k := range sortedKeys(m) {
					vals := []any{m[k]}
					if arr, ok := m[k].([]any); ok {
						vals = arr
					}
					for _, e := range vals {
						_ = mw.WriteField(k, scalar(e))
					}
				}
			}
			_ = mw.Close()
			b.body = buf.Bytes()
			sent = mw.FormDataContentType()
		default:
			b.body = []byte(scalar(v))
		}
		header.Set("Content-Type", sent)
	}
	u := base + path
	if len(query) > 0 {
		// A template with a query part ("/rest?method=x") keeps it.
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		u += sep + strings.Join(query, "&")
	}
	var body *bytes.Reader
	if b.body != nil {
		body = bytes.NewReader(b.body)
	}
	var req *http.Request
	var err error
	if body != nil {
		req, err = http.NewRequest(op.Method, u, body)
	} else {
		req, err = http.NewRequest(op.Method, u, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("the request: %w", err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	addCredentials(req, op.Security)
	b.req = req
	return b, nil
}

// addCredentials sends what one of the requirements needs: the first one
// that does not need two different Authorization headers.
func addCredentials(req *http.Request, reqs []openapi.Requirement) {
	if len(reqs) == 0 {
		return
	}
	pick := reqs[0]
	for _, r := range reqs {
		auth := 0
		for _, s := range r {
			if s.Kind != openapi.SchemeAPIKey && s.Kind != openapi.SchemeMutualTLS {
				auth++
			}
		}
		if auth <= 1 {
			pick = r
			break
		}
	}
	for _, sch := range pick {
		switch sch.Kind {
		case openapi.SchemeBearer:
			req.Header.Set("Authorization", "Bearer corpus-token")
		case openapi.SchemeBasic:
			req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("corpus:secret")))
		case openapi.SchemeHTTP:
			req.Header.Set("Authorization", sch.HTTPScheme+" corpus-credential")
		case openapi.SchemeAPIKey:
			switch sch.In {
			case "query":
				q := req.URL.Query()
				if q.Get(sch.Param) == "" {
					if req.URL.RawQuery != "" {
						req.URL.RawQuery += "&"
					}
					req.URL.RawQuery += url.QueryEscape(sch.Param) + "=corpus-key"
				}
			case "cookie":
				if c, err := req.Cookie(sch.Param); err != nil || c.Value == "" {
					req.AddCookie(&http.Cookie{Name: sch.Param, Value: "corpus-key"})
				}
			default:
				if req.Header.Get(sch.Param) == "" {
					req.Header.Set(sch.Param, "corpus-key")
				}
			}
		}
	}
}

// pickBodyType prefers a JSON media type, then a form, then the first.
func pickBodyType(types []string) string {
	for _, ct := range types {
		if openapi.IsJSON(ct) {
			return ct
		}
	}
	for _, ct := range types {
		if strings.HasPrefix(ct, "application/x-www-form-urlencoded") || strings.HasPrefix(ct, "multipart/form-data") {
			return ct
		}
	}
	return types[0]
}

// concrete turns a media range into a media type a request can carry.
func concrete(ct string) string {
	main, sub, ok := strings.Cut(ct, "/")
	switch {
	case ct == "*/*" || main == "*":
		return "application/json"
	case !ok:
		return ct
	case strings.HasPrefix(sub, "*"):
		switch main {
		case "application":
			return "application/json"
		case "text":
			return "text/plain"
		}
		return main + "/octet-stream"
	}
	return ct
}

// serializePath writes a path parameter in its style (simple, label or
// matrix), escaped.
func serializePath(p *openapi3.Parameter, v any) string {
	explode := p.Explode != nil && *p.Explode
	switch p.Style {
	case "label":
		sep := ","
		if explode {
			sep = "."
		}
		return "." + url.PathEscape(join(v, sep, explode))
	case "matrix":
		if arr, ok := v.([]any); ok && explode {
			var parts []string
			for _, e := range arr {
				parts = append(parts, ";"+p.Name+"="+url.PathEscape(scalar(e)))
			}
			return strings.Join(parts, "")
		}
		return ";" + p.Name + "=" + url.PathEscape(join(v, ",", explode))
	}
	return url.PathEscape(joinSimple(v, explode))
}

// serializeQuery writes a query parameter in its style as name=value pairs,
// escaped.
func serializeQuery(p *openapi3.Parameter, v any) []string {
	explode := p.Explode == nil || *p.Explode // form explodes by default
	name := url.QueryEscape(p.Name)
	pair := func(k, s string) string { return url.QueryEscape(k) + "=" + url.QueryEscape(s) }
	switch t := v.(type) {
	case []any:
		switch {
		case p.Style == "spaceDelimited":
			return []string{name + "=" + url.QueryEscape(join(t, " ", false))}
		case p.Style == "pipeDelimited":
			return []string{name + "=" + url.QueryEscape(join(t, "|", false))}
		case explode:
			var out []string
			for _, e := range t {
				out = append(out, pair(p.Name, scalar(e)))
			}
			return out
		}
		return []string{name + "=" + url.QueryEscape(join(t, ",", false))}
	case map[string]any:
		var out []string
		switch {
		case p.Style == "deepObject":
			for _, k := range sortedKeys(t) {
				out = append(out, pair(p.Name+"["+k+"]", scalar(t[k])))
			}
		case explode:
			for _, k := range sortedKeys(t) {
				out = append(out, pair(k, scalar(t[k])))
			}
		default:
			out = append(out, name+"="+url.QueryEscape(join(t, ",", false)))
		}
		return out
	}
	return []string{pair(p.Name, scalar(v))}
}

// joinSimple writes a value in the simple style (path, header).
func joinSimple(v any, explode bool) string { return join(v, ",", explode) }

// join writes arrays as elements joined by sep and objects as k,v pairs (or
// k=v when explode).
func join(v any, sep string, explode bool) string {
	switch t := v.(type) {
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = scalar(e)
		}
		return strings.Join(parts, sep)
	case map[string]any:
		var parts []string
		for _, k := range sortedKeys(t) {
			if explode {
				parts = append(parts, k+"="+scalar(t[k]))
			} else {
				parts = append(parts, k, scalar(t[k]))
			}
		}
		return strings.Join(parts, sep)
	}
	return scalar(v)
}

// scalar writes one value as text: strings as they are, numbers in plain
// notation, structures as JSON.
func scalar(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case nil:
		return ""
	case bool:
		return strconv.FormatBool(t)
	case int64:
		return strconv.FormatInt(t, 10)
	case int:
		return strconv.Itoa(t)
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	}
	j, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(j)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// orderedContent returns the media types of c, sorted.
func orderedContent(c openapi3.Content) []string { return sortedKeys(c) }
