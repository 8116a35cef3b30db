package mockserver

import (
	"fmt"
	"net/http"
	"strings"

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

// tooDeep returns the violation for a JSON body nested deeper than
// maxJSONDepth, or nil.
func tooDeep(r *http.Request, body []byte) []openapi.Violation {
	if len(body) <= maxJSONDepth || !strings.Contains(strings.ToLower(r.Header.Get("Content-Type")), "json") {
		return nil
	}
	if jsonDepth(body, maxJSONDepth) <= maxJSONDepth {
		return nil
	}
	return []openapi.Violation{{Location: "body", Code: "too-deep",
		Message: fmt.Sprintf("request body: JSON nested deeper than %d levels", maxJSONDepth)}}
}
