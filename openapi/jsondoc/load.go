package jsondoc

import (
	"errors"
	"net/url"
	"reflect"

	"github.com/getkin/kin-openapi/openapi3"
)

// Load loads data, a JSON OpenAPI 3 document at location: Decode builds it,
// then loader resolves its $refs as LoadFromDataWithPath would have. A
// *NotFastError or *SyntaxError (see LeftToLibrary) says the document is
// left to kin-openapi; any other error is the loader's, from resolving.
func Load(data []byte, loader *openapi3.Loader, location *url.URL) (*openapi3.T, error) {
	var decoded openapi3.T
	if err := Decode(data, &decoded, location.String(), loader.IncludeOrigin); err != nil {
		return nil, err
	}
	// Loading an empty document first gives loader the state
	// LoadFromDataWithPath sets up for the root document (its location, and
	// the document by URI, for $refs back into it from other files), and
	// gives the document its location, which only the loader can set.
	doc, err := loader.LoadFromDataWithPath([]byte("{}"), location)
	if err != nil {
		return nil, err
	}
	adoptFields(doc, &decoded)
	if err := loader.ResolveRefsIn(doc, location); err != nil {
		return nil, err
	}
	return doc, nil
}

// adoptFields moves every exported field of src into dst, keeping dst's
// unexported state.
func adoptFields(dst, src *openapi3.T) {
	d, s := reflect.ValueOf(dst).Elem(), reflect.ValueOf(src).Elem()
	for i := range d.NumField() {
		if d.Type().Field(i).IsExported() {
			d.Field(i).Set(s.Field(i))
		}
	}
}

// LeftToLibrary reports whether err, from Decode or Load, says the document
// is left to kin-openapi: not JSON, or not something the fast path mirrors.
func LeftToLibrary(err error) bool {
	var notFast *NotFastError
	var syntax *SyntaxError
	return errors.As(err, &notFast) || errors.As(err, &syntax)
}

// Position returns the 1-based line and column (in characters) of byte
// offset in data, as kin-openapi's YAML parser counts them: it breaks lines
// on \n, \r, \r\n, U+2028 and U+2029.
func Position(data []byte, offset int) (line, col int) {
	lines := lineCounter{data: data, line: 1, col: 1}
	return lines.at(offset)
}
