package mockserver

import (
	"net/http"
	"strings"

	"github.com/decoy-mock/decoy/internal/bodytemplate"
	"github.com/decoy-mock/decoy/openapi"
)

// rendered fills the request's values into tpl, a JSON body a stub or a
// scenario rule gives for op's status in media, and encodes it. The body
// as written matched the schema at load; a filled-in value may not (a
// header longer than a maxLength, say): then it returns fallback, an
// answer checked at load, and logs why, so the client never gets a body
// the contract forbids and the workaround is not silent.
func (s *Server) rendered(r *http.Request, ex *exchange, op *openapi.Operation, status int, media *openapi.Media, tpl *bodytemplate.Template, fallback []byte) []byte {
	query := ex.queryValues()
	if query == nil {
		query = r.URL.Query()
	}
	v := tpl.Render(bodytemplate.Request{Header: r.Header, Path: ex.params, Query: query})
	if media != nil && media.Schema != nil && media.Schema.Value != nil && !responseValid(op, media.Schema.Value, v) {
		s.log.Warn("a filled-in body breaks the schema; answering the body as written",
			"operation", op.ID, "status", status, "err", openapi.SchemaErrorMessage(op.Validator(openapi.DirResponse).Validate(media.Schema.Value, v)))
		return fallback
	}
	return marshal(v)
}

// mediaOf returns the documented media type of resp called contentType,
// else the first JSON one; nil when resp documents none.
func mediaOf(resp *openapi.Response, contentType string) *openapi.Media {
	if resp == nil {
		return nil
	}
	var first *openapi.Media
	for _, m := range resp.Content {
		if strings.EqualFold(m.Type, contentType) {
			return m
		}
		if first == nil && m.JSON {
			first = m
		}
	}
	return first
}
