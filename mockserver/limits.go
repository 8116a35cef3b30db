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
// outside float64's range. nil means none of those.
func checkJSON(r *http.Request, body []byte) []openapi.Violation {
	if len(body) == 0 || !openapi.IsJSON(r.Header.Get("Content-Type")) {
		return nil
	}
	bad := func(code, msg string) []openapi.Violation {
		return []openapi.Violation{{Location: "body", Code: code, Message: "request body: " + msg}}
	}
	if len(body) > maxJSONDepth && jsonDepth(body, maxJSONDepth) > maxJSONDepth {
		return bad("too-deep", fmt.Sprintf("JSON nested deeper than %d levels", maxJSONDepth))
	}
	if !utf8.Valid(body) {
		return bad("parse", "not valid UTF-8")
	}
	if json.Valid(body) && cleanJSON(body) {
		return nil // the common case, without a decoder's allocations
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if msg := scanValue(dec, ""); msg != "" {
		return bad("parse", msg)
	}
	if _, err := dec.Token(); err != io.EOF {
		return bad("parse", fmt.Sprintf("unexpected data after the JSON value at byte %d", dec.InputOffset()))
	}
	return nil
}

// cleanJSON reports whether b, valid JSON, certainly has no duplicated
// object key and no number outside float64's range. false means "look
// closer" (scanValue does, and words the problem): it is also the answer
// for keys with escapes, which only decoding compares.
func cleanJSON(b []byte) bool {
	w := jsonWalker{b: b}
	return w.value() && w.i <= len(b)
}

// jsonWalker steps over valid JSON.
type jsonWalker struct {
	b []byte
	i int
}

func (w *jsonWalker) space() {
	for w.i < len(w.b) {
		switch w.b[w.i] {
		case ' ', '\t', '\n', '\r':
			w.i++
		default:
			return
		}
	}
}

func (w *jsonWalker) value() bool {
	w.space()
	if w.i >= len(w.b) {
		return false
	}
	switch w.b[w.i] {
	case '{':
		return w.object()
	case '[':
		w.i++
		w.space()
		if w.i < len(w.b) && w.b[w.i] == ']' {
			w.i++
			return true
		}
		for {
			if !w.value() {
				return false
			}
			w.space()
			if w.i >= len(w.b) {
				return false
			}
			w.i++ // ',' or ']'
			if w.b[w.i-1] == ']' {
				return true
			}
		}
	case '"':
		return w.skipString()
	case 't', 'n':
		w.i += 4
		return true
	case 'f':
		w.i += 5
		return true
	}
	return w.number()
}

func (w *jsonWalker) object() bool {
	w.i++
	var small [16][]byte
	keys := small[:0]
	var many map[string]bool
	for {
		w.space()
		if w.i >= len(w.b) {
			return false
		}
		if w.b[w.i] == '}' {
			w.i++
			return true
		}
		if w.b[w.i] == ',' {
			w.i++
			w.space()
		}
		key, ok := w.str()
		if !ok {
			return false
		}
		if many != nil {
			if many[string(key)] {
				return false
			}
			many[string(key)] = true
		} else {
			for _, k := range keys {
				if bytes.Equal(k, key) {
					return false
				}
			}
			keys = append(keys, key)
			if len(keys) == len(small) {
				many = make(map[string]bool, 2*len(keys))
				for _, k := range keys {
					many[string(k)] = true
				}
			}
		}
		w.space()
		w.i++ // ':'
		if !w.value() {
			return false
		}
	}
}

// str steps over a string and returns its raw content; false for one with
// escapes.
func (w *jsonWalker) str() ([]byte, bool) {
	if w.i >= len(w.b) || w.b[w.i] != '"' {
		return nil, false
	}
	start := w.i + 1
	for j := start; j < len(w.b); j++ {
		switch w.b[j] {
		case '\\':
			return nil, false
		case '"':
			w.i = j + 1
			return w.b[start:j], true
		}
	}
	return nil, false
}

// skipString steps over a string, escapes included.
func (w *jsonWalker) skipString() bool {
	for j := w.i + 1; j < len(w.b); j++ {
		switch w.b[j] {
		case '\\':
			j++
		case '"':
			w.i = j + 1
			return true
		}
	}
	return false
}

// number steps over a number; false when it might not fit a float64.
func (w *jsonWalker) number() bool {
	start, exp := w.i, false
	for w.i < len(w.b) {
		c := w.b[w.i]
		if c == 'e' || c == 'E' {
			exp = true
		} else if (c < '0' || c > '9') && c != '-' && c != '+' && c != '.' {
			break
		}
		w.i++
	}
	if w.i == start {
		return false
	}
	// Without an exponent, under 300 digits is well inside float64's range.
	return !exp && w.i-start < 300
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
