package scenarios

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"
)

// Counters keeps the per-client counters and rate-limit windows of rules.
// The zero Options.Counters keeps them in memory, in each rule (the
// default, and the fastest); package sharedstate keeps them in Redis, so
// that several replicas of Decoy count the same calls. Decide does not know
// which it talks to.
type Counters interface {
	// Count counts one call of the client key c.Key that c.Rule applies
	// to, at c.Now, and says what the rule's `when` and rate limit make of
	// it. It returns an error, and counts nothing it can know of, when the
	// store cannot be reached within ctx.
	Count(ctx context.Context, c Call) (Tally, error)
	// Reset forgets the counters of every client key when client is "",
	// else those of that client key (see Set.Reset). It returns an error
	// when the store cannot be reached.
	Reset(ctx context.Context, client string) error
	// Read returns what the store holds for c.Rule and the client key
	// c.Key, as seen at c.Now, without counting or changing anything (a
	// window's expired calls are skipped, not removed); ok is false when
	// it holds nothing for the key. It returns an error when the store
	// cannot be reached within ctx.
	Read(ctx context.Context, c Call) (t Tally, ok bool, err error)
	// Keys returns the keys (as Call.Key) under which the store holds
	// counters of any of q.Rules, those that start with q.Prefix, at most
	// q.Limit of them, without changing anything; more reports that it
	// left some out (a store may also stop early to bound its work, and
	// say so). It returns an error when the store cannot be reached
	// within ctx.
	Keys(ctx context.Context, q KeyQuery) (keys []KeyUse, more bool, err error)
}

// KeyQuery asks Counters.Keys for the counter keys of some rules.
type KeyQuery struct {
	// Rules are the rules whose keys are listed; the keys of rules not
	// among them (a shared store may hold those of an older version of a
	// scenario) are skipped.
	Rules []*Rule
	// Prefix keeps only the keys that start with it; "" keeps all.
	Prefix string
	// Keep, when not nil, is asked about each key of a rule that starts
	// with Prefix, once, in the store's order; only the keys it keeps are
	// returned and count toward Limit.
	Keep func(r *Rule, key string) bool
	// Limit is the most keys returned.
	Limit int
	// Now is the time the store's Seen times are reckoned from.
	Now time.Time
}

// KeyUse is a key under which a rule holds counters.
type KeyUse struct {
	Rule *Rule
	// Key is the counter key (Call.Key).
	Key string
	// Seen is about when the key's last call was counted; the zero time
	// when the store cannot tell.
	Seen time.Time
}

// Call is one call to count: the rule that applies to it, the client key
// its counters are kept under, and when it came.
type Call struct {
	Rule *Rule
	Key  string
	Now  time.Time
}

// Tally is what Counters.Count makes of one call.
type Tally struct {
	// Calls is the number of calls the rule counted for the key, this one
	// included (n in When's documentation).
	Calls uint64
	// Fires says the rule affects this call: its `when` fired, or, for a
	// rate-limited rule, always (RateLimit says whether it was limited).
	Fires bool
	// Fired is the number of calls the rule affected for the key, this
	// one included when it fires.
	Fired uint64
	// RateLimit is the state of the key's window after the call, for a
	// rule with a rate limit.
	RateLimit RateLimitInfo
}

// ID returns a name for the rule that changes whenever what it counts
// changes: its scenario, its index and a hash of its definition (see
// CarryFrom). A shared store keys the rule's counters by it, so that a
// reload that did not touch a scenario keeps its counters on every replica,
// and an edited rule starts from zero.
func (r *Rule) ID() string {
	r.idOnce.Do(func() {
		b, err := json.Marshal(r.definition())
		if err != nil { // every field marshals; keep a usable id anyway
			b = []byte(err.Error())
		}
		sum := sha256.Sum256(b)
		r.id = r.String() + ":" + hex.EncodeToString(sum[:8])
	})
	return r.id
}

// memoryCounters keeps counters in each rule's own bounded table: the
// in-memory store, guarded by the rule's mutex.
type memoryCounters struct{}

func (memoryCounters) Count(_ context.Context, c Call) (Tally, error) {
	return c.Rule.count(c.Key, c.Now), nil
}

func (memoryCounters) Reset(_ context.Context, client string) error {
	return nil // Set.Reset clears the rules' tables itself
}

func (memoryCounters) Read(_ context.Context, c Call) (Tally, bool, error) {
	t, ok := c.Rule.read(c.Key, c.Now)
	return t, ok, nil
}

func (memoryCounters) Keys(_ context.Context, q KeyQuery) ([]KeyUse, bool, error) {
	var out []KeyUse
	for _, r := range q.Rules {
		if r.keys(q, &out) {
			break
		}
	}
	if len(out) > q.Limit {
		return out[:q.Limit], true, nil
	}
	return out, false, nil
}

// keys appends to out the rule's keys that q asks for, most recently used
// first, and reports whether out holds more than q.Limit (one more, so
// that the caller knows it left some out).
func (r *Rule) keys(q KeyQuery, out *[]KeyUse) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for e := r.clients.lru.Front(); e != nil; e = e.Next() {
		if len(*out) > q.Limit {
			return true
		}
		c := e.Value.(*client)
		if strings.HasPrefix(c.key, q.Prefix) && (q.Keep == nil || q.Keep(r, c.key)) {
			*out = append(*out, KeyUse{Rule: r, Key: c.key, Seen: c.seen})
		}
	}
	return len(*out) > q.Limit
}

// read returns the rule's counters of key at now without changing them (not
// even the table's order of use).
func (r *Rule) read(key string, now time.Time) (Tally, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.clients.byKey[key]
	if !ok {
		return Tally{}, false
	}
	c := e.Value.(*client)
	t := Tally{Calls: c.calls, Fired: c.fired}
	if rl := r.RateLimit; rl != nil {
		t.RateLimit = c.log.peek(now, rl.Limit, rl.Window)
	}
	return t, true
}

// count counts a call of key in the rule's own table.
func (r *Rule) count(key string, now time.Time) Tally {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.clients.get(key)
	c.calls++
	c.seen = now
	t := Tally{Calls: c.calls}
	if rl := r.RateLimit; rl != nil {
		t.RateLimit = c.log.take(now, rl.Limit, rl.Window)
		t.Fires = true
		if t.RateLimit.Limited {
			c.fired++
		}
		t.Fired = c.fired
		return t
	}
	if r.fires(c.fired, c.calls) {
		c.fired++
		t.Fires = true
	}
	t.Fired = c.fired
	return t
}

// NormalizeKey returns the form a client key is kept under: the key itself
// when short, else its SHA-256, so that a store's memory per key is small
// whatever the client sends.
func NormalizeKey(key string) string { return normalizeKey(key) }

// KeySep joins an X-Decoy-Client value and a rule key's value in one
// counter key (Call.Key), so that a store can forget one client's counters
// for every value: a header value cannot hold it.
const KeySep = keySep
