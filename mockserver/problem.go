package mockserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/decoy-mock/decoy/openapi"
)

// decoyError is an answer Decoy gives instead of the normal one: a routing,
// security or validation failure, or a preference it cannot honour. It is
// rendered in one place, renderError.
type decoyError struct {
	status int
	// kind is the problem type's last word, e.g. "validation-failed".
	kind  string
	title string
	// detail is the sentence a client reads; it goes into the spec's own
	// message field when the spec documents the status.
	detail     string
	violations []openapi.Violation
	header     http.Header
	// extra fields for the problem document, e.g. "allowed".
	extra map[string]any
	// contract says the status is one the API itself would answer (401, 400,
	// 415…): the spec's documented body for it is used when there is one,
	// and its absence is recorded as a gap in the spec. Errors about Decoy's
	// own controls (a bad Prefer) are always problem documents.
	contract bool
}

func (e *decoyError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.kind, e.detail) }

// problem is an RFC 7807 problem document.
type problem struct {
	Type       string              `json:"type"`
	Title      string              `json:"title"`
	Status     int                 `json:"status"`
	Detail     string              `json:"detail"`
	Operation  string              `json:"operation,omitempty"`
	Validation []openapi.Violation `json:"validation,omitempty"`
}

const problemType = "urn:decoy:problem:"

func (e *decoyError) problemBody(op *openapi.Operation) []byte {
	p := problem{Type: problemType + e.kind, Title: e.title, Status: e.status, Detail: e.detail, Validation: e.violations}
	if op != nil {
		p.Operation = op.ID
	}
	if len(e.extra) == 0 {
		return marshal(p)
	}
	m := map[string]any{}
	raw, _ := json.Marshal(p)
	_ = json.Unmarshal(raw, &m)
	for k, v := range e.extra {
		m[k] = v
	}
	return marshal(m)
}

// messageKeys are the names APIs give the human-readable field of an error
// body, most common first.
var messageKeys = []string{"message", "msg", "detail", "error_description", "error_message", "errorMessage", "description", "reason", "title"}

// locationKeys name where a violation is, in list-shaped error bodies.
var locationKeys = []string{"loc", "location", "field", "path", "pointer", "param", "parameter", "source"}

// codeKeys name the kind of a violation, in list-shaped error bodies.
var codeKeys = []string{"type", "code", "kind", "rule"}

// fillError writes detail (and, where the body has a list of errors, one
// entry per violation) into a copy of an error body taken from the spec;
// body itself is never modified. List entries keep the template's other
// fields only with keepExtra (they describe the example's error, not this
// one). It returns the body unchanged when it has no place for them.
func fillError(body any, detail string, vs []openapi.Violation, keepExtra bool) any {
	return shapeOf(body).fill(detail, vs, keepExtra)
}

// errorShape is where an error body has room for Decoy's message: found
// once per template (shapeOf), filled on every error (fill) by copying only
// the maps on the way to what changes; the template is shared, never
// modified.
type errorShape struct {
	template any
	obj      map[string]any // template as an object; nil when it is not one
	// listKey names the first list (in key order) whose first entry has a
	// message field, and listEntry is that entry's shape: with violations, the list
	// gets one entry per violation. listMsgKey is the object's own message
	// field, a string, set beside the list ("" when there is none).
	listKey    string
	listEntry  *entryShape
	listMsgKey string
	// msgPath leads to the first message-like string field, looking into
	// nested objects up to three levels (e.g. {"error": {"message": …}});
	// nil when there is none.
	msgPath []string
}

// shapeOf finds where template, a decoded JSON value, takes a message.
func shapeOf(template any) *errorShape {
	sh := &errorShape{template: template}
	obj, ok := template.(map[string]any)
	if !ok {
		return sh
	}
	sh.obj = obj
	for _, k := range sortedKeys(obj) {
		if list, ok := obj[k].([]any); ok && len(list) > 0 {
			if tmpl, ok := list[0].(map[string]any); ok && findKey(tmpl, messageKeys) != "" {
				sh.listKey, sh.listEntry = k, entryShapeOf(tmpl)
				if mk := findKey(obj, messageKeys); mk != "" {
					if _, isString := obj[mk].(string); isString {
						sh.listMsgKey = mk
					}
				}
				break
			}
		}
	}
	sh.msgPath = messagePath(obj, 3)
	return sh
}

// messagePath is the path of keys to the first message-like string field
// of obj, looking into nested objects up to depth levels; nil when there is
// none.
func messagePath(obj map[string]any, depth int) []string {
	if k := findKey(obj, messageKeys); k != "" {
		if _, isString := obj[k].(string); isString {
			return []string{k}
		}
	}
	if depth == 0 {
		return nil
	}
	for _, k := range sortedKeys(obj) {
		if inner, ok := obj[k].(map[string]any); ok {
			if p := messagePath(inner, depth-1); p != nil {
				return append([]string{k}, p...)
			}
		}
	}
	return nil
}

// fill returns the template with detail written into its message field
// and, when vs is not empty and the template has a list of errors, one
// entry per violation in that list.
func (sh *errorShape) fill(detail string, vs []openapi.Violation, keepExtra bool) any {
	if sh.obj == nil {
		if _, isString := sh.template.(string); isString {
			return detail
		}
		return sh.template
	}
	if len(vs) > 0 && sh.listKey != "" {
		obj := maps.Clone(sh.obj)
		items := make([]any, len(vs))
		for i, v := range vs {
			items[i] = sh.listEntry.item(v, keepExtra)
		}
		obj[sh.listKey] = items
		if sh.listMsgKey != "" {
			obj[sh.listMsgKey] = detail
		}
		return obj
	}
	if sh.msgPath == nil {
		return sh.obj
	}
	obj := maps.Clone(sh.obj)
	cur := obj
	for _, k := range sh.msgPath[:len(sh.msgPath)-1] {
		inner := maps.Clone(cur[k].(map[string]any))
		cur[k] = inner
		cur = inner
	}
	cur[sh.msgPath[len(sh.msgPath)-1]] = detail
	return obj
}

// entryShape is where a list entry of an error body takes a violation:
// its message, location and code fields, found once per template.
type entryShape struct {
	tmpl map[string]any
	// known are the template's message, location and code fields: all an
	// entry keeps without keepExtra.
	known []string
	// msgKey is the message field; locKey the location field when it is
	// a list (locList) or a dotted string; codeKey the code field when it
	// is a string. "" when there is none.
	msgKey, locKey, codeKey string
	locList                 bool
}

func entryShapeOf(tmpl map[string]any) *entryShape {
	es := &entryShape{tmpl: tmpl, msgKey: findKey(tmpl, messageKeys)}
	for k := range tmpl {
		if slices.Contains(messageKeys, k) || slices.Contains(locationKeys, k) || slices.Contains(codeKeys, k) {
			es.known = append(es.known, k)
		}
	}
	if k := findKey(tmpl, locationKeys); k != "" {
		switch tmpl[k].(type) {
		case []any:
			es.locKey, es.locList = k, true
		case string:
			es.locKey = k
		}
	}
	if k := findKey(tmpl, codeKeys); k != "" {
		if _, isString := tmpl[k].(string); isString {
			es.codeKey = k
		}
	}
	return es
}

// item is the template's entry for v: its message, its location (as a
// list, e.g. ["query", "limit"], or dotted, "body.items.0"), its code.
func (es *entryShape) item(v openapi.Violation, keepExtra bool) map[string]any {
	var item map[string]any
	if keepExtra {
		item = maps.Clone(es.tmpl)
	} else {
		item = make(map[string]any, len(es.known))
		for _, k := range es.known {
			item[k] = es.tmpl[k]
		}
	}
	if es.msgKey != "" {
		item[es.msgKey] = v.Message
	}
	if es.locKey != "" {
		var segs []string
		if v.Pointer != "" {
			segs = strings.Split(strings.TrimPrefix(v.Pointer, "/"), "/")
		}
		if es.locList {
			where := make([]any, 0, 2+len(segs))
			where = append(where, v.Location)
			if v.Parameter != "" {
				where = append(where, v.Parameter)
			}
			for _, p := range segs {
				where = append(where, p)
			}
			item[es.locKey] = where
		} else {
			where := make([]string, 0, 2+len(segs))
			where = append(where, v.Location)
			if v.Parameter != "" {
				where = append(where, v.Parameter)
			}
			item[es.locKey] = strings.Join(append(where, segs...), ".")
		}
	}
	if es.codeKey != "" {
		item[es.codeKey] = v.Code
	}
	return item
}

func findKey(obj map[string]any, keys []string) string {
	for _, k := range keys {
		if _, ok := obj[k]; ok {
			return k
		}
	}
	return ""
}

// marshal encodes v as JSON without escaping <, > and & (messages quote
// things like "Bearer <token>"), and without the trailing newline.
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return []byte(`{"title":"encoding failed"}`)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// asDecoyError returns err as a *decoyError, wrapping any other error as a
// 500.
func asDecoyError(err error) *decoyError {
	var de *decoyError
	if !errors.As(err, &de) {
		de = problemOf("internal", err.Error())
	}
	return de
}

// validationError picks the status the spec documents for an invalid request:
// 415 for a body of the wrong type, else the first of 422, 400 and default.
func validationError(op *openapi.Operation, vs []openapi.Violation) *decoyError {
	msgs := make([]string, len(vs))
	for i, v := range vs {
		msgs[i] = v.Message
	}
	detail := strings.Join(msgs, "; ")
	var de *decoyError
	switch {
	case openapi.UnsupportedMediaType(vs):
		de = problemOf("unsupported-media-type", detail)
	case op.Lookup(http.StatusUnprocessableEntity) == nil && op.Lookup(http.StatusBadRequest) != nil:
		de = problemOf("validation-failed", detail)
		de.status = http.StatusBadRequest
	default:
		de = problemOf("validation-failed", detail)
		de.status = http.StatusUnprocessableEntity
	}
	de.violations = vs
	return de
}

// renderError writes de: in the shape the spec documents for its status when
// it is a contract status the spec documents, else as problem+json.
func (s *Server) renderError(st *state, w http.ResponseWriter, r *http.Request, ex *exchange, de *decoyError) {
	for k, v := range de.header {
		w.Header()[k] = v
	}
	ex.status, ex.source, ex.kind, ex.detail = de.status, sourceDecoy, de.kind, de.detail
	ex.honoured = false // an error is not what any preference asked for
	if de.contract && ex.op != nil {
		resp := ex.op.LookupOrDefault(de.status)
		if resp != nil {
			s.fillHeaders(w.Header(), ex.op, resp, s.seed(r, ex, de.status))
			body, media := s.errorBody(st, ex, resp, de)
			s.write(w, r, ex, de.status, media, body)
			return
		}
		ex.gap = true
	}
	s.write(w, r, ex, de.status, "application/problem+json", de.problemBody(ex.op))
}
