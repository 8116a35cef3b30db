package mockserver

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/decoy-mock/decoy/openapi"
	"github.com/decoy-mock/decoy/sharedstate"
)

// SharedState is where several replicas of Decoy keep what they must share
// to answer as one mock (package sharedstate implements it on Redis). The
// scenario counters and rate-limit windows reach it through the scenarios'
// own Counters (Project.Counters); the Server uses it for the rest. nil
// (the default) keeps everything in this process's memory.
type SharedState interface {
	// SetActive makes name the active scenario of every replica; "" clears
	// it. It returns an error when the store cannot be reached.
	SetActive(ctx context.Context, name string) error
	// WatchActive calls set with the active scenario now and whenever any
	// replica changes it, until the store is closed.
	WatchActive(ctx context.Context, set func(name string))
	// SetClientScenario switches client into the scenario name on every
	// replica; "" clears its choice. It returns an error when the store
	// cannot be reached, and changes nothing then.
	SetClientScenario(ctx context.Context, client, name string) error
	// ClientScenarios returns every client's choice, client key →
	// scenario, or an error when the store cannot be reached.
	ClientScenarios(ctx context.Context) (map[string]string, error)
	// ClearClientScenarios clears every client's choice on every replica,
	// or returns an error when the store cannot be reached.
	ClearClientScenarios(ctx context.Context) error
	// DropClientScenarios clears the choices that name one of the
	// scenarios gone and returns them; replicas calling it with the same
	// names clear each choice once between them. It returns an error when
	// the store cannot be reached.
	DropClientScenarios(ctx context.Context, gone []string) (map[string]string, error)
	// WatchClientScenarios calls replace with every client's choice now
	// and whenever the copy may have missed a change, and change with each
	// change any replica makes (name "" for a cleared choice), until the
	// store is closed.
	WatchClientScenarios(ctx context.Context, replace func(all map[string]string), change func(client, name string))
	// Health reports whether the store answers, and why not.
	Health() (ok bool, why string)
	// AppendEntries appends encoded journal entries, giving each the next
	// id of the shared journal, and keeps about maxLen of them.
	AppendEntries(ctx context.Context, entries [][]byte, maxLen int) (first uint64, err error)
	// RecentEntries returns the newest n entries, oldest first, and the id
	// up to which the entries were cleared (they still count for coverage
	// and violations).
	RecentEntries(ctx context.Context, n int) (entries []sharedstate.Record, cleared uint64, err error)
	// ClearEntries clears the entries for every replica, and what they
	// count for when all is set.
	ClearEntries(ctx context.Context, all bool) error
	// JournalEpoch returns a value every replica reads alike, that changes
	// when the shared journal's ids start over, or an error when the store
	// cannot be reached.
	JournalEpoch(ctx context.Context) (string, error)
	// Done is closed when the store is closed: the server stops writing
	// to it.
	Done() <-chan struct{}
}

// sharedStateError is the 503 for a part of the answer that needs the
// shared state when it cannot be reached; the answers that need none keep
// working.
func sharedStateError(err error) *decoyError {
	return problemOf("shared-state-unavailable", fmt.Sprintf("this answer needs the state the replicas share, which cannot be reached: %v", err))
}

// watchShared keeps the active scenario and this replica's copy of the
// client choices in step with the other replicas'.
func (s *Server) watchShared(clients *sharedChoices) {
	s.cfg.Shared.WatchClientScenarios(context.Background(), clients.mirror.replace, func(client, name string) {
		// A name this replica does not define is kept (its files may be
		// about to catch up) but not followed: see scenarioName.
		if st := s.state.Load(); name != "" && (st.scenarios == nil || st.scenarios.Lookup(name) == nil) {
			s.log.Warn("another replica switched a client into a scenario this one does not define; the client follows the global scenario here", "client", client, "scenario", name)
		}
		clients.mirror.put(client, name)
	})
	s.cfg.Shared.WatchActive(context.Background(), func(name string) {
		if name == "" {
			s.active.Store(nil)
			return
		}
		if st := s.state.Load(); st.scenarios == nil || st.scenarios.Lookup(name) == nil {
			s.log.Warn("another replica selected a scenario this one does not define; ignored", "scenario", name)
			return
		}
		s.active.Store(&name)
	})
}

// setActive makes name (or none, for "") the active scenario, of every
// replica when the state is shared.
func (s *Server) setActive(ctx context.Context, name string) error {
	if s.cfg.Shared != nil {
		if err := s.cfg.Shared.SetActive(ctx, name); err != nil {
			return sharedStateError(err)
		}
	}
	if name == "" {
		s.active.Store(nil)
	} else {
		s.active.Store(&name)
	}
	return nil
}

// sharedJournal sends the journal's entries to the shared state, in the
// background: a request only queues its entry (built, masked and encoded
// later, as the memory journal builds its entries when first read), and
// entries leave in pipelined batches. When the queue is full a request
// waits for room (see add); while the shared state cannot be reached,
// entries are dropped, counted, and the count logged once it takes
// entries again.
type sharedJournal struct {
	store     SharedState
	queue     chan queued
	maxLen    int
	bodyBytes int
	dropped   atomic.Int64
}

type queued struct {
	e  Entry
	ev event
}

const sharedQueueSize = 8192

func (s *Server) startSharedJournal() {
	j := &sharedJournal{store: s.cfg.Shared, queue: make(chan queued, sharedQueueSize), maxLen: s.journal.size, bodyBytes: s.journal.bodyBytes}
	s.shared = j
	go j.run(s)
}

func (j *sharedJournal) run(s *Server) {
	const most = 256
	// The batch's records, written one after the other into buf (reused:
	// AppendEntries has sent them when it returns), end at ends.
	var buf []byte
	ends := make([]int, 0, most)
	batch := make([][]byte, 0, most)
	items := make([]Entry, 0, most) // batch's entries, built, for the event stream
	memo := newBodyMemo()
	add := func(q queued) {
		e := q.e
		e.buildMemo(j.bodyBytes, memo)
		buf = appendRecord(buf, e, q.ev)
		ends = append(ends, len(buf))
		items = append(items, e)
	}
	for {
		select {
		case <-j.store.Done():
			return
		case q := <-j.queue:
			buf, ends, items = buf[:0], ends[:0], items[:0]
			add(q)
		fill:
			for len(ends) < most {
				select {
				case q := <-j.queue:
					add(q)
				default:
					break fill
				}
			}
			batch = batch[:0]
			for i, end := range ends {
				start := 0
				if i > 0 {
					start = ends[i-1]
				}
				batch = append(batch, buf[start:end])
			}
			first, err := j.store.AppendEntries(context.Background(), batch, j.maxLen)
			if err != nil {
				j.dropped.Add(int64(len(batch)))
				continue
			}
			for i, e := range items {
				s.publishEntry(first+uint64(i), e)
			}
			if n := j.dropped.Swap(0); n > 0 {
				s.log.Warn("journal entries lost while the shared state was unavailable or slower than the requests", "entries", n)
			}
		}
	}
}

// add queues e and its event for the shared journal. When the queue is
// full, the writer is behind (Redis is slow, or the requests outrun it):
// the request waits for room rather than lose its entry, which slows the
// requests to what the journal can keep. The wait is bounded: the writer
// never waits on Redis longer than the store's timeout, and fails at once
// while Redis is known to be down. Only a closed store drops the entry
// (counted).
func (j *sharedJournal) add(e Entry, ev event) {
	q := queued{e, ev}
	select {
	case j.queue <- q:
		return
	default:
	}
	select {
	case j.queue <- q:
	case <-j.store.Done():
		j.dropped.Add(1)
	}
}

// journalView returns the journal to read: this process's own, or, with a
// shared state, one rebuilt from the entries of every replica (the newest
// --journal-size of them), whose coverage and violations count those.
func (s *Server) journalView(ctx context.Context, spec *openapi.Spec) (*Journal, error) {
	if s.shared == nil {
		return s.journal, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	recs, cleared, err := s.cfg.Shared.RecentEntries(ctx, s.journal.size)
	if err != nil {
		return nil, sharedStateError(err)
	}
	view := NewJournal(s.journal.size, s.journal.bodyBytes)
	for _, r := range recs {
		rec, err := readRecord(r.Data)
		if err != nil {
			continue // not an entry of this version of Decoy
		}
		ev := event{response: rec.Response}
		if rec.Op != "" {
			ev.op = spec.Operation(rec.Op)
		}
		for _, b := range rec.Breaches {
			ev.breaks = append(ev.breaks, breach{kind: b.Kind, message: b.Message})
		}
		e := rec.Entry
		e.ID = r.ID
		if r.ID <= cleared {
			view.mu.Lock()
			view.tally.count(e, ev)
			view.mu.Unlock()
			continue
		}
		view.lastID = r.ID - 1
		view.add(e, ev)
	}
	return view, nil
}
