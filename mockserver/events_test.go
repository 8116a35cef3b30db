package mockserver

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The event stream of GET /__decoy/events: what it sends, and that no
// subscriber can hold back the request path.

// readEvent reads the next event of an SSE stream (comments skipped): its
// name and data.
func readEvent(tb testing.TB, br *bufio.Reader) (name, data string) {
	tb.Helper()
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			tb.Fatalf("reading the stream: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "":
			if name != "" || data != "" {
				return name, data
			}
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data += strings.TrimPrefix(line, "data: ")
		}
	}
}

// openEvents opens the stream and waits until it is subscribed.
func openEvents(tb testing.TB, s *Server, ts *httptest.Server, header http.Header) *http.Response {
	tb.Helper()
	req, _ := http.NewRequestWithContext(tb.Context(), http.MethodGet, ts.URL+"/__decoy/events", nil)
	for k, v := range header {
		req.Header[k] = v
	}
	before := s.events.n.Load()
	resp, err := ts.Client().Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	// Registered after the caller's ts.Close, so it runs first: Close
	// waits for the stream to end.
	tb.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode == http.StatusOK {
		for s.events.n.Load() == before {
			time.Sleep(time.Millisecond) // the handler subscribes before it answers; this is the race detector's margin
		}
	}
	return resp
}

func TestEventsStreamEachExchange(t *testing.T) {
	s := journalServer(t)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	resp := openEvents(t, s, ts, nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("GET /__decoy/events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	br := bufio.NewReader(resp.Body)
	if name, data := readEvent(t, br); name != "hello" || data != `{"epoch":"`+s.epoch+`"}` {
		t.Fatalf("first event %q %s, want hello with the epoch %s", name, data, s.epoch)
	}
	for i, path := range []string{"/v2/agents/agt_customer_support/sessions", "/v2/agents/agt_nope/sessions", "/nowhere"} {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
		req.Header.Set("Authorization", "Bearer sk_test_1234")
		req.Header.Set("X-Decoy-Client", "qa")
		r, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
		name, data := readEvent(t, br)
		if name != "exchange" {
			t.Fatalf("event %d: %q, want exchange", i, name)
		}
		var e Entry
		if err := json.Unmarshal([]byte(data), &e); err != nil {
			t.Fatalf("event %d: %v in %s", i, err, data)
		}
		if e.Path != path || e.Status != r.StatusCode || e.Client != "qa" || e.ID == 0 {
			t.Errorf("event %d: path %q status %d client %q id %d; want %q %d qa", i, e.Path, e.Status, e.Client, e.ID, path, r.StatusCode)
		}
		if e.Response == nil || e.Response.Status != r.StatusCode || e.Response.Headers["Content-Type"] == "" {
			t.Errorf("event %d: response %+v, want its status and headers", i, e.Response)
		}
		if strings.Contains(data, "sk_test_1234") {
			t.Errorf("event %d: the credential leaks: %s", i, data)
		}
	}
}

func TestEventsFollowTheAdminGate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		token  string
		header http.Header
		want   int
	}{
		{"loopback", "", nil, http.StatusOK},
		{"foreign origin", "", http.Header{"Origin": {"https://evil.example"}}, http.StatusForbidden},
		{"token missing", "s3cret", nil, http.StatusUnauthorized},
		{"token given", "s3cret", http.Header{"Authorization": {"Bearer s3cret"}}, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := journalServer(t, func(c *Config) { c.AdminToken = tc.token })
			ts := httptest.NewServer(s)
			t.Cleanup(ts.Close)
			resp := openEvents(t, s, ts, tc.header)
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
}

// TestSlowSubscriberDoesNotSlowRequests: a subscriber that never reads
// fills its buffer; every later exchange is dropped for it and counted, and
// every request is answered meanwhile.
func TestSlowSubscriberDoesNotSlowRequests(t *testing.T) {
	s := journalServer(t)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	const buffer, requests = 4, 200
	stuck := s.events.subscribe(buffer) // never read
	defer s.events.unsubscribe(stuck)
	done := make(chan error, 1)
	go func() {
		for i := range requests {
			r, err := ts.Client().Get(ts.URL + "/v2/agents/agt_customer_support/sessions")
			if err != nil {
				done <- err
				return
			}
			io.Copy(io.Discard, r.Body)
			r.Body.Close()
			if r.StatusCode == 0 {
				done <- fmt.Errorf("request %d: no status", i)
				return
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Minute): // a guard against a hang, not a speed check
		t.Fatal("the requests did not finish: a subscriber that never reads blocks them")
	}
	if got := len(stuck.ch); got != buffer {
		t.Errorf("buffered %d, want %d", got, buffer)
	}
	if got := stuck.dropped.Load(); got != requests-buffer {
		t.Errorf("dropped %d, want %d", got, requests-buffer)
	}
}

// TestEventsReportDropped: a stream whose subscriber fell behind tells the
// browser how many exchanges it missed.
func TestEventsReportDropped(t *testing.T) {
	s := journalServer(t)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	resp := openEvents(t, s, ts, nil)
	var sub *subscriber
	s.events.mu.Lock()
	for k := range s.events.subs {
		sub = k
	}
	s.events.mu.Unlock()
	sub.dropped.Add(7) // as if 7 exchanges had found the buffer full
	r, err := ts.Client().Get(ts.URL + "/v2/agents/agt_customer_support/sessions")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	br := bufio.NewReader(resp.Body)
	if name, _ := readEvent(t, br); name != "hello" {
		t.Fatalf("first event %q, want hello", name)
	}
	if name, _ := readEvent(t, br); name != "exchange" {
		t.Fatalf("first event %q, want exchange", name)
	}
	name, data := readEvent(t, br)
	if name != "dropped" || data != `{"dropped":7}` {
		t.Fatalf("got %q %s, want dropped {\"dropped\":7}", name, data)
	}
}

func TestCloseStreamsEndsTheStream(t *testing.T) {
	s := journalServer(t)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	resp := openEvents(t, s, ts, nil)
	s.CloseStreams()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		t.Fatalf("the stream did not end cleanly: %v", err)
	}
}

func TestHubDropsForFullSubscribersOnly(t *testing.T) {
	h := newHub()
	h.publish(Entry{ID: 1}) // nobody listens: nothing happens
	slow, fast := h.subscribe(2), h.subscribe(100)
	var wg sync.WaitGroup
	for id := range 50 {
		wg.Go(func() { h.publish(Entry{ID: uint64(id + 2)}) })
	}
	wg.Wait()
	if len(slow.ch) != 2 || slow.dropped.Load() != 48 {
		t.Errorf("slow: %d buffered, %d dropped; want 2, 48", len(slow.ch), slow.dropped.Load())
	}
	if len(fast.ch) != 50 || fast.dropped.Load() != 0 {
		t.Errorf("fast: %d buffered, %d dropped; want 50, 0", len(fast.ch), fast.dropped.Load())
	}
	h.unsubscribe(slow)
	h.unsubscribe(fast)
	if h.active() {
		t.Error("active with no subscriber")
	}
}

// BenchmarkEventStream measures an exchange from the journal to a reading
// browser: the real handler, a real SSE stream read to the end. 10,000
// exchanges a minute is 6 ms each; ns/op must stay far below that, and
// dropped/op at 0 at that rate (TestEventsKeepUpWithTenThousandAMinute).
func BenchmarkEventStream(b *testing.B) {
	s := journalServer(b)
	ts := httptest.NewServer(s)
	b.Cleanup(ts.Close)
	resp := openEvents(b, s, ts, nil)
	got := make(chan struct{})
	go func() {
		defer close(got)
		n := 0
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "event: exchange") {
				n++
			} else if d, ok := strings.CutPrefix(line, `data: {"dropped":`); ok {
				k, _ := strconv.Atoi(strings.TrimSuffix(d, "}"))
				n += k
			}
			if n >= b.N {
				return
			}
		}
	}()
	req, _ := http.NewRequest(http.MethodGet, "/v2/agents/agt_customer_support/sessions", nil)
	req.Header.Set("Authorization", "Bearer sk_bench")
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		s.ServeHTTP(httptest.NewRecorder(), req)
	}
	// A last exchange after the others lets the stream report what it
	// dropped, if anything.
	s.ServeHTTP(httptest.NewRecorder(), req)
	<-got
	b.StopTimer()
	var dropped uint64
	s.events.mu.Lock()
	for sub := range s.events.subs {
		dropped += sub.dropped.Load()
	}
	s.events.mu.Unlock()
	// Back-to-back requests come far faster than 10,000 a minute; the
	// share dropped then says how far ahead of the browser the mock runs.
	b.ReportMetric(float64(dropped)/float64(b.N), "dropped/op")
}

// TestEventsKeepUpWithTenThousandAMinute sends 600 exchanges at the pace of
// 10,000 a minute (one per 6 ms, 3.6 s) through the real handler to an open
// stream, and checks that the stream delivers every one, none dropped.
func TestEventsKeepUpWithTenThousandAMinute(t *testing.T) {
	if testing.Short() {
		t.Skip("paced for 3.6 s")
	}
	s := journalServer(t)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	resp := openEvents(t, s, ts, nil)
	const n = 600
	got := make(chan int, 1)
	go func() {
		seen := 0
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "event: dropped") {
				break
			}
			if strings.HasPrefix(sc.Text(), "event: exchange") {
				if seen++; seen == n {
					break
				}
			}
		}
		got <- seen
	}()
	tick := time.NewTicker(6 * time.Millisecond)
	defer tick.Stop()
	req, _ := http.NewRequest(http.MethodGet, "/v2/agents/agt_customer_support/sessions", nil)
	req.Header.Set("Authorization", "Bearer sk_pace")
	for range n {
		<-tick.C
		s.ServeHTTP(httptest.NewRecorder(), req)
	}
	select {
	case seen := <-got:
		if seen != n {
			t.Fatalf("the stream delivered %d of %d exchanges before dropping", seen, n)
		}
	case <-time.After(time.Minute): // a guard against a hang
		t.Fatal("the stream stalled")
	}
}
