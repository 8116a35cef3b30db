package scenarios

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/decoy-mock/decoy/internal/bodytemplate"
)

// Options tunes Load. The zero value is what the CLI uses.
type Options struct {
	// Now is the clock of the rate limiters; nil means time.Now.
	Now func() time.Time
	// Seed makes latency ranges and probabilities reproducible: the same
	// seed and the same calls give the same decisions. 0 is a valid seed.
	Seed uint64
	// MaxClients is how many client keys each rule tracks before it forgets
	// the least recently seen; 0 means DefaultMaxClients.
	MaxClients int
	// Dir is the folder fsys stands for, used only to name files in errors
	// the way the user knows them; "" names them as in fsys.
	Dir string
	// MaxFileBytes bounds the size of each scenario file; a larger one is a
	// load error. 0 means 256 MiB.
	MaxFileBytes int64
	// Counters keeps the rules' counters and rate-limit windows; nil keeps
	// them in memory, per rule (bounded by MaxClients). A shared store
	// (package sharedstate) lets several replicas count the same calls.
	Counters Counters
}

// Set is the loaded scenarios of a project, with the counters and rate
// limiters of their rules. The scenarios themselves are immutable; the
// counters are guarded by a mutex per rule, so a Set is safe for concurrent
// use.
type Set struct {
	byName map[string]*Scenario
	names  []string
	now    func() time.Time
	// counters is where the rules count; memoryCounters unless
	// Options.Counters says otherwise.
	counters Counters
}

// Scenario is a named list of rules, as one scenario file defines it.
type Scenario struct {
	// Name is how requests select the scenario (Prefer: scenario=NAME).
	Name string
	// Description says what the scenario simulates, for people.
	Description string
	// File is the file that defines the scenario, as the user knows it
	// ("scenarios/slow.yaml"); Line and Column locate its name there.
	File         string
	Line, Column int
	// Rules are tried in order; the first that applies to a call decides.
	Rules []*Rule
}

// Rule is one rule of a scenario: where it applies (Operations, Match),
// what it does (Status or Sequence, Latency, Fault, RateLimit, Headers) and
// when (When). Its fields are read-only once loaded; its counters are
// private and guarded by its own mutex.
type Rule struct {
	// Scenario is the name of the scenario the rule belongs to.
	Scenario string
	// Index is the rule's position in the scenario, from 0.
	Index int
	// Operations are the operation ids the rule applies to; ["*"] means
	// every operation.
	Operations []string
	// Match narrows the rule to calls with these path parameters, query
	// parameters and headers.
	Match Match
	// Status forces a documented status; 0 leaves the status alone.
	Status int
	// Sequence gives the status of each successive affected call; a 2xx
	// entry answers normally. After the last entry, the last one repeats.
	Sequence []int
	// Example names the example of the forced status (or of the rate
	// limit's 429) to answer with; "" means the first or generated data.
	Example string
	// Body, when not nil, is the JSON body of the forced status (or of the
	// rate limit's 429) instead of the spec's example, with request values
	// filled into its placeholders ({{request.header.X-Namespace}}).
	Body *bodytemplate.Template
	// Headers are added to the answer. Names are canonical.
	Headers map[string]string
	// Latency delays the answer.
	Latency Latency
	// Fault breaks the connection instead of (or while) answering.
	Fault Fault
	// RateLimit, when set, admits Limit calls per Window per key and
	// answers 429 to the rest.
	RateLimit *RateLimit
	// AllowUndocumented lets the rule answer a 5xx or 429 that an
	// operation does not document, as problem+json.
	AllowUndocumented bool
	// When says which matching calls the rule affects; the zero When is
	// every call.
	When When
	// Key, when set, keeps the rule's counters (its `when` counts and
	// rate-limit windows) per the key's value, within the X-Decoy-Client's
	// when one is sent: `key: header:X-Api-Key` gives each API key of a
	// test job its own limit, where X-Decoy-Client alone would merge them.
	// The zero Key keeps them per X-Decoy-Client, else per RateLimit.Key.
	Key Key

	all     bool            // Operations is ["*"]
	ops     map[string]bool // operation ids and "METHOD /path" names
	touched []string        // ids of the operations it applies to, for List
	seed    uint64          // Options.Seed mixed with the rule's identity

	idOnce sync.Once
	id     string // see ID

	mu      sync.Mutex
	clients clients
}

// String names the rule for the journal: "rate-limited#0".
func (r *Rule) String() string { return fmt.Sprintf("%s#%d", r.Scenario, r.Index) }

// Match lists what a call must carry for a rule to apply; every entry must
// hold. A query parameter or header matches when any of its values equals
// the one given.
type Match struct {
	Path    map[string]string `json:"path,omitempty"`
	Query   map[string]string `json:"query,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
}

// RateLimit admits Limit calls per sliding Window for each key.
type RateLimit struct {
	Limit  int
	Window time.Duration
	// Key says which calls share a limit; the zero Key is one limit for
	// every caller.
	Key Key
}

// When picks the matching calls a rule affects. The zero When affects every
// call. Counting n from 1 over the calls that match the rule (per client
// key), the rule fires when n > After, and (n-After) is a multiple of Every
// (if set), and a seeded draw for n falls under Probability (if set), and
// it has fired fewer than Times times (if set).
type When struct {
	After       int
	Times       int
	Every       int
	Probability Probability
}

// IsZero reports whether w affects every call.
func (w When) IsZero() bool { return w == When{} }

// String describes w as the file writes it, e.g. "after: 3, times: 2", or
// "always".
func (w When) String() string {
	var parts []string
	if w.After > 0 {
		parts = append(parts, fmt.Sprintf("after: %d", w.After))
	}
	if w.Times > 0 {
		parts = append(parts, fmt.Sprintf("times: %d", w.Times))
	}
	if w.Every > 0 {
		parts = append(parts, fmt.Sprintf("every: %d", w.Every))
	}
	if w.Probability > 0 {
		parts = append(parts, "probability: "+w.Probability.String())
	}
	if len(parts) == 0 {
		return "always"
	}
	return strings.Join(parts, ", ")
}

// Summary describes a scenario for GET /__decoy/scenarios.
type Summary struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Operations are the ids of the operations the scenario touches, sorted.
	Operations []string `json:"operations"`
	// File is the file that defines the scenario.
	File string `json:"file"`
}

// Names returns the names of the scenarios, sorted.
func (s *Set) Names() []string {
	if s == nil {
		return nil
	}
	return slices.Clone(s.names)
}

// Len returns the number of scenarios.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.names)
}

// Lookup returns the scenario called name, or nil when there is none.
func (s *Set) Lookup(name string) *Scenario {
	if s == nil {
		return nil
	}
	return s.byName[name]
}

// List describes every scenario, sorted by name.
func (s *Set) List() []Summary {
	if s == nil {
		return nil
	}
	out := make([]Summary, 0, len(s.names))
	for _, name := range s.names {
		sc := s.byName[name]
		sum := Summary{Name: sc.Name, Description: sc.Description, File: sc.File, Operations: []string{}}
		for _, r := range sc.Rules {
			sum.Operations = append(sum.Operations, r.touched...)
		}
		slices.Sort(sum.Operations)
		sum.Operations = slices.Compact(sum.Operations)
		out = append(out, sum)
	}
	return out
}

// Reset clears the counters and rate limiters of every rule: of every
// client key when client is "", else only of that client key (an
// X-Decoy-Client value, or a rule key's value such as an Authorization
// header). With shared counters it clears them for every replica, and
// returns an error when they cannot be reached.
func (s *Set) Reset(ctx context.Context, client string) error {
	if s == nil {
		return nil
	}
	key := normalizeKey(client)
	for _, name := range s.names {
		for _, r := range s.byName[name].Rules {
			r.reset(client == "", key)
		}
	}
	return s.counters.Reset(ctx, client)
}

// Shared reports whether the set's counters live outside this process
// (Options.Counters was set).
func (s *Set) Shared() bool {
	if s == nil {
		return false
	}
	_, mem := s.counters.(memoryCounters)
	return !mem
}

func (r *Rule) reset(all bool, key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if all {
		r.clients.clear()
		return
	}
	r.clients.drop(key)
	r.clients.drop(keySep + key) // key is a rule key's value, counted without a client
	if r.Key.Kind != KeyShared {
		r.clients.dropPrefix(key + keySep) // the client's counters per rule key value
	}
}
