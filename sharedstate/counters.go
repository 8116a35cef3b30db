package sharedstate

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/decoy-mock/decoy/scenarios"
	"github.com/redis/go-redis/v9"
)

// countScript counts one call of a rule for one client key, atomically, in
// one round trip. KEYS[1] is the hash of the key's call count (c) and
// fired count (f); KEYS[2] the sorted set of its rate-limit window, scored
// in microseconds. ARGV: after, every, times, has-probability, limit,
// window (µs), now (µs), counter TTL (ms).
//
// It returns {calls, fired, fires, limited, held, oldest}: fires is 1 when
// the rule affects the call, 2 when only the rule's probability draw,
// which the caller makes, is left to decide; held is the number of calls
// in the window and oldest the score of the oldest of them.
//
// The window is the same exact sliding log as the memory store's: a call
// at t holds its slot during [t, t+window), and at most limit calls are
// held.
var countScript = redis.NewScript(`
local calls = redis.call('HINCRBY', KEYS[1], 'c', 1)
local fired = tonumber(redis.call('HGET', KEYS[1], 'f') or '0')
local limit = tonumber(ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[8])
if limit > 0 then
  local win = tonumber(ARGV[6])
  local now = tonumber(ARGV[7])
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - win)
  local held = redis.call('ZCARD', KEYS[2])
  local limited = 0
  if held >= limit then
    limited = 1
    fired = redis.call('HINCRBY', KEYS[1], 'f', 1)
  else
    redis.call('ZADD', KEYS[2], now, calls .. ':' .. ARGV[7])
    held = held + 1
  end
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  redis.call('PEXPIRE', KEYS[2], math.floor(win / 1000) + 1000)
  return {calls, fired, 1, limited, held, oldest[2]}
end
local after = tonumber(ARGV[1])
local every = tonumber(ARGV[2])
local times = tonumber(ARGV[3])
local fires = 0
if calls > after then
  local m = calls - after
  if (every == 0 or m % every == 0) and (times == 0 or fired < times) then
    if ARGV[4] == '1' then
      fires = 2
    else
      fired = redis.call('HINCRBY', KEYS[1], 'f', 1)
      fires = 1
    end
  end
end
return {calls, fired, fires, 0, 0, '0'}
`)

// fireScript counts a call whose probability draw fired, unless the rule
// has affected times calls meanwhile (ARGV[1]; 0 means no bound). It
// returns the new fired count, or -1.
var fireScript = redis.NewScript(`
local fired = tonumber(redis.call('HGET', KEYS[1], 'f') or '0')
local times = tonumber(ARGV[1])
if times > 0 and fired >= times then return -1 end
return redis.call('HINCRBY', KEYS[1], 'f', 1)
`)

// keySep separates a rule's id from the client key in a key name: a
// header value (where client keys come from) cannot hold it.
const keySep = "\x1e"

func (s *Redis) counterKeys(c scenarios.Call) (calls, window string) {
	id := c.Rule.ID() + keySep + c.Key
	return s.prefix + "n:" + id, s.prefix + "w:" + id
}

// Count implements scenarios.Counters: one round trip (a script), two for
// a rule with a probability whose other conditions hold. It returns an
// error wrapping ErrUnavailable when Redis cannot be reached in time.
func (s *Redis) Count(ctx context.Context, c scenarios.Call) (scenarios.Tally, error) {
	r := c.Rule
	n, w := s.counterKeys(c)
	var limit int
	var window time.Duration
	if r.RateLimit != nil {
		limit, window = r.RateLimit.Limit, r.RateLimit.Window
	}
	prob := "0"
	if r.When.Probability > 0 {
		prob = "1"
	}
	nowUS := c.Now.UnixMicro()
	var res []any
	err := s.do(ctx, func(ctx context.Context) error {
		var err error
		res, err = s.countBatched(ctx, []string{n, w},
			[]any{r.When.After, r.When.Every, r.When.Times, prob, limit, window.Microseconds(), nowUS, s.ttl.Milliseconds()})
		return err
	})
	if err != nil {
		return scenarios.Tally{}, err
	}
	if len(res) != 6 {
		return scenarios.Tally{}, fmt.Errorf("redis at %s: the count script answered %d values, want 6", s.url, len(res))
	}
	calls, fired, fires, limited, held := asInt(res[0]), asInt(res[1]), asInt(res[2]), asInt(res[3]), asInt(res[4])
	t := scenarios.Tally{Calls: uint64(calls), Fired: uint64(fired), Fires: fires == 1}
	if fires == 2 && r.DrawFires(t.Calls) {
		var got int64
		err := s.do(ctx, func(ctx context.Context) error {
			var err error
			got, err = fireScript.Run(ctx, s.client, []string{n}, r.When.Times).Int64()
			return err
		})
		if err != nil {
			return scenarios.Tally{}, err
		}
		if got >= 0 {
			t.Fires, t.Fired = true, uint64(got)
		}
	}
	if limit > 0 {
		oldestUS, _ := strconv.ParseFloat(fmt.Sprint(res[5]), 64)
		reset := time.UnixMicro(int64(oldestUS)).Add(window)
		info := scenarios.RateLimitInfo{Limit: limit, Reset: reset}
		if limited == 1 {
			info.Limited = true
			info.RetryAfter = reset.Sub(c.Now)
		} else {
			info.Remaining = limit - int(held)
		}
		t.RateLimit = info
	}
	return t, nil
}

func asInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case string:
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	}
	return 0
}

// Reset implements scenarios.Counters: it deletes the counters and windows
// of every rule for every client key when client is "", else for that
// client key (and the rule-key values kept within it, and the counters
// of that value when it is a rule key's, counted without a client).
func (s *Redis) Reset(ctx context.Context, client string) error {
	if client == "" {
		return s.deleteMatching(ctx, s.prefix+"[nw]:*")
	}
	key := globEscape(scenarios.NormalizeKey(client))
	for _, pattern := range []string{
		key,                          // the client's own counters
		key + scenarios.KeySep + "*", // its counters per rule key value
		scenarios.KeySep + key,       // a rule key's value counted without a client
	} {
		if err := s.deleteMatching(ctx, s.prefix+"[nw]:*"+keySep+pattern); err != nil {
			return err
		}
	}
	return nil
}

// deleteMatching deletes every key that matches pattern, a SCAN at a time.
func (s *Redis) deleteMatching(ctx context.Context, pattern string) error {
	return s.do(ctx, func(ctx context.Context) error {
		var cursor uint64
		for {
			keys, next, err := s.client.Scan(ctx, cursor, pattern, 1000).Result()
			if err != nil {
				return err
			}
			if len(keys) > 0 {
				if err := s.client.Unlink(ctx, keys...).Err(); err != nil {
					return err
				}
			}
			if next == 0 {
				return nil
			}
			cursor = next
		}
	})
}

// globEscape escapes the characters SCAN's MATCH gives a meaning.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '*', '?', '[', ']', '\\', '^', '-':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// A count waits for its batch: the counts of concurrent requests leave
// together, as one pipeline (one write and one read for all of them),
// which costs each request a channel hop and saves most of the system
// calls of a round trip apiece. A batch leaves as soon as a dispatcher is
// free: it never waits for more counts to arrive.
type countRequest struct {
	keys []string
	args []any
	done chan countResult // buffered: the dispatcher never blocks on it
}

type countResult struct {
	res []any
	err error
}

// dispatchers is how many batches may be in flight at once.
const dispatchers = 2

// maxBatch bounds the counts of one pipeline.
const maxBatch = 128

// countBatched runs the count script for keys and args in the next batch,
// and waits for its answer or for ctx.
func (s *Redis) countBatched(ctx context.Context, keys []string, args []any) ([]any, error) {
	req := &countRequest{keys: keys, args: args, done: make(chan countResult, 1)}
	select {
	case s.counts <- req:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case r := <-req.done:
		return r.res, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// dispatch sends batches of counts until the store is closed.
func (s *Redis) dispatch() {
	defer s.stopped.Done()
	batch := make([]*countRequest, 0, maxBatch)
	cmds := make([]*redis.Cmd, 0, maxBatch)
	for {
		select {
		case <-s.stop:
			return
		case req := <-s.counts:
			batch = append(batch[:0], req)
		}
	fill:
		for len(batch) < maxBatch {
			select {
			case req := <-s.counts:
				batch = append(batch, req)
			default:
				break fill
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
		err := s.sendCounts(ctx, batch, &cmds)
		if err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
			// A restarted Redis forgot the script: load it, send again.
			if err = countScript.Load(ctx, s.client).Err(); err == nil {
				err = s.sendCounts(ctx, batch, &cmds)
			}
		}
		cancel()
		for i, req := range batch {
			if i < len(cmds) && cmds[i].Err() == nil {
				res, cerr := cmds[i].Slice()
				req.done <- countResult{res, cerr}
				continue
			}
			if i < len(cmds) && cmds[i].Err() != nil {
				req.done <- countResult{nil, cmds[i].Err()}
				continue
			}
			req.done <- countResult{nil, err}
		}
	}
}

// sendCounts sends batch as one pipeline of EVALSHA; cmds receives their
// answers. It returns the pipeline's first error.
func (s *Redis) sendCounts(ctx context.Context, batch []*countRequest, cmds *[]*redis.Cmd) error {
	p := s.client.Pipeline()
	*cmds = (*cmds)[:0]
	for _, req := range batch {
		*cmds = append(*cmds, countScript.EvalSha(ctx, p, req.keys, req.args...))
	}
	_, err := p.Exec(ctx)
	return err
}

// Read implements scenarios.Counters: it reads the hash and the window of
// c.Rule for c.Key in one round trip (HMGET and ZRANGEBYSCORE, no script),
// changing nothing: calls that left the window are skipped, not removed.
// It returns an error wrapping ErrUnavailable when Redis cannot be reached
// in time.
func (s *Redis) Read(ctx context.Context, c scenarios.Call) (scenarios.Tally, bool, error) {
	r := c.Rule
	n, w := s.counterKeys(c)
	var hm *redis.SliceCmd
	var zr *redis.ZSliceCmd
	err := s.do(ctx, func(ctx context.Context) error {
		p := s.client.Pipeline()
		hm = p.HMGet(ctx, n, "c", "f")
		if r.RateLimit != nil {
			// The count script drops scores <= now-window: the live ones
			// are above it.
			lo := "(" + strconv.FormatInt(c.Now.UnixMicro()-r.RateLimit.Window.Microseconds(), 10)
			zr = p.ZRangeByScoreWithScores(ctx, w, &redis.ZRangeBy{Min: lo, Max: "+inf"})
		}
		_, err := p.Exec(ctx)
		if errors.Is(err, redis.Nil) {
			err = nil
		}
		return err
	})
	if err != nil {
		return scenarios.Tally{}, false, err
	}
	vals := hm.Val()
	if len(vals) != 2 || vals[0] == nil {
		return scenarios.Tally{}, false, nil
	}
	t := scenarios.Tally{Calls: uint64(asInt(vals[0]))}
	if vals[1] != nil {
		t.Fired = uint64(asInt(vals[1]))
	}
	if rl := r.RateLimit; rl != nil {
		info := scenarios.RateLimitInfo{Limit: rl.Limit}
		held := zr.Val()
		if len(held) > 0 {
			info.Reset = time.UnixMicro(int64(held[0].Score)).Add(rl.Window)
		}
		info.Remaining = max(rl.Limit-len(held), 0)
		if len(held) >= rl.Limit {
			info.Limited = true
			info.RetryAfter = info.Reset.Sub(c.Now)
		}
		t.RateLimit = info
	}
	return t, true, nil
}
