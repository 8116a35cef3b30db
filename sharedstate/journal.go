package sharedstate

import (
	"context"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// appendScript gives an entry the next journal id and appends it to the
// stream, trimmed to about ARGV[1] entries (XADD MAXLEN ~): KEYS[1] is
// the stream, KEYS[2] the id counter, ARGV[2] the entry.
var appendScript = redis.NewScript(`
local id = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'id', id, 'e', ARGV[2])
return id
`)

// Record is one journal entry as the shared journal keeps it.
type Record struct {
	// ID increases by one per entry appended by any replica, and is never
	// reused, not even after a reset.
	ID uint64
	// Data is the entry, as the appender encoded it.
	Data []byte
}

// AppendEntries appends entries to the shared journal, in one pipelined
// round trip, keeping about maxLen entries (the oldest are trimmed). It
// returns an error wrapping ErrUnavailable when Redis cannot be reached.
func (s *Redis) AppendEntries(ctx context.Context, entries [][]byte, maxLen int) error {
	if len(entries) == 0 {
		return nil
	}
	return s.do(ctx, func(ctx context.Context) error {
		p := s.client.Pipeline()
		keys := []string{s.prefix + "journal", s.prefix + "journal:id"}
		for _, e := range entries {
			// EVAL, not EVALSHA: in a pipeline a NOSCRIPT (a restarted
			// Redis) could not fall back, and the script is short.
			appendScript.Eval(ctx, p, keys, maxLen, e)
		}
		_, err := p.Exec(ctx)
		return err
	})
}

// RecentEntries returns the newest n entries of the shared journal, oldest
// first, and the id up to which DELETE /__decoy/requests cleared it (the
// entries up to it still count for coverage and violations). It returns an
// error wrapping ErrUnavailable when Redis cannot be reached.
func (s *Redis) RecentEntries(ctx context.Context, n int) (entries []Record, cleared uint64, err error) {
	err = s.do(ctx, func(ctx context.Context) error {
		p := s.client.Pipeline()
		rng := p.XRevRangeN(ctx, s.prefix+"journal", "+", "-", int64(n))
		cl := p.Get(ctx, s.prefix+"journal:cleared")
		if _, err := p.Exec(ctx); err != nil && err != redis.Nil {
			return err
		}
		msgs, err := rng.Result()
		if err != nil {
			return err
		}
		if v, err := cl.Uint64(); err == nil {
			cleared = v
		}
		entries = make([]Record, 0, len(msgs))
		for i := len(msgs) - 1; i >= 0; i-- {
			id, _ := strconv.ParseUint(str(msgs[i].Values["id"]), 10, 64)
			entries = append(entries, Record{ID: id, Data: []byte(str(msgs[i].Values["e"]))})
		}
		return nil
	})
	return entries, cleared, err
}

// ClearEntries clears the shared journal for every replica: its entries
// and what they count for when all is set (POST /__decoy/reset), else only
// the entries listed (DELETE /__decoy/requests). Ids keep increasing. It
// returns an error wrapping ErrUnavailable when Redis cannot be reached.
func (s *Redis) ClearEntries(ctx context.Context, all bool) error {
	return s.do(ctx, func(ctx context.Context) error {
		if all {
			return s.client.Del(ctx, s.prefix+"journal", s.prefix+"journal:cleared").Err()
		}
		last, err := s.client.Get(ctx, s.prefix+"journal:id").Uint64()
		if err != nil && err != redis.Nil {
			return err
		}
		return s.client.Set(ctx, s.prefix+"journal:cleared", last, 0).Err()
	})
}

// Done returns a channel closed when the store is closed.
func (s *Redis) Done() <-chan struct{} { return s.stop }

func str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}
