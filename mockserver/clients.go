package mockserver

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/decoy-mock/decoy/scenarios"
)

// ClientInfo is one client of GET /__decoy/clients.
type ClientInfo struct {
	// Client is the X-Decoy-Client key.
	Client string `json:"client"`
	// Scenario is the scenario the client was switched into; "" means
	// the global one.
	Scenario string `json:"scenario,omitempty"`
	// Requests counts its exchanges the journal holds.
	Requests int `json:"requests"`
	// Counters are what the scenarios' rules counted for the client, read
	// where they live (memory or the shared store), in scenario and rule
	// order; rules that counted nothing for it are left out.
	Counters []ClientCounter `json:"counters"`
}

// ClientCounter is what one scenario rule counted for a client.
type ClientCounter struct {
	// Rule names the rule: "rate-limited#0".
	Rule string `json:"rule"`
	// Scenario is the scenario the rule belongs to.
	Scenario string `json:"scenario"`
	// Calls is the number of the client's calls the rule counted.
	Calls uint64 `json:"calls"`
	// Fired is the number of those the rule affected (for a rate limit:
	// refused with 429).
	Fired uint64 `json:"fired"`
	// RateLimit is the client's window now, for a rate-limited rule.
	RateLimit *RateLimitWindow `json:"rateLimit,omitempty"`
}

// RateLimitWindow is where a client stands in a rule's rate-limit window.
type RateLimitWindow struct {
	// Limit is the number of calls allowed per window.
	Limit int `json:"limit"`
	// Remaining is the number of calls the client may still make now.
	Remaining int `json:"remaining"`
	// Reset is when the oldest call in the window stops counting; nil when
	// the window holds no call.
	Reset *time.Time `json:"reset,omitempty"`
	// RetryAfterSeconds is, when Remaining is 0, the Retry-After a call
	// would get now (rounded up); 0 otherwise.
	RetryAfterSeconds int64 `json:"retryAfterSeconds,omitempty"`
}

// clientCounters reads the counters of client from set, as JSON.
func clientCounters(ctx context.Context, set *scenarios.Set, client string) ([]ClientCounter, error) {
	states, err := set.ClientCounters(ctx, client)
	if err != nil {
		return nil, err
	}
	out := make([]ClientCounter, len(states))
	for i, c := range states {
		out[i] = ClientCounter{Rule: c.Rule, Scenario: c.Scenario, Calls: c.Calls, Fired: c.Fired}
		if rl := c.RateLimit; rl != nil {
			w := &RateLimitWindow{Limit: rl.Limit, Remaining: rl.Remaining}
			if !rl.Reset.IsZero() {
				reset := rl.Reset.UTC()
				w.Reset = &reset
			}
			if rl.Limited {
				w.RetryAfterSeconds = rl.RetryAfterSeconds()
			}
			out[i].RateLimit = w
		}
	}
	return out, nil
}

// addClientEndpoints adds the clients' endpoints to m.
func (s *Server) addClientEndpoints(m map[string]adminEndpoint) {
	m["clients"] = adminEndpoint{doc: []string{"GET /__decoy/clients", "PUT|DELETE /__decoy/clients/{key}"}, handle: s.adminClients}
}

// adminClients lists the clients (GET, see clientList), or switches one
// (PUT {"scenario": "NAME"}, "" or DELETE for the global scenario).
func (s *Server) adminClients(st *state, w http.ResponseWriter, r *http.Request, rest string) error {
	if rest == "" {
		if err := allow(r, "", http.MethodGet, http.MethodHead); err != nil {
			return err
		}
		list, more, err := s.clientList(r.Context(), st)
		if err != nil {
			return err
		}
		out := map[string]any{"active": s.activeJSON(), "clients": list}
		if more {
			out["more"] = true
		}
		return writeJSON(w, http.StatusOK, out)
	}
	if err := allow(r, "", http.MethodPut, http.MethodDelete); err != nil {
		return err
	}
	client, err := url.PathUnescape(rest)
	if err != nil || client == "" {
		return badParameter("key", "the client key must follow /__decoy/clients/")
	}
	if r.Method == http.MethodDelete {
		if err := s.clients.set(r.Context(), client, ""); err != nil {
			return sharedStateError(err)
		}
		s.log.Info("client scenario cleared", "client", client)
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
	if err := s.clients.set(r.Context(), client, *body.Scenario); err != nil {
		return sharedStateError(err)
	}
	s.log.Info("client scenario selected", "client", client, "scenario", *body.Scenario)
	return writeJSON(w, http.StatusOK, ClientInfo{Client: client, Scenario: *body.Scenario})
}
