package mockserver

import (
	"encoding/json"
	"net/http"

	"github.com/decoy-mock/decoy/openapi"
)

// withDefaults fills the request body schema's defaults into decoded (the
// JSON body, in place: the fixtures then store them) and returns the body
// to validate: body itself when no default was missing. A property the
// client leaves out that has a default is not missing, so `required` with a
// `default` accepts a body without it, as the README promises.
func withDefaults(op *openapi.Operation, r *http.Request, body []byte, decoded any) []byte {
	if decoded == nil || !op.ApplyRequestDefaults(firstHeader(r.Header, "Content-Type"), decoded) {
		return body
	}
	b, err := json.Marshal(decoded)
	if err != nil {
		return body
	}
	return b
}
