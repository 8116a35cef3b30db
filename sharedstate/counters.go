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

// countScript counts calls of rules for client keys, each atomically,
// in the order given: the counts of concurrent requests, batched (see
// countBatched), in one script run, so that Redis starts one script for
// many of them. For the i-th count, KEYS[2i-1] is the hash of the key's
// call count (c) and fired count (f); KEYS[2i] the sorted set of its
// rate-limit window, scored in microseconds; ARGV[8i-7…8i] are after,
// every, times, has-probability, limit, window (µs), now (µs), counter
// TTL (ms).
//
// It returns one answer per count: {calls, fired, fires, limited, held,
// oldest}, or an error for that count alone. fires is 1 when the rule
// affects the call, 2 when only the rule's probability draw, which the
// caller makes, is left to decide; held is the number of calls in the
// window and oldest the score of the oldest of them.
//
// The window is the same exact sliding log as the memory store's: a call
// at t holds its slot during [t, t+window), and at most limit calls are
// held.
var countScript = redis.NewScript(`
local function count(n, w, after, every, times, prob, limit, win, now, ttl)
  local calls = redis.call('HINCRBY', n, 'c', 1)
  local fired = tonumber(redis.call('HGET', n, 'f') or '0')
  limit = tonumber(limit)
  redis.call('PEXPIRE', n, ttl)
  if limit > 0 then
    win = tonumber(win)
    local t = tonumber(now)
    redis.call('ZREMRANGEBYSCORE', w, '-inf', t - win)
    local held = redis.call('ZCARD', w)
    local limited = 0
    if held >= limit then
      limited = 1
      fired = redis.call('HINCRBY', n, 'f', 1)
    else
      redis.call('ZADD', w, t, calls .. ':' .. now)
      held = held + 1
    end
    local oldest = redis.call('ZRANGE', w, 0, 0, 'WITHSCORES')
    redis.call('PEXPIRE', w, math.floor(win / 1000) + 1000)
    return {calls, fired, 1, limited, held, oldest[2]}
  end
  after, every, times = tonumber(after), tonumber(every), tonumber(times)
  local fires = 0
  if calls > after then
    local m = calls - after
    if (every == 0 or m % every == 0) and (times == 0 or fired < times) then
      if prob == '1' then
        fires = 2
      else
        fired = redis.call('HINCRBY', n, 'f', 1)
        fires = 1
      end
    end
  end
  return {calls, fired, fires, 0, 0, '0'}
end
local out = {}
for i = 1, #KEYS / 2 do
  local a = 8 * (i - 1)
  local ok, res = pcall(count, KEYS[2 * i - 1], KEYS[2 * i], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3],
    ARGV[a + 4], ARGV[a + 5], ARGV[a + 6], ARGV[a + 7], ARGV[a + 8])
  if ok then
    out[i] = res
  elseif type(res) == 'table' and res.err then
    out[i] = res
  else
    out[i] = redis.error_reply(tostring(res))
  end
end
return out
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
		res, err = s.countBatched(ctx, [2]string{n, w},
			[8]any{r.When.After, r.When.Every, r.When.Times, prob, limit, window.Microseconds(), nowUS, s.ttl.Milliseconds()})
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
		oldestUS := asFloat(res[5])
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

// asFloat reads a sorted set's score as the script answers it: a string.
func asFloat(v any) float64 {
	switch x := v.(type) {
	case string:
		f, _ := strconv.ParseFloat(x, 64)
		return f
	case float64:
		return x
	case int64:
		return float64(x)
	}
	return 0
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
// together, as one run of the count script (one write, one read and one
// script start for all of them), which costs each request a channel hop
// and saves most of the system calls and script starts of a round trip
// apiece. A batch leaves as soon as a dispatcher is free: it never waits
// for more counts to arrive.
type countRequest struct {
	keys [2]string
	args [8]any
	done chan countResult // buffered: the dispatcher never blocks on it
}

type countResult struct {
	res []any
	err error
}

// dispatchers is how many batches may be in flight at once.
const dispatchers = 2

// maxBatch bounds the counts of one script run.
const maxBatch = 128

// countBatched runs the count script for keys and args in the next batch,
// and waits for its answer or for ctx.
func (s *Redis) countBatched(ctx context.Context, keys [2]string, args [8]any) ([]any, error) {
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
	var keys []string
	var args []any
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
		keys, args = keys[:0], args[:0]
		for _, req := range batch {
			keys = append(keys, req.keys[:]...)
			args = append(args, req.args[:]...)
		}
		ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
		// EvalSha, and Eval only when Redis forgot the script (a restart):
		// the script is not sent again with every batch.
		res, err := countScript.EvalSha(ctx, s.client, keys, args...).Slice()
		if err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
			res, err = countScript.Eval(ctx, s.client, keys, args...).Slice()
		}
		cancel()
		if err == nil && len(res) != len(batch) {
			err = fmt.Errorf("the count script answered %d counts of %d", len(res), len(batch))
		}
		for i, req := range batch {
			switch {
			case err != nil:
				req.done <- countResult{nil, err}
			default:
				switch r := res[i].(type) {
				case []any:
					req.done <- countResult{r, nil}
				case error:
					req.done <- countResult{nil, r}
				default:
					req.done <- countResult{nil, fmt.Errorf("the count script answered %T for a count", r)}
				}
			}
		}
		clear(args) // let go of the batch's values until the next
	}
}

// Read implements scenarios.Counters: it reads the hash and the window of
// c.Rule for c.Key in one round trip (see ReadBatch).
func (s *Redis) Read(ctx context.Context, c scenarios.Call) (scenarios.Tally, bool, error) {
	read, err := s.ReadBatch(ctx, []scenarios.Call{c})
	if err != nil {
		return scenarios.Tally{}, false, err
	}
	return read[0].Tally, read[0].OK, nil
}

// ReadBatch implements scenarios.BatchReader: it reads the hash and the
// window of each call's rule and key, all in one pipelined round trip
// (HMGET and ZRANGEBYSCORE, no script), changing nothing: calls that left
// the window are skipped, not removed. It returns an error wrapping
// ErrUnavailable when Redis cannot be reached in time.
func (s *Redis) ReadBatch(ctx context.Context, calls []scenarios.Call) ([]scenarios.Reading, error) {
	hms := make([]*redis.SliceCmd, len(calls))
	zrs := make([]*redis.ZSliceCmd, len(calls))
	err := s.do(ctx, func(ctx context.Context) error {
		p := s.client.Pipeline()
		for i, c := range calls {
			n, w := s.counterKeys(c)
			hms[i] = p.HMGet(ctx, n, "c", "f")
			if rl := c.Rule.RateLimit; rl != nil {
				// The count script drops scores <= now-window: the live
				// ones are above it.
				lo := "(" + strconv.FormatInt(c.Now.UnixMicro()-rl.Window.Microseconds(), 10)
				zrs[i] = p.ZRangeByScoreWithScores(ctx, w, &redis.ZRangeBy{Min: lo, Max: "+inf"})
			}
		}
		_, err := p.Exec(ctx)
		if errors.Is(err, redis.Nil) {
			err = nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]scenarios.Reading, len(calls))
	for i, c := range calls {
		vals := hms[i].Val()
		if len(vals) != 2 || vals[0] == nil {
			continue
		}
		t := scenarios.Tally{Calls: uint64(asInt(vals[0]))}
		if vals[1] != nil {
			t.Fired = uint64(asInt(vals[1]))
		}
		if rl := c.Rule.RateLimit; rl != nil {
			info := scenarios.RateLimitInfo{Limit: rl.Limit}
			held := zrs[i].Val()
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
		out[i] = scenarios.Reading{Tally: t, OK: true}
	}
	return out, nil
}
