package sharedstate

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"
)

// SetActive makes name the active scenario of every replica; "" clears it.
// Replicas learn it at once through a publication, and at the latest at
// their next poll (see WatchActive). It returns an error wrapping
// ErrUnavailable when Redis cannot be reached.
func (s *Redis) SetActive(ctx context.Context, name string) error {
	return s.do(ctx, func(ctx context.Context) error {
		p := s.client.TxPipeline()
		if name == "" {
			p.Del(ctx, s.prefix+"active")
		} else {
			p.Set(ctx, s.prefix+"active", name, 0)
		}
		p.Publish(ctx, s.prefix+"active", name)
		_, err := p.Exec(ctx)
		return err
	})
}

// Active returns the active scenario of every replica; "" for none. It
// returns an error wrapping ErrUnavailable when Redis cannot be reached.
func (s *Redis) Active(ctx context.Context) (string, error) {
	var name string
	err := s.do(ctx, func(ctx context.Context) error {
		var err error
		name, err = s.client.Get(ctx, s.prefix+"active").Result()
		return err
	})
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	return name, err
}

// WatchActive calls set with the active scenario now (when Redis answers),
// on every change any replica publishes, and after every poll (once a
// second, which also catches up after an outage), until ctx ends. set must
// be quick; it is called from one goroutine.
func (s *Redis) WatchActive(ctx context.Context, set func(name string)) {
	refresh := func(ctx context.Context) {
		if name, err := s.Active(ctx); err == nil {
			set(name)
		}
	}
	s.follow(ctx, s.prefix+"active", refresh, set)
}
