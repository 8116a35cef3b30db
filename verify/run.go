package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/decoy-mock/decoy/openapi"
	"github.com/getkin/kin-openapi/openapi3"
)

// runner is one run: the checked config and what the cases need.
type runner struct {
	cfg      Config
	target   *url.URL
	ops      []*openapi.Operation
	b        *builder
	params   *openapi.Validator
	response *openapi.Validator
	mask     *masker
	client   *http.Client
	limit    *limiter

	mu       sync.Mutex
	created  map[string][]map[string]string // collection path → path params of created items
	progress Progress
}

func newRunner(cfg Config) (*runner, error) {
	u, err := checkConfig(&cfg)
	if err != nil {
		return nil, err
	}
	ops, err := selectOps(cfg)
	if err != nil {
		return nil, err
	}
	stubs, scopes, err := readFixtureFiles(cfg.FixturesFS, cfg.FixturesDir)
	if err != nil {
		return nil, fmt.Errorf("fixtures: %w", err)
	}
	r := &runner{cfg: cfg, target: u, ops: ops,
		params:   cfg.Spec.Validator(openapi.DirNone),
		response: cfg.Spec.Validator(openapi.DirResponse),
		mask:     newMasker(cfg.Spec, cfg.Header),
		client:   cfg.Client,
		limit:    newLimiter(cfg.Rate, time.Now, sleepCtx),
		created:  map[string][]map[string]string{},
	}
	r.b = &builder{spec: cfg.Spec, cfg: cfg, params: r.params, body: cfg.Spec.Validator(openapi.DirRequest), stubs: stubs, scopes: scopes}
	if r.client == nil {
		r.client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	return r, nil
}

func (r *runner) run(ctx context.Context) (*Report, error) {
	rep := &Report{Target: r.cfg.Target, Seed: r.cfg.Seed, Started: time.Now()}
	reports := map[*openapi.Operation]*OperationReport{}
	byPhase := make([][]*kase, phases)
	for _, op := range r.ops {
		reports[op] = &OperationReport{ID: op.ID, Method: op.Method, Path: op.Path, Documented: op.Statuses(), Seen: []int{}}
		for _, c := range r.b.cases(op) {
			byPhase[c.phase] = append(byPhase[c.phase], c)
		}
	}
	rep.Notes = r.notes()
	if err := r.reachable(ctx); err != nil {
		return nil, err
	}
	for _, cs := range byPhase {
		r.progress.Total += len(cs)
	}
	for phase := range phases {
		cs := byPhase[phase]
		if phase > phaseCreate {
			extra := r.createdCases(phase)
			r.mu.Lock()
			r.progress.Total += len(extra)
			r.mu.Unlock()
			cs = append(extra, cs...)
		}
		results := r.send(ctx, cs)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for i, c := range cs {
			reports[c.op].add(results[i])
		}
	}
	for _, op := range r.ops {
		or := reports[op]
		if n := refusedCredential(or); n > 0 {
			rep.Notes = append(rep.Notes, fmt.Sprintf("%s: all %d valid requests were refused with 401 or 403: the credential is not accepted, so only its error answers were verified", op.ID, n))
		}
		rep.Operations = append(rep.Operations, or)
		rep.Summary.Operations++
		rep.Summary.Requests += or.Requests
		rep.Summary.Passed += or.Passed
		rep.Summary.Failed += or.Failed
		rep.Summary.Skipped += or.Skipped
	}
	rep.Duration = time.Since(rep.Started)
	return rep, nil
}

func (or *OperationReport) add(e Exchange) {
	or.Exchanges = append(or.Exchanges, e)
	switch {
	case e.Skipped != "":
		or.Skipped++
		return
	case e.Failed():
		or.Failed++
	default:
		or.Passed++
	}
	or.Requests++
	if e.Response != nil && !slices.Contains(or.Seen, e.Response.Status) {
		or.Seen = append(or.Seen, e.Response.Status)
		slices.Sort(or.Seen)
	}
}

// notes says what the run cannot do as asked: a secured operation with no
// credential given for any of its requirements.
func (r *runner) notes() []string {
	var out []string
	for _, op := range r.ops {
		if !secured(op) || r.hasCredential(op) {
			continue
		}
		out = append(out, fmt.Sprintf("%s: no credential given for its security (%s); its valid requests will likely be refused with 401 (give --auth SCHEME=VALUE or --header)", op.ID, schemeNames(op)))
	}
	return out
}

func (r *runner) hasCredential(op *openapi.Operation) bool {
	for _, req := range op.Security {
		all := true
		for _, s := range req {
			_, ok := r.cfg.Credentials[s.Name]
			if !ok {
				switch s.Kind {
				case openapi.SchemeBearer, openapi.SchemeBasic, openapi.SchemeHTTP:
					ok = r.cfg.Header.Get("Authorization") != ""
				case openapi.SchemeAPIKey:
					switch s.In {
					case "header":
						ok = r.cfg.Header.Get(s.Param) != ""
					case "cookie":
						ok = r.cfg.Header.Get("Cookie") != ""
					}
				}
			}
			all = all && ok
		}
		if all {
			return true
		}
	}
	return false
}

func schemeNames(op *openapi.Operation) string {
	var names []string
	for _, req := range op.Security {
		for _, s := range req {
			if !slices.Contains(names, s.Name) {
				names = append(names, s.Name)
			}
		}
	}
	return strings.Join(names, ", ")
}

// send runs the cases with at most Concurrency in flight and at most Rate
// started per second, and returns their exchanges in the cases' order.
func (r *runner) send(ctx context.Context, cs []*kase) []Exchange {
	out := make([]Exchange, len(cs))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(r.cfg.Concurrency, max(len(cs), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				out[i] = r.exchange(ctx, cs[i])
				r.report(cs[i], &out[i])
			}
		}()
	}
	for i := range cs {
		select {
		case jobs <- i:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(jobs)
	wg.Wait()
	return out
}

func (r *runner) report(c *kase, e *Exchange) {
	if r.cfg.Progress == nil {
		r.mu.Lock()
		r.progress.Done++
		r.mu.Unlock()
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.progress.Done++
	if e.Failed() {
		r.progress.Failed++
	}
	r.progress.Operation = c.op.ID
	r.cfg.Progress(r.progress)
}

// exchange builds, sends and checks one case.
func (r *runner) exchange(ctx context.Context, c *kase) Exchange {
	e := Exchange{Case: c.name, Kind: c.kind}
	b, err := r.build(c)
	if err != nil {
		e.Request = RequestRecord{Method: c.op.Method, URL: r.target.String() + c.op.Path}
		e.Skipped = "cannot build the request: " + err.Error()
		return e
	}
	e.Request = RequestRecord{Method: b.req.Method, URL: r.mask.url(b.req.URL), Header: r.mask.header(b.req.Header), Body: string(b.body)}
	if why := r.fits(ctx, c, b); why != "" {
		e.Skipped = why
		return e
	}
	if err := r.limit.wait(ctx); err != nil {
		e.Skipped = "not sent: " + err.Error()
		return e
	}
	rctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	start := time.Now()
	resp, err := r.client.Do(b.req.WithContext(rctx))
	if err != nil {
		e.Elapsed = time.Since(start)
		e.Failures = []Failure{{Kind: "transport", Rule: "no answer: " + transportError(err, r.cfg.Timeout)}}
		return e
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, r.cfg.MaxBody+1))
	e.Elapsed = time.Since(start)
	rec := &ResponseRecord{Status: resp.StatusCode, Header: r.mask.header(resp.Header)}
	if int64(len(body)) > r.cfg.MaxBody {
		body, rec.Truncated = body[:r.cfg.MaxBody], true
		e.Notes = append(e.Notes, fmt.Sprintf("body longer than %d bytes: its schema was not checked", r.cfg.MaxBody))
	}
	rec.Body = string(body)
	e.Response = rec
	if err != nil {
		e.Failures = []Failure{{Kind: "transport", Rule: "answer cut short: " + transportError(err, r.cfg.Timeout)}}
		return e
	}
	e.Failures = r.check(c, b.req.Method, rec, resp.Header, body)
	if c.phase == phaseCreate && resp.StatusCode >= 200 && resp.StatusCode < 300 && !c.negative {
		r.remember(c, b, resp.Header, body)
	}
	return e
}

func transportError(err error, timeout time.Duration) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Sprintf("no complete answer within --timeout %s", timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// fits reports why a case is not sent: a valid case whose request the
// spec refuses (a stub's partial match, a value the generator could not
// make right), or a negative case the spec would accept after all; ""
// when it is sent.
func (r *runner) fits(ctx context.Context, c *kase, b *built) string {
	if c.noCredential {
		if ok, _, _ := c.op.Check(b.req); ok {
			return "the request still carries a credential the spec accepts (given by --header under another name?)"
		}
		return ""
	}
	vs := c.op.ValidateRequest(ctx, openapi.Request{HTTP: b.req, PathParams: b.pathParams, Body: b.body})
	switch {
	case c.negative && len(vs) == 0:
		return "the spec does not refuse this request, so it is no negative case"
	case !c.negative && len(vs) > 0:
		msgs := make([]string, len(vs))
		for i, v := range vs {
			msgs[i] = v.Message
		}
		return "the request breaks the contract itself: " + strings.Join(msgs, "; ")
	}
	return ""
}

// remember keeps the path parameters of an item a create made: its id is
// the last segment of the Location header, else a link of the create's
// response that sets the item parameter from the body, else the body's
// field of the item parameter's name, else its "id".
func (r *runner) remember(c *kase, b *built, header http.Header, body []byte) {
	for _, op := range r.cfg.Spec.Operations {
		param, parent := itemPath(op.Path)
		if parent != c.op.Path || param == "" {
			continue
		}
		id := createdID(c.op, param, header, body)
		if id == "" {
			continue
		}
		params := map[string]string{param: id}
		for k, v := range b.pathParams {
			params[k] = v
		}
		r.mu.Lock()
		if !slices.ContainsFunc(r.created[parent], func(m map[string]string) bool { return m[param] == id }) {
			r.created[parent] = append(r.created[parent], params)
		}
		r.mu.Unlock()
		return
	}
}

func createdID(create *openapi.Operation, param string, header http.Header, body []byte) string {
	if loc := header.Get("Location"); loc != "" {
		if u, err := url.Parse(loc); err == nil {
			if last := path.Base(u.EscapedPath()); last != "" && last != "/" && last != "." {
				if id, err := url.PathUnescape(last); err == nil {
					return id
				}
			}
		}
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	for _, ref := range create.Op.Responses.Map() {
		if ref == nil || ref.Value == nil {
			continue
		}
		for _, link := range ref.Value.Links {
			if link == nil || link.Value == nil {
				continue
			}
			if expr, ok := link.Value.Parameters[param].(string); ok && strings.HasPrefix(expr, "$response.body#") {
				if got, ok := pointer(v, strings.TrimPrefix(expr, "$response.body#")); ok {
					if s, err := text(got); err == nil {
						return s
					}
				}
			}
		}
	}
	obj, _ := v.(map[string]any)
	for _, name := range []string{param, "id"} {
		if got, ok := obj[name]; ok {
			if s, err := text(got); err == nil {
				return s
			}
		}
	}
	return ""
}

// pointer resolves a JSON pointer in v.
func pointer(v any, ptr string) (any, bool) {
	if ptr == "" {
		return v, true
	}
	if !strings.HasPrefix(ptr, "/") {
		return nil, false
	}
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[tok]; !ok {
				return nil, false
			}
		case []any:
			var i int
			if _, err := fmt.Sscanf(tok, "%d", &i); err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// createdCases are, for each item operation of this phase whose
// collection a create added to, one request on each created item (at most
// PerSource), its other parameters as in the operation's first case.
func (r *runner) createdCases(phase int) []*kase {
	var out []*kase
	for _, op := range r.ops {
		param, parent := itemPath(op.Path)
		if param == "" || r.b.phaseOf(op) != phase {
			continue
		}
		r.mu.Lock()
		made := slices.Clone(r.created[parent])
		r.mu.Unlock()
		if len(made) == 0 {
			continue
		}
		base := r.b.cases(op)[0]
		for i, params := range made {
			if i >= r.cfg.PerSource {
				break
			}
			k := base.clone()
			k.kind = "created"
			for name, v := range params {
				k.params[keyOf(openapi3.ParameterInPath, name)] = v
			}
			k.name = fmt.Sprintf("the item a create made (%s=%s)", param, params[param])
			out = append(out, k)
		}
	}
	return out
}

// limiter spaces request starts 1/rate apart; a zero rate never waits.
type limiter struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time
	now      func() time.Time
	sleep    func(context.Context, time.Duration) error
}

func newLimiter(rate float64, now func() time.Time, sleep func(context.Context, time.Duration) error) *limiter {
	l := &limiter{now: now, sleep: sleep}
	if rate > 0 {
		l.interval = time.Duration(float64(time.Second) / rate)
	}
	return l
}

// wait blocks until the next start is allowed, or ctx ends.
func (l *limiter) wait(ctx context.Context) error {
	if l.interval == 0 {
		return ctx.Err()
	}
	l.mu.Lock()
	now := l.now()
	at := l.next
	if at.Before(now) {
		at = now
	}
	l.next = at.Add(l.interval)
	l.mu.Unlock()
	if d := at.Sub(now); d > 0 {
		return l.sleep(ctx, d)
	}
	return ctx.Err()
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// refusedCredential returns the number of valid requests of the operation
// when every one was answered 401 or 403, else 0.
func refusedCredential(or *OperationReport) int {
	n := 0
	for _, e := range or.Exchanges {
		if e.Kind == "negative" || e.Response == nil {
			continue
		}
		if e.Response.Status != http.StatusUnauthorized && e.Response.Status != http.StatusForbidden {
			return 0
		}
		n++
	}
	return n
}

// reachable checks that the target accepts connections, so that a
// provider that is not running is one error, not a failure per request.
func (r *runner) reachable(ctx context.Context) error {
	host := r.target.Host
	if r.target.Port() == "" {
		if r.target.Scheme == "https" {
			host = net.JoinHostPort(r.target.Hostname(), "443")
		} else {
			host = net.JoinHostPort(r.target.Hostname(), "80")
		}
	}
	// One dial, before any request: it gets at least 10 s whatever
	// --timeout says, so that a short per-request bound (or a busy
	// machine) does not make a running provider look unreachable.
	d := net.Dialer{Timeout: max(r.cfg.Timeout, 10*time.Second)}
	c, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return fmt.Errorf("cannot reach the target %s: %w", r.cfg.Target, err)
	}
	return c.Close()
}
