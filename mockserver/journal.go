package mockserver

import "net/http"

// Journal keeps the most recent exchanges in a bounded ring buffer.
// (Placeholder: issue 5 fills it in.)
type Journal struct{}

// NewJournal returns a journal keeping size exchanges (0 means 1000) and
// bodyBytes of each request body (0 means 4096).
func NewJournal(size, bodyBytes int) *Journal { return &Journal{} }

// record adds one answered exchange to the journal.
func (s *Server) record(r *http.Request, ex *exchange) {}

// addJournalEndpoints adds the journal's admin endpoints to m.
func (s *Server) addJournalEndpoints(m map[string]adminEndpoint) {}
