package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/decoy-mock/decoy/fixtures"
)

// stateSaver saves the collections at most every stateDebounce after a
// change, and once at shutdown.
type stateSaver struct {
	path string
	log  *slog.Logger
	// store returns the store being served: after a reload, the new one,
	// which holds the writes of the old.
	store func() *fixtures.Store
	kick  chan struct{}
	done  chan struct{}
}

const stateDebounce = 250 * time.Millisecond

func newStateSaver(path string, log *slog.Logger) *stateSaver {
	return &stateSaver{path: path, log: log, kick: make(chan struct{}, 1), done: make(chan struct{})}
}

// changed is fixtures.StoreOptions.OnChange; it never blocks.
func (s *stateSaver) changed() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

func (s *stateSaver) run(ctx context.Context) {
	defer close(s.done)
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.kick:
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(stateDebounce):
		}
		s.save()
	}
}

func (s *stateSaver) save() {
	if st := s.store(); st != nil {
		if err := fixtures.SaveStateFile(s.path, st); err != nil {
			s.log.Error("saving the state failed", "err", err.Error())
		}
	}
}

// close waits for run to stop (its context is done), then saves once more.
func (s *stateSaver) close() {
	if s.store == nil {
		return
	}
	<-s.done
	s.save()
}
