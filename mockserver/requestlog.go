package mockserver

import (
	"log/slog"
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
