package openapi

import (
	"cmp"
	"slices"
	"sync"
)

// runtimeFindings are the findings an operation's requests reveal: what a
// spec says that Decoy only meets when a request exercises it (a body of a
// media type it cannot decode). Each is recorded once, whatever the number
// of requests, so the store is bounded by the spec, not by the traffic.
type runtimeFindings struct {
	m sync.Map // pointer → Finding
}

// note records f unless a finding with its pointer is already recorded.
func (r *runtimeFindings) note(f Finding) {
	if _, seen := r.m.Load(f.Pointer); seen {
		return // the common case: no allocation on the request path
	}
	r.m.LoadOrStore(f.Pointer, f)
}

func (r *runtimeFindings) list() []Finding {
	var out []Finding
	r.m.Range(func(_, v any) bool {
		out = append(out, v.(Finding))
		return true
	})
	slices.SortFunc(out, func(a, b Finding) int { return cmp.Compare(a.Pointer, b.Pointer) })
	return out
}

// noteFinding records f for the operation, once. An Operation not built by
// Load keeps none.
func (o *Operation) noteFinding(f Finding) {
	if o.plan != nil {
		o.plan.findings.note(f)
	}
}

// RuntimeFindings returns the findings requests have revealed so far, each
// once, in operation order then by JSON pointer; nil when there are none.
// It is safe to call while requests are served.
func (s *Spec) RuntimeFindings() []Finding {
	var out []Finding
	for _, op := range s.Operations {
		if op.plan != nil {
			out = append(out, op.plan.findings.list()...)
		}
	}
	return out
}

// AllFindings returns the findings of the load (Findings) followed by the
// runtime ones (RuntimeFindings), in a new slice.
func (s *Spec) AllFindings() []Finding {
	rt := s.RuntimeFindings()
	out := make([]Finding, 0, len(s.Findings)+len(rt))
	out = append(out, s.Findings...)
	return append(out, rt...)
}

// ClassCannotGenerate: a response schema no value can be generated for
// (contradictory constraints, a oneOf whose branches overlap whatever the
// value, a string longer than Decoy builds for one answer); Decoy answers
// with an example or another documented response instead.
const ClassCannotGenerate = "cannot-generate"

// NoteFinding records f as a finding the operation's requests revealed,
// once per JSON pointer however many requests reveal it; it is listed by
// Spec.RuntimeFindings. An Operation not built by Load keeps none.
func (o *Operation) NoteFinding(f Finding) { o.noteFinding(f) }
