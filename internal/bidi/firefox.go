package bidi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// Firefox says how to start Firefox. The zero value starts the Firefox
// on PATH, headless, at 1280×860.
type Firefox struct {
	// Path is the browser's executable; "" means FindFirefox's.
	Path string
	// Width and Height size the window and the first tab's viewport in
	// CSS pixels; 0 means 1280 and 860.
	Width, Height int
	// Prefs are extra preferences for the throwaway profile (its
	// user.js), such as "ui.systemUsesDarkTheme": 1; nil adds none.
	// Values are strings, bools or numbers.
	Prefs map[string]any
	// Prompts is how the session handles alert, confirm and prompt
	// dialogs: "ignore" (leave them open for HandleUserPrompt; the
	// caller subscribes to UserPromptOpened), "accept" or "dismiss".
	// "" means "ignore".
	Prompts string
	// Stderr receives the browser's own log (noisy) when set; nil keeps
	// only its last lines, for errors and [Browser.Log].
	Stderr io.Writer
}

// FindFirefox returns the path of firefox-esr or firefox on PATH, or ""
// when there is neither.
func FindFirefox() string {
	for _, name := range []string{"firefox-esr", "firefox"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Browser is a running Firefox with a BiDi session: the embedded [Conn]
// sends its commands. Close ends it.
type Browser struct {
	*Conn
	// Context is the id of the tab the browser opened with.
	Context string

	cmd    *exec.Cmd
	dir    string        // the profile and HOME, removed by Close
	exited chan struct{} // closed when the process has ended
	err    error         // the process's exit, once exited is closed
	log    *logTail
}

// listening is the line Firefox writes to stderr once its WebDriver BiDi
// server accepts connections.
var listening = regexp.MustCompile(`WebDriver BiDi listening on (ws://\S+)`)

// Launch starts Firefox headless with a new profile in a temporary
// folder, on a free loopback port (the system picks it), connects to it,
// starts a session and sizes the first tab. It returns an error, with the
// browser's last lines of output, when the browser is missing, exits
// early or does not listen before ctx ends; nothing is left running then.
func (f Firefox) Launch(ctx context.Context) (*Browser, error) {
	path := f.Path
	if path == "" {
		if path = FindFirefox(); path == "" {
			return nil, errors.New("bidi: no firefox-esr or firefox on PATH")
		}
	}
	width, height := f.Width, f.Height
	if width == 0 {
		width = 1280
	}
	if height == 0 {
		height = 860
	}
	prompts := f.Prompts
	if prompts == "" {
		prompts = "ignore"
	}
	dir, err := os.MkdirTemp("", "decoy-firefox-")
	if err != nil {
		return nil, fmt.Errorf("bidi: a folder for the profile: %w", err)
	}
	profile, home := filepath.Join(dir, "profile"), filepath.Join(dir, "home")
	for _, d := range []string{profile, home} {
		if err := os.Mkdir(d, 0o700); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("bidi: %w", err)
		}
	}
	if err := writePrefs(filepath.Join(profile, "user.js"), f.Prefs); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}

	log := newLogTail(f.Stderr)
	// Port 0: Firefox binds a free port itself and says which, so two
	// tests never race for one.
	cmd := exec.Command(path, "--headless", "--no-remote", "--new-instance",
		"--remote-debugging-port=0", "--profile", profile,
		fmt.Sprintf("--window-size=%d,%d", width, height), "about:blank")
	// Its own HOME: nothing is read from or left in the user's.
	cmd.Env = append(os.Environ(), "HOME="+home, "MOZ_CRASHREPORTER_DISABLE=1")
	cmd.Stderr = log
	// Its content processes inherit stderr; after the browser quits, Wait
	// gives them this long to close it.
	cmd.WaitDelay = 5 * time.Second
	ownGroup(cmd)
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("bidi: starting %s: %w", path, err)
	}
	b := &Browser{cmd: cmd, dir: dir, exited: make(chan struct{}), log: log}
	go func() {
		b.err = cmd.Wait()
		close(b.exited)
	}()

	fail := func(err error) (*Browser, error) {
		b.stop()
		return nil, fmt.Errorf("bidi: %s: %w; its last lines:\n%s", path, err, b.Log())
	}
	var url string
	select {
	case url = <-log.url:
	case <-b.exited:
		return fail(fmt.Errorf("exited before listening (%v)", b.err))
	case <-ctx.Done():
		return fail(fmt.Errorf("not listening yet: %w", ctx.Err()))
	}
	if b.Conn, err = Dial(ctx, url+"/session"); err != nil {
		return fail(err)
	}
	if err := b.NewSession(ctx, prompts); err != nil {
		return fail(err)
	}
	tabs, err := b.TopContexts(ctx)
	if err != nil {
		return fail(err)
	}
	if len(tabs) == 0 {
		return fail(errors.New("no tab open"))
	}
	b.Context = tabs[0]
	if err := b.SetViewport(ctx, b.Context, width, height); err != nil {
		return fail(err)
	}
	return b, nil
}

// writePrefs writes prefs as a profile's user.js; nothing when there are
// none.
func writePrefs(file string, prefs map[string]any) error {
	if len(prefs) == 0 {
		return nil
	}
	names := make([]string, 0, len(prefs))
	for n := range prefs {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	for _, n := range names {
		switch prefs[n].(type) {
		case string, bool, int, int64, float64:
		default:
			return fmt.Errorf("bidi: pref %q is a %T; want a string, bool or number", n, prefs[n])
		}
		// JSON's strings, numbers and booleans are JavaScript's too.
		name, _ := json.Marshal(n)
		value, _ := json.Marshal(prefs[n])
		fmt.Fprintf(&buf, "user_pref(%s, %s);\n", name, value)
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("bidi: writing the profile's prefs: %w", err)
	}
	return nil
}

// Log returns the last lines the browser wrote to stderr.
func (b *Browser) Log() string { return b.log.String() }

// Close asks the browser to quit, waits for it until ctx ends (then kills
// it and its child processes), and removes its profile. It returns an
// error when the browser had to be killed or exited with an error, or
// when the profile could not be removed.
func (b *Browser) Close(ctx context.Context) error {
	var errs []error
	if b.Conn != nil {
		if err := b.CloseBrowser(ctx); err != nil && b.Conn.Err() == nil {
			errs = append(errs, err)
		}
		b.Conn.Close()
	}
	select {
	case <-b.exited:
		if b.err != nil {
			errs = append(errs, fmt.Errorf("bidi: firefox exited: %w", b.err))
		}
	case <-ctx.Done():
		errs = append(errs, fmt.Errorf("bidi: firefox did not quit (%w); killed", ctx.Err()))
	}
	if err := b.stop(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// stop kills the browser's process group if it still runs, waits for it
// and removes the profile.
func (b *Browser) stop() error {
	select {
	case <-b.exited:
	default:
		killGroup(b.cmd)
		<-b.exited
	}
	if b.Conn != nil {
		b.Conn.Close()
	}
	if err := os.RemoveAll(b.dir); err != nil {
		return fmt.Errorf("bidi: removing the profile: %w", err)
	}
	return nil
}

// logTail is the browser's stderr: it hands on the listening line's URL
// and keeps the last lines.
type logTail struct {
	mu      sync.Mutex
	to      io.Writer // a copy of everything, or nil
	partial []byte    // the line being written
	lines   []string  // the last maxLines complete lines
	url     chan string
	found   bool
}

// maxLines is how many of the browser's lines a logTail keeps.
const maxLines = 40

func newLogTail(to io.Writer) *logTail {
	return &logTail{to: to, url: make(chan string, 1)}
}

// Write splits p into lines; it never fails, so that the browser's
// output never blocks on it.
func (l *logTail) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.to != nil {
		l.to.Write(p)
	}
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		line := strings.TrimRight(string(l.partial[:i]), "\r")
		l.partial = l.partial[i+1:]
		if m := listening.FindStringSubmatch(line); m != nil && !l.found {
			l.found = true
			l.url <- m[1]
		}
		l.lines = append(l.lines, line)
		if len(l.lines) > maxLines {
			l.lines = l.lines[len(l.lines)-maxLines:]
		}
	}
	return len(p), nil
}

// String returns the kept lines, and the unfinished one.
func (l *logTail) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(append(l.lines[:len(l.lines):len(l.lines)], string(l.partial)), "\n")
}
