package mockserver

import "testing"

// closableStore is a SharedState of which only Done matters.
type closableStore struct {
	SharedState
	done chan struct{}
}

func (c closableStore) Done() <-chan struct{} { return c.done }

// TestSharedJournalWaitsForRoom: a request whose entry finds the shared
// journal's queue full waits for room instead of dropping the entry; only
// a closed store makes it give up, and the entry is counted as lost.
func TestSharedJournalWaitsForRoom(t *testing.T) {
	store := closableStore{done: make(chan struct{})}
	j := &sharedJournal{store: store, queue: make(chan queued, 2)}
	j.add(Entry{ID: 1}, event{})
	j.add(Entry{ID: 2}, event{})
	added := make(chan struct{})
	go func() {
		j.add(Entry{ID: 3}, event{})
		close(added)
	}()
	// The writer takes one: the waiting entry gets its room.
	if q := <-j.queue; q.e.ID != 1 {
		t.Fatalf("the writer took entry %d first; want 1", q.e.ID)
	}
	<-added
	if n := j.dropped.Load(); n != 0 {
		t.Fatalf("%d entries dropped; want none", n)
	}
	for _, want := range []uint64{2, 3} {
		if q := <-j.queue; q.e.ID != want {
			t.Fatalf("entry %d next; want %d", q.e.ID, want)
		}
	}
	// A full queue and a closed store: the entry is lost, and counted.
	j.add(Entry{ID: 4}, event{})
	j.add(Entry{ID: 5}, event{})
	gaveUp := make(chan struct{})
	go func() {
		j.add(Entry{ID: 6}, event{})
		close(gaveUp)
	}()
	close(store.done)
	<-gaveUp
	if n := j.dropped.Load(); n != 1 {
		t.Fatalf("%d entries dropped after the store closed; want 1", n)
	}
}
