package main

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

func TestPprofListensOnLoopbackOnly(t *testing.T) {
	logger := slog.New(slog.DiscardHandler)
	for _, addr := range []string{"0.0.0.0:0", "192.0.2.1:6060", "nonsense"} {
		if _, _, err := startPprof(addr, nil, logger); err == nil || exitCode(err) != 2 {
			t.Errorf("--pprof %s: err %v (exit %d), want a usage error", addr, err, exitCode(err))
		}
	}
	at, stop, err := startPprof("127.0.0.1:0", nil, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	resp, err := http.Get("http://" + at + "/debug/pprof/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "goroutine") {
		t.Errorf("GET /debug/pprof/: %d %.200s", resp.StatusCode, body)
	}
	stop()
	if resp, err := http.Get("http://" + at + "/debug/pprof/"); err == nil {
		resp.Body.Close()
		t.Error("the profiler still answers after stop")
	}
}
