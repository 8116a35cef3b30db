package mockserver

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// The journal as a stream: every exchange the journal records is also
// published to the browsers that watch GET /__decoy/events (the dashboard),
// as server-sent events. The request path never waits for a browser: each
// subscriber has a bounded buffer, an exchange that finds it full is
// dropped for that subscriber and counted, and the stream tells the browser
// how many it missed.

// eventBuffer is how many exchanges wait for one slow subscriber before
// the next are dropped (counted) for it.
const eventBuffer = 1024

// eventPing is how often an idle stream sends a comment line, so that
// proxies and the browser keep the connection open.
const eventPing = 15 * time.Second

// hub fans published entries out to its subscribers. Publishing with no
// subscriber costs one atomic load. It is safe for concurrent use.
type hub struct {
	n      atomic.Int32 // len(subs), read without the lock
	mu     sync.Mutex
	subs   map[*subscriber]struct{}
	closed chan struct{} // closed by close: every stream ends
	once   sync.Once
}

// subscriber is one stream's mailbox: entries in a bounded channel, and
// how many were dropped because it was full.
type subscriber struct {
	ch      chan Entry
	dropped atomic.Uint64
}

func newHub() *hub {
	return &hub{subs: map[*subscriber]struct{}{}, closed: make(chan struct{})}
}

// active reports whether anyone listens, so that the journal builds the
// event only then.
func (h *hub) active() bool { return h.n.Load() > 0 }

// publish hands e to every subscriber without waiting: a full buffer
// drops e for that subscriber and counts it.
func (h *hub) publish(e Entry) {
	if !h.active() {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for sub := range h.subs {
		select {
		case sub.ch <- e:
		default:
			sub.dropped.Add(1)
		}
	}
}

// subscribe adds a subscriber with a buffer of size entries.
func (h *hub) subscribe(size int) *subscriber {
	sub := &subscriber{ch: make(chan Entry, size)}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.subs[sub] = struct{}{}
	h.n.Store(int32(len(h.subs)))
	return sub
}

// unsubscribe removes sub; entries still in its buffer are let go.
func (h *hub) unsubscribe(sub *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs, sub)
	h.n.Store(int32(len(h.subs)))
}

// close ends every stream, now and to come (a server shutting down).
func (h *hub) close() { h.once.Do(func() { close(h.closed) }) }

// CloseStreams ends the event streams of GET /__decoy/events, now and to
// come, so that a graceful shutdown need not wait for open dashboards
// (register it with http.Server.RegisterOnShutdown).
func (s *Server) CloseStreams() { s.events.close() }

// publishEntry streams the exchange the journal just stored as id, when a
// dashboard listens: its summary (the dashboard asks GET
// /__decoy/requests/{id} for the bodies).
func (s *Server) publishEntry(id uint64, e Entry) {
	if !s.events.active() {
		return
	}
	e.ID = id
	e.build(s.journal.bodyBytes)
	s.events.publish(e.summary())
}

// addEventEndpoints adds GET /__decoy/events to m.
func (s *Server) addEventEndpoints(m map[string]adminEndpoint) {
	m["events"] = adminEndpoint{doc: []string{"GET /__decoy/events"}, handle: s.adminEvents}
}

// adminEvents streams the journal as server-sent events until the client
// leaves or the server closes its streams: first a "hello" event whose
// data is {"epoch": "…"} (see epoch.go; again whenever the shared
// journal's epoch changes), then "exchange" events whose data is
// an entry as GET /__decoy/requests lists it, "dropped" events whose data
// is {"dropped": N}, the exchanges this stream missed since the last one
// because the client read too slowly. Ids ascend, except that exchanges
// recorded at the same moment may arrive in either order (the journal
// gives ids under its lock; publishing comes after): a reader keys what it
// shows by id rather than keep only ids above the last, as the dashboard
// does.
func (s *Server) adminEvents(st *state, w http.ResponseWriter, r *http.Request, rest string) error {
	if err := allow(r, rest, http.MethodGet); err != nil {
		return err
	}
	rc := http.NewResponseController(w)
	// A stream outlives any write timeout the embedding server sets.
	_ = rc.SetWriteDeadline(time.Time{})
	sub := s.events.subscribe(eventBuffer)
	defer s.events.unsubscribe(sub)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// The retry delay, and the journal's epoch (epoch.go) first, so the
	// page knows at once whether the ids it holds are this journal's.
	epoch := s.journalEpoch(r.Context())
	buf := appendHello([]byte("retry: 2000\n: decoy journal\n\n"), epoch)
	if _, err := w.Write(buf); err != nil {
		return nil
	}
	if rc.Flush() != nil {
		return nil
	}
	ping := time.NewTicker(s.eventPing)
	defer ping.Stop()
	var reported uint64
	for {
		buf = buf[:0]
		select {
		case <-r.Context().Done():
			return nil
		case <-s.events.closed:
			return nil
		case <-ping.C:
			buf = append(buf, ": ping\n\n"...)
			// The shared journal may start over under an open stream (its
			// Redis lost the keys): say so, as a new hello.
			if s.shared != nil {
				if e := s.journalEpoch(r.Context()); e != "" && e != epoch {
					epoch = e
					buf = appendHello(buf, epoch)
				}
			}
		case e := <-sub.ch:
			buf = appendEvent(buf, e)
			// Whatever else waits goes in the same write.
			for more := true; more && len(buf) < 64<<10; {
				select {
				case e := <-sub.ch:
					buf = appendEvent(buf, e)
				default:
					more = false
				}
			}
		}
		if d := sub.dropped.Load(); d != reported {
			buf = append(buf, "event: dropped\ndata: {\"dropped\":"...)
			buf = strconv.AppendUint(buf, d-reported, 10)
			buf = append(buf, "}\n\n"...)
			reported = d
		}
		if _, err := w.Write(buf); err != nil {
			return nil
		}
		if rc.Flush() != nil {
			return nil
		}
	}
}

// appendEvent appends e as an "exchange" event.
func appendEvent(buf []byte, e Entry) []byte {
	data, err := json.Marshal(e)
	if err != nil {
		return buf // an entry is plain data: never happens
	}
	buf = append(buf, "id: "...)
	buf = strconv.AppendUint(buf, e.ID, 10)
	buf = append(buf, "\nevent: exchange\ndata: "...)
	buf = append(buf, data...) // JSON holds no raw newline
	return append(buf, "\n\n"...)
}
