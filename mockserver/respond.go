package mockserver

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/decoy-mock/decoy/fixtures"
	"github.com/decoy-mock/decoy/openapi"
)

// respond writes the documented response resp with the given status: the
// media type negotiated from Accept, a body from the spec's examples or
// generated from the schema, and the documented headers.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, ex *exchange, op *openapi.Operation, status int, resp *openapi.Response) error {
	seed := s.seed(r, ex, status)
	ex.honoured = true
	if len(resp.Content) == 0 {
		if ex.prefs.Example != "" {
			return unknownExample(op, resp, ex.prefs.Example)
		}
		s.fillHeaders(w.Header(), op, resp, seed)
		ex.source = sourceExample
		s.write(w, r, ex, status, "", nil)
		return nil
	}
	media := negotiate(firstHeader(r.Header, "Accept"), resp.Content)
	if media == nil {
		types := make([]string, len(resp.Content))
		for i, m := range resp.Content {
			types[i] = m.Type
		}
		return problemOf("not-acceptable", fmt.Sprintf("the response can be %s; none of them is acceptable to Accept: %q", strings.Join(types, ", "), r.Header.Get("Accept"))).withExtra(map[string]any{"available": types})
	}
	var body []byte
	switch {
	case ex.prefs.Example != "":
		e := findExample(media, ex.prefs.Example)
		if e == nil {
			return unknownExample(op, resp, ex.prefs.Example)
		}
		body, ex.source = e.Body, sourceExample
	case len(media.Examples) > 0 && !s.dynamic(ex):
		body, ex.source = media.Examples[0].Body, sourceExample
	default:
		v, err := s.generate(r.Context(), op, media.Schema, seed, s.dynamic(ex))
		if err != nil {
			return s.cannotGenerate(w, r, ex, op, status, resp, media, err)
		}
		if body, err = encode(media, v); err != nil {
			return err
		}
		ex.source = sourceGenerated
	}
	s.fillHeaders(w.Header(), op, resp, seed)
	s.write(w, r, ex, status, contentType(media), body)
	return nil
}

func unknownExample(op *openapi.Operation, resp *openapi.Response, name string) *decoyError {
	names := []string{}
	for _, m := range resp.Content {
		for _, e := range m.Examples {
			if e.Name != "" {
				names = append(names, e.Name)
			}
		}
	}
	known := "it has no named examples"
	if len(names) > 0 {
		known = "known: " + strings.Join(names, ", ")
	}
	return problemOf("unknown-example", fmt.Sprintf("%s's %s response has no example named %q; %s", op.ID, resp.Code, name, known)).withExtra(map[string]any{"known": names})
}

func findExample(m *openapi.Media, name string) *openapi.Example {
	for _, e := range m.Examples {
		if e.Name == name {
			return e
		}
	}
	return nil
}

// errorBody builds the spec's documented body for a contract error: the
// first example (or generated data) with Decoy's message written into its
// message field, kept only if it still matches the schema. The example's
// decoded form and where its message goes are found once per media type
// (errorTemplates), not on every error.
func (s *Server) errorBody(st *state, ex *exchange, resp *openapi.Response, de *decoyError) ([]byte, string) {
	if len(resp.Content) == 0 {
		return nil, ""
	}
	media := negotiate("", resp.Content)
	var shape *errorShape
	if len(media.Examples) > 0 {
		shape = s.errorTemplate(st.spec, media)
	} else {
		v, err := s.generate(context.Background(), ex.op, media.Schema, s.seed(nil, ex, de.status), false)
		if err != nil {
			return de.problemBody(ex.op), "application/problem+json"
		}
		shape = shapeOf(v)
	}
	// Try the message with the list entries trimmed to what Decoy fills,
	// then with the example's other fields kept, then the untouched example
	// (a message may not fit a maxLength or an enum): the answer always
	// matches the schema.
	filled := shape.template
	for _, keepExtra := range []bool{false, true} {
		candidate := shape.fill(de.detail, de.violations, keepExtra)
		if media.Schema == nil || media.Schema.Value == nil || responseValid(ex.op, media.Schema.Value, candidate) {
			filled = candidate
			break
		}
	}
	body, err := encode(media, filled)
	if err != nil {
		return de.problemBody(ex.op), "application/problem+json"
	}
	return body, contentType(media)
}

// errorTemplates are the error bodies of one spec's examples, decoded and
// shaped for fillError once each, on the first error that uses them (an
// invalid request costs little more than a valid one). A reload's new spec
// starts a new set, so the old spec's are let go.
type errorTemplates struct {
	spec   *openapi.Spec
	shapes sync.Map // *openapi.Media → *lazyShape
}

type lazyShape struct {
	once  sync.Once
	shape *errorShape
}

// errorTemplate returns the shape of media's first example, a media type of
// spec, decoding it the first time.
func (s *Server) errorTemplate(spec *openapi.Spec, media *openapi.Media) *errorShape {
	t := s.errorTemplates.Load()
	if t == nil || t.spec != spec {
		fresh := &errorTemplates{spec: spec}
		if s.errorTemplates.CompareAndSwap(t, fresh) {
			t = fresh
		} else if t = s.errorTemplates.Load(); t == nil {
			t = fresh // cannot happen: the pointer is never set back to nil
		}
	}
	v, ok := t.shapes.Load(media)
	if !ok {
		v, _ = t.shapes.LoadOrStore(media, &lazyShape{})
	}
	ls := v.(*lazyShape)
	ls.once.Do(func() {
		var template any
		if media.JSON {
			_ = json.Unmarshal(media.Examples[0].Body, &template)
		} else {
			template = media.Examples[0].Value
		}
		ls.shape = shapeOf(template)
	})
	return ls.shape
}

// responseValid reports whether v matches the response schema s, with the
// operation's precompiled validators (a 3.1 schema compiles once, not on
// every call).
func responseValid(op *openapi.Operation, s *openapi3.Schema, v any) bool {
	if op == nil {
		return s.VisitJSON(v, schemaOpts(op)...) == nil
	}
	return op.Validator(openapi.DirResponse).Valid(s, v)
}

func schemaOpts(op *openapi.Operation) []openapi3.SchemaValidationOption {
	if op != nil && op.OpenAPI31 {
		return []openapi3.SchemaValidationOption{openapi3.EnableJSONSchema2020(), openapi3.VisitAsResponse(), openapi.PatternOption()}
	}
	return []openapi3.SchemaValidationOption{openapi3.VisitAsResponse(), openapi.PatternOption()}
}

// dynamic reports whether ex is answered with generated data rather than
// examples and fixtures: the request's own Prefer: dynamic= when it sent
// one, else Config.Dynamic.
func (s *Server) dynamic(ex *exchange) bool {
	if ex.prefs.Dynamic != nil {
		return *ex.prefs.Dynamic
	}
	return s.cfg.Dynamic
}

// generate builds a value of schema, stopped when ctx ends: with dynamic,
// never from the schema's own examples and defaults.
func (s *Server) generate(ctx context.Context, op *openapi.Operation, schema *openapi3.SchemaRef, seed uint64, dynamic bool) (any, error) {
	if schema == nil {
		return map[string]any{}, nil
	}
	return fixtures.GenerateContext(ctx, schema, fixtures.GenerateOptions{
		Seed:        seed,
		UseExamples: !dynamic,
		Direction:   openapi.DirResponse,
		OpenAPI31:   op != nil && op.OpenAPI31,
		Spec:        op.Document(),
	})
}

// encode renders v in media's type: JSON for JSON types, a string as is for
// others.
func encode(media *openapi.Media, v any) ([]byte, error) {
	if str, ok := v.(string); ok && !media.JSON {
		return []byte(str), nil
	}
	if !media.JSON && !strings.HasPrefix(media.Type, "text/") {
		if x, ok := encodeXML(media, v); ok {
			return x, nil
		}
	}
	var schema *openapi3.Schema
	if media.Schema != nil {
		schema = media.Schema.Value
	}
	// Objects in the order their schema writes the properties, as people
	// read them (and as the spec's examples are written).
	body, err := openapi.MarshalOrdered(v, schema)
	if err != nil {
		return nil, fmt.Errorf("encoding a %s body: %w", media.Type, err)
	}
	if !media.JSON {
		// A structured value for a text type: JSON is the most readable
		// text rendering of it.
		return body, nil
	}
	return body, nil
}

// seed derives the generator's seed from the server's (or the request's
// Prefer seed), the operation, the status and the request itself, so the
// same request always gets the same body and different requests differ.
func (s *Server) seed(r *http.Request, ex *exchange, status int) uint64 {
	h := fnv.New64a()
	var buf [8]byte
	if ex.prefs.Seed != "" {
		h.Write([]byte(ex.prefs.Seed))
	} else {
		binary.LittleEndian.PutUint64(buf[:], s.cfg.Seed)
		h.Write(buf[:])
	}
	if ex.op != nil {
		h.Write([]byte(ex.op.ID))
	}
	binary.LittleEndian.PutUint64(buf[:], uint64(status))
	h.Write(buf[:])
	if r != nil {
		h.Write([]byte(r.Method))
		h.Write([]byte(r.URL.RequestURI()))
	}
	h.Write(ex.body)
	return h.Sum64()
}

// fillHeaders sets the documented response headers: the header's example, or
// a value generated from its schema.
func (s *Server) fillHeaders(h http.Header, op *openapi.Operation, resp *openapi.Response, seed uint64) {
	var set []string
	for i, hd := range resp.Headers {
		if h.Get(hd.Name) != "" {
			continue
		}
		v := hd.Example
		if v == nil {
			if hd.Schema == nil {
				continue
			}
			g, err := s.generate(context.Background(), op, hd.Schema, seed+uint64(i)+1, false)
			if err != nil {
				continue
			}
			v = g
		}
		h.Set(hd.Name, headerValue(v))
		set = append(set, hd.Name)
	}
	s.freshReset(h, set)
}

// freshReset moves a rate-limit reset time taken from the spec's example (a
// moment long past, in epoch seconds) to now plus Retry-After, so a client
// that waits until the reset does not compute a negative wait.
func (s *Server) freshReset(h http.Header, set []string) {
	for _, name := range set {
		lower := strings.ToLower(name)
		if !strings.Contains(lower, "ratelimit-reset") && !strings.Contains(lower, "rate-limit-reset") {
			continue
		}
		n, err := strconv.ParseInt(h.Get(name), 10, 64)
		if err != nil || n < 1_000_000_000 {
			continue // seconds from now, not an epoch: already relative
		}
		wait, err := strconv.ParseInt(h.Get("Retry-After"), 10, 64)
		if err != nil || wait < 0 {
			wait = 60
		}
		h.Set(name, strconv.FormatInt(s.now().Unix()+wait, 10))
	}
}

// headerValue serializes v in the simple style OpenAPI uses for headers.
func headerValue(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = headerValue(e)
		}
		return strings.Join(parts, ",")
	case map[string]any:
		var parts []string
		for _, k := range sortedKeys(t) {
			parts = append(parts, k, headerValue(t[k]))
		}
		return strings.Join(parts, ",")
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// negotiate picks the media type to answer with: the one Accept ranks
// highest, ties going to document order. No Accept means the first. It
// returns nil when Accept excludes every type.
func negotiate(accept string, content []*openapi.Media) *openapi.Media {
	if len(content) == 0 {
		return nil
	}
	if strings.TrimSpace(accept) == "" {
		return content[0]
	}
	ranges := parseAccept(accept)
	var best *openapi.Media
	bestQ := 0.0
	for _, m := range content {
		if q := quality(ranges, m.Type); q > bestQ {
			best, bestQ = m, q
		}
	}
	return best
}

type acceptRange struct {
	typ, sub string
	q        float64
}

func parseAccept(accept string) []acceptRange {
	var out []acceptRange
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if qs, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(qs, 64); err == nil && f >= 0 && f <= 1 {
				q = f
			}
		}
		typ, sub, _ := strings.Cut(mt, "/")
		out = append(out, acceptRange{typ, sub, q})
	}
	return out
}

// quality is the q Accept gives a media type, the most specific range
// winning; 0 means not acceptable.
func quality(ranges []acceptRange, mediaType string) float64 {
	mt, _, err := mime.ParseMediaType(mediaType)
	if err != nil {
		return 0
	}
	typ, sub, _ := strings.Cut(mt, "/")
	q, spec := 0.0, -1
	for _, r := range ranges {
		s := -1
		switch {
		case r.typ == typ && r.sub == sub:
			s = 2
		case r.typ == typ && r.sub == "*":
			s = 1
		case r.typ == "*" && r.sub == "*":
			s = 0
		case typ == "*" || sub == "*":
			// The spec documents a wildcard such as */*: any range fits.
			if typ == "*" || r.typ == typ {
				s = 0
			}
		}
		if s > spec {
			q, spec = r.q, s
		}
	}
	return q
}

// contentType is the Content-Type to send for media: wildcards in the spec
// become JSON, which is what Decoy writes for them.
func contentType(m *openapi.Media) string {
	if strings.Contains(m.Type, "*") {
		return "application/json"
	}
	return m.Type
}

// write sends the response with its length, and the Preference-Applied
// header when the client's preferences were taken.
func (s *Server) write(w http.ResponseWriter, r *http.Request, ex *exchange, status int, mediaType string, body []byte) {
	h := w.Header()
	if mediaType != "" {
		h.Set("Content-Type", mediaType)
	}
	if len(ex.prefs.Applied) > 0 && ex.honoured {
		h.Set("Preference-Applied", strings.Join(ex.prefs.Applied, ", "))
	}
	if status != http.StatusNoContent && status != http.StatusNotModified && status >= 200 {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	} else {
		body = nil
	}
	ex.status, ex.respHeader = status, h
	if r.Method != http.MethodHead && len(body) > 0 {
		ex.keepResponseBody(body, s.journal.bodyBytes)
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead && len(body) > 0 {
		_, _ = w.Write(body)
	}
}
