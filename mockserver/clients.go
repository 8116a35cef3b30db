package mockserver

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sync"

	"github.com/decoy-mock/decoy/scenarios"
)

// A client's own scenario: the dashboard switches one client (its
// X-Decoy-Client key) into a scenario with one click, while the others
// keep the global one. A request's own Prefer: scenario= still wins.

// clientScenarios maps client keys to the scenario each was switched
// into. It is safe for concurrent use.
type clientScenarios struct {
	mu sync.RWMutex
	m  map[string]string
}

// get returns the scenario of client; "" for none.
func (c *clientScenarios) get(client string) string {
	if client == "" {
		return ""
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[client]
}

// set switches client into name; "" clears it.
func (c *clientScenarios) set(client, name string) {
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

// dropGone clears the choices of scenarios set no longer defines (after a
// reload), and logs each: those clients follow the global scenario again.
func (c *clientScenarios) dropGone(set *scenarios.Set, log *slog.Logger) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for client, name := range c.m {
		if set == nil || set.Lookup(name) == nil {
			delete(c.m, client)
			log.Warn("a client's scenario is gone after the reload; the client follows the global scenario now", "client", client, "scenario", name)
		}
	}
}

// all returns a copy of the map.
func (c *clientScenarios) all() map[string]string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make(map[string]string, len(c.m))
	for k, v := range c.m {
		out[k] = v
	}
	return out
}

// ClientInfo is one client of GET /__decoy/clients.
type ClientInfo struct {
	// Client is the X-Decoy-Client key.
	Client string `json:"client"`
	// Scenario is the scenario the client was switched into; "" means
	// the global one.
	Scenario string `json:"scenario,omitempty"`
	// Requests counts its exchanges the journal holds.
	Requests int `json:"requests"`
}

// addClientEndpoints adds the clients' endpoints to m.
func (s *Server) addClientEndpoints(m map[string]adminEndpoint) {
	m["clients"] = adminEndpoint{doc: []string{"GET /__decoy/clients", "PUT|DELETE /__decoy/clients/{key}"}, handle: s.adminClients}
}

// adminClients lists the clients the journal holds and those switched into
// a scenario (GET), or switches one (PUT {"scenario": "NAME"}, "" or
// DELETE for the global scenario).
func (s *Server) adminClients(st *state, w http.ResponseWriter, r *http.Request, rest string) error {
	if rest == "" {
		if err := allow(r, "", http.MethodGet, http.MethodHead); err != nil {
			return err
		}
		chosen := s.clientScen.all()
		counts := map[string]int{}
		for _, e := range s.journal.Entries(Filter{}) {
			if e.Client != "" {
				counts[e.Client]++
			}
		}
		keys := []string{}
		for k := range counts {
			keys = append(keys, k)
		}
		for k := range chosen {
			if _, ok := counts[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		list := make([]ClientInfo, len(keys))
		for i, k := range keys {
			list[i] = ClientInfo{Client: k, Scenario: chosen[k], Requests: counts[k]}
		}
		return writeJSON(w, http.StatusOK, map[string]any{"active": s.activeJSON(), "clients": list})
	}
	if err := allow(r, "", http.MethodPut, http.MethodDelete); err != nil {
		return err
	}
	client, err := url.PathUnescape(rest)
	if err != nil || client == "" {
		return badParameter("key", "the client key must follow /__decoy/clients/")
	}
	if r.Method == http.MethodDelete {
		s.clientScen.set(client, "")
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	var body struct {
		Scenario *string `json:"scenario"`
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil || body.Scenario == nil {
		msg := `the body must be {"scenario": "NAME"} ("" for the global scenario)`
		if err != nil {
			msg += ": " + err.Error()
		}
		return problemOf("bad-admin-request", msg)
	}
	if name := *body.Scenario; name != "" && (st.scenarios == nil || st.scenarios.Lookup(name) == nil) {
		return unknownScenario(st, name)
	}
	s.clientScen.set(client, *body.Scenario)
	s.log.Info("client scenario selected", "client", client, "scenario", *body.Scenario)
	return writeJSON(w, http.StatusOK, ClientInfo{Client: client, Scenario: *body.Scenario})
}
