package mockserver

import (
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/decoy-mock/decoy/openapi"
)

// What the journal masks, wherever a request is shown again (GET
// /__decoy/requests, violation examples, reports):
//
//   - headers: Authorization, Proxy-Authorization (the scheme word is
//     kept), every cookie value, every header an apiKey scheme of the spec
//     names (on every route, unknown paths included: a client may send its
//     key where the spec does not ask for it), and names that look like
//     secrets (secretName);
//   - query parameters: those any apiKey scheme of the spec names, and
//     names that look like secrets;
//   - bodies: JSON fields named like secrets (bodySecretField) at any
//     depth, and such fields of a form body;
//   - violation messages: any of the values above they quote.
//
// A masked value keeps its first four characters when it has more than
// eight (maskSecret).

// secretNames are the query parameters and headers the apiKey schemes of
// one spec name, whether or not an operation uses them.
type secretNames struct {
	spec   *openapi.Spec
	query  []string // as the spec spells them; compared without case
	header []string // canonical
}

// secretsFor returns the names of spec's apiKey schemes, computed once per
// spec (a reload brings a new one).
func (j *Journal) secretsFor(spec *openapi.Spec) *secretNames {
	if spec == nil {
		return nil
	}
	if p := j.secrets.Load(); p != nil && p.spec == spec {
		return p
	}
	n := &secretNames{spec: spec}
	add := func(in, name string) {
		switch strings.ToLower(in) {
		case "query":
			if !slices.Contains(n.query, name) {
				n.query = append(n.query, name)
			}
		case "header":
			if h := http.CanonicalHeaderKey(name); !slices.Contains(n.header, h) {
				n.header = append(n.header, h)
			}
		}
	}
	if spec.Doc != nil && spec.Doc.Components != nil {
		for _, ref := range spec.Doc.Components.SecuritySchemes {
			if ref != nil && ref.Value != nil && strings.EqualFold(ref.Value.Type, "apiKey") {
				add(ref.Value.In, ref.Value.Name)
			}
		}
	}
	for _, op := range spec.Operations {
		q, h := secretsOf(op)
		for _, name := range q {
			add("query", name)
		}
		for _, name := range h {
			add("header", name)
		}
	}
	j.secrets.Store(n)
	return n
}

// lists returns the query and header names to mask for a request to op.
func (n *secretNames) lists(op *openapi.Operation) (query, header []string) {
	if n == nil {
		return secretsOf(op)
	}
	return n.query, n.header
}

// bodySecretField reports whether a JSON or form field of that name holds a
// secret: password, secret, token, api_key, apikey, access_token,
// refresh_token, client_secret, authorization, compared without case and
// without - _ . separators (so apiKey, API-KEY and accessToken count), and
// names ending in password, secret, apikey, accesstoken, refreshtoken or
// privatekey (new_password, stripe_api_key). A pagination cursor
// (page_token, next_token) is not a secret and stays readable.
func bodySecretField[T string | []byte](name T) bool {
	var b [64]byte
	n, whole := foldName(name, &b)
	if !whole || len(n) == len(b) {
		return false // no secret word is this long
	}
	norm := string(n)
	switch norm {
	case "password", "passwd", "secret", "token", "apikey", "accesstoken", "refreshtoken", "idtoken", "clientsecret", "authorization", "privatekey":
		return true
	}
	for _, suffix := range []string{"password", "secret", "apikey", "accesstoken", "refreshtoken", "privatekey"} {
		if strings.HasSuffix(norm, suffix) {
			return true
		}
	}
	return false
}

// maskBody returns the part of body the journal keeps (at most n bytes, cut
// with a marker) with the secret fields of a JSON or form body masked, and
// calls found with each secret value it masked (nil: none wanted). Only the
// kept part is scanned, so the cost is bounded by n.
func maskBody(body []byte, n int, contentType string, found func(string)) string {
	cut := len(body)
	if cut > n {
		cut = n
		for cut > 0 && !utf8.RuneStart(body[cut]) {
			cut--
		}
	}
	kept := body[:cut]
	var out string
	switch {
	case looksJSON(kept):
		out = string(maskJSON(kept, found))
	case isForm(contentType):
		out = maskForm(string(kept), found)
	default:
		out = string(kept)
	}
	if cut < len(body) {
		out += "…[truncated " + strconv.Itoa(len(body)-cut) + " bytes]"
	}
	return out
}

func looksJSON(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{', '[':
			return true
		}
		return false
	}
	return false
}

func isForm(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/x-www-form-urlencoded"
}

// maskForm masks the secret fields of a form body, as maskQuery masks a
// query.
func maskForm(body string, found func(string)) string {
	parts := strings.Split(body, "&")
	for i, p := range parts {
		k, v, ok := strings.Cut(p, "=")
		if !ok || v == "" {
			continue
		}
		name, err := url.QueryUnescape(strings.ReplaceAll(k, "+", " "))
		if err != nil {
			name = k
		}
		if bodySecretField(name) || secretName(name) {
			val, err := url.QueryUnescape(strings.ReplaceAll(v, "+", " "))
			if err != nil {
				val = v
			}
			if found != nil {
				found(val)
			}
			parts[i] = k + "=" + url.QueryEscape(maskSecret(val))
		}
	}
	return strings.Join(parts, "&")
}

// maskJSON masks, in JSON text, the value of every object member whose
// name bodySecretField matches, at any depth: a string or number becomes
// the masked string; inside an object or array value every string and
// number is masked. The rest of the text is kept byte for byte. It is a
// lenient scanner, not a parser: broken or cut JSON (the journal keeps a
// prefix) is masked as far as it goes, an unterminated string at the end
// included.
func maskJSON(b []byte, found func(string)) []byte {
	var out []byte // nil until the first change
	last := 0      // b[last:] is not yet copied to out
	replace := func(start, end int, raw []byte) {
		if out == nil {
			out = make([]byte, 0, len(b))
		}
		out = append(out, b[last:start]...)
		var val string
		if len(raw) > 0 && raw[0] == '"' {
			val = unquoteLenient(raw)
		} else {
			val = string(raw)
		}
		if found != nil {
			found(val)
		}
		q, _ := json.Marshal(maskSecret(val))
		out = append(out, q...)
		last = end
	}
	// depth counts open containers; secretDepth > 0 is the depth at which
	// a secret member's container value started: everything inside it is
	// masked.
	depth, secretDepth := 0, 0
	maskNext := false // the next value is a secret member's
	i := 0
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			end := stringEnd(b, i)
			j := skipSpace(b, end)
			if j < len(b) && b[j] == ':' {
				// A member name.
				maskNext = secretDepth == 0 && secretMember(b[i:end])
				i = j + 1
				continue
			}
			if maskNext || secretDepth > 0 {
				replace(i, end, b[i:end])
			}
			maskNext = false
			i = end
		case c == '{' || c == '[':
			depth++
			if maskNext {
				secretDepth = depth
			}
			maskNext = false
			i++
		case c == '}' || c == ']':
			if depth == secretDepth {
				secretDepth = 0
			}
			depth = max(0, depth-1)
			maskNext = false
			i++
		case c == '-' || c >= '0' && c <= '9':
			end := i
			for end < len(b) && strings.IndexByte("+-0123456789.eE", b[end]) >= 0 {
				end++
			}
			if maskNext || secretDepth > 0 {
				replace(i, end, b[i:end])
			}
			maskNext = false
			i = end
		case c == ',':
			maskNext = false
			i++
		default:
			i++
		}
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// secretMember reports whether the member name raw (quoted, as the text
// spells it) names a secret: bodySecretField of its value. The names of a
// body are mostly simple strings, judged from the text without being
// copied (a body of session records has hundreds).
func secretMember(raw []byte) bool {
	if inner, ok := simpleInner(raw); ok {
		return bodySecretField(inner)
	}
	return bodySecretField(unquoteLenient(raw))
}

// stringEnd returns the index just past the JSON string starting at b[i]
// (a quote), or len(b) when it is not terminated.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// unquoteLenient decodes a JSON string, terminated or not (the journal
// keeps a prefix of a body); on an invalid escape it returns the text
// between the quotes as is.
func unquoteLenient(raw []byte) string {
	if v, ok := unquoteSimple(raw); ok {
		return v
	}
	return unquoteLenientLibrary(raw)
}

// unquoteSimple decodes a terminated JSON string that holds no escape, no
// control character and only valid UTF-8: its text is what lies between
// the quotes. It is the fast path of unquoteLenient (masking a body of
// session records quotes hundreds of such values; the library's decoder
// costs a microsecond each), and returns false for anything else, which
// unquoteLenientLibrary decodes (FuzzUnquoteSimpleAgreesWithLibrary).
func unquoteSimple(raw []byte) (string, bool) {
	inner, ok := simpleInner(raw)
	if !ok {
		return "", false
	}
	return string(inner), true
}

// simpleInner returns the text between the quotes of raw when raw is a
// string unquoteSimple decodes (its value is that text), without copying
// it.
func simpleInner(raw []byte) ([]byte, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, false
	}
	inner := raw[1 : len(raw)-1]
	for _, c := range inner {
		if c == '\\' || c == '"' || c < 0x20 {
			return nil, false
		}
	}
	if !utf8.Valid(inner) {
		return nil, false
	}
	return inner, true
}

// unquoteLenientLibrary is unquoteLenient by the standard library's
// decoder: the plain path.
func unquoteLenientLibrary(raw []byte) string {
	var v string
	if json.Unmarshal(raw, &v) == nil {
		return v
	}
	if json.Unmarshal(append(append([]byte{}, raw...), '"'), &v) == nil {
		return v
	}
	return strings.Trim(string(raw), `"`)
}

// secretValues lists the secret values of r (and its body) that the
// journal masks, so that messages quoting them can be scrubbed too. Values
// shorter than four characters are left out: masking them in free text
// would mangle it, and the journal hides them whole anyway.
func secretValues(r *http.Request, body []byte, names *secretNames, op *openapi.Operation) []string {
	var out []string
	add := func(v string) {
		if v = strings.TrimSpace(v); utf8.RuneCountInString(v) >= 4 && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	query, header := names.lists(op)
	for name, vs := range r.Header {
		for _, v := range vs {
			switch {
			case name == "Cookie":
				for _, c := range strings.Split(v, ";") {
					_, val, _ := strings.Cut(c, "=")
					add(val)
				}
			case name == "Authorization", name == "Proxy-Authorization":
				if _, cred, ok := strings.Cut(strings.TrimSpace(v), " "); ok {
					add(cred)
				} else {
					add(v)
				}
			case secretName(name), slices.Contains(header, name):
				add(v)
			}
		}
	}
	for _, p := range strings.Split(r.URL.RawQuery, "&") {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		name, _ := url.QueryUnescape(k)
		if secretName(name) || slices.ContainsFunc(query, func(q string) bool { return strings.EqualFold(q, name) }) {
			val, err := url.QueryUnescape(v)
			if err != nil {
				val = v
			}
			add(val)
		}
	}
	if len(body) > 0 {
		// Messages quote values from the first MiB, as the validator
		// reads them, at most; the scan stays bounded.
		maskBody(body, min(len(body), 1<<20), r.Header.Get("Content-Type"), add)
	}
	return out
}

// scrub replaces, in a message, every secret value it quotes with its
// masked form.
func scrub(msg string, secrets []string) string {
	for _, v := range secrets {
		if strings.Contains(msg, v) {
			msg = strings.ReplaceAll(msg, v, maskSecret(v))
		}
	}
	return msg
}

// secretsOf lists the query parameters and headers op's API key schemes
// use, whose values the journal masks.
func secretsOf(op *openapi.Operation) (query, header []string) {
	if op == nil {
		return nil, nil
	}
	for _, req := range op.Security {
		for _, sch := range req {
			if sch.Kind != openapi.SchemeAPIKey {
				continue
			}
			switch sch.In {
			case "query":
				query = append(query, sch.Param)
			case "header":
				header = append(header, http.CanonicalHeaderKey(sch.Param))
			}
		}
	}
	return query, header
}

// headers returns h's headers sorted by name, at most maxEntryHeaders, with
// credentials masked, and the number left out.
func headers(h http.Header, secret []string) (map[string]string, int) {
	if len(h) == 0 {
		return nil, 0
	}
	names := sortedKeys(h)
	omitted := max(0, len(names)-maxEntryHeaders)
	names = names[:len(names)-omitted]
	out := make(map[string]string, len(names))
	for _, name := range names {
		out[truncate(name, maxHeaderValue)] = shownHeader(name, h[name], secret)
	}
	return out, omitted
}

// shownHeader returns the values of a header as the journal shows them:
// joined, credentials masked, cut.
func shownHeader(name string, vs []string, secret []string) string {
	var v string
	switch {
	case name == "Set-Cookie":
		masked := make([]string, len(vs))
		for i, c := range vs {
			masked[i] = maskSetCookie(c)
		}
		v = strings.Join(masked, ", ")
	case name == "Cookie":
		v = maskCookies(strings.Join(vs, ", "))
	case name == "Authorization", name == "Proxy-Authorization", secretName(name), slices.Contains(secret, name):
		v = maskCredential(strings.Join(vs, ", "))
	default:
		v = strings.Join(vs, ", ")
	}
	return truncate(v, maxHeaderValue)
}

// pairHeaders is headers(pairsHeader(pairs), secret), for the pairs an
// entry keeps (see rawRequest), without building the header: its map, a
// slice per name and a sort were most of what building an entry's headers
// cost. headerPairs writes each name's values together, so a run of pairs
// is a header; pairs that are not so, or hold more headers than an entry
// keeps (which takes the sort), go the plain way
// (TestPairHeadersAsHeaders).
func pairHeaders(pairs []string, secret []string) (map[string]string, int) {
	if len(pairs) == 0 {
		return nil, 0
	}
	// starts[k] is where the k-th run begins, in pairs.
	var room [maxEntryHeaders + 1]int
	starts := room[:0]
	for i := 0; i+1 < len(pairs); i += 2 {
		if i > 0 && pairs[i] == pairs[i-2] {
			continue
		}
		for _, j := range starts {
			if pairs[j] == pairs[i] {
				return headers(pairsHeader(pairs), secret) // a name in two runs
			}
		}
		if len(starts) == maxEntryHeaders {
			return headers(pairsHeader(pairs), secret)
		}
		starts = append(starts, i)
	}
	out := make(map[string]string, len(starts))
	for k, i := range starts {
		end := len(pairs) &^ 1
		if k+1 < len(starts) {
			end = starts[k+1]
		}
		var vs []string
		if end-i == 2 {
			vs = pairs[i+1 : i+2] // one value: no copy
		} else {
			for j := i + 1; j < end; j += 2 {
				vs = append(vs, pairs[j])
			}
		}
		out[truncate(pairs[i], maxHeaderValue)] = shownHeader(pairs[i], vs, secret)
	}
	return out, 0
}

// pairValue returns the first value of the header name in pairs, as
// http.Header.Get does of the header they hold ("" for none).
func pairValue(pairs []string, name string) string {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i] == name {
			return pairs[i+1]
		}
	}
	return ""
}

// foldName writes name into buf in lower case, without the separators
// - _ and ., as names are compared with secret words, and returns it;
// whole is false when it did not fit and was cut.
func foldName[T string | []byte](name T, buf *[64]byte) (folded []byte, whole bool) {
	n := buf[:0]
	for i := 0; i < len(name); i++ {
		if len(n) == len(buf) {
			return n, false
		}
		switch c := name[i]; {
		case c == '-' || c == '_' || c == '.':
		case c >= 'A' && c <= 'Z':
			n = append(n, c+'a'-'A')
		default:
			n = append(n, c)
		}
	}
	return n, true
}

// secretWords are the parts of names that carry credentials.
var secretWords = []string{"apikey", "token", "secret", "password", "passwd", "auth", "session", "signature", "credential", "accesskey", "privatekey"}

// secretName reports whether a header or query parameter name looks like it
// carries a credential (X-API-Key, X-Auth-Token, access_token…).
func secretName(name string) bool {
	var b [64]byte
	n, _ := foldName(name, &b) // a long name is judged by its start
	norm := string(n)
	if norm == "key" || norm == "sig" {
		return true
	}
	for _, w := range secretWords {
		if strings.Contains(norm, w) {
			return true
		}
	}
	return false
}

// maskCredential keeps an Authorization-style value's scheme word and the
// first characters of its credential: "Bearer sk_test_123" → "Bearer sk_t…".
func maskCredential(v string) string {
	v = strings.TrimSpace(v)
	if word, cred, ok := strings.Cut(v, " "); ok && isToken(word) {
		return word + " " + maskSecret(strings.TrimSpace(cred))
	}
	return maskSecret(v)
}

// maskKeep is how many characters of a secret the journal shows.
const maskKeep = 4

// maskSecret keeps the first four characters of a secret longer than eight
// (shorter ones would be mostly shown), and marks the cut with "…".
func maskSecret(v string) string {
	if utf8.RuneCountInString(v) <= 2*maskKeep {
		return "…"
	}
	i, n := 0, 0
	for i = range v {
		if n == maskKeep {
			break
		}
		n++
	}
	return v[:i] + "…"
}

// maskCookies masks the value of every cookie in a Cookie header.
func maskCookies(v string) string {
	parts := strings.Split(v, ";")
	for i, p := range parts {
		name, val, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok {
			parts[i] = name + "=" + maskSecret(val)
		} else {
			parts[i] = maskSecret(strings.TrimSpace(p))
		}
	}
	return strings.Join(parts, "; ")
}

// maskSetCookie masks the value of a Set-Cookie header's cookie and keeps
// its attributes (Path, Max-Age…).
func maskSetCookie(v string) string {
	pair, attrs, _ := strings.Cut(v, ";")
	name, val, ok := strings.Cut(strings.TrimSpace(pair), "=")
	if !ok {
		return maskSecret(strings.TrimSpace(pair))
	}
	out := name + "=" + maskSecret(val)
	if attrs != "" {
		out += ";" + attrs
	}
	return out
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", c)) {
			return false
		}
	}
	return true
}

// maskQuery masks the values of the query parameters that carry
// credentials: those named by the operation's apiKey schemes, and those
// whose names look like secrets. The order and encoding of the others are
// kept as sent.
func maskQuery(raw string, secret []string) string {
	if raw == "" {
		return ""
	}
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		k, v, ok := strings.Cut(p, "=")
		if !ok || v == "" {
			continue
		}
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		if slices.ContainsFunc(secret, func(s string) bool { return strings.EqualFold(s, name) }) || secretName(name) {
			val, err := url.QueryUnescape(v)
			if err != nil {
				val = v
			}
			parts[i] = k + "=" + url.QueryEscape(maskSecret(val))
		}
	}
	return strings.Join(parts, "&")
}

// truncate cuts s to at most n bytes on a character boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
