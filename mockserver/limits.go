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
