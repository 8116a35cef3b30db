package mockserver

import (
	"bufio"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/decoy-mock/decoy/sharedstate"
)

// helloEpoch opens the event stream of ts and returns the epoch of its
// hello event.
func helloEpoch(t *testing.T, s *Server, ts *httptest.Server) (string, *bufio.Reader) {
	t.Helper()
	resp := openEvents(t, s, ts, nil)
	br := bufio.NewReader(resp.Body)
	name, data := readEvent(t, br)
	var hello struct{ Epoch string }
	if err := json.Unmarshal([]byte(data), &hello); name != "hello" || err != nil {
		t.Fatalf("first event %q %s (%v), want hello", name, data, err)
	}
	return hello.Epoch, br
}

// Regression: a restarted Decoy gave its exchanges ids from 1 again, and a
// dashboard left open hid them, keeping only ids above those it had. Each
// process's journal has its own epoch, which the stream says first; the
// same process says the same on every stream.
func TestEventsHelloNamesTheJournal(t *testing.T) {
	s := journalServer(t)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	first, _ := helloEpoch(t, s, ts)
	again, _ := helloEpoch(t, s, ts)
	if first == "" || first != again {
		t.Fatalf("two streams of one process: epochs %q and %q, want one, not empty", first, again)
	}
	restarted := journalServer(t)
	ts2 := httptest.NewServer(restarted)
	t.Cleanup(ts2.Close)
	if other, _ := helloEpoch(t, restarted, ts2); other == first || other == "" {
		t.Fatalf("a restarted process says epoch %q, the same as before (%q)", other, first)
	}
}

// TestEventsHelloOfTheSharedJournal: replicas sharing a journal say one
// epoch (a page that reconnects to another replica keeps its rows); when
// the shared journal starts over (Redis lost its keys), an open stream
// says the new epoch at its next ping.
func TestEventsHelloOfTheSharedJournal(t *testing.T) {
	mr := miniredis.RunT(t)
	var servers []*Server
	var urls []*httptest.Server
	for range 2 {
		store, err := sharedstate.Open(t.Context(), sharedstate.Options{URL: "redis://" + mr.Addr(), Namespace: "t", Timeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		s := journalServer(t, func(c *Config) { c.Shared = store })
		s.eventPing = 20 * time.Millisecond
		ts := httptest.NewServer(s)
		t.Cleanup(ts.Close)
		servers, urls = append(servers, s), append(urls, ts)
	}
	a, br := helloEpoch(t, servers[0], urls[0])
	b, _ := helloEpoch(t, servers[1], urls[1])
	if a == "" || a != b {
		t.Fatalf("two replicas: epochs %q and %q, want one, not empty", a, b)
	}
	mr.FlushAll()
	name, data := readEvent(t, br) // the pings are comments, skipped
	var hello struct{ Epoch string }
	if err := json.Unmarshal([]byte(data), &hello); name != "hello" || err != nil || hello.Epoch == "" || hello.Epoch == a {
		t.Fatalf("after Redis lost the journal: %q %s, want hello with a new epoch (was %q)", name, data, a)
	}
}
