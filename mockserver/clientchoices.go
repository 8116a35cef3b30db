package mockserver

import (
	"context"
	"maps"
	"sync"
)

// A client's own scenario: the dashboard switches one client (its
// X-Decoy-Client key) into a scenario with one click, while the others
// keep the global one. A request's own Prefer: scenario= still wins.

// clientChoices keeps the scenario each client key was switched into: in
// this process's memory (memoryChoices), or, with a shared state, where
// every replica sees it (sharedChoices). The Server picks one in New and
// never asks which.
type clientChoices interface {
	// get returns the scenario of client, "" for none. It is on the
	// request path: it never waits for the network.
	get(client string) string
	// set switches client into name; "" clears its choice. It returns an
	// error, and changes nothing, when the shared state cannot be reached.
	set(ctx context.Context, client, name string) error
	// all returns every choice, client key → scenario, or an error when
	// the shared state cannot be reached.
	all(ctx context.Context) (map[string]string, error)
	// reset clears the choice of client, or every choice when client is
	// "". It returns an error when the shared state cannot be reached.
	reset(ctx context.Context, client string) error
	// dropGone clears the choices of the scenarios gone (removed by a
	// reload) and returns those it cleared, client key → scenario, for the
	// log. With a shared state, the replicas that reload the same files
	// clear each choice once between them: only one returns it. It returns
	// an error when the shared state cannot be reached; this process's own
	// copy is cleared anyway.
	dropGone(ctx context.Context, gone []string) (map[string]string, error)
}

// memoryChoices are the client choices of one process. It is safe for
// concurrent use; the zero value holds none.
type memoryChoices struct {
	mu sync.RWMutex
	m  map[string]string
}

func (c *memoryChoices) get(client string) string {
	if client == "" {
		return ""
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[client]
}

func (c *memoryChoices) set(_ context.Context, client, name string) error {
	c.put(client, name)
	return nil
}

// put switches client into name; "" clears it.
func (c *memoryChoices) put(client, name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if name == "" {
		delete(c.m, client)
		return
	}
	if c.m == nil {
		c.m = map[string]string{}
	}
	c.m[client] = name
}

// replace makes all the choices (copied).
func (c *memoryChoices) replace(all map[string]string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = maps.Clone(all)
}

func (c *memoryChoices) all(context.Context) (map[string]string, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make(map[string]string, len(c.m))
	maps.Copy(out, c.m)
	return out, nil
}

func (c *memoryChoices) reset(_ context.Context, client string) error {
	if client == "" {
		c.replace(nil)
		return nil
	}
	c.put(client, "")
	return nil
}

func (c *memoryChoices) dropGone(_ context.Context, gone []string) (map[string]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	dropped := map[string]string{}
	for _, g := range gone {
		for client, name := range c.m {
			if name == g {
				delete(c.m, client)
				dropped[client] = name
			}
		}
	}
	return dropped, nil
}
