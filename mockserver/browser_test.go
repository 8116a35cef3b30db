package mockserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"testing"
	"time"
)

// browserPage calls Decoy from another origin with fetch, as a frontend
// does: an Authorization header makes every call preflighted. It writes what
// it read into the page for the test to parse.
const browserPage = `<!doctype html><html><body><pre id="out">pending</pre><script>
(async () => {
  const base = %q;
  const auth = {"Authorization": "Bearer sk_browser"};
  const out = {};
  try {
    const ok = await fetch(base + "/v2/agents/agt_customer_support/sessions?limit=2", {headers: auth});
    out.okStatus = ok.status;
    out.okSessions = (await ok.json()).sessions.length;
    const limited = await fetch(base + "/v2/agents/agt_customer_support/sessions", {headers: {...auth, "Prefer": "code=429"}});
    out.limitedStatus = limited.status;
    out.retryAfter = limited.headers.get("Retry-After");
    out.code = (await limited.json()).error.code;
  } catch (e) {
    out.error = String(e);
  }
  document.getElementById("out").textContent = "RESULT" + JSON.stringify(out) + "END";
})();
</script></body></html>`

// TestBrowserCallsDecoyAcrossOrigins proves CORS in a real browser: headless
// Chromium loads a page from one origin that fetches from Decoy on another.
// It is skipped, saying so, where Chromium is not installed (.ci/run
// installs it).
func TestBrowserCallsDecoyAcrossOrigins(t *testing.T) {
	chromium := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			chromium = p
			break
		}
	}
	if chromium == "" {
		t.Skip("SKIPPED, NOT PASSED: no chromium on PATH; install Debian's chromium package to run the browser CORS test")
	}
	api, _ := newServer(t, "default")
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, browserPage, api.URL)
	}))
	defer page.Close()
	// The page's origin differs from the API's by port, so every call is
	// cross-origin.
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--virtual-time-budget=15000", "--dump-dom", page.URL)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`RESULT(\{.*?\})END`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("the page never finished:\n%s", out)
	}
	var got struct {
		OkStatus, OkSessions, LimitedStatus int
		RetryAfter, Code, Error             string
	}
	if err := json.Unmarshal(m[1], &got); err != nil {
		t.Fatal(err)
	}
	if got.Error != "" || got.OkStatus != 200 || got.OkSessions == 0 || got.LimitedStatus != 429 || got.RetryAfter == "" || got.Code != "rate_limit_exceeded" {
		t.Errorf("the browser read %+v; want 200 with sessions, then 429 with a readable Retry-After and rate_limit_exceeded", got)
	}
}
