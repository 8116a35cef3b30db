package mockserver

import "net/http"

// firstHeader is h.Get for a key already in canonical form (a constant
// such as "Content-Type"): the first value, without canonicalizing the key
// again on every request. Servers canonicalize the keys they parse.
func firstHeader(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}
