package main

import (
	"flag"
	"os"
	"strings"
)

// hostList is the repeatable --allowed-host flag: each value may also be a
// comma-separated list.
type hostList struct {
	names []string
	set   bool
}

func (h *hostList) String() string { return strings.Join(h.names, ",") }

func (h *hostList) Set(v string) error {
	h.set = true
	for _, n := range strings.Split(v, ",") {
		if n = strings.TrimSpace(n); n != "" {
			h.names = append(h.names, n)
		}
	}
	return nil
}

// registerAllowedHosts adds --allowed-host to fs.
func registerAllowedHosts(fs *flag.FlagSet) *hostList {
	h := &hostList{}
	fs.Var(h, "allowed-host", "also answer the admin API and --pprof when addressed by this Host `name` (repeatable, or comma-separated; env DECOY_ALLOWED_HOSTS); "+
		"by default only localhost, *.localhost, 127.0.0.1 and [::1] are, so that no web page can rename itself to Decoy's address (DNS rebinding); '*' allows any")
	return h
}

// withEnv returns the names given by the flag (or DECOY_ALLOWED_HOST), else
// those of DECOY_ALLOWED_HOSTS, the plural the flag's help names. Call it
// after parse.
func (h *hostList) withEnv() []string {
	if !h.set {
		if v, ok := os.LookupEnv("DECOY_ALLOWED_HOSTS"); ok {
			_ = h.Set(v)
		}
	}
	return h.names
}
