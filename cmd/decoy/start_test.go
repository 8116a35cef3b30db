package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// startDecoy runs decoy in this process with the arguments withPort makes
// from a free loopback port, until the test ends, and returns its base URL
// once /__decoy/health answers. It fails the test, with decoy's log, when
// decoy stops or never answers.
func startDecoy(t *testing.T, withPort func(port string) []string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	args := withPort(fmt.Sprint(port))
	ctx, cancel := context.WithCancel(context.Background())
	var out, logs syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, &out, &logs) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Errorf("decoy %s did not stop", strings.Join(args, " "))
		}
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	for range 500 {
		resp, err := http.Get(base + "/__decoy/health")
		if err == nil {
			resp.Body.Close()
			return base
		}
		select {
		case err := <-done:
			t.Fatalf("decoy %s stopped: %v\n%s", strings.Join(args, " "), err, logs.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("decoy %s never answered\n%s", strings.Join(args, " "), logs.String())
	return ""
}
