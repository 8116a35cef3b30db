package mockserver

import (
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// RequestLine is what the server logs of one request.
type RequestLine struct {
	Time      time.Time
	Level     slog.Level // Warn when the request broke the contract or hit a spec gap
	Method    string
	Path      string
	Status    int
	Duration  time.Duration
	Operation string // "" when no operation matched
	Source    string // what answered: "collection", "example", "decoy"…
	// Violations counts the contract breaks; Messages words the first five
	// of them and More counts the rest.
	Violations int
	Messages   []string
	More       int
	// Gap is set when the status is one the operation does not document.
	Gap string
}

// RequestLogger is a slog.Handler that can also take request lines
// directly. The server logs a line per request; a handler that implements
// it (the CLI's does) is handed the line as is, without a slog.Record to
// fill and then take apart, which cost more than anything else the server
// logs. Other handlers get a record with the same content: the attributes
// method, path, status, duration, operation, source, violations,
// violation.N, more and spec_gap.
type RequestLogger interface {
	LogRequest(RequestLine)
}

func (s *Server) logExchange(r *http.Request, ex *exchange) {
	breaks := len(ex.violations) + len(ex.respViolations)
	if breachOf(ex.kind) != "" {
		breaks++
	}
	level := slog.LevelInfo
	if breaks > 0 || ex.gap {
		level = slog.LevelWarn
	}
	h := s.log.Handler()
	ctx := r.Context()
	if !h.Enabled(ctx, level) {
		return
	}
	now := s.now()
	line := RequestLine{Time: now, Level: level, Method: r.Method, Path: r.URL.Path, Status: ex.status,
		Duration: now.Sub(ex.start), Source: ex.source, Violations: breaks}
	if ex.op != nil {
		line.Operation = ex.op.ID
	}
	if level == slog.LevelWarn {
		all := ex.violations
		if len(ex.respViolations) > 0 {
			all = append(slices.Clip(all), ex.respViolations...)
		}
		for i, v := range all {
			if i == 5 {
				line.More = len(all) - 5
				break
			}
			line.Messages = append(line.Messages, v.Message)
		}
		if ex.gap {
			line.Gap = fmt.Sprintf("status %d is not documented", ex.status)
		}
	}
	if rl, ok := h.(RequestLogger); ok {
		rl.LogRequest(line)
		return
	}
	// A record made here, not by Logger.LogAttrs, which would walk the
	// stack for the caller's PC on every request (no handler of Decoy's
	// shows it).
	rec := slog.NewRecord(now, level, "request", 0)
	rec.AddAttrs(
		slog.String("method", line.Method),
		slog.String("path", line.Path),
		slog.Int("status", line.Status),
		slog.Duration("duration", line.Duration),
	)
	if line.Operation != "" {
		rec.AddAttrs(slog.String("operation", line.Operation))
	}
	rec.AddAttrs(slog.String("source", line.Source), slog.Int("violations", line.Violations))
	for i, m := range line.Messages {
		rec.AddAttrs(slog.String("violation."+strconv.Itoa(i), m))
	}
	if line.More > 0 {
		rec.AddAttrs(slog.Int("more", line.More))
	}
	if line.Gap != "" {
		rec.AddAttrs(slog.String("spec_gap", line.Gap))
	}
	_ = h.Handle(ctx, rec)
}
