package mockserver

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/decoy-mock/decoy/fixtures"
	"github.com/decoy-mock/decoy/openapi"
)

// cannotGenerate answers a request whose response body Decoy cannot
// generate (issue 15 item 8: a schema no value satisfies, or one larger
// than Decoy builds for one answer). The contract still holds: the
// media type's example if it has one, else another documented response
// that can be produced (the lowest documented 5xx, 5XX, default, another
// 2xx, then a 4xx), else Decoy's problem document, under a documented 5xx
// or default status when the operation has one. The schema is recorded
// once as a runtime finding, and every such answer is logged.
func (s *Server) cannotGenerate(w http.ResponseWriter, r *http.Request, ex *exchange, op *openapi.Operation,
	status int, resp *openapi.Response, media *openapi.Media, genErr error) error {
	de := problemOf("cannot-generate", fmt.Sprintf("cannot generate the %d %s response of %s: %v", status, media.Type, op.ID, genErr))
	if r.Context().Err() != nil {
		return de // the client left; nobody reads the answer
	}
	s.noteCannotGenerate(op, resp, media, genErr)
	ex.honoured = false
	if len(media.Examples) > 0 {
		// Asked for dynamic data, which cannot be built: the example.
		s.fillHeaders(w.Header(), op, resp, s.seed(r, ex, status))
		ex.source = sourceExample
		s.write(w, r, ex, status, contentType(media), media.Examples[0].Body)
		s.logFallback(r, op, status, status, genErr)
		return nil
	}
	for _, alt := range fallbackResponses(op, resp) {
		code := alt.Status
		if code == 0 {
			code = http.StatusInternalServerError // default documents every other status
		}
		body, ctype, ok := s.fallbackBody(r, ex, op, alt, code, de)
		if !ok {
			continue
		}
		s.fillHeaders(w.Header(), op, alt, s.seed(r, ex, code))
		s.write(w, r, ex, code, ctype, body)
		s.logFallback(r, op, status, code, genErr)
		return nil
	}
	for _, alt := range op.Responses {
		if alt.Status >= 500 || alt.Status == 0 {
			de.status = max(alt.Status, http.StatusInternalServerError)
			break
		}
	}
	return de
}

// fallbackResponses lists the documented responses to try when resp
// cannot be produced: 5xx (exact, then ranges), default, the other 2xx,
// and last the 4xx (which blame a client whose request was valid, so
// only when the spec documents nothing better; many AWS descriptions
// document their service errors as 4xx only).
func fallbackResponses(op *openapi.Operation, resp *openapi.Response) []*openapi.Response {
	var errs, def, ok, client []*openapi.Response
	for _, alt := range op.Responses {
		switch {
		case alt == resp:
		case alt.Status >= 500 && alt.Status < 600:
			errs = append(errs, alt)
		case alt.Status == 0 && alt.Code == "default":
			def = append(def, alt)
		case alt.Status >= 200 && alt.Status < 300:
			ok = append(ok, alt)
		case alt.Status >= 400 && alt.Status < 500:
			client = append(client, alt)
		}
	}
	return slices.Concat(errs, def, ok, client)
}

// fallbackBody produces the body of the documented response alt: none when
// it documents no content, its example, else generated data (with Decoy's
// message written into an error body where the schema allows). It reports
// false when alt cannot be produced either.
func (s *Server) fallbackBody(r *http.Request, ex *exchange, op *openapi.Operation, alt *openapi.Response, code int, de *decoyError) ([]byte, string, bool) {
	if len(alt.Content) == 0 {
		ex.source = sourceExample
		return nil, "", true
	}
	media := negotiate(firstHeader(r.Header, "Accept"), alt.Content)
	if media == nil {
		return nil, "", false
	}
	if len(media.Examples) > 0 {
		ex.source = sourceExample
		return media.Examples[0].Body, contentType(media), true
	}
	v, err := s.generate(r.Context(), op, media.Schema, s.seed(r, ex, code), false)
	if err != nil {
		return nil, "", false
	}
	if code >= 400 && media.Schema != nil && media.Schema.Value != nil {
		if filled := fillError(v, de.detail, nil, false); responseValid(op, media.Schema.Value, filled) {
			v = filled
		}
	}
	body, err := encode(media, v)
	if err != nil {
		return nil, "", false
	}
	ex.source = sourceGenerated
	return body, contentType(media), true
}

// noteCannotGenerate records the schema as a runtime finding of op, once.
func (s *Server) noteCannotGenerate(op *openapi.Operation, resp *openapi.Response, media *openapi.Media, err error) {
	esc := strings.NewReplacer("~", "~0", "/", "~1")
	ptr := "/paths/" + esc.Replace(op.Path) + "/" + strings.ToLower(op.Method) + "/responses/" + esc.Replace(resp.Code) +
		"/content/" + esc.Replace(media.Type) + "/schema"
	msg := fmt.Sprintf("no value can be generated for this schema (%v); Decoy answers with an example or another documented response", err)
	if errors.Is(err, fixtures.ErrTooLarge) {
		msg = fmt.Sprintf("the smallest value of this schema is larger than Decoy generates for one answer (%v); Decoy answers with an example or another documented response", err)
	}
	op.NoteFinding(openapi.Finding{Pointer: ptr, Class: openapi.ClassCannotGenerate, Message: msg})
}

func (s *Server) logFallback(r *http.Request, op *openapi.Operation, want, got int, err error) {
	s.log.LogAttrs(r.Context(), slog.LevelWarn, "cannot generate a response; answered a documented one instead",
		slog.String("operation", op.ID), slog.Int("wanted", want), slog.Int("status", got), slog.String("reason", err.Error()))
}
