package mockserver

import (
	"time"
)

// reloadFailure is a reload that failed while an older state kept serving.
type reloadFailure struct {
	// state is the state that was serving when the reload failed; once
	// another state replaces it (a reload that worked), the failure is
	// over.
	state *state
	err   string
	since time.Time
}

// ReloadFailed records that reloading the files failed with err while the
// server kept serving what it had: GET /__decoy/health answers "degraded"
// with the error (which names the file and place) and the time of the
// first failure since the last good load, until a Reload succeeds. A nil
// err does nothing.
func (s *Server) ReloadFailed(err error) {
	if err == nil {
		return
	}
	st := s.state.Load()
	since := s.now()
	if prev := s.failure.Load(); prev != nil && prev.state == st {
		since = prev.since
	}
	s.failure.Store(&reloadFailure{state: st, err: err.Error(), since: since})
}

// describe sets the health answer's status, error and since.
func (f *reloadFailure) describe(body map[string]any) {
	body["status"], body["error"], body["since"] = "degraded", f.err, f.since.UTC().Format(time.RFC3339)
}

// degraded returns the failed reload that st still stands in for, or nil.
func (s *Server) degraded(st *state) *reloadFailure {
	if f := s.failure.Load(); f != nil && f.state == st {
		return f
	}
	return nil
}
