package verify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/decoy-mock/decoy/openapi"
	"github.com/getkin/kin-openapi/openapi3"
)

// check judges an answer against the operation's contract: the status is
// documented (and a documented 4xx for a negative case), the documented
// headers are present and valid, the content type is documented, and the
// body matches its schema. It returns every rule broken.
func (r *runner) check(c *kase, method string, resp *ResponseRecord, header http.Header, body []byte) []Failure {
	op := c.op
	doc := op.LookupOrDefault(resp.Status)
	if doc == nil {
		return []Failure{{Kind: "status", Rule: fmt.Sprintf("status %d not documented", resp.Status)}}
	}
	var out []Failure
	if c.negative && (resp.Status < 400 || resp.Status > 499) {
		out = append(out, Failure{Kind: "negative", Rule: fmt.Sprintf("%s answered %d: a documented 4xx was expected", c.why, resp.Status)})
	}
	for _, h := range doc.Headers {
		name := writtenName(op, doc, h.Name)
		if strings.EqualFold(h.Name, "Content-Type") {
			continue // OpenAPI: ignored when documented as a header
		}
		vs := header.Values(h.Name)
		if len(vs) == 0 {
			if h.Required {
				out = append(out, Failure{Kind: "header", Rule: fmt.Sprintf("response header %s: required", name)})
			}
			continue
		}
		if h.Schema != nil && h.Schema.Value != nil {
			v := headerValue(h.Schema.Value, strings.Join(vs, ","))
			if err := r.response.Validate(h.Schema.Value, v); err != nil {
				for _, reason := range reasons(err) {
					out = append(out, Failure{Kind: "header", Rule: fmt.Sprintf("response header %s: %s", name, strings.TrimPrefix(reason, ": "))})
				}
			}
		}
	}
	if len(doc.Content) == 0 || method == http.MethodHead || resp.Status == http.StatusNoContent || resp.Status == http.StatusNotModified {
		return out
	}
	ct := header.Get("Content-Type")
	if ct == "" && len(body) == 0 {
		return append(out, Failure{Kind: "body", Rule: fmt.Sprintf("response body: empty, but status %d documents %s", resp.Status, mediaList(doc))})
	}
	media := mediaFor(doc, ct)
	if media == nil {
		if ct == "" {
			return append(out, Failure{Kind: "content-type", Rule: fmt.Sprintf("response header Content-Type: missing (documented: %s)", mediaList(doc))})
		}
		return append(out, Failure{Kind: "content-type", Rule: fmt.Sprintf("content type %s not documented (documented: %s)", ct, mediaList(doc))})
	}
	if !media.JSON || media.Schema == nil || media.Schema.Value == nil {
		return out
	}
	if resp.Truncated {
		return out // the exchange notes that the body was not checked
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&v); err != nil {
		return append(out, Failure{Kind: "body", Rule: "response body: invalid JSON: " + err.Error()})
	}
	if dec.More() {
		return append(out, Failure{Kind: "body", Rule: "response body: invalid JSON: data after the value"})
	}
	if err := r.response.Validate(media.Schema.Value, v); err != nil {
		for _, reason := range collapseIndexes(reasons(err)) {
			if !strings.HasPrefix(reason, ":") {
				reason = " " + reason
			}
			out = append(out, Failure{Kind: "body", Rule: "response body" + reason})
		}
	}
	return out
}

var arrayIndex = regexp.MustCompile(`/[0-9]+(/|:)`)

// collapseIndexes keeps one of the reasons that differ only in array
// indexes (a field renamed in every item of a list), the first, saying
// how many others there were.
func collapseIndexes(reasons []string) []string {
	var out []string
	count := map[string]int{}
	first := map[string]int{}
	for _, r := range reasons {
		shape := arrayIndex.ReplaceAllString(r, "/*$1")
		if _, ok := first[shape]; !ok {
			first[shape] = len(out)
			out = append(out, r)
		}
		count[shape]++
	}
	for shape, n := range count {
		if n > 1 {
			out[first[shape]] += fmt.Sprintf(" (and at %d more array indexes)", n-1)
		}
	}
	return out
}

var missingProperty = regexp.MustCompile(`^property "(.*)" is missing$`)

// reasons words a schema error as one "POINTER: REASON" per leaf; a
// missing required property points at the property: "/a/b: required".
func reasons(err error) []string {
	leaves := openapi.SchemaErrors(err)
	if len(leaves) == 0 {
		var out []string
		for _, part := range strings.Split(err.Error(), "; ") {
			if !strings.HasPrefix(part, "/") && !strings.HasPrefix(part, ": ") {
				part = ": " + part
			}
			out = append(out, part)
		}
		return out
	}
	out := make([]string, 0, len(leaves))
	seen := map[string]bool{}
	for _, se := range leaves {
		ptr := ""
		for _, tok := range se.JSONPointer() {
			ptr += "/" + strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
		}
		reason := se.Reason
		if m := missingProperty.FindStringSubmatch(reason); m != nil {
			// The library points at the missing property itself in some
			// versions and at its object in others.
			if prop := "/" + strings.ReplaceAll(strings.ReplaceAll(m[1], "~", "~0"), "/", "~1"); !strings.HasSuffix(ptr, prop) {
				ptr += prop
			}
			reason = "required"
		}
		if reason == "" && se.Origin != nil {
			reason = se.Origin.Error()
		}
		s := ptr + ": " + reason
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// headerValue reads a header's text as its schema's type, so that
// "30" is checked as the integer 30.
func headerValue(s *openapi3.Schema, text string) any {
	if s.Type == nil {
		return text
	}
	switch {
	case s.Type.Includes("integer"), s.Type.Includes("number"):
		if f, err := strconv.ParseFloat(strings.TrimSpace(text), 64); err == nil {
			return f
		}
	case s.Type.Includes("boolean"):
		if b, err := strconv.ParseBool(strings.TrimSpace(text)); err == nil {
			return b
		}
	case s.Type.Includes("array"):
		var out []any
		for _, p := range strings.Split(text, ",") {
			out = append(out, strings.TrimSpace(p))
		}
		return out
	}
	return text
}

// mediaFor finds the documented media type a Content-Type value falls
// under: the exact type first, then a range (text/*, */*).
func mediaFor(doc *openapi.Response, ct string) *openapi.Media {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil
	}
	main, _, _ := strings.Cut(mt, "/")
	var byRange *openapi.Media
	for _, m := range doc.Content {
		dm, _, err := mime.ParseMediaType(m.Type)
		if err != nil {
			dm = strings.ToLower(m.Type)
		}
		switch {
		case dm == mt:
			return m
		case byRange == nil && (dm == "*/*" || dm == main+"/*"):
			byRange = m
		}
	}
	return byRange
}

func mediaList(doc *openapi.Response) string {
	names := make([]string, len(doc.Content))
	for i, m := range doc.Content {
		names[i] = m.Type
	}
	return strings.Join(names, ", ")
}

// writtenName is a documented header's name as the spec writes it
// (WWW-Authenticate, not the canonical Www-Authenticate).
func writtenName(op *openapi.Operation, doc *openapi.Response, name string) string {
	var ref *openapi3.ResponseRef
	if doc.Code == "default" {
		ref = op.Op.Responses.Default()
	} else {
		ref = op.Op.Responses.Value(doc.Code)
	}
	if ref == nil || ref.Value == nil {
		return name
	}
	for written := range ref.Value.Headers {
		if strings.EqualFold(written, name) {
			return written
		}
	}
	return name
}
