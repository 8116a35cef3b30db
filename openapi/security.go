package openapi

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Requirement is one security requirement: every one of its schemes must be
// satisfied (AND). An operation is satisfied by any one of its requirements
// (OR); an empty Requirement is always satisfied.
type Requirement []Scheme

// SchemeKind says how a credential is carried.
type SchemeKind int

// The kinds of credentials Decoy can check for presence and format.
const (
	SchemeBearer    SchemeKind = iota // Authorization: Bearer <token>
	SchemeBasic                       // Authorization: Basic base64(user:pass)
	SchemeHTTP                        // Authorization: <scheme> <anything>
	SchemeAPIKey                      // a header, query parameter or cookie
	SchemeMutualTLS                   // a client certificate; not checkable
)

// Scheme is one security scheme as a request must present it.
type Scheme struct {
	// Name is the scheme's key under components/securitySchemes.
	Name string
	Kind SchemeKind
	// HTTPScheme is the scheme word for SchemeHTTP, e.g. "Digest".
	HTTPScheme string
	// In is "header", "query" or "cookie" for SchemeAPIKey.
	In string
	// Param is the header, query parameter or cookie name for SchemeAPIKey.
	Param string
	// Realm is the realm the WWW-Authenticate challenge names: the
	// scheme's x-decoy-realm extension, else the realm the operation's 401
	// response documents in its WWW-Authenticate header (its example,
	// default or enum); "" means "decoy".
	Realm string
}

func (s *Spec) requirements(op *openapi3.Operation) ([]Requirement, error) {
	reqs := s.Doc.Security
	if op.Security != nil {
		reqs = *op.Security
	}
	if len(reqs) == 0 {
		return nil, nil
	}
	var out []Requirement
	for _, req := range reqs {
		names := make([]string, 0, len(req))
		for name := range req {
			names = append(names, name)
		}
		slices.Sort(names)
		r := Requirement{}
		for _, name := range names {
			sch, err := s.scheme(name)
			if err != nil {
				return nil, err
			}
			r = append(r, sch)
		}
		if len(r) == 0 {
			// An empty requirement ({}) makes the operation optionally public.
			return nil, nil
		}
		out = append(out, r)
	}
	return out, nil
}

func (s *Spec) scheme(name string) (Scheme, error) {
	var ref *openapi3.SecuritySchemeRef
	if s.Doc.Components != nil {
		ref = s.Doc.Components.SecuritySchemes[name]
	}
	if ref == nil || ref.Value == nil {
		return Scheme{}, fmt.Errorf("security requirement names %q, which is not under components/securitySchemes", name)
	}
	v := ref.Value
	sch := Scheme{Name: name}
	if realm, ok := v.Extensions["x-decoy-realm"].(string); ok {
		sch.Realm = realm
	}
	switch strings.ToLower(v.Type) {
	case "http":
		switch strings.ToLower(v.Scheme) {
		case "bearer":
			sch.Kind = SchemeBearer
		case "basic":
			sch.Kind = SchemeBasic
		default:
			sch.Kind, sch.HTTPScheme = SchemeHTTP, v.Scheme
		}
	case "apikey":
		sch.Kind, sch.In, sch.Param = SchemeAPIKey, strings.ToLower(v.In), v.Name
	case "oauth2", "openidconnect":
		sch.Kind = SchemeBearer
	case "mutualtls":
		sch.Kind = SchemeMutualTLS
	default:
		return Scheme{}, fmt.Errorf("security scheme %q has unknown type %q", name, v.Type)
	}
	return sch, nil
}

// isToken68 reports whether s has RFC 7235's credential syntax for
// Bearer: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
func isToken68(s string) bool {
	i := 0
	for i < len(s) {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~+/", c) >= 0 {
			i++
			continue
		}
		break
	}
	if i == 0 {
		return false
	}
	for ; i < len(s); i++ {
		if s[i] != '=' {
			return false
		}
	}
	return true
}

// authScheme is the Authorization scheme word the scheme expects.
func (s Scheme) authScheme() string {
	switch s.Kind {
	case SchemeBearer:
		return "Bearer"
	case SchemeBasic:
		return "Basic"
	case SchemeHTTP:
		return s.HTTPScheme
	}
	return ""
}

// Check reports whether r presents the credentials of one requirement of the
// operation (presence and format only: Decoy never judges a value). When
// none is met it returns a message naming what is missing and the
// WWW-Authenticate challenges to send.
func (o *Operation) Check(r *http.Request) (ok bool, problem string, challenges []string) {
	if len(o.Security) == 0 {
		return true, "", nil
	}
	var problems []string
	for _, req := range o.Security {
		var missing []string
		for _, sch := range req {
			if msg := sch.check(r); msg != "" {
				missing = append(missing, msg)
			}
		}
		if len(missing) == 0 {
			return true, "", nil
		}
		problems = append(problems, strings.Join(missing, " and "))
	}
	seen := map[string]bool{}
	for _, req := range o.Security {
		for _, sch := range req {
			if c := sch.challenge(); c != "" && !seen[c] {
				seen[c] = true
				challenges = append(challenges, c)
			}
		}
	}
	return false, strings.Join(problems, "; or "), challenges
}

// check returns "" when r carries this scheme's credential in the right
// format, else what is wrong.
func (s Scheme) check(r *http.Request) string {
	switch s.Kind {
	case SchemeMutualTLS:
		return ""
	case SchemeAPIKey:
		switch s.In {
		case "query":
			if r.URL.Query().Get(s.Param) == "" {
				return fmt.Sprintf("query parameter %q is missing (security scheme %s)", s.Param, s.Name)
			}
		case "cookie":
			if c, err := r.Cookie(s.Param); err != nil || c.Value == "" {
				return fmt.Sprintf("cookie %q is missing (security scheme %s)", s.Param, s.Name)
			}
		default:
			if r.Header.Get(s.Param) == "" {
				return fmt.Sprintf("header %q is missing (security scheme %s)", s.Param, s.Name)
			}
		}
		return ""
	}
	auth := headerValue(r.Header, "Authorization")
	want := s.authScheme()
	if auth == "" {
		return fmt.Sprintf("the Authorization header is missing; expected %q credentials (security scheme %s)", want, s.Name)
	}
	word, cred, _ := strings.Cut(strings.TrimSpace(auth), " ")
	cred = strings.TrimSpace(cred)
	if !strings.EqualFold(word, want) {
		return fmt.Sprintf("the Authorization header uses the %q scheme; expected %q (security scheme %s)", word, want, s.Name)
	}
	switch s.Kind {
	case SchemeBearer:
		if !isToken68(cred) {
			return fmt.Sprintf("the Authorization header has no valid Bearer token (security scheme %s)", s.Name)
		}
	case SchemeBasic:
		dec, err := base64.StdEncoding.DecodeString(cred)
		if err != nil || !strings.Contains(string(dec), ":") {
			return fmt.Sprintf("the Authorization header's Basic credentials are not base64 of user:password (security scheme %s)", s.Name)
		}
	default:
		if cred == "" {
			return fmt.Sprintf("the Authorization header has no %s credentials (security scheme %s)", want, s.Name)
		}
	}
	return ""
}

// challenge is the WWW-Authenticate value for this scheme.
func (s Scheme) challenge() string {
	realm := "decoy"
	if s.Realm != "" {
		realm = s.Realm
	}
	realm = quoteParam(realm)
	switch s.Kind {
	case SchemeBearer, SchemeBasic, SchemeHTTP:
		return s.authScheme() + " realm=" + realm
	case SchemeAPIKey:
		return fmt.Sprintf(`ApiKey realm=%s, in="%s", name="%s"`, realm, s.In, s.Param)
	}
	return ""
}

// quoteParam quotes v as an auth-param's quoted-string, dropping control
// characters (a realm from the spec must not end the header line).
func quoteParam(v string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c < 0x20 || c == 0x7f:
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// documentedRealms gives each security scheme of op without a realm of its
// own the realm op's 401 response documents in its WWW-Authenticate header:
// the realm of the challenge for the same scheme word, else the only realm
// documented. Real specs document the header so (`example: Bearer
// realm="api"`); the challenge Decoy sends then reads as the API's own.
func (op *Operation) documentedRealms() {
	resp := op.Lookup(http.StatusUnauthorized)
	if resp == nil || len(op.Security) == 0 {
		return
	}
	var found []challengeRealm
	for _, hd := range resp.Headers {
		if !strings.EqualFold(hd.Name, "WWW-Authenticate") {
			continue
		}
		values := []any{hd.Example}
		if hd.Schema != nil && hd.Schema.Value != nil {
			sv := hd.Schema.Value
			values = append(values, sv.Example, sv.Default)
			values = append(values, sv.Enum...)
		}
		for _, v := range values {
			if s, ok := v.(string); ok {
				found = append(found, challengeRealms(s)...)
			}
		}
	}
	if len(found) == 0 {
		return
	}
	only := found[0].realm
	for _, c := range found[1:] {
		if c.realm != only {
			only = ""
		}
	}
	for _, req := range op.Security {
		for i := range req {
			sch := &req[i]
			if sch.Realm != "" {
				continue
			}
			word := sch.authScheme()
			if sch.Kind == SchemeAPIKey {
				word = "ApiKey"
			}
			sch.Realm = only
			for _, c := range found {
				if strings.EqualFold(c.scheme, word) {
					sch.Realm = c.realm
					break
				}
			}
		}
	}
}

// challengeRealm is the realm one challenge of a WWW-Authenticate value names.
type challengeRealm struct{ scheme, realm string }

// challengeRealms reads the realm of each challenge in a WWW-Authenticate
// value such as `Bearer realm="api", error="invalid_token", Basic realm=x`
// (RFC 9110 section 11.6.1).
func challengeRealms(v string) []challengeRealm {
	var out []challengeRealm
	scheme := ""
	i := 0
	for i < len(v) {
		if c := v[i]; c == ' ' || c == '\t' || c == ',' {
			i++
			continue
		}
		j := i
		for j < len(v) && isTChar(v[j]) {
			j++
		}
		if j == i {
			i++ // a stray character: skip it
			continue
		}
		word := v[i:j]
		k := j
		for k < len(v) && (v[k] == ' ' || v[k] == '\t') {
			k++
		}
		if k >= len(v) || v[k] != '=' {
			scheme, i = word, j // a new challenge's scheme word
			continue
		}
		// An auth-param: name = token / quoted-string.
		k++
		for k < len(v) && (v[k] == ' ' || v[k] == '\t') {
			k++
		}
		val, end := paramValue(v, k)
		if strings.EqualFold(word, "realm") && scheme != "" && val != "" {
			out = append(out, challengeRealm{scheme: scheme, realm: val})
		}
		i = end
	}
	return out
}

// paramValue reads a token or quoted-string at v[i:] and returns it, and
// where it ends.
func paramValue(v string, i int) (string, int) {
	if i < len(v) && v[i] == '"' {
		var b strings.Builder
		for j := i + 1; j < len(v); j++ {
			switch v[j] {
			case '\\':
				if j+1 < len(v) {
					j++
					b.WriteByte(v[j])
				}
			case '"':
				return b.String(), j + 1
			default:
				b.WriteByte(v[j])
			}
		}
		return b.String(), len(v)
	}
	j := i
	for j < len(v) && v[j] != ',' && v[j] != ' ' && v[j] != '\t' {
		j++
	}
	return v[i:j], j
}

// isTChar reports whether c may be part of an RFC 9110 token.
func isTChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
