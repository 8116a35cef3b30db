package mockserver

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
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
	// order; rules that counted nothing for it are left out. The counters
	// a rule with its own key keeps per value follow, at most
	// maxKeyedCounters of them.
	Counters []ClientCounter `json:"counters"`
	// MoreKeyed says that some of those per-value counters were left out.
	MoreKeyed bool `json:"moreKeyed,omitempty"`
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
	// Key is the rule's own key ("header:X-Api-Key", "ip") when the
	// counter is the one it keeps, inside the client, for one value of
	// that key; "" for the client's own counter.
	Key string `json:"key,omitempty"`
	// Value is that value, masked as the journal masks it when it may be
	// a credential (Authorization, cookies, apiKey headers, names like
	// secrets); "" for the calls that did not carry the key.
	Value string `json:"value,omitempty"`
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

// maxKeyedCounters bounds the per-value counters listed for one client.
const maxKeyedCounters = 50

// clientCounters returns a client's counters as JSON: its own (see
// Set.ClientsCounters), then keyed, those kept per value of a rule's key
// (see Set.KeyCounters), with the values masked.
func (s *Server) clientCounters(st *state, own, keyed []scenarios.CounterState) []ClientCounter {
	states := append(own[:len(own):len(own)], keyed...)
	out := make([]ClientCounter, len(states))
	for i, c := range states {
		out[i] = ClientCounter{Rule: c.Rule, Scenario: c.Scenario, Calls: c.Calls, Fired: c.Fired}
		if c.Key.Kind != scenarios.KeyShared {
			out[i].Key = c.Key.String()
			out[i].Value = s.shownKeyValue(st, c.Key, c.KeyValue)
		}
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
	return out
}

// shownKeyValue returns value, a value of the rule key key, as GET
// /__decoy/clients shows it: masked as the journal masks the header it
// came from (its first characters, and an Authorization's scheme word),
// so that listing counters never shows a credential the journal hides.
// Two API keys of one client often mask alike ("Bearer sk_t…"), so a
// masked value ends with a fingerprint, four hex digits of its SHA-256,
// too short to help guess it. An IP address is shown.
func (s *Server) shownKeyValue(st *state, key scenarios.Key, value string) string {
	shown := s.maskKeyValue(st, key, value)
	if shown == value {
		return value
	}
	sum := sha256.Sum256([]byte(value))
	return shown + " #" + hex.EncodeToString(sum[:2])
}

// maskKeyValue masks value as the journal masks the header key names.
func (s *Server) maskKeyValue(st *state, key scenarios.Key, value string) string {
	if key.Kind != scenarios.KeyHeader || value == "" {
		return value
	}
	name := key.Header
	var secret []string
	if n := s.journal.secretsFor(st.spec); n != nil {
		secret = n.header
	}
	switch {
	case name == "Cookie":
		return maskCookies(value)
	case name == "Authorization", name == "Proxy-Authorization", secretName(name), slices.Contains(secret, name):
		return maskCredential(value)
	}
	return value
}

// addClientEndpoints adds the clients' endpoints to m.
func (s *Server) addClientEndpoints(m map[string]adminEndpoint) {
	m["clients"] = adminEndpoint{doc: []string{"GET /__decoy/clients", "GET|PUT|DELETE /__decoy/clients/{key}"}, handle: s.adminClients}
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
	if err := allow(r, "", http.MethodGet, http.MethodPut, http.MethodDelete); err != nil {
		return err
	}
	client, err := url.PathUnescape(rest)
	if err != nil || client == "" {
		return badParameter("key", "the client key must follow /__decoy/clients/")
	}
	if r.Method == http.MethodGet {
		info, err := s.clientInfo(r.Context(), st, client)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, info)
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
	info, err := s.clientInfo(r.Context(), st, client)
	if err != nil {
		return err
	}
	info.Scenario = *body.Scenario // as set, whatever a replica did since
	return writeJSON(w, http.StatusOK, info)
}
