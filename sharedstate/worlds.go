package sharedstate

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// The worlds of stateful collections (fixtures.Worlds): one hash per
// collection, decoy:NS:coll:NAME, holding for each world (a client key,
// or "" for requests without one) its version, field "v:KEY", and its
// document, field "d:KEY". Versions come from one counter, so a version
// names one document for ever and a replica's copy at that version needs
// no second look.

// worldScript returns the version of a world and, unless it is the one the
// caller has (ARGV[2]), the document: one round trip per read.
var worldScript = redis.NewScript(`
local v = redis.call('HGET', KEYS[1], 'v:' .. ARGV[1])
if not v then return {0} end
if v == ARGV[2] then return {v} end
return {v, redis.call('HGET', KEYS[1], 'd:' .. ARGV[1])}
`)

// setWorldScript stores a document if the world is still at the version
// the writer holds (ARGV[2], "0" for none) and returns {1, its new
// version}. When another writer came first it stores nothing and returns
// the world as it is, {0, version, document} ({0, 0} when none is
// stored), so that the writer can apply its write again without a
// separate read: a write costs one round trip unless it lost a race. The
// version counter, when Redis lost
// it (a restart without persistence), starts again from the time in
// microseconds (ARGV[4]), above every version handed out before, so that
// no replica takes a new document for a copy it holds.
//
// A client's first world is listed in KEYS[3]; past ARGV[5] client worlds
// in a collection, the one created first is dropped (that client sees the
// fixtures again), as one replica bounds them in memory.
var setWorldScript = redis.NewScript(`
local v = redis.call('HGET', KEYS[1], 'v:' .. ARGV[1]) or '0'
if v ~= ARGV[2] then
  if v == '0' then return {0, 0} end
  return {0, v, redis.call('HGET', KEYS[1], 'd:' .. ARGV[1])}
end
if redis.call('EXISTS', KEYS[2]) == 0 then redis.call('SET', KEYS[2], ARGV[4]) end
local n = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'v:' .. ARGV[1], n, 'd:' .. ARGV[1], ARGV[3])
if v == '0' and ARGV[1] ~= '' then
  redis.call('RPUSH', KEYS[3], ARGV[1])
  while redis.call('LLEN', KEYS[3]) > tonumber(ARGV[5]) do
    local old = redis.call('LPOP', KEYS[3])
    redis.call('HDEL', KEYS[1], 'v:' .. old, 'd:' .. old)
  end
end
return {1, n}
`)

// MaxClientWorlds bounds the client worlds a collection keeps in Redis,
// as fixtures bounds them in memory.
const MaxClientWorlds = 1000

// maxClientWorlds is MaxClientWorlds, lowered by tests.
var maxClientWorlds = MaxClientWorlds

// resetWorldsScript drops one client's worlds (ARGV[1]) from every
// collection: KEYS are pairs of its hash and its list of client worlds.
// When ARGV[1] is empty, both go whole.
var resetWorldsScript = redis.NewScript(`
for i = 1, #KEYS, 2 do
  if ARGV[1] == '' then redis.call('DEL', KEYS[i], KEYS[i + 1])
  else
    redis.call('HDEL', KEYS[i], 'v:' .. ARGV[1], 'd:' .. ARGV[1])
    redis.call('LREM', KEYS[i + 1], 0, ARGV[1])
  end
end
return 0
`)

func (s *Redis) worldKey(collection string) string { return s.prefix + "coll:" + collection }

// clientsKey lists a collection's client worlds, first created first.
func (s *Redis) clientsKey(collection string) string { return s.prefix + "collclients:" + collection }

// World returns the version of a collection's world for client and,
// unless it is have, its document; version 0 means none is stored. It
// returns an error wrapping ErrUnavailable when Redis cannot be reached.
func (s *Redis) World(ctx context.Context, collection, client string, have uint64) (uint64, []byte, error) {
	var res []any
	err := s.do(ctx, func(ctx context.Context) error {
		var err error
		res, err = worldScript.Run(ctx, s.client, []string{s.worldKey(collection)}, client, strconv.FormatUint(have, 10)).Slice()
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	v, err := versionOf(res[0])
	if err != nil || v == 0 || len(res) < 2 {
		return v, nil, err
	}
	doc, ok := res[1].(string)
	if !ok {
		return 0, nil, fmt.Errorf("redis at %s: world %s of client %q: a version without a document", s.url, collection, client)
	}
	return v, []byte(doc), nil
}

// SetWorld stores doc as the world if it is still at version was, and
// returns the new version. When another writer came first, ok is false,
// nothing is stored, and version and current are the world as it is (0
// and nil: none stored), read in the same round trip. It returns an error
// wrapping ErrUnavailable when Redis cannot be reached.
func (s *Redis) SetWorld(ctx context.Context, collection, client string, was uint64, doc []byte) (version uint64, current []byte, ok bool, err error) {
	var res []any
	err = s.do(ctx, func(ctx context.Context) error {
		var err error
		res, err = setWorldScript.Run(ctx, s.client, []string{s.worldKey(collection), s.prefix + "worldver", s.clientsKey(collection)},
			client, strconv.FormatUint(was, 10), doc, time.Now().UnixMicro(), maxClientWorlds).Slice()
		return err
	})
	if err != nil {
		return 0, nil, false, err
	}
	if len(res) < 2 {
		return 0, nil, false, fmt.Errorf("redis at %s: world %s of client %q: the set script answered %d values, want 2 or 3", s.url, collection, client, len(res))
	}
	stored := asInt(res[0]) == 1
	v, err := versionOf(res[1])
	if err != nil {
		return 0, nil, false, fmt.Errorf("redis at %s: world %s of client %q: %w", s.url, collection, client, err)
	}
	if stored || v == 0 {
		return v, nil, stored, nil
	}
	if len(res) < 3 {
		return 0, nil, false, fmt.Errorf("redis at %s: world %s of client %q: a version without a document", s.url, collection, client)
	}
	cur, isDoc := res[2].(string)
	if !isDoc {
		return 0, nil, false, fmt.Errorf("redis at %s: world %s of client %q: a version without a document", s.url, collection, client)
	}
	return v, []byte(cur), false, nil
}

// ResetWorlds drops client's worlds in the named collections, or all
// their worlds when client is "", for every replica. It returns an error
// wrapping ErrUnavailable when Redis cannot be reached.
func (s *Redis) ResetWorlds(ctx context.Context, client string, collections []string) error {
	keys := make([]string, 0, 2*len(collections))
	for _, c := range collections {
		keys = append(keys, s.worldKey(c), s.clientsKey(c))
	}
	return s.do(ctx, func(ctx context.Context) error {
		return resetWorldsScript.Run(ctx, s.client, keys, client).Err()
	})
}

func versionOf(v any) (uint64, error) {
	switch v := v.(type) {
	case int64:
		return uint64(v), nil
	case string:
		return strconv.ParseUint(v, 10, 64)
	}
	return 0, fmt.Errorf("a world version of type %T", v)
}
