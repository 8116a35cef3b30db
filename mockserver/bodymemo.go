package mockserver

import (
	"bytes"
	"hash/maphash"
)

// bodyMemo remembers the bodies the shared journal's writer masked last,
// and their masked form: a mock answers the same body again and again (an
// example, a page of a collection), and masking one costs microseconds per
// KiB while finding it again costs a hash and a comparison. It is a small
// direct-mapped table, so its memory is bounded; a body found in it is
// compared byte for byte, so it answers exactly what keptBody does
// (TestBodyMemoMasksAsMaskBody). It is not safe for concurrent use: the
// writer is one goroutine.
type bodyMemo struct {
	seed  maphash.Seed
	slots [bodyMemoSlots]bodyMemoSlot
}

// bodyMemoSlots is the size of the table: the distinct bodies a busy mock
// answers in turn, in the same few slots.
const bodyMemoSlots = 64

type bodyMemoSlot struct {
	body        []byte // the entry's own copy, never written after
	n, full     int
	contentType string
	shown       string
}

func newBodyMemo() *bodyMemo { return &bodyMemo{seed: maphash.MakeSeed()} }

// mask returns keptBody(body, n, full, contentType), from the table when
// the body is there. body must not change after: the table keeps it. A
// nil memo masks every time.
func (m *bodyMemo) mask(body []byte, n, full int, contentType string) string {
	if m == nil {
		return keptBody(body, n, full, contentType)
	}
	slot := &m.slots[maphash.Bytes(m.seed, body)%bodyMemoSlots]
	if slot.body != nil && slot.n == n && slot.full == full && slot.contentType == contentType && bytes.Equal(slot.body, body) {
		return slot.shown
	}
	shown := keptBody(body, n, full, contentType)
	*slot = bodyMemoSlot{body: body, n: n, full: full, contentType: contentType, shown: shown}
	return shown
}
