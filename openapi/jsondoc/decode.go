package jsondoc

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"
)

// maxJSONDepth bounds nesting, as kin-openapi's YAML parser and encoding/json
// do; a deeper document is left to kin-openapi, which refuses it.
const maxJSONDepth = 10000

// SyntaxError says the data is not JSON, at byte Offset.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string { return e.Msg }

// NotFastError says the data is JSON, but holds something at byte Offset that
// the fast path leaves to kin-openapi's own decoder.
type NotFastError struct {
	Offset int
	Reason string
}

func (e *NotFastError) Error() string { return "left to kin-openapi: " + e.Reason }

// Decode decodes data, a JSON OpenAPI 3 document, into doc as
// kin-openapi's loader does before it resolves $refs. file names the
// document in origins; origins false records none. A Swagger 2.0 document is
// left to its own path.
func Decode(data []byte, doc *openapi3.T, file string, origins bool) error {
	if i := bytes.Index(data, []byte("\u0085")); i >= 0 {
		// kin-openapi reads such a document with encoding/json: YAML breaks
		// lines on U+0085.
		return &NotFastError{Offset: i, Reason: "character U+0085"}
	}
	d := &jsonDecoder{data: data, text: string(data), file: file, origins: origins, lines: lineCounter{data: data, line: 1, col: 1}}
	d.document(doc)
	d.end()
	return d.err
}

// jsonDecoder reads one JSON document. A failure is sticky: the first one is
// kept in err and moves pos to the end, so every loop stops.
type jsonDecoder struct {
	data []byte
	// text is data as a string: the strings the document holds are slices
	// of it, rather than one allocation each.
	text  string
	pos   int
	depth int
	err   error

	// keys holds the keys read so far of the objects being read, for
	// duplicate detection; each object owns keys[base:] while it is read.
	keys [][]byte

	origins bool
	file    string
	lines   lineCounter
	slab    []originSlot
}

// originSlot holds an Origin and its Key together, allocated in slabs.
type originSlot struct {
	origin openapi3.Origin
	key    openapi3.Location
}

// syntaxError records that the data is not JSON at the current position.
func (d *jsonDecoder) syntaxError(format string, args ...any) {
	if d.err == nil {
		d.err = &SyntaxError{Offset: d.pos, Msg: fmt.Sprintf(format, args...)}
	}
	d.pos = len(d.data)
}

// notFast records that the value at offset is left to kin-openapi.
func (d *jsonDecoder) notFast(offset int, format string, args ...any) {
	if d.err == nil {
		d.err = &NotFastError{Offset: offset, Reason: fmt.Sprintf(format, args...)}
	}
	d.pos = len(d.data)
}

// wrongKind fails on a value that is not what its place holds: a syntax
// error if nothing JSON starts here, else a value left to kin-openapi.
func (d *jsonDecoder) wrongKind(want string) {
	if d.err != nil {
		return
	}
	if d.pos >= len(d.data) || !startsValue(d.data[d.pos]) {
		d.syntaxError("expected %s", want)
		return
	}
	d.notFast(d.pos, "expected %s", want)
}

// startsValue reports whether a JSON value can start with c.
func startsValue(c byte) bool {
	return strings.IndexByte(`{["tfn-0123456789`, c) >= 0
}

// next skips whitespace and returns the byte that follows without consuming
// it; 0 at the end of the data or after a failure.
func (d *jsonDecoder) next() byte {
	if d.err != nil {
		return 0
	}
	data := d.data
	for i := d.pos; i < len(data); i++ {
		c := data[i]
		if c > ' ' || !isSpace(c) {
			d.pos = i
			return c
		}
		// Indentation comes in runs of spaces: skip them eight at a time.
		for i+9 <= len(data) && binary.LittleEndian.Uint64(data[i+1:]) == 0x2020202020202020 {
			i += 8
		}
	}
	d.pos = len(data)
	return 0
}

// end fails unless only whitespace follows the document.
func (d *jsonDecoder) end() {
	d.next()
	if d.err == nil && d.pos < len(d.data) {
		d.syntaxError("unexpected data after the document")
	}
}

// enter counts one more level of nesting.
func (d *jsonDecoder) enter() bool {
	d.depth++
	if d.depth > maxJSONDepth {
		d.notFast(d.pos, "nested deeper than %d levels", maxJSONDepth)
		return false
	}
	return true
}

// members is the state of reading one object: call member until it returns
// false, reading the value of each key in between.
type members struct {
	started bool
	dedupe  bool
	base    int
	seen    map[string]struct{}
	// key is the current key, decoded; at is the offset of its quote;
	// escaped says key is not a slice of the document.
	key     []byte
	at      int
	escaped bool
}

// object starts reading an object. dedupe makes member refuse a key the
// object already had; an object read into a Go map checks the map instead.
func (d *jsonDecoder) object(dedupe bool) (members, bool) {
	if d.next() != '{' {
		d.wrongKind("an object")
		return members{}, false
	}
	d.pos++
	if !d.enter() {
		return members{}, false
	}
	return members{dedupe: dedupe, base: len(d.keys)}, true
}

// member reads the next key of an object and the colon after it, and
// reports whether there is one; false at the closing brace or on failure.
func (d *jsonDecoder) member(m *members) bool {
	c := d.next()
	if c == '}' {
		d.pos++
		d.depth--
		if m.dedupe {
			d.keys = d.keys[:m.base]
		}
		return false
	}
	if m.started {
		if c != ',' {
			d.syntaxError("expected ',' or '}' after an object member")
			return false
		}
		d.pos++
		c = d.next()
	}
	m.started = true
	if c != '"' {
		d.syntaxError("expected a string key")
		return false
	}
	m.at = d.pos
	key, escaped, ok := d.stringBytes()
	if !ok {
		return false
	}
	m.escaped = escaped
	if d.next() != ':' {
		d.syntaxError("expected ':' after an object key")
		return false
	}
	d.pos++
	if m.dedupe && !d.unique(m, key) {
		return false
	}
	m.key = key
	return true
}

// unique records key as read in m's object, failing when it was already:
// kin-openapi's YAML parser refuses duplicate keys.
func (d *jsonDecoder) unique(m *members, key []byte) bool {
	if m.seen != nil {
		if _, dup := m.seen[string(key)]; dup {
			d.notFast(m.at, "duplicate key %q", key)
			return false
		}
		m.seen[string(key)] = struct{}{}
		return true
	}
	keys := d.keys[m.base:]
	for _, k := range keys {
		if bytes.Equal(k, key) {
			d.notFast(m.at, "duplicate key %q", key)
			return false
		}
	}
	if len(keys) < 32 {
		d.keys = append(d.keys, key)
		return true
	}
	// A large object: a set from here on.
	m.seen = make(map[string]struct{}, 2*len(keys))
	for _, k := range keys {
		m.seen[string(k)] = struct{}{}
	}
	m.seen[string(key)] = struct{}{}
	return true
}

// elements is the state of reading one array: call element until it
// returns false, reading one value after each true.
type elements struct {
	started bool
}

// array starts reading an array.
func (d *jsonDecoder) array() (elements, bool) {
	if d.next() != '[' {
		d.wrongKind("an array")
		return elements{}, false
	}
	d.pos++
	return elements{}, d.enter()
}

// element reports whether the array has another element, consuming the
// comma before it; false at the closing bracket or on failure.
func (d *jsonDecoder) element(e *elements) bool {
	c := d.next()
	if c == ']' && !e.started {
		d.pos++
		d.depth--
		return false
	}
	if e.started {
		switch c {
		case ']':
			d.pos++
			d.depth--
			return false
		case ',':
			d.pos++
		default:
			d.syntaxError("expected ',' or ']' after an array element")
			return false
		}
	}
	e.started = true
	return d.err == nil
}

// stringBytes reads the string at pos: a slice of data when it holds no
// escape, else (escaped) a decoded copy.
func (d *jsonDecoder) stringBytes() (b []byte, escaped, ok bool) {
	data := d.data
	start := d.pos + 1
	for i := start; i < len(data); {
		c := data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return data[start:i], false, true
		case c == '\\':
			b, ok := d.unescape(start, i)
			return b, true, ok
		case c < 0x20:
			d.pos = i
			d.syntaxError("control character in a string")
			return nil, false, false
		case c < utf8.RuneSelf:
			i++
		default:
			size := d.runeSize(i)
			if size == 0 {
				return nil, false, false
			}
			i += size
		}
	}
	d.pos = len(data)
	d.syntaxError("unterminated string")
	return nil, false, false
}

// stringText reads the string at pos as a string: a slice of text when it
// holds no escape.
func (d *jsonDecoder) stringText() string {
	start := d.pos + 1
	b, escaped, _ := d.stringBytes()
	if escaped {
		return string(b)
	}
	return d.text[start : start+len(b)]
}

// keyText returns the current key of m as a string.
func (d *jsonDecoder) keyText(m *members) string {
	if m.escaped {
		return string(m.key)
	}
	return d.text[m.at+1 : m.at+1+len(m.key)]
}

// runeSize returns the size of the multi-byte character at i, or 0 (with
// the failure recorded) for one the fast path leaves to kin-openapi: invalid
// UTF-8, U+FFFE and U+FFFF, which its YAML parser refuses (it then falls back
// to encoding/json), and U+2028 and U+2029, which YAML takes for line breaks
// and folds the spaces around.
func (d *jsonDecoder) runeSize(i int) int {
	r, size := utf8.DecodeRune(d.data[i:])
	switch {
	case r == utf8.RuneError && size == 1:
		d.notFast(i, "invalid UTF-8")
		return 0
	case r == 0xFFFE || r == 0xFFFF || r == 0x2028 || r == 0x2029:
		d.notFast(i, "character U+%04X", r)
		return 0
	}
	return size
}

// unescape decodes the string whose content starts at start and whose first
// escape is at i.
func (d *jsonDecoder) unescape(start, i int) ([]byte, bool) {
	data := d.data
	out := make([]byte, 0, i-start+16)
	out = append(out, data[start:i]...)
	for i < len(data) {
		c := data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return out, true
		case c == '\\':
			var ok bool
			if out, i, ok = d.escape(out, i); !ok {
				return nil, false
			}
		case c < 0x20:
			d.pos = i
			d.syntaxError("control character in a string")
			return nil, false
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			size := d.runeSize(i)
			if size == 0 {
				return nil, false
			}
			out = append(out, data[i:i+size]...)
			i += size
		}
	}
	d.pos = len(data)
	d.syntaxError("unterminated string")
	return nil, false
}

// escapes maps the character after a backslash to what it stands for.
var escapes = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// escape appends what the escape at i stands for and returns the offset
// after it.
func (d *jsonDecoder) escape(out []byte, i int) ([]byte, int, bool) {
	data := d.data
	if i+1 >= len(data) {
		d.pos = i
		d.syntaxError("unterminated string")
		return nil, 0, false
	}
	if c := data[i+1]; c != 'u' {
		if escapes[c] == 0 {
			d.pos = i
			d.syntaxError("invalid escape \\%c in a string", c)
			return nil, 0, false
		}
		return append(out, escapes[c]), i + 2, true
	}
	if i+6 > len(data) {
		d.pos = i
		d.syntaxError("invalid \\u escape in a string")
		return nil, 0, false
	}
	r, err := strconv.ParseUint(string(data[i+2:i+6]), 16, 32)
	if err != nil || data[i+2] == '+' || data[i+2] == '-' {
		d.pos = i
		d.syntaxError("invalid \\u escape in a string")
		return nil, 0, false
	}
	if r >= 0xD800 && r <= 0xDFFF {
		// YAML has no surrogate escapes: kin-openapi reads the document
		// with encoding/json.
		d.notFast(i, "surrogate escape \\u%04x", r)
		return nil, 0, false
	}
	return utf8.AppendRune(out, rune(r)), i + 6, true
}

// number reads a number and returns its text; isInt says it has neither a
// fraction nor an exponent.
func (d *jsonDecoder) number() (text []byte, isInt, ok bool) {
	data, start := d.data, d.pos
	i := start
	if i < len(data) && data[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case digits() == 0:
		d.pos = i
		d.syntaxError("invalid number")
		return nil, false, false
	}
	isInt = true
	if i < len(data) && data[i] == '.' {
		i++
		isInt = false
		if digits() == 0 {
			d.pos = i
			d.syntaxError("invalid number")
			return nil, false, false
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		isInt = false
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if digits() == 0 {
			d.pos = i
			d.syntaxError("invalid number")
			return nil, false, false
		}
	}
	d.pos = i
	return data[start:i], isInt, true
}

// literal consumes word (true, false or null).
func (d *jsonDecoder) literal(word string) bool {
	if !bytes.HasPrefix(d.data[d.pos:], []byte(word)) {
		d.syntaxError("invalid literal")
		return false
	}
	d.pos += len(word)
	return true
}

// null consumes a null if one is next.
func (d *jsonDecoder) null() bool {
	return d.next() == 'n' && d.literal("null")
}

// anyValue reads any value the way kin-openapi's YAML decoder reads one into
// an any: objects as map[string]any, arrays as []any, numbers as float64 (or,
// beyond float64's range, as the text of the number, which is what YAML
// makes of it).
func (d *jsonDecoder) anyValue() any {
	switch c := d.next(); {
	case c == '{':
		return d.anyObject()
	case c == '[':
		return d.anyArray()
	case c == '"':
		return d.stringText()
	case c == 't':
		return d.literal("true")
	case c == 'f':
		d.literal("false")
		return false
	case c == 'n':
		d.literal("null")
		return nil
	case c == '-' || c >= '0' && c <= '9':
		start := d.pos
		d.number()
		text := d.text[start:d.pos]
		if f, err := strconv.ParseFloat(text, 64); err == nil {
			return f
		}
		return text
	}
	d.syntaxError("expected a value")
	return nil
}

// anyObject reads an object into a map[string]any.
func (d *jsonDecoder) anyObject() map[string]any {
	out := map[string]any{}
	for m, _ := d.object(false); d.member(&m); {
		key := d.keyText(&m)
		if _, dup := out[key]; dup {
			d.notFast(m.at, "duplicate key %q", key)
			return nil
		}
		out[key] = d.anyValue()
	}
	return out
}

// anyArray reads an array into a []any, empty rather than nil when the array is.
func (d *jsonDecoder) anyArray() []any {
	out := []any{}
	for e, _ := d.array(); d.element(&e); {
		out = append(out, d.anyValue())
	}
	return out
}

// anyList reads an array of any values, as a list-typed field holds it.
func (d *jsonDecoder) anyList() []any {
	if d.null() {
		return nil
	}
	if d.next() != '[' {
		d.wrongKind("an array")
		return nil
	}
	return d.anyArray()
}

// anyMap reads an object of any values, as a map-typed field holds it.
func (d *jsonDecoder) anyMap() map[string]any {
	if d.null() {
		return nil
	}
	if d.next() != '{' {
		d.wrongKind("an object")
		return nil
	}
	return d.anyObject()
}

// extension records the current member as an extension: kin-openapi keeps
// every key a type does not declare, x- or not, in its Extensions.
func (d *jsonDecoder) extension(ext *map[string]any, m *members) {
	if *ext == nil {
		*ext = make(map[string]any)
	}
	(*ext)[d.keyText(m)] = d.anyValue()
}

// str reads a string; null reads as "", as kin-openapi reads it.
func (d *jsonDecoder) str() string {
	switch d.next() {
	case '"':
		return d.stringText()
	case 'n':
		d.literal("null")
		return ""
	}
	d.wrongKind("a string")
	return ""
}

// strPtr reads a string into a pointer; null reads as nil.
func (d *jsonDecoder) strPtr() *string {
	if d.null() {
		return nil
	}
	if d.next() != '"' {
		d.wrongKind("a string")
		return nil
	}
	s := d.str()
	return &s
}

// boolean reads true or false; null reads as false.
func (d *jsonDecoder) boolean() bool {
	switch d.next() {
	case 't':
		return d.literal("true")
	case 'f':
		d.literal("false")
		return false
	case 'n':
		d.literal("null")
		return false
	}
	d.wrongKind("a boolean")
	return false
}

// boolPtr reads true or false into a pointer; null reads as nil.
func (d *jsonDecoder) boolPtr() *bool {
	if d.null() {
		return nil
	}
	if c := d.next(); c != 't' && c != 'f' {
		d.wrongKind("a boolean")
		return nil
	}
	b := d.boolean()
	return &b
}

// float reads a number within float64's range.
func (d *jsonDecoder) float() (float64, bool) {
	if c := d.next(); c != '-' && (c < '0' || c > '9') {
		d.wrongKind("a number")
		return 0, false
	}
	at := d.pos
	text, _, ok := d.number()
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(text), 64)
	if err != nil {
		d.notFast(at, "number %s is out of range", text)
		return 0, false
	}
	return f, true
}

// floatPtr reads a number into a pointer; null reads as nil.
func (d *jsonDecoder) floatPtr() *float64 {
	if d.null() {
		return nil
	}
	f, ok := d.float()
	if !ok {
		return nil
	}
	return &f
}

// count reads a non-negative integer written without fraction or exponent;
// null reads as 0. Other forms kin-openapi accepts (5.0, 1e2) are left to it.
func (d *jsonDecoder) count() uint64 {
	if d.null() {
		return 0
	}
	n, _ := d.countValue()
	return n
}

// countPtr reads a count into a pointer; null reads as nil.
func (d *jsonDecoder) countPtr() *uint64 {
	if d.null() {
		return nil
	}
	n, ok := d.countValue()
	if !ok {
		return nil
	}
	return &n
}

// countValue reads the count count and countPtr read.
func (d *jsonDecoder) countValue() (uint64, bool) {
	if c := d.next(); c != '-' && (c < '0' || c > '9') {
		d.wrongKind("a number")
		return 0, false
	}
	at := d.pos
	text, isInt, ok := d.number()
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(string(text), 10, 64)
	if !isInt || err != nil {
		d.notFast(at, "%s is not a plain non-negative integer", text)
		return 0, false
	}
	return n, true
}

// stringList reads an array of strings, empty rather than nil when the array
// is; a null element keeps its place as "", and a null list reads as nil.
func (d *jsonDecoder) stringList() []string {
	if d.null() {
		return nil
	}
	out := []string{}
	for e, ok := d.array(); ok && d.element(&e); {
		switch d.next() {
		case '"', 'n':
			out = append(out, d.str())
		default:
			d.wrongKind("a string")
		}
	}
	return out
}

// strictStringList reads an array of strings where kin-openapi would drop a
// null element rather than keep its place; such an array is left to it.
func (d *jsonDecoder) strictStringList() []string {
	if d.next() != '[' {
		d.wrongKind("an array")
		return nil
	}
	out := []string{}
	for e, ok := d.array(); ok && d.element(&e); {
		if d.next() != '"' {
			d.wrongKind("a string")
			return nil
		}
		out = append(out, d.str())
	}
	return out
}

// mapKey reads the key of the current member for a Go map, failing when
// the map already has it.
func mapKey[V any](d *jsonDecoder, m *members, into map[string]V) (string, bool) {
	key := d.keyText(m)
	if _, dup := into[key]; dup {
		d.notFast(m.at, "duplicate key %q", key)
		return "", false
	}
	return key, true
}

// objectMap reads an object into a map of pointers, each value read by
// read with the origin of its key. A null value is left to kin-openapi.
func objectMap[V any](d *jsonDecoder, read func(*openapi3.Origin) *V) map[string]*V {
	if d.null() {
		return nil
	}
	out := map[string]*V{}
	for m, _ := d.object(false); d.member(&m); {
		key, ok := mapKey(d, &m, out)
		if !ok || !d.notNull() {
			return nil
		}
		out[key] = read(d.originAt(m.at, key))
	}
	return out
}

// objectList reads an array of objects, each read by read with the origin of
// its own first key, as kin-openapi gives an array item. A null item is left
// to kin-openapi.
func objectList[V any](d *jsonDecoder, read func(*openapi3.Origin) *V) []*V {
	if d.null() {
		return nil
	}
	out := []*V{}
	for e, ok := d.array(); ok && d.element(&e); {
		if !d.notNull() {
			return nil
		}
		out = append(out, read(d.firstKeyOrigin()))
	}
	return out
}

// notNull fails on a null where kin-openapi would keep a nil element.
func (d *jsonDecoder) notNull() bool {
	if d.next() == 'n' {
		d.notFast(d.pos, "null in place of an object")
		return false
	}
	return d.err == nil
}

// originAt returns an Origin whose Key is the key at offset, or nil when
// origins are off.
func (d *jsonDecoder) originAt(offset int, name string) *openapi3.Origin {
	if !d.origins || d.err != nil {
		return nil
	}
	line, col := d.lines.at(offset)
	if len(d.slab) == 0 {
		d.slab = make([]originSlot, 256)
	}
	s := &d.slab[0]
	d.slab = d.slab[1:]
	s.key = openapi3.Location{File: d.file, Line: line, Column: col, Name: name}
	s.origin.Key = &s.key
	return &s.origin
}

// keyOrigin returns the origin of the current member's key, named name.
func (d *jsonDecoder) keyOrigin(m *members, name string) *openapi3.Origin {
	return d.originAt(m.at, name)
}

// firstKeyOrigin returns the origin of the first key of the object that
// follows, without consuming anything: kin-openapi gives an array item and
// the document root that Key. nil when no object with a key follows.
func (d *jsonDecoder) firstKeyOrigin() *openapi3.Origin {
	if !d.origins || d.next() != '{' {
		return nil
	}
	saved := d.pos
	d.pos++
	if d.next() != '"' {
		d.pos = saved
		return nil
	}
	at := d.pos
	key := d.stringText()
	if d.err != nil {
		return nil
	}
	d.pos = saved
	return d.originAt(at, key)
}

// lineCounter turns byte offsets into the 1-based line and column (in
// characters) that kin-openapi's YAML parser reports, which breaks lines on
// \n, \r, \r\n, U+2028 and U+2029. It is fastest when asked for offsets in
// increasing order.
type lineCounter struct {
	data           []byte
	off, line, col int
	// plain says data breaks lines on \n only, which at counts in bulk.
	plain, checked bool
}

// at returns the line and column of offset.
func (lc *lineCounter) at(offset int) (line, col int) {
	if !lc.checked {
		lc.checked = true
		lc.plain = bytes.IndexByte(lc.data, '\r') < 0 && !bytes.Contains(lc.data, []byte("\u2028")) && !bytes.Contains(lc.data, []byte("\u2029"))
	}
	if offset < lc.off {
		lc.off, lc.line, lc.col = 0, 1, 1
	}
	if lc.plain {
		lc.advancePlain(offset)
	} else {
		lc.advance(offset)
	}
	return lc.line, lc.col
}

// advancePlain moves to offset in data that breaks lines on \n only.
func (lc *lineCounter) advancePlain(offset int) {
	seg := lc.data[lc.off:offset]
	if last := bytes.LastIndexByte(seg, '\n'); last >= 0 {
		lc.line += bytes.Count(seg[:last+1], []byte{'\n'})
		lc.col = 1 + utf8.RuneCount(seg[last+1:])
	} else {
		lc.col += utf8.RuneCount(seg)
	}
	lc.off = offset
}

// advance moves to offset one character at a time.
func (lc *lineCounter) advance(offset int) {
	data, i := lc.data, lc.off
	line, col := lc.line, lc.col
	for i < offset {
		c := data[i]
		switch {
		case c == '\n':
			line, col = line+1, 1
			i++
		case c == '\r':
			line, col = line+1, 1
			i++
			if i < offset && data[i] == '\n' {
				i++
			}
		case c < utf8.RuneSelf:
			col++
			i++
		case c == 0xE2 && i+2 < len(data) && data[i+1] == 0x80 && (data[i+2] == 0xA8 || data[i+2] == 0xA9):
			line, col = line+1, 1
			i += 3
		default:
			_, size := utf8.DecodeRune(data[i:])
			col++
			i += size
		}
	}
	lc.off, lc.line, lc.col = i, line, col
}

// plainRef is a Reference Object kin-openapi reads into a bare XxxRef.
type plainRef struct {
	ref                  string
	summary, description *string
}

// readPlainRef reads, at an object, a Reference Object that kin-openapi
// turns into a bare XxxRef with no unexported state: a non-empty "$ref" and,
// where the XxxRef declares them (withSummary), a "summary" and a
// "description", all strings. Anything else leaves pos where it was.
func (d *jsonDecoder) readPlainRef(withSummary bool) (plainRef, bool) {
	if !d.mayBePlainRef() {
		return plainRef{}, false
	}
	saved, depth, keys := d.pos, d.depth, len(d.keys)
	var r plainRef
	fits := true
	for m, _ := d.object(true); fits && d.member(&m); {
		key := string(m.key)
		switch {
		case d.next() != '"':
			fits = false
		case key == "$ref":
			r.ref = d.str()
		case withSummary && key == "summary":
			r.summary = d.strPtr()
		case withSummary && key == "description":
			r.description = d.strPtr()
		default:
			fits = false
		}
	}
	if d.err != nil {
		return plainRef{}, false
	}
	if !fits || r.ref == "" {
		d.pos, d.depth, d.keys = saved, depth, d.keys[:keys]
		return plainRef{}, false
	}
	return r, true
}

// mayBePlainRef reports whether the object at pos starts with a key a
// plain Reference Object may start with, as a quick test before reading it.
func (d *jsonDecoder) mayBePlainRef() bool {
	i := d.pos + 1
	for i < len(d.data) && isSpace(d.data[i]) {
		i++
	}
	rest := d.data[i:]
	return bytes.HasPrefix(rest, []byte(`"$ref"`)) || bytes.HasPrefix(rest, []byte(`"summary"`)) ||
		bytes.HasPrefix(rest, []byte(`"description"`)) || bytes.HasPrefix(rest, []byte(`"\`))
}

// isSpace reports whether c is JSON whitespace.
func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\t' || c == '\r'
}

// refString reports whether a non-empty string follows: what makes kin-openapi
// read an object with a "$ref" as a Reference Object. Any other "$ref" is an
// ordinary member of the object, except a number beyond float64's range,
// which YAML reads as a string, and which is left to kin-openapi.
func (d *jsonDecoder) refString() bool {
	switch c := d.next(); {
	case c == '"':
		return d.pos+1 < len(d.data) && d.data[d.pos+1] != '"'
	case c == '-' || c >= '0' && c <= '9':
		start := d.pos
		text, _, ok := d.number()
		d.pos = start
		if _, err := strconv.ParseFloat(string(text), 64); ok && err != nil {
			d.notFast(start, "$ref %s", text)
		}
	}
	return false
}

// refStart checks that an object follows where a Reference Object may
// stand, and returns its offset.
func (d *jsonDecoder) refStart(want string) (int, bool) {
	if d.next() != '{' {
		d.wrongKind(want)
		return 0, false
	}
	return d.pos, true
}

// kinDecode decodes the object at data[start:pos] with kin-openapi's own
// UnmarshalYAML, through the YAML parser kin-openapi uses: a Reference
// Object with siblings sets unexported state (the names of the siblings, and
// for a schema the sibling schema) only kin-openapi can set. The objects it
// builds get no origins, besides the Key the caller gives the wrapper.
func (d *jsonDecoder) kinDecode(start int, into any) bool {
	if d.err != nil {
		return false
	}
	if err := yaml.Unmarshal(d.data[start:d.pos], into); err != nil {
		d.notFast(start, "kin-openapi refuses this object: %v", err)
		return false
	}
	return true
}

// document reads the root object into doc.
func (d *jsonDecoder) document(doc *openapi3.T) {
	if d.next() != '{' {
		d.wrongKind("an object")
		return
	}
	doc.Origin = d.firstKeyOrigin()
	for m, _ := d.object(true); d.member(&m); {
		switch string(m.key) {
		case "openapi":
			doc.OpenAPI = d.str()
		case "components":
			doc.Components = d.components(d.keyOrigin(&m, "components"))
		case "info":
			doc.Info = d.info(d.keyOrigin(&m, "info"))
		case "paths":
			doc.Paths = d.paths(d.keyOrigin(&m, "paths"))
		case "security":
			doc.Security = d.securityRequirements()
		case "servers":
			doc.Servers = d.servers()
		case "tags":
			doc.Tags = objectList(d, d.tag)
		case "externalDocs":
			doc.ExternalDocs = d.externalDocs(d.keyOrigin(&m, "externalDocs"))
		case "webhooks":
			doc.Webhooks = objectMap(d, d.pathItem)
		case "jsonSchemaDialect":
			doc.JSONSchemaDialect = d.str()
		case "swagger":
			if d.next() != 'n' {
				d.notFast(m.at, "a Swagger 2.0 document")
			}
			d.extension(&doc.Extensions, &m)
		default:
			d.extension(&doc.Extensions, &m)
		}
	}
}

// structStart checks that a struct-typed object follows; null is left to
// kin-openapi, which keeps a nil.
func (d *jsonDecoder) structStart() (members, bool) {
	if !d.notNull() {
		return members{}, false
	}
	return d.object(true)
}

// info reads an Info Object.
func (d *jsonDecoder) info(origin *openapi3.Origin) *openapi3.Info {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.Info{Origin: origin}
	for d.member(&m) {
		switch string(m.key) {
		case "title":
			v.Title = d.str()
		case "summary":
			v.Summary = d.str()
		case "description":
			v.Description = d.str()
		case "termsOfService":
			v.TermsOfService = d.str()
		case "contact":
			v.Contact = d.contact(d.keyOrigin(&m, "contact"))
		case "license":
			v.License = d.license(d.keyOrigin(&m, "license"))
		case "version":
			v.Version = d.str()
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	return v
}

// contact reads a Contact Object.
func (d *jsonDecoder) contact(origin *openapi3.Origin) *openapi3.Contact {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.Contact{Origin: origin}
	for d.member(&m) {
		switch string(m.key) {
		case "name":
			v.Name = d.str()
		case "url":
			v.URL = d.str()
		case "email":
			v.Email = d.str()
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	return v
}

// license reads a License Object.
func (d *jsonDecoder) license(origin *openapi3.Origin) *openapi3.License {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.License{Origin: origin}
	for d.member(&m) {
		switch string(m.key) {
		case "name":
			v.Name = d.str()
		case "url":
			v.URL = d.str()
		case "identifier":
			v.Identifier = d.str()
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	return v
}

// externalDocs reads an External Documentation Object.
func (d *jsonDecoder) externalDocs(origin *openapi3.Origin) *openapi3.ExternalDocs {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.ExternalDocs{Origin: origin}
	for d.member(&m) {
		switch string(m.key) {
		case "description":
			v.Description = d.str()
		case "url":
			v.URL = d.str()
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	return v
}

// tag reads a Tag Object.
func (d *jsonDecoder) tag(origin *openapi3.Origin) *openapi3.Tag {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.Tag{Origin: origin}
	for d.member(&m) {
		switch string(m.key) {
		case "name":
			v.Name = d.str()
		case "description":
			v.Description = d.str()
		case "externalDocs":
			v.ExternalDocs = d.externalDocs(d.keyOrigin(&m, "externalDocs"))
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	return v
}

// servers reads a list of Server Objects.
func (d *jsonDecoder) servers() openapi3.Servers {
	return objectList(d, d.server)
}

// server reads a Server Object.
func (d *jsonDecoder) server(origin *openapi3.Origin) *openapi3.Server {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.Server{Origin: origin}
	for d.member(&m) {
		switch string(m.key) {
		case "url":
			v.URL = d.str()
		case "description":
			v.Description = d.str()
		case "variables":
			v.Variables = objectMap(d, d.serverVariable)
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	return v
}

// serverVariable reads a Server Variable Object.
func (d *jsonDecoder) serverVariable(origin *openapi3.Origin) *openapi3.ServerVariable {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.ServerVariable{Origin: origin}
	for d.member(&m) {
		switch string(m.key) {
		case "enum":
			v.Enum = d.stringList()
		case "default":
			v.Default = d.str()
		case "description":
			v.Description = d.str()
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	return v
}

// securityRequirements reads a list of Security Requirement Objects.
func (d *jsonDecoder) securityRequirements() openapi3.SecurityRequirements {
	if d.null() {
		return nil
	}
	out := openapi3.SecurityRequirements{}
	for e, ok := d.array(); ok && d.element(&e); {
		if !d.notNull() {
			return nil
		}
		out = append(out, d.securityRequirement())
	}
	return out
}

// securityRequirement reads a Security Requirement Object: scheme names to
// lists of scopes.
func (d *jsonDecoder) securityRequirement() openapi3.SecurityRequirement {
	out := openapi3.SecurityRequirement{}
	for m, _ := d.object(false); d.member(&m); {
		key, ok := mapKey(d, &m, out)
		if !ok {
			return nil
		}
		if d.next() != '[' {
			d.wrongKind("a list of scopes")
			return nil
		}
		out[key] = d.stringList()
	}
	return out
}

// components reads a Components Object.
func (d *jsonDecoder) components(origin *openapi3.Origin) *openapi3.Components {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.Components{Origin: origin}
	for d.member(&m) {
		switch string(m.key) {
		case "schemas":
			v.Schemas = objectMap(d, d.schemaRef)
		case "parameters":
			v.Parameters = objectMap(d, d.parameterRef)
		case "headers":
			v.Headers = objectMap(d, d.headerRef)
		case "requestBodies":
			v.RequestBodies = objectMap(d, d.requestBodyRef)
		case "responses":
			v.Responses = objectMap(d, d.responseRef)
		case "securitySchemes":
			v.SecuritySchemes = objectMap(d, d.securitySchemeRef)
		case "examples":
			v.Examples = objectMap(d, d.exampleRef)
		case "links":
			v.Links = objectMap(d, d.linkRef)
		case "callbacks":
			v.Callbacks = objectMap(d, d.callbackRef)
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	return v
}

// paths reads a Paths Object: path items, and x- keys as extensions.
func (d *jsonDecoder) paths(origin *openapi3.Origin) *openapi3.Paths {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := openapi3.NewPathsWithCapacity(0)
	v.Origin, v.Extensions = origin, map[string]any{}
	for d.member(&m) {
		key := d.keyText(&m)
		if strings.HasPrefix(key, "x-") {
			d.extension(&v.Extensions, &m)
			continue
		}
		if !d.notNull() {
			return nil
		}
		v.Set(key, d.pathItem(d.originAt(m.at, key)))
	}
	return v
}

// callback reads a Callback Object, which is shaped as a Paths Object; a
// "$ref" key in it is reported through sawRef.
func (d *jsonDecoder) callback(origin *openapi3.Origin) (v *openapi3.Callback, sawRef bool) {
	m, ok := d.object(true)
	if !ok {
		return nil, false
	}
	v = openapi3.NewCallbackWithCapacity(0)
	v.Origin, v.Extensions = origin, map[string]any{}
	for d.member(&m) {
		key := d.keyText(&m)
		if strings.HasPrefix(key, "x-") {
			d.extension(&v.Extensions, &m)
			continue
		}
		if key == "$ref" && d.refString() {
			// A Reference Object with siblings, which kin-openapi reads.
			sawRef = true
			d.anyValue()
			continue
		}
		if !d.notNull() {
			return nil, false
		}
		v.Set(key, d.pathItem(d.originAt(m.at, key)))
	}
	return v, sawRef
}

// pathItem reads a Path Item Object.
func (d *jsonDecoder) pathItem(origin *openapi3.Origin) *openapi3.PathItem {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.PathItem{Origin: origin}
	for d.member(&m) {
		switch key := d.keyText(&m); key {
		case "$ref":
			v.Ref = d.str()
		case "summary":
			v.Summary = d.str()
		case "description":
			v.Description = d.str()
		case "connect", "delete", "get", "head", "options", "patch", "post", "put", "trace", "query":
			if !d.null() {
				*methodField(v, key) = d.operation(d.keyOrigin(&m, key))
			}
		case "servers":
			v.Servers = d.servers()
		case "parameters":
			v.Parameters = objectList(d, d.parameterRef)
		case "additionalOperations":
			v.AdditionalOperations = objectMap(d, d.operation)
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	return v
}

// methodField returns the field of v that holds the operation for method,
// one of the lower-case keys a Path Item Object declares.
func methodField(v *openapi3.PathItem, method string) **openapi3.Operation {
	switch method {
	case "connect":
		return &v.Connect
	case "delete":
		return &v.Delete
	case "get":
		return &v.Get
	case "head":
		return &v.Head
	case "options":
		return &v.Options
	case "patch":
		return &v.Patch
	case "post":
		return &v.Post
	case "put":
		return &v.Put
	case "trace":
		return &v.Trace
	}
	return &v.Query
}

// operation reads an Operation Object.
func (d *jsonDecoder) operation(origin *openapi3.Origin) *openapi3.Operation {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.Operation{Origin: origin}
	for d.member(&m) {
		switch string(m.key) {
		case "tags":
			v.Tags = d.stringList()
		case "summary":
			v.Summary = d.str()
		case "description":
			v.Description = d.str()
		case "operationId":
			v.OperationID = d.str()
		case "parameters":
			v.Parameters = objectList(d, d.parameterRef)
		case "requestBody":
			if d.notNull() {
				v.RequestBody = d.requestBodyRef(d.keyOrigin(&m, "requestBody"))
			}
		case "responses":
			v.Responses = d.responses(d.keyOrigin(&m, "responses"))
		case "callbacks":
			v.Callbacks = objectMap(d, d.callbackRef)
		case "deprecated":
			v.Deprecated = d.boolean()
		case "security":
			if !d.null() {
				security := d.securityRequirements()
				v.Security = &security
			}
		case "servers":
			if !d.null() {
				servers := d.servers()
				v.Servers = &servers
			}
		case "externalDocs":
			v.ExternalDocs = d.externalDocs(d.keyOrigin(&m, "externalDocs"))
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	return v
}

// responses reads a Responses Object: responses by status, and x- keys as
// extensions. A null is left to kin-openapi, which marks it.
func (d *jsonDecoder) responses(origin *openapi3.Origin) *openapi3.Responses {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := openapi3.NewResponsesWithCapacity(0)
	v.Origin, v.Extensions = origin, map[string]any{}
	for d.member(&m) {
		key := d.keyText(&m)
		if strings.HasPrefix(key, "x-") {
			d.extension(&v.Extensions, &m)
			continue
		}
		if !d.notNull() {
			return nil
		}
		v.Set(key, d.responseRef(d.originAt(m.at, key)))
	}
	return v
}

// parameter reads a Parameter Object; a "$ref" key in it is reported
// through sawRef.
func (d *jsonDecoder) parameter(origin *openapi3.Origin) (v *openapi3.Parameter, sawRef bool) {
	v = &openapi3.Parameter{Origin: origin}
	return v, d.parameterFields(v)
}

// header reads a Header Object, which has the fields of a Parameter Object.
func (d *jsonDecoder) header(origin *openapi3.Origin) (v *openapi3.Header, sawRef bool) {
	v = &openapi3.Header{}
	v.Origin = origin
	return v, d.parameterFields(&v.Parameter)
}

// parameterFields reads the members of a Parameter or Header Object into v
// and reports whether one is a "$ref".
func (d *jsonDecoder) parameterFields(v *openapi3.Parameter) (sawRef bool) {
	m, ok := d.object(true)
	if !ok {
		return false
	}
	for d.member(&m) {
		switch key := d.keyText(&m); key {
		case "name":
			v.Name = d.str()
		case "in":
			v.In = d.str()
		case "description":
			v.Description = d.str()
		case "style":
			v.Style = d.str()
		case "explode":
			v.Explode = d.boolPtr()
		case "allowEmptyValue":
			v.AllowEmptyValue = d.boolean()
		case "allowReserved":
			v.AllowReserved = d.boolean()
		case "deprecated":
			v.Deprecated = d.boolean()
		case "required":
			v.Required = d.boolean()
		case "schema":
			v.Schema = d.nullableSchemaRef(d.keyOrigin(&m, "schema"))
		case "example":
			v.Example = d.anyValue()
		case "examples":
			v.Examples = objectMap(d, d.exampleRef)
		case "content":
			v.Content = objectMap(d, d.mediaType)
		default:
			sawRef = sawRef || key == "$ref" && d.refString()
			d.extension(&v.Extensions, &m)
		}
	}
	restampSchema(v.Schema, v.Origin)
	return sawRef
}

// restampSchema gives the schema of a Parameter, Header or Media Type the
// origin of the object that holds it. kin-openapi does so: stamping an
// object's Key, it stamps the same Key on the object's "Schema" field, as it
// does on the Value of a $ref wrapper.
func restampSchema(schema *openapi3.SchemaRef, origin *openapi3.Origin) {
	if schema == nil || origin == nil {
		return
	}
	schema.Origin = origin
	if schema.Value != nil {
		schema.Value.Origin = origin
	}
}

// requestBody reads a Request Body Object.
func (d *jsonDecoder) requestBody(origin *openapi3.Origin) (v *openapi3.RequestBody, sawRef bool) {
	m, ok := d.object(true)
	if !ok {
		return nil, false
	}
	v = &openapi3.RequestBody{Origin: origin}
	for d.member(&m) {
		switch key := d.keyText(&m); key {
		case "description":
			v.Description = d.str()
		case "required":
			v.Required = d.boolean()
		case "content":
			v.Content = objectMap(d, d.mediaType)
		default:
			sawRef = sawRef || key == "$ref" && d.refString()
			d.extension(&v.Extensions, &m)
		}
	}
	return v, sawRef
}

// response reads a Response Object.
func (d *jsonDecoder) response(origin *openapi3.Origin) (v *openapi3.Response, sawRef bool) {
	m, ok := d.object(true)
	if !ok {
		return nil, false
	}
	v = &openapi3.Response{Origin: origin}
	for d.member(&m) {
		switch key := d.keyText(&m); key {
		case "description":
			v.Description = d.strPtr()
		case "headers":
			v.Headers = objectMap(d, d.headerRef)
		case "content":
			v.Content = objectMap(d, d.mediaType)
		case "links":
			v.Links = objectMap(d, d.linkRef)
		default:
			sawRef = sawRef || key == "$ref" && d.refString()
			d.extension(&v.Extensions, &m)
		}
	}
	return v, sawRef
}

// mediaType reads a Media Type Object.
func (d *jsonDecoder) mediaType(origin *openapi3.Origin) *openapi3.MediaType {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.MediaType{Origin: origin}
	for d.member(&m) {
		switch string(m.key) {
		case "schema":
			v.Schema = d.nullableSchemaRef(d.keyOrigin(&m, "schema"))
		case "itemSchema":
			v.ItemSchema = d.nullableSchemaRef(d.keyOrigin(&m, "itemSchema"))
		case "example":
			v.Example = d.anyValue()
		case "examples":
			v.Examples = objectMap(d, d.exampleRef)
		case "encoding":
			v.Encoding = objectMap(d, d.encoding)
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	restampSchema(v.Schema, origin)
	return v
}

// encoding reads an Encoding Object.
func (d *jsonDecoder) encoding(origin *openapi3.Origin) *openapi3.Encoding {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.Encoding{Origin: origin}
	for d.member(&m) {
		switch string(m.key) {
		case "contentType":
			v.ContentType = d.str()
		case "headers":
			v.Headers = objectMap(d, d.headerRef)
		case "style":
			v.Style = d.str()
		case "explode":
			v.Explode = d.boolPtr()
		case "allowReserved":
			v.AllowReserved = d.boolean()
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	return v
}

// example reads an Example Object.
func (d *jsonDecoder) example(origin *openapi3.Origin) (v *openapi3.Example, sawRef bool) {
	m, ok := d.object(true)
	if !ok {
		return nil, false
	}
	v = &openapi3.Example{Origin: origin}
	for d.member(&m) {
		switch key := d.keyText(&m); key {
		case "summary":
			v.Summary = d.str()
		case "description":
			v.Description = d.str()
		case "value":
			v.Value = d.anyValue()
		case "externalValue":
			v.ExternalValue = d.str()
		default:
			sawRef = sawRef || key == "$ref" && d.refString()
			d.extension(&v.Extensions, &m)
		}
	}
	return v, sawRef
}

// link reads a Link Object.
func (d *jsonDecoder) link(origin *openapi3.Origin) (v *openapi3.Link, sawRef bool) {
	m, ok := d.object(true)
	if !ok {
		return nil, false
	}
	v = &openapi3.Link{Origin: origin}
	for d.member(&m) {
		switch key := d.keyText(&m); key {
		case "operationRef":
			v.OperationRef = d.str()
		case "operationId":
			v.OperationID = d.str()
		case "description":
			v.Description = d.str()
		case "parameters":
			v.Parameters = d.anyMap()
		case "server":
			v.Server = d.server(d.keyOrigin(&m, "server"))
		case "requestBody":
			v.RequestBody = d.anyValue()
		default:
			sawRef = sawRef || key == "$ref" && d.refString()
			d.extension(&v.Extensions, &m)
		}
	}
	return v, sawRef
}

// securityScheme reads a Security Scheme Object.
func (d *jsonDecoder) securityScheme(origin *openapi3.Origin) (v *openapi3.SecurityScheme, sawRef bool) {
	m, ok := d.object(true)
	if !ok {
		return nil, false
	}
	v = &openapi3.SecurityScheme{Origin: origin}
	for d.member(&m) {
		switch key := d.keyText(&m); key {
		case "type":
			v.Type = d.str()
		case "description":
			v.Description = d.str()
		case "name":
			v.Name = d.str()
		case "in":
			v.In = d.str()
		case "scheme":
			v.Scheme = d.str()
		case "bearerFormat":
			v.BearerFormat = d.str()
		case "flows":
			v.Flows = d.oauthFlows(d.keyOrigin(&m, "flows"))
		case "openIdConnectUrl":
			v.OpenIdConnectUrl = d.str()
		default:
			sawRef = sawRef || key == "$ref" && d.refString()
			d.extension(&v.Extensions, &m)
		}
	}
	return v, sawRef
}

// oauthFlows reads an OAuth Flows Object.
func (d *jsonDecoder) oauthFlows(origin *openapi3.Origin) *openapi3.OAuthFlows {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.OAuthFlows{Origin: origin}
	for d.member(&m) {
		switch key := d.keyText(&m); key {
		case "implicit":
			v.Implicit = d.oauthFlow(d.keyOrigin(&m, key))
		case "password":
			v.Password = d.oauthFlow(d.keyOrigin(&m, key))
		case "clientCredentials":
			v.ClientCredentials = d.oauthFlow(d.keyOrigin(&m, key))
		case "authorizationCode":
			v.AuthorizationCode = d.oauthFlow(d.keyOrigin(&m, key))
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	return v
}

// oauthFlow reads an OAuth Flow Object.
func (d *jsonDecoder) oauthFlow(origin *openapi3.Origin) *openapi3.OAuthFlow {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.OAuthFlow{Origin: origin}
	for d.member(&m) {
		switch string(m.key) {
		case "authorizationUrl":
			v.AuthorizationURL = d.str()
		case "tokenUrl":
			v.TokenURL = d.str()
		case "refreshUrl":
			v.RefreshURL = d.str()
		case "scopes":
			v.Scopes = d.stringMap()
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	return v
}

// stringMap reads an object of strings.
func (d *jsonDecoder) stringMap() map[string]string {
	return valueMap(d, d.stringValue)
}

// stringValue reads a string, failing on any other value.
func (d *jsonDecoder) stringValue() (string, bool) {
	if d.next() != '"' {
		d.wrongKind("a string")
		return "", false
	}
	return d.str(), true
}

// valueMap reads an object into a map, each value read by read, which
// reports false when it fails; the map is then nil. A null is a nil map.
func valueMap[V any](d *jsonDecoder, read func() (V, bool)) map[string]V {
	if d.null() {
		return nil
	}
	out := map[string]V{}
	for m, _ := d.object(false); d.member(&m); {
		key, ok := mapKey(d, &m, out)
		if !ok {
			return nil
		}
		v, ok := read()
		if !ok {
			return nil
		}
		out[key] = v
	}
	return out
}

// schema reads a Schema Object (not a boolean one).
func (d *jsonDecoder) schema(origin *openapi3.Origin) (v *openapi3.Schema, sawRef bool) {
	m, ok := d.object(true)
	if !ok {
		return nil, false
	}
	v = &openapi3.Schema{Origin: origin}
	for d.member(&m) {
		if !d.schemaField(v, &m) {
			sawRef = sawRef || string(m.key) == "$ref" && d.refString()
			d.extension(&v.Extensions, &m)
		}
	}
	return v, sawRef
}

// schemaField reads the current member into the field of v it names, and
// reports whether Schema declares one; the fields are split by kind.
func (d *jsonDecoder) schemaField(v *openapi3.Schema, m *members) bool {
	return d.schemaSubschema(v, m) || d.schemaScalar(v, m) || d.schemaOther(v, m)
}

// schemaSubschema reads the members of a Schema that hold schemas.
func (d *jsonDecoder) schemaSubschema(v *openapi3.Schema, m *members) bool {
	switch key := d.keyText(m); key {
	case "oneOf":
		v.OneOf = d.schemaRefs()
	case "anyOf":
		v.AnyOf = d.schemaRefs()
	case "allOf":
		v.AllOf = d.schemaRefs()
	case "prefixItems":
		v.PrefixItems = d.schemaRefs()
	case "not":
		v.Not = d.nullableSchemaRef(d.keyOrigin(m, key))
	case "items":
		v.Items = d.nullableSchemaRef(d.keyOrigin(m, key))
	case "contains":
		v.Contains = d.nullableSchemaRef(d.keyOrigin(m, key))
	case "propertyNames":
		v.PropertyNames = d.nullableSchemaRef(d.keyOrigin(m, key))
	case "if":
		v.If = d.nullableSchemaRef(d.keyOrigin(m, key))
	case "then":
		v.Then = d.nullableSchemaRef(d.keyOrigin(m, key))
	case "else":
		v.Else = d.nullableSchemaRef(d.keyOrigin(m, key))
	case "contentSchema":
		v.ContentSchema = d.nullableSchemaRef(d.keyOrigin(m, key))
	case "properties":
		v.Properties = objectMap(d, d.schemaRef)
	case "patternProperties":
		v.PatternProperties = objectMap(d, d.schemaRef)
	case "dependentSchemas":
		v.DependentSchemas = objectMap(d, d.schemaRef)
	case "$defs":
		v.Defs = objectMap(d, d.schemaRef)
	case "additionalProperties":
		v.AdditionalProperties = d.boolSchema(d.keyOrigin(m, key))
	case "unevaluatedItems":
		v.UnevaluatedItems = d.boolSchema(d.keyOrigin(m, key))
	case "unevaluatedProperties":
		v.UnevaluatedProperties = d.boolSchema(d.keyOrigin(m, key))
	default:
		return false
	}
	return true
}

// schemaScalar reads the members of a Schema that hold strings, booleans
// and numbers.
func (d *jsonDecoder) schemaScalar(v *openapi3.Schema, m *members) bool {
	switch string(m.key) {
	case "title":
		v.Title = d.str()
	case "format":
		v.Format = d.str()
	case "description":
		v.Description = d.str()
	case "pattern":
		v.Pattern = d.str()
	case "$schema":
		v.SchemaDialect = d.str()
	case "$comment":
		v.Comment = d.str()
	case "$id":
		v.SchemaID = d.str()
	case "$anchor":
		v.Anchor = d.str()
	case "$dynamicRef":
		v.DynamicRef = d.str()
	case "$dynamicAnchor":
		v.DynamicAnchor = d.str()
	case "contentMediaType":
		v.ContentMediaType = d.str()
	case "contentEncoding":
		v.ContentEncoding = d.str()
	case "uniqueItems":
		v.UniqueItems = d.boolean()
	case "nullable":
		v.Nullable = d.boolean()
	case "readOnly":
		v.ReadOnly = d.boolean()
	case "writeOnly":
		v.WriteOnly = d.boolean()
	case "allowEmptyValue":
		v.AllowEmptyValue = d.boolean()
	case "deprecated":
		v.Deprecated = d.boolean()
	default:
		return d.schemaNumber(v, m)
	}
	return true
}

// schemaNumber reads the members of a Schema that hold numbers.
func (d *jsonDecoder) schemaNumber(v *openapi3.Schema, m *members) bool {
	switch string(m.key) {
	case "minimum":
		v.Min = d.floatPtr()
	case "maximum":
		v.Max = d.floatPtr()
	case "multipleOf":
		v.MultipleOf = d.floatPtr()
	case "exclusiveMinimum":
		v.ExclusiveMin = d.exclusiveBound()
	case "exclusiveMaximum":
		v.ExclusiveMax = d.exclusiveBound()
	case "minLength":
		v.MinLength = d.count()
	case "maxLength":
		v.MaxLength = d.countPtr()
	case "minItems":
		v.MinItems = d.count()
	case "maxItems":
		v.MaxItems = d.countPtr()
	case "minProperties":
		v.MinProps = d.count()
	case "maxProperties":
		v.MaxProps = d.countPtr()
	case "minContains":
		v.MinContains = d.countPtr()
	case "maxContains":
		v.MaxContains = d.countPtr()
	default:
		return false
	}
	return true
}

// schemaOther reads the remaining members of a Schema.
func (d *jsonDecoder) schemaOther(v *openapi3.Schema, m *members) bool {
	switch key := d.keyText(m); key {
	case "type":
		v.Type = d.types()
	case "enum":
		v.Enum = d.anyList()
	case "default":
		v.Default = d.anyValue()
	case "example":
		v.Example = d.anyValue()
	case "const":
		v.Const = d.anyValue()
	case "examples":
		v.Examples = d.anyList()
	case "required":
		v.Required = d.stringList()
	case "externalDocs":
		v.ExternalDocs = d.externalDocs(d.keyOrigin(m, key))
	case "xml":
		v.XML = d.xml(d.keyOrigin(m, key))
	case "discriminator":
		v.Discriminator = d.discriminator(d.keyOrigin(m, key))
	case "dependentRequired":
		v.DependentRequired = d.dependentRequired()
	default:
		return false
	}
	return true
}

// types reads a schema's type: one name or a list of them.
func (d *jsonDecoder) types() *openapi3.Types {
	switch d.next() {
	case 'n':
		d.literal("null")
		return nil
	case '"':
		t := openapi3.Types{d.str()}
		return &t
	case '[':
		t := openapi3.Types(d.stringList())
		return &t
	}
	d.wrongKind("a type name or a list of them")
	return nil
}

// exclusiveBound reads exclusiveMinimum or exclusiveMaximum: a boolean in
// OpenAPI 3.0, a number in 3.1.
func (d *jsonDecoder) exclusiveBound() openapi3.ExclusiveBound {
	switch c := d.next(); {
	case c == 'n':
		d.literal("null")
		return openapi3.ExclusiveBound{}
	case c == 't' || c == 'f':
		b := d.boolean()
		return openapi3.ExclusiveBound{Bool: &b}
	}
	f, ok := d.float()
	if !ok {
		return openapi3.ExclusiveBound{}
	}
	return openapi3.ExclusiveBound{Value: &f}
}

// boolSchema reads a member that holds a boolean or a schema.
func (d *jsonDecoder) boolSchema(origin *openapi3.Origin) openapi3.BoolSchema {
	switch d.next() {
	case 'n':
		d.literal("null")
		return openapi3.BoolSchema{}
	case 't', 'f':
		b := d.boolean()
		return openapi3.BoolSchema{Has: &b}
	}
	return openapi3.BoolSchema{Schema: d.schemaRef(origin)}
}

// xml reads an XML Object.
func (d *jsonDecoder) xml(origin *openapi3.Origin) *openapi3.XML {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.XML{Origin: origin}
	for d.member(&m) {
		switch string(m.key) {
		case "name":
			v.Name = d.str()
		case "namespace":
			v.Namespace = d.str()
		case "prefix":
			v.Prefix = d.str()
		case "attribute":
			v.Attribute = d.boolean()
		case "wrapped":
			v.Wrapped = d.boolean()
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	return v
}

// discriminator reads a Discriminator Object.
func (d *jsonDecoder) discriminator(origin *openapi3.Origin) *openapi3.Discriminator {
	m, ok := d.structStart()
	if !ok {
		return nil
	}
	v := &openapi3.Discriminator{Origin: origin}
	for d.member(&m) {
		switch string(m.key) {
		case "propertyName":
			v.PropertyName = d.str()
		case "mapping":
			v.Mapping = d.mapping()
		default:
			d.extension(&v.Extensions, &m)
		}
	}
	return v
}

// mapping reads a discriminator's mapping: values to schema names or $refs.
func (d *jsonDecoder) mapping() map[string]openapi3.MappingRef {
	return valueMap(d, func() (openapi3.MappingRef, bool) {
		ref, ok := d.stringValue()
		return openapi3.MappingRef{Ref: ref}, ok
	})
}

// dependentRequired reads dependentRequired: property names to lists of them.
func (d *jsonDecoder) dependentRequired() map[string][]string {
	return valueMap(d, func() ([]string, bool) { return d.strictStringList(), true })
}

// schemaRefs reads a list of schemas.
func (d *jsonDecoder) schemaRefs() openapi3.SchemaRefs {
	return objectList(d, d.schemaRef)
}

// nullableSchemaRef reads a schema where kin-openapi keeps a null as nil.
func (d *jsonDecoder) nullableSchemaRef(origin *openapi3.Origin) *openapi3.SchemaRef {
	if d.null() {
		return nil
	}
	return d.schemaRef(origin)
}

// schemaRef reads a schema where a Reference Object may stand: a boolean
// schema, a $ref or a Schema Object.
func (d *jsonDecoder) schemaRef(origin *openapi3.Origin) *openapi3.SchemaRef {
	if c := d.next(); c == 't' || c == 'f' {
		b := d.boolean()
		return &openapi3.SchemaRef{Origin: origin, Value: &openapi3.Schema{Always: &b, Origin: origin}}
	}
	// A SchemaRef declares no "summary" or "description".
	return refOrValue(d, "a schema", false, origin, d.schema,
		func(r plainRef, v *openapi3.Schema) *openapi3.SchemaRef {
			return &openapi3.SchemaRef{Origin: origin, Ref: r.ref, Value: v}
		},
		func(x *openapi3.SchemaRef) {
			x.Origin = origin
			if x.Value != nil {
				x.Value.Origin = origin
			}
		})
}

// refOrValue reads what stands where a Reference Object may: an object
// kin-openapi reads into an XxxRef R, with its Value a V. want names the
// object in errors, and withSummary says whether R declares a "summary" and
// a "description" (see readPlainRef). A plain Reference Object, or an
// object read by read (given origin) with no "$ref", becomes the R that
// build makes of it: build gets a plainRef and a nil V, or a zero plainRef
// and the V. A Reference Object with siblings is decoded by kin-openapi,
// and stamp then gives the R and its Value the origin.
func refOrValue[R, V any](d *jsonDecoder, want string, withSummary bool, origin *openapi3.Origin,
	read func(*openapi3.Origin) (*V, bool), build func(plainRef, *V) *R, stamp func(*R)) *R {
	start, ok := d.refStart(want)
	if !ok {
		return nil
	}
	if r, ok := d.readPlainRef(withSummary); ok {
		return build(r, nil)
	}
	v, sawRef := read(origin)
	if !sawRef {
		return build(plainRef{}, v)
	}
	x := new(R)
	if d.kinDecode(start, x) {
		stamp(x)
	}
	return x
}

// parameterRef reads a parameter where a Reference Object may stand.
func (d *jsonDecoder) parameterRef(origin *openapi3.Origin) *openapi3.ParameterRef {
	return refOrValue(d, "a parameter", true, origin, d.parameter,
		func(r plainRef, v *openapi3.Parameter) *openapi3.ParameterRef {
			return &openapi3.ParameterRef{Origin: origin, Ref: r.ref, Summary: r.summary, Description: r.description, Value: v}
		},
		func(x *openapi3.ParameterRef) {
			x.Origin = origin
			if x.Value != nil {
				x.Value.Origin = origin
			}
		})
}

// headerRef reads a header where a Reference Object may stand.
func (d *jsonDecoder) headerRef(origin *openapi3.Origin) *openapi3.HeaderRef {
	return refOrValue(d, "a header", true, origin, d.header,
		func(r plainRef, v *openapi3.Header) *openapi3.HeaderRef {
			return &openapi3.HeaderRef{Origin: origin, Ref: r.ref, Summary: r.summary, Description: r.description, Value: v}
		},
		func(x *openapi3.HeaderRef) {
			x.Origin = origin
			if x.Value != nil {
				x.Value.Origin = origin
			}
		})
}

// requestBodyRef reads a request body where a Reference Object may stand.
func (d *jsonDecoder) requestBodyRef(origin *openapi3.Origin) *openapi3.RequestBodyRef {
	return refOrValue(d, "a request body", true, origin, d.requestBody,
		func(r plainRef, v *openapi3.RequestBody) *openapi3.RequestBodyRef {
			return &openapi3.RequestBodyRef{Origin: origin, Ref: r.ref, Summary: r.summary, Description: r.description, Value: v}
		},
		func(x *openapi3.RequestBodyRef) {
			x.Origin = origin
			if x.Value != nil {
				x.Value.Origin = origin
			}
		})
}

// responseRef reads a response where a Reference Object may stand.
func (d *jsonDecoder) responseRef(origin *openapi3.Origin) *openapi3.ResponseRef {
	return refOrValue(d, "a response", true, origin, d.response,
		func(r plainRef, v *openapi3.Response) *openapi3.ResponseRef {
			return &openapi3.ResponseRef{Origin: origin, Ref: r.ref, Summary: r.summary, Description: r.description, Value: v}
		},
		func(x *openapi3.ResponseRef) {
			x.Origin = origin
			if x.Value != nil {
				x.Value.Origin = origin
			}
		})
}

// exampleRef reads an example where a Reference Object may stand.
func (d *jsonDecoder) exampleRef(origin *openapi3.Origin) *openapi3.ExampleRef {
	return refOrValue(d, "an example", true, origin, d.example,
		func(r plainRef, v *openapi3.Example) *openapi3.ExampleRef {
			return &openapi3.ExampleRef{Origin: origin, Ref: r.ref, Summary: r.summary, Description: r.description, Value: v}
		},
		func(x *openapi3.ExampleRef) {
			x.Origin = origin
			if x.Value != nil {
				x.Value.Origin = origin
			}
		})
}

// linkRef reads a link where a Reference Object may stand.
func (d *jsonDecoder) linkRef(origin *openapi3.Origin) *openapi3.LinkRef {
	return refOrValue(d, "a link", true, origin, d.link,
		func(r plainRef, v *openapi3.Link) *openapi3.LinkRef {
			return &openapi3.LinkRef{Origin: origin, Ref: r.ref, Summary: r.summary, Description: r.description, Value: v}
		},
		func(x *openapi3.LinkRef) {
			x.Origin = origin
			if x.Value != nil {
				x.Value.Origin = origin
			}
		})
}

// callbackRef reads a callback where a Reference Object may stand.
func (d *jsonDecoder) callbackRef(origin *openapi3.Origin) *openapi3.CallbackRef {
	return refOrValue(d, "a callback", true, origin, d.callback,
		func(r plainRef, v *openapi3.Callback) *openapi3.CallbackRef {
			return &openapi3.CallbackRef{Origin: origin, Ref: r.ref, Summary: r.summary, Description: r.description, Value: v}
		},
		func(x *openapi3.CallbackRef) {
			x.Origin = origin
			if x.Value != nil {
				x.Value.Origin = origin
			}
		})
}

// securitySchemeRef reads a security scheme where a Reference Object may
// stand.
func (d *jsonDecoder) securitySchemeRef(origin *openapi3.Origin) *openapi3.SecuritySchemeRef {
	return refOrValue(d, "a security scheme", true, origin, d.securityScheme,
		func(r plainRef, v *openapi3.SecurityScheme) *openapi3.SecuritySchemeRef {
			return &openapi3.SecuritySchemeRef{Origin: origin, Ref: r.ref, Summary: r.summary, Description: r.description, Value: v}
		},
		func(x *openapi3.SecuritySchemeRef) {
			x.Origin = origin
			if x.Value != nil {
				x.Value.Origin = origin
			}
		})
}
