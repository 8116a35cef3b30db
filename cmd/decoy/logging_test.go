package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestLineHandler(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(newLineHandler(&buf, false))
	log.Warn("request", "method", "GET", "path", "/pets", "status", 400, "duration", 1500*time.Microsecond,
		"operation", "listPets", "source", "decoy", "violations", 2,
		"violation.0", `query parameter "limit": must be at most 100`, "violation.1", "second")
	log.Info("reloaded", "spec", "openapi.yaml")
	out := buf.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("want request line, 2 violations, reload line; got:\n%s", out)
	}
	for _, w := range []string{"GET", "/pets", "400", "1.5ms", "listPets", "2 violation(s)"} {
		if !strings.Contains(lines[0], w) {
			t.Errorf("request line %q lacks %q", lines[0], w)
		}
	}
	if !strings.Contains(lines[1], `✗ query parameter "limit"`) || !strings.Contains(lines[3], "INFO  reloaded spec=openapi.yaml") {
		t.Errorf("got:\n%s", out)
	}
	if strings.Contains(out, "\x1b[") {
		t.Errorf("colors without a terminal")
	}
	buf.Reset()
	slog.New(newLineHandler(&buf, true)).Info("request", "method", "GET", "path", "/", "status", 200)
	if !strings.Contains(buf.String(), "\x1b[") {
		t.Errorf("no colors on a terminal: %q", buf.String())
	}
}

// BenchmarkRequestLine logs one request line, as the server does for every
// request.
func BenchmarkRequestLine(b *testing.B) {
	log := slog.New(newLineHandler(io.Discard, false))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		log.LogAttrs(ctx, slog.LevelInfo, "request", slog.String("method", "GET"), slog.String("path", "/v2/agents/agt_customer_support/sessions"),
			slog.Int("status", 200), slog.Duration("duration", 212*time.Microsecond), slog.String("operation", "listAgentSessions"),
			slog.String("source", "collection"), slog.Int("violations", 0))
	}
}

func TestAppendDurationMatchesString(t *testing.T) {
	for _, d := range []time.Duration{0, 1, 999, time.Microsecond, 1500, 210 * time.Microsecond, 999999, time.Millisecond,
		1234567, 10 * time.Millisecond, 999999999, time.Second, 90 * time.Second, -5 * time.Millisecond} {
		if got := string(appendDuration(nil, d)); got != d.String() {
			t.Errorf("appendDuration(%d) = %q, want %q", int64(d), got, d.String())
		}
	}
}
