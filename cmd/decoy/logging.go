package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"
)

// lineHandler writes one readable line per request ("GET /pets 200 1.2ms
// example listPets"), its violations indented under it, and other records as
// "LEVEL message key=value…". Colors are used only on a terminal, and never
// when NO_COLOR is set.
type lineHandler struct {
	mu    *sync.Mutex
	w     io.Writer
	color bool
	attrs []slog.Attr
	level slog.Leveler
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
	c := *h
	c.attrs = append(append([]slog.Attr{}, h.attrs...), as...)
	return &c
}

func (h *lineHandler) WithGroup(string) slog.Handler { return h }

const (
	ansiReset  = "\x1b[0m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
	ansiBold   = "\x1b[1m"
)

func (h *lineHandler) paint(code, s string) string {
	if !h.color {
		return s
	}
	return code + s + ansiReset
}

func (h *lineHandler) Handle(_ context.Context, r slog.Record) error {
	attrs := map[string]slog.Value{}
	var order []string
	collect := func(a slog.Attr) bool {
		if _, seen := attrs[a.Key]; !seen {
			order = append(order, a.Key)
		}
		attrs[a.Key] = a.Value
		return true
	}
	for _, a := range h.attrs {
		collect(a)
	}
	r.Attrs(collect)
	var b strings.Builder
	b.WriteString(h.paint(ansiDim, r.Time.Format("15:04:05")))
	b.WriteByte(' ')
	if r.Message == "request" {
		h.request(&b, attrs)
	} else {
		b.WriteString(h.levelWord(r.Level))
		b.WriteByte(' ')
		b.WriteString(r.Message)
		for _, k := range order {
			fmt.Fprintf(&b, " %s=%s", k, quoteIfSpace(attrs[k].String()))
		}
		b.WriteByte('\n')
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, b.String())
	return err
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

func (h *lineHandler) request(b *strings.Builder, a map[string]slog.Value) {
	status := int(intOf(a["status"]))
	color := ansiGreen
	switch {
	case status >= 500:
		color = ansiRed
	case status >= 400:
		color = ansiYellow
	case status >= 300:
		color = ansiCyan
	}
	fmt.Fprintf(b, "%-7s %s %s %s", a["method"].String(), a["path"].String(), h.paint(ansiBold+color, fmt.Sprint(status)), durationOf(a["duration"]).Round(10*time.Microsecond))
	for _, k := range []string{"source", "operation", "scenario"} {
		if v, ok := a[k]; ok && v.String() != "" {
			b.WriteByte(' ')
			b.WriteString(h.paint(ansiDim, v.String()))
		}
	}
	if n := intOf(a["violations"]); n > 0 {
		b.WriteString(h.paint(ansiYellow, fmt.Sprintf(" %d violation(s)", n)))
	}
	b.WriteByte('\n')
	for i := 0; ; i++ {
		v, ok := a[fmt.Sprintf("violation.%d", i)]
		if !ok {
			break
		}
		fmt.Fprintf(b, "           %s %s\n", h.paint(ansiYellow, "✗"), v.String())
	}
	if more, ok := a["more"]; ok {
		fmt.Fprintf(b, "           … and %d more\n", intOf(more))
	}
	if gap, ok := a["spec_gap"]; ok {
		fmt.Fprintf(b, "           %s spec gap: %s\n", h.paint(ansiCyan, "!"), gap.String())
	}
}

func (h *lineHandler) levelWord(l slog.Level) string {
	switch {
	case l >= slog.LevelError:
		return h.paint(ansiRed, "ERROR")
	case l >= slog.LevelWarn:
		return h.paint(ansiYellow, "WARN ")
	}
	return h.paint(ansiDim, "INFO ")
}

func quoteIfSpace(s string) string {
	if strings.ContainsAny(s, " \t\n\"") {
		return fmt.Sprintf("%q", s)
	}
	return s
}
