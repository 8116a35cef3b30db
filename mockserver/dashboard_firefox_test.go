package mockserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/decoy-mock/decoy/internal/bidi"
)

// TestDashboardInFirefox drives the dashboard in headless Firefox through
// WebDriver BiDi, along the flows of TestDashboardInBrowser and with its
// selectors: rows appear live, a burst of exchanges shows once each in the
// journal's order, a client is switched into rate-limited with the
// Scenarios form and its counters and 429 (with Retry-After) show, a
// violation marks the offending field, filters and pause work, reset asks
// for a confirmation, Collections shows the fixtures world and an item,
// and "try it" reproduces the documented 404. The page acts through its
// own DOM (element.click(), input and change events), as there is no
// chromedp here. Any JavaScript error the page logs fails the test, at the
// step it came in. The traffic view, with a detail open, is checked for
// its layout at 1280 px and saved as firefox-traffic.png in the test's
// artifacts (keep them with go test -artifacts); on failure the page as
// the step left it, its state and every view are. It is skipped, saying
// so, where Firefox is not installed (.ci/run installs firefox-esr).
func TestDashboardInFirefox(t *testing.T) {
	if bidi.FindFirefox() == "" {
		t.Skip("SKIPPED, NOT PASSED: no firefox-esr (or firefox) on PATH; install Debian's firefox-esr package to run the dashboard's Firefox test")
	}
	s, ts := dashboardServer(t)
	traffic := newDashboardTraffic(t, ts)
	send := traffic.send
	const list = dashboardList

	// Not t.Context(): that ends before the cleanups that take screenshots.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a guard against a hang
	t.Cleanup(cancel)
	p := openFirefox(t, ctx, bidi.Firefox{Width: 1280, Height: 860})
	t.Cleanup(func() {
		if t.Failed() {
			p.saveViews(t.ArtifactDir())
		}
	})

	// Live traffic: one exchange before the page opens, three after.
	send("GET", list, "alice", "")
	p.step("open the dashboard")
	if err := p.b.Navigate(ctx, p.b.Context, ts.URL+"/__decoy/"); err != nil {
		t.Fatal(err)
	}
	p.waitVisible("#traffic-table")
	p.waitText("#status", "live")
	for range 3 {
		send("GET", list+"?limit=2", "alice", "")
	}
	p.step("rows appear live")
	p.waitRows(4)
	first := p.text("#traffic-table tbody tr:first-child")
	if !strings.Contains(first, "limit=2") || !strings.Contains(first, "alice") || !strings.Contains(first, "200") {
		t.Errorf("first row %q, want the newest exchange (alice, limit=2, 200)", first)
	}

	// Exchanges recorded at once may reach the stream in either order:
	// each shows once, in the journal's order.
	const burst = 20
	var wg sync.WaitGroup
	for range burst {
		wg.Go(func() { send("GET", list, "burst", "") })
	}
	wg.Wait()
	p.step("a burst of traffic")
	p.wait(fmt.Sprintf("%d rows of client burst", burst), `(n) => document.querySelectorAll('#traffic-table tbody tr[data-client="burst"]').length >= n`, burst)
	var ids, want []uint64
	if err := json.Unmarshal([]byte(p.call(`() => JSON.stringify([...document.querySelectorAll('#traffic-table tbody tr[data-client="burst"]')].map((tr) => Number(tr.dataset.id)))`)), &ids); err != nil {
		t.Fatal(err)
	}
	for _, e := range s.Journal().Entries(Filter{Client: "burst"}) {
		want = append(want, e.ID)
	}
	if !slices.Equal(ids, want) {
		t.Errorf("the burst's rows have ids %v, want the journal's %v, newest first", ids, want)
	}

	// Scenarios: switch client qa into rate-limited with the form.
	p.step("switch qa into rate-limited")
	p.click(`a[href="#scenarios"]`)
	p.waitVisible(`#scenario-table tbody tr`)
	p.setValue(`#client-switch input[name=client]`, "qa")
	p.setValue(`#client-switch select[name=scenario]`, "rate-limited")
	p.click(`#client-switch button[type=submit]`)
	p.waitVisible(`#client-table tr[data-client="qa"]`)
	var got []int
	for range 6 {
		got = append(got, send("GET", list, "qa", ""))
	}
	if want := []int{200, 200, 200, 200, 200, 429}; !equalInts(got, want) {
		t.Fatalf("qa after the switch: %v, want %v", got, want)
	}
	p.step("qa's counters and window")
	p.click(`#refresh-clients`)
	p.waitText(`#client-table tr[data-client="qa"] .client-counters`, "0 of 5 left")
	if c := p.text(`#client-table tr[data-client="qa"] .client-counters`); !strings.Contains(c, "rate-limited#0: 6 calls, 1 refused") || !strings.Contains(c, "resets ") || !strings.Contains(c, "Retry-After ") {
		t.Errorf("qa's counters %q, want 6 calls, 1 refused, 0 of 5 left, the reset time and Retry-After", c)
	}
	p.step("the 429's detail shows Retry-After")
	p.click(`a[href="#traffic"]`)
	id := p.clickRow(`[data-client="qa"][data-status="429"]`)
	p.waitText("#detail h2", fmt.Sprintf("#%d ", id))
	p.waitVisible(`#detail tr[data-header="retry-after"]`)
	retryAfter := p.text(`#detail tr[data-header="retry-after"] td`)
	status := p.text(`#detail .status-line strong`)
	if status != "429" || retryAfter == "" {
		t.Errorf("detail: status %q, Retry-After %q; want 429 and a delay", status, retryAfter)
	}
	p.step("the layout at 1280 px")
	p.checkLayout()
	p.shoot(filepath.Join(t.ArtifactDir(), "firefox-traffic.png"))

	// A violation marks the offending field of the body.
	if code := send("POST", "/v1/agents/sessions/list", "bob", `{"status": 42}`, "Content-Type", "application/json", "X-Namespace", "ns_default"); code/100 != 4 {
		t.Fatalf("invalid body: %d, want a 4xx", code)
	}
	p.step("open the violation")
	id = p.clickRow(`[data-client="bob"]`)
	p.waitText("#detail h2", fmt.Sprintf("#%d ", id))
	p.waitVisible(`#detail .violations`)
	p.waitVisible(`#detail .offending`)
	pointer := p.call(`(sel) => document.querySelector(sel).dataset.pointer`, `#detail .offending`)
	if field := p.text(`#detail .offending`); pointer != "/status" || !strings.Contains(field, "42") {
		t.Errorf("highlighted %q (%q), want the body's /status (42)", pointer, field)
	}

	// Filters, and pause/resume.
	p.step("filter by client")
	p.setValue(`#traffic-filters input[name=client]`, "alice")
	p.wait("only alice's 4 rows", `() => { const rows = [...document.querySelectorAll("#traffic-table tbody tr")]; return rows.length === 4 && rows.every((tr) => tr.children[1].textContent === "alice"); }`)
	p.setValue(`#traffic-filters input[name=client]`, "")
	p.click(`#traffic-filters input[name=violations]`)
	p.wait("only the violation's row", `() => document.querySelectorAll("#traffic-table tbody tr").length === 1`)
	p.click(`#traffic-filters input[name=violations]`)
	p.waitRows(traffic.sent())
	p.step("pause and resume")
	p.click(`#pause`)
	send("GET", list, "alice", "")
	p.waitText("#traffic-more", "1 new while paused")
	p.click(`#pause`)
	p.waitRows(traffic.sent())

	// Each request the test sent has a client key; anything else in the
	// journal came from the page itself (a browser asking for
	// /favicon.ico), and would count as a contract violation in CI.
	for _, e := range s.Journal().Entries(Filter{}) {
		if e.Client == "" {
			t.Errorf("the journal holds a request the test did not send: %s %s %d", e.Method, e.Path, e.Status)
		}
	}

	// Reset everything, after a confirmation.
	p.step("reset")
	p.click(`a[href="#scenarios"]`)
	p.click(`#reset-all`)
	p.waitText("#status", "reset everything")
	if n := p.dialogCount(); n == 0 {
		t.Error("reset asked for no confirmation")
	}
	if n := s.Journal().Len(); n != 0 {
		t.Errorf("journal after reset: %d entries, want 0", n)
	}
	if code := send("GET", list, "qa", ""); code != http.StatusOK {
		t.Errorf("qa after reset: %d, want 200 (its rate-limit window cleared)", code)
	}

	// Collections: the fixtures world is one choice of the selector.
	p.step("the fixtures world")
	p.click(`a[href="#collections"]`)
	p.waitText("#collection-info", "shared world")
	p.setValue(`#collection-form select[name=world]`, "fixtures")
	p.waitText("#collection-info", "the fixtures define it")
	p.waitVisible(`#collection-items li button`)
	// Search, and an item's detail.
	p.step("search a collection and open an item")
	p.setValue(`#collection-form select[name=name]`, "sessions")
	p.waitText("#collection-info", "sessions as the fixtures define it")
	p.setValue(`#collection-form input[name=q]`, "ses_pbpd8dyxjxym")
	p.waitText("#collection-info", ", 1 match")
	p.wait("one item", `() => document.querySelectorAll("#collection-items li button").length === 1`)
	p.click(`#collection-items li button`)
	p.waitText("#collection-item", `"session_id": "ses_pbpd8dyxjxym"`)

	// Try it: the documented 404 of an unknown agent.
	const op = `#spec details[data-operation="listAgentSessions"]`
	p.step("try it")
	p.click(`a[href="#spec"]`)
	p.waitVisible(op + " summary")
	p.click(op + " summary")
	p.setValue(op+` input[data-name="agent_key"]`, "agt_nope")
	p.setValue(op+` input[name="authorization"]`, "Bearer sk_try")
	p.click(op + ` form button[type=submit]`)
	p.waitVisible(op + ` .try-status`)
	tryStatus, tryBody := p.text(op+` .try-status strong`), p.text(op+` .try-result pre.body`)
	if tryStatus != "404" || !strings.Contains(tryBody, "agent_not_found") {
		t.Errorf("try it: %s %.200s, want the documented 404 agent_not_found", tryStatus, tryBody)
	}

	// Decoy restarts with the page open: told by the stream's hello that
	// the journal started over, the page shows the new process's rows,
	// whose ids start at 1 again (see TestDashboardInBrowser).
	p.step("restart")
	p.click(`a[href="#traffic"]`)
	p.waitRows(1)
	restartDashboard(t, ts, DefaultProject())
	if code := send("GET", list, "restarted", ""); code != http.StatusOK {
		t.Errorf("the restarted Decoy answered %d", code)
	}
	p.wait("the restarted Decoy's row alone", `() => document.querySelectorAll("#traffic-table tbody tr").length === 1 && document.querySelector('#traffic-table tbody tr[data-client="restarted"]')?.dataset.id === "1"`)
	p.step("") // the last step's errors
}

// openFirefox launches f, closes it when the test ends, and returns its
// page, watching the page's log and dialogs from now on.
func openFirefox(t *testing.T, ctx context.Context, f bidi.Firefox) *firefoxPage {
	t.Helper()
	b, err := f.Launch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := b.Close(cctx); err != nil {
			t.Errorf("closing firefox: %v", err)
		}
	})
	p := &firefoxPage{t: t, ctx: ctx, b: b}
	if err := b.Subscribe(ctx, bidi.LogEntryAdded, bidi.UserPromptOpened); err != nil {
		t.Fatal(err)
	}
	go p.watch()
	return p
}

// firefoxPage is the dashboard open in Firefox, for TestDashboardInFirefox:
// each method acts on the page or waits for it, and fails the test
// (naming the step and the selector) when it cannot.
type firefoxPage struct {
	t   *testing.T
	ctx context.Context
	b   *bidi.Browser

	mu      sync.Mutex
	now     string   // the step under way
	errs    []string // JavaScript errors not yet reported
	dialogs int      // confirmations accepted
}

// step starts the next step of the flow, after failing the test on any
// JavaScript error the page logged during the last one.
func (p *firefoxPage) step(name string) {
	p.t.Helper()
	p.mu.Lock()
	errs, last := p.errs, p.now
	p.errs, p.now = nil, name
	p.mu.Unlock()
	for _, e := range errs {
		p.t.Errorf("%s: the page logged an error: %s", last, e)
	}
}

// watch reads the browser's events until it closes: it notes the page's
// errors (console.error, and exceptions nobody caught) and accepts every
// confirmation, as a user who means it would.
func (p *firefoxPage) watch() {
	for ev := range p.b.Events() {
		switch ev.Method {
		case bidi.LogEntryAdded:
			var e bidi.LogEntry
			if err := ev.Decode(&e); err != nil {
				p.noteError(err.Error())
			} else if e.Level == "error" {
				p.noteError(fmt.Sprintf("%s (%s, at %s)", e.Text, e.Type, e.Where()))
			}
		case bidi.UserPromptOpened:
			var d bidi.UserPrompt
			if err := ev.Decode(&d); err != nil {
				p.noteError(err.Error())
				continue
			}
			if err := p.b.HandleUserPrompt(p.ctx, d.Context, true); err != nil {
				p.noteError(fmt.Sprintf("accepting %s %q: %v", d.Type, d.Message, err))
				continue
			}
			p.mu.Lock()
			p.dialogs++
			p.mu.Unlock()
		}
	}
}

func (p *firefoxPage) noteError(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.errs = append(p.errs, msg)
}

func (p *firefoxPage) dialogCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.dialogs
}

// call runs a JavaScript function with args in the page and returns its
// string result, or "" for null.
func (p *firefoxPage) call(function string, args ...any) string {
	p.t.Helper()
	v, err := p.b.CallFunction(p.ctx, p.b.Context, function, args...)
	if err != nil {
		p.t.Fatalf("%s: %v", p.now, err)
	}
	if v.Type == "null" {
		return ""
	}
	s, err := v.String()
	if err != nil {
		p.t.Fatalf("%s: %v", p.now, err)
	}
	return s
}

// wait calls the function (source, as "(a, b) => …") with args until it
// returns true or a number other than 0, for 20 seconds at most, and
// returns that value.
func (p *firefoxPage) wait(what, function string, args ...any) bidi.RemoteValue {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		v, err := p.b.CallFunction(ctx, p.b.Context, function, args...)
		if err == nil {
			switch v.Type {
			case "boolean":
				if ok, _ := v.Bool(); ok {
					return v
				}
			case "number":
				if n, _ := v.Number(); n != 0 {
					return v
				}
			default:
				err = fmt.Errorf("the function returned a %s, want a boolean or a number", v.Type)
			}
		}
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			p.t.Fatalf("%s: waiting for %s: %v", p.now, what, err)
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			p.t.Fatalf("%s: waiting for %s: %v", p.now, what, ctx.Err())
		}
	}
}

// jsVisible is true of an element a user can see: rendered, in no hidden
// section or closed details.
const jsVisible = `(e) => !!e && e.checkVisibility({ visibilityProperty: true })`

// waitVisible waits until sel matches a visible element.
func (p *firefoxPage) waitVisible(sel string) {
	p.t.Helper()
	p.wait(sel+" visible", `(sel) => (`+jsVisible+`)(document.querySelector(sel))`, sel)
}

// waitText waits until sel's text contains want.
func (p *firefoxPage) waitText(sel, want string) {
	p.t.Helper()
	p.wait(fmt.Sprintf("%s to say %q", sel, want), `(sel, want) => (document.querySelector(sel)?.textContent || "").includes(want)`, sel, want)
}

// waitRows waits until the traffic table shows at least n rows.
func (p *firefoxPage) waitRows(n int) {
	p.t.Helper()
	p.wait(fmt.Sprintf("%d rows", n), `(n) => document.querySelectorAll("#traffic-table tbody tr").length >= n`, n)
}

// click clicks the visible element sel matches, once there is one. Found
// and clicked in one step: the traffic table's rows are rebuilt as
// exchanges arrive. A dialog the click opens is answered by watch while
// the click waits for it.
func (p *firefoxPage) click(sel string) {
	p.t.Helper()
	p.wait("to click "+sel, `(sel) => { const e = document.querySelector(sel); if (!(`+jsVisible+`)(e)) return false; e.click(); return true; }`, sel)
}

// clickRow waits for the newest row of the traffic table that has attrs
// (`[data-client="qa"][data-status="429"]`), clicks it and returns its
// journal id; as TestDashboardInBrowser's clickRow, it finds the row by
// what it is, and clicks it in the same step.
func (p *firefoxPage) clickRow(attrs string) uint64 {
	p.t.Helper()
	sel := "#traffic-table tbody tr" + attrs
	v := p.wait("to click the row "+sel, `(sel) => { const tr = document.querySelector(sel); if (!tr) return 0; tr.click(); return Number(tr.dataset.id); }`, sel)
	n, err := v.Number()
	if err != nil || n < 1 {
		p.t.Fatalf("%s: the row %s has id %v (%v)", p.now, sel, n, err)
	}
	return uint64(n)
}

// setValue types value into the visible field sel matches, as a user
// would, once there is one: focus, the value, then an input event, and a
// change event for a select (a text field has its change on leaving it).
// A select waits for an option of that value (the page fills its options
// from the API).
func (p *firefoxPage) setValue(sel, value string) {
	p.t.Helper()
	p.wait(fmt.Sprintf("to set %s to %q", sel, value), `(sel, value) => {
		const e = document.querySelector(sel);
		if (!(`+jsVisible+`)(e)) return false;
		if (e.tagName === "SELECT" && ![...e.options].some((o) => o.value === value)) return false;
		e.focus();
		e.value = value;
		e.dispatchEvent(new Event("input", { bubbles: true }));
		if (e.tagName === "SELECT") e.dispatchEvent(new Event("change", { bubbles: true }));
		return true;
	}`, sel, value)
}

// text returns the visible text of the element sel matches; it fails the
// test when there is none.
func (p *firefoxPage) text(sel string) string {
	p.t.Helper()
	v, err := p.b.CallFunction(p.ctx, p.b.Context, `(sel) => document.querySelector(sel)?.innerText ?? null`, sel)
	if err != nil {
		p.t.Fatalf("%s: text of %s: %v", p.now, sel, err)
	}
	s, err := v.String()
	if err != nil {
		p.t.Fatalf("%s: text of %s: no such element (%v)", p.now, sel, err)
	}
	return strings.TrimSpace(s)
}

// checkLayout fails the test when the traffic view, with a detail open,
// is not laid out as at any desktop width: the detail beside the table,
// nothing wider than the window, the header on one line.
func (p *firefoxPage) checkLayout() {
	p.t.Helper()
	got := p.call(`() => {
		const box = (sel) => document.querySelector(sel).getBoundingClientRect();
		const table = box("#traffic .scroll"), detail = box("#detail"), nav = box(".top ul"), status = box("#status");
		const bad = [];
		if (innerWidth !== 1280) bad.push("window " + innerWidth + " px wide, not 1280");
		if (document.documentElement.scrollWidth > innerWidth) bad.push("the page is " + document.documentElement.scrollWidth + " px wide, wider than the window");
		if (!(detail.left >= table.right) || Math.abs(detail.top - table.top) > 2) bad.push("the detail is not beside the table (table " + JSON.stringify(table) + ", detail " + JSON.stringify(detail) + ")");
		if (table.width < 600) bad.push("the table is " + table.width + " px wide");
		if (Math.abs(nav.top - status.top) > nav.height) bad.push("the header wraps");
		return bad.join("; ");
	}`)
	if got != "" {
		p.t.Errorf("%s: %s", p.now, got)
	}
}

// shoot saves the viewport as a PNG.
func (p *firefoxPage) shoot(file string) {
	p.t.Helper()
	png, err := p.b.Screenshot(p.ctx, p.b.Context, false)
	if err == nil {
		err = os.WriteFile(file, png, 0o644)
	}
	if err != nil {
		p.t.Errorf("screenshot %s: %v", file, err)
	}
}

// saveViews saves, for a failed test, a screenshot of the page as the
// failing step left it and its state in the log, then a screenshot of
// each view (switched, not reloaded), in dir. It has its own time: a step
// that hung has used up the test's.
func (p *firefoxPage) saveViews(dir string) {
	if p.b.Err() != nil {
		p.t.Logf("no screenshots: the browser is gone (%v)", p.b.Err())
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	png, err := p.b.Screenshot(ctx, p.b.Context, false)
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "firefox-dashboard-failed.png"), png, 0o644)
	}
	if err != nil {
		p.t.Logf("screenshot of the failed page: %v", err)
	}
	v, err := p.b.Evaluate(ctx, p.b.Context, pageState)
	cancel()
	if state, err2 := v.String(); err != nil || err2 != nil {
		p.t.Logf("state of the failed page: %v", errors.Join(err, err2))
	} else {
		p.t.Logf("the failed page:\n%s", state)
	}
	for _, view := range dashboardViews {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := p.b.CallFunction(ctx, p.b.Context, `(view) => { location.hash = "#" + view; return new Promise((r) => requestAnimationFrame(() => setTimeout(r, 300))); }`, view)
		var png []byte
		if err == nil {
			png, err = p.b.Screenshot(ctx, p.b.Context, true)
		}
		cancel()
		file := filepath.Join(dir, "firefox-dashboard-"+view+".png")
		if err == nil {
			err = os.WriteFile(file, png, 0o644)
		}
		if err != nil {
			p.t.Logf("screenshot of %s: %v", view, err)
			continue
		}
		p.t.Logf("saved %s", file)
	}
}

// TestDashboardInFirefoxDark opens the dashboard in Firefox with the
// system in dark mode: the page takes its dark palette (background, text,
// the detail panel and its scrollbar, which headless Firefox drew light
// until the page set scrollbar-color), logs no error, and shows a
// violation's highlight. The view is saved as firefox-traffic-dark.png in
// the test's artifacts. Skipped, saying so, without Firefox.
func TestDashboardInFirefoxDark(t *testing.T) {
	if bidi.FindFirefox() == "" {
		t.Skip("SKIPPED, NOT PASSED: no firefox-esr (or firefox) on PATH; install Debian's firefox-esr package to run the dashboard's Firefox test")
	}
	_, ts := dashboardServer(t)
	send := newDashboardTraffic(t, ts).send
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a guard against a hang
	t.Cleanup(cancel)
	// 0 is dark: what a page sees on a system in dark mode.
	p := openFirefox(t, ctx, bidi.Firefox{Prefs: map[string]any{"layout.css.prefers-color-scheme.content-override": 0}})

	send("GET", dashboardList, "alice", "")
	send("POST", "/v1/agents/sessions/list", "bob", `{"status": 42}`, "Content-Type", "application/json", "X-Namespace", "ns_default")
	p.step("open the dashboard in dark mode")
	if err := p.b.Navigate(ctx, p.b.Context, ts.URL+"/__decoy/"); err != nil {
		t.Fatal(err)
	}
	id := p.clickRow(`[data-client="bob"]`)
	p.waitText("#detail h2", fmt.Sprintf("#%d ", id))
	p.waitVisible(`#detail .offending`)
	// Light text on a dark ground, by relative luminance (WCAG's).
	got := p.call(`() => {
		const lum = (c) => { const [r, g, b] = c.match(/\d+/g).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
		const style = (sel) => getComputedStyle(document.querySelector(sel));
		const bad = [];
		if (!matchMedia("(prefers-color-scheme: dark)").matches) bad.push("the page does not see dark mode");
		for (const sel of ["body", "#detail", "#detail pre.body"]) {
			const s = style(sel);
			if (lum(s.backgroundColor) > 0.05 || lum(s.color) < 0.4) bad.push(sel + ": " + s.color + " on " + s.backgroundColor);
		}
		// scrollbar-color is "auto" or "thumb track".
		const track = style("#detail").scrollbarColor.match(/rgba?\([^)]*\)/g)?.[1];
		if (!track || lum(track) > 0.05) bad.push("the detail's scrollbar track: " + style("#detail").scrollbarColor);
		return bad.join("; ");
	}`)
	if got != "" {
		t.Errorf("dark mode: %s", got)
	}
	p.shoot(filepath.Join(t.ArtifactDir(), "firefox-traffic-dark.png"))
	p.step("")
}
