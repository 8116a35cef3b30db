package mockserver

import "context"

// sharedChoices are the client choices every replica shares (with
// Config.Shared): they live in the shared state, and mirror is this
// process's copy of them, which requests read without a round trip and
// watchShared keeps in step with the other replicas' changes.
type sharedChoices struct {
	store  SharedState
	mirror memoryChoices
}

func (c *sharedChoices) get(client string) string { return c.mirror.get(client) }

func (c *sharedChoices) set(ctx context.Context, client, name string) error {
	if err := c.store.SetClientScenario(ctx, client, name); err != nil {
		return err
	}
	// The publication will say the same; this replica's next request must
	// not wait for it.
	c.mirror.put(client, name)
	return nil
}

// all reads the shared state rather than the mirror: a list must show a
// choice made on another replica a moment ago.
func (c *sharedChoices) all(ctx context.Context) (map[string]string, error) {
	return c.store.ClientScenarios(ctx)
}

func (c *sharedChoices) reset(ctx context.Context, client string) error {
	if client != "" {
		return c.set(ctx, client, "")
	}
	if err := c.store.ClearClientScenarios(ctx); err != nil {
		return err
	}
	c.mirror.replace(nil)
	return nil
}

// dropGone clears this replica's copy at once (its requests must not name
// a scenario it no longer has), then the shared choices, once between
// the replicas: the one that clears a choice reports it.
func (c *sharedChoices) dropGone(ctx context.Context, gone []string) (map[string]string, error) {
	if len(gone) == 0 {
		return map[string]string{}, nil
	}
	c.mirror.dropGone(ctx, gone)
	return c.store.DropClientScenarios(ctx, gone)
}
