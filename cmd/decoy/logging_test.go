package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"testing/slogtest"
	"time"

	"github.com/decoy-mock/decoy/mockserver"
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
// request: handed over directly (what the server does with this handler),
// and as a slog record (what other handlers get).
func BenchmarkRequestLine(b *testing.B) {
	h := newLineHandler(io.Discard, false)
	line := mockserver.RequestLine{Time: time.Now(), Method: "GET", Path: "/v2/agents/agt_customer_support/sessions", Status: 200,
		Duration: 212 * time.Microsecond, Operation: "listAgentSessions", Source: "collection"}
	b.Run("direct", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			h.LogRequest(line)
		}
	})
	b.Run("record", func(b *testing.B) {
		log := slog.New(h)
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			log.LogAttrs(ctx, slog.LevelInfo, "request", slog.String("method", "GET"), slog.String("path", "/v2/agents/agt_customer_support/sessions"),
				slog.Int("status", 200), slog.Duration("duration", 212*time.Microsecond), slog.String("operation", "listAgentSessions"),
				slog.String("source", "collection"), slog.Int("violations", 0))
		}
	})
}

func TestAppendDurationMatchesString(t *testing.T) {
	for _, d := range []time.Duration{0, 1, 999, time.Microsecond, 1500, 210 * time.Microsecond, 999999, time.Millisecond,
		1234567, 10 * time.Millisecond, 999999999, time.Second, 90 * time.Second, -5 * time.Millisecond} {
		if got := string(appendDuration(nil, d)); got != d.String() {
			t.Errorf("appendDuration(%d) = %q, want %q", int64(d), got, d.String())
		}
	}
}

// TestLogRequestWritesWhatARecordWould: a request line handed over
// directly reads exactly as the same line logged as a slog record.
func TestLogRequestWritesWhatARecordWould(t *testing.T) {
	when := time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)
	line := mockserver.RequestLine{Time: when, Level: slog.LevelWarn, Method: "POST", Path: "/v1/agents/sessions/list", Status: 422,
		Duration: 1234567, Operation: "listSessions", Source: "decoy", Violations: 7,
		Messages: []string{"one", "two", "three", "four", "five"}, More: 2, Gap: "status 422 is not documented"}
	for _, color := range []bool{false, true} {
		var direct, viaRecord bytes.Buffer
		newLineHandler(&direct, color).LogRequest(line)
		rec := slog.NewRecord(when, slog.LevelWarn, "request", 0)
		rec.AddAttrs(slog.String("method", line.Method), slog.String("path", line.Path), slog.Int("status", line.Status),
			slog.Duration("duration", line.Duration), slog.String("operation", line.Operation), slog.String("source", line.Source),
			slog.Int("violations", line.Violations))
		for i, m := range line.Messages {
			rec.AddAttrs(slog.String(fmt.Sprintf("violation.%d", i), m))
		}
		rec.AddAttrs(slog.Int("more", line.More), slog.String("spec_gap", line.Gap))
		if err := newLineHandler(&viaRecord, color).Handle(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
		if direct.String() != viaRecord.String() {
			t.Errorf("color %v: direct\n%s\nrecord\n%s", color, direct.String(), viaRecord.String())
		}
		if !strings.Contains(direct.String(), "… and 2 more") || !strings.Contains(direct.String(), "spec gap: status 422") {
			t.Errorf("color %v: %s", color, direct.String())
		}
	}
}

// TestAppendClock checks the cached clock against time.Format across
// seconds and locations.
func TestAppendClock(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	base := time.Date(2026, 3, 29, 0, 59, 59, 900_000_000, time.UTC)
	for _, tm := range []time.Time{
		base, base.Add(50 * time.Millisecond), base.Add(100 * time.Millisecond), base.In(tokyo),
		base.Add(time.Second).In(tokyo), base.Add(time.Second), base.Add(-time.Hour), base,
	} {
		got := string(appendClock([]byte("x"), tm))
		if want := "x" + tm.Format("15:04:05"); got != want {
			t.Errorf("appendClock(%v) = %q, want %q", tm, got, want)
		}
	}
}

// TestLineHandlerIsASlogHandler runs slog's own handler tests (groups,
// WithAttrs, WithGroup, empty attributes and groups, LogValuers, a zero
// time) on the line handler's "LEVEL message key=value" lines, reading
// "G.H.key" as key inside group H inside group G.
func TestLineHandlerIsASlogHandler(t *testing.T) {
	var buf bytes.Buffer
	clock := regexp.MustCompile(`^\d\d:\d\d:\d\d$`)
	slogtest.Run(t, func(*testing.T) slog.Handler {
		buf.Reset()
		return newLineHandler(&buf, false)
	}, func(t *testing.T) map[string]any {
		line := strings.TrimSuffix(buf.String(), "\n")
		if strings.Contains(line, "\n") {
			t.Fatalf("more than one line: %q", buf.String())
		}
		m := map[string]any{}
		fields := strings.Fields(line)
		if len(fields) > 0 && clock.MatchString(fields[0]) {
			m[slog.TimeKey], fields = fields[0], fields[1:]
		}
		if len(fields) < 2 {
			t.Fatalf("no level and message in %q", line)
		}
		m[slog.LevelKey], m[slog.MessageKey] = fields[0], fields[1]
		for _, f := range fields[2:] {
			k, v, ok := strings.Cut(f, "=")
			if !ok {
				t.Fatalf("%q in %q is not key=value", f, line)
			}
			path := strings.Split(k, ".")
			group := m
			for _, g := range path[:len(path)-1] {
				sub, ok := group[g].(map[string]any)
				if !ok {
					sub = map[string]any{}
					group[g] = sub
				}
				group = sub
			}
			group[path[len(path)-1]] = v
		}
		return m
	})
}
