package main

import (
	"bytes"
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
