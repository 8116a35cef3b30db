package main

import (
	"io"
	"sync"
	"time"
)

// logWriter gathers log lines in memory and writes them out in batches: at
// most flushDelay after the first of them was logged, or at once when
// flushAt bytes wait. A request then never makes a system call to be
// logged and never holds the logger's lock across one. Under load a write
// per line cost a tenth of Decoy's CPU, and with one CPU a goroutine
// blocked in write(2) with the lock held made the others queue behind it,
// then run as a convoy that starved the remaining connections (p99 in the
// hundreds of milliseconds). Close flushes what is left.
type logWriter struct {
	out io.Writer

	mu      sync.Mutex // guards pending and closed
	pending []byte
	closed  bool

	wmu   sync.Mutex // serialises writes to out, so lines keep their order
	spare []byte     // the previous batch's buffer, reused; guarded by wmu

	kick      chan struct{}
	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

const (
	flushDelay = 20 * time.Millisecond
	flushAt    = 64 << 10
	// keepBuffer is the largest batch buffer kept for reuse.
	keepBuffer = 1 << 20
)

func newLogWriter(out io.Writer) *logWriter {
	l := &logWriter{out: out, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go l.run()
	return l
}

// Write queues p. It never fails: a log line that cannot be written (a
// closed terminal) has nowhere else to go.
func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		l.wmu.Lock()
		defer l.wmu.Unlock()
		_, _ = l.out.Write(p)
		return len(p), nil
	}
	first := len(l.pending) == 0
	l.pending = append(l.pending, p...)
	full := len(l.pending) >= flushAt
	l.mu.Unlock()
	switch {
	case full:
		l.Flush()
	case first:
		select {
		case l.kick <- struct{}{}:
		default:
		}
	}
	return len(p), nil
}

// Flush writes every queued line.
func (l *logWriter) Flush() {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	l.mu.Lock()
	batch := l.pending
	l.pending = l.spare[:0]
	l.mu.Unlock()
	if len(batch) > 0 {
		_, _ = l.out.Write(batch)
	}
	if cap(batch) <= keepBuffer {
		l.spare = batch[:0]
	} else {
		l.spare = nil
	}
}

func (l *logWriter) run() {
	defer close(l.done)
	for {
		select {
		case <-l.kick:
		case <-l.stop:
			l.Flush()
			return
		}
		t := time.NewTimer(flushDelay)
		select {
		case <-t.C:
		case <-l.stop:
			t.Stop()
		}
		l.Flush()
	}
}

// Close flushes the queued lines and stops the writer; lines written after
// Close are written at once.
func (l *logWriter) Close() {
	l.closeOnce.Do(func() {
		close(l.stop)
		<-l.done
		l.mu.Lock()
		l.closed = true
		l.mu.Unlock()
		l.Flush() // lines queued while the flusher stopped
	})
}
