package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/decoy-mock/decoy/mockserver"
)

// startPprof serves Go's profiler (net/http/pprof) on addr, a loopback
// address, apart from the mock so that its routes never shadow the spec's.
// It answers loopback Host names and allowedHosts only, and no page of
// another site (see mockserver.LocalOnly): a page renamed to 127.0.0.1 by
// DNS rebinding must not read the process's memory. It returns the address
// it listens on and a function that stops it.
func startPprof(addr string, allowedHosts []string, logger *slog.Logger) (string, func(), error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", nil, usagef("--pprof %q is not host:port (e.g. 127.0.0.1:6060)", addr)
	}
	if !isLoopback(host) {
		return "", nil, usagef("--pprof %q must be a loopback address (127.0.0.1, ::1 or localhost): profiles expose the process's memory", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("--pprof: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	hs := &http.Server{Handler: mockserver.LocalOnly(mux, allowedHosts), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := hs.Serve(ln); err != nil && err != http.ErrServerClosed {
			logger.Warn("pprof server stopped", "err", err.Error())
		}
	}()
	return ln.Addr().String(), func() { _ = hs.Close() }, nil
}
