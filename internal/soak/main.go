// Command soak drives a real decoy process with mixed traffic for a bounded
// time and number of requests, and checks that it keeps answering correctly
// and returns to its resource baseline (issue 9, "Soak").
//
//	go run ./internal/soak                      # 1 minute, builds ./cmd/decoy
//	go run ./internal/soak -duration 10m        # the figures for the issue
//	go run ./internal/soak -decoy ./decoy       # an already built binary
//
// It writes a project with "decoy init", serves it with "decoy serve --dir"
// on 127.0.0.1 (never any other address), and drives:
//
//   - valid v1 POSTs and v2 GETs (random limit, enabled and status, cursor
//     walks following metadata.page_key);
//   - invalid requests (bad limit, bad JSON, bad agent_key, garbage cursor,
//     wrong content type, missing credentials, unknown paths, wrong methods,
//     unknown Prefer values);
//   - rate-limited clients (Prefer: scenario=rate-limited, each with its own
//     Authorization key or X-Decoy-Client);
//   - a scenario switch every second through PUT/DELETE /__decoy/scenario
//     (never slow, which distorts latency, and never server-error, so that
//     every 5xx is unexpected; flaky is on unless -flaky=false, and the
//     connection resets it causes are counted apart as expected);
//   - POST /__decoy/reset now and then, and a rewrite of openapi.yaml every
//     -reload-every (temp file + rename), each confirmed through
//     /__decoy/health.
//
// It samples the child's RSS, threads and open fds after the warm-up, every
// 10 s and at the end (after traffic stops and a 5 s settle), stops it with
// SIGTERM, and exits 1 when: a 5xx was answered, a body was not JSON, a
// connection failed outside flaky, a reload was lost or failed, end RSS >
// 2×start + 50 MiB, open fds did not come back to within ±10 of the start,
// the log has a line with "panic", or decoy did not exit 0 within 10 s of
// SIGTERM. Linux only (it reads /proc/PID).
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const (
	sampleEvery = 10 * time.Second
	settle      = 5 * time.Second
	warmup      = 3 * time.Second
	stopTimeout = 10 * time.Second
	mib         = 1 << 20
)

// switched is the cycle of scenarios the admin API selects, one a second;
// "" is DELETE (none active). Never slow (latency) nor server-error (500s).
var switched = []string{"agent-not-found", "", "forbidden", "invalid-request", "", "namespace-not-found", "unauthorized", "sequence", "", "flaky", ""}

type options struct {
	duration    time.Duration
	maxRequests int64
	concurrency int
	port        int
	decoy       string
	reloadEvery time.Duration
	flaky       bool
	keep        bool
}

func main() {
	var o options
	flag.DurationVar(&o.duration, "duration", time.Minute, "how long to drive traffic (after a 3s warm-up)")
	flag.Int64Var(&o.maxRequests, "max-requests", 5_000_000, "stop traffic after this many requests, whatever the duration")
	flag.IntVar(&o.concurrency, "concurrency", 16, "concurrent traffic workers")
	flag.IntVar(&o.port, "port", 0, "port for decoy on 127.0.0.1 (0 picks a free one)")
	flag.StringVar(&o.decoy, "decoy", "", "a built decoy binary (default: go build ./cmd/decoy into a temp folder)")
	flag.DurationVar(&o.reloadEvery, "reload-every", 3*time.Second, "how often openapi.yaml is rewritten")
	flag.BoolVar(&o.flaky, "flaky", true, "include the flaky scenario (connection resets, counted apart as expected)")
	flag.BoolVar(&o.keep, "keep", false, "keep the temp folder (project, decoy log) even when the soak passes")
	flag.Parse()
	if flag.NArg() > 0 || o.duration <= 0 || o.maxRequests <= 0 || o.concurrency <= 0 || o.port < 0 || o.port > 65535 || o.reloadEvery <= 0 {
		fmt.Fprintln(os.Stderr, "soak: bad flags")
		flag.Usage()
		os.Exit(2)
	}
	ok, err := soak(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(1)
	}
}

// soak runs the whole soak and prints the report; ok is false when a check
// failed, err when the soak itself could not run.
func soak(o options) (ok bool, err error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	tmp, err := os.MkdirTemp("", "decoy-soak-")
	if err != nil {
		return false, err
	}
	defer func() {
		if ok && !o.keep {
			os.RemoveAll(tmp)
		} else {
			fmt.Printf("kept: %s (project, decoy.log)\n", tmp)
		}
	}()

	bin := o.decoy
	if bin == "" {
		if bin, err = build(ctx, tmp); err != nil {
			return false, err
		}
	} else if bin, err = filepath.Abs(bin); err != nil {
		return false, err
	}
	dir := filepath.Join(tmp, "project")
	if out, err := exec.CommandContext(ctx, bin, "init", dir).CombinedOutput(); err != nil {
		return false, fmt.Errorf("decoy init: %v\n%s", err, out)
	}
	specPath := filepath.Join(dir, "openapi.yaml")
	spec, err := os.ReadFile(specPath)
	if err != nil {
		return false, err
	}
	port := o.port
	if port == 0 {
		if port, err = freePort(); err != nil {
			return false, err
		}
	}
	base := "http://127.0.0.1:" + strconv.Itoa(port)

	logPath := filepath.Join(tmp, "decoy.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return false, err
	}
	defer logFile.Close()
	child := exec.Command(bin, "serve", "--dir", dir, "--host", "127.0.0.1", "--port", strconv.Itoa(port), "--quiet", "--log-format", "json")
	child.Stdout = io.Discard
	child.Stderr = logFile
	child.SysProcAttr = sysProcAttr()
	if err := child.Start(); err != nil {
		return false, fmt.Errorf("start decoy: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- child.Wait() }()
	pid := child.Process.Pid
	stopped := false
	defer func() {
		if !stopped {
			_ = child.Process.Kill()
			<-exited
		}
	}()

	tr := &http.Transport{
		// Loopback only: the URL is 127.0.0.1, and no proxy is ever used.
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        4 * o.concurrency,
		MaxIdleConnsPerHost: 4 * o.concurrency,
		IdleConnTimeout:     30 * time.Second,
	}
	d := &driver{base: base, client: &http.Client{Transport: tr, Timeout: 10 * time.Second}, max: o.maxRequests}
	if err := waitHealthy(ctx, d.client, base, exited); err != nil {
		return false, err
	}

	// Warm-up: mixed traffic without admin churn, then idle connections
	// closed so that the baseline holds no client connection.
	fmt.Printf("decoy pid %d on %s; warming up %s\n", pid, base, warmup)
	warm := d.traffic(ctx, o.concurrency, warmup)
	tr.CloseIdleConnections()
	time.Sleep(time.Second)
	startS, err := sample(pid)
	if err != nil {
		return false, err
	}
	samples := []procSample{startS}
	fmt.Printf("baseline: %s\n", startS)

	// Traffic, admin churn and sampling.
	var wg sync.WaitGroup
	runCtx, cancel := context.WithTimeout(ctx, o.duration)
	var ctl control
	ctl.start(runCtx, &wg, d, o, specPath, spec)
	var smu sync.Mutex
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(sampleEvery)
		defer t.Stop()
		for {
			select {
			case <-runCtx.Done():
				return
			case <-t.C:
				if s, err := sample(pid); err == nil {
					smu.Lock()
					samples = append(samples, s)
					smu.Unlock()
					fmt.Printf("  %5.0fs  %d requests  %s\n", time.Since(d.started).Seconds(), d.total.Load(), s)
				}
			}
		}
	}()
	d.started = time.Now()
	traffic := d.traffic(runCtx, o.concurrency, o.duration)
	elapsed := time.Since(d.started)
	cancel()
	wg.Wait()
	interrupted := ctx.Err() != nil

	// Settle, then the end sample.
	tr.CloseIdleConnections()
	time.Sleep(settle)
	endS, err := sample(pid)
	if err != nil {
		return false, err
	}
	samples = append(samples, endS)

	// SIGTERM: a graceful stop exits 0 within 10 s.
	stopStart := time.Now()
	_ = child.Process.Signal(syscall.SIGTERM)
	var exitErr error
	exitedInTime := true
	select {
	case exitErr = <-exited:
	case <-time.After(stopTimeout):
		exitedInTime = false
		_ = child.Process.Kill()
		exitErr = <-exited
	}
	stopped = true
	stopTook := time.Since(stopStart)
	logFile.Close()
	lg, err := scanLog(logPath)
	if err != nil {
		return false, err
	}

	all := merge(warm, traffic)
	r := report{o: o, elapsed: elapsed, warm: warm, main: traffic, all: all, ctl: &ctl, samples: samples,
		start: startS, end: endS, log: lg, stopTook: stopTook, exitErr: exitErr, exitedInTime: exitedInTime,
		interrupted: interrupted, boundHit: d.total.Load() >= o.maxRequests}
	return r.print(os.Stdout), nil
}

// build compiles ./cmd/decoy of the module soak runs in into dir.
func build(ctx context.Context, dir string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside the decoy module; run from the repository or pass -decoy")
	}
	bin := filepath.Join(dir, "decoy")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/decoy")
	cmd.Dir = filepath.Dir(gomod)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/decoy: %v\n%s", err, out)
	}
	return bin, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func waitHealthy(ctx context.Context, c *http.Client, base string, exited <-chan error) error {
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("decoy exited before it was healthy: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if resp, err := c.Get(base + "/__decoy/health"); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("decoy was not healthy within 15s")
}

// ---- traffic ----

// driver sends requests to decoy and counts them.
type driver struct {
	base    string
	client  *http.Client
	max     int64
	total   atomic.Int64
	started time.Time
	// flaky is true while the flaky scenario is (or may be) active;
	// flakySeq changes whenever it is turned on or off, so that a request
	// that overlapped a switch is judged fairly.
	flaky    atomic.Bool
	flakySeq atomic.Int64
}

// kinds of traffic, for the per-kind histograms.
const (
	kV2      = "v2 valid"
	kV1      = "v1 valid"
	kInvalid = "invalid"
	kRate    = "rate-limited"
	kAdmin   = "admin"
)

var kindOrder = []string{kV2, kV1, kInvalid, kRate, kAdmin}

// stats is what one goroutine saw; merged at the end.
type stats struct {
	requests     int64
	byKind       map[string]map[int]int64
	connExpected int64 // resets while flaky was active
	connErrors   int64 // any other failure to get a whole response
	fiveXX       int64
	badBody      int64
	problems     []string // the first few, for the report
	lat          [64]int64
	walks        int64
	walkPages    int64
	walkCursor4  int64 // a followed page_key answered 400 (e.g. after a reload)
	rate200      int64
	rate429      int64
}

func newStats() *stats { return &stats{byKind: map[string]map[int]int64{}} }

func (s *stats) problem(format string, a ...any) {
	if len(s.problems) < 10 {
		s.problems = append(s.problems, fmt.Sprintf(format, a...))
	}
}

func merge(list ...*stats) *stats {
	m := newStats()
	for _, s := range list {
		m.requests += s.requests
		for k, h := range s.byKind {
			if m.byKind[k] == nil {
				m.byKind[k] = map[int]int64{}
			}
			for st, n := range h {
				m.byKind[k][st] += n
			}
		}
		m.connExpected += s.connExpected
		m.connErrors += s.connErrors
		m.fiveXX += s.fiveXX
		m.badBody += s.badBody
		for _, p := range s.problems {
			if len(m.problems) < 20 {
				m.problems = append(m.problems, p)
			}
		}
		for i, n := range s.lat {
			m.lat[i] += n
		}
		m.walks += s.walks
		m.walkPages += s.walkPages
		m.walkCursor4 += s.walkCursor4
		m.rate200 += s.rate200
		m.rate429 += s.rate429
	}
	return m
}

// req is one request to send.
type req struct {
	kind, method, path string
	header             map[string]string
	body               string
}

var errBound = errors.New("request bound reached")

// do sends q and checks the answer: no 5xx, a JSON body (but for 204).
// It returns the status and body; status 0 is a connection error.
func (d *driver) do(s *stats, q req) (int, []byte, error) {
	if d.total.Add(1) > d.max {
		return 0, nil, errBound
	}
	var body io.Reader
	if q.body != "" {
		body = strings.NewReader(q.body)
	}
	hr, err := http.NewRequest(q.method, d.base+q.path, body)
	if err != nil {
		return 0, nil, err
	}
	if q.body != "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	for k, v := range q.header {
		hr.Header.Set(k, v)
	}
	seq, flakyBefore := d.flakySeq.Load(), d.flaky.Load()
	t0 := time.Now()
	s.requests++
	resp, err := d.client.Do(hr)
	var b []byte
	if err == nil {
		b, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err != nil {
		flakyMaybe := flakyBefore || d.flaky.Load() || d.flakySeq.Load() != seq
		if flakyMaybe && q.kind != kAdmin {
			s.connExpected++
		} else {
			s.connErrors++
			s.problem("connection error: %s %s: %v", q.method, q.path, err)
		}
		return 0, nil, nil
	}
	s.lat[latBucket(time.Since(t0))]++
	h := s.byKind[q.kind]
	if h == nil {
		h = map[int]int64{}
		s.byKind[q.kind] = h
	}
	h[resp.StatusCode]++
	if resp.StatusCode >= 500 {
		s.fiveXX++
		s.problem("%d on %s %s (%s): %.300s", resp.StatusCode, q.method, q.path, q.kind, b)
	}
	if resp.StatusCode != http.StatusNoContent && !json.Valid(b) {
		s.badBody++
		s.problem("body is not JSON: %d %s %s (%s, %s): %.200q", resp.StatusCode, q.method, q.path, q.kind, resp.Header.Get("Content-Type"), b)
	}
	return resp.StatusCode, b, nil
}

// latBucket is a log2 bucket of microseconds.
func latBucket(d time.Duration) int {
	us := d.Microseconds()
	i := 0
	for us > 0 && i < 63 {
		us >>= 1
		i++
	}
	return i
}

// traffic runs n workers until ctx is done, dur has passed or the bound is
// reached, and returns what they saw.
func (d *driver) traffic(ctx context.Context, n int, dur time.Duration) *stats {
	deadline := time.Now().Add(dur)
	out := make([]*stats, n)
	var wg sync.WaitGroup
	for i := range n {
		out[i] = newStats()
		wg.Add(1)
		go func(s *stats, rng *rand.Rand) {
			defer wg.Done()
			for ctx.Err() == nil && time.Now().Before(deadline) {
				if err := d.mixed(s, rng); errors.Is(err, errBound) {
					return
				}
			}
		}(out[i], rand.New(rand.NewPCG(uint64(i)+1, uint64(time.Now().UnixNano()))))
	}
	wg.Wait()
	return merge(out...)
}

var agents = []string{"agt_customer_support", "agt_onboarding_bot", "agt_sales_assistant", "agt_internal_audit", "agt_nobody"}

// mixed sends one request (or one cursor walk) picked at random.
func (d *driver) mixed(s *stats, rng *rand.Rand) error {
	switch p := rng.IntN(100); {
	case p < 30:
		return d.walk(s, rng)
	case p < 55:
		return d.v1(s, rng)
	case p < 80:
		_, _, err := d.do(s, invalid(rng))
		return err
	case p < 97:
		return d.rateLimited(s, rng)
	default:
		path := []string{"/__decoy/health", "/__decoy/scenarios", "/__decoy/routes", "/__decoy/scenario"}[rng.IntN(4)]
		_, _, err := d.do(s, req{kind: kAdmin, method: "GET", path: path})
		return err
	}
}

// walk lists an agent's sessions and follows metadata.page_key to the end
// (at most 30 pages), stopping at the first non-200.
func (d *driver) walk(s *stats, rng *rand.Rand) error {
	q := []string{}
	if rng.IntN(4) > 0 {
		q = append(q, "limit="+strconv.Itoa(1+rng.IntN(100)))
		if rng.IntN(2) == 0 {
			q[0] = "limit=" + strconv.Itoa(1+rng.IntN(6)) // small pages: long walks
		}
	}
	switch rng.IntN(3) {
	case 1:
		q = append(q, "enabled=true")
	case 2:
		q = append(q, "enabled=false")
	}
	path := "/v2/agents/" + agents[rng.IntN(len(agents))] + "/sessions"
	hdr := map[string]string{"Authorization": "Bearer sk_soak_" + strconv.Itoa(rng.IntN(1000))}
	s.walks++
	cursor := ""
	for page := 0; page < 30; page++ {
		qs := q
		if cursor != "" {
			qs = append(append([]string{}, q...), "page_key="+cursor)
		}
		p := path
		if len(qs) > 0 {
			p += "?" + strings.Join(qs, "&")
		}
		status, b, err := d.do(s, req{kind: kV2, method: "GET", path: p, header: hdr})
		if err != nil {
			return err
		}
		if status == 400 && cursor != "" {
			s.walkCursor4++
		}
		if status != 200 {
			return nil
		}
		s.walkPages++
		var body struct {
			Metadata struct {
				PageKey *string `json:"page_key"`
			} `json:"metadata"`
		}
		if json.Unmarshal(b, &body) != nil || body.Metadata.PageKey == nil || *body.Metadata.PageKey == "" {
			return nil
		}
		cursor = *body.Metadata.PageKey
	}
	return nil
}

func (d *driver) v1(s *stats, rng *rand.Rand) error {
	q := []string{}
	if rng.IntN(2) == 0 {
		q = append(q, "limit="+strconv.Itoa(1+rng.IntN(100)))
	}
	if rng.IntN(2) == 0 {
		q = append(q, "offset="+strconv.Itoa(rng.IntN(30)))
	}
	body := map[string]any{}
	switch st := []any{"active", "idle", "archived", "terminated", nil, "-"}[rng.IntN(6)]; st {
	case "-":
	default:
		body["status"] = st
	}
	if rng.IntN(3) == 0 {
		body["filters"] = map[string]any{}
	}
	if rng.IntN(3) == 0 {
		body["sort"] = map[string]any{"field": "created_at", "direction": []string{"asc", "desc"}[rng.IntN(2)]}
	}
	b, _ := json.Marshal(body)
	path := "/v1/agents/sessions/list"
	if len(q) > 0 {
		path += "?" + strings.Join(q, "&")
	}
	ns := []string{"ns_demo", "ns_empty", "ns_soak"}[rng.IntN(3)]
	_, _, err := d.do(s, req{kind: kV1, method: "POST", path: path, body: string(b),
		header: map[string]string{"Authorization": "Bearer sk_soak_v1", "X-Namespace": ns}})
	return err
}

// invalid is one request that breaks the contract or misses the API.
func invalid(rng *rand.Rand) req {
	const v2 = "/v2/agents/agt_customer_support/sessions"
	const v1 = "/v1/agents/sessions/list"
	auth := map[string]string{"Authorization": "Bearer sk_soak_bad"}
	auth1 := map[string]string{"Authorization": "Bearer sk_soak_bad", "X-Namespace": "ns_demo"}
	list := []req{
		{method: "GET", path: v2 + "?limit=0", header: auth},
		{method: "GET", path: v2 + "?limit=500", header: auth},
		{method: "GET", path: v2 + "?limit=abc", header: auth},
		{method: "GET", path: v2 + "?enabled=maybe", header: auth},
		{method: "GET", path: v2 + "?page_key=garbage", header: auth},
		{method: "GET", path: "/v2/agents/customer_support/sessions", header: auth},
		{method: "GET", path: v2},                                                                   // no credentials
		{method: "GET", path: v2, header: map[string]string{"Authorization": "Basic Zm9vOmJhcg=="}}, // wrong scheme
		{method: "POST", path: v1, body: `{}`, header: map[string]string{"X-Namespace": "ns_demo"}},
		{method: "POST", path: v1 + "?limit=250", body: `{}`, header: auth1},
		{method: "POST", path: v1 + "?offset=-1", body: `{}`, header: auth1},
		{method: "POST", path: v1, body: `{"status": `, header: auth1},
		{method: "POST", path: v1, body: `{"status": "paused"}`, header: auth1},
		{method: "POST", path: v1, body: `[1,2,3]`, header: auth1},
		{method: "POST", path: v1, body: `{}`, header: map[string]string{"Authorization": "Bearer sk_soak_bad"}}, // no X-Namespace
		{method: "POST", path: v1, body: `status=active`, header: map[string]string{"Authorization": "Bearer sk_soak_bad", "X-Namespace": "ns_demo", "Content-Type": "text/plain"}},
		{method: "DELETE", path: v2, header: auth},
		{method: "GET", path: "/v3/agents/sessions", header: auth},
		{method: "GET", path: "/nope", header: auth},
		{method: "GET", path: "/__decoy/nope"},
		{method: "GET", path: v2, header: map[string]string{"Authorization": "Bearer sk_soak_bad", "Prefer": "scenario=nope"}},
		{method: "GET", path: v2, header: map[string]string{"Authorization": "Bearer sk_soak_bad", "Prefer": "code=abc"}},
		{method: "GET", path: v2, header: map[string]string{"Authorization": "Bearer sk_soak_bad", "Prefer": "code=418"}},
	}
	q := list[rng.IntN(len(list))]
	q.kind = kInvalid
	return q
}

// rateLimited sends a v2 request under the rate-limited scenario as one of
// 64 clients, keyed by its API key or by X-Decoy-Client.
func (d *driver) rateLimited(s *stats, rng *rand.Rand) error {
	i := rng.IntN(64)
	hdr := map[string]string{"Prefer": "scenario=rate-limited"}
	if i%2 == 0 {
		hdr["Authorization"] = "Bearer sk_rl_" + strconv.Itoa(i)
	} else {
		hdr["Authorization"] = "Bearer sk_rl_shared"
		hdr["X-Decoy-Client"] = "rl-client-" + strconv.Itoa(i)
	}
	status, _, err := d.do(s, req{kind: kRate, method: "GET", path: "/v2/agents/agt_customer_support/sessions?limit=3", header: hdr})
	switch status {
	case 200:
		s.rate200++
	case 429:
		s.rate429++
	case 0:
	default:
		s.problem("rate-limited client got %d", status)
	}
	return err
}

// ---- admin churn ----

// control is the scenario switcher, the resetter and the reloader.
type control struct {
	mu                 sync.Mutex
	st                 *stats
	switches, resets   int64
	switchFailed       int64
	reloadsWritten     int64
	reloadsConfirmed   int64
	reloadsUnconfirmed int64
	flakyWindows       int64
	activated          map[string]int64
}

func (c *control) start(ctx context.Context, wg *sync.WaitGroup, d *driver, o options, specPath string, spec []byte) {
	c.st = newStats()
	c.activated = map[string]int64{}
	names := switched
	if !o.flaky {
		names = nil
		for _, n := range switched {
			if n != "flaky" {
				names = append(names, n)
			}
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer func() {
			// Leave no scenario active for the settle.
			c.mu.Lock()
			d.do(c.st, req{kind: kAdmin, method: "DELETE", path: "/__decoy/scenario"})
			c.mu.Unlock()
			d.flaky.Store(false)
			d.flakySeq.Add(1)
		}()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			name := names[i%len(names)]
			wasFlaky := d.flaky.Load()
			if name == "flaky" {
				d.flaky.Store(true)
				d.flakySeq.Add(1)
				c.flakyWindows++
			}
			c.mu.Lock()
			var status int
			if name == "" {
				status, _, _ = d.do(c.st, req{kind: kAdmin, method: "DELETE", path: "/__decoy/scenario"})
			} else {
				status, _, _ = d.do(c.st, req{kind: kAdmin, method: "PUT", path: "/__decoy/scenario", body: `{"name": "` + name + `"}`})
			}
			c.switches++
			c.activated[name]++
			if status != 200 && status != 204 {
				c.switchFailed++
				c.st.problem("scenario switch to %q: status %d", name, status)
			}
			c.mu.Unlock()
			if wasFlaky && name != "flaky" {
				d.flaky.Store(false)
				d.flakySeq.Add(1)
			}
		}
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(7 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			c.mu.Lock()
			if status, _, _ := d.do(c.st, req{kind: kAdmin, method: "POST", path: "/__decoy/reset"}); status != 200 {
				c.st.problem("reset: status %d", status)
			}
			c.resets++
			c.mu.Unlock()
		}
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(o.reloadEvery)
		defer t.Stop()
		for n := 1; ; n++ {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			version := fmt.Sprintf("1.0.%d", n)
			if err := rewrite(specPath, spec, version, n); err != nil {
				c.mu.Lock()
				c.st.problem("rewriting the spec: %v", err)
				c.mu.Unlock()
				return
			}
			c.mu.Lock()
			c.reloadsWritten++
			c.mu.Unlock()
			confirmed := false
			for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); {
				c.mu.Lock()
				status, b, _ := d.do(c.st, req{kind: kAdmin, method: "GET", path: "/__decoy/health"})
				c.mu.Unlock()
				var h struct{ Version string }
				if status == 200 && json.Unmarshal(b, &h) == nil && h.Version == version {
					confirmed = true
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			c.mu.Lock()
			if confirmed {
				c.reloadsConfirmed++
			} else {
				c.reloadsUnconfirmed++
				c.st.problem("reload to version %s not seen in /__decoy/health within 3s", version)
			}
			c.mu.Unlock()
		}
	}()
}

// rewrite writes spec with info.version set to version, a description
// toggled and an example value changed, as a temp file renamed over path
// (a dot file, which the watcher ignores until the rename).
func rewrite(path string, spec []byte, version string, n int) error {
	s := string(spec)
	for _, r := range []struct{ old, new string }{
		{"\n  version: 1.0.0\n", "\n  version: " + version + "\n"},
		{"description: A page of the agent's sessions and pagination metadata.", "description: A page of the agent's sessions and pagination metadata" + strings.Repeat(" (soak)", n%2) + "."},
		{"total_count: 127", "total_count: " + strconv.Itoa(127+n%2)},
	} {
		if !strings.Contains(s, r.old) {
			return fmt.Errorf("openapi.yaml has no %q to rewrite", r.old)
		}
		s = strings.Replace(s, r.old, r.new, 1)
	}
	tmp := filepath.Join(filepath.Dir(path), ".openapi.yaml.soak")
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(s); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// ---- the decoy log ----

type logSummary struct {
	lines, bytes  int64
	requests      int64
	faultResets   int64 // request lines with status 0: a fault broke the connection
	panicLines    int64
	panics        []string
	errors        int64
	firstErrors   []string
	reloaded      int64
	reloadFailed  int64
	warnings      int64
	firstWarnings []string
}

func scanLog(path string) (*logSummary, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var l logSummary
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		l.lines++
		l.bytes += int64(len(line)) + 1
		if bytes.Contains(bytes.ToLower(line), []byte("panic")) {
			l.panicLines++
			if len(l.panics) < 5 {
				l.panics = append(l.panics, clip(string(line), 400))
			}
		}
		var e struct {
			Level, Msg string
			Status     *int
		}
		if json.Unmarshal(line, &e) != nil {
			continue
		}
		switch {
		case e.Msg == "request":
			l.requests++
			if e.Status != nil && *e.Status == 0 {
				l.faultResets++
			}
			continue
		case e.Msg == "reloaded":
			l.reloaded++
		case strings.HasPrefix(e.Msg, "reload failed"):
			l.reloadFailed++
		}
		switch e.Level {
		case "ERROR":
			l.errors++
			if len(l.firstErrors) < 5 {
				l.firstErrors = append(l.firstErrors, clip(string(line), 400))
			}
		case "WARN":
			l.warnings++
			if len(l.firstWarnings) < 5 {
				l.firstWarnings = append(l.firstWarnings, clip(string(line), 400))
			}
		}
	}
	return &l, sc.Err()
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// ---- the report ----

type report struct {
	o               options
	elapsed         time.Duration
	warm, main, all *stats
	ctl             *control
	samples         []procSample
	start, end      procSample
	log             *logSummary
	stopTook        time.Duration
	exitErr         error
	exitedInTime    bool
	interrupted     bool
	boundHit        bool
}

func (r *report) print(w io.Writer) bool {
	ctl := merge(r.ctl.st)
	all := merge(r.all, ctl)
	p := func(format string, a ...any) { fmt.Fprintf(w, format+"\n", a...) }
	p("")
	p("== decoy soak report ==")
	stopReason := "duration"
	switch {
	case r.interrupted:
		stopReason = "interrupted"
	case r.boundHit:
		stopReason = "request bound"
	}
	p("duration        %s (asked %s, stopped by %s), concurrency %d, plus a %s warm-up (%d requests)",
		r.elapsed.Round(time.Millisecond), r.o.duration, stopReason, r.o.concurrency, warmup, r.warm.requests)
	mainReq := r.main.requests + ctl.requests
	p("requests        %d (%.0f/s), %d in all with the warm-up; bound %d", mainReq, float64(mainReq)/r.elapsed.Seconds(), all.requests, r.o.maxRequests)
	p("latency         p50 %s  p99 %s  p99.9 %s  max %s", quantile(all, 0.5), quantile(all, 0.99), quantile(all, 0.999), quantile(all, 1))
	p("status          %s", histogram(total(all)))
	for _, k := range kindOrder {
		if h := all.byKind[k]; len(h) > 0 {
			p("  %-13s %s", k, histogram(h))
		}
	}
	p("cursor walks    %d, %d pages of 200; %d followed page_keys refused with 400", all.walks, all.walkPages, all.walkCursor4)
	p("rate-limited    %d × 200, %d × 429 (64 clients; counters restart on reset and reload)", all.rate200, all.rate429)
	p("admin churn     %d scenario switches (%d failed) %s, %d resets, reloads: %d written, %d confirmed in /__decoy/health, %d not",
		r.ctl.switches, r.ctl.switchFailed, activations(r.ctl.activated), r.ctl.resets, r.ctl.reloadsWritten, r.ctl.reloadsConfirmed, r.ctl.reloadsUnconfirmed)
	p("conn errors     %d expected (flaky resets, %d flaky windows), %d unexpected", all.connExpected, r.ctl.flakyWindows, all.connErrors)
	p("unexpected 5xx  %d", all.fiveXX)
	p("non-JSON bodies %d", all.badBody)
	p("RSS             start %s  peak %s (VmHWM %s)  end %s", mibs(r.start.rss), mibs(peakRSS(r.samples)), mibs(r.end.hwm), mibs(r.end.rss))
	p("threads         start %d  peak %d  end %d", r.start.threads, peakThreads(r.samples), r.end.threads)
	p("open fds        start %d  peak %d  end %d", r.start.fds, peakFDs(r.samples), r.end.fds)
	p("samples         %s", sampleLine(r.samples))
	p("decoy log       %d lines (%s), %d request lines (%d reset by flaky: Go's transport retries a reset GET,\n"+
		"                so the log has more request lines than were sent), %d reloaded, %d reload failed, %d warnings, %d errors, %d with \"panic\"",
		r.log.lines, mibs(r.log.bytes), r.log.requests, r.log.faultResets, r.log.reloaded, r.log.reloadFailed, r.log.warnings, r.log.errors, r.log.panicLines)
	exit := "exit 0"
	if r.exitErr != nil {
		exit = r.exitErr.Error()
	}
	if !r.exitedInTime {
		exit = "did not exit within 10s; killed (" + exit + ")"
	}
	p("SIGTERM         %s after %s", exit, r.stopTook.Round(time.Millisecond))

	var fails []string
	fail := func(cond bool, format string, a ...any) {
		if cond {
			fails = append(fails, fmt.Sprintf(format, a...))
		}
	}
	fail(all.fiveXX > 0, "%d unexpected 5xx (server-error was never active)", all.fiveXX)
	fail(all.badBody > 0, "%d bodies that are not JSON", all.badBody)
	fail(all.connErrors > 0, "%d connection errors outside the flaky scenario", all.connErrors)
	fail(r.end.rss > 2*r.start.rss+50*mib, "end RSS %s > 2 × start %s + 50 MiB", mibs(r.end.rss), mibs(r.start.rss))
	fail(r.end.fds > r.start.fds+10 || r.end.fds < r.start.fds-10, "open fds %d at the end, %d at the start (±10)", r.end.fds, r.start.fds)
	fail(r.log.panicLines > 0, "the log has %d line(s) with \"panic\"", r.log.panicLines)
	fail(r.log.reloadFailed > 0, "%d reloads failed", r.log.reloadFailed)
	fail(r.ctl.reloadsUnconfirmed > 0, "%d spec rewrites were not served within 3s", r.ctl.reloadsUnconfirmed)
	fail(r.ctl.reloadsWritten > 0 && r.ctl.reloadsConfirmed == 0, "no reload was confirmed")
	fail(r.ctl.switchFailed > 0, "%d scenario switches failed", r.ctl.switchFailed)
	fail(!r.exitedInTime || r.exitErr != nil, "decoy did not exit 0 within 10s of SIGTERM: %s", exit)
	fail(r.interrupted, "interrupted")
	if len(all.problems) > 0 {
		p("first problems:")
		for _, s := range all.problems {
			p("  %s", s)
		}
	}
	for _, s := range r.log.panics {
		p("  log: %s", s)
	}
	for _, s := range r.log.firstErrors {
		p("  log error: %s", s)
	}
	if len(fails) == 0 {
		p("RESULT          PASS")
		return true
	}
	p("RESULT          FAIL")
	for _, f := range fails {
		p("  - %s", f)
	}
	return false
}

func total(s *stats) map[int]int64 {
	t := map[int]int64{}
	for _, h := range s.byKind {
		for st, n := range h {
			t[st] += n
		}
	}
	return t
}

func histogram(h map[int]int64) string {
	keys := make([]int, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d:%d", k, h[k]))
	}
	return strings.Join(parts, "  ")
}

func activations(m map[string]int64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		name := k
		if name == "" {
			name = "none"
		}
		parts = append(parts, fmt.Sprintf("%s×%d", name, m[k]))
	}
	return "(" + strings.Join(parts, " ") + ")"
}

// quantile is the upper bound of the log2 latency bucket holding q.
func quantile(s *stats, q float64) string {
	var n int64
	for _, c := range s.lat {
		n += c
	}
	if n == 0 {
		return "-"
	}
	want := int64(q * float64(n))
	if want < 1 {
		want = 1
	}
	var acc int64
	for i, c := range s.lat {
		acc += c
		if acc >= want {
			return "≤" + (time.Duration(int64(1)<<i) * time.Microsecond).String()
		}
	}
	return "?"
}

func mibs(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/mib) }
