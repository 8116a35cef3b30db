package sharedstate

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// The scenario each client (X-Decoy-Client key) was switched into: one
// hash, decoy:NS:clients, client key → scenario name. Every change is
// published on the channel of the same name, so that each replica updates
// the copy its requests read at once, without a round trip per request.
//
// A publication is "LEN:CLIENTSCENARIO" (the client key's length in bytes,
// a colon, the key, then the scenario; no scenario clears the client's
// choice), or "*" when every choice was cleared. The length prefix keeps
// any key intact, whatever bytes it holds, where JSON would have replaced
// invalid UTF-8.

// clearedAll is the publication of ClearClientScenarios.
const clearedAll = "*"

// clientChange encodes one client's change as it is published.
func clientChange(client, name string) string {
	return strconv.Itoa(len(client)) + ":" + client + name
}

// parseClientChange decodes a publication of clientChange. ok is false for
// anything else (clearedAll, or a message of another version of Decoy).
func parseClientChange(payload string) (client, name string, ok bool) {
	n, rest, found := strings.Cut(payload, ":")
	if !found {
		return "", "", false
	}
	size, err := strconv.Atoi(n)
	if err != nil || size <= 0 || size > len(rest) {
		return "", "", false
	}
	return rest[:size], rest[size:], true
}

// dropClientsScript clears the choices that name one of the scenarios
// ARGV[2…] and publishes each on channel ARGV[1]; it returns the cleared
// choices as {client, scenario, …}. Being one script, it clears each
// choice once however many replicas run it after the same reload, and
// never a choice made again since.
var dropClientsScript = redis.NewScript(`
local gone = {}
for i = 2, #ARGV do gone[ARGV[i]] = true end
local out = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if gone[all[i+1]] then
    redis.call('HDEL', KEYS[1], all[i])
    redis.call('PUBLISH', ARGV[1], string.len(all[i]) .. ':' .. all[i])
    out[#out+1] = all[i]
    out[#out+1] = all[i+1]
  end
end
return out
`)

// SetClientScenario switches client into the scenario name on every
// replica; "" clears the client's choice, so that it follows the active
// scenario again. Replicas learn it at once through a publication, and at
// the latest at their next poll (see WatchClientScenarios). It returns an
// error wrapping ErrUnavailable when Redis cannot be reached, and changes
// nothing then.
func (s *Redis) SetClientScenario(ctx context.Context, client, name string) error {
	if client == "" {
		return errors.New("sharedstate: SetClientScenario needs a client key")
	}
	return s.do(ctx, func(ctx context.Context) error {
		p := s.client.TxPipeline()
		if name == "" {
			p.HDel(ctx, s.prefix+"clients", client)
		} else {
			p.HSet(ctx, s.prefix+"clients", client, name)
		}
		p.Publish(ctx, s.prefix+"clients", clientChange(client, name))
		_, err := p.Exec(ctx)
		return err
	})
}

// ClearClientScenarios clears every client's choice, on every replica. It
// returns an error wrapping ErrUnavailable when Redis cannot be reached.
func (s *Redis) ClearClientScenarios(ctx context.Context) error {
	return s.do(ctx, func(ctx context.Context) error {
		p := s.client.TxPipeline()
		p.Del(ctx, s.prefix+"clients")
		p.Publish(ctx, s.prefix+"clients", clearedAll)
		_, err := p.Exec(ctx)
		return err
	})
}

// ClientScenarios returns every client's choice, client key → scenario;
// empty for none. It returns an error wrapping ErrUnavailable when Redis
// cannot be reached.
func (s *Redis) ClientScenarios(ctx context.Context) (map[string]string, error) {
	var m map[string]string
	err := s.do(ctx, func(ctx context.Context) error {
		var err error
		m, err = s.client.HGetAll(ctx, s.prefix+"clients").Result()
		return err
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// DropClientScenarios clears, on every replica, the choices that name one
// of the scenarios gone (after a reload that removed them), and returns
// those it cleared, client key → scenario. Replicas that reload the same
// files each call it; the first clears, the others find nothing left. It
// returns an error wrapping ErrUnavailable when Redis cannot be reached.
func (s *Redis) DropClientScenarios(ctx context.Context, gone []string) (map[string]string, error) {
	if len(gone) == 0 {
		return map[string]string{}, nil
	}
	args := make([]any, 0, 1+len(gone))
	args = append(args, s.prefix+"clients")
	for _, g := range gone {
		args = append(args, g)
	}
	var pairs []string
	err := s.do(ctx, func(ctx context.Context) error {
		var err error
		pairs, err = dropClientsScript.Run(ctx, s.client, []string{s.prefix + "clients"}, args...).StringSlice()
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out[pairs[i]] = pairs[i+1]
	}
	return out, nil
}

// WatchClientScenarios keeps a caller's copy of the client choices in step
// with every replica's: it calls replace with all of them now (when Redis
// answers) and after every poll (once a second, which also catches up
// after an outage), and change with each change any replica publishes
// (name "" when the client's choice was cleared), until ctx ends or the
// store is closed. A publication this version cannot read makes it read
// all the choices again. replace and change must be quick; they are
// called from one goroutine.
func (s *Redis) WatchClientScenarios(ctx context.Context, replace func(all map[string]string), change func(client, name string)) {
	refresh := func(ctx context.Context) {
		if m, err := s.ClientScenarios(ctx); err == nil {
			replace(m)
		}
	}
	s.follow(ctx, s.prefix+"clients", refresh, func(payload string) {
		if payload == clearedAll {
			replace(map[string]string{})
			return
		}
		client, name, ok := parseClientChange(payload)
		if !ok {
			refresh(ctx)
			return
		}
		change(client, name)
	})
}
