package mockserver

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/decoy-mock/decoy/openapi"
)

// NoRoute is the operation name under which violations of requests that no
// operation matches are grouped.
const NoRoute = "(no route)"

// Violations lists the contract breaks seen since start or reset, grouped by
// operation and kind.
type Violations struct {
	// Total is the sum of the groups' counts: a request that broke the
	// contract in two ways counts twice.
	Total int `json:"total"`
	// Requests counts the requests that broke the contract at all.
	Requests int              `json:"requests"`
	Groups   []ViolationGroup `json:"groups"`
	// UnknownPaths are the distinct requests no operation matched, at most
	// 100, the most frequent first; UnknownPathsOmitted counts the
	// requests to further paths.
	UnknownPaths        []UnknownPath `json:"unknown_paths,omitempty"`
	UnknownPathsOmitted int           `json:"unknown_paths_omitted,omitempty"`
}

// ViolationGroup is one kind of violation on one operation.
type ViolationGroup struct {
	// Operation is the operation id, or NoRoute.
	Operation string `json:"operation"`
	// Method and Path are the operation's; empty for NoRoute.
	Method string `json:"method,omitempty"`
	Path   string `json:"path,omitempty"`
	Kind   string `json:"kind"`
	// Side is "request" for a break of the client's (consumer drift),
	// "response" for one of the upstream's answers (provider drift).
	Side  string `json:"side"`
	Count int    `json:"count"`
	// Example is the first request seen of this group.
	Example ViolationExample `json:"example"`
	// Last is when the latest one was seen.
	Last time.Time `json:"last"`
}

// ViolationExample is a request that broke the contract, enough to find it:
// its journal id (GET /__decoy/requests/{id} while the ring still holds it).
type ViolationExample struct {
	ID     uint64    `json:"id"`
	Time   time.Time `json:"time"`
	Method string    `json:"method"`
	// Target is the path and query, secrets masked.
	Target  string `json:"target"`
	Status  int    `json:"status"`
	Message string `json:"message"`
	Client  string `json:"client,omitempty"`
}

// UnknownPath counts the requests to one method and path no operation has.
type UnknownPath struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Count  int    `json:"count"`
}

// breach is one kind of violation found in one exchange.
type breach struct{ kind, message string }

type groupKey struct{ operation, kind string }

// breaks classifies how ex broke the contract, one breach per kind, in the
// order the checks ran; nil when it kept it. A problem that is a breach by
// itself (problemKinds) is worded as the client was told (ex.detail).
func breaks(ex *exchange) []breach {
	var out []breach
	add := func(kind, msg string) {
		if !slices.ContainsFunc(out, func(b breach) bool { return b.kind == kind }) {
			out = append(out, breach{kind, truncate(msg, maxViolationText)})
		}
	}
	if kind := breachOf(ex.kind); kind != "" {
		add(kind, ex.detail)
	}
	for _, v := range ex.violations {
		add(violationKind(v), v.Message)
	}
	for _, v := range ex.respViolations {
		add(responseKind(v), v.Message)
	}
	return out
}

// countBreach adds b, found in e, to its group; the journal's lock is held.
func (t *tally) countBreach(e Entry, op *openapi.Operation, b breach) {
	key := groupKey{NoRoute, b.kind}
	if op != nil {
		key.operation = op.ID
	}
	g := t.groups[key]
	if g == nil {
		target := e.Path
		if e.Query != "" {
			target += "?" + e.Query
		}
		g = &ViolationGroup{Operation: key.operation, Kind: b.kind, Side: sideOf(b.kind), Example: ViolationExample{
			ID: e.ID, Time: e.Time, Method: e.Method, Target: target, Status: e.Status, Message: b.message, Client: e.Client,
		}}
		if op != nil {
			g.Method, g.Path = op.Method, op.Path
		}
		t.groups[key] = g
	}
	g.Count++
	g.Last = e.Time
	if b.kind == KindUnknownRoute {
		k := e.Method + " " + e.Path
		switch u := t.unknown[k]; {
		case u != nil:
			u.Count++
		case len(t.unknown) < maxUnknownPaths:
			t.unknown[k] = &UnknownPath{Method: e.Method, Path: e.Path, Count: 1}
		default:
			t.unknownOmitted++
		}
	}
}

// Violations returns the contract breaks counted since start or reset,
// grouped by operation (NoRoute last) and kind.
func (j *Journal) Violations() Violations {
	j.mu.Lock()
	v := Violations{Requests: j.tally.broken, Groups: make([]ViolationGroup, 0, len(j.tally.groups)), UnknownPathsOmitted: j.tally.unknownOmitted}
	for _, g := range j.tally.groups {
		v.Groups = append(v.Groups, *g)
		v.Total += g.Count
	}
	for _, u := range j.tally.unknown {
		v.UnknownPaths = append(v.UnknownPaths, *u)
	}
	j.mu.Unlock()
	slices.SortFunc(v.Groups, func(a, b ViolationGroup) int {
		return cmp.Or(cmp.Compare(b2i(a.Operation == NoRoute), b2i(b.Operation == NoRoute)),
			cmp.Compare(a.Operation, b.Operation), cmp.Compare(kindRank(a.Kind), kindRank(b.Kind)))
	})
	slices.SortFunc(v.UnknownPaths, func(a, b UnknownPath) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Method, b.Method))
	})
	return v
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Violations returns the contract breaks seen since start or reset; with a
// shared state, by every replica, or by this one alone when the shared
// state cannot be reached.
func (s *Server) Violations() Violations {
	j, err := s.journalView(context.Background(), s.state.Load().spec)
	if err != nil {
		j = s.journal
	}
	return j.Violations()
}

// Report is what a CI pipeline asks of Decoy after its tests: a summary,
// the coverage and the violations. GET /__decoy/report returns it, `decoy
// report` builds the same from /__decoy/coverage and /__decoy/violations,
// and `decoy serve --report-on-exit FILE` writes it.
type Report struct {
	Generated  time.Time  `json:"generated"`
	Summary    Summary    `json:"summary"`
	Coverage   Coverage   `json:"coverage"`
	Violations Violations `json:"violations"`
}

// Summary is a Report in a few numbers.
type Summary struct {
	Requests      int `json:"requests"`
	Operations    int `json:"operations"`
	OperationsHit int `json:"operations_hit"`
	Responses     int `json:"responses"`
	ResponsesHit  int `json:"responses_hit"`
	// Coverage is the percentage of documented responses returned.
	Coverage float64 `json:"coverage"`
	// Violations is Violations.Total; ViolationKinds the number of
	// distinct kinds among them.
	Violations     int `json:"violations"`
	ViolationKinds int `json:"violation_kinds"`
	// Gaps counts the distinct (operation, status) spec gaps.
	Gaps int `json:"gaps"`
}

// NewReport combines a coverage and the violations into a Report generated
// at the given time.
func NewReport(c Coverage, v Violations, generated time.Time) Report {
	kinds := map[string]bool{}
	for _, g := range v.Groups {
		kinds[g.Kind] = true
	}
	if v.Groups == nil {
		v.Groups = []ViolationGroup{}
	}
	if c.Operations == nil {
		c.Operations = []OperationCoverage{}
	}
	if c.Gaps == nil {
		c.Gaps = []Gap{}
	}
	return Report{
		Generated: generated.UTC(),
		Summary: Summary{
			Requests:       c.Totals.Requests,
			Operations:     c.Totals.Operations,
			OperationsHit:  c.Totals.OperationsHit,
			Responses:      c.Totals.Responses,
			ResponsesHit:   c.Totals.ResponsesHit,
			Coverage:       c.Totals.ResponsesPercent,
			Violations:     v.Total,
			ViolationKinds: len(kinds),
			Gaps:           len(c.Gaps),
		},
		Coverage:   c,
		Violations: v,
	}
}

// Report returns the coverage and violations since start or reset.
func (s *Server) Report() Report {
	return NewReport(s.Coverage(), s.Violations(), s.now())
}
