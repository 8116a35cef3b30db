package scenarios

import (
	"context"
	"hash/fnv"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/decoy-mock/decoy/internal/bodytemplate"
	"github.com/decoy-mock/decoy/openapi"
)

// Input is what Decide needs to know of one request, which has already
// passed routing and security.
type Input struct {
	Op         *openapi.Operation
	Request    *http.Request
	PathParams map[string]string
	// Client is the X-Decoy-Client header value; "" when absent.
	Client string
	// RemoteIP is the client's IP address, without the port.
	RemoteIP string
}

// Decision is what a scenario does to one request instead of (or on top of)
// the normal answer. The mock waits Latency first, then either breaks the
// connection (Fault) or answers: with Status when it is set, else normally,
// adding Headers and, when RateLimit is set, X-RateLimit-* headers.
type Decision struct {
	// Scenario and Rule name what decided, for the journal:
	// "rate-limited", "rate-limited#0".
	Scenario, Rule string
	// Latency is how long to wait before anything else; 0 means none.
	Latency time.Duration
	// Status forces this status; 0 means answer normally. The answer is the
	// operation's documented response for Status.
	Status int
	// Example names the example of Status to answer with; "" means the
	// first example, or data generated from the schema.
	Example string
	// Body, when not nil, is the body of Status to answer with, its
	// placeholders filled from the request (see package bodytemplate).
	Body *bodytemplate.Template
	// Headers are extra headers for the answer; nil when none. The map is
	// the caller's to keep.
	Headers map[string]string
	// Fault breaks the connection; FaultNone means answer.
	Fault Fault
	// Undocumented says the operation does not document Status and the
	// rule allows it anyway: the mock answers application/problem+json.
	Undocumented bool
	// RateLimit is set whenever a rate-limit rule decided, whether or not
	// the call was limited, so every answer can carry X-RateLimit-*.
	RateLimit *RateLimitInfo
}

// RateLimitInfo is the state of a caller's rate limit after one call.
type RateLimitInfo struct {
	// Limit is the number of calls allowed per window.
	Limit int
	// Remaining is the number of calls still allowed now, after this one.
	Remaining int
	// Reset is when the oldest call of the window stops counting, so one
	// more call becomes allowed.
	Reset time.Time
	// RetryAfter is, for a limited call, how long until a call would pass
	// (exact; see RetryAfterSeconds). 0 when not limited.
	RetryAfter time.Duration
	// Limited says the call was refused: the answer is 429.
	Limited bool
}

// RetryAfterSeconds returns RetryAfter in whole seconds rounded up, as the
// Retry-After header needs it: at least 1 for a limited call, 0 otherwise.
func (i RateLimitInfo) RetryAfterSeconds() int64 {
	if !i.Limited {
		return 0
	}
	return max(1, int64((i.RetryAfter+time.Second-1)/time.Second))
}

// Decide applies the scenario called name to one request: the first of its
// rules that applies to the call decides. A rule applies when the call's
// operation is one of its operations, its match holds, and its `when` fires
// for this call; a rule whose `when` does not fire lets the next rule try.
// Decide counts the call in every rule it matches, and never blocks beyond
// a rule's mutex, or, with shared counters (Options.Counters), beyond ctx.
// It returns ok=false when no rule applies (answer normally), when name is
// not a scenario of s, or when in.Op is nil, and an error when the shared
// counters cannot be reached.
func (s *Set) Decide(ctx context.Context, name string, in Input) (d Decision, ok bool, err error) {
	if s == nil || in.Op == nil {
		return Decision{}, false, nil
	}
	sc := s.byName[name]
	if sc == nil {
		return Decision{}, false, nil
	}
	now := s.now()
	var query url.Values
	for _, r := range sc.Rules {
		if !r.applies(in, &query) {
			continue
		}
		d, ok, err := r.decide(ctx, s.counters, in, now)
		if err != nil || ok {
			return d, ok, err
		}
	}
	return Decision{}, false, nil
}

// Applies reports whether the scenario called name has a rule for this
// call: one whose operations include the call's and whose match holds,
// whether or not its `when` fires. A scenario that does not apply leaves the
// call alone, and the mock does not claim to have applied it. It counts
// nothing, and returns false for an unknown name or a nil in.Op.
func (s *Set) Applies(name string, in Input) bool {
	if s == nil || in.Op == nil {
		return false
	}
	sc := s.byName[name]
	if sc == nil {
		return false
	}
	var query url.Values
	for _, r := range sc.Rules {
		if r.applies(in, &query) {
			return true
		}
	}
	return false
}

// applies reports whether the call is one of the rule's operations and
// carries what its match asks for. query caches the parsed query string.
func (r *Rule) applies(in Input, query *url.Values) bool {
	if !r.all && !r.ops[in.Op.ID] && !r.ops[in.Op.Method+" "+in.Op.Path] {
		return false
	}
	for k, want := range r.Match.Path {
		if got, ok := in.PathParams[k]; !ok || got != want {
			return false
		}
	}
	if len(r.Match.Query) > 0 {
		if in.Request == nil || in.Request.URL == nil {
			return false
		}
		if *query == nil {
			*query = in.Request.URL.Query()
		}
		for k, want := range r.Match.Query {
			if !slices.Contains((*query)[k], want) {
				return false
			}
		}
	}
	for k, want := range r.Match.Headers {
		if in.Request == nil || !slices.Contains(in.Request.Header.Values(k), want) {
			return false
		}
	}
	return true
}

// keySep joins an X-Decoy-Client value and a rule key's value into one
// counter key; a header value cannot hold it.
const keySep = "\x1f"

// clientKey is the key the rule keeps this call's counters under: the
// X-Decoy-Client value alone, or "CLIENT␟VALUE" for the value of a rule or
// rate-limit key (the client part "" when none was sent). A key without
// the separator is thus always an X-Decoy-Client value, so that the
// clients holding counters can be listed (Set.Clients) without mistaking
// an Authorization header for one.
func (r *Rule) clientKey(in Input) string {
	if r.Key.Kind == KeyClient {
		return normalizeKey(in.Client)
	}
	if r.Key.Kind != KeyShared {
		// Each parallel job keeps its own counters for each value.
		return normalizeKey(in.Client) + keySep + normalizeKey(r.Key.value(in))
	}
	if in.Client != "" {
		return normalizeKey(in.Client)
	}
	if r.RateLimit != nil && r.RateLimit.Key.Kind != KeyShared && r.RateLimit.Key.Kind != KeyClient {
		return keySep + normalizeKey(r.RateLimit.Key.value(in))
	}
	return ""
}

// decide counts a call the rule applies to and returns what the rule does
// to it; ok is false when the rule's `when` lets this call through. It
// returns an error when the counters cannot be reached.
func (r *Rule) decide(ctx context.Context, store Counters, in Input, now time.Time) (Decision, bool, error) {
	t, err := store.Count(ctx, Call{Rule: r, Key: r.clientKey(in), Now: now})
	if err != nil {
		return Decision{}, false, err
	}
	if !t.Fires {
		return Decision{}, false, nil
	}
	d := Decision{Scenario: r.Scenario, Rule: r.String(), Fault: r.Fault, Headers: maps.Clone(r.Headers)}
	if !r.Latency.IsZero() {
		d.Latency = r.Latency.Pick(draw(r.seed, t.Calls, saltLatency))
	}
	if r.RateLimit != nil {
		info := t.RateLimit
		d.RateLimit = &info
		if info.Limited {
			d.Status, d.Example, d.Body = http.StatusTooManyRequests, r.Example, r.Body
			d.Undocumented = in.Op.Lookup(d.Status) == nil
		}
		return d, true, nil
	}
	status := r.Status
	if len(r.Sequence) > 0 {
		status = r.Sequence[min(max(t.Fired, 1), uint64(len(r.Sequence)))-1]
		if isNormal(status, in.Op) {
			status = 0
		}
	}
	if status != 0 {
		d.Status, d.Example, d.Body = status, r.Example, r.Body
		d.Undocumented = in.Op.Lookup(status) == nil
	}
	return d, true, nil
}

// isNormal reports whether a sequence entry means "answer normally": 200,
// or the operation's own success status.
func isNormal(status int, op *openapi.Operation) bool {
	return status == http.StatusOK || (status >= 200 && status < 300 && status == op.SuccessStatus())
}

// fires reports whether the rule's `when` affects the n-th matching call of
// a client whose calls it affected fired times before.
func (r *Rule) fires(fired, n uint64) bool {
	return r.When.countsFor(fired, n) && r.drawFires(n)
}

// countsFor reports whether w's after, every and times let the n-th
// matching call through to the draw, fired calls having been affected
// before it. A shared store evaluates the same arithmetic where the
// counters live.
func (w When) countsFor(fired, n uint64) bool {
	if n <= uint64(w.After) {
		return false
	}
	m := n - uint64(w.After)
	if w.Every > 0 && m%uint64(w.Every) != 0 {
		return false
	}
	if w.Times > 0 && fired >= uint64(w.Times) {
		return false
	}
	return true
}

// drawFires reports whether the seeded draw of the n-th call falls under
// the rule's probability; always true without one.
func (r *Rule) drawFires(n uint64) bool {
	p := r.When.Probability
	return p <= 0 || unit(draw(r.seed, n, saltProbability)) < float64(p)
}

// DrawFires reports whether the rule's seeded probability draw lets its
// n-th matching call fire; true when the rule has no probability. A shared
// store calls it between counting a call and counting it as fired.
func (r *Rule) DrawFires(n uint64) bool { return r.drawFires(n) }

// Salts keep the random streams of one rule apart.
const (
	saltLatency     = 0x6c6174656e6379 // "latency"
	saltProbability = 0x70726f62       // "prob"
)

// draw returns a pseudo-random value that depends only on the rule's seed,
// the call count and the salt: never on time or a global source, so a run
// replays exactly.
func draw(seed, n, salt uint64) uint64 {
	return splitmix(splitmix(seed^salt) + n)
}

// unit maps u to [0, 1).
func unit(u uint64) float64 { return float64(u>>11) / (1 << 53) }

// splitmix is the SplitMix64 finalizer: a fast, well-mixed bijection.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// ruleSeed mixes the user's seed with the rule's identity, so that two
// rules with the same `when` do not fire on the same calls.
func ruleSeed(seed uint64, scenario string, index int) uint64 {
	h := fnv.New64a()
	h.Write([]byte(scenario))
	return splitmix(seed ^ splitmix(h.Sum64()+uint64(index)))
}
