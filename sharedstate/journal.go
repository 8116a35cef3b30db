package sharedstate

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// Record is one journal entry as the shared journal keeps it.
type Record struct {
	// ID increases by one per entry appended by any replica, and is never
	// reused, not even after a reset.
	ID uint64
	// Data is the entry, as the appender encoded it.
	Data []byte
}

// AppendEntries appends entries to the shared journal, keeping about
// maxLen entries (XADD MAXLEN ~: the oldest are trimmed): one INCRBY
// reserves their ids, then one pipeline adds them. It returns the id of
// the first entry (the others follow it in order), or an error wrapping
// ErrUnavailable when Redis cannot be reached.
func (s *Redis) AppendEntries(ctx context.Context, entries [][]byte, maxLen int) (first uint64, err error) {
	if len(entries) == 0 {
		return 0, nil
	}
	err = s.do(ctx, func(ctx context.Context) error {
		last, err := s.client.IncrBy(ctx, s.prefix+"journal:id", int64(len(entries))).Uint64()
		if err != nil {
			return err
		}
		first = last - uint64(len(entries)) + 1
		p := s.client.Pipeline()
		for i, e := range entries {
			p.XAdd(ctx, &redis.XAddArgs{Stream: s.prefix + "journal", MaxLen: int64(maxLen), Approx: true,
				Values: []any{"id", first + uint64(i), "e", e}})
		}
		_, err = p.Exec(ctx)
		return err
	})
	return first, err
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
		// Replicas reserve ids a batch at a time, so two batches may reach
		// the stream in the other order: the journal lists by id.
		slices.SortFunc(entries, func(a, b Record) int { return cmp.Compare(a.ID, b.ID) })
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

// JournalEpoch returns the epoch of the shared journal: a random value
// that every replica reads alike, stored at first use (SET NX). Entry ids
// keep increasing across resets, so the epoch changes only when they start
// over: when Redis lost the namespace's keys (flushed, or restarted
// without persistence), the next call stores a new one. A page that saw
// another epoch knows that the ids it holds no longer name the same
// entries. It returns an error wrapping ErrUnavailable when Redis cannot
// be reached.
func (s *Redis) JournalEpoch(ctx context.Context) (string, error) {
	var b [8]byte
	rand.Read(b[:]) // never fails
	var epoch string
	err := s.do(ctx, func(ctx context.Context) error {
		p := s.client.Pipeline()
		p.SetNX(ctx, s.prefix+"journal:epoch", hex.EncodeToString(b[:]), 0)
		get := p.Get(ctx, s.prefix+"journal:epoch")
		if _, err := p.Exec(ctx); err != nil {
			return err
		}
		epoch = get.Val()
		return nil
	})
	return epoch, err
}
