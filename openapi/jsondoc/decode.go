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
