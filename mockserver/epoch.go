package mockserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"time"
)

// The journal's epoch. Entry ids increase for the life of a journal, and
// the dashboard keeps the rows it has by id, never showing again an id at
// or below one it cleared. A restarted Decoy starts its ids at 1 again: a
// page left open would hide every new row until reloaded. So the event
// stream opens with a "hello" event carrying the journal's epoch, and a
// page that sees another epoch than before throws its rows away and reads
// the journal again.

// newEpoch returns a random epoch for this process's journal.
func newEpoch() string {
	var b [8]byte
	rand.Read(b[:]) // never fails
	return hex.EncodeToString(b[:])
}

// journalEpoch returns the epoch of the journal the admin API reads: this
// process's, or with a shared state the shared journal's, the same on
// every replica (so that a page reconnecting to another replica behind a
// load balancer keeps its rows). It returns "" when the shared state
// cannot be reached: the page then keeps what it has.
func (s *Server) journalEpoch(ctx context.Context) string {
	if s.shared == nil {
		return s.epoch
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	epoch, err := s.cfg.Shared.JournalEpoch(ctx)
	if err != nil {
		return ""
	}
	return epoch
}

// appendHello appends the stream's "hello" event: {"epoch": "…"}.
func appendHello(buf []byte, epoch string) []byte {
	data, _ := json.Marshal(map[string]string{"epoch": epoch}) // a string always encodes
	buf = append(buf, "event: hello\ndata: "...)
	buf = append(buf, data...)
	return append(buf, "\n\n"...)
}
