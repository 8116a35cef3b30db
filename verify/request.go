package verify

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/decoy-mock/decoy/openapi"
	"github.com/getkin/kin-openapi/openapi3"
)

// built is a case as an HTTP request, ready to send and to check.
type built struct {
	req        *http.Request
	body       []byte
	pathParams map[string]string
}

// build turns a case into a request to the target. It fails for a value
// that cannot be written where the parameter goes.
func (r *runner) build(c *kase) (*built, error) {
	ps := parameters(r.cfg.Spec, c.op)
	pathParams := map[string]string{}
	p := c.op.Path
	query := url.Values{}
	header := http.Header{}
	var cookies []string
	for k, v := range r.cfg.Header {
		header[k] = append([]string(nil), v...)
	}
	if !c.noCredential {
		r.applyCredentials(c.op, header, query, &cookies)
	}
	for _, pr := range ps {
		v, ok := c.params[pr.key]
		if !ok {
			continue
		}
		switch pr.key.in {
		case openapi3.ParameterInPath:
			s, err := simple(pr.p, v)
			if err != nil {
				return nil, fmt.Errorf("path parameter %q: %w", pr.key.name, err)
			}
			pathParams[pr.key.name] = s
			p = strings.ReplaceAll(p, "{"+pr.key.name+"}", url.PathEscape(s))
		case openapi3.ParameterInQuery:
			pairs, err := form(pr.p, v)
			if err != nil {
				return nil, fmt.Errorf("query parameter %q: %w", pr.key.name, err)
			}
			for _, kv := range pairs {
				query.Add(kv[0], kv[1])
			}
		case openapi3.ParameterInHeader:
			s, err := simple(pr.p, v)
			if err != nil {
				return nil, fmt.Errorf("header parameter %q: %w", pr.key.name, err)
			}
			if !validHeaderValue(s) {
				return nil, fmt.Errorf("header parameter %q: value %q cannot be sent in a header", pr.key.name, s)
			}
			header.Set(pr.key.name, s)
		case openapi3.ParameterInCookie:
			s, err := simple(pr.p, v)
			if err != nil {
				return nil, fmt.Errorf("cookie parameter %q: %w", pr.key.name, err)
			}
			cookies = append(cookies, pr.key.name+"="+s)
		}
	}
	if strings.Contains(p, "{") {
		return nil, fmt.Errorf("path %s: a path parameter has no value", p)
	}
	if c.noCredential {
		stripCredentials(c.op, header, query, &cookies)
	}
	if len(cookies) > 0 {
		header.Set("Cookie", strings.Join(cookies, "; "))
	}
	u := *r.target
	u.Path += p
	u.RawQuery = query.Encode()
	var body []byte
	if c.hasBody {
		mt, _, _ := jsonBody(c.op)
		var err error
		if body, err = json.Marshal(c.body); err != nil {
			return nil, fmt.Errorf("request body: %w", err)
		}
		header.Set("Content-Type", mt)
	}
	req, err := http.NewRequest(c.op.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = header
	if len(body) == 0 {
		req.Body, req.GetBody, req.ContentLength = http.NoBody, nil, 0
	}
	return &built{req: req, body: body, pathParams: pathParams}, nil
}

// applyCredentials adds the credentials of the first security requirement
// of op whose every scheme has one in Config.Credentials.
func (r *runner) applyCredentials(op *openapi.Operation, header http.Header, query url.Values, cookies *[]string) {
	for _, req := range op.Security {
		complete := true
		for _, s := range req {
			if _, ok := r.cfg.Credentials[s.Name]; !ok {
				complete = false
			}
		}
		if !complete || len(req) == 0 {
			continue
		}
		for _, s := range req {
			cred := r.cfg.Credentials[s.Name]
			switch s.Kind {
			case openapi.SchemeBearer:
				header.Set("Authorization", "Bearer "+cred)
			case openapi.SchemeBasic:
				if strings.Contains(cred, ":") {
					cred = base64.StdEncoding.EncodeToString([]byte(cred))
				}
				header.Set("Authorization", "Basic "+cred)
			case openapi.SchemeHTTP:
				header.Set("Authorization", s.HTTPScheme+" "+cred)
			case openapi.SchemeAPIKey:
				switch s.In {
				case "header":
					header.Set(s.Param, cred)
				case "query":
					query.Set(s.Param, cred)
				case "cookie":
					*cookies = append(*cookies, s.Param+"="+cred)
				}
			}
		}
		return
	}
}

// stripCredentials removes every place a scheme of op carries its
// credential, however it was put there (Config.Header or Credentials).
func stripCredentials(op *openapi.Operation, header http.Header, query url.Values, cookies *[]string) {
	for _, req := range op.Security {
		for _, s := range req {
			switch s.Kind {
			case openapi.SchemeBearer, openapi.SchemeBasic, openapi.SchemeHTTP:
				header.Del("Authorization")
			case openapi.SchemeAPIKey:
				switch s.In {
				case "header":
					header.Del(s.Param)
				case "query":
					query.Del(s.Param)
				case "cookie":
					kept := (*cookies)[:0]
					for _, c := range *cookies {
						if !strings.HasPrefix(c, s.Param+"=") {
							kept = append(kept, c)
						}
					}
					*cookies = kept
					header.Del("Cookie")
				}
			}
		}
	}
}

// text writes a primitive value as a parameter carries it.
func text(v any) (string, error) {
	switch x := v.(type) {
	case raw:
		return string(x), nil
	case string:
		return x, nil
	case bool:
		return strconv.FormatBool(x), nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return strconv.FormatInt(int64(x), 10), nil
		}
		return strconv.FormatFloat(x, 'g', -1, 64), nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case uint64:
		return strconv.FormatUint(x, 10), nil
	case json.Number:
		return x.String(), nil
	case nil:
		return "", fmt.Errorf("null cannot be sent")
	}
	return "", fmt.Errorf("a %T cannot be sent as a primitive value", v)
}

// simple writes v in the simple style (path, header, cookie): arrays as
// a,b,c and objects as k,v,k,v (k=v,k=v exploded).
func simple(p *openapi3.Parameter, v any) (string, error) {
	switch x := v.(type) {
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			s, err := text(e)
			if err != nil {
				return "", err
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, ","), nil
	case map[string]any:
		var parts []string
		for _, k := range sortedKeys(x) {
			s, err := text(x[k])
			if err != nil {
				return "", err
			}
			if p.Explode != nil && *p.Explode {
				parts = append(parts, k+"="+s)
			} else {
				parts = append(parts, k, s)
			}
		}
		return strings.Join(parts, ","), nil
	}
	return text(v)
}

// form writes a query parameter in its style (form, explode by default;
// deepObject; spaceDelimited and pipeDelimited) as name/value pairs.
func form(p *openapi3.Parameter, v any) ([][2]string, error) {
	explode := p.Explode == nil || *p.Explode
	switch x := v.(type) {
	case []any:
		var vals []string
		for _, e := range x {
			s, err := text(e)
			if err != nil {
				return nil, err
			}
			vals = append(vals, s)
		}
		sep := ","
		switch p.Style {
		case "spaceDelimited":
			sep = " "
		case "pipeDelimited":
			sep = "|"
		}
		if explode && p.Style != "spaceDelimited" && p.Style != "pipeDelimited" {
			out := make([][2]string, 0, len(vals))
			for _, s := range vals {
				out = append(out, [2]string{p.Name, s})
			}
			return out, nil
		}
		return [][2]string{{p.Name, strings.Join(vals, sep)}}, nil
	case map[string]any:
		var out [][2]string
		var flat []string
		for _, k := range sortedKeys(x) {
			s, err := text(x[k])
			if err != nil {
				return nil, err
			}
			switch {
			case p.Style == "deepObject":
				out = append(out, [2]string{p.Name + "[" + k + "]", s})
			case explode:
				out = append(out, [2]string{k, s})
			default:
				flat = append(flat, k, s)
			}
		}
		if flat != nil {
			out = append(out, [2]string{p.Name, strings.Join(flat, ",")})
		}
		return out, nil
	case nil:
		return nil, nil // an optional null is left out
	}
	s, err := text(v)
	if err != nil {
		return nil, err
	}
	return [][2]string{{p.Name, s}}, nil
}

// secretHeader matches header names that carry secrets by convention.
var secretHeader = regexp.MustCompile(`(?i)auth|token|secret|api[-_]?key|session|cookie|password|credential`)

// masker hides credentials in what a Report shows.
type masker struct {
	headers map[string]bool // canonical names
	query   map[string]bool
}

func newMasker(spec *openapi.Spec, extra http.Header) *masker {
	m := &masker{headers: map[string]bool{"Authorization": true, "Proxy-Authorization": true, "Cookie": true, "Set-Cookie": true}, query: map[string]bool{}}
	for _, op := range spec.Operations {
		for _, req := range op.Security {
			for _, s := range req {
				if s.Kind == openapi.SchemeAPIKey {
					switch s.In {
					case "header":
						m.headers[http.CanonicalHeaderKey(s.Param)] = true
					case "query":
						m.query[s.Param] = true
					}
				}
			}
		}
	}
	for k := range extra {
		if secretHeader.MatchString(k) {
			m.headers[http.CanonicalHeaderKey(k)] = true
		}
	}
	return m
}

const masked = "****"

func (m *masker) header(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		if !m.headers[http.CanonicalHeaderKey(k)] {
			out[k] = append([]string(nil), vs...)
			continue
		}
		for _, v := range vs {
			// Keep the scheme word of an Authorization value (Bearer,
			// Basic): it tells which credential was sent, not what.
			name := http.CanonicalHeaderKey(k)
			if scheme, _, ok := strings.Cut(v, " "); ok && (name == "Authorization" || name == "Proxy-Authorization") {
				out[k] = append(out[k], scheme+" "+masked)
			} else {
				out[k] = append(out[k], masked)
			}
		}
	}
	return out
}

func (m *masker) url(u *url.URL) string {
	if len(m.query) == 0 || u.RawQuery == "" {
		return u.String()
	}
	q := u.Query()
	changed := false
	for k := range q {
		if m.query[k] {
			q[k] = []string{masked}
			changed = true
		}
	}
	if !changed {
		return u.String()
	}
	c := *u
	c.RawQuery = strings.ReplaceAll(q.Encode(), url.QueryEscape(masked), masked)
	return c.String()
}

// validHeaderValue reports whether net/http will send s as a header value:
// no control characters but tab (RFC 9110's field-value).
func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; (b < ' ' && b != '\t') || b == 0x7f {
			return false
		}
	}
	return true
}
