package scenarios

import (
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// DefaultMaxClients is how many client keys a rule tracks when
// Options.MaxClients is 0.
const DefaultMaxClients = 10000

// maxKeyLen is the longest client key kept as is; longer keys (a long
// Authorization header, say) are kept as their SHA-256, so memory per key
// stays small whatever the client sends.
const maxKeyLen = 64

// normalizeKey returns the form a client key is stored under.
func normalizeKey(key string) string {
	if len(key) <= maxKeyLen {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// client is what a rule remembers about one client key.
type client struct {
	key string
	// calls counts the calls that matched the rule's operations and match.
	calls uint64
	// fired counts the calls the rule affected (its `when` fired).
	fired uint64
	// log holds the admitted calls of a rate-limited rule.
	log slidingLog
	// seen is when the key's last call was counted, to list the most
	// recent clients first (Set.Clients).
	seen time.Time
}

// clients is a rule's table of client keys, bounded: when it holds max keys
// and a new one arrives, the least recently seen is forgotten (its counters
// start again from zero if it comes back). Not safe for concurrent use; the
// rule's mutex guards it.
type clients struct {
	max   int
	byKey map[string]*list.Element // of *client
	lru   list.List                // front is the most recently used
}

// get returns the state of key, creating it (and evicting the least recently
// used key when full).
func (c *clients) get(key string) *client {
	if c.byKey == nil {
		c.byKey = map[string]*list.Element{}
	}
	if e, ok := c.byKey[key]; ok {
		c.lru.MoveToFront(e)
		return e.Value.(*client)
	}
	if c.lru.Len() >= max(c.max, 1) {
		oldest := c.lru.Back()
		c.lru.Remove(oldest)
		delete(c.byKey, oldest.Value.(*client).key)
	}
	cl := &client{key: key}
	c.byKey[key] = c.lru.PushFront(cl)
	return cl
}

// drop forgets key.
func (c *clients) drop(key string) {
	if e, ok := c.byKey[key]; ok {
		c.lru.Remove(e)
		delete(c.byKey, key)
	}
}

// dropPrefix forgets every key that starts with prefix.
func (c *clients) dropPrefix(prefix string) {
	for key, e := range c.byKey {
		if strings.HasPrefix(key, prefix) {
			c.lru.Remove(e)
			delete(c.byKey, key)
		}
	}
}

// clear forgets every key.
func (c *clients) clear() {
	c.byKey = nil
	c.lru.Init()
}

// len returns the number of keys tracked.
func (c *clients) len() int { return c.lru.Len() }

// slidingLog is an exact sliding-window limiter: it keeps the times of the
// calls it admitted during the last window, at most limit of them, in a ring
// that grows only as calls arrive. A call at t holds its slot during
// [t, t+window).
type slidingLog struct {
	times []time.Time
	head  int // index of the oldest time
	n     int // number of times held
}

func (l *slidingLog) at(i int) time.Time { return l.times[(l.head+i)%len(l.times)] }

// take admits a call at now when fewer than limit calls were admitted in the
// window before it, and says what the client may still do.
func (l *slidingLog) take(now time.Time, limit int, window time.Duration) RateLimitInfo {
	for l.n > 0 && !l.at(0).Add(window).After(now) {
		l.head = (l.head + 1) % len(l.times)
		l.n--
	}
	info := RateLimitInfo{Limit: limit}
	if l.n >= limit {
		info.Limited = true
		info.Reset = l.at(0).Add(window)
		info.RetryAfter = info.Reset.Sub(now)
		return info
	}
	l.push(now, limit)
	info.Remaining = limit - l.n
	info.Reset = l.at(0).Add(window)
	return info
}

// peek says what take would say of a call at now, and whether it would be
// limited, without admitting it or dropping expired times: Remaining is
// what the client may still do, Reset when the oldest held call stops
// counting (the zero time when none is held).
func (l *slidingLog) peek(now time.Time, limit int, window time.Duration) RateLimitInfo {
	info := RateLimitInfo{Limit: limit}
	held := 0
	for i := range l.n {
		t := l.at(i)
		if !t.Add(window).After(now) {
			continue
		}
		if held == 0 {
			info.Reset = t.Add(window)
		}
		held++
	}
	info.Remaining = max(limit-held, 0)
	if held >= limit {
		info.Limited = true
		info.RetryAfter = info.Reset.Sub(now)
	}
	return info
}

func (l *slidingLog) push(t time.Time, limit int) {
	if l.n == len(l.times) {
		grown := make([]time.Time, min(max(4, 2*len(l.times)), limit))
		for i := range l.n {
			grown[i] = l.at(i)
		}
		l.times, l.head = grown, 0
	}
	l.times[(l.head+l.n)%len(l.times)] = t
	l.n++
}
