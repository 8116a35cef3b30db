package mockserver

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// What the dashboard's browser tests share (TestDashboardInBrowser in
// Chromium, TestDashboardInFirefox): the project they serve, the client
// that makes the traffic the page shows, and the script that describes a
// failed page. Each drives the page its own way, with the same selectors;
// a change to index.html or app.js that renames one changes both tests.

// dashboardList is the operation both tests call most: the default
// project's sessions of a known agent.
const dashboardList = "/v2/agents/agt_customer_support/sessions"

// dashboardViews are the page's views, by the ids of their sections.
var dashboardViews = []string{"traffic", "contract", "scenarios", "collections", "spec"}

// dashboardServer serves the default project, as decoy serves it (its
// fixtures answer unknown agents with the documented 404), with seed 42.
// The test's cleanup ends the page's event stream, then the server.
func dashboardServer(t *testing.T) (*Server, *httptest.Server) {
	t.Helper()
	cfg, err := LoadProject(context.Background(), DefaultProject())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Seed = 42
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := &swappable{}
	h.current.Store(s)
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	t.Cleanup(func() { h.current.Load().CloseStreams() }) // runs before ts.Close: the page's stream ends
	return s, ts
}

// swappable serves through the Server it holds, which restartDashboard
// swaps for a new one, as a Decoy restarted on the same port would be.
type swappable struct{ current atomic.Pointer[Server] }

func (h *swappable) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.current.Load().ServeHTTP(w, r)
}

// restartDashboard replaces the Server behind ts (from dashboardServer)
// with a new one serving project, its journal empty and its ids from 1
// again, and ends the old one's event streams, so that the page
// reconnects to the new one. It returns the new Server.
func restartDashboard(t *testing.T, ts *httptest.Server, project Project) *Server {
	t.Helper()
	cfg, err := LoadProject(context.Background(), project)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Seed = 42
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := ts.Config.Handler.(*swappable)
	h.current.Swap(s).CloseStreams() // the old process is gone
	return s
}

// dashboardTraffic sends a browser test's requests to the mock and counts
// them: each is a row of the traffic table.
type dashboardTraffic struct {
	t     *testing.T
	ts    *httptest.Server
	sends atomic.Int32
}

func newDashboardTraffic(t *testing.T, ts *httptest.Server) *dashboardTraffic {
	return &dashboardTraffic{t: t, ts: ts}
}

// send sends one request as the client who (its bearer token and
// X-Decoy-Client), with extra headers as name, value pairs, and returns
// the status; 0, with the test failed, when it could not be sent. It may
// run on other goroutines than the test's.
func (d *dashboardTraffic) send(method, path, who, body string, header ...string) int {
	d.t.Helper()
	d.sends.Add(1)
	req, err := http.NewRequest(method, d.ts.URL+path, strings.NewReader(body))
	if err != nil {
		d.t.Error(err)
		return 0
	}
	req.Header.Set("Authorization", "Bearer sk_"+who)
	req.Header.Set("X-Decoy-Client", who)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := d.ts.Client().Do(req)
	if err != nil {
		d.t.Error(err) // not Fatal: send runs on other goroutines too
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// sent returns how many requests were sent.
func (d *dashboardTraffic) sent() int { return int(d.sends.Load()) }

// pageState describes, as text, what a failed step of a dashboard
// browser test left on the page: the status line, the traffic filters, the
// rows (with their journal ids and which is selected) and the detail.
const pageState = `(() => {
  const q = (s) => document.querySelector(s);
  const f = new FormData(q("#traffic-filters"));
  const rows = [...document.querySelectorAll("#traffic-table tbody tr")].map((tr) =>
    "  #" + tr.dataset.id + (tr.getAttribute("aria-selected") === "true" ? " (selected)" : "") + ": " +
    [...tr.children].map((td) => td.textContent).join(" | "));
  const d = q("#detail");
  return ["status: " + q("#status").textContent,
    "view: " + location.hash,
    "filters: " + JSON.stringify(Object.fromEntries(f)),
    "shown: " + q("#traffic-count").textContent + q("#traffic-more").textContent + q("#traffic-dropped").textContent,
    "rows:", ...rows,
    "detail" + (d.hidden ? " (hidden)" : "") + ": " + d.textContent.slice(0, 400)].join("\n");
})()`
