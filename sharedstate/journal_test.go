package sharedstate

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestJournalStream: entries from several stores (replicas) get increasing
// ids and come back oldest first; the stream stays near its bound; a clear
// of the list keeps the ids, a full clear empties it, and ids are never
// reused.
func TestJournalStream(t *testing.T) { onEachRedis(t, testJournalStream) }

func testJournalStream(t *testing.T, open func(ns string) *Redis) {
	a, b := open("test"), open("test")
	ctx := context.Background()
	for i := range 30 {
		store := a
		if i%2 == 1 {
			store = b
		}
		if _, err := store.AppendEntries(ctx, [][]byte{[]byte(fmt.Sprintf("e%d", i)), []byte(fmt.Sprintf("f%d", i))}, 1000); err != nil {
			t.Fatal(err)
		}
	}
	recs, cleared, err := b.RecentEntries(ctx, 10)
	if err != nil || cleared != 0 {
		t.Fatal(err, cleared)
	}
	if len(recs) != 10 || recs[0].ID != 51 || recs[9].ID != 60 || string(recs[9].Data) != "f29" {
		t.Fatalf("the newest 10: %d records, ids %d..%d, last %q", len(recs), recs[0].ID, recs[len(recs)-1].ID, recs[len(recs)-1].Data)
	}
	if err := a.ClearEntries(ctx, false); err != nil {
		t.Fatal(err)
	}
	if _, cleared, _ := b.RecentEntries(ctx, 10); cleared != 60 {
		t.Fatalf("cleared up to %d; want 60", cleared)
	}
	if err := a.ClearEntries(ctx, true); err != nil {
		t.Fatal(err)
	}
	a.AppendEntries(ctx, [][]byte{[]byte("after")}, 1000)
	recs, cleared, _ = b.RecentEntries(ctx, 10)
	if len(recs) != 1 || recs[0].ID != 61 || cleared != 0 {
		t.Fatalf("after a reset: %+v cleared %d; want one entry, id 61", recs, cleared)
	}
	// The stream is trimmed near its bound (MAXLEN ~ trims whole nodes).
	for i := range 50 {
		batch := make([][]byte, 100)
		for j := range batch {
			batch[j] = []byte(fmt.Sprint(i, j))
		}
		a.AppendEntries(ctx, batch, 500)
	}
	if n, _ := a.client.XLen(ctx, a.prefix+"journal").Result(); n < 500 || n > 1500 {
		t.Fatalf("the stream holds %d entries; want about 500", n)
	}
}

// TestActiveScenario: the active scenario one store sets reaches another's
// watcher.
func TestActiveScenario(t *testing.T) {
	mr, a := openMini(t)
	b := openOn(t, mr, "test")
	got := make(chan string, 10)
	b.WatchActive(t.Context(), func(name string) { got <- name })
	if name := <-got; name != "" {
		t.Fatalf("first call %q; want none active", name)
	}
	if err := a.SetActive(context.Background(), "slow"); err != nil {
		t.Fatal(err)
	}
	timeout := time.After(5 * time.Second)
	for name := ""; name != "slow"; {
		select {
		case name = <-got: // a poll may still say "" first
		case <-timeout:
			t.Fatal("the other store did not learn the active scenario within 5s")
		}
	}
	if name, err := b.Active(context.Background()); err != nil || name != "slow" {
		t.Fatalf("Active = %q, %v", name, err)
	}
}
