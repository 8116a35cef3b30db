package sharedstate

import (
	"context"
	"time"
)

// pollInterval is how often a follower reads the whole shared value again.
// Publications carry every change at once; the poll is for what they
// cannot: a change made while this replica's subscription was down (an
// outage, a reconnect) is never published to it again.
const pollInterval = time.Second

// follow keeps a local mirror of one shared value in step with every
// replica's changes: it subscribes to channel, then calls refresh now,
// apply with the payload of every publication, and refresh again after
// every poll, until ctx ends or the store is closed. refresh reads the
// whole value from Redis (it may fail, and is simply tried again at the
// next poll); apply updates the mirror from one published change. Both
// run in one goroutine, in the order the events arrive, so the mirror
// ends as Redis is: a refresh that already saw a change and the
// publication of it applied afterwards agree.
func (s *Redis) follow(ctx context.Context, channel string, refresh func(ctx context.Context), apply func(payload string)) {
	sub := s.client.Subscribe(ctx, channel)
	go func() {
		defer sub.Close()
		ch := sub.Channel()
		poll := time.NewTicker(pollInterval)
		defer poll.Stop()
		refresh(ctx)
		for {
			select {
			case <-ctx.Done():
				return
			case <-s.stop:
				return
			case msg, ok := <-ch:
				if !ok {
					return
				}
				apply(msg.Payload)
			case <-poll.C:
				refresh(ctx)
			}
		}
	}()
}
