//go:build linux

package bidi

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestFirefoxLaunch runs the client against a real Firefox: a page loads,
// a script's value and exception come back, an uncaught error arrives as
// a log entry, a confirm dialog waits for the answer, a screenshot is a
// PNG, and Close leaves nothing running. Skipped, saying so, without
// Firefox.
func TestFirefoxLaunch(t *testing.T) {
	if FindFirefox() == "" {
		t.Skip("SKIPPED, NOT PASSED: no firefox-esr or firefox on PATH; install Debian's firefox-esr package to run the WebDriver BiDi client against a browser")
	}
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><title>t</title><p id="p">hello</p>
<button id="b" onclick="document.getElementById('p').textContent = confirm('Sure?') ? 'yes' : 'no'">go</button>`))
	}))
	t.Cleanup(page.Close)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a guard against a hang
	defer cancel()
	b, err := Firefox{Width: 1000, Height: 700}.Launch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			b.Close(context.Background())
		}
	})
	if err := b.Subscribe(ctx, LogEntryAdded, UserPromptOpened); err != nil {
		t.Fatal(err)
	}
	if err := b.Navigate(ctx, b.Context, page.URL); err != nil {
		t.Fatal(err)
	}
	v, err := b.CallFunction(ctx, b.Context, "(sel) => document.querySelector(sel).textContent + ' ' + innerWidth", "#p")
	if s, _ := v.String(); err != nil || s != "hello 1000" {
		t.Errorf("text and width: %q, %v; want hello 1000", s, err)
	}
	if _, err := b.Evaluate(ctx, b.Context, "document.querySelector('#nope').click()"); err == nil || !strings.Contains(err.Error(), "null") {
		t.Errorf("a throwing script: %v, want a ScriptError", err)
	}

	// An error nobody catches, then a dialog.
	if _, err := b.Evaluate(ctx, b.Context, `setTimeout(() => { throw new Error("probe") }); setTimeout(() => document.getElementById("b").click(), 10); true`); err != nil {
		t.Fatal(err)
	}
	var sawError, sawPrompt bool
	for !sawError || !sawPrompt {
		var ev Event
		select {
		case ev = <-b.Events():
		case <-ctx.Done():
			t.Fatalf("events: error %v, prompt %v; %v", sawError, sawPrompt, ctx.Err())
		}
		switch ev.Method {
		case LogEntryAdded:
			var e LogEntry
			ev.Decode(&e)
			if e.Level == "error" && strings.Contains(e.Text, "probe") {
				sawError = true
			}
		case UserPromptOpened:
			var p UserPrompt
			ev.Decode(&p)
			if p.Type != "confirm" || p.Message != "Sure?" || p.Handler != "ignore" {
				t.Errorf("prompt %+v, want the confirm, left to us", p)
			}
			if err := b.HandleUserPrompt(ctx, p.Context, true); err != nil {
				t.Fatal(err)
			}
			sawPrompt = true
		}
	}
	v, err = b.Evaluate(ctx, b.Context, `document.getElementById("p").textContent`)
	if s, _ := v.String(); err != nil || s != "yes" {
		t.Errorf("after accepting: %q, %v; want yes", s, err)
	}
	png, err := b.Screenshot(ctx, b.Context, false)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("screenshot: %d bytes, %v; want a PNG", len(png), err)
	}
	closed = true
	if err := b.Close(ctx); err != nil {
		t.Errorf("Close: %v\n%s", err, b.Log())
	}
	if left := liveInGroup(t, b.cmd.Process.Pid); len(left) > 0 {
		t.Errorf("after Close, the browser's processes %v still run", left)
	}
}

// liveInGroup returns the processes of the process group pgid that still
// run: zombies (ended, waiting for their new parent to reap them) do not
// count.
func liveInGroup(t *testing.T, pgid int) []string {
	t.Helper()
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var live []string
	for _, f := range stats {
		data, err := os.ReadFile(f)
		if err != nil {
			continue // ended meanwhile
		}
		// pid (comm) state ppid pgrp …; comm may hold spaces and parens.
		i := bytes.LastIndexByte(data, ')')
		fields := strings.Fields(string(data[i+1:]))
		if len(fields) > 2 && fields[2] == strconv.Itoa(pgid) && fields[0] != "Z" && fields[0] != "X" {
			live = append(live, string(data[:i+1]))
		}
	}
	return live
}
