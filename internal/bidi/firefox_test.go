package bidi

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLogTailFindsTheListeningLine(t *testing.T) {
	l := newLogTail(nil)
	// The line may come in pieces, between others.
	for _, p := range []string{"*** You are running in headless mode.\nWebDriver Bi", "Di listening on ws://127.0.0.1:40", "123\r\nconsole.error: later\npartial"} {
		if n, err := l.Write([]byte(p)); n != len(p) || err != nil {
			t.Fatalf("Write: %d, %v", n, err)
		}
	}
	select {
	case url := <-l.url:
		if url != "ws://127.0.0.1:40123" {
			t.Errorf("url %q, want ws://127.0.0.1:40123", url)
		}
	default:
		t.Fatal("no url from the listening line")
	}
	if got, want := l.String(), "*** You are running in headless mode.\nWebDriver BiDi listening on ws://127.0.0.1:40123\nconsole.error: later\npartial"; got != want {
		t.Errorf("log %q, want %q", got, want)
	}
	// Only the last lines are kept.
	for range maxLines + 5 {
		l.Write([]byte("noise\n"))
	}
	if n := strings.Count(l.String(), "\n"); n != maxLines {
		t.Errorf("%d lines kept, want %d", n, maxLines)
	}
}

func TestWritePrefs(t *testing.T) {
	file := filepath.Join(t.TempDir(), "user.js")
	err := writePrefs(file, map[string]any{"ui.systemUsesDarkTheme": 1, "browser.startup.homepage": `about:"blank"`, "a.flag": false})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(file)
	want := `user_pref("a.flag", false);
user_pref("browser.startup.homepage", "about:\"blank\"");
user_pref("ui.systemUsesDarkTheme", 1);
`
	if string(got) != want {
		t.Errorf("user.js:\n%s\nwant:\n%s", got, want)
	}
	if err := writePrefs(file, map[string]any{"x": []int{1}}); err == nil || !strings.Contains(err.Error(), `pref "x" is a []int`) {
		t.Errorf("a list value: %v, want an error naming the pref", err)
	}
}
