package mockserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/decoy-mock/decoy/openapi"
)

// maxJSONDepth bounds how deeply a request body's arrays and objects may
// nest. Real payloads stay far below it; a hostile one ("[[[[…") is refused
// before any decoder or validator recurses into it.
const maxJSONDepth = 128

// jsonDepth returns the deepest nesting of arrays and objects in body,
// stopping as soon as it exceeds limit. It does not validate the JSON.
func jsonDepth(body []byte, limit int) int {
	depth, deepest := 0, 0
	inString, escaped := false, false
	for _, c := range body {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			if depth > deepest {
				deepest = depth
				if deepest > limit {
					return deepest
				}
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return deepest
}

// checkJSON looks at a JSON request body before any decoder does and
// returns what a lenient decoder would let pass or choke on: nesting deeper
// than maxJSONDepth, invalid UTF-8, a syntax error, data after the value,
// a duplicated object key (a last-wins parse would hide it), and a number
// outside float64's range. nil means none of those. The body, when clean,
// comes back decoded as the library's JSON decoder decodes it (json.Number
// for numbers), for validation and the fixtures; nil means they decode it.
func checkJSON(r *http.Request, body []byte) ([]openapi.Violation, any) {
	if len(body) == 0 || !openapi.IsJSON(firstHeader(r.Header, "Content-Type")) {
		return nil, nil
	}
	bad := func(code, msg string) []openapi.Violation {
		return []openapi.Violation{{Location: "body", Code: code, Message: "request body: " + msg}}
	}
	if v, ok := decodeClean(body); ok {
		return nil, v // the common case, decoded once for everyone
	}
	if len(body) > maxJSONDepth && jsonDepth(body, maxJSONDepth) > maxJSONDepth {
		return bad("too-deep", fmt.Sprintf("JSON nested deeper than %d levels", maxJSONDepth)), nil
	}
	if !utf8.Valid(body) {
		return bad("parse", "not valid UTF-8"), nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if msg := scanValue(dec, ""); msg != "" {
		return bad("parse", msg), nil
	}
	if _, err := dec.Token(); err != io.EOF {
		return bad("parse", fmt.Sprintf("unexpected data after the JSON value at byte %d", dec.InputOffset())), nil
	}
	return nil, nil
}

// decodeClean decodes b as json.Decoder with UseNumber does (the library's
// JSON body decoder) when b is certainly clean: valid UTF-8 and JSON, one
// value nested at most maxJSONDepth deep, no duplicated object key, no
// number outside float64's range. ok false means "look closer" (checkJSON
// does, and words the problem). It is one pass where checking, validating
// and answering a body took five.
func decodeClean(b []byte) (v any, ok bool) {
	d := jsonDecoder{b: b}
	if len(b) <= 64<<10 {
		// Strings and numbers are cut from one copy of the body, one
		// allocation instead of one each. Past 64 KiB a small value kept
		// would pin the whole copy, so each gets its own.
		d.s = string(b)
	}
	v, ok = d.value()
	if !ok {
		return nil, false
	}
	d.space()
	return v, d.i == len(b)
}

// jsonDecoder decodes JSON, refusing anything that is not clean.
type jsonDecoder struct {
	b     []byte
	s     string // b as a string, or ""
	i     int
	depth int
}

// text returns b[i:j] as a string.
func (d *jsonDecoder) text(i, j int) string {
	if d.s != "" {
		return d.s[i:j]
	}
	return string(d.b[i:j])
}

func (d *jsonDecoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// next skips space and reports whether the next byte is c, consuming it.
func (d *jsonDecoder) next(c byte) bool {
	d.space()
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

// literal consumes word when b continues with it.
func (d *jsonDecoder) literal(word string) bool {
	if len(d.b)-d.i >= len(word) && string(d.b[d.i:d.i+len(word)]) == word {
		d.i += len(word)
		return true
	}
	return false
}

func (d *jsonDecoder) value() (any, bool) {
	d.space()
	if d.i >= len(d.b) {
		return nil, false
	}
	switch d.b[d.i] {
	case '{':
		return d.object()
	case '[':
		return d.array()
	case '"':
		if s, ok := d.str(); ok {
			return s, true
		}
		return nil, false
	case 't':
		return true, d.literal("true")
	case 'f':
		return false, d.literal("false")
	case 'n':
		return nil, d.literal("null")
	}
	return d.number()
}

func (d *jsonDecoder) object() (any, bool) {
	if d.depth++; d.depth > maxJSONDepth {
		return nil, false
	}
	defer func() { d.depth-- }()
	d.i++
	m := map[string]any{}
	if d.next('}') {
		return m, true
	}
	for {
		d.space()
		k, ok := d.str()
		if !ok || !d.next(':') {
			return nil, false
		}
		if _, dup := m[k]; dup {
			return nil, false
		}
		v, ok := d.value()
		if !ok {
			return nil, false
		}
		m[k] = v
		if d.next('}') {
			return m, true
		}
		if !d.next(',') {
			return nil, false
		}
	}
}

func (d *jsonDecoder) array() (any, bool) {
	if d.depth++; d.depth > maxJSONDepth {
		return nil, false
	}
	defer func() { d.depth-- }()
	d.i++
	out := []any{}
	if d.next(']') {
		return out, true
	}
	for {
		v, ok := d.value()
		if !ok {
			return nil, false
		}
		out = append(out, v)
		if d.next(']') {
			return out, true
		}
		if !d.next(',') {
			return nil, false
		}
	}
}

// str decodes a string; one with escapes or invalid UTF-8 goes through
// encoding/json, so that odd escapes (lone surrogates) and bytes decode
// exactly as it decodes them, and bad ones are refused as it refuses them.
func (d *jsonDecoder) str() (string, bool) {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return "", false
	}
	start, escaped, high := d.i, false, false
	for j := start + 1; j < len(d.b); j++ {
		switch c := d.b[j]; {
		case c < 0x20:
			return "", false // a control character must be escaped
		case c >= utf8.RuneSelf:
			high = true
		case c == '\\':
			escaped = true
			j++
		case c == '"':
			d.i = j + 1
			if high && !utf8.Valid(d.b[start+1:j]) {
				return "", false // checkJSON refuses invalid UTF-8
			}
			if !escaped {
				return d.text(start+1, j), true
			}
			var s string
			if json.Unmarshal(d.b[start:d.i], &s) != nil {
				return "", false
			}
			return s, true
		}
	}
	return "", false
}

// number decodes a number as a json.Number, by JSON's grammar; false when
// it is not one, or might not fit a float64 (an exponent, or 300 digits and
// more), which scanValue judges.
func (d *jsonDecoder) number() (any, bool) {
	start := d.i
	if d.i < len(d.b) && d.b[d.i] == '-' {
		d.i++
	}
	switch {
	case d.i < len(d.b) && d.b[d.i] == '0':
		d.i++
	case d.digits() == 0:
		return nil, false
	}
	if d.i < len(d.b) && d.b[d.i] == '.' {
		d.i++
		if d.digits() == 0 {
			return nil, false
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		return nil, false
	}
	if d.i-start >= 300 {
		return nil, false
	}
	return json.Number(d.text(start, d.i)), true
}

// digits consumes a run of decimal digits and returns its length.
func (d *jsonDecoder) digits() int {
	start := d.i
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		d.i++
	}
	return d.i - start
}

// scanValue reads one JSON value from dec and returns "" or what is wrong
// with it; ptr is its JSON pointer.
func scanValue(dec *json.Decoder, ptr string) string {
	tok, err := dec.Token()
	if err != nil {
		return syntaxMessage(dec, err)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			seen := map[string]bool{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return syntaxMessage(dec, err)
				}
				key, _ := k.(string)
				if seen[key] {
					return fmt.Sprintf("%s/%s: the key %q is given twice", ptr, escapeToken(key), key)
				}
				seen[key] = true
				if msg := scanValue(dec, ptr+"/"+escapeToken(key)); msg != "" {
					return msg
				}
			}
		case '[':
			for i := 0; dec.More(); i++ {
				if msg := scanValue(dec, fmt.Sprintf("%s/%d", ptr, i)); msg != "" {
					return msg
				}
			}
		}
		if _, err := dec.Token(); err != nil {
			return syntaxMessage(dec, err)
		}
	case json.Number:
		if _, err := strconv.ParseFloat(string(t), 64); err != nil {
			where := ptr
			if where == "" {
				where = "the body"
			}
			return fmt.Sprintf("%s: the number %s is out of range", where, t)
		}
	}
	return ""
}

func syntaxMessage(dec *json.Decoder, err error) string {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return "the JSON ends too early"
	}
	return fmt.Sprintf("not valid JSON at byte %d: %v", dec.InputOffset(), err)
}

func escapeToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
