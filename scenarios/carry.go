package scenarios

import (
	"reflect"
	"slices"
)

// CarryFrom takes over old's counters and rate-limit windows for every
// scenario that both sets define with the same rules, compared by content
// (operations, match, status, sequence, example, headers, latency, fault,
// rate limit, when, and the seed they draw from; not the description nor
// where the file defines it), so that a reload which did not touch a
// scenario neither resets its rate limits nor restarts its "after N calls".
// A scenario whose rules changed starts from zero, as a new one does. It
// returns the names of the scenarios whose counters it kept, sorted, and
// does nothing when old is nil or s itself.
//
// The counters are copied, so the caller must make sure that no Decide
// reaches old from the moment CarryFrom starts (a call counted there would
// be lost), and that none reaches s before it returns:
// mockserver.Server.Reload calls it under its reload lock, with s not yet
// served.
func (s *Set) CarryFrom(old *Set) []string {
	if s == nil || old == nil || s == old {
		return nil
	}
	var kept []string
	for _, name := range s.names {
		sc, was := s.byName[name], old.byName[name]
		if was == nil || !sameRules(sc.Rules, was.Rules) {
			continue
		}
		for i, r := range sc.Rules {
			r.takeCounters(was.Rules[i])
		}
		kept = append(kept, name)
	}
	slices.Sort(kept)
	return kept
}

// definition is what decides how a rule counts and answers; two rules with
// equal definitions count the same calls the same way.
type definition struct {
	Operations        []string
	Match             Match
	Status            int
	Sequence          []int
	Example           string
	Body              any
	Headers           map[string]string
	Latency           Latency
	Fault             Fault
	RateLimit         *RateLimit
	AllowUndocumented bool
	When              When
	Key               Key
	Seed              uint64
}

func (r *Rule) definition() definition {
	var body any
	if r.Body != nil {
		body = r.Body.Value()
	}
	return definition{Operations: r.Operations, Match: r.Match, Status: r.Status, Sequence: r.Sequence,
		Example: r.Example, Body: body, Headers: r.Headers, Latency: r.Latency, Fault: r.Fault, RateLimit: r.RateLimit,
		AllowUndocumented: r.AllowUndocumented, When: r.When, Key: r.Key, Seed: r.seed}
}

func sameRules(a, b []*Rule) bool {
	return slices.EqualFunc(a, b, func(x, y *Rule) bool { return reflect.DeepEqual(x.definition(), y.definition()) })
}

// takeCounters copies old's client counters and rate-limit windows into r,
// least recently seen first so that r's recency order (and what its bound
// forgets first) is old's.
func (r *Rule) takeCounters(old *Rule) {
	old.mu.Lock()
	defer old.mu.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clients.clear()
	for e := old.clients.lru.Back(); e != nil; e = e.Prev() {
		oc := e.Value.(*client)
		c := r.clients.get(oc.key)
		c.calls, c.fired, c.seen = oc.calls, oc.fired, oc.seen
		c.log = slidingLog{times: slices.Clone(oc.log.times), head: oc.log.head, n: oc.log.n}
	}
}
