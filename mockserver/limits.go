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
	if len(body) == 0 || !openapi.IsJSON(r.Header.Get("Content-Type")) {
		return nil, nil
	}
	bad := func(code, msg string) []openapi.Violation {
		return []openapi.Violation{{Location: "body", Code: code, Message: "request body: " + msg}}
	}
	if len(body) > maxJSONDepth && jsonDepth(body, maxJSONDepth) > maxJSONDepth {
		return bad("too-deep", fmt.Sprintf("JSON nested deeper than %d levels", maxJSONDepth)), nil
	}
	if !utf8.Valid(body) {
		return bad("parse", "not valid UTF-8"), nil
	}
	if json.Valid(body) {
		if v, ok := decodeClean(body); ok {
			return nil, v // the common case, decoded once for everyone
		}
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

// decodeClean decodes b, valid JSON, as json.Decoder with UseNumber does
// (the library's JSON body decoder), when it certainly has no duplicated
// object key and no number outside float64's range; ok false means "look
// closer" (scanValue does, and words the problem). It is one pass where
// checking, validating and answering a body took three.
func decodeClean(b []byte) (v any, ok bool) {
	d := jsonDecoder{b: b}
	v, ok = d.value()
	return v, ok
}

// jsonDecoder decodes valid JSON.
type jsonDecoder struct {
	b []byte
	i int
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
		return d.str()
	case 't':
		d.i += 4
		return true, true
	case 'f':
		d.i += 5
		return false, true
	case 'n':
		d.i += 4
		return nil, true
	}
	return d.number()
}

func (d *jsonDecoder) object() (any, bool) {
	d.i++
	m := map[string]any{}
	for {
		d.space()
		if d.i >= len(d.b) {
			return nil, false
		}
		switch d.b[d.i] {
		case '}':
			d.i++
			return m, true
		case ',':
			d.i++
			d.space()
		}
		key, ok := d.str()
		if !ok {
			return nil, false
		}
		k := key.(string)
		if _, dup := m[k]; dup {
			return nil, false
		}
		d.space()
		d.i++ // ':'
		v, ok := d.value()
		if !ok {
			return nil, false
		}
		m[k] = v
	}
}

func (d *jsonDecoder) array() (any, bool) {
	d.i++
	out := []any{}
	for {
		d.space()
		if d.i >= len(d.b) {
			return nil, false
		}
		switch d.b[d.i] {
		case ']':
			d.i++
			return out, true
		case ',':
			d.i++
		}
		v, ok := d.value()
		if !ok {
			return nil, false
		}
		out = append(out, v)
	}
}

// str decodes a string; one with escapes or invalid UTF-8 goes through
// encoding/json, so that odd escapes (lone surrogates) and bytes decode
// exactly as it decodes them.
func (d *jsonDecoder) str() (any, bool) {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return nil, false
	}
	start, escaped := d.i, false
	for j := start + 1; j < len(d.b); j++ {
		switch d.b[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			d.i = j + 1
			if !escaped && utf8.Valid(d.b[start+1:j]) {
				return string(d.b[start+1 : j]), true
			}
			var s string
			if json.Unmarshal(d.b[start:d.i], &s) != nil {
				return nil, false
			}
			return s, true
		}
	}
	return nil, false
}

// number decodes a number as a json.Number; false when it might not fit
// a float64 (an exponent, or 300 digits and more), which scanValue judges.
func (d *jsonDecoder) number() (any, bool) {
	start := d.i
	for d.i < len(d.b) {
		c := d.b[d.i]
		if c == 'e' || c == 'E' {
			return nil, false
		}
		if (c < '0' || c > '9') && c != '-' && c != '+' && c != '.' {
			break
		}
		d.i++
	}
	if d.i == start || d.i-start >= 300 {
		return nil, false
	}
	return json.Number(d.b[start:d.i]), true
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
