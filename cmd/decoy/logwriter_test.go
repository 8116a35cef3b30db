package main

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLogWriterKeepsEveryLineInOrder(t *testing.T) {
	out := &syncBuffer{}
	l := newLogWriter(out)
	const writers, lines = 8, 2000
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range lines {
				fmt.Fprintf(l, "w%d %d\n", w, i)
			}
		}()
	}
	wg.Wait()
	l.Close()
	next := make([]int, writers)
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(got) != writers*lines {
		t.Fatalf("%d lines, want %d", len(got), writers*lines)
	}
	for _, line := range got {
		var w, i int
		if _, err := fmt.Sscanf(line, "w%d %d", &w, &i); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if i != next[w] {
			t.Fatalf("writer %d: line %d after %d", w, i, next[w]-1)
		}
		next[w]++
	}
	if out.writes >= writers*lines/10 {
		t.Errorf("%d writes for %d lines: lines are not batched", out.writes, writers*lines)
	}
}

func TestLogWriterFlushesWithoutClose(t *testing.T) {
	out := &syncBuffer{}
	l := newLogWriter(out)
	defer l.Close()
	l.Write([]byte("one line\n"))
	deadline := time.Now().Add(5 * time.Second)
	for out.String() != "one line\n" {
		if time.Now().After(deadline) {
			t.Fatalf("a lone line was not written within 5s (flush delay %s)", flushDelay)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestLogWriterAfterClose(t *testing.T) {
	out := &syncBuffer{}
	l := newLogWriter(out)
	l.Write([]byte("before\n"))
	l.Close()
	l.Close() // twice is fine
	l.Write([]byte("after\n"))
	if got := out.String(); got != "before\nafter\n" {
		t.Errorf("got %q", got)
	}
}

func TestLogWriterFlushesAFullBuffer(t *testing.T) {
	out := &syncBuffer{}
	l := newLogWriter(out)
	defer l.Close()
	big := bytes.Repeat([]byte("x"), flushAt)
	l.Write(big)
	if got := len(out.String()); got != flushAt {
		t.Errorf("%d bytes written at once, want %d", got, flushAt)
	}
}
