package mockserver

import (
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/decoy-mock/decoy/openapi"
)

// The JSON line of a shared record, written by hand: encoding/json spent
// most of what writing a record costs on reflection and on sorting the
// header maps, for a line only readRecord reads, with json.Unmarshal. So
// the line needs only to decode to what encoding/json's does, not to be
// the same bytes: fields with zero values are left out (they decode to
// zero), and strings escape only what JSON requires. TestRecordJSONDecodesAsTheLibrarys and
// FuzzRecordJSONDecodesAsTheLibrarys prove it, for every field of the
// record (a field added to Entry and forgotten here fails them).

// appendRecordJSON appends the JSON of rec, on one line, to dst.
func appendRecordJSON(dst []byte, rec *sharedRecord) []byte {
	w := jsonObject{dst: append(dst, '{')}
	e := &rec.Entry
	w.uint("id", e.ID)
	if !e.Time.IsZero() {
		w.time("time", e.Time)
	}
	w.str("method", e.Method)
	w.str("path", e.Path)
	w.str("query", e.Query)
	w.strMap("headers", e.Headers)
	w.int("headers_omitted", e.HeadersOmitted)
	w.str("body", e.Body)
	w.int("body_bytes", e.BodyBytes)
	w.str("client", e.Client)
	w.str("operation", e.Operation)
	w.str("scenario", e.Scenario)
	w.str("rule", e.Rule)
	w.violations("violations", e.Violations)
	w.int("violations_omitted", e.ViolationsOmitted)
	w.violations("response_violations", e.ResponseViolations)
	w.int("response_violations_omitted", e.ResponseViolationsOmitted)
	w.strs("notes", e.Notes)
	w.strs("breaks", e.Breaks)
	w.int("status", e.Status)
	w.str("source", e.Source)
	w.str("kind", e.Kind)
	if e.Gap {
		w.key("gap")
		w.dst = append(w.dst, "true"...)
	}
	w.float("duration_ms", e.DurationMS)
	objects(&w, "closest", e.Closest, func(o *jsonObject, m Miss) {
		o.str("operation", m.Operation)
		o.str("method", m.Method)
		o.str("path", m.Path)
		o.strs("mismatch", m.Mismatch)
	})
	if r := e.Response; r != nil {
		w.key("response")
		o := jsonObject{dst: append(w.dst, '{')}
		o.int("status", r.Status)
		o.strMap("headers", r.Headers)
		o.int("headers_omitted", r.HeadersOmitted)
		o.str("body", r.Body)
		o.int("body_bytes", r.BodyBytes)
		w.dst = append(o.dst, '}')
	}
	w.str("x_op", rec.Op)
	w.str("x_response", rec.Response)
	objects(&w, "x_breaches", rec.Breaches, func(o *jsonObject, b sharedBreach) {
		o.str("kind", b.Kind)
		o.str("message", b.Message)
	})
	w.int("x_body_len", rec.BodyLen)
	w.int("x_response_body_len", rec.ResponseBodyLen)
	return append(w.dst, '}')
}

// jsonObject appends the members of a JSON object whose '{' is written;
// each method leaves out a zero value.
type jsonObject struct {
	dst  []byte
	more bool // a member was written: the next needs a comma
}

func (w *jsonObject) key(k string) {
	if w.more {
		w.dst = append(w.dst, ',')
	}
	w.more = true
	w.dst = appendJSONString(w.dst, k)
	w.dst = append(w.dst, ':')
}

func (w *jsonObject) str(k, v string) {
	if v != "" {
		w.key(k)
		w.dst = appendJSONString(w.dst, v)
	}
}

func (w *jsonObject) int(k string, v int) {
	if v != 0 {
		w.key(k)
		w.dst = strconv.AppendInt(w.dst, int64(v), 10)
	}
}

func (w *jsonObject) uint(k string, v uint64) {
	if v != 0 {
		w.key(k)
		w.dst = strconv.AppendUint(w.dst, v, 10)
	}
}

// float writes v so that it parses back to v; a NaN or an infinity, which
// JSON cannot say (and a duration never is), is left out.
func (w *jsonObject) float(k string, v float64) {
	if v != 0 && !math.IsNaN(v) && !math.IsInf(v, 0) {
		w.key(k)
		w.dst = strconv.AppendFloat(w.dst, v, 'g', -1, 64)
	}
}

// time writes t as time.Time's MarshalJSON does; a time it refuses (a
// year past 9999) is left out.
func (w *jsonObject) time(k string, t time.Time) {
	if y := t.Year(); y < 0 || y > 9999 {
		return
	}
	w.key(k)
	w.dst = append(w.dst, '"')
	w.dst = t.AppendFormat(w.dst, time.RFC3339Nano)
	w.dst = append(w.dst, '"')
}

func (w *jsonObject) strs(k string, vs []string) {
	if len(vs) == 0 {
		return
	}
	w.key(k)
	w.dst = append(w.dst, '[')
	for i, v := range vs {
		if i > 0 {
			w.dst = append(w.dst, ',')
		}
		w.dst = appendJSONString(w.dst, v)
	}
	w.dst = append(w.dst, ']')
}

// strMap writes m's keys in order, as encoding/json does: two keys that
// are not valid UTF-8 may read as one, and the last one written wins.
func (w *jsonObject) strMap(k string, m map[string]string) {
	if len(m) == 0 {
		return
	}
	var room [maxEntryHeaders]string // an entry's headers fit
	names := room[:0]
	for name := range m {
		names = append(names, name)
	}
	slices.Sort(names)
	w.key(k)
	o := jsonObject{dst: append(w.dst, '{')}
	for _, name := range names {
		o.key(name)
		o.dst = appendJSONString(o.dst, m[name])
	}
	w.dst = append(o.dst, '}')
}

func (w *jsonObject) violations(k string, vs []openapi.Violation) {
	objects(w, k, vs, func(o *jsonObject, v openapi.Violation) {
		o.str("location", v.Location)
		o.str("parameter", v.Parameter)
		o.str("pointer", v.Pointer)
		o.str("code", v.Code)
		o.str("message", v.Message)
	})
}

// objects writes member k, an array with one object per element of vs
// (each written by member), unless vs is empty.
func objects[T any](w *jsonObject, k string, vs []T, member func(o *jsonObject, v T)) {
	if len(vs) == 0 {
		return
	}
	w.key(k)
	w.dst = append(w.dst, '[')
	for i, v := range vs {
		if i > 0 {
			w.dst = append(w.dst, ',')
		}
		o := jsonObject{dst: append(w.dst, '{')}
		member(&o, v)
		w.dst = append(o.dst, '}')
	}
	w.dst = append(w.dst, ']')
}

// appendJSONString appends s as a JSON string that decodes to what
// encoding/json's encoding of s decodes to: the quote, the backslash and
// control characters escaped, each byte that is not part of valid UTF-8 as
// U+FFFD, the rest as it is.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		default:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
