package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/decoy-mock/decoy/mockserver"
)

// lineHandler writes one readable line per request ("GET /pets 200 1.2ms
// example listPets"), its violations indented under it, and other records as
// "LEVEL message key=value…". Colors are used only on a terminal, and never
// when NO_COLOR is set.
//
// Groups are written as slog's TextHandler writes them: "G.H.key=value".
type lineHandler struct {
	mu    *sync.Mutex
	w     io.Writer
	color bool
	// attrs are the attributes of WithAttrs, flattened (see addFlat).
	attrs attrList
	// groups is the prefix of the groups WithGroup opened ("G.H."), "" for
	// none.
	groups string
	level  slog.Leveler
}

func newLineHandler(w io.Writer, color bool) *lineHandler {
	return &lineHandler{mu: &sync.Mutex{}, w: w, color: color, level: slog.LevelInfo}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

func (h *lineHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level.Level() }

func (h *lineHandler) WithAttrs(as []slog.Attr) slog.Handler {
	if len(as) == 0 {
		return h
	}
	c := *h
	c.attrs = slices.Clone(h.attrs)
	for _, a := range as {
		c.attrs.addFlat(h.groups, a)
	}
	return &c
}

func (h *lineHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.groups = h.groups + name + "."
	return &c
}

const (
	ansiReset  = "\x1b[0m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
	ansiBold   = "\x1b[1m"
)

// paint appends s to b, in color code on a terminal.
func (h *lineHandler) paint(b []byte, code, s string) []byte {
	if !h.color {
		return append(b, s...)
	}
	b = append(b, code...)
	b = append(b, s...)
	return append(b, ansiReset...)
}

// attrList is a record's attributes, the handler's first; a later value of
// a key replaces an earlier one in place.
type attrList []slog.Attr

func (l attrList) get(key string) (slog.Value, bool) {
	for _, a := range l {
		if a.Key == key {
			return a.Value, true
		}
	}
	return slog.Value{}, false
}

func (l *attrList) add(a slog.Attr) {
	for i := range *l {
		if (*l)[i].Key == a.Key {
			(*l)[i].Value = a.Value
			return
		}
	}
	*l = append(*l, a)
}

// addFlat adds a with its value resolved and its key prefixed by groups
// ("G.H."). A group adds its attributes one by one, under its key (none
// when the key is empty: inlined); an empty group, or an empty Attr, adds
// nothing. Without groups a key is used as it is, with no allocation.
func (l *attrList) addFlat(groups string, a slog.Attr) {
	if a.Value.Kind() == slog.KindLogValuer {
		a.Value = a.Value.Resolve()
	}
	if a.Value.Kind() == slog.KindGroup {
		if a.Key != "" {
			groups += a.Key + "."
		}
		for _, g := range a.Value.Group() {
			l.addFlat(groups, g)
		}
		return
	}
	if a.Key == "" && a.Equal(slog.Attr{}) {
		return
	}
	if groups != "" {
		a.Key = groups + a.Key
	}
	l.add(a)
}

// attrPool recycles the lists records' attributes are gathered in.
var attrPool = sync.Pool{New: func() any { l := make(attrList, 0, 16); return &l }}

// linePool recycles the buffers lines are formatted in: a line per request
// is the busiest thing Decoy logs.
var linePool = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

func (h *lineHandler) Handle(_ context.Context, r slog.Record) error {
	ap := attrPool.Get().(*attrList)
	defer func() {
		clear(*ap) // let go of the values
		*ap = (*ap)[:0]
		attrPool.Put(ap)
	}()
	for _, a := range h.attrs {
		ap.add(a)
	}
	r.Attrs(func(a slog.Attr) bool {
		ap.addFlat(h.groups, a)
		return true
	})
	attrs := *ap
	if r.Message == "request" && h.groups == "" {
		return h.emit(r.Time, func(b []byte) []byte { return h.request(b, requestLineOf(attrs)) })
	}
	return h.emit(r.Time, func(b []byte) []byte {
		b = h.paint(b, h.levelColor(r.Level), h.levelWord(r.Level))
		b = append(b, ' ')
		b = append(b, r.Message...)
		for _, a := range attrs {
			b = append(b, ' ')
			b = append(b, a.Key...)
			b = append(b, '=')
			b = append(b, quoteIfSpace(a.Value.String())...)
		}
		return append(b, '\n')
	})
}

// LogRequest writes a request line the server hands over directly
// (mockserver.RequestLogger), the same line Handle writes for a "request"
// record.
func (h *lineHandler) LogRequest(l mockserver.RequestLine) {
	_ = h.emit(l.Time, func(b []byte) []byte { return h.request(b, l) })
}

// emit writes one line: its time (if not zero), then what fill appends, in
// a pooled buffer.
func (h *lineHandler) emit(t time.Time, fill func([]byte) []byte) error {
	bp := linePool.Get().(*[]byte)
	b := (*bp)[:0]
	if !t.IsZero() { // a zero time is no time (slog.Handler's rule)
		if h.color {
			b = append(b, ansiDim...)
		}
		b = appendClock(b, t)
		if h.color {
			b = append(b, ansiReset...)
		}
		b = append(b, ' ')
	}
	b = fill(b)
	h.mu.Lock()
	_, err := h.w.Write(b)
	h.mu.Unlock()
	if cap(b) <= 64<<10 {
		*bp = b
		linePool.Put(bp)
	}
	return err
}

// clockText is the "15:04:05" text of one second in one location.
type clockText struct {
	sec  int64
	loc  *time.Location
	text string
}

// lastClock caches the text of the second lines are being written in:
// formatting a time in the local zone costs more than the rest of a
// request line, and a busy server writes thousands of lines a second.
var lastClock atomic.Pointer[clockText]

// appendClock appends t as "15:04:05".
func appendClock(b []byte, t time.Time) []byte {
	sec, loc := t.Unix(), t.Location()
	if c := lastClock.Load(); c != nil && c.sec == sec && c.loc == loc {
		return append(b, c.text...)
	}
	c := &clockText{sec: sec, loc: loc, text: t.Format("15:04:05")}
	lastClock.Store(c)
	return append(b, c.text...)
}

// requestLineOf reads a "request" record's attributes (as
// mockserver logs them for handlers that take records).
func requestLineOf(a attrList) mockserver.RequestLine {
	var l mockserver.RequestLine
	v, _ := a.get("method")
	l.Method = v.String()
	v, _ = a.get("path")
	l.Path = v.String()
	v, _ = a.get("status")
	l.Status = int(intOf(v))
	v, _ = a.get("duration")
	l.Duration = durationOf(v)
	if v, ok := a.get("operation"); ok {
		l.Operation = v.String()
	}
	if v, ok := a.get("source"); ok {
		l.Source = v.String()
	}
	v, _ = a.get("violations")
	l.Violations = int(intOf(v))
	for i := 0; ; i++ {
		v, ok := a.get("violation." + strconv.Itoa(i))
		if !ok {
			break
		}
		l.Messages = append(l.Messages, v.String())
	}
	if v, ok := a.get("more"); ok {
		l.More = int(intOf(v))
	}
	if v, ok := a.get("spec_gap"); ok {
		l.Gap = v.String()
	}
	return l
}

// intOf and durationOf read an attribute whatever its kind, 0 when absent:
// a log line must never panic over a missing or odd value.
func intOf(v slog.Value) int64 {
	switch v.Kind() {
	case slog.KindInt64:
		return v.Int64()
	case slog.KindUint64:
		return int64(v.Uint64())
	case slog.KindFloat64:
		return int64(v.Float64())
	}
	return 0
}

func durationOf(v slog.Value) time.Duration {
	if v.Kind() == slog.KindDuration {
		return v.Duration()
	}
	return time.Duration(intOf(v))
}

// request formats a request line: "GET     /pets 200 1.2ms example
// listPets", its violations indented under it.
func (h *lineHandler) request(b []byte, l mockserver.RequestLine) []byte {
	color := ansiGreen
	switch {
	case l.Status >= 500:
		color = ansiRed
	case l.Status >= 400:
		color = ansiYellow
	case l.Status >= 300:
		color = ansiCyan
	}
	b = append(b, l.Method...)
	for i := len(l.Method); i < 7; i++ {
		b = append(b, ' ')
	}
	b = append(b, ' ')
	b = append(b, l.Path...)
	b = append(b, ' ')
	b = h.paint(b, ansiBold+color, strconv.Itoa(l.Status))
	b = append(b, ' ')
	b = appendDuration(b, l.Duration.Round(10*time.Microsecond))
	for _, v := range [...]string{l.Source, l.Operation} {
		if v != "" {
			b = append(b, ' ')
			b = h.paint(b, ansiDim, v)
		}
	}
	if l.Violations > 0 {
		b = h.paint(b, ansiYellow, " "+strconv.Itoa(l.Violations)+" violation(s)")
	}
	b = append(b, '\n')
	for _, m := range l.Messages {
		b = append(b, "           "...)
		b = h.paint(b, ansiYellow, "✗")
		b = append(b, ' ')
		b = append(b, m...)
		b = append(b, '\n')
	}
	if l.More > 0 {
		b = append(b, "           … and "...)
		b = strconv.AppendInt(b, int64(l.More), 10)
		b = append(b, " more\n"...)
	}
	if l.Gap != "" {
		b = append(b, "           "...)
		b = h.paint(b, ansiCyan, "!")
		b = append(b, " spec gap: "...)
		b = append(b, l.Gap...)
		b = append(b, '\n')
	}
	return b
}

// appendDuration appends d as time.Duration.String writes it, without
// allocating for the common sub-second case.
func appendDuration(b []byte, d time.Duration) []byte {
	switch {
	case d < 0 || d >= time.Second:
		return append(b, d.String()...)
	case d == 0:
		return append(b, "0s"...)
	case d < time.Microsecond:
		return appendFixed(b, int64(d), 0, "ns")
	case d < time.Millisecond:
		return appendFixed(b, int64(d), 3, "µs")
	}
	return appendFixed(b, int64(d), 6, "ms")
}

// appendFixed appends n / 10^scale with its trailing zeros (and point)
// trimmed, then unit: appendFixed(b, 1500, 3, "µs") is "1.5µs".
func appendFixed(b []byte, n int64, scale int, unit string) []byte {
	pow := int64(1)
	for range scale {
		pow *= 10
	}
	b = strconv.AppendInt(b, n/pow, 10)
	if frac := n % pow; frac != 0 {
		digits := strconv.AppendInt(make([]byte, 0, 8), frac+pow, 10)[1:] // zero-padded
		for len(digits) > 0 && digits[len(digits)-1] == '0' {
			digits = digits[:len(digits)-1]
		}
		b = append(b, '.')
		b = append(b, digits...)
	}
	return append(b, unit...)
}

func (h *lineHandler) levelColor(l slog.Level) string {
	switch {
	case l >= slog.LevelError:
		return ansiRed
	case l >= slog.LevelWarn:
		return ansiYellow
	}
	return ansiDim
}

func (h *lineHandler) levelWord(l slog.Level) string {
	switch {
	case l >= slog.LevelError:
		return "ERROR"
	case l >= slog.LevelWarn:
		return "WARN "
	}
	return "INFO "
}

func quoteIfSpace(s string) string {
	if strings.ContainsAny(s, " \t\n\"") {
		return fmt.Sprintf("%q", s)
	}
	return s
}
