package mockserver

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// screenshotsDir, when set, is where TestDashboardInBrowser saves the
// README's screenshots (live traffic and contract):
//
//	go test ./mockserver -run TestDashboardInBrowser -dashboard.screenshots=../docs
var screenshotsDir = flag.String("dashboard.screenshots", "", "save the dashboard's README screenshots in this folder")

// findChromium returns the path of a Chromium on PATH, or "".
func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestDashboardInBrowser drives the dashboard in headless Chromium, as a QA
// engineer would: rows appear live, a client is switched into rate-limited
// with clicks and its 429 shows Retry-After, a violation marks the offending
// field, reset clears the mock, and the "try it" form reproduces a
// documented 404. It is skipped, saying so, where Chromium is not
// installed (.ci/run installs it). On failure it saves a screenshot of each
// view under the test's output folder.
func TestDashboardInBrowser(t *testing.T) {
	chromium := findChromium()
	if chromium == "" {
		t.Skip("SKIPPED, NOT PASSED: no chromium on PATH; install Debian's chromium package to run the dashboard's browser test")
	}
	s, ts := dashboardServer(t)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 860),
		chromedp.Env("HOME="+t.TempDir()))
	// Not t.Context(): that ends before the cleanups that take screenshots.
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	tab, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(cancelTab)
	ctx, cancelTime := context.WithTimeout(tab, 2*time.Minute) // a guard against a hang
	t.Cleanup(cancelTime)

	// Confirmations are accepted, and counted.
	// The browser starts with the first action; the dialogs are read from
	// then on.
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return v
	}
	run("start the browser", chromedp.Navigate("about:blank"))
	var dialogs atomic.Int32
	dialogEvents := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogEvents {
			if err != nil {
				return
			}
			dialogs.Add(1)
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	t.Cleanup(func() {
		if t.Failed() {
			// The tab, not ctx: a step that hung has used up ctx.
			saveViews(t, tab, ts.URL, t.ArtifactDir())
		}
	})
	traffic := newDashboardTraffic(t, ts)
	send := traffic.send
	const list = dashboardList

	// Live traffic: one exchange before the page opens, three after.
	send("GET", list, "alice", "")
	run("open the dashboard", chromedp.Navigate(ts.URL+"/__decoy/"),
		chromedp.WaitVisible("#traffic-table"),
		waitText("#status", "live"))
	for range 3 {
		send("GET", list+"?limit=2", "alice", "")
	}
	run("rows appear live", waitRows(4))
	first := text("#traffic-table tbody tr:first-child")
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
	run("a burst of traffic", poll(fmt.Sprintf(`document.querySelectorAll('#traffic-table tbody tr[data-client="burst"]').length >= %d`, burst)))
	ids, err := chromedp.Run(ctx, chromedp.Evaluate[[]uint64](`[...document.querySelectorAll('#traffic-table tbody tr[data-client="burst"]')].map((tr) => Number(tr.dataset.id))`))
	if err != nil {
		t.Fatal(err)
	}
	var want []uint64
	for _, e := range s.Journal().Entries(Filter{Client: "burst"}) {
		want = append(want, e.ID)
	}
	if !slices.Equal(ids, want) {
		t.Errorf("the burst's rows have ids %v, want the journal's %v, newest first", ids, want)
	}

	// Scenarios: switch client qa into rate-limited by clicking.
	run("switch qa into rate-limited",
		chromedp.Click(`a[href="#scenarios"]`),
		chromedp.WaitVisible(`#scenario-table tbody tr`),
		chromedp.SendKeys(`#client-switch input[name=client]`, "qa"),
		chromedp.SetValue(`#client-switch select[name=scenario]`, "rate-limited"),
		chromedp.Click(`#client-switch button[type=submit]`),
		chromedp.WaitVisible(`#client-table tr[data-client="qa"]`))
	var got []int
	for range 6 {
		got = append(got, send("GET", list, "qa", ""))
	}
	if want := []int{200, 200, 200, 200, 200, 429}; !equalInts(got, want) {
		t.Fatalf("qa after the click: %v, want %v", got, want)
	}
	run("qa's counters and window",
		chromedp.Click(`#refresh-clients`),
		waitText(`#client-table tr[data-client="qa"] .client-counters`, "0 of 5 left"))
	if c := text(`#client-table tr[data-client="qa"] .client-counters`); !strings.Contains(c, "rate-limited#0: 6 calls, 1 refused") || !strings.Contains(c, "resets ") || !strings.Contains(c, "Retry-After ") {
		t.Errorf("qa's counters %q, want 6 calls, 1 refused, 0 of 5 left, the reset time and Retry-After", c)
	}
	run("show the traffic", chromedp.Click(`a[href="#traffic"]`))
	id := clickRow(t, ctx, `[data-client="qa"][data-status="429"]`)
	run("the 429's detail shows Retry-After",
		waitText("#detail h2", fmt.Sprintf("#%d ", id)),
		chromedp.WaitVisible(`#detail tr[data-header="retry-after"]`))
	retryAfter := text(`#detail tr[data-header="retry-after"] td`)
	status := text(`#detail .status-line strong`)
	if status != "429" || retryAfter == "" {
		t.Errorf("detail: status %q, Retry-After %q; want 429 and a delay", status, retryAfter)
	}

	// A violation marks the offending field of the body.
	if code := send("POST", "/v1/agents/sessions/list", "bob", `{"status": 42}`, "Content-Type", "application/json", "X-Namespace", "ns_default"); code/100 != 4 {
		t.Fatalf("invalid body: %d, want a 4xx", code)
	}
	var attr chromedp.AttributeResult
	id = clickRow(t, ctx, `[data-client="bob"]`)
	run("open the violation",
		waitText("#detail h2", fmt.Sprintf("#%d ", id)),
		chromedp.WaitVisible(`#detail .violations`),
		chromedp.WaitVisible(`#detail .offending`))
	attr, err = chromedp.Run(ctx, chromedp.AttributeValue(`#detail .offending`, "data-pointer"))
	if err != nil {
		t.Fatal(err)
	}
	pointer, field := attr.Value, text(`#detail .offending`)
	if pointer != "/status" || !strings.Contains(field, "42") {
		t.Errorf("highlighted %q (%q), want the body's /status (42)", pointer, field)
	}

	// Filters, and pause/resume.
	run("filter by client",
		chromedp.SendKeys(`#traffic-filters input[name=client]`, "alice"),
		poll(`[...document.querySelectorAll("#traffic-table tbody tr")].every(tr => tr.children[1].textContent === "alice") && document.querySelectorAll("#traffic-table tbody tr").length === 4`),
		// Emptied as a user deleting the text would: an input event.
		poll(`(() => { const i = document.querySelector("#traffic-filters input[name=client]"); i.value = ""; i.dispatchEvent(new Event("input", {bubbles: true})); return true; })()`),
		chromedp.Click(`#traffic-filters input[name=violations]`),
		poll(`document.querySelectorAll("#traffic-table tbody tr").length === 1`),
		chromedp.Click(`#traffic-filters input[name=violations]`),
		waitRows(traffic.sent()),
		chromedp.Click(`#pause`))
	send("GET", list, "alice", "")
	run("paused", waitText("#traffic-more", "1 new while paused"), chromedp.Click(`#pause`), waitRows(traffic.sent()))

	// Each request the test sent has a client key; anything else in the
	// journal came from the page itself (a browser asking for
	// /favicon.ico), and would count as a contract violation in CI.
	for _, e := range s.Journal().Entries(Filter{}) {
		if e.Client == "" {
			t.Errorf("the journal holds a request the test did not send: %s %s %d", e.Method, e.Path, e.Status)
		}
	}

	// Reset everything, after a confirmation.
	run("reset",
		chromedp.Click(`a[href="#scenarios"]`),
		chromedp.Click(`#reset-all`),
		waitText("#status", "reset everything"))
	if dialogs.Load() == 0 {
		t.Error("reset asked for no confirmation")
	}
	if n := s.Journal().Len(); n != 0 {
		t.Errorf("journal after reset: %d entries, want 0", n)
	}
	if code := send("GET", list, "qa", ""); code != http.StatusOK {
		t.Errorf("qa after reset: %d, want 200 (its rate-limit window cleared)", code)
	}

	// Collections: the fixtures world is one choice of the selector.
	run("the fixtures world",
		chromedp.Click(`a[href="#collections"]`),
		waitText("#collection-info", "shared world"),
		chromedp.SetValue(`#collection-form select[name=world]`, "fixtures"),
		poll(`(() => { const s = document.querySelector("#collection-form select[name=world]"); s.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`),
		waitText("#collection-info", "the fixtures define it"),
		chromedp.WaitVisible(`#collection-items li button`))
	// Search, and an item's detail.
	run("search a collection and open an item",
		chromedp.SetValue(`#collection-form select[name=name]`, "sessions"),
		poll(`(() => { const s = document.querySelector("#collection-form select[name=name]"); s.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`),
		waitText("#collection-info", "sessions as the fixtures define it"),
		chromedp.SendKeys(`#collection-form input[name=q]`, "ses_pbpd8dyxjxym"),
		waitText("#collection-info", ", 1 match"),
		// Found and clicked inside the page in one step, again until the
		// item shows: the list is rebuilt as each typed key's search
		// answers (chromedp's Click finds a node, then clicks where it
		// was).
		poll(`(() => {
			if (document.querySelector("#collection-item").textContent.includes('"session_id": "ses_pbpd8dyxjxym"')) return true;
			const b = document.querySelectorAll("#collection-items li button");
			if (b.length === 1) b[0].click();
			return false;
		})()`))

	// Try it: the documented 404 of an unknown agent.
	const op = `#spec details[data-operation="listAgentSessions"]`
	run("try it",
		chromedp.Click(`a[href="#spec"]`),
		chromedp.WaitVisible(op+" summary"),
		chromedp.Click(op+" summary"),
		chromedp.SendKeys(op+` input[data-name="agent_key"]`, "agt_nope"),
		chromedp.SendKeys(op+` input[name="authorization"]`, "Bearer sk_try"),
		chromedp.Click(op+` form button[type=submit]`),
		chromedp.WaitVisible(op+` .try-status`))
	tryStatus, tryBody := text(op+` .try-status strong`), text(op+` .try-result pre.body`)
	if tryStatus != "404" || !strings.Contains(tryBody, "agent_not_found") {
		last := s.Journal().Entries(Filter{Limit: 1})
		t.Errorf("try it: %s %.200s, want the documented 404 agent_not_found (journal: %d %s %s)", tryStatus, tryBody, last[0].Status, last[0].Path, last[0].Source)
	}

	// Decoy restarts with the page open: the new process's ids start at 1
	// again, below those the page holds. Told by the stream's hello that
	// the journal started over, the page drops its rows and shows the new
	// ones instead of hiding them until reloaded.
	run("the traffic before the restart", chromedp.Click(`a[href="#traffic"]`), waitRows(1))
	// Its files changed meanwhile: a rule counts per API key.
	restartedProject := DefaultProject()
	restartedProject.ScenariosFS = fstest.MapFS{"scenarios/per-key.yaml": {Data: []byte(
		"name: per-key\ndescription: each API key of a client has its own limit\nrules:\n" +
			"  - {operations: [listAgentSessions], key: \"header:Authorization\", rateLimit: {limit: 3, window: 1m}}\n")}}
	restartDashboard(t, ts, restartedProject)
	if code := send("GET", list, "restarted", ""); code != http.StatusOK {
		t.Fatalf("the restarted Decoy answered %d", code)
	}
	run("the restarted Decoy's rows", poll(`document.querySelectorAll("#traffic-table tbody tr").length === 1 && document.querySelector('#traffic-table tbody tr[data-client="restarted"]')?.dataset.id === "1"`))

	// The counters a rule keeps per value of its own key, inside a client,
	// are listed with the value masked as the journal masks it.
	for range 2 {
		send("GET", list, "keyed", "", "Prefer", "scenario=per-key", "Authorization", "Bearer sk_keyed_0123456789")
	}
	const keyed = `#client-table tr[data-client="keyed"] .client-counters li[data-key="header:Authorization"]`
	run("a client's counters per API key",
		chromedp.Click(`a[href="#scenarios"]`),
		chromedp.WaitVisible(`#client-table tr[data-client="keyed"]`),
		waitText(keyed, "per-key#0 (header:Authorization Bearer sk_k… #"))
	if c := text(keyed); !strings.Contains(c, "2 calls") || !strings.Contains(c, "1 of 3 left") || strings.Contains(c, "0123456789") {
		t.Errorf("keyed's counter per API key %q, want 2 calls, 1 of 3 left, and the key masked", c)
	}

	if *screenshotsDir != "" {
		for range 4 {
			send("GET", list, "alice", "")
		}
		send("GET", list, "qa", "", "Prefer", "code=429")
		send("POST", "/v1/agents/sessions/list", "bob", `{"status": 42}`, "Content-Type", "application/json", "X-Namespace", "ns_default")
		send("GET", "/v2/agents/agt_nope/sessions", "carol", "")
		run("README screenshot of the traffic", chromedp.Click(`a[href="#traffic"]`))
		clickRow(t, ctx, `[data-client="bob"]`)
		run("README screenshot of the violation", chromedp.WaitVisible(`#detail .offending`))
		shoot(t, ctx, filepath.Join(*screenshotsDir, "dashboard-traffic.png"))
		run("README screenshot of the contract", chromedp.Click(`a[href="#contract"]`), chromedp.WaitVisible(`#contract-table tbody tr`))
		shoot(t, ctx, filepath.Join(*screenshotsDir, "dashboard-contract.png"))
	}
}

// waitText waits until sel's text contains want.
func waitText(sel, want string) chromedp.Action[chromedp.Void] {
	return poll(fmt.Sprintf(`(document.querySelector(%q)?.textContent || "").includes(%q)`, sel, want))
}

// poll waits until the expression is true.
func poll(expr string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond))(ctx, t)
		return chromedp.Void{}, err
	}
}

// clickRow waits for the newest row of the traffic table that has attrs
// (`[data-client="qa"][data-status="429"]`), clicks it and returns its
// journal id. The row is found by what it is, not by its place, since
// rows arrive while the test runs; and it is found and clicked inside the
// page in one step, since rows are rebuilt as they arrive (chromedp's
// Click finds a node, then clicks where it was).
func clickRow(t *testing.T, ctx context.Context, attrs string) uint64 {
	t.Helper()
	sel := "#traffic-table tbody tr" + attrs
	id, err := chromedp.Run(ctx, chromedp.Poll[uint64](fmt.Sprintf(`(() => { const tr = document.querySelector(%q); if (!tr) return 0; tr.click(); return Number(tr.dataset.id); })()`, sel),
		chromedp.WithPollingInterval(50*time.Millisecond)))
	if err != nil {
		t.Fatalf("click the row %s: %v", sel, err)
	}
	return id
}

// waitRows waits until the traffic table shows at least n rows.
func waitRows(n int) chromedp.Action[chromedp.Void] {
	return poll(fmt.Sprintf(`document.querySelectorAll("#traffic-table tbody tr").length >= %d`, n))
}

// shoot saves the viewport as a PNG.
func shoot(t *testing.T, ctx context.Context, file string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Errorf("screenshot %s: %v", file, err)
		return
	}
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Error(err)
	}
}

// saveViews saves, for a failed test, a screenshot of the page as the
// failing step left it and its state in the log, then a screenshot of each
// view, in dir.
func saveViews(t *testing.T, ctx context.Context, base, dir string) {
	if ctx.Err() != nil {
		t.Logf("no screenshots: the browser is gone (%v)", ctx.Err())
		return
	}
	// First the page as the failing step left it: navigating to each view
	// below reloads it, and the rows and detail that failed are gone.
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	png, err := chromedp.Run(sctx, chromedp.CaptureScreenshot())
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "dashboard-failed.png"), png, 0o644)
	}
	if err != nil {
		t.Logf("screenshot of the failed page: %v", err)
	}
	state, err := chromedp.Run(sctx, chromedp.Evaluate[string](pageState))
	cancel()
	if err != nil {
		t.Logf("state of the failed page: %v", err)
	} else {
		t.Logf("the failed page:\n%s", state)
	}
	for _, view := range dashboardViews {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := chromedp.Do(sctx, chromedp.Navigate(base+"/__decoy/#"+view), chromedp.Sleep(500*time.Millisecond))
		var png []byte
		if err == nil {
			png, err = chromedp.Run(sctx, chromedp.FullScreenshot(80))
		}
		cancel()
		if err != nil {
			t.Logf("screenshot of %s: %v", view, err)
			continue
		}
		file := filepath.Join(dir, "dashboard-"+view+".jpg")
		if err := os.WriteFile(file, png, 0o644); err == nil {
			t.Logf("saved %s", file)
		}
	}
}
